"""The figures a month close freezes, and the adjustments later changes make to them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.codes import INDICATORS
from app.extensions import db
from app.metrics.facts import Query, line_totals
from app.metrics.formatting import figure_json, money
from app.metrics.indicators import LINE_QUERIES, indicator_value
from app.metrics.periods import month_key, month_period, parse_month
from app.metrics.scope import COUNTY, Scope
from app.models import MonthClose, Township

# The figures a month close freezes, for the county and every township.
CLOSED_INDICATORS: tuple[str, ...] = ("net_retail", "agri_net_retail", "live_sales", "brand_sales")
CLOSED_INDICATORS += ("live_sessions", "live_hours", "active_rooms")
COUNTY_NAME = "全县"


def scopes() -> list[Scope]:
    """The county, then every township by code."""
    rows = db.session.execute(select(Township.id, Township.code).order_by(Township.code))
    return [COUNTY, *(Scope("township", code, row_id) for row_id, code in rows)]


def township_names() -> dict[str, str]:
    return dict(db.session.execute(select(Township.code, Township.name)).tuples().all())


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


def month_adjustments(month: str | dt.date) -> list[dict[str, Any]]:
    """Changes to months closed before `month` since they were last reported: one row per
    changed (month, scope, indicator) with the value reported, the value now, the difference,
    the place's name, its township code (None for the county) and when the value was reported."""
    key = month_key(parse_month(month))
    closes = list(
        db.session.scalars(
            select(MonthClose).where(MonthClose.month < key).order_by(MonthClose.month)
        )
    )
    names = township_names()
    rows = []
    for closed in closes:
        # The figures last reported: the latest close at or after `closed`, before `month`.
        reported, reported_at = closed.snapshot["figures"], closed.closed_at
        for later in closes:
            if later.month > closed.month and closed.month in later.snapshot.get("restated", {}):
                reported, reported_at = later.snapshot["restated"][closed.month], later.closed_at
        now = month_figures(closed.month)["figures"]
        for scope, values in now.items():
            kind, _colon, code = scope.partition(":")
            for indicator, value in values.items():
                before = reported.get(scope, {}).get(indicator)
                if _number(before) == _number(value):
                    continue
                rows.append(
                    {
                        "month": closed.month,
                        "scope": scope,
                        "township": code if kind == "township" else None,
                        "place": COUNTY_NAME if kind == "county" else names.get(code, code),
                        "indicator": indicator,
                        "label": INDICATORS[indicator],
                        "reported": before,
                        "now": value,
                        "difference": _difference(indicator, before, value),
                        "reported_at": reported_at,
                    }
                )
    return rows


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _difference(code: str, before: Any, now: Any) -> Any:
    return figure_json(code, _number(now) - _number(before))
