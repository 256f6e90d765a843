"""One file per FORMATS.md general rule (1-18), imported through the service: lines and money
against figures worked out by hand, refusals by their code, and a second import of the same
file changes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.ingest.service import create_import, run_import
from app.models import OrderLine, SalesImport, Shop, Township, Village

from .general_files import CASES, Case, r08_newer_export, r08_older_export


@pytest.fixture
def shops(app_ctx):
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    db.session.add_all(
        [
            township,
            village,
            Shop(code="S01", platform="douyin", name="焖子旗舰店", village=village),
            Shop(code="S02", platform="pinduoduo", name="焖子拼多多店", village=village),
        ]
    )
    db.session.commit()


def _import(path: Path, shop: str) -> SalesImport:
    return run_import(create_import(path, shop_code=shop).id)


def _lines() -> list[OrderLine]:
    return list(db.session.scalars(select(OrderLine).order_by(OrderLine.line_id)))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"rule{c.rule:02d}-{c.name}")
def test_general_rule_file(shops, tmp_path: Path, case: Case) -> None:
    if case.build.__name__ == "r14_biff8_xls":
        pytest.importorskip("xlwt")
    path = case.build(tmp_path)

    record = _import(path, case.shop)

    if case.code is not None:
        assert (record.status, record.code) == ("failed", case.code), record.message
        assert record.message and "列映射" not in record.message
        assert _lines() == []
        return
    assert record.status == "succeeded", (record.code, record.message)
    assert record.rejected == 0, [(e.row, e.code, e.message) for e in record.errors]
    lines = _lines()
    gross = sum((line.paid_amount for line in lines), Decimal("0"))
    refund = sum((line.refund_amount for line in lines), Decimal("0"))
    assert (len(lines), str(gross), str(refund), str(gross - refund)) == (
        case.lines,
        case.gross,
        case.refund,
        case.net,
    )
    assert record.read == case.lines and record.inserted == case.lines
    codes = {note["code"] for note in record.notes}
    assert set(case.notes) <= codes, record.notes
    if case.check is not None:
        case.check(lines)

    again = _import(path, case.shop)

    assert again.status == "succeeded"
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, case.lines)
    assert len(_lines()) == case.lines


def test_rule08_an_older_export_never_overwrites_a_newer_status(shops, tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    (tmp_path / "old").mkdir()
    newer = _import(r08_newer_export(tmp_path / "new"), "S01")
    older = _import(r08_older_export(tmp_path / "old"), "S01")

    assert newer.inserted == 1
    assert (older.status, older.stale, older.updated) == ("succeeded", 1, 0)
    (line,) = _lines()
    assert (line.status, str(line.paid_amount), str(line.refund_amount)) == (
        "refunded",
        "41.04",
        "41.04",
    )
