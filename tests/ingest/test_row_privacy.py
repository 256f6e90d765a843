"""Row-error records keep what identifies the problem, never a buyer's name, phone or address."""

from __future__ import annotations

from pathlib import Path

from .douyin_rows import HEADER, NAME, row
from .files import read_all, write_csv

PHONE, ADDRESS, BUYER = "13812345678", "山东省临沂市兰山区解放路88号", "张三丰"


def _private_row(line: str) -> list[str]:
    cells = row(line)
    cells[10], cells[11], cells[13] = BUYER, PHONE, ADDRESS
    return cells


def test_a_row_with_an_extra_column_keeps_only_the_counts(tmp_path: Path) -> None:
    ids = [f"69{n:017d}" for n in range(1, 4)]
    broken = _private_row(ids[1])
    broken.insert(12, "多出的一列")
    path = write_csv(tmp_path / NAME, HEADER, [row(ids[0]), broken, row(ids[2])])
    result = read_all(path)
    assert result.lines["line_id"].tolist() == [ids[0], ids[2]]
    (error,) = result.errors
    assert (error.row, error.code) == (3, "wrong_column_count")
    assert error.value == f"{len(HEADER) + 1} 列，表头 {len(HEADER)} 列"
    assert f"{len(HEADER) + 1} 列" in error.message and "表头" in error.message
    text = repr(error.as_dict())
    for secret in (PHONE, ADDRESS, BUYER, ids[1]):
        assert secret not in text


def test_a_row_missing_columns_keeps_only_the_counts(tmp_path: Path) -> None:
    path = write_csv(tmp_path / NAME, HEADER, [_private_row("6900000000000000001")])
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    lines.insert(1, f'"\t6900000000000000002",{BUYER},{PHONE},"{ADDRESS}')  # unclosed quote
    path.write_text("\ufeff" + "\r\n".join(lines), encoding="utf-8")
    result = read_all(path)
    text = repr([e.as_dict() for e in result.errors])
    assert result.errors and all(e.code == "wrong_column_count" for e in result.errors)
    for secret in (PHONE, ADDRESS, BUYER):
        assert secret not in text
