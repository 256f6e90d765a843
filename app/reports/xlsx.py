"""The 月报 workbook: Chinese headers, number formats, frozen headers, text never a formula."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from app.spreadsheet import WORKBOOK_OPTIONS, CellStyles, write_text

# (header, row key, format name, column width)
TOWNSHIP_COLUMNS = [
    ("乡镇", "name", "text", 14),
    ("指标", "indicator", "text", 16),
    ("年度目标", "target", "money", 14),
    ("本月完成", "month", "money", 14),
    ("1–本月累计", "ytd", "money", 14),
    ("上年同期累计", "last_ytd", "money", 14),
    ("累计同比", "ytd_yoy", "percent", 10),
    ("完成率", "completion", "percent", 10),
    ("时间进度", "time_progress", "percent", 10),
    ("与序时进度差", "gap_pp", "points", 12),
    ("排名", "rank", "integer", 6),
]
ADJUSTMENT_COLUMNS = [
    ("已结月份", "month", "text", 14),
    ("范围", "scope", "text", 16),
    ("指标", "label", "text", 14),
    ("月结上报值", "reported", "number", 14),
    ("现值", "now", "number", 14),
    ("调整额", "difference", "number", 14),
]
SESSION_COLUMNS = [
    ("直播间", "room", "text", 8),
    ("账号昵称", "room_name", "text", 14),
    ("主播", "streamer", "text", 8),
    ("开始时间", "started_at", "text", 26),
    ("结束时间", "ended_at", "text", 26),
    ("时长(小时)", "hours", "number", 10),
    ("成交金额", "sales", "money", 12),
    ("订单成交金额", "order_sales", "money", 12),
    ("差额", "sales_difference", "money", 10),
    ("成交件数", "items", "integer", 9),
    ("成交人数", "buyers", "integer", 9),
    ("场观人数", "viewers", "integer", 9),
    ("观看次数", "views", "integer", 9),
    ("GPM", "gpm", "money", 10),
    ("UV价值", "uv_value", "money", 10),
    ("客单价", "avg_order_value", "money", 10),
    ("件均价", "avg_item_price", "money", 10),
    ("看播转化率", "conversion", "percent", 10),
    ("退款率", "refund_rate", "percent", 10),
]
PREMIUM_COLUMNS = [
    ("品牌", "brand", "text", 16),
    ("商品", "product", "text", 12),
    ("单位价格", "unit_price", "price", 12),
    ("基准价", "baseline", "price", 12),
    ("基准类型", "kind", "text", 12),
    ("销量(计价单位)", "units", "number", 14),
    ("销售额", "net", "money", 14),
    ("溢价率", "premium", "percent", 10),
    ("溢价额", "extra", "money", 14),
]
PLATFORM_COLUMNS = [
    ("平台", "platform", "text", 12),
    ("本月零售额", "month", "money", 14),
    ("本月占比", "month_share", "percent", 10),
    ("1–本月累计", "ytd", "money", 14),
    ("累计占比", "ytd_share", "percent", 10),
    ("上年同期累计", "last_ytd", "money", 14),
    ("累计同比", "ytd_yoy", "percent", 10),
]
KIND_NAMES = {"pre_brand": "品牌前价格", "non_brand": "非品牌同类", "reference": "参考价"}
FORMATS: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True},
    "title": {"bold": True, "font_size": 12},
    "text": {},
    "money": {"num_format": "#,##0.00"},
    "price": {"num_format": "#,##0.0000"},
    "number": {"num_format": "#,##0.00"},
    "integer": {"num_format": "0"},
    "percent": {"num_format": "0.0%"},
    "points": {"num_format": "0.00"},
}


def write_workbook(target: str | BinaryIO, *, month: str, **sheets: list[dict[str, Any]]) -> None:
    """Write the four sheets; adjustments to closed months follow the 乡镇月报 table."""
    # Text stays text: nothing a clerk typed can become a formula, a number or a link.
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, **WORKBOOK_OPTIONS})
    formats = CellStyles(workbook, FORMATS)
    sheet = workbook.add_worksheet("乡镇月报")
    end = _table(sheet, formats, TOWNSHIP_COLUMNS, sheets["townships"])
    adjustments = sheets["adjustments"]
    title = f"{month} 月报：已结月份调整（月结后发生的变动，如迟到的退款）"
    write_text(sheet, end + 2, 0, title, formats, "title")
    if adjustments:
        _table(sheet, formats, ADJUSTMENT_COLUMNS, adjustments, first_row=end + 3, freeze=False)
    else:
        write_text(sheet, end + 3, 0, "无", formats, "text")
    _table(workbook.add_worksheet("直播台账"), formats, SESSION_COLUMNS, sheets["sessions"])
    premiums = [
        {**row, "kind": KIND_NAMES.get(str(row.get("kind")), row.get("kind"))}
        for row in sheets["premiums"]
    ]
    _table(workbook.add_worksheet("品牌溢价"), formats, PREMIUM_COLUMNS, premiums)
    _table(workbook.add_worksheet("平台分布"), formats, PLATFORM_COLUMNS, sheets["platforms"])
    workbook.close()


def _table(
    sheet: Worksheet,
    formats: CellStyles,
    columns: list[tuple[str, str, str, int]],
    rows: list[dict[str, Any]],
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


def _cell(sheet: Worksheet, row: int, col: int, value: Any, formats: CellStyles, kind: str) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, formats[kind])
    elif kind == "text" or isinstance(value, str) and not _numeric(value):
        write_text(sheet, row, col, str(value), formats, kind)
    elif isinstance(value, Fraction):
        sheet.write_number(row, col, value.numerator / value.denominator, formats[kind])
    else:
        sheet.write_number(row, col, float(Decimal(str(value))), formats[kind])


def _numeric(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False
