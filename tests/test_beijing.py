"""The county's clock: stored naive UTC against Beijing days and times."""

from __future__ import annotations

import datetime as dt

from app import beijing


def test_a_late_utc_evening_is_the_next_beijing_day() -> None:
    stored = dt.datetime(2024, 6, 30, 16, 30)
    assert beijing.day_of(stored) == dt.date(2024, 7, 1)
    assert beijing.to_beijing(stored).isoformat() == "2024-07-01T00:30:00+08:00"


def test_beijing_wall_clock_to_stored_utc_and_back() -> None:
    local = dt.datetime(2024, 1, 1, 0, 0, 0)
    stored = beijing.to_utc(local)
    assert stored == dt.datetime(2023, 12, 31, 16, 0) and stored.tzinfo is None
    assert beijing.to_beijing(stored).replace(tzinfo=None) == local
    assert beijing.midnight_utc(dt.date(2024, 1, 1)) == stored
    aware = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
    assert beijing.to_utc(aware) == dt.datetime(2024, 1, 1, 9, 0)


def test_the_offset_is_the_zone_all_year() -> None:
    for month in range(1, 13):
        moment = dt.datetime(2024, month, 15, 12, tzinfo=beijing.ZONE)
        assert moment.utcoffset() == beijing.OFFSET
