"""The 月报 workbook: Chinese headers, number formats, frozen headers, text never a formula."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from app.reports.sheets import (
    ADJUSTMENT_COLUMNS,
    PLATFORM_COLUMNS,
    PREMIUM_COLUMNS,
    SESSION_COLUMNS,
    TOWNSHIP_COLUMNS,
    Cell,
    Column,
    MonthlyReport,
    Row,
)
from app.spreadsheet import WORKBOOK_OPTIONS, CellStyles, write_text

FORMATS: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True},
    "title": {"bold": True, "font_size": 12},
    "text": {},
    "money": {"num_format": "#,##0.00"},
    "price": {"num_format": "#,##0.00##"},
    "number": {"num_format": "#,##0.00"},
    "quantity": {},  # General: 2 and 2.5, no trailing zeros (nor a trailing point)
    "hours": {"num_format": "#,##0.0"},
    "integer": {"num_format": "#,##0"},
    "percent": {"num_format": "0.0%"},
    "points": {"num_format": '+0.0" 百分点";-0.0" 百分点";0.0" 百分点"'},
    # A real date-time (Beijing clock), which sorts and filters as one.
    "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
}


def write_workbook(target: str | BinaryIO, report: MonthlyReport) -> None:
    """Write the four sheets; adjustments to closed months follow the 乡镇月报 table.

    The workbook's creation time is the report's, so the same report gives the same bytes."""
    # Text stays text: nothing a clerk typed can become a formula, a number or a link.
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, **WORKBOOK_OPTIONS})
    workbook.set_properties({"created": report.created})
    formats = CellStyles(workbook, FORMATS)
    sheet = workbook.add_worksheet("乡镇月报")
    end = _table(sheet, formats, TOWNSHIP_COLUMNS, report.table("townships"))
    adjustments = report.table("adjustments")
    title = f"{report.month} 月报：已结月份调整（月结后发生的变动，如迟到的退款）"
    write_text(sheet, end + 2, 0, title, formats, "title")
    if adjustments:
        _table(sheet, formats, ADJUSTMENT_COLUMNS, adjustments, first_row=end + 3, freeze=False)
    else:
        write_text(sheet, end + 3, 0, "无", formats, "text")
    _table(workbook.add_worksheet("直播台账"), formats, SESSION_COLUMNS, report.table("sessions"))
    _table(workbook.add_worksheet("品牌溢价"), formats, PREMIUM_COLUMNS, report.table("premiums"))
    platforms = report.table("platforms")
    _table(workbook.add_worksheet("平台分布"), formats, PLATFORM_COLUMNS, platforms)
    workbook.close()


def _table(
    sheet: Worksheet,
    formats: CellStyles,
    columns: list[Column],
    rows: list[Row],
    first_row: int = 0,
    freeze: bool = True,
) -> int:
    """Header and rows from `first_row`; returns the last row written."""
    for col, (header, _key, _kind, width) in enumerate(columns):
        write_text(sheet, first_row, col, header, formats, "header")
        if freeze:
            sheet.set_column(col, col, width)
    if freeze:
        sheet.freeze_panes(first_row + 1, 0)
    for number, row in enumerate(rows, start=first_row + 1):
        for col, (_header, key, kind, _width) in enumerate(columns):
            _cell(sheet, number, col, row.get(key), formats, kind)
    return first_row + len(rows)


def _cell(
    sheet: Worksheet, row: int, col: int, value: Cell, formats: CellStyles, kind: str
) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, formats[kind])
    elif isinstance(value, str):
        write_text(sheet, row, col, value, formats, kind)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, formats[kind])
    elif isinstance(value, Fraction):
        sheet.write_number(row, col, value.numerator / value.denominator, formats[kind])
    else:
        sheet.write_number(row, col, float(Decimal(value)), formats[kind])
