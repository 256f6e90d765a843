"""The import service: whole-file rejections, crash handling, attempts, the API around it."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.ingest import service, stager
from app.ingest.service import create_import, run_import
from app.models import OrderLine, SalesImport, Shop, Township, Village
from tests.support import bearer_client

DOUYIN_Q3 = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"
KUAISHOU = "快手小店订单_2024.xlsx"


@pytest.fixture
def shops(app_ctx):
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    db.session.add_all(
        [
            township,
            village,
            Shop(code="S01", platform="douyin", name="旗舰店", village=village),
            Shop(code="S03", platform="kuaishou", name="快手小店", village=village),
            Shop(code="S04", platform="channels", name="微信小店", village=village),
        ]
    )
    db.session.commit()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An API client of a county officer (the imports API refuses anonymous callers)."""
    return bearer_client(app, "officer", "officer")


def test_unknown_format_fails_whole_with_its_headers(shops, tmp_path):
    path = tmp_path / "账本.csv"
    path.write_text("日期,金额,备注\n2024-01-01,12.00,赶集\n", encoding="utf-8")

    record = run_import(create_import(path, shop_code="S01").id)

    assert record.status == "failed"
    assert "日期" in record.message and "金额" in record.message
    assert record.finished_at is not None


def test_encrypted_file_without_password_asks_for_it(shops, samples):
    record = run_import(create_import(samples / "exports" / KUAISHOU, shop_code="S03").id)

    assert record.status == "failed"
    assert "密码" in record.message


def test_encrypted_file_with_password_imports_and_forgets_the_password(shops, samples):
    record = create_import(samples / "exports" / KUAISHOU, shop_code="S03", password="ks2024")
    assert record.sealed_password and "ks2024" not in record.sealed_password

    record = run_import(record.id)

    assert record.status == "succeeded" and record.inserted > 0
    assert record.sealed_password is None


def test_a_crash_leaves_the_import_failed_not_running(shops, samples, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(stager, "stage_chunk", explode)  # in the staging thread on PostgreSQL
    record = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")

    with pytest.raises(RuntimeError):
        run_import(record.id)

    db.session.expire_all()
    assert record.status == "failed"
    assert "内部错误" in record.message


def test_a_failure_after_the_merge_committed_leaves_the_import_succeeded(
    shops, samples, monkeypatch
):
    """Telling the planner of the grown table comes after the commit: it cannot undo it."""

    def lost(connection, **kwargs):
        if kwargs.get("inserted"):
            raise OperationalError("ANALYZE order_lines", {}, Exception("server closed"))

    monkeypatch.setattr(service, "describe_for_planner", lost)
    record = run_import(create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01").id)

    assert record.status == "succeeded" and record.inserted > 0
    stored = db.session.scalar(select(func.count()).select_from(OrderLine))
    assert stored == record.inserted


def test_a_full_disk_fails_the_import_with_the_reason_and_changes_nothing(
    shops, tmp_path, monkeypatch
):
    """A long 微信 XLSX counts its repeated keys in temporary files; a full disk says so."""
    from app.ingest import repeats
    from tests.ingest.files import write_xlsx
    from tests.ingest.test_channels import HEADER, NAME, ORDER, OTHER, P1, P2, row

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    path = write_xlsx(tmp_path / NAME, HEADER, [row(ORDER, P1, "40.00"), row(OTHER, P2, "9.00")])
    monkeypatch.setattr(repeats, "BUDGET", 0)  # the counts go to disk from the first batch
    monkeypatch.setattr(repeats.tempfile, "TemporaryFile", full)

    record = run_import(create_import(path, shop_code="S04").id)

    assert (record.status, record.code) == ("failed", "disk_full")
    assert "磁盘空间已满" in record.message and "数据没有变化" in record.message
    assert "disk is full" in record.message_en
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0

    monkeypatch.undo()  # space again: the same import runs to the end
    record = run_import(create_import(path, shop_code="S04").id)
    assert (record.status, record.inserted) == ("succeeded", 2)


def test_attempts_are_capped(shops, samples, app):
    record = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")
    record.attempts = app.config["IMPORT_MAX_ATTEMPTS"]
    db.session.commit()

    assert run_import(record.id).status == "failed"


def test_a_second_run_of_a_finished_import_does_nothing(shops, samples):
    record = run_import(create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01").id)
    inserted = record.inserted

    again = run_import(record.id)

    assert again.status == "succeeded" and again.inserted == inserted and again.attempts == 1


def test_unknown_shop_code_is_refused_before_work(shops, samples):
    with pytest.raises(service.ImportFileError, match="S99"):
        create_import(samples / "exports" / DOUYIN_Q3, shop_code="S99")


def test_upload_api_queues_and_reports(shops, client, samples):
    path = samples / "exports" / DOUYIN_Q3
    response = client.post(
        "/api/v1/imports",
        data={"file": (path.open("rb"), path.name), "shop": "S01"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "queued" and body["shop"] == "S01"
    assert set(body["counts"]) == {"read", "inserted", "updated", "unchanged", "stale", "rejected"}

    run_import(body["id"])  # what the worker does; the worker wiring is tested in tests/services
    done = client.get(f"/api/v1/imports/{body['id']}").get_json()
    errors = client.get(f"/api/v1/imports/{body['id']}/errors")

    assert done["status"] == "succeeded" and done["progress"] == 1.0
    assert done["counts"]["rejected"] == 4
    assert errors.mimetype == "text/csv"
    report = errors.data.decode("utf-8-sig").splitlines()
    assert report[0] == "行号,列,值,原因" and len(report) == 5


def test_upload_api_refuses_other_file_types(shops, client):
    response = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(b"MZ"), "setup.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "CSV" in response.get_json()["message"]
    assert db.session.scalars(select(SalesImport)).all() == []


def test_template_downloads(client):
    csv = client.get("/api/v1/imports/template.csv")
    xlsx = client.get("/api/v1/imports/template.xlsx")

    assert "子订单号" in csv.data.decode("utf-8-sig").splitlines()[0]
    assert xlsx.data[:2] == b"PK"


def test_uploads_are_content_addressed(shops, samples, app):
    first = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")
    second = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")

    assert first.stored_path == second.stored_path
    assert Path(first.stored_path).name.startswith(first.sha256)


def test_saved_mapping_imports_an_unrecognised_file(shops, client, tmp_path):
    saved = client.post(
        "/api/v1/mappings",
        json={
            "name": "集市账本",
            "platform": "other",
            "fields": {
                "order_id": "单号",
                "paid": "金额",
                "paid_at": "付款时间",
                "product_name": "品名",
            },
        },
    )
    assert saved.status_code == 201, saved.get_json()
    path = tmp_path / "集市.csv"
    path.write_text(
        "单号,品名,金额,付款时间\n"
        "A1,焖子,12.50,2024-03-01 10:00:00\n"
        "A2,西瓜,坏数,2024-03-01 11:00:00\n",
        encoding="utf-8",
    )

    record = run_import(create_import(path, shop_code="S01", mapping_name="集市账本").id)

    assert record.status == "succeeded", record.message
    assert (record.inserted, record.rejected) == (1, 1)


def test_mapping_must_name_the_required_fields(client):
    response = client.post(
        "/api/v1/mappings", json={"name": "x", "platform": "other", "fields": {"单号": "order_id"}}
    )
    assert response.status_code == 422
    assert "未知字段" in str(response.get_json())
