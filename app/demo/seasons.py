"""Seasonality of the demo county's sales: festival peaks and product seasons, per day."""

from __future__ import annotations

import datetime as dt

import numpy as np

# 春节 (Spring Festival) dates; the shopping peak runs in the weeks before it.
SPRING_FESTIVAL = {
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
}


def spring_festival(year: int) -> dt.date:
    # Outside the table a date in its usual window is close enough for a demo.
    return SPRING_FESTIVAL.get(year, dt.date(year, 2, 5))


def day_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _days_to_festival(days: list[dt.date]) -> np.ndarray:
    """Signed days from each day to the nearest 春节 (negative before it)."""
    out = np.empty(len(days))
    for i, day in enumerate(days):
        gaps = [(day - spring_festival(y)).days for y in (day.year, day.year + 1)]
        out[i] = min(gaps, key=abs)
    return out


def general_demand(days: list[dt.date]) -> np.ndarray:
    """Multiplier of all online demand: 年货节 before 春节, 618, 双11, 双12, a holiday lull."""
    to_fest = _days_to_festival(days)
    month = np.array([d.month for d in days])
    mday = np.array([d.day for d in days])
    m = np.ones(len(days))
    m += np.where((to_fest >= -26) & (to_fest <= -5), 0.9, 0.0)
    m *= np.where((to_fest >= -3) & (to_fest <= 6), 0.45, 1.0)  # couriers stop over the holiday
    m += np.where((month == 6) & (mday <= 18), 0.5, 0.0)
    m += np.where((month == 6) & (mday == 18), 1.0, 0.0)
    m += np.where(((month == 10) & (mday == 31)) | ((month == 11) & (mday <= 11)), 0.6, 0.0)
    m += np.where((month == 11) & (mday == 11), 1.6, 0.0)
    m += np.where((month == 12) & (mday >= 10) & (mday <= 12), 0.3, 0.0)
    m *= np.where((month == 7) | (month == 8), 0.9, 1.0)
    weekend = np.array([d.weekday() >= 5 for d in days])
    return m * np.where(weekend, 1.1, 1.0)


def promotion(days: list[dt.date]) -> np.ndarray:
    """Price factor: shops cut prices a little for 618 and 双11."""
    month = np.array([d.month for d in days])
    mday = np.array([d.day for d in days])
    on = ((month == 6) & (mday <= 18)) | ((month == 11) & (mday <= 11))
    return np.where(on, 0.95, 1.0)


def product_season(days: list[dt.date], season: str) -> np.ndarray:
    """Relative demand for a product with the given season key ('' = flat)."""
    n = len(days)
    if not season:
        return np.ones(n)
    month = np.array([d.month for d in days])
    mday = np.array([d.day for d in days])
    if season == "summer":  # watermelon: late May to August only
        on = ((month == 5) & (mday >= 15)) | (month == 6) | (month == 7) | (month == 8)
        return np.where(on, 5.0, 0.02)
    if season == "autumn":  # winter jujube: mid-September to November
        on = ((month == 9) & (mday >= 10)) | (month == 10) | (month == 11)
        return np.where(on, 5.0, 0.02)
    if season == "tea":  # 明前茶 and spring tea
        on = ((month == 3) & (mday >= 10)) | (month == 4) | ((month == 5) & (mday <= 20))
        return np.where(on, 2.5, 0.8)
    if season == "winter":
        return np.select(
            [np.isin(month, (11, 12, 1, 2)), np.isin(month, (6, 7, 8))], [1.8, 0.6], 1.0
        )
    if season == "spring":
        return np.where(np.isin(month, (3, 4, 5)), 2.0, 0.8)
    if season == "festival":  # gifts bought for 春节
        to_fest = _days_to_festival(days)
        return np.where((to_fest >= -30) & (to_fest <= -3), 3.0, 1.0)
    raise ValueError(f"unknown season {season!r}")
