"""Growth of an indicator: 当月同比, 累计同比 and 环比 (raw, not seasonally adjusted)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from app.codes import INDICATORS
from app.metrics.facts import Source
from app.metrics.indicators import Figure, indicator_code, indicator_value
from app.metrics.periods import Period, add_months, month_period, parse_month
from app.metrics.ratios import divide
from app.metrics.scope import Scope, parse_scope


@dataclass(frozen=True)
class Growth:
    """An indicator in a month, the same month last year, 1–本月累计 both years and last month;
    the changes on each (a fraction), None with a reason where the base is missing or 0."""

    month: dt.date
    indicator: str
    scope: Scope
    value: Decimal | int
    last_year: Decimal | int
    yoy: Decimal | None
    ytd: Decimal | int
    last_year_ytd: Decimal | int
    ytd_yoy: Decimal | None
    prev_month: Decimal | int
    mom: Decimal | None
    reasons: dict[str, str]


def growth(
    month: str | dt.date,
    indicator: str = "net_retail",
    scope: str = "county",
    source: Source = "rollup",
) -> Growth:
    """Growth (the growth JSON of SPEC §6, typed), with `reasons` for every ratio that is None.

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
    return Growth(
        month=first,
        indicator=code,
        scope=where,
        value=current.value,
        last_year=last_year.value,
        yoy=yoy,
        ytd=to_date.value,
        last_year_ytd=last_to_date.value,
        ytd_yoy=ytd_yoy,
        prev_month=previous.value,
        mom=mom,
        reasons=reasons,
    )


def _change(
    now: Figure, base: Figure, reasons: dict[str, str], key: str, what: str
) -> Decimal | None:
    """(now − base) / base, or None with the reason: no data for the base, or a zero base."""
    why = f"{what}无数据, 无法计算" if not base.recorded else f"{what}为 0, 无法计算"
    share = divide(now.value, base.value, reasons, key, why)
    return None if share is None else share - 1
