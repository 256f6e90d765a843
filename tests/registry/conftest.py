"""Helpers to write small registry workbooks for the tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from app.registry.sheets import SHEETS_BY_NAME

WorkbookMaker = Callable[..., Path]

# A minimal valid county the bad-row tests build on.
BASE_SHEETS: dict[str, list[list[Any]]] = {
    "乡镇": [["T01", "许营镇", "高新区"]],
    "村": [["T01V01", "汪庄村", "T01"], ["T01V02", "贾庄村", "T01"]],
    "网店": [["S01", "抖音", "", "许营好品官方旗舰店", "T01V01"]],
    "直播间": [["R01", "抖音", "62187499831", "焖子达人小姚", "T01V01", "S01"]],
    "主播": [["Z01", "姚思华", "R01"]],
    "品牌": [["B01", "许营好品", "区域公用品牌", "高新区"]],
    "商品": [["P001", "许营焖子", "B01", "2023-07-01", "休闲食品", "斤", 2.0, "合作社"]],
}


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write sheets {name: rows}; a sheet named in SHEETS gets its standard header first,
    unless its first row starts with the marker "HEADER" (then that row is the header)."""
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        if rows and rows[0] and rows[0][0] == "HEADER":
            header, body = rows[0][1:], rows[1:]
        else:
            spec = SHEETS_BY_NAME.get(name)
            header, body = (list(spec.columns) if spec else []), rows
        for col, value in enumerate(header):
            sheet.write_string(0, col, value)
        for row_index, row in enumerate(body, start=1):
            for col, value in enumerate(row):
                if isinstance(value, dt.datetime | dt.date):
                    fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
                    sheet.write_datetime(row_index, col, value, fmt)
                elif isinstance(value, str):
                    sheet.write_string(row_index, col, value)
                elif value is not None:
                    sheet.write_number(row_index, col, value)
    workbook.close()
    return path


@pytest.fixture
def base_sheets() -> dict[str, list[list[Any]]]:
    """A minimal valid county (copied, so a test may change it)."""
    return {name: [list(row) for row in rows] for name, rows in BASE_SHEETS.items()}


@pytest.fixture
def make_workbook(tmp_path: Path) -> WorkbookMaker:
    counter = iter(range(1000))

    def make(sheets: dict[str, list[list[Any]]], *, base: bool = False) -> Path:
        content = {**BASE_SHEETS, **sheets} if base else sheets
        return write_workbook(tmp_path / f"registry-{next(counter)}.xlsx", content)

    return make
