"""A small registry (two townships, two rooms, a brand) and helpers to sign users in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.accounts import NewUser, create_user
from app.extensions import db
from app.models import Brand, LiveRoom, Product, Shop, Streamer, Township, User, Village

PASSWORD = "correct-horse-9"


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cheap hash for test users; scrypt's deliberate slowness only costs test time here."""
    from werkzeug import security

    import app.models.users as users

    def cheap(password: str) -> str:
        return security.generate_password_hash(password, method="pbkdf2:sha256:1000")

    monkeypatch.setattr(users, "generate_password_hash", cheap)


@pytest.fixture
def registry(app: Flask) -> None:
    """T01 (village V0101, shop P01, room R01 with streamer S01), T02 (V0201, R02, S02), B01."""
    with app.app_context():
        t1 = Township(code="T01", name="许营镇", county="示范县")
        t2 = Township(code="T02", name="顾乡镇", county="示范县")
        v1 = Village(code="V0101", name="东村", township=t1)
        v2 = Village(code="V0201", name="西村", township=t2)
        shop = Shop(code="P01", platform="douyin", name="东村好物", village=v1)
        r1 = LiveRoom(
            code="R01", platform="douyin", account_id="a1", nickname="东村直播", village=v1
        )
        r2 = LiveRoom(
            code="R02", platform="douyin", account_id="a2", nickname="西村直播", village=v2
        )
        r1.shop = shop
        s1 = Streamer(code="S01", name="王小花", rooms=[r1])
        s2 = Streamer(code="S02", name="李大山", rooms=[r2])
        brand = Brand(code="B01", name="许营好品", kind="区域公用品牌")
        product = Product(code="G01", name="黑鸡", brand=brand, pricing_unit="只")
        db.session.add_all([t1, t2, v1, v2, shop, r1, r2, s1, s2, brand, product])
        db.session.commit()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., str]:
    """Create a user (in its own app context) and return its login."""

    def make(login: str, role: str, **scope: Any) -> str:
        with app.app_context():
            create_user(NewUser(login=login, role=role, password=PASSWORD, **scope))
        return login

    return make


def _sign_in(client: FlaskClient, login: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"login": login, "password": password})


@pytest.fixture
def sign_in() -> Callable[..., Any]:
    """POST the login form: sign_in(client, login, password=PASSWORD)."""
    return _sign_in


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def as_user(
    app: Flask, client: FlaskClient, registry: None, make_user: Callable[..., str]
) -> Callable[..., FlaskClient]:
    """Sign the test client in as a new user with the given role and scope."""

    def signed_in(role: str, login: str | None = None, **scope: Any) -> FlaskClient:
        name = make_user(login or f"{role}1", role, **scope)
        response = _sign_in(client, name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return signed_in


def user_named(login: str) -> User:
    """The user with this login (inside an app context)."""
    return db.session.scalars(db.select(User).where(User.login == login)).one()


@pytest.fixture
def get_user() -> Callable[[str], User]:
    return user_named
