"""A streamer's home for the period of the URL (app.web.periods; the current month to date by
default): the period's sessions and 成交金额 (typed and order-based) with 同比 and 环比, each
room's last session of the period against the room's own average over the period (成交金额, GPM,
UV价值, 转化率), the trend over the period's sessions with the order-based 成交金额 beside the
typed one, the latest sessions, and the button to log a new one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.auth import current_scope
from app.beijing import day_of
from app.extensions import db
from app.metrics.live_sessions import (
    KPI_BASES,
    SessionKpis,
    SessionRow,
    SessionsReport,
    sessions_report,
)
from app.metrics.periods import Period
from app.models import LiveRoom, LiveSession
from app.web.charts import ACCENT, SECOND
from app.web.figures import change, data_years
from app.web.periods import PeriodChoice, choose_period, period_args

RECENT_SESSIONS = 10
TREND_SESSIONS = 366  # the latest sessions of the period drawn in the trend
COUNT_NAMES = {
    "items": _l("成交件数"),
    "buyers": _l("成交人数"),
    "viewers": _l("场观人数"),
    "views": _l("观看次数"),
}


@dataclass(frozen=True)
class Comparison:
    """One figure of the last session beside the room's average and how far it is from it."""

    key: str
    label: str
    kind: str  # amount | percent
    last: Decimal | None
    average: Decimal | None
    change: Decimal | None  # a fraction of the average (amount), or 百分点 (percent)
    note: str | None  # why the last or the average is unknown, or what it leaves out


@dataclass(frozen=True)
class RoomHome:
    room: LiveRoom
    last: SessionRow | None  # the room's last session of the period
    sessions: int  # in the average: the room's sessions of the period
    latest: dt.date | None  # the day of the room's latest session, when the period has none
    figures: list[Comparison]
    rows: list[SessionRow]  # the sessions of the period, oldest first
    report: SessionsReport | None


@dataclass(frozen=True)
class Totals:
    """The streamer's rooms over some days: sessions, typed 成交金额 and the order-based one
    (None when no order line is attributed to any of those sessions)."""

    sessions: int
    sales: Decimal
    order_sales: Decimal | None


@dataclass(frozen=True)
class TotalFigure:
    """A figure of the period with 同比 (the same days last year) and 环比 (the period before)."""

    key: str
    label: str
    kind: str  # count | amount
    value: Decimal | int | None
    year_on_year: Decimal | None
    previous: Decimal | None


def streamer_home() -> str:
    """The page a streamer lands on after signing in."""
    choice = choose_period(request.args)
    scope = current_scope()
    rooms = list(
        db.session.scalars(
            select(LiveRoom).where(scope.where(room=LiveRoom.code)).order_by(LiveRoom.code)
        )
    )
    recent = list(
        db.session.scalars(
            select(LiveSession)
            .join(LiveSession.room)
            .where(scope.where(room=LiveRoom.code))
            .order_by(LiveSession.started_at.desc())
            .limit(RECENT_SESSIONS)
        )
    )
    homes = [_room_home(room, choice.period) for room in rooms]
    rows = [row for home in homes for row in home.rows]
    now = _summed([home.report for home in homes if home.report])
    return render_template(
        "pages/my_rooms.html",
        span=choice,
        years=data_years(),
        keep=period_args(choice),
        rooms=rooms,
        homes=homes,
        totals=_figures(choice, rooms, now) if rooms else [],
        year_to_date=_totals(choice.year_to_date, rooms) if rooms and choice.default else None,
        sessions=recent,
        trend=_trend(rows),
        drawn=min(len(rows), TREND_SESSIONS),
    )


def _figures(choice: PeriodChoice, rooms: list[LiveRoom], now: Totals) -> list[TotalFigure]:
    """The period's totals, each with 同比 and 环比."""
    year_ago = _totals(choice.last_year, rooms)
    before = _totals(choice.previous, rooms)
    shown: list[tuple[str, str, str]] = [
        ("sessions", _("直播场次"), "count"),
        ("sales", _("成交金额（填报）"), "amount"),
        ("order_sales", _("订单成交金额"), "amount"),
    ]
    return [
        TotalFigure(
            key,
            label,
            kind,
            getattr(now, key),
            change(getattr(now, key), getattr(year_ago, key)),
            change(getattr(now, key), getattr(before, key)),
        )
        for key, label, kind in shown
    ]


def _totals(period: Period, rooms: list[LiveRoom]) -> Totals:
    return _summed([sessions_report(period.start, period.end, room.code) for room in rooms])


