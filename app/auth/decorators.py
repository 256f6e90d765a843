"""Guards for views and blueprints: login for API calls, roles for pages and endpoints."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

from app.auth.tokens import bearer_token
from app.extensions import csrf, login_manager

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


def csrf_refused() -> Response | None:
    """400 JSON for a write signed in by the session cookie without a valid CSRF token.

    A browser sends the cookie on any site's form post; a bearer token it never adds by itself,
    so calls carrying one need no CSRF token.
    """
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return None
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    try:
        csrf.protect()
    except CSRFError:
        return json_error(
            400,
            _(
                "缺少或无效的安全令牌（CSRF）：请刷新页面后重试；"
                "脚本请改用 Authorization: Bearer 令牌调用接口。"
            ),
        )
    return None


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
    GET/HEAD/OPTIONS (e.g. keep the read-only `viewer` out of POST). A write signed in by the
    session cookie must carry the CSRF token (the `X-CSRFToken` header of the pages' scripts).
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
        return csrf_refused()

    return blueprint


# What a user who must change their password may still reach: the change form, sign-out,
# the sign-in page, the language switch, static files and the health check.
PASSWORD_CHANGE_OPEN = frozenset(
    {
        "auth.change_password",
        "auth.logout",
        "auth.login",
        "web.switch_language",
        "health.healthz",
        "static",
    }
)


def password_change_gate() -> Response | BaseResponse | None:
    """Send a signed-in user who must change their password to the change form.

    Pages redirect there; the API answers 403 `password_change_required` to cookie sessions.
    Calls with a bearer token (issued by an admin for a script) are not held back.
    """
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    endpoint = request.endpoint
    if endpoint is None or endpoint in PASSWORD_CHANGE_OPEN or endpoint.endswith(".static"):
        return None
    if bearer_token(request) is not None:
        return None
    if wants_json():
        response = jsonify(
            code="password_change_required",
            status=HTTPStatus.FORBIDDEN.phrase,
            message=_("请先在“修改密码”页面设置您自己的密码，然后再使用系统。"),
        )
        response.status_code = HTTPStatus.FORBIDDEN
        return response
    return redirect(url_for("auth.change_password"))
