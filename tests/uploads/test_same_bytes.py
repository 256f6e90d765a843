"""The same bytes uploaded twice answer with the existing import (RELIABILITY #8): through
the API, the page and the CLI alike; a failed import may be retried by uploading again."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db
from app.ingest.platforms.template import TEMPLATE_HEADERS
from app.ingest.service import run_import
from app.models import SalesImport
from tests.uploads.conftest import ORDERS_CSV, imports_count, stored_files


def _post(client: FlaskClient, content: bytes, name: str = "orders.csv", **form: str):
    data = {"file": (BytesIO(content), name), "shop": "P01", **form}
    return client.post("/api/v1/imports", data=data, content_type="multipart/form-data")


def test_same_bytes_twice_through_the_api_answer_with_the_first_import(
    app: Flask, officer: FlaskClient, enqueued: list[int]
) -> None:
    first = _post(officer, ORDERS_CSV)
    second = _post(officer, ORDERS_CSV, name="orders (1).csv")

    assert first.status_code == 202, first.get_json()
    assert second.status_code == 200, second.get_json()
    assert second.json["id"] == first.json["id"]
    assert second.json["status"] == first.json["status"] == "queued"
    assert second.json["file"] == "orders.csv"  # the import that already has these bytes
    assert [note["code"] for note in second.json["notes"]] == ["already_uploaded"]
    assert "此前已上传过" in second.json["notes"][0]["message"]
    assert first.json["notes"] == []
    assert imports_count(app) == 1
    assert enqueued == [first.json["id"]]  # one job, not two
    assert len([p for p in stored_files(app) if not p.name.startswith(".")]) == 1


def test_same_bytes_after_success_answer_with_its_result(
    app: Flask, officer: FlaskClient, enqueued: list[int]
) -> None:
    first = _post(officer, ORDERS_CSV)
    with app.app_context():
        record = db.session.get(SalesImport, first.json["id"])
        record.status, record.progress, record.read, record.inserted = "succeeded", 1.0, 1, 1
        db.session.commit()

    again = _post(officer, ORDERS_CSV)

    assert again.status_code == 200
    assert (again.json["id"], again.json["status"]) == (first.json["id"], "succeeded")
    assert again.json["counts"]["inserted"] == 1 and again.json["progress"] == 1.0
    assert enqueued == [first.json["id"]] and imports_count(app) == 1


def test_a_failed_import_is_retried_by_a_new_upload(
    app: Flask, officer: FlaskClient, enqueued: list[int]
) -> None:
    first = _post(officer, ORDERS_CSV)
    with app.app_context():
        assert run_import(first.json["id"]).status == "failed"  # no known format

    again = _post(officer, ORDERS_CSV)

    assert again.status_code == 202
    assert again.json["id"] != first.json["id"] and again.json["status"] == "queued"
    assert enqueued == [first.json["id"], again.json["id"]]
    assert imports_count(app) == 2


def test_same_bytes_for_another_shop_is_another_import(
    app: Flask, officer: FlaskClient, enqueued: list[int]
) -> None:
    first = _post(officer, ORDERS_CSV)
    other = _post(officer, ORDERS_CSV, shop="P02")

    assert (first.status_code, other.status_code) == (202, 202)
    assert other.json["id"] != first.json["id"] and other.json["shop"] == "P02"
    assert len(enqueued) == 2


def test_same_bytes_twice_through_the_page(
    app: Flask, township: FlaskClient, enqueued: list[int]
) -> None:
    def upload() -> str:
        response = township.post(
            "/imports",
            data={"file": (BytesIO(ORDERS_CSV), "orders.csv"), "shop": "P01"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"]

    first = upload()
    second = upload()

    assert first == second and first.startswith("/imports?watch=")
    import_id = int(first.rsplit("=", 1)[1])
    assert enqueued == [import_id] and imports_count(app) == 1
    page = township.get(second).get_data(as_text=True)
    assert "此前已上传过" in page and f'data-watch="{import_id}"' in page


def _template_file(tmp_path: Path) -> Path:
    """A Cunbo template file with one good line for shop P01."""
    row = ("抖音", "P01", "OFF1", "OFF1", "G01", "黑鸡", "1", "80.00", "0.00")
    row += ("2024-07-04 10:30:00", "已完成", "")
    path = tmp_path / "线下销售.csv"
    path.write_text(",".join(TEMPLATE_HEADERS) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    return path


def test_same_file_twice_through_the_cli(
    app: Flask, runner: FlaskCliRunner, shops: None, tmp_path: Path, enqueued: list[int]
) -> None:
    path = _template_file(tmp_path)

    first = runner.invoke(args=["import", str(path), "--shop", "P01", "--json"])
    second = runner.invoke(args=["import", str(path), "--shop", "P01", "--json"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    done, again = json.loads(first.stdout), json.loads(second.stdout)
    assert done["status"] == "succeeded" and done["counts"]["inserted"] == 1, done
    assert again["id"] == done["id"] and again["status"] == "succeeded"
    assert again["counts"] == done["counts"]  # the lines were not loaded a second time
    assert [note["code"] for note in again["notes"]] == ["already_uploaded"]
    assert "此前已上传过" in second.stderr
    assert imports_count(app) == 1
    assert enqueued == []  # the command runs its import itself


def test_cli_refusal_says_why_and_exits_2(
    app: Flask, runner: FlaskCliRunner, shops: None, tmp_path: Path
) -> None:
    path = tmp_path / "宏.xlsm"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 40)

    result = runner.invoke(args=["import", str(path), "--shop", "P01"])

    assert result.exit_code == 2
    assert "macro_workbook" in result.output and "带宏" in result.output
    assert imports_count(app) == 0 and stored_files(app) == []


def test_same_bytes_at_the_same_moment_make_one_import(
    app: Flask, shops: None, enqueued: list[int]
) -> None:
    """Two uploads of one file racing: one import, the other answers with it."""
    import threading

    from app.auth.scope import AccessScope
    from tasks.uploads import UploadRequest, receive_upload

    start = threading.Barrier(2)
    ids: list[int] = []

    def upload() -> None:
        with app.app_context():
            request = UploadRequest(
                stream=BytesIO(ORDERS_CSV),
                file_name="orders.csv",
                scope=AccessScope(role="officer", county=True, read_only=False),
                shop_code="P01",
            )
            start.wait()
            ids.append(receive_upload(request).record.id)
            db.session.remove()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(ids) == 2 and ids[0] == ids[1]
    assert imports_count(app) == 1
    assert enqueued == [ids[0]]
