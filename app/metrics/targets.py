"""Progress against targets as of a date: 完成率, 时间进度, gap, status and projections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from app import beijing
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.facts import Source
from app.metrics.indicators import indicator_code, indicator_value
from app.metrics.periods import Period, elapsed_fraction, month_period, parse_date, year_period
from app.metrics.scope import COUNTY, Scope, parse_scope
from app.models import Target

# 县 targets name the county; Cunbo serves one county, so they cover everything.
_SCOPE_TYPES = ("county", "township", "village", "room", "brand", "streamer")
NO_TIME_PROGRESS = ("active_rooms",)  # a count of distinct rooms does not accrue with time
LAGGING_PP = Decimal(-5)


@dataclass
class ProgressRow:
    """One target: its value and the actual to date (元 for money indicators, else a count or
    hours), 完成率, 时间进度 and gap (百分点) as fractions, status, and the projected full-period
    values; each None where it cannot be computed, with the reason in `reasons`."""

    scope: str
    indicator: str  # the code once known; as written on the target when not
    month: int | None  # None: a yearly target
    target: Decimal | None = None
    actual: Decimal | int | None = None
    completion: Fraction | None = None
    time_progress: Fraction | None = None
    gap_pp: Fraction | None = None
    status: str | None = None
    projection_run_rate: Decimal | None = None
    projection_seasonal: Decimal | None = None
    reasons: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TargetProgress:
    year: int
    as_of: dt.date
    rows: list[ProgressRow]


def status_for(gap_pp: Decimal) -> str:
    """超进度 (gap ≥ 0), 略慢 (−5 < gap < 0), 滞后 (gap ≤ −5); gap in 百分点."""
    if gap_pp >= 0:
        return "超进度"
    if gap_pp > LAGGING_PP:
        return "略慢"
    return "滞后"


def target_progress(
    year: int, as_of: str | dt.date | None = None, source: Source = "rollup"
) -> TargetProgress:
    """Target progress (SPEC §6, typed): every target of `year`, measured from its period's start
    to `as_of` (default: today in Beijing, or the year's end for a past year)."""
    day = parse_date(as_of) if as_of else min(beijing.today(), dt.date(year, 12, 31))
    targets = db.session.scalars(
        select(Target).where(Target.year == year).order_by(Target.id)
    ).all()
    return TargetProgress(year, day, [progress_row(target, day, source) for target in targets])


def target_scope(target: Target) -> Scope:
    if target.scope_type not in _SCOPE_TYPES:
        raise MetricsError(f"未知目标范围类型 {target.scope_type!r}")
    if target.scope_type == "county":
        return COUNTY
    return parse_scope(f"{target.scope_type}:{target.scope_code}", allow_streamer=True)


def progress_row(target: Target, as_of: dt.date, source: Source = "rollup") -> ProgressRow:
    """完成率 = actual / target; 时间进度 = days elapsed incl. as_of / days in period;
    gap = (完成率 − 时间进度) in 百分点; projections = actual / 时间进度 and
    actual × last year's full period / last year's same-to-date."""
    period = (
        month_period(dt.date(target.year, target.month, 1))
        if target.month
        else (year_period(target.year))
    )
    written = (
        "county" if target.scope_type == "county" else (f"{target.scope_type}:{target.scope_code}")
    )
    row = ProgressRow(written, target.indicator, target.month)
    reasons = row.reasons
    try:
        code = indicator_code(target.indicator)
        scope = target_scope(target)
        row.indicator = code
        elapsed, days = elapsed_fraction(period, as_of)
        to_date = Period(period.start, min(as_of, period.end)) if elapsed else None
        actual = indicator_value(code, scope, to_date, source).value if to_date else Decimal(0)
    except MetricsError as exc:
        reasons["actual"] = str(exc)
        return row
    goal = Decimal(target.value)
    row.target = goal
    row.actual = actual
    completion = Fraction(actual) / Fraction(goal) if goal else None
    if completion is None:
        reasons["completion"] = "目标值为 0, 无法计算完成率"
    row.completion = completion
    if code in NO_TIME_PROGRESS:
        reasons["time_progress"] = "活跃直播间是期内去重计数, 不按时间进度衡量"
        return row
    progress = Fraction(elapsed, days)
    row.time_progress = progress
    if completion is not None:
        gap = (completion - progress) * 100
        row.gap_pp = gap
        row.status = status_for(Decimal(gap.numerator) / Decimal(gap.denominator))
    if elapsed == 0:
        reasons["projection_run_rate"] = "目标期尚未开始, 无法推算"
    else:
        row.projection_run_rate = _projected(Fraction(actual) / progress)
    row.projection_seasonal = _seasonal(code, scope, period, as_of, actual, reasons, source)
    return row


def _seasonal(
    code: str,
    scope: Scope,
    period: Period,
    as_of: dt.date,
    actual: Decimal | int,
    reasons: dict[str, str],
    source: Source,
) -> Decimal | None:
    """actual × (last year's full period / last year's same period to date)."""
    if as_of < period.start:
        reasons["projection_seasonal"] = "目标期尚未开始, 无法推算"
        return None
    last = period.last_year()
    last_to_date = Period(last.start, Period(period.start, min(as_of, period.end)).last_year().end)
    base = indicator_value(code, scope, last_to_date, source).value
    if not base:
        reasons["projection_seasonal"] = "上年同期无数据, 无法按季节推算"
        return None
    full = indicator_value(code, scope, last, source).value
    return _projected(Fraction(actual) * Fraction(full) / Fraction(base))


def _projected(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)
