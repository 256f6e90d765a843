"""Signing in and out, wrong passwords, disabled accounts, rate limits, CSRF, cookies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.auth.accounts import set_active
from app.extensions import db, limiter
from app.models import User

SignIn = Callable[..., Any]


def test_login_page_is_chinese_by_default(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "登录名" in text and "密码" in text
    assert '<html lang="zh-CN">' in text


def test_anonymous_visitor_is_sent_to_login_with_next(client: FlaskClient) -> None:
    response = client.get("/dashboard?month=2024-05")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/dashboard?month%3D2024-05"


def test_login_then_logout(
    client: FlaskClient, registry: None, make_user: Callable[..., str], sign_in: SignIn
) -> None:
    make_user("officer1", "officer")
    response = sign_in(client, "OFFICER1")  # login names are not case-sensitive
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/dashboard").status_code == 200

    response = client.post("/logout")
    assert response.headers["Location"] == "/login"
    assert "您已退出登录" in client.get("/login").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_logout_needs_post(client: FlaskClient) -> None:
    assert client.get("/logout").status_code == 405


def test_wrong_password_and_unknown_user_get_the_same_message(
    client: FlaskClient, make_user: Callable[..., str], sign_in: SignIn, password: str
) -> None:
    make_user("officer1", "officer")
    for login, typed in (("officer1", "wrong-password"), ("nobody", password)):
        response = sign_in(client, login, typed)
        assert response.status_code == 401
        text = response.get_data(as_text=True)
        assert "登录名或密码不正确" in text
        assert f'value="{login}"' in text  # the login name is kept, the password is not
        assert typed not in text
    assert client.get("/dashboard").status_code == 302


def test_disabled_user_cannot_sign_in_and_is_signed_out(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., str],
    sign_in: SignIn,
    get_user: Callable[[str], User],
) -> None:
    make_user("officer1", "officer")
    assert sign_in(client, "officer1").status_code == 302
    with app.app_context():
        set_active(get_user("officer1"), False)
    assert client.get("/dashboard").status_code == 302  # the live session stops working
    response = sign_in(client, "officer1")
    assert response.status_code == 401
    assert "此账号已停用" in response.get_data(as_text=True)


def test_next_is_followed_only_within_the_site(
    client: FlaskClient, make_user: Callable[..., str], password: str
) -> None:
    make_user("officer1", "officer")
    data = {"login": "officer1", "password": password, "next": "//evil.example/x"}
    assert client.post("/login", data=data).headers["Location"] == "/"
    client.post("/logout")
    data["next"] = "/brands"
    assert client.post("/login", data=data).headers["Location"] == "/brands"


def test_session_cookie_is_http_only_and_lax(
    client: FlaskClient, make_user: Callable[..., str], sign_in: SignIn
) -> None:
    make_user("officer1", "officer")
    cookie = sign_in(client, "officer1").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on the embedded default


def test_production_cookies_are_secure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    app = create_app(
        {
            "CUNBO_ENV": "production",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "RATELIMIT_ENABLED": False,
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.fixture
def limited_app(app: Flask) -> Iterator[Flask]:
    """The test app's settings with rate limiting switched on (memory storage)."""
    names = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER")
    settings = {name: app.config[name] for name in names}
    limited = create_app(
        {
            **settings,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    with limited.app_context():
        limiter.reset()  # no counts left over from another test's sign-ins
    yield limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_login_attempts_are_rate_limited(
    limited_app: Flask, make_user: Callable[..., str], sign_in: SignIn, password: str
) -> None:
    make_user("officer1", "officer")
    client = limited_app.test_client()
    for _attempt in range(3):
        assert sign_in(client, "officer1", "wrong-password").status_code == 401
    response = sign_in(client, "officer1")  # even the right password waits now
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only POST attempts count
    response = limited_app.test_client().post(
        "/login",
        data={"login": "officer1", "password": password},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302  # counted per address


def test_a_refused_login_says_when_to_retry(
    limited_app: Flask, make_user: Callable[..., str], sign_in: SignIn
) -> None:
    make_user("officer1", "officer")
    client = limited_app.test_client()
    for _attempt in range(3):
        assert sign_in(client, "officer1", "wrong-password").status_code == 401
    response = sign_in(client, "officer1")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_login_keeps_working_when_the_limit_store_is_down(
    app: Flask,
    make_user: Callable[..., str],
    sign_in: SignIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Redis unreachable: counts fall back to memory, the failure is logged, sign-in works."""
    make_user("officer1", "officer")
    names = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER")
    down = create_app(
        {
            **{name: app.config[name] for name in names},
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    try:
        client = down.test_client()
        with caplog.at_level("WARNING", logger="flask-limiter"):
            response = sign_in(client, "officer1")
        assert response.status_code == 302
        assert any("storage" in record.getMessage().lower() for record in caplog.records)
        assert sign_in(down.test_client(), "officer1").status_code == 302
    finally:
        with down.app_context():
            db.session.remove()
            db.engine.dispose()


def test_default_limit_is_ten_logins_a_minute_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "UPLOAD_FOLDER": str(tmp_path)})
    assert app.config["LOGIN_RATE_LIMIT"] == "10 per minute"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_redis_url_moves_the_limit_counters_to_redis(tmp_path: Path) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "RATELIMIT_ENABLED": False,
        }
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_browser_forms_need_a_csrf_token_when_enabled(
    app: Flask, client: FlaskClient, make_user: Callable[..., str], sign_in: SignIn, password: str
) -> None:
    make_user("officer1", "officer")
    app.config["WTF_CSRF_ENABLED"] = True
    response = sign_in(client, "officer1")
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)

    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    data = {"login": "officer1", "password": password, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
