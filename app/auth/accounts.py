"""User accounts: create and edit with a role and scope, disable, reset a password, describe."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import ROLES, Brand, LiveRoom, Streamer, Township, User, UserScope

LOCALES = ("zh", "en")
LOGIN_PATTERN = re.compile(r"^[\w.@-]{2,64}$")
MIN_PASSWORD_LENGTH = 8
SCOPE_MODELS: dict[str, type[Township] | type[Brand] | type[LiveRoom]] = {
    "township": Township,
    "brand": Brand,
    "room": LiveRoom,
}


class AccountError(ValueError):
    """The account cannot be saved; `errors` lists every reason."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass
class NewUser:
    """What is needed to create an account; codes are registry codes."""

    login: str
    role: str
    password: str | None = None
    name: str | None = None
    townships: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)
    streamer: str | None = None
    # Whoever signs in with this password must choose their own first.
    must_change_password: bool = False


@dataclass
class UserChanges:
    """What an admin may change on an existing account; codes are registry codes."""

    name: str | None
    role: str
    active: bool
    locale: str | None = None
    townships: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)
    streamer: str | None = None


@dataclass(frozen=True)
class ScopeChoice:
    code: str
    name: str


def scope_choices(user: User | None = None) -> dict[str, list[ScopeChoice]]:
    """The registry's townships, brands, rooms and free streamers (or `user`'s own), by code."""
    choices: dict[str, list[ScopeChoice]] = {}
    for kind, model in (("township", Township), ("brand", Brand)):
        rows = db.session.execute(select(model.code, model.name).order_by(model.code))
        choices[kind] = [ScopeChoice(code, name) for code, name in rows]
    rooms = db.session.execute(
        select(LiveRoom.code, LiveRoom.nickname, LiveRoom.platform).order_by(LiveRoom.code)
    )
    choices["room"] = [ScopeChoice(code, nick or platform) for code, nick, platform in rooms]
    owner = user.id if user is not None else None
    free = or_(Streamer.user_id.is_(None), Streamer.user_id == owner)
    rows = db.session.execute(
        select(Streamer.code, Streamer.name).where(free).order_by(Streamer.code)
    )
    choices["streamer"] = [ScopeChoice(code, name) for code, name in rows]
    return choices


def role_labels() -> dict[str, str]:
    """Each role code with its name in the current language."""
    return {
        "admin": _("县中心管理员"),
        "officer": _("县中心工作人员"),
        "township": _("乡镇工作人员"),
        "brand": _("品牌管理员"),
        "streamer": _("主播"),
        "viewer": _("只读查看（商务局）"),
    }


def find_user(login: str) -> User | None:
    stmt = select(User).where(func.lower(User.login) == login.strip().lower())
    return db.session.scalars(stmt).first()


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.login)))


def create_user(new: NewUser) -> tuple[User, str | None]:
    """Validate and save a user; returns it with the generated password, if one was made."""
    login = new.login.strip().lower()
    codes = {
        "township": _clean(new.townships),
        "brand": _clean(new.brands),
        "room": _clean(new.rooms),
    }
    errors = _login_errors(login) + _role_errors(new.role, codes, new.streamer)
    errors += _unknown_codes(codes)
    streamer = _streamer(new.streamer, errors, None)
    generated = None
    password = new.password
    if not password:
        password = generated = secrets.token_urlsafe(12)
    errors += password_errors(password)
    if errors:
        raise AccountError(errors)
    user = User(login=login, role=new.role, display_name=(new.name or "").strip() or None)
    user.set_password(password)
    user.must_change_password = new.must_change_password
    user.scopes = [
        UserScope(kind=kind, code=code) for kind, values in codes.items() for code in values
    ]
    db.session.add(user)
    db.session.flush()
    if streamer is not None:
        streamer.user_id = user.id
    db.session.commit()
    return user, generated


def update_user(user: User, changes: UserChanges) -> None:
    """Validate and save an admin's changes: name, role, language, status, scope, streamer."""
    codes = {
        "township": _clean(changes.townships),
        "brand": _clean(changes.brands),
        "room": _clean(changes.rooms),
    }
    errors = _role_errors(changes.role, codes, changes.streamer)
    errors += _unknown_codes(codes)
    streamer = _streamer(changes.streamer, errors, user)
    if changes.locale not in (None, *LOCALES):
        errors.append(_("未知界面语言“%(locale)s”。", locale=changes.locale))
    if errors:
        raise AccountError(errors)
    user.display_name = (changes.name or "").strip() or None
    user.role = changes.role
    user.active = changes.active
    user.locale = changes.locale
    wanted = {(kind, code) for kind, values in codes.items() for code in values}
    user.scopes = [s for s in user.scopes if (s.kind, s.code) in wanted]
    kept = {(s.kind, s.code) for s in user.scopes}
    user.scopes += [UserScope(kind=k, code=c) for k, c in sorted(wanted - kept)]
    for linked in linked_streamers(user):
        if streamer is None or linked.id != streamer.id:
            linked.user_id = None
    if streamer is not None:
        streamer.user_id = user.id
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    """Disable or re-enable a user; a disabled user's sessions and tokens stop working."""
    user.active = active
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """The user's own choice of password: it ends any required change."""
    errors = password_errors(password)
    if errors:
        raise AccountError(errors)
    user.set_password(password)
    user.must_change_password = False
    db.session.commit()


