"""Growth of an indicator: 当月同比, 累计同比 and 环比 (raw, not seasonally adjusted)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.codes import INDICATORS
from app.metrics.facts import Source
from app.metrics.formatting import divide, ratio
from app.metrics.indicators import Figure, figure_json, indicator_code, indicator_value
from app.metrics.periods import Period, add_months, month_key, month_period, parse_month
from app.metrics.scope import parse_scope


def growth(
    month: str | dt.date,
    indicator: str = "net_retail",
    scope: str = "county",
    source: Source = "rollup",
) -> dict[str, Any]:
    """The growth JSON of SPEC §6, plus `reasons` for every ratio that is null.

    yoy = (this month − same month last year) / same month last year;
    ytd_yoy = (Jan..this month − same months last year) / same months last year;
    mom = (this month − previous month) / previous month.
    """
    first = parse_month(month)
    code = indicator_code(indicator)
    where = parse_scope(scope, allow_streamer=True)
    this = month_period(first)
    ytd = Period(dt.date(first.year, 1, 1), this.end)

    def value(period: Period) -> Figure:
        return indicator_value(code, where, period, source)

    current, last_year = value(this), value(this.last_year())
    to_date, last_to_date = value(ytd), value(ytd.last_year())
    previous = value(month_period(add_months(first, -1)))
    name = INDICATORS[code]
    reasons: dict[str, str] = {}
    yoy = _change(current, last_year, reasons, "yoy", f"上年同月{name}")
    ytd_yoy = _change(to_date, last_to_date, reasons, "ytd_yoy", f"上年同期累计{name}")
    mom = _change(current, previous, reasons, "mom", f"上月{name}")
    return {
        "month": month_key(first),
        "indicator": code,
        "scope": str(where),
        "value": figure_json(code, current.value),
        "last_year": figure_json(code, last_year.value),
        "yoy": ratio(yoy),
        "ytd": figure_json(code, to_date.value),
        "last_year_ytd": figure_json(code, last_to_date.value),
        "ytd_yoy": ratio(ytd_yoy),
        "prev_month": figure_json(code, previous.value),
        "mom": ratio(mom),
        "reasons": reasons,
    }


def _change(now: Figure, base: Figure, reasons: dict[str, str], key: str, what: str) -> Any:
    """(now − base) / base, or None with the reason: no data for the base, or a zero base."""
    why = f"{what}无数据, 无法计算" if not base.recorded else f"{what}为 0, 无法计算"
    share = divide(now.value, base.value, reasons, key, why)
    return None if share is None else share - 1
