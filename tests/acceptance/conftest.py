"""The sample county, loaded once per module through the import service, and an API client of
an administrator: what every acceptance test asks its questions of."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.auth.tokens import issue_token
from app.extensions import db
from app.models import User
from tests.support import config_for_tests, empty_all_tables, import_samples


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    app = create_app(config_for_tests(database_url, tmp_path_factory.mktemp("acceptance")))
    with app.app_context():
        empty_all_tables()
        import_samples(samples)
        user = User(login="acceptance", role="admin")
        user.set_password("a long test password")
        db.session.add(user)
        db.session.commit()
        _token, app.config["ACCEPTANCE_TOKEN"] = issue_token(user, "acceptance")
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def expected(samples: Path) -> dict[str, Any]:
    return json.loads((samples / "expected.json").read_text())


@pytest.fixture
def api(county: Flask) -> FlaskClient:
    client = county.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {county.config['ACCEPTANCE_TOKEN']}"
    return client


def get(api: FlaskClient, url: str) -> dict[str, Any]:
    response = api.get(url)
    assert response.status_code == 200, (url, response.get_json())
    return response.get_json()
