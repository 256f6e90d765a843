"""PostgreSQL + Redis + a real Celery worker process, for the wiring tests.

These run whenever CI=true (or CUNBO_SERVICES=1), whatever database the rest of the suite uses;
a service that cannot be reached fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from app import create_app
from app.extensions import db
from tests.support import empty_all_tables, ensure_database, fresh_schema, own_url

# Each pytest-xdist worker has its own database and Redis database (tests.support.worker_url).
POSTGRES_URL = own_url(
    "CUNBO_SERVICES_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/cunbo_services"
)
REDIS_URL = own_url("CUNBO_SERVICES_REDIS_URL", "redis://127.0.0.1:6379/14")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def services_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def services_config(services_folder: Path) -> dict[str, object]:
    ensure_database(POSTGRES_URL)
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    client.flushdb()
    return {
        "TESTING": True,
        "SECRET_KEY": "services-secret",
        "SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
        "REDIS_URL": REDIS_URL,
        "UPLOAD_FOLDER": str(services_folder / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture(scope="session")
def worker(services_config: dict[str, object], services_folder: Path) -> Iterator[None]:
    """A real `celery worker` process, on Redis and PostgreSQL."""
    app = create_app(services_config)
    with app.app_context():
        fresh_schema()
        db.engine.dispose()
    env = {
        **os.environ,
        "DATABASE_URL": POSTGRES_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": str(services_config["SECRET_KEY"]),
        "CUNBO_UPLOAD_FOLDER": str(services_config["UPLOAD_FOLDER"]),
    }
    log = (services_folder / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tasks.worker",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_ready(services_folder / "worker.log", process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait_until_ready(log_path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited: {log_path.read_text()[-3000:]}")
        if "ready." in log_path.read_text():
            return
        time.sleep(0.3)
    pytest.fail(f"celery worker not ready in 60 s: {log_path.read_text()[-3000:]}")


@pytest.fixture
def services_app(services_config: dict[str, object], worker: None) -> Iterator[Flask]:
    app = create_app(services_config)
    with app.app_context():
        empty_all_tables()
        yield app
        db.session.remove()
        db.engine.dispose()
