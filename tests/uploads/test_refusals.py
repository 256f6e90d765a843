"""Uploads refused before anything is stored, each with its code; a broker that is down
leaves an accepted import `queued` for the sweeper instead of a 500 (RELIABILITY #5, #15)."""

from __future__ import annotations

from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kombu.exceptions import OperationalError

from app.auth import AccessScope
from app.extensions import db
from app.models import SalesImport
from tasks.uploads import UploadError, UploadRequest, receive_upload
from tests.uploads.conftest import ORDERS_CSV, imports_count, stored_files


def _post(client: FlaskClient, name: str = "orders.csv", content: bytes = ORDERS_CSV, **form):
    data = {"file": (BytesIO(content), name), **form}
    return client.post("/api/v1/imports", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("订单.xlsm", "macro_workbook"),
        ("订单.XLTM", "macro_workbook"),
        ("setup.exe", "unsupported_file_type"),
        ("订单.csv.zip", "unsupported_file_type"),
        ("订单", "unsupported_file_type"),
    ],
)
def test_file_types_are_refused_by_name_and_nothing_is_stored(
    app: Flask, officer: FlaskClient, enqueued: list[int], name: str, code: str
) -> None:
    response = _post(officer, name, b"PK\x03\x04" + b"\0" * 60, shop="P01")

    assert response.status_code == 400
    assert response.json["code"] == code
    assert "CSV" in response.json["message"] and "XLSX" in response.json["message"]
    assert imports_count(app) == 0 and stored_files(app) == [] and enqueued == []


def test_accepted_names_include_legacy_xls(app: Flask, officer: FlaskClient) -> None:
    assert _post(officer, "旧版导出.XLS", b"\xd0\xcf\x11\xe0" + b"\0" * 60).status_code == 202


def test_a_shop_outside_the_scope_is_403_and_nothing_is_stored(
    app: Flask, township: FlaskClient, enqueued: list[int]
) -> None:
    outside = _post(township, shop="P02")
    unknown = _post(township, shop="P99")

    assert (outside.status_code, unknown.status_code) == (403, 403)
    assert outside.json["code"] == unknown.json["code"] == "shop_out_of_scope"
    assert "不在您的管辖范围内" in outside.json["message"]
    assert imports_count(app) == 0 and stored_files(app) == [] and enqueued == []


def test_a_named_shop_must_be_known_and_a_scoped_users_only_shop_is_taken(
    app: Flask, township: FlaskClient, officer: FlaskClient
) -> None:
    unknown = _post(officer, shop="P99")
    mapping = _post(officer, shop="P01", mapping="没有这个映射")

    assert (unknown.status_code, unknown.json["code"]) == (422, "unknown_shop")
    assert "P99" in unknown.json["message"]
    assert (mapping.status_code, mapping.json["code"]) == (422, "unknown_mapping")
    assert imports_count(app) == 0 and stored_files(app) == []
    # No shop sent: township T01's only shop is the upload's (tests/uploads/test_shop_choice.py
    # has the files that name none, and the question when several shops fit).
    missing = _post(township)
    assert (missing.status_code, missing.json["shop"]) == (202, "P01")


def test_the_page_flashes_the_reason_and_stores_nothing(app: Flask, township: FlaskClient) -> None:
    response = township.post(
        "/imports",
        data={"file": (BytesIO(ORDERS_CSV), "订单.xlsm"), "shop": "P01"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "带宏的 Excel 工作簿" in response.get_data(as_text=True)
    assert imports_count(app) == 0 and stored_files(app) == []


def test_broker_down_leaves_the_import_queued_and_answers_accepted(
    app: Flask, officer: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tasks.uploads

    def broker_down(import_id: int) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.uploads, "enqueue_import", broker_down)

    response = _post(officer, shop="P01")

    assert response.status_code == 202, response.get_json()
    assert response.json["status"] == "queued"
    assert [note["code"] for note in response.json["notes"]] == ["queue_unavailable"]
    assert "自动开始导入" in response.json["notes"][0]["message"]
    with app.app_context():
        record = db.session.get(SalesImport, response.json["id"])
        assert record is not None and record.status == "queued"  # the sweeper's to re-enqueue
    monkeypatch.undo()
    again = _post(officer, shop="P01")  # uploading again does not make a second import
    assert again.status_code == 200 and again.json["id"] == response.json["id"]


def test_database_down_is_503_and_keeps_no_file(
    app: Flask, officer: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError as DatabaseError

    import tasks.uploads

    def database_down(*args: object, **kwargs: object) -> None:
        raise DatabaseError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(tasks.uploads, "create_import", database_down)

    response = _post(officer, shop="P01")

    assert response.status_code == 503
    assert response.json["code"] == "database_unavailable" and response.headers["Retry-After"]
    assert stored_files(app) == []


class Unseekable(BytesIO):
    """A stream whose size is known only by reading it (a chunked request body)."""

    def seekable(self) -> bool:
        return False


@pytest.mark.parametrize("stream_type", [BytesIO, Unseekable])
def test_the_service_refuses_a_stream_above_the_limit(
    app: Flask, shops: None, stream_type: type[BytesIO]
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2048
    county = AccessScope(role="officer", county=True, read_only=False)
    upload = UploadRequest(file_name="大.csv", stream=stream_type(b"x" * 2049), scope=county)
    with app.app_context(), pytest.raises(UploadError) as refused:
        receive_upload(upload)
    assert refused.value.code == "file_too_large"
    assert "2 KB 的上传上限" in refused.value.message
    assert imports_count(app) == 0 and stored_files(app) == []


def test_roles_without_uploads_are_refused_by_the_service(app: Flask, shops: None) -> None:
    brand = AccessScope(role="brand", brands=frozenset({"B01"}), read_only=False)
    with app.app_context(), pytest.raises(UploadError) as refused:
        receive_upload(UploadRequest(file_name="a.csv", stream=BytesIO(ORDERS_CSV), scope=brand))
    assert refused.value.code == "upload_not_allowed"
    assert stored_files(app) == []
