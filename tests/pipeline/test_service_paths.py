"""app/ingest/service.py: a lost database connection is retried; one file may hold many shops."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

import app.ingest.service as service
from app import jobs
from app.extensions import db
from app.ingest.service import TransientImportError, create_import, run_import
from app.models import ImportRowError, OrderLine, SalesImport, Shop
from app.registry import load_workbook

DOUYIN_Q3 = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"
HEADER = (
    "平台,网店编码,订单号,子订单号,商品编码,商品名称,数量,实付金额,退款金额,支付时间,订单状态,主播"
)


@pytest.fixture
def county(app_ctx: Flask, samples: Path) -> None:
    assert load_workbook(samples / "registry.xlsx").rejected == 0


def _connection_lost() -> sa_exc.OperationalError:
    return sa_exc.OperationalError(
        "INSERT …",
        {},
        psycopg.OperationalError("server closed the connection unexpectedly"),
        connection_invalidated=True,
    )


def test_a_lost_connection_requeues_the_import_and_the_retry_lands_it(
    county: None, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")
    attempt = service._attempt

    def lose_the_connection(*_: object) -> None:
        raise _connection_lost()

    monkeypatch.setattr(service, "_attempt", lose_the_connection)
    with pytest.raises(TransientImportError):
        run_import(record.id)
    waiting = db.session.get(SalesImport, record.id, populate_existing=True)
    assert waiting is not None
    assert (waiting.status, waiting.code) == ("queued", None)
    assert waiting.message == "数据库暂时不可用，稍后自动重试。"
    assert waiting.message_en and "database" in waiting.message_en.lower()

    monkeypatch.setattr(service, "_attempt", attempt)
    done = run_import(record.id)  # what Celery's autoretry does a few seconds later
    assert (done.status, done.attempts, done.rejected) == ("succeeded", 2, 4)
    assert db.session.scalar(select(db.func.count()).select_from(OrderLine)) == done.inserted


def test_a_database_unavailable_at_the_start_leaves_the_import_queued(
    county: None, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")

    def unavailable(*_: object, **__: object) -> None:
        raise _connection_lost()

    monkeypatch.setattr(jobs, "begin_attempt", unavailable)
    with pytest.raises(TransientImportError):
        run_import(record.id)
    monkeypatch.undo()
    again = db.session.get(SalesImport, record.id, populate_existing=True)
    assert again is not None and (again.status, again.attempts) == ("queued", 0)
    assert run_import(record.id).status == "succeeded"


def _template(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


def test_a_file_of_several_shops_puts_each_line_in_its_own_shop(
    county: None, tmp_path: Path
) -> None:
    path = _template(
        tmp_path / "两个店.csv",
        [
            "抖店,S01,A1,A1-1,P001,富硒大米,2,40.00,0,2024-03-01 10:00:00,已支付,",
            "抖店,S02,B1,B1-1,P002,小米,1,15.50,0,2024-03-02 11:00:00,已支付,",
            "抖店,S02,B2,B2-1,P002,小米,1,15.50,0,2024-03-02 12:00:00,已支付,",
            "抖店,S99,C1,C1-1,P002,小米,1,15.50,0,2024-03-03 12:00:00,已支付,",
            "抖店,,D1,D1-1,P002,小米,1,15.50,0,2024-03-04 12:00:00,已支付,",
        ],
    )
    record = run_import(create_import(path).id)  # no shop chosen: each row names its own
    assert (record.status, record.inserted, record.rejected) == ("succeeded", 3, 2)
    assert record.shop_id is None
    shops = dict(db.session.execute(select(Shop.id, Shop.code)).tuples().all())
    landed = db.session.execute(select(OrderLine.line_id, OrderLine.shop_id)).tuples().all()
    assert sorted((line, shops[shop]) for line, shop in landed) == [
        ("A1-1", "S01"),
        ("B1-1", "S02"),
        ("B2-1", "S02"),
    ]
    errors = db.session.scalars(select(ImportRowError).order_by(ImportRowError.row)).all()
    assert [(e.row, e.code) for e in errors] == [(5, "unknown_shop"), (6, "unknown_shop")]
    assert errors[0].value == "S99"
    assert errors[0].message == "网店“S99”未在名录中登记，请先登记或在上传时选择网店。"
    assert errors[1].message == "该行没有网店编码，请补上或在上传时选择网店。"
    assert errors[1].value == ""  # the empty cell, not "nan"
    assert errors[1].message_en == (
        "This row has no shop code: fill it in, or choose the shop when you upload."
    )


def test_a_file_naming_no_shop_at_all_fails_asking_for_one(county: None, tmp_path: Path) -> None:
    path = _template(
        tmp_path / "无店.csv",
        ["抖店,,A1,A1-1,P001,富硒大米,2,40.00,0,2024-03-01 10:00:00,已支付,"],
    )
    record = run_import(create_import(path).id)
    assert (record.status, record.code) == ("failed", "shop_required")
    assert record.message == "文件中没有网店信息，请在上传时选择网店。"
    assert db.session.scalar(select(db.func.count()).select_from(OrderLine)) == 0
