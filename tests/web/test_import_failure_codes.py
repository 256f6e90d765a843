"""The imports page reacts to an import's failure code, never to the wording of its message."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.ingest import ImportFileError
from app.models import SalesImport
from app.web import import_data

CSV = "单号,金额\nA001,9.90\n".encode()


def _uploaded(client: FlaskClient) -> int:
    response = client.post(
        "/imports",
        data={"file": (BytesIO(CSV), "orders.csv"), "shop": "P01"},
        content_type="multipart/form-data",
    )
    return int(response.headers["Location"].rsplit("=", 1)[1])


def _fail(app: Flask, import_id: int, code: str, message: str) -> None:
    with app.app_context():
        record = db.session.get(SalesImport, import_id)
        record.status, record.code, record.message = "failed", code, message
        db.session.commit()


@pytest.mark.parametrize(
    ("code", "needs_password"),
    [("wrong_password", True), ("encrypted_no_password", True), ("unreadable_workbook", False)],
)
def test_headers_answer_carries_the_code(
    app: Flask,
    as_user: Callable[..., FlaskClient],
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    needs_password: bool,
) -> None:
    client = as_user("officer")
    import_id = _uploaded(client)

    def refuse(record: SalesImport, password: str | None = None) -> list[str]:
        raise ImportFileError("这个文件打不开。", code)  # no word the page could look for

    monkeypatch.setattr(import_data, "file_headers", refuse)
    answer = client.get(f"/imports/{import_id}/headers")
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == code and body["needs_password"] is needs_password
    assert body["message"] == "这个文件打不开。"


def test_watched_failure_shows_the_hint_its_code_asks_for(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("officer")
    import_id = _uploaded(client)
    hint = re.compile(r"<p class=\"hint\" data-failure-hint( hidden)?>([^<]*)</p>")

    _fail(app, import_id, "wrong_password", "解密失败。")  # the message names no 密码
    found = hint.search(client.get(f"/imports?watch={import_id}").get_data(as_text=True))
    assert found and not found.group(1) and "文件密码" in found.group(2)

    _fail(app, import_id, "ids_damaged", "编号坏了。")
    found = hint.search(client.get(f"/imports?watch={import_id}").get_data(as_text=True))
    assert found and not found.group(1) and "重新导出" in found.group(2)

    _fail(app, import_id, "unknown_format", "密码")  # a word in the message changes nothing
    page = client.get(f"/imports?watch={import_id}").get_data(as_text=True)
    found = hint.search(page)
    assert found and found.group(1) and f"/imports?remap={import_id}" in page


def test_the_script_gets_the_codes_of_each_failure_kind(
    as_user: Callable[..., FlaskClient],
) -> None:
    page = as_user("officer").get("/imports").get_data(as_text=True)
    kinds = re.search(r'id="import-failure-kinds">([^<]*)</script>', page)
    assert kinds and json.loads(kinds.group(1)) == {
        kind: list(codes) for kind, codes in import_data.FAILURE_KINDS.items()
    }
    assert "wrong_password" in json.loads(kinds.group(1))["password"]
