"""API clients signed in with a bearer token, and the sample registry loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.registry import load_workbook
from tests.support import bearer_client

ClientFactory = Callable[..., FlaskClient]


@pytest.fixture
def client_as(app: Flask) -> ClientFactory:
    """A test client signed in as a new user with `role` and optional scope codes."""

    def make(role: str, **scopes: list[str]) -> FlaskClient:
        return bearer_client(app, f"{role}-{len(scopes)}-{id(scopes)}", role, scopes)

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
