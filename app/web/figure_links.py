"""Where each figure on a page leads: the order lines behind a sum, or the sessions behind a
count of sessions.

Sums of order lines link to `/lines` through `app.web.drill.lines_url`, with the filters that
produce the figure, so the explorer's total equals the number clicked. Counts the streamer
types or that are not sums of lines (直播场次, 直播时长, 活跃直播间) link to the sessions list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask import url_for

from app.metrics.periods import Period, month_end, month_period, parse_month, year_period
from app.metrics.targets import ProgressRow
from app.web.drill import lines_url

# What each money indicator counts, written as /lines filters (SPEC §4).
INDICATOR_FILTERS: dict[str, dict[str, Any]] = {
    "net_retail": {},
    "agri_net_retail": {"agri": True},
    "live_sales": {"basis": "room"},
    "brand_sales": {"branded": True},
}
SESSION_INDICATORS = ("live_sessions", "live_hours", "active_rooms")
# Scopes the lines and the sessions list take (targets may also name a streamer).
LINE_SCOPES = ("county", "township", "village", "brand", "room")
SESSION_SCOPES = ("county", "township", "village", "room")


def _scope(scope: str | None) -> str | None:
    """The county is the default scope, so it is left out of the URL."""
    return None if scope in (None, "county") else scope


def lines_link(period: Period, scope: str | None = "county", **filters: Any) -> str:
    """The order lines of `period` in `scope` with the given /lines filters."""
    return lines_url(from_=period.start, to=period.end, scope=_scope(scope), **filters)


def sessions_link(period: Period, scope: str | None = "county") -> str | None:
    """The sessions list of `period` in `scope`; None for a scope sessions are not counted by."""
    kind = (scope or "county").partition(":")[0]
    if kind not in SESSION_SCOPES:
        return None
    args: dict[str, Any] = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    return url_for("web_sessions.index", **args, scope=_scope(scope))


def indicator_link(indicator: str, scope: str, period: Period) -> str | None:
    """Lines for a money indicator, the sessions list for a session count, else None."""
    kind = scope.partition(":")[0]
    if indicator in INDICATOR_FILTERS:
        if kind not in LINE_SCOPES:
            return None
        return lines_link(period, scope, **INDICATOR_FILTERS[indicator])
    if indicator in SESSION_INDICATORS:
        return sessions_link(period, scope)
    return None


def target_link(row: ProgressRow, year: int, as_of: dt.date) -> str | None:
    """A target's actual: its indicator from the start of the target period to `as_of`."""
    period = month_period(dt.date(year, row.month, 1)) if row.month else year_period(year)
    if as_of < period.start:
        return None
    to_date = Period(period.start, min(as_of, period.end))
    return indicator_link(row.indicator, row.scope, to_date)


def month_links(
    months: Sequence[str],
    values: Sequence[Any],
    scope: str | None = "county",
    years_back: int = 0,
    **filters: Any,
) -> list[str | None]:
    """Per month key (`2024-03`), the lines of that whole month — `years_back` years earlier —
    for the months that have a value; None where the chart shows no point."""
    links: list[str | None] = []
    for key, value in zip(months, values, strict=True):
        if value is None:
            links.append(None)
            continue
        first = parse_month(key)
        first = first.replace(year=first.year - years_back)
        links.append(lines_link(Period(first, month_end(first)), scope, **filters))
    return links


def month_session_links(
    months: Sequence[str], values: Sequence[Any], scope: str, until: dt.date
) -> list[str | None]:
    """Per month key, the sessions list of that month (up to `until`)."""
    links: list[str | None] = []
    for key, value in zip(months, values, strict=True):
        first = parse_month(key)
        if value is None or first > until:
            links.append(None)
            continue
        links.append(sessions_link(Period(first, month_end(first)), scope))
    return links
