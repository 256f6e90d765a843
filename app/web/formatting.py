"""How numbers and times read on a page: 万/亿 with the full figure on hover, Beijing time."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from markupsafe import Markup, escape

from app import beijing
from app.web.i18n import current_language

DASH = "—"
# (threshold, suffix), largest first.
CHINESE_UNITS = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
ENGLISH_UNITS = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def to_decimal(value: Any) -> Decimal | None:
    """A Decimal from a number, a fraction or a numeric string; None for blanks and non-numbers."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _trim(number: Decimal, places: int) -> str:
    """Round to `places`, group thousands, drop trailing zeros (15.90 → 15.9, 2911.00 → 2,911)."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def full_number(value: Any, places: int = 2) -> str:
    """Every digit, grouped: 1,590,000,000.00."""
    number = to_decimal(value)
    if number is None:
        return DASH
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"


def short_number(value: Any, places: int = 2, language: str | None = None) -> str:
    """A figure as a person says it: 15.9亿, 2,911万, 8,000 (1.59B, 29.11M in English)."""
    number = to_decimal(value)
    if number is None:
        return DASH
    units = CHINESE_UNITS if (language or current_language()) == "zh" else ENGLISH_UNITS
    for threshold, suffix in units:
        if abs(number) >= threshold:
            return _trim(number / threshold, places) + suffix
    return _trim(number, places)


def amount(value: Any, places: int = 2) -> Markup:
    """Money (元) shortened, with the exact figure in the title shown on hover."""
    return _with_title(short_number(value, places), full_number(value, 2))


def count(value: Any) -> Markup:
    """A count (sessions, buyers, viewers) shortened, exact on hover."""
    return _with_title(short_number(value, 2), full_number(value, 0))


def _with_title(shown: str, full: str) -> Markup:
    if shown == DASH:
        return Markup('<span class="num">{}</span>').format(DASH)
    return Markup('<span class="num" title="{}">{}</span>').format(escape(full), shown)


def percent(value: Any, places: int = 1) -> str:
    """A fraction as a percentage with one decimal: 0.435 → 43.5%; None → —."""
    number = to_decimal(value)
    if number is None:
        return DASH
    return f"{_trim(number * 100, places)}%"


def signed_percent(value: Any, places: int = 1) -> str:
    """A change as +12.3% / −4.5%; None → —."""
    number = to_decimal(value)
    if number is None:
        return DASH
    sign = "+" if number > 0 else ("−" if number < 0 else "")
    return f"{sign}{_trim(abs(number) * 100, places)}%"


def points(value: Any, places: int = 1) -> str:
    """A difference of rates already in 百分点: +2.5 / −6.0 (the unit is added by the page)."""
    number = to_decimal(value)
    if number is None:
        return DASH
    sign = "+" if number > 0 else ("−" if number < 0 else "")
    rounded = abs(number).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{sign}{rounded}"


def bar_width(value: Any) -> str:
    """A fraction as a CSS width between 0% and 100% (a bar never overflows its track)."""
    number = to_decimal(value)
    if number is None:
        return "0%"
    clamped = min(max(number, Decimal(0)), Decimal(1))
    return f"{(clamped * 100).quantize(Decimal('0.1'))}%"


def trend(value: Any) -> str:
    """`up`, `down` or `flat` for colouring a change."""
    number = to_decimal(value)
    if number is None or number == 0:
        return "flat"
    return "up" if number > 0 else "down"


def county_time(value: dt.datetime | None) -> dt.datetime | None:
    """Naive UTC (as stored) or aware → the county's clock: Beijing time (app.beijing), or the
    zone CUNBO_TIMEZONE names where a deployment sets another."""
    if value is None:
        return None
    name = current_app.config.get("CUNBO_TIMEZONE") or beijing.ZONE.key
    moment = beijing.to_beijing(value)
    return moment if name == beijing.ZONE.key else moment.astimezone(ZoneInfo(name))


def beijing_time_text(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as the county reads it (2024-05-02 00:30); — when there is none."""
    moment = county_time(value)
    return moment.strftime(fmt) if moment is not None else DASH


def beijing_date_text(value: dt.datetime | dt.date | None) -> str:
    """A stored time's county day, or a date as it is (2024-05-02)."""
    if isinstance(value, dt.datetime):
        return beijing_time_text(value, "%Y-%m-%d")
    return value.isoformat() if value is not None else DASH


def beijing_clock_text(value: dt.datetime | None) -> str:
    """A stored time's county clock time (00:30)."""
    return beijing_time_text(value, "%H:%M")


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        amount=amount,
        count=count,
        full_number=full_number,
        short_number=short_number,
        percent=percent,
        signed_percent=signed_percent,
        points=points,
        bar_width=bar_width,
        trend=trend,
        bj_datetime=beijing_time_text,
        bj_date=beijing_date_text,
        bj_time=beijing_clock_text,
    )
