"""Session KPIs (场次指标) from the streamer's figures, beside the order lines attributed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from app.beijing import to_beijing
from app.extensions import db
from app.metrics.live import HOUR
from app.metrics.periods import Period, parse_date
from app.metrics.ratios import divide
from app.metrics.scope import COUNTY, Scope, parse_scope
from app.metrics.sql import line_fully_refunded
from app.models import LiveRoom, LiveSession, OrderLine, Streamer

FORMULAS = {
    "gpm": "GPM = 成交金额 / 观看次数 × 1000",
    "uv_value": "UV价值 = 成交金额 / 场观人数",
    "avg_order_value": "客单价 = 成交金额 / 成交人数",
    "avg_item_price": "件均价 = 成交金额 / 成交件数",
    "conversion": "看播转化率 = 成交人数 / 场观人数",
    "refund_rate": "退款率 = 全额退款的归属订单行 / 归属成交订单行",
    "sales_difference": "差额 = 填报成交金额 − 订单成交金额",
}
COUNT_FIELDS: tuple[str, ...] = ("items", "buyers", "viewers", "views", "peak_online")
COUNT_FIELDS += ("avg_online", "avg_watch_seconds", "new_followers")


@dataclass(frozen=True)
class SessionKpis:
    """A session's (or several sessions') figures: 成交金额 as typed, the attributed order lines'
    gross and net beside it (None without attributed lines), the counts the streamer typed, and
    the KPIs (None with a reason where their base is 0)."""

    sales: Decimal
    order_sales: Decimal | None
    sales_difference: Decimal | None
    order_net: Decimal | None
    items: int
    buyers: int
    viewers: int
    views: int
    peak_online: int
    avg_online: int
    avg_watch_seconds: int
    new_followers: int
    attributed_lines: int
    refunded_lines: int
    gpm: Decimal | None
    uv_value: Decimal | None
    avg_order_value: Decimal | None
    avg_item_price: Decimal | None
    conversion: Decimal | None
    refund_rate: Decimal | None
    reasons: dict[str, str]


@dataclass(frozen=True)
class SessionRow:
    """One session: its room, streamer, Beijing start and end, hours and figures."""

    id: int
    room: str
    room_name: str | None
    streamer: str | None
    started_at: dt.datetime  # aware, Beijing time
    ended_at: dt.datetime
    hours: Decimal
    kpis: SessionKpis


@dataclass(frozen=True)
class SessionsReport:
    period: Period
    room: str | None
    sessions: list[SessionRow]
    session_count: int
    hours: Decimal
    total: SessionKpis
    formulas: dict[str, str]


def sessions_report(
    start: str | dt.date, end: str | dt.date, room: str | None = None
) -> SessionsReport:
    """Every session started from `start` to `end` (Beijing days), optionally of one room, with
    its KPIs; typed 成交金额 beside the order-based one where order lines are attributed."""
    period = Period(parse_date(start), parse_date(end))
    scope: Scope = parse_scope(f"room:{room}") if room else COUNTY
    begin, stop = period.utc_bounds()
    stmt = (
        select(LiveSession, LiveRoom.code, LiveRoom.nickname, Streamer.code)
        .join(LiveRoom, LiveRoom.id == LiveSession.room_id)
        .outerjoin(Streamer, Streamer.id == LiveSession.streamer_id)
        .where(LiveSession.started_at >= begin, LiveSession.started_at < stop)
        .order_by(LiveSession.started_at, LiveSession.id)
    )
    if scope.id is not None:
        stmt = stmt.where(LiveSession.room_id == scope.id)
    found = db.session.execute(stmt).all()
    orders = _attributed([row[0].id for row in found])
    sessions: list[SessionRow] = []
    total: dict[str, Any] = {"sales": Decimal(0), "seconds": Decimal(0), "lines": 0}
    total.update({name: 0 for name in COUNT_FIELDS})
    total.update({"order_sales": Decimal(0), "order_net": Decimal(0), "refunded": 0})
    for session, room_code, nickname, streamer in found:
        lines = orders.get(session.id)
        seconds = Decimal((session.ended_at - session.started_at).total_seconds())
        counts = {name: getattr(session, name) or 0 for name in COUNT_FIELDS}
        sessions.append(
            SessionRow(
                id=session.id,
                room=room_code,
                room_name=nickname,
                streamer=streamer,
                started_at=to_beijing(session.started_at),
                ended_at=to_beijing(session.ended_at),
                hours=seconds / HOUR,
                kpis=_kpis(session.sales, counts, lines),
            )
        )
        total["sales"] += session.sales
        total["seconds"] += seconds
        for name in COUNT_FIELDS:
            total[name] += counts[name]
        if lines:
            total["order_sales"] += lines["gross"]
            total["order_net"] += lines["net"]
            total["lines"] += lines["lines"]
            total["refunded"] += lines["refunded"]
    summed = {"gross": total["order_sales"], "net": total["order_net"]}
    summed |= {"lines": total["lines"], "refunded": total["refunded"]}
    return SessionsReport(
        period=period,
        room=room,
        sessions=sessions,
        session_count=len(sessions),
        hours=total["seconds"] / HOUR,
        total=_kpis(
            total["sales"], {n: total[n] for n in COUNT_FIELDS}, summed if orders else None
        ),
        formulas=FORMULAS,
    )


def _attributed(session_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per session: gross, net, sale lines and fully refunded lines attributed to it."""
    if not session_ids:
        return {}
    line = OrderLine
    stmt = (
        select(
            line.session_id,
            func.sum(line.paid_amount),
            func.sum(line.refund_amount),
            func.count(),
            func.sum(case((line_fully_refunded(), 1), else_=0)),
        )
        .where(line.session_id.in_(session_ids), line.pay_day.is_not(None))
        .group_by(line.session_id)
    )
    return {
        session_id: {
            "gross": gross,
            "net": gross - refund,
            "lines": int(count),
            "refunded": int(refunded or 0),
        }
        for session_id, gross, refund, count, refunded in db.session.execute(stmt)
    }


def _kpis(sales: Decimal, counts: dict[str, int], lines: dict[str, Any] | None) -> SessionKpis:
    reasons: dict[str, str] = {}
    gpm = divide(sales * 1000, counts["views"], reasons, "gpm", "观看次数为 0")
    uv_value = divide(sales, counts["viewers"], reasons, "uv_value", "场观人数为 0")
    per_buyer = divide(sales, counts["buyers"], reasons, "avg_order_value", "成交人数为 0")
    per_item = divide(sales, counts["items"], reasons, "avg_item_price", "成交件数为 0")
    conversion = divide(counts["buyers"], counts["viewers"], reasons, "conversion", "场观人数为 0")
    if lines is None:
        reasons["order_sales"] = "没有归属到本场的订单行"
        refund_rate = divide(None, None, reasons, "refund_rate", "没有归属到本场的订单行")
    else:
        refund_rate = divide(
            lines["refunded"], lines["lines"], reasons, "refund_rate", "没有归属的成交订单行"
        )
    return SessionKpis(
        sales=sales,
        order_sales=lines["gross"] if lines else None,
        sales_difference=sales - lines["gross"] if lines else None,
        order_net=lines["net"] if lines else None,
        **counts,
        attributed_lines=lines["lines"] if lines else 0,
        refunded_lines=lines["refunded"] if lines else 0,
        gpm=gpm,
        uv_value=uv_value,
        avg_order_value=per_buyer,
        avg_item_price=per_item,
        conversion=conversion,
        refund_rate=refund_rate,
        reasons=reasons,
    )
