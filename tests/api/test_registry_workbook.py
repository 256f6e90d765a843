"""POST /api/v1/registry/workbook: stored, queued as a job, then loaded by the worker."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import RegistryLoad
from app.registry.jobs import run_registry_load

URL = "/api/v1/registry/workbook"


def upload(client: FlaskClient, content: bytes, name: str) -> Any:
    return client.post(
        URL, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def test_upload_queues_a_job_the_worker_completes(
    app: Flask, admin: FlaskClient, samples: Path
) -> None:
    answer = upload(admin, (samples / "registry.xlsx").read_bytes(), "名录2024.xlsx")

    assert answer.status_code == 202, answer.json
    job = answer.json
    assert (job["status"], job["file"], job["progress"], job["result"]) == (
        "queued",
        "名录2024.xlsx",
        0.0,
        None,
    )
    with app.app_context():
        stored = db.session.get(RegistryLoad, job["id"])
        assert stored is not None and Path(stored.stored_path).is_file()
        assert stored.created_by_id is not None
        run_registry_load(job["id"])  # what the worker does with the queued id

    done = admin.get(f"{URL}/{job['id']}")
    assert done.status_code == 200
    assert done.json["status"] == "succeeded"
    assert done.json["progress"] == 1.0
    assert done.json["result"]["sheets"]["网店"]["inserted"] == 7
    assert done.json["finished_at"].endswith("+08:00")


def test_a_file_that_is_not_a_workbook_is_refused(admin: FlaskClient) -> None:
    csv = upload(admin, "订单号,金额\n1,2\n".encode(), "orders.csv")
    assert csv.status_code == 422
    assert "不是 Excel 工作簿" in csv.json["message"]

    renamed = upload(admin, b"just text pretending", "registry.xlsx")
    assert renamed.status_code == 422
    assert "另存为 .xlsx" in renamed.json["message"]

    missing = admin.post(URL, data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "file" in missing.json["errors"]["files"]


def test_unknown_job_is_404(admin: FlaskClient) -> None:
    answer = admin.get(f"{URL}/4040")

    assert answer.status_code == 404
    assert answer.json["message"] == "名录导入任务“4040”不存在"


def test_only_the_administrator_uploads(
    client_as: Callable[..., FlaskClient], samples: Path
) -> None:
    officer = client_as("officer")

    answer = upload(officer, (samples / "registry.xlsx").read_bytes(), "registry.xlsx")

    assert answer.status_code == 403
