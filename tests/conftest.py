"""Fixtures built from the application factory; a clean database for every test.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points at one.
Tests marked `services` need PostgreSQL, Redis and a real Celery worker: they run when
CI=true or CUNBO_SERVICES=1, and with CI=true a missing service fails them instead of skipping.

Under pytest-xdist (`-n auto`, a file at a time) each worker process has PostgreSQL and Redis
databases of its own (`worker_url`), so workers never see each other's rows or cached figures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from app.cli import main
from app.extensions import db
from tests.support import (
    config_for_tests,
    empty_all_tables,
    ensure_database,
    fresh_schema,
    worker_url,
    xdist_worker,
)

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
if not SAMPLES.exists():  # a checkout next to shared/ (CI's clean clone) or inside the workspace
    SAMPLES = Path(os.environ.get("CUNBO_SAMPLES", "/work/shared/samples"))


def services_wanted() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("CUNBO_SERVICES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    """In an xdist worker, point DATABASE_URL and REDIS_URL at that worker's own databases."""
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            os.environ[name] = worker_url(os.environ[name], xdist_worker())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if services_wanted():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL/Redis/worker: set CUNBO_SERVICES=1")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        from app.config import normalise_database_url

        url = normalise_database_url(url)
        if url.startswith("postgresql"):
            ensure_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Create the schema once per run; each test then starts from empty tables."""
    app = create_app(config_for_tests(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        fresh_schema()
        db.engine.dispose()


class CunboCliRunner(FlaskCliRunner):
    """`app.test_cli_runner()` runs the `cunbo` group (with this app), not the bare `flask` one."""

    def invoke(self, cli: object = None, args: object = None, **kwargs: object) -> Result:
        return super().invoke(cli or main, args, **kwargs)


@pytest.fixture(autouse=True)
def _cunbo_cli_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The factory registers no commands: every test's CLI runner speaks `cunbo`."""
    monkeypatch.setattr(Flask, "test_cli_runner_class", CunboCliRunner)


@pytest.fixture
def app(database_url: str, _schema: None, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(config_for_tests(database_url, tmp_path))
    with app.app_context():
        empty_all_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def samples() -> Path:
    if not SAMPLES.exists():
        pytest.fail(f"sample county not found at {SAMPLES}; set CUNBO_SAMPLES")
    return SAMPLES
