"""Every chosen order line as a download: CSV (UTF-8 with BOM, for Excel) or XLSX.

The lines come as plain tuples a batch at a time (app.metrics.line_export.iter_export_rows). The CSV
streams: each batch is written at once and sent in ~1 MB pieces as the lines are read. The
workbook is built row by row with xlsxwriter's constant-memory mode in a temporary file and
sent once complete (a ZIP's directory comes last, so it cannot be sent as it is written).
Text that a spreadsheet would run as a formula is neutralised (app.spreadsheet).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import xlsxwriter
from flask import Response, send_file, stream_with_context

from app.auth.scope import AccessScope
from app.codes import LINE_STATUSES, PLATFORMS
from app.metrics.line_copy import copy_supported, iter_csv_rows
from app.metrics.line_export import iter_export_rows
from app.metrics.line_filters import LineFilters
from app.metrics.lines import resolve_codes
from app.spreadsheet import (
    FORMULA_STARTS,
    WORKBOOK_OPTIONS,
    CellStyles,
    csv_value,
    runs_as_formula,
    write_text,
)

HEADERS = (
    "行编号",
    "平台",
    "网店编码",
    "网店名称",
    "订单号",
    "子订单号",
    "商品编码",
    "商品名称",
    "导出商品名称",
    "数量",
    "实付金额",
    "退款金额",
    "净额",
    "状态",
    "原始状态",
    "支付时间(北京时间)",
    "直播间",
    "主播",
    "直播场次",
    "来源",
    "导入编号",
    "导入文件",
)
MONEY_COLUMNS = (10, 11, 12)
# The columns of text a line brings from its file or the registry: any could start like a
# formula. The others are numbers, Beijing times or Cunbo's own labels.
TEXT_COLUMNS = (2, 3, 4, 5, 6, 7, 8, 14, 16, 17, 19, 21)
CHUNK = 1024 * 1024  # bytes of CSV sent at a time
CSV_HEAD = ("\ufeff" + ",".join(HEADERS) + "\n").encode("utf-8")  # BOM: Excel reads it as UTF-8
_PLATFORM = 1
_QUANTITY = 9
_STATUS = 13
_PAID_AT = 15


def file_rows(batch: list[tuple[Any, ...]]) -> list[list[Any]]:
    """A batch of `iter_export_rows` tuples as the files' cells, in HEADERS order.

    Platform and status by their Chinese names; None stays None (both writers leave the cell
    empty); text that a spreadsheet would run as a formula with a leading apostrophe
    (app.spreadsheet.csv_value).
    """
    platforms, statuses = PLATFORMS, LINE_STATUSES
    starts = FORMULA_STARTS
    rows = []
    for line in batch:
        cells = list(line)
        platform, status = cells[_PLATFORM], cells[_STATUS]
        cells[_PLATFORM] = platforms.get(platform, platform)
        cells[_STATUS] = statuses.get(status, status)
        for col in TEXT_COLUMNS:
            text = cells[col]
            if text and text[0] in starts:
                cells[col] = csv_value(text)
        rows.append(cells)
    return rows


def _disposition(name: str) -> str:
    extension = name.rsplit(".", 1)[-1]
    return f"attachment; filename=order-lines.{extension}; filename*=UTF-8''{quote(name)}"


def csv_response(filters: LineFilters, access: AccessScope) -> Response:
    """Every chosen line as CSV, sent in ~1 MB pieces as the lines are read: made by PostgreSQL
    itself where it runs (app.metrics.line_copy), else written here a batch at a time."""
    resolve_codes(filters)  # an unknown code is refused before the file starts, not inside it
    rows = iter_csv_rows(filters, access) if copy_supported() else _written_rows(filters, access)

    def pieces() -> Iterator[bytes]:
        yield CSV_HEAD
        yield from rows

    response = Response(stream_with_context(pieces()), mimetype="text/csv")
    response.headers["Content-Disposition"] = _disposition("订单明细.csv")
    return response


def _written_rows(filters: LineFilters, access: AccessScope) -> Iterator[bytes]:
    """The CSV rows written here from the lines' tuples, a batch at a time (the portable path),
    with the same cells and line ends as PostgreSQL's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for batch in iter_export_rows(filters, access):
        writer.writerows(file_rows(batch))
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_response(filters: LineFilters, access: AccessScope) -> Response:
    """Every chosen line as a workbook: built row by row in constant-memory mode into a
    temporary file (spilled to disk past 8 MB), then sent once complete."""
    resolve_codes(filters)
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, **WORKBOOK_OPTIONS})
    styles = CellStyles(
        workbook,
        {
            "text": {},
            "head": {"bold": True},
            "money": {"num_format": "#,##0.00"},
            "count": {"num_format": "#,##0"},
            "time": {"num_format": "yyyy-mm-dd hh:mm:ss"},
        },
    )
    money, text, quoted = styles["money"], styles["text"], styles.quoted["text"]
    count, time = styles["count"], styles["time"]
    sheet = workbook.add_worksheet("订单明细")
    sheet.set_column(_PAID_AT, _PAID_AT, 19)
    for col, header in enumerate(HEADERS):
        write_text(sheet, 0, col, header, styles, "head")
    write_number, write_string = sheet.write_number, sheet.write_string
    write_datetime, fromisoformat = sheet.write_datetime, dt.datetime.fromisoformat
    row = 0
    for batch in iter_export_rows(filters, access):
        for line in batch:
            row += 1
            for col, value in enumerate(line):
                if value is None:
                    write_string(row, col, "", text)
                elif col in MONEY_COLUMNS:
                    write_number(row, col, float(value), money)
                elif col == _PAID_AT:  # a real date-time, the Beijing clock the text gives
                    write_datetime(row, col, fromisoformat(value), time)
                elif col == _QUANTITY:
                    write_number(row, col, value, count)
                elif isinstance(value, int):
                    write_number(row, col, value)
                else:
                    if col == _PLATFORM:
                        value = PLATFORMS.get(value, value)
                    elif col == _STATUS:
                        value = LINE_STATUSES.get(value, value)
                    style = (
                        quoted if value[:1] in FORMULA_STARTS and runs_as_formula(value) else text
                    )
                    write_string(row, col, value, style)
    workbook.close()
    target.seek(0)
    # Sent by send_file, which closes it when the response is done.
    return send_file(
        target,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="订单明细.xlsx",
    )
