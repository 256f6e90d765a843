"""The period a page shows, read from its URL in one place.

The URL says it in one of four ways (every other parameter of the page stays as it is):

- `?period=month&month=2024-06`
- `?period=quarter&quarter=2024Q2`
- `?period=year&year=2024` (a bare `?year=2024`, as older links have it, means the same)
- `?period=custom&from=2024-03-05&to=2024-04-20`

Nothing asked means the default: the current month to date together with the year to date,
where "current" is the latest month with data when today's month has none. A period that cannot
be read falls back to the default with a message the page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from app.beijing import today
from app.metrics.errors import MetricsError
from app.metrics.periods import (
    Period,
    month_end,
    month_key,
    month_period,
    months_in,
    parse_date,
    parse_month,
    parse_quarter,
    previous_period,
    quarter_of,
    whole_months,
    year_period,
)
from app.web.figures import latest_data_day

KINDS = ("month", "quarter", "year", "custom")
MONTHS_OF = {"month": 1, "quarter": 3, "year": 12}
LONGEST_RANGE_DAYS = 366 * 3
EARLIEST_YEAR = 2000  # no period starts before (earlier years have no data, nor a year before)


@dataclass(frozen=True)
class PeriodChoice:
    """The period a page shows: its kind, the calendar period (or range) asked for and the day
    it runs to (today for a period still running), with the periods it is compared with."""

    kind: str
    whole: Period  # the calendar month, quarter or year, or the custom range
    as_of: dt.date  # the last day shown: the period's end, or today while it runs
    default: bool = False
    error: str | None = None  # why what the URL asked could not be shown
    params: dict[str, str] = field(default_factory=dict)  # the URL parameters saying it

    @property
    def period(self) -> Period:
        """The days the figures cover: from the start to `as_of`."""
        return Period(self.whole.start, self.as_of)

    @property
    def last_year(self) -> Period:
        """The same days a year earlier (同比)."""
        return self.period.last_year()

    @property
    def previous(self) -> Period:
        """The period just before (环比): the previous month, quarter or year to the same day;
        for a custom range of whole months, as many months before it, and for any other custom
        range as many days just before it."""
        if self.kind == "custom":
            months = len(months_in(self.whole)) if whole_months(self.whole) else 0
            return previous_period(self.period, months)
        return previous_period(self.period, MONTHS_OF[self.kind])

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def whole_year(self) -> Period:
        """The calendar year the period ends in (the monthly trend shows it)."""
        return year_period(self.as_of.year)

    @property
    def year_to_date(self) -> Period:
        """1 January to `as_of` (本年累计)."""
        return Period(dt.date(self.as_of.year, 1, 1), self.as_of)

    @property
    def partial(self) -> bool:
        return self.as_of < self.whole.end

    @property
    def label(self) -> str:
        start = self.whole.start
        if self.kind == "month":
            return _("%(year)d年%(month)d月", year=start.year, month=start.month)
        if self.kind == "quarter":
            return _("%(year)d年第%(q)d季度", year=start.year, q=quarter_of(start))
        if self.kind == "year":
            return _("%(year)d年", year=start.year)
        return _("%(start)s 至 %(end)s", start=self.whole.start, end=self.whole.end)

    @property
    def previous_label(self) -> str:
        """What 环比 compares with, in words."""
        return {
            "month": _("上月同期"),
            "quarter": _("上季度同期"),
            "year": _("上年"),
        }.get(self.kind, _("前一时段"))


class PeriodUnreadable(ValueError):
    """The URL's period cannot be shown; the message says why in the reader's language."""


def choose_period(args: Mapping[str, Any]) -> PeriodChoice:
    """The period the URL asks for; the default (with `error` saying why) when it cannot be
    read."""
    kind = (args.get("period") or "").strip()
    if not kind and args.get("year"):
        kind = "year"
    if not kind:
        return default_period()
    try:
        return _asked(kind, args)
    except PeriodUnreadable as exc:
        return default_period(error=str(exc))


def default_period(error: str | None = None) -> PeriodChoice:
    """The current month to date: today's month, or the latest month with data when today's
    month has none (then the whole of that month)."""
    now = today()
    latest = latest_data_day()
    if latest is None or (latest.year, latest.month) == (now.year, now.month) or latest > now:
        first, as_of = now.replace(day=1), now
    else:
        first, as_of = latest.replace(day=1), month_end(latest)
    return PeriodChoice(
        "month",
        month_period(first),
        as_of,
        default=True,
        error=error,
        params={"period": "month", "month": month_key(first)},
    )


def _asked(kind: str, args: Mapping[str, Any]) -> PeriodChoice:
    if kind == "month":
        whole = month_period(_read(parse_month, _required(args, "month", _("月份")), "month"))
        params = {"month": month_key(whole.start)}
    elif kind == "quarter":
        whole = _read(parse_quarter, _required(args, "quarter", _("季度")), "quarter")
        params = {"quarter": f"{whole.start.year}Q{quarter_of(whole.start)}"}
    elif kind == "year":
        text = _required(args, "year", _("年度"))
        if not text.isdigit() or len(text) != 4:
            raise PeriodUnreadable(_("年度应为四位数字，如 2024"))
        if int(text) < EARLIEST_YEAR:
            raise PeriodUnreadable(too_early_message(text))
        whole = year_period(int(text))
        params = {"year": text}
    elif kind == "custom":
        start = _read(parse_date, _required(args, "from", _("开始日期")), "day")
        end = _read(parse_date, _required(args, "to", _("结束日期")), "day")
        if end < start:
            raise PeriodUnreadable(
                _("结束日期 %(end)s 早于开始日期 %(start)s", end=end, start=start)
            )
        if (end - start).days >= LONGEST_RANGE_DAYS:
            raise PeriodUnreadable(_("自定义时段最长三年"))
        whole = Period(start, end)
        params = {"from": start.isoformat(), "to": end.isoformat()}
    else:
        raise PeriodUnreadable(_("时段应为月、季度、年度或自定义"))
    if too_early(whole.start):
        raise PeriodUnreadable(too_early_message(whole.start.isoformat()))
    now = today()
    if whole.start > now:
        raise PeriodUnreadable(_("%(start)s 尚未开始", start=whole.start))
    return PeriodChoice(kind, whole, min(whole.end, now), params={"period": kind, **params})


def too_early(start: dt.date) -> bool:
    """Whether a period starting on `start` begins before the earliest year shown."""
    return start.year < EARLIEST_YEAR


def too_early_message(asked: str) -> str:
    """The reader's message for a period (as asked) that begins before the earliest year."""
    return _("时段不能早于 %(year)d 年，收到 %(asked)s", year=EARLIEST_YEAR, asked=asked)


def _read(parse: Callable[[str], Any], text: str, what: str) -> Any:
    """`parse(text)`, or the reader's message for a month, quarter or day written wrong."""
    try:
        return parse(text)
    except MetricsError:
        pass
    if what == "month":
        raise PeriodUnreadable(_("月份应写作 年-月，如 2024-06，收到 %(text)s", text=text))
    if what == "quarter":
        raise PeriodUnreadable(_("季度应写作 年Q季，如 2024Q2，收到 %(text)s", text=text))
    raise PeriodUnreadable(_("日期应写作 年-月-日，如 2024-03-05，收到 %(text)s", text=text))


def _required(args: Mapping[str, Any], name: str, what: str) -> str:
    text = str(args.get(name) or "").strip()
    if not text:
        raise PeriodUnreadable(_("请填写%(what)s", what=what))
    return text


def period_args(choice: PeriodChoice) -> dict[str, str]:
    """The URL parameters of a chosen period (none for the default), for links that keep it."""
    return {} if choice.default else dict(choice.params)


def quarter_options(years: list[int]) -> list[str]:
    """`2024Q4` … `2023Q1` for the years with data, newest first."""
    return [f"{year}Q{q}" for year in years for q in (4, 3, 2, 1)]
