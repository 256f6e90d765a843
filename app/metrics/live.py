"""Live-room activity: sessions, hours, active rooms (活跃直播间) and 村播带货额 by month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Select, distinct, func, select

from app.codes import SCOPE_TYPES
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.facts import Query, Source, line_totals
from app.metrics.periods import Period, month_period, year_period
from app.metrics.scope import COUNTY, Scope
from app.metrics.sql import seconds_between
from app.models import LiveRoom, LiveSession, Village
from app.wording import N_, named, say

HOUR = Decimal(3600)


@dataclass
class SessionCounts:
    sessions: int
    hours: Decimal
    active_rooms: int


@dataclass(frozen=True)
class LiveMonth:
    """One month: sessions started, active rooms (活跃直播间) and 村播带货额 (元)."""

    month: dt.date
    sessions: int
    active_rooms: int
    live_sales: Decimal


@dataclass(frozen=True)
class LiveYear:
    year: int
    months: list[LiveMonth]

    @property
    def total_sessions(self) -> int:
        return sum(month.sessions for month in self.months)


def active_threshold() -> Decimal:
    """A room is active in a period with a session whose 成交金额 exceeds this (config)."""
    return Decimal(str(current_app.config.get("ACTIVE_ROOM_MIN_SALES", "0")))


def _sessions_in(period: Period, scope: Scope, *columns: Any) -> Select[Any]:
    """Sessions started on the period's Beijing days, within `scope` (by the room's village)."""
    start, stop = period.utc_bounds()
    stmt = select(*columns).where(LiveSession.started_at >= start, LiveSession.started_at < stop)
    if scope.kind in ("township", "village"):
        stmt = stmt.join(LiveRoom, LiveRoom.id == LiveSession.room_id)
        if scope.kind == "village":
            stmt = stmt.where(LiveRoom.village_id == scope.id)
        else:
            stmt = stmt.join(Village, Village.id == LiveRoom.village_id)
            stmt = stmt.where(Village.township_id == scope.id)
    elif scope.kind == "room":
        stmt = stmt.where(LiveSession.room_id == scope.id)
    elif scope.kind == "streamer":
        stmt = stmt.where(LiveSession.streamer_id == scope.id)
    elif scope.kind != "county":
        what = named(SCOPE_TYPES.get(scope.kind, scope.kind), scope.kind)
        raise MetricsError(say(N_("直播场次不按{what}统计"), what=what))
    return stmt


def session_counts(period: Period, scope: Scope = COUNTY) -> SessionCounts:
    """场次 = sessions started in the period; 时长 = Σ (end − start) in hours; 活跃直播间 =
    distinct rooms with a session whose 成交金额 > ACTIVE_ROOM_MIN_SALES."""
    count, seconds = db.session.execute(
        _sessions_in(
            period,
            scope,
            func.count(LiveSession.id),
            func.sum(seconds_between(LiveSession.started_at, LiveSession.ended_at)),
        )
    ).one()
    active = db.session.scalar(
        _sessions_in(period, scope, func.count(distinct(LiveSession.room_id))).where(
            LiveSession.sales > active_threshold()
        )
    )
    hours = (Decimal(str(seconds or 0)) / HOUR).quantize(Decimal("0.01"))
    return SessionCounts(int(count or 0), hours, int(active or 0))


def live_year(year: int, source: Source = "rollup") -> LiveYear:
    """GET /metrics/live, typed: per month of `year` its sessions, active rooms and 村播带货额."""
    period = year_period(year)
    sales = line_totals(Query(period, "month", basis="room"), source, orders=False)
    months: list[LiveMonth] = []
    for number in range(1, 13):
        month = month_period(dt.date(year, number, 1))
        counts = session_counts(month)
        net = sales[month.start].net if month.start in sales else Decimal("0.00")
        months.append(LiveMonth(month.start, counts.sessions, counts.active_rooms, net))
    return LiveYear(year, months)
