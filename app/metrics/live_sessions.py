"""Session KPIs (场次指标) from the streamer's figures, beside the order lines attributed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
    "unknown": "留空的项为未知：需要它的指标不计入缺这一项的场次",
}
COUNT_FIELDS: tuple[str, ...] = ("items", "buyers", "viewers", "views", "peak_online")
COUNT_FIELDS += ("avg_online", "avg_watch_seconds", "new_followers")
COUNT_LABELS = {
    "items": "成交件数",
    "buyers": "成交人数",
    "viewers": "场观人数",
    "views": "观看次数",
    "peak_online": "最高在线",
    "avg_online": "平均在线",
    "avg_watch_seconds": "人均观看时长",
    "new_followers": "新增粉丝",
}
# Each KPI: (numerator, denominator); "sales" is the typed 成交金额, always known.
KPI_BASES: dict[str, tuple[str, str]] = {
    "gpm": ("sales", "views"),
    "uv_value": ("sales", "viewers"),
    "avg_order_value": ("sales", "buyers"),
    "avg_item_price": ("sales", "items"),
    "conversion": ("buyers", "viewers"),
}


@dataclass(frozen=True)
class SessionKpis:
    """A session's (or several sessions') figures: 成交金额 as typed, the attributed order lines'
    gross and net beside it (None without attributed lines), the counts the streamer typed (None
    where unknown: left blank), and the KPIs. A KPI of several sessions leaves out the sessions
    missing a count it needs and says so in `reasons`; it is None with a reason where no session
    has its base or the base is 0. `missing` counts, per count, the sessions that lack it."""

    sales: Decimal
    order_sales: Decimal | None
    sales_difference: Decimal | None
    order_net: Decimal | None
    items: int | None
    buyers: int | None
    viewers: int | None
    views: int | None
    peak_online: int | None
    avg_online: int | None
    avg_watch_seconds: int | None
    new_followers: int | None
    attributed_lines: int
    refunded_lines: int
    gpm: Decimal | None
    uv_value: Decimal | None
    avg_order_value: Decimal | None
    avg_item_price: Decimal | None
    conversion: Decimal | None
    refund_rate: Decimal | None
    reasons: dict[str, str]
    missing: dict[str, int] = field(default_factory=dict)


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
    typed: list[dict[str, Any]] = []
    seconds_total = Decimal(0)
    summed = {"gross": Decimal(0), "net": Decimal(0), "lines": 0, "refunded": 0}
    for session, room_code, nickname, streamer in found:
        lines = orders.get(session.id)
        seconds = Decimal((session.ended_at - session.started_at).total_seconds())
        figures = {"sales": session.sales} | {n: getattr(session, n) for n in COUNT_FIELDS}
        typed.append(figures)
        sessions.append(
            SessionRow(
                id=session.id,
                room=room_code,
                room_name=nickname,
                streamer=streamer,
                started_at=to_beijing(session.started_at),
                ended_at=to_beijing(session.ended_at),
                hours=seconds / HOUR,
                kpis=_kpis([figures], lines),
            )
        )
        seconds_total += seconds
        for name in summed:
            if lines:
                summed[name] += lines[name]
    return SessionsReport(
        period=period,
        room=room,
        sessions=sessions,
        session_count=len(sessions),
        hours=seconds_total / HOUR,
        total=_kpis(typed, summed if orders else None),
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


def _kpis(typed: list[dict[str, Any]], lines: dict[str, Any] | None) -> SessionKpis:
    """The figures and KPIs of `typed` sessions (one or several): counts summed over the
    sessions that know them, each KPI over the sessions that know both its terms."""
    reasons: dict[str, str] = {}
    sales = sum((figures["sales"] for figures in typed), Decimal("0.00"))
    counts: dict[str, int | None] = {}
    missing: dict[str, int] = {}
    for name in COUNT_FIELDS:
        known = [figures[name] for figures in typed if figures[name] is not None]
        counts[name] = sum(known) if known else None
        if len(known) < len(typed):
            missing[name] = len(typed) - len(known)
    ratios = {kpi: _ratio(typed, kpi, reasons) for kpi in KPI_BASES}
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
        items=counts["items"],
        buyers=counts["buyers"],
        viewers=counts["viewers"],
        views=counts["views"],
        peak_online=counts["peak_online"],
        avg_online=counts["avg_online"],
        avg_watch_seconds=counts["avg_watch_seconds"],
        new_followers=counts["new_followers"],
        attributed_lines=lines["lines"] if lines else 0,
        refunded_lines=lines["refunded"] if lines else 0,
        gpm=ratios["gpm"],
        uv_value=ratios["uv_value"],
        avg_order_value=ratios["avg_order_value"],
        avg_item_price=ratios["avg_item_price"],
        conversion=ratios["conversion"],
        refund_rate=refund_rate,
        reasons=reasons,
        missing=missing,
    )


def _ratio(typed: list[dict[str, Any]], kpi: str, reasons: dict[str, str]) -> Decimal | None:
    """Σ numerator / Σ denominator over the sessions knowing both (GPM per 1000 views); the
    sessions left out are named in `reasons[kpi]`, never counted as 0."""
    top, base = KPI_BASES[kpi]
    usable = [f for f in typed if f[top] is not None and f[base] is not None]
    lacking = [f for f in typed if f[top] is None or f[base] is None]
    if lacking:
        names = [COUNT_LABELS[n] for n in (base, top) if n != "sales" and _lacks(lacking, n)]
        label = "或".join(names)
        if len(typed) == 1:
            reasons[kpi] = f"{label}未填"
        else:
            reasons[kpi] = f"{len(lacking)} 场缺{label}" + ("，未计入" if usable else "")
    if not usable:
        return None
    numerator = sum((Decimal(f[top]) for f in usable), Decimal(0))
    denominator = sum((Decimal(f[base]) for f in usable), Decimal(0))
    if kpi == "gpm":
        numerator *= 1000
    if denominator == 0:
        zero = f"{COUNT_LABELS[base]}为 0"
        reasons[kpi] = f"{reasons[kpi]}；{zero}" if kpi in reasons else zero
        return None
    return numerator / denominator


def _lacks(typed: list[dict[str, Any]], name: str) -> bool:
    return any(figures[name] is None for figures in typed)
