"""app/ingest/parts.py: one import staged in parts by several workers gives the same result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from sqlalchemy import func, select

import app.ingest.part_helper as part_helper
import app.ingest.parts as parts
from app.extensions import db
from app.ingest.service import TransientImportError, create_import, run_import
from app.models import (
    ImportPart,
    ImportRowError,
    OrderLine,
    RollupShopDay,
    SalesImport,
    StagedLine,
    data_version,
)
from app.registry import load_workbook
from tests.faults.exports import douyin_frame, paid_of, write_douyin

CHUNK = 100
LINES = 640


@pytest.fixture
def county(app_ctx: Flask, samples: Path) -> Flask:
    assert load_workbook(samples / "registry.xlsx").rejected == 0
    app_ctx.config.update(IMPORT_CHUNK_ROWS=CHUNK, IMPORT_PART_MIN_MB=0)
    return app_ctx


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, dict[str, Decimal]]:
    """640 lines over 7 chunks, with something for every chunk-crossing rule to do.

    Row 250 (chunk 2) has an amount no one can read; the line of row 10 (chunk 0) turns up
    again in row 420 (chunk 4), where it wins; a 合计 row ends the file; and a status 抖店 has
    not used before appears in chunks 1 and 5, which is one note however many read it.
    """
    frame = douyin_frame(LINES, seed=7)
    frame.loc[248, "订单应付金额"] = "12,3.4.5"
    frame.loc[418, ["主订单编号", "子订单编号"]] = frame.loc[8, ["主订单编号", "子订单编号"]]
    frame.loc[[150, 560], "订单状态"] = "待核销"
    totals = pd.DataFrame([{**dict.fromkeys(frame.columns, ""), "主订单编号": "合计"}])
    path = write_douyin(tmp_path, pd.concat([frame, totals]), exported_at=1_735_720_243, tag="p")
    good = frame.drop(index=248)
    return path, paid_of(good)


ASKED: list[list[int]] = []


def _helpers_that_take_their_parts(import_id: int, attempt: int, wanted: list[int]) -> None:
    """Other workers, each claiming and staging its part before the attempt reads the file."""
    ASKED.append(wanted)
    for part in wanted:
        assert part_helper.stage_part(import_id, attempt, part, 60.0)
        staged = select(func.count()).where(StagedLine.chunk % (len(wanted) + 1) == part)
        assert db.session.scalar(staged)  # the helper's own chunks, staged by the helper


def _outcome(record: SalesImport) -> dict[str, object]:
    errors = db.session.execute(
        select(ImportRowError.row, ImportRowError.code)
        .where(ImportRowError.import_id == record.id)
        .order_by(ImportRowError.row)
    ).all()
    lines, paid = db.session.execute(select(func.count(), func.sum(OrderLine.paid_amount))).one()
    gross = db.session.scalar(select(func.sum(RollupShopDay.gross)))
    return {
        "status": record.status,
        "counts": record.counts(),
        "errors": [tuple(row) for row in errors],
        "notes": sorted((n["code"], n["count"]) for n in record.notes),
        "lines": lines,
        "paid": paid,
        "gross": gross,
    }


@pytest.mark.parametrize("how_many", [1, 2, 3, 7])
def test_an_import_in_parts_stores_and_reports_the_same_as_in_one(
    county: Flask, export: tuple[Path, dict[str, Decimal]], how_many: int
) -> None:
    path, paid = export
    county.config["IMPORT_PARTS"] = how_many
    record = create_import(path, shop_code="S01")
    ASKED.clear()

    done = run_import(record.id, helpers=_helpers_that_take_their_parts)

    assert ASKED == ([list(range(1, how_many))] if how_many > 1 else [])

    assert _outcome(done) == {
        "status": "succeeded",
        "counts": {
            "read": LINES,
            "inserted": LINES - 2,
            "updated": 0,
            "unchanged": 0,
            "stale": 0,
            "rejected": 2,
        },
        "errors": [(10, "duplicate_line"), (250, "bad_amount")],
        "notes": [("totals_row_skipped", 1), ("unknown_status", 1)],
        "lines": LINES - 2,
        "paid": sum(paid.values(), Decimal("0.00")),
        "gross": sum(paid.values(), Decimal("0.00")),
    }
    assert db.session.scalar(select(func.count()).select_from(ImportPart)) == 0
    assert done.progress == 1.0


def test_parts_no_helper_takes_are_staged_by_the_attempt_itself(
    county: Flask, export: tuple[Path, dict[str, Decimal]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, paid = export
    county.config["IMPORT_PARTS"] = 3
    monkeypatch.setattr(parts, "CLAIM_GRACE_SECONDS", 0.05)
    asked: list[list[int]] = []
    record = create_import(path, shop_code="S01")

    done = run_import(record.id, helpers=lambda _i, _a, wanted: asked.append(wanted))

    assert asked == [[1, 2]]  # the messages were sent, and no worker was free to take them
    assert (done.status, done.inserted, done.rejected) == ("succeeded", LINES - 2, 2)
    assert db.session.scalar(select(func.sum(OrderLine.paid_amount))) == sum(paid.values())


def test_a_helper_that_dies_sends_the_attempt_round_again(
    county: Flask, export: tuple[Path, dict[str, Decimal]]
) -> None:
    path, paid = export
    county.config["IMPORT_PARTS"] = 2
    record = create_import(path, shop_code="S01")

    def claim_and_die(import_id: int, attempt: int, wanted: list[int]) -> None:
        """A worker that claims part 1 and is killed before it stages anything."""
        assert parts.claim_part(import_id, attempt, wanted[0])
        db.session.commit()

    with pytest.raises(TransientImportError):
        run_import(record.id, helpers=claim_and_die)
    waiting = db.session.get(SalesImport, record.id, populate_existing=True)
    assert waiting is not None and (waiting.status, waiting.attempts) == ("queued", 1)
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0

    done = run_import(record.id, helpers=_helpers_that_take_their_parts)  # the retry
    assert (done.status, done.attempts, done.read, done.inserted) == (
        "succeeded",
        2,
        LINES,
        LINES - 2,
    )
    assert db.session.scalar(select(func.sum(OrderLine.paid_amount))) == sum(paid.values())


def test_a_file_a_helper_rejects_fails_the_whole_import(
    county: Flask, export: tuple[Path, dict[str, Decimal]]
) -> None:
    path, _paid = export
    county.config["IMPORT_PARTS"] = 2
    record = create_import(path, shop_code="S01")

    def rejects(import_id: int, attempt: int, wanted: list[int]) -> None:
        """A worker whose part of the file cannot be read (a damaged middle, a time limit)."""
        lease = parts.jobs.try_lease("sales_imports", import_id, wanted[0])
        assert lease is not None and parts.claim_part(import_id, attempt, wanted[0])
        db.session.commit()
        wording = parts.say(parts.TIMED_OUT)
        attempt_ = parts.jobs.Attempt(import_id, attempt, lease)
        share = parts.Share(2, frozenset(wanted))
        part_helper._fail_part(attempt_, share, "timed_out", (wording.zh, wording.en))
        lease.release()

    done = run_import(record.id, helpers=rejects)

    assert (done.status, done.code) == ("failed", "timed_out")
    assert done.message == parts.say(parts.TIMED_OUT).zh
    assert done.message_en and "time" in done.message_en.lower()
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0
    assert db.session.scalar(select(func.count()).select_from(ImportPart)) == 0


def test_a_helper_of_an_attempt_that_is_over_stages_nothing(
    county: Flask, export: tuple[Path, dict[str, Decimal]]
) -> None:
    path, _paid = export
    county.config["IMPORT_PARTS"] = 2
    record = create_import(path, shop_code="S01")
    done = run_import(record.id, helpers=lambda *_: None)
    lines = db.session.scalar(select(func.count()).select_from(OrderLine))

    # Its message came too late: its part still listed, but the attempt is over.
    db.session.add(ImportPart(import_id=record.id, attempt=done.attempts, part=1, parts=2))
    db.session.commit()
    late = part_helper.stage_part(record.id, done.attempts, 1, 60.0)

    assert late is False
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == lines
    again = db.session.get(SalesImport, record.id, populate_existing=True)
    assert again is not None and (again.status, again.read) == ("succeeded", LINES)


def test_staging_leaves_the_data_version_alone_until_the_merge(
    county: Flask, export: tuple[Path, dict[str, Decimal]]
) -> None:
    """Cached figures stay in use while a file is staged: only its merge changes them."""
    path, _paid = export
    county.config["IMPORT_PARTS"] = 2
    record = create_import(path, shop_code="S01")
    before = data_version(db.session.connection())
    db.session.commit()
    seen: list[int | None] = []

    def note_version(_record: SalesImport) -> None:
        seen.append(data_version(db.session.connection()))

    done = run_import(record.id, on_chunk=note_version, helpers=_helpers_that_take_their_parts)

    assert done.status == "succeeded"
    assert len(seen) == 4 and set(seen) == {before}  # the attempt's own chunks 0, 2, 4, 6
    assert data_version(db.session.connection()) != before
