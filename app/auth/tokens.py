"""Personal access tokens: `Authorization: Bearer <token>`, stored only as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import Request
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, User, data_version_column, note_data_version, utcnow

# A recognisable prefix lets secret scanners and people spot a leaked Cunbo token.
TOKEN_PREFIX = "cbt_"
# Writing last_used_at on every API call would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be issued or revoked as asked."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; the plain token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise TokenError("令牌需要一个名称（--name），例如“报表脚本”。")
    if active_token(user, name) is not None:
        raise TokenError(f"用户 {user.login} 已有名为“{name}”的有效令牌；请换一个名称或先吊销它。")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain))
    db.session.add(token)
    db.session.commit()
    return token, plain


def active_token(user: User, name: str) -> ApiToken | None:
    stmt = select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
    )
    return db.session.scalars(stmt).first()


def user_tokens(user: User) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(db.session.scalars(stmt))


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()


def user_for_token(plain: str) -> User | None:
    """The active user owning an unrevoked token, recording when the token was last used."""
    # The user and the data version come in the same query: a figure the cache holds then
    # needs no other (until the minute's last_used_at write ends the transaction).
    stmt = (
        select(ApiToken, User, data_version_column())
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(plain), ApiToken.revoked_at.is_(None))
    )
    found = db.session.execute(stmt).first()
    if found is None:
        return None
    token, user, version = found
    if not user.is_active:
        return None
    note_data_version(db.session, version)
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return user


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header, if there is one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
