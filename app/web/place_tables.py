"""The tables of a township, shop or live room page as rankings.Table, for their XLSX exports.

Each builder takes the rows the page renders (app.web.place_data), so a file holds exactly the
numbers the page shows; app.web.table_export writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _

from app.models import LiveRoom, LiveSession, SalesImport
from app.web.formatting import county_time
from app.web.labels import (
    IMPORT_STATUS_LABELS,
    MONEY_INDICATORS,
    indicator_label,
    month_name,
    platform_label,
    status_label,
)
from app.web.rankings import Column, Table

TOWNSHIP_TABLES = ("kpis", "targets", "villages", "shops", "rooms", "sessions")
SHOP_TABLES = ("kpis", "rooms", "imports", "sessions")
ROOM_TABLES = ("kpis", "sessions")


def _number(value: Any) -> Decimal | int | None:
    """A figure as a number cell: fractions (rates) as Decimal, the rest as given."""
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return value


def _clock(value: dt.datetime | None) -> dt.datetime | None:
    """A time as the county's clock reads it, for a real date-time cell (no time zone)."""
    moment = county_time(value)
    return moment.replace(tzinfo=None) if moment is not None else None


def _money(value: Decimal | None) -> Decimal | None:
    """A per-session KPI in 元 to the fen, as the page rounds it (GPM, 客单价 are ratios)."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def sales_columns(name: str, net: str | None = None) -> list[Column]:
    """A table of places, shops or brands: its name, net retail (or `net`) and orders."""
    return [
        Column("label", name),
        Column("net", net or _("网络零售额"), "amount"),
        Column("orders", _("订单数"), "count"),
    ]


def progress_columns() -> list[Column]:
    """A target's 完成率, 时间进度 and status, as the target tables export them."""
    return [
        Column("completion", _("完成率"), "percent"),
        Column("time_progress", _("时间进度"), "percent"),
        Column("status", _("状态")),
    ]


def progress_cells(target: Mapping[str, Any] | None) -> dict[str, Any]:
    """The cells of progress_columns for a target's progress (vars of a ProgressRow): rates as
    numbers, the status in words; blank without a target."""
    if target is None:
        return dict.fromkeys(("completion", "time_progress", "status"))
    return {
        "completion": _number(target["completion"]),
        "time_progress": _number(target["time_progress"]),
        "status": status_label(target["status"]),
    }


def targets_table(rows: list[dict[str, Any]]) -> Table:
    """目标进度: each target with its actual to date, 完成率, 时间进度 and status."""
    table = Table(
        key="targets",
        title=_("目标进度"),
        columns=[
            Column("indicator", _("指标")),
            Column("period", _("期间")),
            Column("target", _("目标"), "amount"),
            Column("actual", _("完成"), "amount"),
            *progress_columns(),
        ],
    )
    for row in rows:
        money = row["indicator"] in MONEY_INDICATORS
        table.rows.append(
            {
                "indicator": indicator_label(row["indicator"]),
                "period": month_name(row["month"]) if row["month"] else _("全年"),
                "target": _number(row["target"]),
                "actual": _number(row["actual"]),
                **progress_cells(row),
                # A count or hours target is no money: its cells carry no 元.
                "kinds": {} if money else dict.fromkeys(("target", "actual"), _count_kind(row)),
            }
        )
    return table


def villages_table(rows: list[dict[str, Any]]) -> Table:
    """村: every village of the township with sales in the period."""
    return Table(
        key="villages",
        title=_("村"),
        columns=sales_columns(_("村")),
        rows=[{"label": row["label"], "net": row["net"], "orders": row["orders"]} for row in rows],
    )


def shops_table(rows: list[dict[str, Any]]) -> Table:
    """网店: every shop of the township, those without sales too."""
    return Table(
        key="shops",
        title=_("网店"),
        columns=[*_named_columns(_("网店")), Column("net", _("网络零售额"), "amount")],
        rows=[
            {
                **_named_cells(row["shop"].code, row["shop"].name, row["shop"].platform),
                "net": row["sales"].net if row["sales"] else None,
            }
            for row in rows
        ],
    )


def _named_columns(name: str) -> list[Column]:
    """A shop's or room's code, name (headed `name`) and platform."""
    return [Column("code", _("编码")), Column("name", name), Column("platform", _("平台"))]


def _named_cells(code: str, name: str, platform: str) -> dict[str, Any]:
    return {"code": code, "name": name, "platform": platform_label(platform)}


def _room_columns() -> list[Column]:
    """A room as the room tables start: its code, name and platform, its sessions and hours."""
    return [
        *_named_columns(_("直播间")),
        Column("sessions", _("直播场次"), "count"),
        Column("hours", _("时长（小时）"), "hours"),
    ]


def _room_cells(room: LiveRoom) -> dict[str, Any]:
    return _named_cells(room.code, room.nickname or room.code, room.platform)


