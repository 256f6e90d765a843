"""An import's failure, row errors and notes in the reader's language: Chinese by default,
English once the clerk switches, on the page, in the JSON and in the error report."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.ingest.service import run_import
from tests.ingest.douyin_rows import HEADER, NAME, row
from tests.ingest.files import write_csv


def _upload(client: FlaskClient, data: bytes, name: str) -> int:
    response = client.post(
        "/imports",
        data={"file": (BytesIO(data), name), "shop": "P01"},
        content_type="multipart/form-data",
    )
    return int(response.headers["Location"].rsplit("=", 1)[1])


def test_a_refused_file_is_explained_in_the_language_chosen(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("officer")
    import_id = _upload(client, "单号,金额\nA001,9.90\n".encode(), "orders.csv")
    with app.app_context():
        assert run_import(import_id).code == "unknown_format"

    chinese = client.get(f"/api/v1/imports/{import_id}").get_json()
    assert chinese["code"] == "unknown_format"
    assert chinese["message"].startswith("文件的表头不符合“抖音”的导出格式。")

    page = client.get(f"/imports?watch={import_id}&lang=en").get_data(as_text=True)
    assert "The file&#39;s header does not match the “Douyin” export format." in page
    english = client.get(f"/api/v1/imports/{import_id}").get_json()
    assert english["code"] == "unknown_format"
    assert english["message"].startswith("The file's header does not match the “Douyin”")
    assert "单号、金额" in english["message"]  # the file's own headers, as they are


def test_row_errors_and_notes_follow_the_language(
    app: Flask, as_user: Callable[..., FlaskClient], tmp_path: Path
) -> None:
    client = as_user("officer")
    rows = [row("6900000000000000001"), row("6900000000000000002", paid="-3.00"), [""] * 21]
    path = write_csv(tmp_path / NAME, HEADER, rows)
    import_id = _upload(client, path.read_bytes(), NAME)
    with app.app_context():
        done = run_import(import_id)
        assert (done.status, done.inserted, done.rejected) == ("succeeded", 1, 1)

    chinese = client.get(f"/api/v1/imports/{import_id}").get_json()
    assert [e["code"] for e in chinese["errors"]] == ["bad_amount"]
    assert "不能为负数" in chinese["errors"][0]["message"]
    assert {"code": "blank_rows_skipped", "message": "文件中的空白行已跳过。", "count": 1} in (
        chinese["notes"]
    )
    report = client.get(f"/api/v1/imports/{import_id}/errors").get_data(as_text=True)
    assert report.splitlines()[0] == "\ufeff行号,列,值,原因"

    client.get("/?lang=en")
    english = client.get(f"/api/v1/imports/{import_id}").get_json()
    assert english["errors"][0]["message"] == (
        "订单应付金额 “-3.00” cannot be negative; the row was not imported."
    )
    assert {"code": "blank_rows_skipped", "message": "Blank rows in the file were skipped.",
            "count": 1} in english["notes"]  # fmt: skip
    report = client.get(f"/api/v1/imports/{import_id}/errors").get_data(as_text=True)
    assert report.splitlines()[0] == "\ufeffRow,Column,Value,Reason"
    assert "cannot be negative" in report
    page = client.get(f"/imports?watch={import_id}").get_data(as_text=True)
    assert "Blank rows in the file were skipped." in page
