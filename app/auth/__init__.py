"""Who is asking and what they may see: sign-in, roles, scopes and personal access tokens.

Services filter with `current_scope()`; views guard with `roles_required`; API blueprints
are protected with `api_guard(blueprint, roles=...)`.
"""

from __future__ import annotations

from flask import Flask, Request, Response, redirect, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from app.auth.decorators import (
    api_guard,
    json_error,
    login_required_api,
    roles_required,
    unauthenticated,
    wants_json,
)
from app.auth.scope import NOTHING, AccessScope, current_scope, scope_for
from app.auth.tokens import bearer_token, user_for_token
from app.extensions import db, login_manager
from app.models import User, data_version_column, forget_data_version, note_data_version

__all__ = [
    "NOTHING",
    "AccessScope",
    "api_guard",
    "current_scope",
    "json_error",
    "login_required_api",
    "register_auth",
    "roles_required",
    "scope_for",
    "wants_json",
]


def register_auth(app: Flask) -> None:
    """Tell Flask-Login how to find users: the session cookie, else a bearer token."""
    login_manager.login_view = "auth.login"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)
    login_manager.unauthorized_handler(_unauthorized)
    app.teardown_request(_forget_version)


def _load_user(user_id: str) -> User | None:
    try:
        key = int(user_id)
    except ValueError:
        return None
    # The data version comes in the same query: a figure the cache holds then needs no other.
    found = db.session.execute(select(User, data_version_column()).where(User.id == key)).first()
    if found is None:
        return None
    user, version = found
    note_data_version(db.session, version)
    return user if user.is_active else None


def _forget_version(_exc: BaseException | None) -> None:
    # The version read with the user is this request's: a later request that shares the app
    # context (and so its session and signed-in user) reads it afresh.
    forget_data_version(db.session)


def _load_user_from_request(req: Request) -> User | None:
    token = bearer_token(req)
    return user_for_token(token) if token else None


def _unauthorized() -> Response | BaseResponse:
    if wants_json():
        return unauthenticated()
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))
