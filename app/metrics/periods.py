"""Calendar periods of Beijing days (app.beijing): days, months, years, shifting them by months."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from app.beijing import midnight_utc
from app.metrics.errors import MetricsError
from app.wording import N_, say


@dataclass(frozen=True)
class Period:
    """An inclusive range of Beijing calendar days [start, end]."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise MetricsError(
                say(N_("结束日期 {end} 早于开始日期 {start}"), end=self.end, start=self.start)
            )

    @property
    def days(self) -> int:
        """Days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def shift_months(self, months: int) -> Period:
        """The same period `months` later (negative: earlier); month ends stay month ends."""
        end = add_months(self.end, months)
        if self.end == month_end(self.end):
            end = month_end(end)
        return Period(add_months(self.start, months), end)

    def last_year(self) -> Period:
        """The same dates a year earlier (2024-02-29 → 2023-02-28)."""
        return self.shift_months(-12)

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Naive-UTC [start, stop) covering the period's Beijing days."""
        return midnight_utc(self.start), midnight_utc(self.end + dt.timedelta(1))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the target month's length (1-31 + 1 → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def month_period(first: dt.date) -> Period:
    """The calendar month containing `first`."""
    return Period(month_start(first), month_end(first))


def month_so_far(first: dt.date, today: dt.date) -> Period:
    """The month of `first` up to `today` while it runs; the whole month once it is over."""
    start = month_start(first)
    return Period(start, max(start, min(month_end(first), today)))


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def year_to_month(first: dt.date) -> Period:
    """1 January to the end of the month containing `first` (1–本月累计)."""
    return Period(dt.date(first.year, 1, 1), month_end(first))


def months_in(period: Period) -> list[dt.date]:
    """First days of every month the period touches, in order."""
    months = []
    current = month_start(period.start)
    while current <= period.end:
        months.append(current)
        current = add_months(current, 1)
    return months


def days_in(period: Period) -> list[dt.date]:
    return [period.start + dt.timedelta(n) for n in range(period.days)]


def split_by_month(period: Period) -> tuple[list[Period], list[Period]]:
    """(whole months inside the period, leftover day ranges at its ends), covering it exactly."""
    whole: list[Period] = []
    partial: list[Period] = []
    for first in months_in(period):
        last = month_end(first)
        if period.start <= first and last <= period.end:
            whole.append(Period(first, last))
        else:
            partial.append(Period(max(first, period.start), min(last, period.end)))
    return whole, partial


def parse_date(text: str | dt.date) -> dt.date:
    """`YYYY-MM-DD` → date; a clear error otherwise."""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise MetricsError(say(N_("日期格式应为 YYYY-MM-DD，收到“{text}”"), text=text)) from exc


def parse_month(text: str | dt.date) -> dt.date:
    """`YYYY-MM` → the month's first day; a clear error otherwise."""
    if isinstance(text, dt.date):
        return month_start(text)
    value = str(text).strip()
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(value)
        return dt.date(int(year), int(month), 1)
    except ValueError as exc:
        raise MetricsError(say(N_("月份格式应为 YYYY-MM，收到“{text}”"), text=text)) from exc


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def elapsed_fraction(period: Period, as_of: dt.date) -> tuple[int, int]:
    """(days elapsed including `as_of`, clamped to the period; days in the period)."""
    elapsed = (as_of - period.start).days + 1
    return max(0, min(elapsed, period.days)), period.days


def quarter_of(day: dt.date) -> int:
    """1–4: the calendar quarter of `day`."""
    return (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> Period:
    """The calendar quarter `quarter` (1–4) of `year`."""
    if quarter not in (1, 2, 3, 4):
        raise MetricsError(say(N_("季度应为 1 至 4，收到 {quarter}"), quarter=quarter))
    first = dt.date(year, 3 * quarter - 2, 1)
    return Period(first, month_end(add_months(first, 2)))


def parse_quarter(text: str) -> Period:
    """`YYYYQn` (`2024Q2`, also `2024-Q2`) → that quarter; a clear error otherwise."""
    value = str(text).strip().upper().replace("-", "")
    year, sep, quarter = value.partition("Q")
    if not sep or len(year) != 4 or not year.isdigit() or quarter not in ("1", "2", "3", "4"):
        raise MetricsError(say(N_("季度格式应为 YYYYQn（如 2024Q2），收到“{text}”"), text=text))
    return quarter_period(int(year), int(quarter))


def whole_months(period: Period) -> bool:
    """Whether the period runs from a month's first day to a month's last day."""
    return period.start.day == 1 and period.end == month_end(period.end)


def previous_period(period: Period, months: int | None = None) -> Period:
    """The period just before `period`, for 环比.

    A period starting on a month's first day is compared with the same days `months` months
    earlier (by default as many months as it touches): a month with the previous month, a
    quarter with the previous quarter, a year with the previous year, month-to-date (1–5 June)
    with the same days of the month before (1–5 May), quarter-to-date (`months=3`) with the same
    days of the quarter before. `months=0`, and any range not starting on a 1st, is compared
    with as many days just before it (1 March–15 April 2025 with 14 January–28 February).
    """
    if period.start.day == 1 and months != 0:
        return period.shift_months(-(months or len(months_in(period))))
    stop = period.start - dt.timedelta(days=1)
    return Period(stop - dt.timedelta(days=period.days - 1), stop)
