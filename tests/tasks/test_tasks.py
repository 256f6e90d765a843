"""The Celery tasks called in-process: an import runs, the sweeper rides out a broker outage."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from kombu.exceptions import ChannelError, OperationalError

import tasks.imports
from app import create_app
from app.extensions import db
from app.ingest.service import create_import
from app.models import SalesImport, Shop, Township, Village, utcnow
from tasks.upload_limits import retry_after, too_many_message, uploader_key
from tests.support import config_for_tests

DOUYIN_Q3 = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"  # 4 rows rejected


@pytest.fixture
def shop(app_ctx: Flask) -> None:
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    db.session.add_all(
        [township, village, Shop(code="S01", platform="douyin", name="旗舰店", village=village)]
    )
    db.session.commit()


def test_the_import_task_runs_the_import_and_answers_its_status(shop: None, samples: Path) -> None:
    record = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")
    assert tasks.imports.run_import_task(record.id) == "succeeded"
    db.session.expire_all()  # the task worked in an app context (and session) of its own
    done = db.session.get(SalesImport, record.id)
    assert done is not None and done.rejected == 4 and done.inserted > 0


def test_a_lost_import_stays_queued_while_the_broker_is_down(
    shop: None, samples: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    record = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")
    record.heartbeat_at = utcnow().replace(year=2000)
    db.session.commit()

    def broker_down(_import_id: int) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.imports, "_messages_waiting", lambda: None)
    monkeypatch.setattr(tasks.imports, "enqueue_import", broker_down)
    with caplog.at_level(logging.WARNING, logger=tasks.imports.log.name):
        assert tasks.imports.sweep_imports() == 0
    assert f"could not re-enqueue sales_imports {record.id}" in caplog.text
    assert db.session.get(SalesImport, record.id).status == "queued"  # type: ignore[union-attr]


class _Celery:
    """Stands in for the Celery app where only `connection_for_write` matters."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.conf = type("Conf", (), {"task_default_queue": "celery"})()

    @contextmanager
    def connection_for_write(self) -> Iterator[Any]:
        raise self.error
        yield  # pragma: no cover


@pytest.mark.parametrize(
    ("error", "waiting"),
    [(ChannelError("NOT_FOUND - no queue 'celery'"), 0), (OSError("unreachable"), None)],
)
def test_the_queue_length_is_zero_when_missing_and_unknown_when_unreachable(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch, error: Exception, waiting: int | None
) -> None:
    monkeypatch.setitem(app_ctx.extensions, "celery", _Celery(error))
    assert tasks.imports._messages_waiting() == waiting


def test_the_queue_length_of_the_embedded_broker_is_read(database_url: str, tmp_path: Path) -> None:
    config = config_for_tests(database_url, tmp_path)
    config["REDIS_URL"] = None  # the embedded default, whatever the environment says
    app = create_app(config)
    with app.app_context():
        assert tasks.imports._messages_waiting() == 0
        db.engine.dispose()


def test_a_too_many_uploads_message_names_the_window(app: Flask) -> None:
    app.config["UPLOAD_RATE_LIMIT"] = "5 per 10 minutes"
    with app.test_request_context("/api/v1/imports", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        assert uploader_key() == "10.1.2.3"  # nobody signed in: counted by address
        assert retry_after() == 60  # no limit breached in this request
        message = too_many_message()
    assert message.say("zh") == (
        "上传过于频繁：每个账号每10 分钟最多上传 5 个文件。请 60 秒后再上传。"
    )
    assert "10 minutes" in message.say("en")


def test_the_worker_module_builds_the_app_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CUNBO_DATABASE_URL", f"sqlite:///{tmp_path / 'worker.sqlite'}")
    monkeypatch.setenv("CUNBO_UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setenv("CUNBO_RATELIMIT_ENABLED", "false")
    monkeypatch.delitem(sys.modules, "tasks.worker", raising=False)
    worker = importlib.import_module("tasks.worker")
    assert worker.celery_app is worker.flask_app.extensions["celery"]
    assert worker.flask_app.config["UPLOAD_FOLDER"] == str(tmp_path / "uploads")
    assert "tasks.imports" in worker.celery_app.conf.include
