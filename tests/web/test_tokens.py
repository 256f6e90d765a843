"""Personal access tokens and the API guard: bearer tokens, revocation, roles, JSON errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from flask import Blueprint, Flask, jsonify
from flask.testing import FlaskClient
from flask_login import current_user

from app.auth import api_guard, current_scope, login_required_api, roles_required
from app.auth.accounts import set_active
from app.auth.tokens import TokenError, issue_token, revoke_token
from app.extensions import db
from app.models import ApiToken, User


@pytest.fixture
def guarded(app: Flask) -> Flask:
    """Test endpoints under /api/v1/test: any user, officers only, and viewer read-only."""
    open_bp = api_guard(Blueprint("t_any", __name__, url_prefix="/api/v1/test/any"))
    staff_bp = api_guard(
        Blueprint("t_staff", __name__, url_prefix="/api/v1/test/staff"),
        roles=("admin", "officer"),
    )
    write_bp = api_guard(
        Blueprint("t_write", __name__, url_prefix="/api/v1/test/write"),
        write_roles=("admin", "officer"),
    )

    def whoami() -> object:
        scope = current_scope()
        return jsonify(login=current_user.login, county=scope.county, rooms=sorted(scope.rooms))

    open_bp.add_url_rule("", view_func=whoami)
    staff_bp.add_url_rule("", view_func=whoami)
    write_bp.add_url_rule("", view_func=whoami, methods=["GET", "POST"])
    for blueprint in (open_bp, staff_bp, write_bp):
        app.register_blueprint(blueprint)
    return app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(app: Flask, login: str, name: str = "脚本") -> str:
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.login == login)).one()
        return issue_token(user, name)[1]


def test_valid_token_authenticates_with_the_users_scope(
    guarded: Flask, client: FlaskClient, registry: None, make_user: Callable[..., str]
) -> None:
    make_user("s1", "streamer", streamer="S01")
    token = token_for(guarded, "s1")
    response = client.get("/api/v1/test/any", headers=bearer(token))
    assert response.status_code == 200
    assert response.json == {"login": "s1", "county": False, "rooms": ["R01"]}
    assert "Set-Cookie" not in response.headers  # a token call opens no browser session
    with guarded.app_context():
        stored = db.session.scalars(db.select(ApiToken)).one()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in {stored.token_hash, stored.name}
        assert stored.last_used_at is not None


def test_missing_wrong_and_revoked_tokens_get_401_json(
    guarded: Flask, client: FlaskClient, make_user: Callable[..., str]
) -> None:
    make_user("officer1", "officer")
    token = token_for(guarded, "officer1")
    for headers in ({}, bearer(token + "x"), bearer("not-a-token"), {"Authorization": token}):
        response = client.get("/api/v1/test/any", headers=headers)
        assert response.status_code == 401, headers
        assert response.json["code"] == 401
        assert "Bearer" in response.headers["WWW-Authenticate"]
    assert client.get("/api/v1/test/any", headers=bearer(token)).status_code == 200
    with guarded.app_context():
        revoke_token(db.session.scalars(db.select(ApiToken)).one())
    assert client.get("/api/v1/test/any", headers=bearer(token)).status_code == 401


def test_token_of_a_disabled_user_stops_working(
    guarded: Flask, client: FlaskClient, make_user: Callable[..., str]
) -> None:
    make_user("officer1", "officer")
    token = token_for(guarded, "officer1")
    with guarded.app_context():
        set_active(db.session.scalars(db.select(User)).one(), False)
    assert client.get("/api/v1/test/any", headers=bearer(token)).status_code == 401


def test_api_guard_roles_and_write_roles(
    guarded: Flask, client: FlaskClient, make_user: Callable[..., str]
) -> None:
    make_user("viewer1", "viewer")
    make_user("officer1", "officer")
    viewer = bearer(token_for(guarded, "viewer1"))
    officer = bearer(token_for(guarded, "officer1"))
    assert client.get("/api/v1/test/staff", headers=viewer).status_code == 403
    assert client.get("/api/v1/test/staff", headers=officer).status_code == 200
    assert client.get("/api/v1/test/write", headers=viewer).status_code == 200
    response = client.post("/api/v1/test/write", headers=viewer)
    assert response.status_code == 403
    assert response.json["message"]
    assert client.post("/api/v1/test/write", headers=officer).status_code == 200


def test_session_cookie_also_passes_the_api_guard(
    guarded: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("officer")
    assert client.get("/api/v1/test/staff").json["login"] == "officer1"


def test_token_names_are_unique_among_active_tokens(
    app: Flask, make_user: Callable[..., str]
) -> None:
    make_user("officer1", "officer")
    token_for(app, "officer1", "报表")
    with pytest.raises(TokenError):
        token_for(app, "officer1", "报表")
    with app.app_context():
        revoke_token(db.session.scalars(db.select(ApiToken)).one())
    assert token_for(app, "officer1", "报表")  # the name is free again once revoked


def test_view_decorators(app: Flask, client: FlaskClient, make_user: Callable[..., str]) -> None:
    @login_required_api
    def anyone() -> str:
        return "ok"

    @roles_required("admin")
    def admins() -> str:
        return "ok"

    app.add_url_rule("/api/v1/test/anyone", view_func=anyone)
    app.add_url_rule("/test/admins", view_func=admins)
    make_user("officer1", "officer")
    token = bearer(token_for(app, "officer1"))
    assert client.get("/api/v1/test/anyone").status_code == 401
    assert client.get("/api/v1/test/anyone", headers=token).status_code == 200
    assert client.get("/test/admins").status_code == 302  # browsers go to the login page
    assert client.get("/test/admins", headers=token).status_code == 403
