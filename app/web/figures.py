"""Small bridges between pages and `app.metrics`: which year to show, up to which day, and
the scope parameter of the signed-in user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.auth import AccessScope
from app.beijing import day_of, today
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.indicators import Figure, indicator_value
from app.metrics.periods import Period
from app.metrics.retail import RetailRow
from app.metrics.scope import parse_scope
from app.metrics.targets import ProgressRow, target_progress
from app.models import LiveSession, OrderLine


@dataclass(frozen=True)
class Span:
    """1 January of `year` to `as_of`, and the same days a year earlier (for 同比)."""

    year: int
    as_of: dt.date

    @property
    def period(self) -> Period:
        return Period(dt.date(self.year, 1, 1), self.as_of)

    @property
    def last_year(self) -> Period:
        return self.period.last_year()

    @property
    def whole_year(self) -> Period:
        return Period(dt.date(self.year, 1, 1), dt.date(self.year, 12, 31))

    @property
    def partial(self) -> bool:
        """Whether the year is still running (figures are 1–to-date, not the whole year)."""
        return self.as_of < dt.date(self.year, 12, 31)


def data_years() -> list[int]:
    """Years with sales lines or sessions, newest first; this year when there is nothing yet."""
    first_day, last_day = db.session.execute(
        select(func.min(OrderLine.pay_day), func.max(OrderLine.pay_day))
    ).one()
    first_start, last_start = db.session.execute(
        select(func.min(LiveSession.started_at), func.max(LiveSession.started_at))
    ).one()
    starts = [d.year for d in (first_day, first_start) if d is not None]
    ends = [d.year for d in (last_day, last_start) if d is not None]
    if not starts:
        return [today().year]
    return list(range(max(ends), min(starts) - 1, -1))


def latest_data_day() -> dt.date | None:
    """The latest Beijing day with a sales line or a session start; None with no data yet."""
    last_day = db.session.scalar(select(func.max(OrderLine.pay_day)))
    last_start = db.session.scalar(select(func.max(LiveSession.started_at)))
    days = [last_day] if last_day is not None else []
    if last_start is not None:
        days.append(day_of(last_start))
    return max(days) if days else None


def chosen_span(requested: Any) -> tuple[Span, list[int]]:
    """The year asked for in `?year=` when it has data, else the latest year with data."""
    years = data_years()
    try:
        year = int(requested)
    except (TypeError, ValueError):
        year = years[0]
    if year not in years:
        year = years[0]
    return Span(year, min(today(), dt.date(year, 12, 31))), years


def scope_param(scope: AccessScope) -> str | None:
    """The metrics scope a dashboard shows: the county, or the user's one township."""
    if scope.county:
        return "county"
    if len(scope.townships) == 1:
        return f"township:{next(iter(scope.townships))}"
    return None


def figure(indicator: str, scope: str, period: Period) -> Figure | None:
    """One indicator for a scope and period; None when the metrics refuse (unknown code …)."""
    try:
        return indicator_value(indicator, parse_scope(scope), period)
    except MetricsError:
        return None


def change(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    """(now − before) / before, or None when there is no base to compare with."""
    if now is None or before is None or Decimal(before) == 0:
        return None
    return (Decimal(now) - Decimal(before)) / Decimal(before)


def share(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    if part is None or whole is None or Decimal(whole) == 0:
        return None
    return Decimal(part) / Decimal(whole)


def linked_row(row: RetailRow, link: str | None, **more: Any) -> dict[str, Any]:
    """A retail row as a page row: key, label, its sums (typed) and where the figure leads."""
    return {
        "key": row.key,
        "label": row.label,
        "gross": row.gross,
        "refund": row.refund,
        "net": row.net,
        "orders": row.orders,
        "units": row.units,
        "link": link,
        **more,
    }


def progress_rows(year: int, as_of: dt.date, access: AccessScope) -> list[ProgressRow]:
    """Progress of the year's targets the user may see (each row knows its month; None: the
    year)."""
    return [row for row in target_progress(year, as_of).rows if access.permits(row.scope)]