def _summed(reports: list[SessionsReport]) -> Totals:
    orders = [report.total.order_sales for report in reports if report.session_count]
    known = [amount for amount in orders if amount is not None]
    return Totals(
        sessions=sum(report.session_count for report in reports),
        sales=sum((report.total.sales for report in reports), Decimal("0.00")),
        order_sales=sum(known, Decimal("0.00")) if known else None,
    )


def _latest_day(room: LiveRoom) -> dt.date | None:
    last = db.session.scalar(
        select(func.max(LiveSession.started_at)).where(LiveSession.room_id == room.id)
    )
    return None if last is None else day_of(last)


def _room_home(room: LiveRoom, period: Period) -> RoomHome:
    report = sessions_report(period.start, period.end, room.code)
    if not report.sessions:
        return RoomHome(room, None, 0, _latest_day(room), [], [], report)
    last = report.sessions[-1]
    count = report.session_count
    total = report.total
    with_orders = [row.kpis.order_sales for row in report.sessions if row.kpis.order_sales]
    order_average = (
        sum(with_orders, Decimal(0)) / len(with_orders)
        if with_orders and total.order_sales is not None
        else None
    )
    figures = [
        _compare("sales", _("成交金额（填报）"), "amount", last.kpis.sales, total.sales / count),
        _compare(
            "order_sales",
            _("订单成交金额"),
            "amount",
            last.kpis.order_sales,
            order_average,
            _("上一场没有归属的订单行") if last.kpis.order_sales is None else None,
        ),
        _ratio("gpm", "GPM", "amount", last.kpis, total),
        _ratio("uv_value", _("UV价值"), "amount", last.kpis, total),
        _ratio("conversion", _("转化率"), "percent", last.kpis, total),
    ]
    return RoomHome(room, last, count, None, figures, report.sessions, report)


def _ratio(key: str, label: str, kind: str, last: SessionKpis, total: SessionKpis) -> Comparison:
    """A KPI of the last session beside the same KPI over the room's sessions (their sums, so
    a session missing the count it needs is left out, as the note says)."""
    needs = [name for name in KPI_BASES[key] if name != "sales"]
    notes: list[str] = []
    last_missing = [str(COUNT_NAMES[name]) for name in needs if getattr(last, name) is None]
    if last_missing:
        notes.append(_("上一场未填%(what)s", what=_("、").join(last_missing)))
    elif getattr(last, key) is None:
        notes.append(_("上一场%(what)s为 0", what=str(COUNT_NAMES[KPI_BASES[key][1]])))
    left_out = max((total.missing.get(name, 0) for name in needs), default=0)
    if left_out:
        what = _("、").join(str(COUNT_NAMES[name]) for name in needs if total.missing.get(name))
        notes.append(_("平均未计入 %(n)d 场缺%(what)s的", n=left_out, what=what))
    note = _("；").join(notes) or None
    return _compare(key, label, kind, getattr(last, key), getattr(total, key), note)


def _compare(
    key: str,
    label: str,
    kind: str,
    last: Decimal | None,
    average: Decimal | None,
    note: str | None = None,
) -> Comparison:
    change: Decimal | None = None
    if last is not None and average is not None:
        # Rounded as shown (0.1 百分点, 0.1%), so that a 0.0 is not coloured as a fall.
        if kind == "percent":
            change = ((last - average) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        elif average != 0:
            change = ((last - average) / average).quantize(Decimal("0.001"), ROUND_HALF_UP)
    return Comparison(key, label, kind, last, average, change, note)


def _trend(rows: list[SessionRow]) -> dict[str, Any] | None:
    """ECharts option: the typed 成交金额 and the order-based one over the latest sessions."""
    rows = sorted(rows, key=lambda row: row.started_at)[-TREND_SESSIONS:]
    if not rows:
        return None
    labels = [row.started_at.strftime("%m-%d") for row in rows]
    rooms = {row.room for row in rows}
    if len(rooms) > 1:
        labels = [f"{label} {row.room}" for label, row in zip(labels, rows, strict=True)]
    return {
        "color": [ACCENT, SECOND],
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 12, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": _("成交金额（填报）"),
                "type": "line",
                "data": [float(row.kpis.sales) for row in rows],
                "symbolSize": 5,
            },
            {
                "name": _("订单成交金额"),
                "type": "line",
                "data": [_number(row.kpis.order_sales) for row in rows],
                "symbolSize": 5,
                "lineStyle": {"type": "dashed"},
            },
        ],
    }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
