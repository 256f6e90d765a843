"""The 月报's sheets as typed rows, and their JSON form for a month close's snapshot.

One structure carries a report whether its figures are live (an open month) or frozen at close
(a closed month), so both are written to the workbook by the same code. Cell values are typed:
Decimal for amounts, Fraction for ratios, int for counts, str for text, a naive Beijing
datetime for times, None for blank. In JSON a Decimal is its string ("1234.50"), a Fraction
"numerator/denominator" and a time ISO text ("2026-10-01T14:32:00"), so a frozen report reads
back to exactly the values it was written from (a time frozen as aware text, as reports once
stored it, reads back as its Beijing clock time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from app.beijing import ZONE as BEIJING

# (header, row key, format name, column width)
Column = tuple[str, str, str, int]

TOWNSHIP_COLUMNS: list[Column] = [
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
ADJUSTMENT_COLUMNS: list[Column] = [
    ("已结月份", "month", "text", 14),
    ("范围", "place", "text", 16),
    ("指标", "label", "text", 14),
    ("月结上报值", "reported", "number", 14),
    ("现值", "now", "number", 14),
    ("调整额", "difference", "number", 14),
]
SESSION_COLUMNS: list[Column] = [
    ("直播间", "room", "text", 8),
    ("账号昵称", "room_name", "text", 14),
    ("主播", "streamer", "text", 8),
    ("开始时间", "started_at", "datetime", 17),
    ("结束时间", "ended_at", "datetime", 17),
    ("时长(小时)", "hours", "hours", 10),
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
PREMIUM_COLUMNS: list[Column] = [
    ("品牌", "brand", "text", 16),
    ("商品", "product", "text", 16),
    ("单位价格", "unit_price", "price", 12),
    ("基准价", "baseline", "price", 12),
    ("基准类型", "kind", "text", 12),
    ("销量(计价单位)", "units", "quantity", 14),
    ("销售额", "net", "money", 14),
    ("溢价率", "premium", "percent", 10),
    ("溢价额", "extra", "money", 14),
    ("商品编码", "product_code", "text", 10),
]
PLATFORM_COLUMNS: list[Column] = [
    ("平台", "platform", "text", 12),
    ("本月零售额", "month", "money", 14),
    ("本月占比", "month_share", "percent", 10),
    ("1–本月累计", "ytd", "money", 14),
    ("累计占比", "ytd_share", "percent", 10),
    ("上年同期累计", "last_ytd", "money", 14),
    ("累计同比", "ytd_yoy", "percent", 10),
]
# Each table of the report and its columns.
TABLES: dict[str, list[Column]] = {
    "townships": TOWNSHIP_COLUMNS,
    "adjustments": ADJUSTMENT_COLUMNS,
    "sessions": SESSION_COLUMNS,
    "premiums": PREMIUM_COLUMNS,
    "platforms": PLATFORM_COLUMNS,
}

Cell = Decimal | Fraction | int | str | dt.datetime | None
Row = dict[str, Cell]


@dataclass
class MonthlyReport:
    """Every cell of one month's 月报; `created` is the workbook's creation time (naive UTC)."""

    month: str
    created: dt.datetime
    tables: dict[str, list[Row]] = field(default_factory=dict)
    frozen: bool = False

    def table(self, name: str) -> list[Row]:
        return self.tables.get(name, [])


def typed_rows(name: str, rows: list[dict[str, Any]]) -> list[Row]:
    """Rows of table `name` cut to its columns, each value in its typed form."""
    columns = TABLES[name]
    return [{key: cell(row.get(key), kind) for _h, key, kind, _w in columns} for row in rows]


def cell(value: Any, kind: str) -> Cell:
    """A value as the typed cell of a column of this format."""
    if value is None or value == "":
        return None
    if kind == "text":
        return str(value)
    if kind == "datetime":
        return _beijing_clock(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | Fraction | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest text that reads back as this float
    text = str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text  # a word where a number goes is written as text
    return number if number.is_finite() else text


def _beijing_clock(value: Any) -> dt.datetime | str:
    """A time as the naive Beijing clock time a spreadsheet shows; text that is no time stays."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return str(value)
    if value.tzinfo is not None:
        value = value.astimezone(BEIJING).replace(tzinfo=None)
    return value.replace(microsecond=0)


def report_json(report: MonthlyReport) -> dict[str, Any]:
    """The report as JSON for a snapshot: Decimals as strings, Fractions as "n/d"."""
    return {
        "month": report.month,
        "created": report.created.isoformat(timespec="seconds"),
        "tables": {
            name: [{key: _json_cell(value) for key, value in row.items()} for row in rows]
            for name, rows in report.tables.items()
        },
    }


def report_from_json(data: dict[str, Any]) -> MonthlyReport:
    """The report `report_json` stored, with every value back in its typed form."""
    tables: dict[str, list[Row]] = {}
    for name, rows in data["tables"].items():
        kinds = {key: kind for _h, key, kind, _w in TABLES[name]}
        tables[name] = [
            {key: _typed_cell(value, kinds[key]) for key, value in row.items()} for row in rows
        ]
    return MonthlyReport(
        month=data["month"],
        created=dt.datetime.fromisoformat(data["created"]),
        tables=tables,
        frozen=True,
    )


def _json_cell(value: Cell) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return str(value)
    return value


def _typed_cell(value: Any, kind: str) -> Cell:
    if value is None or isinstance(value, int):
        return value
    if kind in ("text", "datetime"):
        return cell(value, kind)
    text = str(value)
    numerator, slash, denominator = text.partition("/")
    if slash and numerator.lstrip("-").isdigit() and denominator.isdigit():
        return Fraction(int(numerator), int(denominator))
    return cell(text, kind)
