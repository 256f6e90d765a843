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