def rooms_table(rows: list[dict[str, Any]]) -> Table:
    """直播间: every room of the township with its sessions, hours and 村播带货额."""
    return Table(
        key="rooms",
        title=_("直播间"),
        columns=[*_room_columns(), Column("live_sales", _("村播带货额"), "amount")],
        rows=[
            {
                **_room_cells(row["room"]),
                "sessions": row["sessions"],
                "hours": row["hours"],
                "live_sales": row["live_sales"],
            }
            for row in rows
        ],
    )


def shop_rooms_table(rows: list[dict[str, Any]]) -> Table:
    """直播间: the shop's room cards, each with its sessions in the period as its card shows
    them (a room the user may not see by name only)."""
    table = Table(
        key="rooms",
        title=_("直播间"),
        columns=[
            *_room_columns(),
            Column("sales", _("成交金额（主播填报）"), "amount"),
            Column("order_sales", _("订单成交额"), "amount"),
            Column("conversion", _("看播转化率"), "rate"),
            Column("latest", _("最近开播"), "datetime"),
        ],
    )
    for row in rows:
        report = row["report"]
        cells = _room_cells(row["room"])
        if report is not None:
            cells |= {
                "sessions": report.session_count,
                "hours": report.hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                "sales": _money(report.total.sales),
                "order_sales": _money(report.total.order_sales),
                "conversion": _number(report.total.conversion),
                "latest": _clock(row["latest"].started_at) if row["latest"] else None,
            }
        table.rows.append(cells)
    return table


def recent_sessions_table(sessions: list[LiveSession]) -> Table:
    """最近场次: room, start and end (real date-times on the county's clock), hours, 成交金额,
    成交人数, 场观人数."""
    return Table(
        key="sessions",
        title=_("最近场次"),
        columns=[
            Column("room", _("直播间")),
            Column("started", _("开播时间"), "datetime"),
            Column("ended", _("下播时间"), "datetime"),
            Column("hours", _("时长（小时）"), "hours"),
            Column("sales", _("成交金额"), "amount"),
            Column("buyers", _("成交人数"), "count"),
            Column("viewers", _("场观人数"), "count"),
        ],
        rows=[
            {
                "room": session.room.nickname or session.room.code,
                "started": _clock(session.started_at),
                "ended": _clock(session.ended_at),
                "hours": session.duration_hours,
                "sales": session.sales,
                "buyers": session.buyers,
                "viewers": session.viewers,
            }
            for session in sessions
        ],
    )


def imports_table(imports: list[SalesImport]) -> Table:
    """最近导入: the shop's latest files with what each import read, added and refused."""
    return Table(
        key="imports",
        title=_("最近导入"),
        columns=[
            Column("file", _("文件")),
            Column("uploaded", _("上传时间"), "datetime"),
            Column("status", _("状态")),
            Column("read", _("读取"), "count"),
            Column("inserted", _("新增"), "count"),
            Column("rejected", _("拒绝"), "count"),
        ],
        rows=[
            {
                "file": record.file_name,
                "uploaded": _clock(record.created_at),
                "status": str(IMPORT_STATUS_LABELS.get(record.status, record.status)),
                "read": record.read,
                "inserted": record.inserted,
                "rejected": record.rejected,
            }
            for record in imports
        ],
    )


def room_sessions_table(rows: list[dict[str, Any]]) -> Table:
    """场次: the room's latest sessions with their KPIs, as the room page lists them."""
    return Table(
        key="sessions",
        title=_("场次"),
        columns=[
            Column("started", _("开播时间"), "datetime"),
            Column("hours", _("时长（小时）"), "hours"),
            Column("sales", _("成交金额"), "amount"),
            Column("order_sales", _("订单成交额"), "amount"),
            Column("viewers", _("场观人数"), "count"),
            Column("gpm", "GPM", "amount"),
            Column("uv_value", _("UV价值"), "amount"),
            Column("avg_order_value", _("客单价"), "amount"),
            Column("conversion", _("看播转化率"), "rate"),
            Column("refund_rate", _("退款率"), "percent"),
        ],
        rows=[
            {
                "started": _clock(row["session"].started_at),
                "hours": _number(row["session"].hours),
                "sales": _money(row["kpis"].sales),
                "order_sales": _money(row["kpis"].order_sales),
                "viewers": row["kpis"].viewers,
                "gpm": _money(row["kpis"].gpm),
                "uv_value": _money(row["kpis"].uv_value),
                "avg_order_value": _money(row["kpis"].avg_order_value),
                "conversion": _number(row["kpis"].conversion),
                "refund_rate": _number(row["kpis"].refund_rate),
            }
            for row in rows
        ],
    )


def _count_kind(row: dict[str, Any]) -> str:
    return "hours" if row["indicator"] == "live_hours" else "count"
