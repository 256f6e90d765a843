"""FORMATS.md general rules 12-18 at the reader: title lines, totals rows, HTML .xls, …"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ingest import ImportFileError, open_export

from .douyin_rows import HEADER, NAME, row
from .files import read_all, write_csv, write_xlsx


def _lines(rows: list[list[str]]) -> list[str]:
    return [",".join(f'"{c}"' for c in r) for r in rows]


def test_csv_header_below_a_title_line(tmp_path: Path) -> None:
    body = ["2025年3月订单明细", "导出时间：2025-03-31 10:00:00"]
    body += _lines([list(HEADER), row("6917926768823643751"), row("6917926768823643752")])
    path = tmp_path / NAME
    path.write_text("\r\n".join(body) + "\r\n", encoding="utf-8-sig")

    result = read_all(path)

    assert result.reader.kind == "douyin_orders"
    assert list(result.lines["row"]) == [4, 5]
    assert result.lines["paid_fen"].sum() == 8208
    assert not result.errors


def test_xlsx_header_below_a_banner(tmp_path: Path) -> None:
    path = tmp_path / "订单.xlsx"
    data = [list(HEADER), row("6917926768823643751")]
    write_xlsx(path, ["2025年3月订单明细"], [[], *data])

    result = read_all(path)

    assert result.reader.kind == "douyin_orders"
    assert list(result.lines["row"]) == [4]
    assert not result.errors


def test_unknown_file_with_a_title_lists_the_real_header(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("2025年3月订单明细\n日期,金额,备注\n2024-01-01,12.00,赶集\n", encoding="utf-8")

    with pytest.raises(ImportFileError) as info:
        open_export(path)

    assert info.value.code == "unknown_format"
    assert "日期、金额、备注" in info.value.message
    assert "2025年3月订单明细" not in info.value.message


def test_short_totals_row_and_blank_rows_are_skipped_with_notes(tmp_path: Path) -> None:
    path = tmp_path / NAME
    width = len(HEADER)
    body = _lines([list(HEADER), row("6917926768823643751"), row("6917926768823643752")])
    body += [",".join([""] * width), '"合计",,,,,,,,"82.08"']
    path.write_text("\r\n".join(body) + "\r\n", encoding="utf-8-sig")

    result = read_all(path)

    assert len(result.lines) == 2 and not result.errors
    assert result.rows_read == 2
    notes = {n["code"]: n["count"] for n in result.reader.notes.as_list()}
    assert notes == {"totals_row_skipped": 1, "blank_rows_skipped": 1}


def test_xlsx_totals_row_in_the_id_column_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "订单.xlsx"
    totals = [""] * len(HEADER)
    totals[0] = "合计"
    totals[HEADER.index("订单应付金额")] = "82.08"
    totals[HEADER.index("商品数量")] = "2"
    write_xlsx(path, HEADER, [row("6917926768823643751"), row("6917926768823643752"), totals])

    result = read_all(path)

    assert len(result.lines) == 2 and not result.errors
    assert not result.reader.notes.has("unknown_status")
    assert result.reader.notes.has("totals_row_skipped")


def test_sum_row_without_a_label_is_a_totals_row(tmp_path: Path) -> None:
    path = tmp_path / NAME
    totals = [""] * len(HEADER)
    totals[HEADER.index("订单应付金额")] = "82.08"
    write_csv(path, HEADER, [row("6917926768823643751"), row("6917926768823643752"), totals])

    result = read_all(path)

    assert len(result.lines) == 2 and not result.errors
    assert result.reader.notes.has("totals_row_skipped")


def test_a_row_missing_only_its_id_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / NAME
    bad = row("6917926768823643752")
    bad[0] = bad[1] = ""
    write_csv(path, HEADER, [row("6917926768823643751"), bad])

    result = read_all(path)

    assert len(result.lines) == 1 and len(result.errors) == 1
    assert not result.reader.notes.has("totals_row_skipped")
