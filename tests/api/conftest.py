"""API clients signed in with a bearer token, and the sample registry loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.tokens import issue_token
from app.extensions import db
from app.models import User, UserScope
from app.registry import load_workbook

ClientFactory = Callable[..., FlaskClient]


@pytest.fixture
def client_as(app: Flask) -> ClientFactory:
    """A test client signed in as a new user with `role` and optional scope codes."""

    def make(role: str, **scopes: list[str]) -> FlaskClient:
        with app.app_context():
            user = User(login=f"{role}-{len(scopes)}-{id(scopes)}", role=role)
            user.set_password("a long test password")
            user.scopes = [
                UserScope(kind=kind, code=code) for kind, codes in scopes.items() for code in codes
            ]
            db.session.add(user)
            db.session.commit()
            _token, plain = issue_token(user, "tests")
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
        return client

    return make


@pytest.fixture
def admin(client_as: ClientFactory) -> FlaskClient:
    return client_as("admin")


@pytest.fixture
def registry(app: Flask, samples: Path) -> None:
    """The sample county's registry: T01–T04, S01–S07, R01–R05, Z01–Z05, B01–B03, P001–P008."""
    with app.app_context():
        result = load_workbook(samples / "registry.xlsx")
        assert result.rejected == 0
