"""Guards for views and blueprints: login for API calls, roles for pages and endpoints."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def wants_json() -> bool:
    """API paths and clients asking for JSON get JSON errors; browsers get pages."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def json_error(status: int, message: str) -> Response:
    """An error in the API's shape: {"code", "status", "message"}."""
    response = jsonify(code=status, status=HTTPStatus(status).phrase, message=message)
    response.status_code = status
    if status == HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = 'Bearer realm="cunbo"'
    return response


def unauthenticated() -> Response:
    return json_error(401, _("请先登录，或在 Authorization 头中提供 Bearer 令牌。"))


def forbidden() -> Response:
    return json_error(403, _("您的角色不能使用此功能。"))


def login_required_api(view: F) -> F:
    """401 JSON (not a redirect to the login page) when nobody is signed in."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return unauthenticated()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    """Only these roles; others get 403, anonymous callers the login page or 401 JSON."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return unauthenticated() if wants_json() else login_manager.unauthorized()
            if current_user.role not in allowed:
                if wants_json():
                    return forbidden()
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def api_guard(
    blueprint: Blueprint,
    roles: Iterable[str] | None = None,
    write_roles: Iterable[str] | None = None,
) -> Blueprint:
    """Require a signed-in user (session or bearer token) for every route of `blueprint`.

    `roles` limits the whole blueprint; `write_roles` further limits methods other than
    GET/HEAD/OPTIONS (e.g. keep the read-only `viewer` out of POST).
    """
    allowed = frozenset(roles) if roles is not None else None
    writers = frozenset(write_roles) if write_roles is not None else None

    @blueprint.before_request
    def _guard() -> Response | None:
        if not current_user.is_authenticated:
            return unauthenticated()
        if allowed is not None and current_user.role not in allowed:
            return forbidden()
        if writers is not None and request.method not in SAFE_METHODS:
            if current_user.role not in writers:
                return forbidden()
        return None

    return blueprint
