"""/healthz: what a process manager polls. It says which service is down, and nothing else."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app import create_app
from tests.support import config_for_tests


def test_healthy_when_the_database_and_the_broker_answer(app: Flask) -> None:
    answer = app.test_client().get("/healthz")  # no sign-in: a process manager asks
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_unavailable_naming_the_broker_that_does_not_answer(
    database_url: str, tmp_path: Path
) -> None:
    config = config_for_tests(database_url, tmp_path)
    config["CELERY"] = {"broker_url": "redis://127.0.0.1:1/0"}  # nothing listens on port 1
    answer = create_app(config).test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "unavailable", "database": "ok", "broker": "down"}
