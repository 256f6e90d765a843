"""Figures for one township, shop or live room, gathered from the metrics services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select

from app.auth import AccessScope
from app.extensions import db
from app.metrics.facts import Totals
from app.metrics.live import session_counts
from app.metrics.live_sessions import SessionRow, SessionsReport, sessions_report
from app.metrics.periods import Period, month_end, months_in
from app.metrics.retail import RetailRow, retail
from app.metrics.scope import Scope
from app.models import LiveRoom, LiveSession, SalesImport, Shop, Township, Village
from app.web.drill import lines_url
from app.web.figure_links import lines_link, sessions_link, target_link
from app.web.figures import change, progress_rows
from app.web.periods import PeriodChoice

RECENT = 10
ATTRIBUTION_GRACE = dt.timedelta(minutes=30)  # a line paid this long after the end still counts


def township_targets(code: str, span: PeriodChoice, access: AccessScope) -> list[dict[str, Any]]:
    """Every target of the year set for this township, with its progress and the link to
    what its actual counts."""
    return [
        {**vars(row), "link": target_link(row, span.year, span.as_of)}
        for row in progress_rows(span.year, span.as_of, access)
        if row.scope == f"township:{code}"
    ]


def _sales_by(township: Township, span: PeriodChoice, by: str) -> dict[str | None, RetailRow]:
    """The township's retail rows to date grouped `by`, by key."""
    found = retail(span.period.start, span.period.end, by, f"township:{township.code}")
    return {row.key: row for row in found.rows}


def _of_township(model: Any, township: Township) -> list[Any]:
    """Every shop or room of the township's villages, by code."""
    return list(
        db.session.scalars(
            select(model)
            .join(model.village)
            .where(Village.township_id == township.id)
            .order_by(model.code)
        )
    )


def shops_with_sales(township: Township, span: PeriodChoice) -> list[dict[str, Any]]:
    """Every shop of the township with its net retail to date (shops without sales too)."""
    sales = _sales_by(township, span, "shop")
    scope = f"township:{township.code}"
    return [
        {
            "shop": shop,
            "sales": sales.get(shop.code),
            "link": lines_link(span.period, scope, shop=shop.code),
        }
        for shop in _of_township(Shop, township)
    ]


def rooms_with_activity(township: Township, span: PeriodChoice) -> list[dict[str, Any]]:
    """The township's rooms with their sessions, hours and 村播带货额 to date."""
    sales = _sales_by(township, span, "room")
    scope = f"township:{township.code}"
    found = []
    for room in _of_township(LiveRoom, township):
        counts = session_counts(span.period, Scope("room", room.code, room.id))
        row = sales.get(room.code)
        found.append(
            {
                "room": room,
                "sessions": counts.sessions,
                "hours": counts.hours,
                "live_sales": row.net if row else Decimal("0.00"),
                "link": lines_link(span.period, scope, room=room.code, basis="room"),
                "sessions_link": sessions_link(span.period, f"room:{room.code}"),
            }
        )
    return found


def recent_sessions(where: Any, limit: int = RECENT) -> list[LiveSession]:
    """The latest sessions of rooms matching `where` (a clause over LiveRoom/Village)."""
    return list(
        db.session.scalars(
            select(LiveSession)
            .join(LiveSession.room)
            .join(LiveRoom.village)
            .where(where)
            .order_by(LiveSession.started_at.desc())
            .limit(limit)
        )
    )


def shop_months(shop: Shop, year: int) -> tuple[list[str], list[Decimal], list[Decimal]]:
    """The shop's net retail per month of `year` and of the year before.

    The metrics group by shop but have no shop scope, so each month is read grouped by shop
    within the shop's village and the shop's row is kept.
    """
    scope = f"village:{shop.village.code}"
    months: list[str] = []
    this: list[Decimal] = []
    last: list[Decimal] = []
    for first in months_in(Period(dt.date(year, 1, 1), dt.date(year, 12, 31))):
        months.append(f"{first.year:04d}-{first.month:02d}")
        for values, start in ((this, first), (last, first.replace(year=year - 1))):
            found = retail(start, month_end(start), "shop", scope).row(shop.code)
            values.append(found.net if found else Decimal(0))
    return months, this, last


