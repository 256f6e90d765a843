"""Raw uploads are deleted after UPLOAD_RETENTION_DAYS; the import rows and their errors stay."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.ingest.retention import purge_uploads
from app.models import ImportRowError, RegistryLoad, SalesImport, utcnow
from tests.support import bearer_client

NOW = dt.datetime(2025, 6, 1, 3, 0)
OLD = NOW - dt.timedelta(days=100)
RECENT = NOW - dt.timedelta(days=10)


def _file(folder: Path, name: str, body: bytes = b"buyer,phone\n") -> Path:
    path = folder / name[:2] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def _import(path: Path, finished: dt.datetime | None, status: str = "succeeded") -> SalesImport:
    record = SalesImport(
        file_name="orders.csv",
        sha256=path.stem.ljust(64, "0"),
        size=12,
        stored_path=str(path),
        status=status,
        read=5,
        inserted=4,
        rejected=1,
        finished_at=finished,
    )
    record.errors = [ImportRowError(row=3, column="实付金额", value="abc", message="金额无法识别")]
    db.session.add(record)
    return record


@pytest.fixture
def folder(app: Flask) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def test_a_file_goes_only_when_every_row_using_it_is_past_retention(
    app_ctx: Flask, folder: Path
) -> None:
    expired = _file(folder, "aa-expired.csv")
    shared = _file(folder, "bb-shared.csv")
    pending = _file(folder, "cc-pending.csv")
    workbook = _file(folder / "registry", "dd-registry.xlsx")
    old = _import(expired, OLD)
    _import(shared, OLD)
    _import(shared, RECENT)  # the same bytes uploaded again lately
    _import(pending, OLD, status="failed")
    _import(pending, None, status="running")  # a retry still at work
    db.session.add(
        RegistryLoad(
            file_name="名录.xlsx", stored_path=str(workbook), status="failed", finished_at=OLD
        )
    )
    db.session.commit()

    result = purge_uploads(folder, 90, now=NOW)

    assert sorted(Path(p).name for p in result.deleted) == ["aa-expired.csv", "dd-registry.xlsx"]
    assert not expired.exists() and not workbook.exists()
    assert shared.exists() and pending.exists()
    db.session.expire_all()
    row = db.session.get(SalesImport, old.id)
    assert row is not None
    assert row.sha256.startswith("aa-expired")
    assert row.counts()["inserted"] == 4 and row.counts()["rejected"] == 1
    assert [error.value for error in row.errors] == ["abc"]
    assert purge_uploads(folder, 90, now=NOW).deleted == []  # a second run changes nothing


def test_the_retention_period_is_the_setting(app_ctx: Flask, folder: Path) -> None:
    path = _file(folder, "ee-month.csv")
    _import(path, NOW - dt.timedelta(days=40))
    db.session.commit()
    assert purge_uploads(folder, 90, now=NOW).deleted == []
    assert [Path(p).name for p in purge_uploads(folder, 30, now=NOW).deleted] == ["ee-month.csv"]


def test_files_outside_the_store_and_files_already_gone_are_left_alone(
    app_ctx: Flask, folder: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "clerk-desktop" / "orders.csv"
    outside.parent.mkdir()
    outside.write_bytes(b"x")
    gone = folder / "ff" / "ff-gone.csv"
    _import(outside, OLD)
    _import(gone, OLD)
    db.session.commit()
    result = purge_uploads(folder, 90, now=NOW)
    assert outside.exists()
    assert result.deleted == [] and result.missing == 1


def test_old_files_no_row_names_are_deleted_too(app_ctx: Flask, folder: Path) -> None:
    stray = _file(folder, "gg-stray.csv")
    fresh = _file(folder, "hh-fresh.csv")
    old_time = (OLD - dt.datetime(1970, 1, 1)).total_seconds()
    os.utime(stray, (old_time, old_time))
    result = purge_uploads(folder, 90, now=NOW)
    assert not stray.exists() and fresh.exists()
    assert result.orphans == 1


def test_beat_task_purges_with_the_configured_days(app: Flask, folder: Path) -> None:
    from tasks.retention import purge_uploads as task

    path = _file(folder, "ii-task.csv")
    with app.app_context():
        _import(path, utcnow() - dt.timedelta(days=91))
        db.session.commit()
        assert task() == 1
    assert not path.exists()
    schedule = app.config["CELERY"]["beat_schedule"]
    assert any(e["task"] == "tasks.retention.purge_uploads" for e in schedule.values())
    assert "tasks.retention" in app.extensions["celery"].conf.include


def test_retention_days_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "UPLOAD_FOLDER": str(tmp_path)}
    assert (
        create_app({**settings, "RATELIMIT_ENABLED": False}).config["UPLOAD_RETENTION_DAYS"] == 90
    )
    monkeypatch.setenv("CUNBO_UPLOAD_RETENTION_DAYS", "30")
    app = create_app({**settings, "RATELIMIT_ENABLED": False})
    assert app.config["UPLOAD_RETENTION_DAYS"] == 30


def test_an_import_whose_file_is_gone_still_shows(app: Flask, folder: Path) -> None:
    path = _file(folder, "jj-shown.csv")
    with app.app_context():
        record = _import(path, OLD)
        db.session.commit()
        record_id = record.id
        purge_uploads(folder, 90, now=NOW)
    assert not path.exists()
    client = bearer_client(app, "clerk", "admin")
    answer = client.get(f"/api/v1/imports/{record_id}")
    assert answer.status_code == 200
    assert answer.get_json()["counts"]["inserted"] == 4
    errors = client.get(f"/api/v1/imports/{record_id}/errors")
    assert errors.status_code == 200
    assert client.get("/api/v1/imports").status_code == 200
