"""Calendar periods in Beijing time: month arithmetic, leap years, splitting by month."""

from __future__ import annotations

import datetime as dt

import pytest

from app.beijing import day_of
from app.metrics.errors import MetricsError
from app.metrics.periods import (
    Period,
    add_months,
    elapsed_fraction,
    month_period,
    parse_month,
    split_by_month,
    year_period,
)

D = dt.date


def test_beijing_midnight() -> None:
    assert day_of(dt.datetime(2024, 1, 31, 16, 30)) == D(2024, 2, 1)
    assert day_of(dt.datetime(2024, 1, 31, 15, 59)) == D(2024, 1, 31)
    assert Period(D(2024, 2, 1), D(2024, 2, 29)).utc_bounds() == (
        dt.datetime(2024, 1, 31, 16, 0),
        dt.datetime(2024, 2, 29, 16, 0),
    )


def test_month_arithmetic_clamps_to_month_length() -> None:
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 2, 29), -12) == D(2023, 2, 28)
    assert add_months(D(2024, 1, 15), -1) == D(2023, 12, 15)
    assert add_months(D(2023, 12, 1), 1) == D(2024, 1, 1)


def test_last_year_of_leap_february_keeps_month_end() -> None:
    assert month_period(D(2024, 2, 1)).last_year() == Period(D(2023, 2, 1), D(2023, 2, 28))
    assert month_period(D(2023, 2, 1)).shift_months(12) == Period(D(2024, 2, 1), D(2024, 2, 29))
    assert Period(D(2024, 1, 1), D(2024, 2, 29)).last_year() == Period(
        D(2023, 1, 1), D(2023, 2, 28)
    )


def test_leap_year_has_366_days() -> None:
    assert year_period(2024).days == 366
    assert year_period(2023).days == 365
    assert elapsed_fraction(year_period(2024), D(2024, 2, 29)) == (60, 366)
    assert elapsed_fraction(year_period(2024), D(2024, 9, 30)) == (274, 366)
    assert elapsed_fraction(year_period(2024), D(2025, 3, 1)) == (366, 366)
    assert elapsed_fraction(year_period(2024), D(2023, 12, 31)) == (0, 366)


def test_split_by_month_covers_the_range_exactly() -> None:
    whole, partial = split_by_month(Period(D(2024, 1, 15), D(2024, 4, 10)))
    assert whole == [month_period(D(2024, 2, 1)), month_period(D(2024, 3, 1))]
    assert partial == [
        Period(D(2024, 1, 15), D(2024, 1, 31)),
        Period(D(2024, 4, 1), D(2024, 4, 10)),
    ]
    whole, partial = split_by_month(year_period(2024))
    assert len(whole) == 12 and partial == []


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(MetricsError, match="YYYY-MM"):
        parse_month("2024-13")
    with pytest.raises(MetricsError, match="YYYY-MM"):
        parse_month("2024-1")
    with pytest.raises(MetricsError):
        Period(D(2024, 2, 2), D(2024, 2, 1))


def test_refusals_are_said_in_chinese_and_english() -> None:
    from app.metrics.periods import parse_date, parse_quarter, quarter_period

    cases = [
        (lambda: parse_date("2024-02-30"), "日期格式应为 YYYY-MM-DD", "Write dates as YYYY-MM-DD"),
        (lambda: parse_month("2024-13"), "月份格式应为 YYYY-MM", "Write months as YYYY-MM"),
        (lambda: parse_quarter("2024Q5"), "季度格式应为 YYYYQn", "Write quarters as YYYYQn"),
        (lambda: quarter_period(2024, 5), "季度应为 1 至 4", "The quarter should be 1 to 4"),
        (
            lambda: Period(D(2024, 2, 2), D(2024, 2, 1)),
            "结束日期 2024-02-01 早于开始日期 2024-02-02",
            "The end date 2024-02-01 is before the start date 2024-02-02",
        ),
    ]
    for refused, chinese, english in cases:
        with pytest.raises(MetricsError) as caught:
            refused()
        assert chinese in str(caught.value) and english in caught.value.say("en")
        # The Chinese carries no English tail.
        assert "(bad" not in str(caught.value) and "(to is" not in str(caught.value)


def test_quarters() -> None:
    from app.metrics.periods import parse_quarter, quarter_of, quarter_period

    assert quarter_period(2024, 1) == Period(D(2024, 1, 1), D(2024, 3, 31))
    assert quarter_period(2024, 4) == Period(D(2024, 10, 1), D(2024, 12, 31))
    assert parse_quarter("2024Q2") == Period(D(2024, 4, 1), D(2024, 6, 30))
    assert parse_quarter("2024-q3") == quarter_period(2024, 3)
    assert [quarter_of(D(2024, m, 1)) for m in (1, 3, 4, 6, 7, 12)] == [1, 1, 2, 2, 3, 4]
    for bad in ("2024Q5", "2024", "24Q1", "Q1", "2024Q"):
        with pytest.raises(MetricsError, match="季度"):
            parse_quarter(bad)


@pytest.mark.parametrize(
    ("start", "end", "before_start", "before_end"),
    [
        # A month: the month before (a leap February, a 31-day March).
        (D(2024, 3, 1), D(2024, 3, 31), D(2024, 2, 1), D(2024, 2, 29)),
        (D(2024, 1, 1), D(2024, 1, 31), D(2023, 12, 1), D(2023, 12, 31)),
        # A quarter: the quarter before; a year: the year before.
        (D(2024, 4, 1), D(2024, 6, 30), D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 1, 1), D(2024, 12, 31), D(2023, 1, 1), D(2023, 12, 31)),
        # Month-to-date: the same days of the month before, clamped to its length.
        (D(2024, 6, 1), D(2024, 6, 5), D(2024, 5, 1), D(2024, 5, 5)),
        (D(2024, 3, 1), D(2024, 3, 30), D(2024, 2, 1), D(2024, 2, 29)),
        # Quarter-to-date: the same days of the quarter before.
        (D(2024, 10, 1), D(2024, 11, 15), D(2024, 8, 1), D(2024, 9, 15)),
        # Any other range: as many days just before it.
        (D(2024, 3, 5), D(2024, 4, 20), D(2024, 1, 18), D(2024, 3, 4)),
        (D(2024, 1, 10), D(2024, 1, 10), D(2024, 1, 9), D(2024, 1, 9)),
    ],
)
def test_previous_period(start, end, before_start, before_end) -> None:
    from app.metrics.periods import previous_period

    before = previous_period(Period(start, end))
    assert before == Period(before_start, before_end)
    if start.day == 1 and end.day == 15:  # quarter-to-date, told it is a quarter
        assert previous_period(Period(start, end), 3) == Period(D(2024, 7, 1), D(2024, 8, 15))
    if start.day != 1:
        assert before.days == Period(start, end).days and before.end == start - dt.timedelta(1)


def test_previous_period_by_days_when_told() -> None:
    from app.metrics.periods import previous_period, whole_months

    # A custom range from the 1st that is not whole months: the 46 days just before it.
    odd = Period(D(2025, 3, 1), D(2025, 4, 15))
    assert not whole_months(odd)
    assert previous_period(odd, 0) == Period(D(2025, 1, 14), D(2025, 2, 28))
    assert whole_months(Period(D(2025, 3, 1), D(2025, 4, 30)))
    assert whole_months(Period(D(2024, 2, 1), D(2024, 2, 29)))
