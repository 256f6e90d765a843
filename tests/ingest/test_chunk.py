"""What the loader receives: column set, plain records, accounting, storage widths."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.ingest import LINE_COLUMNS

from .douyin_rows import HEADER, NAME, row
from .files import read_all, write_csv

A, B = "6921514350766333428", "6941502557380528699"


def test_records_are_plain_python_values(tmp_path: Path) -> None:
    path = write_csv(tmp_path / NAME, HEADER, [row(A), row(B, paid_at="-", status="待支付")])
    reader = read_all(path).reader
    chunk = next(reader.iter_chunks())
    records = list(chunk.records())
    assert list(records[0]) == list(LINE_COLUMNS)
    paid, unpaid = records
    assert paid["paid_at"] == datetime(2024, 7, 3, 16, 57, 18) and type(paid["paid_fen"]) is int
    assert paid["streamer_id"] is None and paid["live"] is False
    assert unpaid["paid_at"] is None and unpaid["status"] == "unpaid" and unpaid["paid_fen"] == 0


def test_every_row_is_either_a_line_or_an_error(tmp_path: Path) -> None:
    rows = [row(f"69{n:017d}", qty="x" if n % 3 == 0 else "1") for n in range(1, 31)]
    result = read_all(write_csv(tmp_path / NAME, HEADER, rows), chunk_rows=4)
    assert result.rows_read == 30 == len(result.lines) + len(result.errors)
    assert sorted([*result.lines["row"], *(e.row for e in result.errors)]) == list(range(2, 32))


def test_over_long_text_is_cut_to_storage_width(tmp_path: Path) -> None:
    rows = [row(A)]
    rows[0][2] = "许营焖子" * 100  # 400 characters of product name
    result = read_all(write_csv(tmp_path / NAME, HEADER, rows))
    assert len(result.line(A)["product_name"]) == 300
    assert any("截断" in w for w in result.reader.warnings)


def test_unknown_after_sale_text_is_warned_not_used(tmp_path: Path) -> None:
    result = read_all(write_csv(tmp_path / NAME, HEADER, [row(A, after="平台介入中")]))
    line = result.line(A)
    assert line["refund_fen"] == 0 and line["raw_status"] == "已完成 / 平台介入中"
    assert any("平台介入中" in w for w in result.reader.warnings)
