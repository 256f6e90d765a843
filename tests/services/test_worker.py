"""Real tasks through Redis to a real Celery worker, checked in PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import OrderLine, SalesImport, Shop, Township, Village, utcnow
from tests.support import bearer_client

pytestmark = pytest.mark.services

DOUYIN_Q3 = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"  # holds 4 malformed rows


def _admin_client(app: Flask) -> Any:
    """A client signed in as an administrator with a bearer token."""
    return bearer_client(app, "ci-admin", "admin")


def _registry() -> None:
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    db.session.add_all(
        [township, village, Shop(code="S01", platform="douyin", name="旗舰店", village=village)]
    )
    db.session.commit()


def _wait_for(client: Any, import_id: int, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # the test shares the request's session: read afresh each time
        body = client.get(f"/api/v1/imports/{import_id}").get_json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.3)
    pytest.fail(f"import {import_id} still {body['status']} after {seconds} s")


def _upload(client: Any, path: Path, **form: str) -> dict[str, Any]:
    with path.open("rb") as stream:
        response = client.post(
            "/api/v1/imports",
            data={"file": (stream, path.name), **form},
            content_type="multipart/form-data",
        )
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def test_upload_is_imported_by_the_worker(services_app: Flask, samples: Path) -> None:
    _registry()
    client = _admin_client(services_app)
    queued = _upload(client, samples / "exports" / DOUYIN_Q3, shop="S01")
    assert queued["status"] == "queued"

    done = _wait_for(client, queued["id"])

    assert done["status"] == "succeeded", done["message"]
    assert done["progress"] == 1.0
    assert done["counts"]["rejected"] == 4
    stored = db.session.scalar(select(func.count()).select_from(OrderLine))
    assert stored == done["counts"]["inserted"] > 0
    assert db.engine.dialect.name == "postgresql"


def test_reimport_through_the_worker_changes_nothing(
    services_app: Flask, samples: Path, tmp_path: Path
) -> None:
    _registry()
    client = _admin_client(services_app)
    source = samples / "exports" / DOUYIN_Q3
    first = _wait_for(client, _upload(client, source, shop="S01")["id"])
    resaved = tmp_path / DOUYIN_Q3  # the same export saved again: other bytes, same lines
    resaved.write_bytes(source.read_bytes() + b"\r\n")
    second = _wait_for(client, _upload(client, resaved, shop="S01")["id"])

    assert second["id"] != first["id"]
    assert second["counts"]["inserted"] == 0
    assert second["counts"]["updated"] == 0
    assert second["counts"]["unchanged"] == first["counts"]["inserted"]


def test_sweeper_requeues_an_import_left_queued(services_app: Flask, samples: Path) -> None:
    """An import whose message was lost (worker crash before ack) is picked up again."""
    from app.ingest.service import create_import
    from tasks.imports import sweep_imports

    _registry()
    record = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")
    record.heartbeat_at = utcnow().replace(year=2000)  # queued long ago, never enqueued
    db.session.commit()

    assert sweep_imports() == 1  # run here; it enqueues through Redis to the worker
    done = _wait_for(_admin_client(services_app), record.id)
    assert done["status"] == "succeeded"
    assert db.session.get(SalesImport, record.id).attempts == 1


def test_registry_workbook_uploaded_through_the_api_is_loaded_by_the_worker(
    services_app: Flask, samples: Path
) -> None:
    from app.models import LiveSession, RegistryLoad

    client = _admin_client(services_app)
    path = samples / "registry.xlsx"
    with path.open("rb") as stream:
        response = client.post(
            "/api/v1/registry/workbook",
            data={"file": (stream, path.name)},
            content_type="multipart/form-data",
        )
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        db.session.rollback()
        body = client.get(f"/api/v1/registry/workbook/{job_id}").get_json()
        if body["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.3)

    assert body["status"] == "succeeded", body
    assert db.session.get(RegistryLoad, job_id).status == "succeeded"
    assert db.session.scalar(select(func.count()).select_from(Shop)) == 7
    assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 1420