def reset_password(
    user: User, password: str | None = None, *, temporary: bool = True
) -> str | None:
    """Give a user a password (generated when None); a temporary one is changed at sign-in.

    Returns the generated password, to be shown once, or None when one was given.
    """
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    errors = password_errors(password)
    if errors:
        raise AccountError(errors)
    user.set_password(password)
    user.must_change_password = temporary
    db.session.commit()
    return generated


def password_errors(password: str) -> list[str]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [_("密码至少需要 %(n)d 个字符。", n=MIN_PASSWORD_LENGTH)]
    return []


def user_json(user: User) -> dict[str, Any]:
    """The JSON shape of `cunbo users list --json`."""
    return {
        "login": user.login,
        "name": user.display_name,
        "role": user.role,
        "active": user.active,
        "must_change_password": user.must_change_password,
        "townships": sorted(user.scope_codes("township")),
        "brands": sorted(user.scope_codes("brand")),
        "rooms": sorted(user.scope_codes("room")),
        "streamers": [s.code for s in linked_streamers(user)],
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }


def linked_streamers(user: User) -> list[Streamer]:
    stmt = select(Streamer).where(Streamer.user_id == user.id).order_by(Streamer.code)
    return list(db.session.scalars(stmt))


def _clean(codes: Iterable[str]) -> list[str]:
    """Codes split on commas and spaces, blanks and repeats dropped, order kept."""
    found: list[str] = []
    for chunk in codes:
        for code in re.split(r"[,，\s]+", chunk or ""):
            if code and code not in found:
                found.append(code)
    return found


def _login_errors(login: str) -> list[str]:
    if not LOGIN_PATTERN.match(login):
        return [_("登录名须为 2–64 个字母、数字、汉字或 . _ - @。")]
    if find_user(login) is not None:
        return [_("登录名“%(login)s”已被使用。", login=login)]
    return []


def _role_errors(role: str, codes: dict[str, list[str]], streamer: str | None) -> list[str]:
    if role not in ROLES:
        return [_("未知角色“%(role)s”；可选：%(roles)s。", role=role, roles=", ".join(ROLES))]
    extra = [kind for kind, values in codes.items() if values and kind != _SCOPE_KIND.get(role)]
    errors = []
    if extra:
        errors.append(
            _("角色 %(role)s 不使用这些范围：%(kinds)s。", role=role, kinds=", ".join(extra))
        )
    if streamer and role != "streamer":
        errors.append(_("只有主播账号可以关联主播编码。"))
    if role == "township" and not codes["township"]:
        errors.append(_("乡镇账号至少需要一个乡镇。"))
    if role == "brand" and not codes["brand"]:
        errors.append(_("品牌账号至少需要一个品牌编码。"))
    if role == "streamer" and not (codes["room"] or streamer):
        errors.append(_("主播账号需要直播间编码，或关联一个主播编码。"))
    return errors


_SCOPE_KIND = {"township": "township", "brand": "brand", "streamer": "room"}


def _unknown_codes(codes: dict[str, list[str]]) -> list[str]:
    labels = {"township": _("乡镇"), "brand": _("品牌"), "room": _("直播间")}
    errors = []
    for kind, values in codes.items():
        if not values:
            continue
        model = SCOPE_MODELS[kind]
        known = set(db.session.scalars(select(model.code).where(model.code.in_(values))))
        missing = [code for code in values if code not in known]
        if missing:
            errors.append(
                _(
                    "名录中没有%(kind)s编码：%(codes)s（请先导入名录）。",
                    kind=labels[kind],
                    codes=", ".join(missing),
                )
            )
    return errors


def _streamer(code: str | None, errors: list[str], user: User | None) -> Streamer | None:
    if not code:
        return None
    streamer = db.session.scalars(select(Streamer).where(Streamer.code == code.strip())).first()
    if streamer is None:
        errors.append(_("名录中没有主播编码：%(code)s。", code=code))
    elif streamer.user_id is not None and (user is None or streamer.user_id != user.id):
        errors.append(_("主播 %(code)s 已关联其他账号。", code=code))
    return streamer