def shop_totals(shop: Shop, span: PeriodChoice) -> tuple[Totals, Decimal | None, Decimal | None]:
    """The shop's gross, refund, net, orders and units in the period, 同比 and 环比 of its net."""
    scope = f"village:{shop.village.code}"

    def totals(period: Period) -> Totals:
        found = retail(period.start, period.end, "shop", scope).row(shop.code)
        return found.totals if found else Totals()

    now, before, earlier = totals(span.period), totals(span.last_year), totals(span.previous)
    growth = change(now.net, before.net) if before.orders else None
    return now, growth, change(now.net, earlier.net) if earlier.orders else None


def shop_imports(shop: Shop, limit: int = RECENT) -> list[SalesImport]:
    return list(
        db.session.scalars(
            select(SalesImport)
            .where(SalesImport.shop_id == shop.id)
            .order_by(SalesImport.id.desc())
            .limit(limit)
        )
    )


def shop_rooms(shop: Shop, span: PeriodChoice, access: AccessScope) -> list[dict[str, Any]]:
    """The shop's rooms by code, each with its sessions in the period (None for a room the
    user may not see: a streamer sees the other rooms of their shop by name only)."""
    rooms = sorted(shop.rooms, key=lambda room: room.code)
    found = []
    for room in rooms:
        report = room_report(room, span) if access.permits(f"room:{room.code}") else None
        found.append(
            {
                "room": room,
                "report": report,
                "latest": report.sessions[-1] if report and report.sessions else None,
                "sessions_link": sessions_link(span.period, f"room:{room.code}"),
            }
        )
    return found


def shop_sessions_clause(shop: Shop, scope: AccessScope) -> Any:
    """The shop's rooms whose sessions `scope` may read (for `recent_sessions`): all of them
    for its township and the county, a streamer's own rooms only."""
    where = LiveRoom.shop_id == shop.id
    if scope.permits(f"township:{shop.village.township.code}"):
        return where
    own = [room.code for room in shop.rooms if scope.allows("room", room.code)]
    return and_(where, LiveRoom.code.in_(own))


def may_see_shop(scope: AccessScope, shop: Shop) -> bool:
    """County roles; the shop's township; a streamer whose room sells through it."""
    if scope.permits(f"township:{shop.village.township.code}"):
        return True
    return any(scope.allows("room", room.code) for room in shop.rooms)


def room_months(
    room: LiveRoom, span: PeriodChoice
) -> tuple[list[str], list[int], list[Decimal | None]]:
    """Sessions and 村播带货额 (order-based) of the room per month of the year, to date."""
    scope = Scope("room", room.code, room.id)
    year = retail(span.whole_year.start, span.whole_year.end, "month", f"room:{room.code}")
    sales = {row.key: row.net for row in year.rows}
    months: list[str] = []
    sessions: list[int] = []
    values: list[Decimal | None] = []
    for first in months_in(span.whole_year):
        key = f"{first.year:04d}-{first.month:02d}"
        months.append(key)
        if first > span.as_of:
            sessions.append(0)
            values.append(None)
            continue
        sessions.append(session_counts(Period(first, month_end(first)), scope).sessions)
        values.append(sales.get(key, Decimal(0)))
    return months, sessions, values


def room_report(room: LiveRoom, span: PeriodChoice) -> SessionsReport:
    """Session KPIs of the room to date (sessions_report)."""
    return sessions_report(span.period.start, span.period.end, room.code)


def newest_sessions(report: SessionsReport, limit: int) -> list[dict[str, Any]]:
    """The report's latest sessions first, each with the link to its attributed lines."""
    return [
        {"session": session, "kpis": session.kpis, "link": session_lines(session)}
        for session in list(reversed(report.sessions))[:limit]
    ]


def session_lines(session: SessionRow) -> str:
    """The order lines attributed to one session: paid from its start to 30 minutes after its
    end (Beijing days), whatever the period around it."""
    end = session.ended_at + ATTRIBUTION_GRACE
    return lines_url(from_=session.started_at.date(), to=end.date(), session=session.id)
