"""The sample county with one user per role, for page tests that need real figures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.auth.accounts import NewUser, create_user
from app.extensions import db
from tests.support import config_for_tests, empty_all_tables, import_samples

PASSWORD = "sample-county-9"
# login → (role, scope)
USERS: dict[str, tuple[str, dict[str, Any]]] = {
    "admin1": ("admin", {}),
    "officer1": ("officer", {}),
    "viewer1": ("viewer", {}),
    "town1": ("township", {"townships": ["T01"]}),
    "brand1": ("brand", {"brands": ["B01"]}),
    "streamer1": ("streamer", {"streamer": "Z01"}),
}


def seed_county(samples: Path) -> list[dict[str, Any]]:
    """Empty the database, load the registry, import every export, add the users."""
    empty_all_tables()
    manifest = import_samples(samples)
    for login, (role, scope) in USERS.items():
        create_user(NewUser(login=login, role=role, password=PASSWORD, **scope))
    return manifest


def county_app(database_url: str, samples: Path, folder: Path) -> Iterator[Flask]:
    """An app on the sample county with its users, for a module's tests (a fixture's body)."""
    app = create_app(config_for_tests(database_url, folder))
    with app.app_context():
        seed_county(samples)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def signed_in_as(app: Flask) -> Callable[[str], FlaskClient]:
    """`sign_in(login)`: a test client of `app` signed in as that sample user."""

    def sign_in(login: str) -> FlaskClient:
        client = app.test_client()
        response = client.post("/login", data={"login": login, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in
