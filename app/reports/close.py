"""月结: freeze a month's reported figures; later changes become adjustments, not rewrites."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.codes import INDICATORS
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.facts import Query, line_totals
from app.metrics.formatting import money
from app.metrics.indicators import LINE_QUERIES, figure_json, indicator_value
from app.metrics.periods import add_months, month_key, month_period, parse_month
from app.metrics.scope import COUNTY, Scope
from app.models import MonthClose, Township, utcnow

# The figures a month close freezes, for the county and every township.
CLOSED_INDICATORS: tuple[str, ...] = ("net_retail", "agri_net_retail", "live_sales", "brand_sales")
CLOSED_INDICATORS += ("live_sessions", "live_hours", "active_rooms")


class MonthAlreadyClosed(MetricsError):
    """The month has a close already; closes are never overwritten."""


def scopes() -> list[Scope]:
    """The county, then every township by code."""
    rows = db.session.execute(select(Township.id, Township.code).order_by(Township.code))
    return [COUNTY, *(Scope("township", code, row_id) for row_id, code in rows)]


def month_figures(month: str | dt.date) -> dict[str, Any]:
    """The month's reported figures: {"figures": {scope: {indicator: value}}, "platforms"}."""
    period = month_period(parse_month(month))
    every = scopes()
    figures: dict[str, dict[str, Any]] = {str(scope): {} for scope in every}
    for code in CLOSED_INDICATORS:
        if code in LINE_QUERIES:
            # One grouped query per indicator rather than one per township.
            options = LINE_QUERIES[code]
            county = line_totals(Query(period, None, **options), orders=False)
            towns = line_totals(Query(period, "township", **options), orders=False)
            for scope in every:
                found = county.get(None) if scope is COUNTY else towns.get(scope.id)
                figures[str(scope)][code] = figure_json(code, found.net if found else 0)
        else:
            for scope in every:
                value = indicator_value(code, scope, period).value
                figures[str(scope)][code] = figure_json(code, value)
    platforms = line_totals(Query(period, "platform"), orders=False)
    return {
        "figures": figures,
        "platforms": {key: money(totals.net) for key, totals in sorted(platforms.items())},
    }


def close_month(month: str | dt.date, user_id: int | None = None) -> MonthClose:
    """Store the month's figures in a MonthClose, with the earlier closed months restated as
    known now (so each later change is reported once, in the next report)."""
    first = parse_month(month)
    key = month_key(first)
    if db.session.scalar(select(MonthClose.id).where(MonthClose.month == key)) is not None:
        raise MonthAlreadyClosed(f"{key} 已月结, 不能重复月结 (already closed)")
    earlier = db.session.scalars(
        select(MonthClose.month).where(MonthClose.month < key).order_by(MonthClose.month)
    ).all()
    snapshot = {
        "month": key,
        **month_figures(first),
        "restated": {other: month_figures(other)["figures"] for other in earlier},
        "computed_at": utcnow().isoformat(timespec="seconds"),
    }
    record = MonthClose(month=key, snapshot=snapshot, closed_by_id=user_id)
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent close of the same month won
        db.session.rollback()
        raise MonthAlreadyClosed(f"{key} 已月结, 不能重复月结 (already closed)") from exc
    return record


def month_adjustments(month: str | dt.date) -> list[dict[str, Any]]:
    """Changes to months closed before `month` since the last report: one row per changed
    (month, scope, indicator) with the value reported, the value now and the difference."""
    key = month_key(parse_month(month))
    closes = {
        row.month: row.snapshot
        for row in db.session.scalars(
            select(MonthClose).where(MonthClose.month < key).order_by(MonthClose.month)
        )
    }
    rows = []
    for closed in closes:
        # The figures last reported: the latest close at or after `closed`, before `month`.
        reported = closes[closed]["figures"]
        for later, snapshot in closes.items():
            if later > closed and closed in snapshot.get("restated", {}):
                reported = snapshot["restated"][closed]
        now = month_figures(closed)["figures"]
        for scope, values in now.items():
            for code, value in values.items():
                before = reported.get(scope, {}).get(code)
                if _number(before) != _number(value):
                    rows.append(
                        {
                            "month": closed,
                            "scope": scope,
                            "indicator": code,
                            "label": INDICATORS[code],
                            "reported": before,
                            "now": value,
                            "difference": _difference(code, before, value),
                        }
                    )
    return rows


def previous_month(month: str | dt.date) -> str:
    return month_key(add_months(parse_month(month), -1))


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _difference(code: str, before: Any, now: Any) -> Any:
    return figure_json(code, _number(now) - _number(before))
