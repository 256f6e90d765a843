"""Every chosen order line as a download: CSV (UTF-8 with BOM, for Excel) or XLSX.

Both stream: the CSV is written as the lines are read; the workbook is built row by row with
xlsxwriter's constant-memory mode in a temporary file, then sent. Text that a spreadsheet would
run as a formula is neutralised (app.spreadsheet).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import xlsxwriter
from flask import Response, send_file, stream_with_context

from app.auth.scope import AccessScope
from app.codes import LINE_STATUSES, PLATFORMS
from app.metrics.lines import LineFilters, LineRow, iter_lines
from app.registry.values import to_beijing
from app.spreadsheet import WORKBOOK_OPTIONS, CellStyles, csv_value, write_text

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
BATCH = 1000


def cells(line: LineRow) -> list[Any]:
    """One line as the export's cells, in HEADERS order (money as Decimal)."""
    paid_at = to_beijing(line.paid_at).strftime("%Y-%m-%d %H:%M:%S") if line.paid_at else ""
    return [
        line.id,
        PLATFORMS.get(line.platform, line.platform),
        line.shop_code,
        line.shop_name,
        line.order_id,
        line.line_id,
        line.product_code or "",
        line.product_name or "",
        line.raw_product_name or "",
        line.quantity,
        line.paid,
        line.refund,
        line.net,
        LINE_STATUSES.get(line.status, line.status),
        line.raw_status or "",
        paid_at,
        line.room_name or line.room_code or "",
        line.streamer_name or "",
        line.session_id if line.session_id is not None else "",
        line.source,
        line.import_id,
        line.file_name,
    ]


def _disposition(name: str) -> str:
    extension = name.rsplit(".", 1)[-1]
    return f"attachment; filename=order-lines.{extension}; filename*=UTF-8''{quote(name)}"


def csv_response(filters: LineFilters, access: AccessScope) -> Response:
    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(HEADERS)
        count = 0
        for line in iter_lines(filters, access):
            writer.writerow([csv_value(cell) for cell in cells(line)])
            count += 1
            if count % BATCH == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = _disposition("订单明细.csv")
    return response


def xlsx_response(filters: LineFilters, access: AccessScope) -> Response:
    # Sent by send_file, which closes it when the response is done.
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, **WORKBOOK_OPTIONS})
    styles = CellStyles(
        workbook, {"text": {}, "head": {"bold": True}, "money": {"num_format": "0.00"}}
    )
    sheet = workbook.add_worksheet("订单明细")
    for col, header in enumerate(HEADERS):
        write_text(sheet, 0, col, header, styles, "head")
    for row, line in enumerate(iter_lines(filters, access), start=1):
        for col, value in enumerate(cells(line)):
            if col in MONEY_COLUMNS:
                sheet.write_number(row, col, float(value), styles["money"])
            elif isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                write_text(sheet, row, col, str(value), styles, "text")
    workbook.close()
    target.seek(0)
    return send_file(
        target,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="订单明细.xlsx",
    )
