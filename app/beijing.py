"""Beijing time (Asia/Shanghai, UTC+8 all year): the county's clock.

Times are stored as naive UTC; days, months and everything shown are Beijing time. China keeps
no daylight saving time, so the offset is fixed and vectorised code may add `OFFSET` directly.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
OFFSET = dt.timedelta(hours=8)


def to_beijing(utc_naive: dt.datetime) -> dt.datetime:
    """Naive UTC (as stored) → aware Beijing time; an aware time is converted as it is."""
    aware = utc_naive if utc_naive.tzinfo else utc_naive.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZONE)


def to_utc(moment: dt.datetime) -> dt.datetime:
    """A Beijing wall-clock time (naive) or any aware time → naive UTC, as stored."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=ZONE)
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def day_of(utc_naive: dt.datetime) -> dt.date:
    """The Beijing calendar day of a stored time (16:30 UTC is 00:30 the next day)."""
    return to_beijing(utc_naive).date()


def midnight_utc(day: dt.date) -> dt.datetime:
    """00:00 Beijing time on `day`, as naive UTC."""
    return to_utc(dt.datetime.combine(day, dt.time()))


def today() -> dt.date:
    """Today's date in Beijing."""
    return dt.datetime.now(ZONE).date()
