"""A page's table as an XLSX file: the same rows and numbers, written so no cell runs.

Money is a number cell with a 元 number format, shares and changes are fractions with a
percent format, counts are integers, times are real date-times (the county's clock), and every
text cell goes through app.spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction
from typing import Any

import xlsxwriter
from flask import send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.spreadsheet import WORKBOOK_OPTIONS, CellStyles, write_text
from app.web.rankings import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STYLES: dict[str, dict[str, Any]] = {
    "text": {},
    "head": {"bold": True, "bottom": 1},
    "title": {"bold": True, "font_size": 13},
    "rank": {"num_format": "0"},
    "count": {"num_format": "#,##0"},
    "amount": {"num_format": '#,##0.00" 元"'},
    "percent": {"num_format": "0.0%"},
    "change": {"num_format": "+0.0%;-0.0%;0.0%"},
    "hours": {"num_format": "0.0"},  # 小时 with one decimal, as pages show them
    "rate": {"num_format": "0.00%"},  # a small rate (看播转化率), to two places as shown
    "datetime": {"num_format": "yyyy-mm-dd hh:mm"},  # the county's clock, as pages show it
    "date": {"num_format": "yyyy-mm-dd"},
}
WIDTHS = {
    "text": 28,
    "rank": 6,
    "count": 10,
    "amount": 16,
    "percent": 12,
    "change": 10,
    "hours": 10,
    "datetime": 17,
    "date": 12,
}


def table_workbook(table: Table, heading: str) -> bytes:
    """The table in one sheet: `heading` (what and when) on the first row, then the columns."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **WORKBOOK_OPTIONS})
    styles = CellStyles(workbook, STYLES)
    sheet = workbook.add_worksheet(_sheet_name(table.title))
    write_text(sheet, 0, 0, heading, styles, "title")
    for col, column in enumerate(table.columns):
        write_text(sheet, 2, col, column.label, styles, "head")
        sheet.set_column(col, col, WIDTHS.get(column.kind, 14))
    for index, row in enumerate(table.rows, start=3):
        kinds = row.get("kinds", {})  # a row whose cell reads otherwise than its column
        for col, column in enumerate(table.columns):
            kind = kinds.get(column.key, column.kind)
            _write(sheet, index, col, row.get(column.key), kind, styles)
    if table.note:
        write_text(sheet, len(table.rows) + 4, 0, table.note, styles, "text")
    workbook.close()
    return buffer.getvalue()


def _write(sheet: Any, row: int, col: int, value: Any, kind: str, styles: CellStyles) -> None:
    if value is None:
        sheet.write_blank(row, col, None, styles["text"])
    elif kind == "text" or isinstance(value, str):
        write_text(sheet, row, col, str(value), styles, "text")
    elif isinstance(value, dt.datetime):  # a real date-time: naive, the county's clock
        sheet.write_datetime(row, col, value, styles["datetime"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, styles["date"])
    elif isinstance(value, Decimal | int | float | Fraction):
        # Money is Decimal to here, rates may be fractions; a workbook stores doubles.
        sheet.write_number(row, col, float(value), styles[kind])
    else:
        write_text(sheet, row, col, str(value), styles, "text")


def _sheet_name(title: str) -> str:
    """Excel refuses some characters in sheet names and more than 31 of them."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31] or _("表")


def xlsx_download(table: Table, heading: str, name: str) -> Response:
    return send_file(
        io.BytesIO(table_workbook(table, heading)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{name}.xlsx",
    )
