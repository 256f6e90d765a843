"""How numbers and times read on a page, the one way: 元 / 万元 / 亿元 with the full figure on
hover, percentages with one decimal and a sign, 百分点, whole counts, 小时 — in the reader's locale
(Babel) — and Beijing time."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import Flask, current_app
from markupsafe import Markup, escape

from app import beijing
from app.web.i18n import LANGUAGES, current_language

DASH = "—"
MINUS = "−"  # U+2212, the sign a printed report uses
# (threshold, suffix), largest first: a county report's 亿元 / 万元; M and B in English.
CHINESE_UNITS = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
ENGLISH_UNITS = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))
WORDS = {
    "zh": {"yuan": "{} 元", "points": "{} 百分点", "hours": "{} 小时"},
    "en": {"yuan": "¥{}", "points": "{} pp", "hours": "{} h"},
}


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


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else current_language()


def _digits(number: Decimal, places: int, language: str | None, trim: bool = False) -> str:
    """`number` rounded half up to `places`, thousands grouped in the reader's locale (Babel);
    with `trim` the decimals that are zero are left out (2.0000 → 2, 2.50 → 2.5)."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    pattern = "#,##0" + ("." + ("#" if trim else "0") * places if places > 0 else "")
    return format_decimal(rounded, format=pattern, locale=LANGUAGES[_language(language)][0])


def _scaled(number: Decimal, places: int, language: str | None, trim: bool) -> str:
    units = CHINESE_UNITS if _language(language) == "zh" else ENGLISH_UNITS
    for threshold, suffix in units:
        if abs(number) >= threshold:
            return _digits(number / threshold, places, language, trim) + suffix
    return _digits(number, places, language, trim)


def full_number(value: Any, places: int = 2, language: str | None = None) -> str:
    """Every digit, grouped: 1,590,000,000.00."""
    number = to_decimal(value)
    return DASH if number is None else _digits(number, places, language)


def short_number(value: Any, places: int = 2, language: str | None = None) -> str:
    """A figure as a person says it, zero decimals left out: 15.9亿, 2,911万, 8,000 (1.59B,
    29.11M in English). Money reads with its cents: `money`, `amount`."""
    number = to_decimal(value)
    return DASH if number is None else _scaled(number, places, language, trim=True)


def money_number(value: Any, language: str | None = None) -> str:
    """Money without its unit, as a county report writes it: 465.30, 2,911.35万, 15.90亿."""
    number = to_decimal(value)
    return DASH if number is None else _scaled(number, 2, language, trim=False)


def money(value: Any, language: str | None = None) -> str:
    """Money with its unit: 465.30 元, 2,911.35 万元, 15.90 亿元 (¥465.30, ¥29.11M in English)."""
    number = to_decimal(value)
    if number is None:
        return DASH
    lang = _language(language)
    shown = money_number(number, lang)
    if lang == "zh" and shown[-1] in "万亿":
        return f"{shown[:-1]} {shown[-1]}元"
    return WORDS[lang]["yuan"].format(shown)


def amount(value: Any, places: int = 2) -> Markup:
    """Money (元) shortened with two decimals, the exact figure in the title shown on hover."""
    number = to_decimal(value)
    if number is None:
        return _with_title(DASH, DASH)
    return _with_title(_scaled(number, places, None, trim=False), full_number(number, 2))


def integer(value: Any, language: str | None = None) -> str:
    """A count as a whole number, grouped: 1,497 (a projection of 1,497.04 sessions too)."""
    number = to_decimal(value)
    return DASH if number is None else _digits(number, 0, language)


def count(value: Any) -> Markup:
    """A count (sessions, buyers, viewers) as a whole number, with the exact value on hover."""
    number = to_decimal(value)
    if number is None:
        return _with_title(DASH, DASH)
    return _with_title(integer(number), _digits(number, 2, None, trim=True))


def quantity(value: Any, places: int = 4, language: str | None = None) -> str:
    """A quantity without trailing zeros: 2 (not 2.0000), 2.5, 1,234.125."""
    number = to_decimal(value)
    return DASH if number is None else _digits(number, places, language, trim=True)


def hours(value: Any, unit: bool = True, language: str | None = None) -> str:
    """A duration in 小时 with one decimal: 2.0 小时, 12.5 小时 (2.0 h in English)."""
    number = to_decimal(value)
    if number is None:
        return DASH
    shown = _digits(number, 1, language)
    return WORDS[_language(language)]["hours"].format(shown) if unit else shown


def _with_title(shown: str, full: str) -> Markup:
    if shown == DASH:
        return Markup('<span class="num">{}</span>').format(DASH)
    return Markup('<span class="num" title="{}">{}</span>').format(escape(full), shown)


def percent(value: Any, places: int = 1, language: str | None = None) -> str:
    """A fraction as a percentage with one decimal: 0.435 → 43.5%, 0.43 → 43.0%; None → —."""
    number = to_decimal(value)
    if number is None:
        return DASH
    return _digits(number * 100, places, language) + "%"


def _signed(number: Decimal, places: int, language: str | None) -> str:
    """+12.3 / −4.5 / 0.0: the sign of the figure as shown (−0.04 at one decimal is 0.0)."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    shown = _digits(abs(rounded), places, language)
    sign = "+" if rounded > 0 else (MINUS if rounded < 0 else "")
    return sign + shown


def signed_percent(value: Any, places: int = 1, language: str | None = None) -> str:
    """A change as +43.0% / −6.0% / 0.0%; None → —."""
    number = to_decimal(value)
    return DASH if number is None else _signed(number * 100, places, language) + "%"


def points(value: Any, places: int = 1, unit: bool = False, language: str | None = None) -> str:
    """A difference of rates already in 百分点: +2.5 / −6.0 / 0.0; with `unit`, +2.5 百分点."""
    number = to_decimal(value)
    if number is None:
        return DASH
    shown = _signed(number, places, language)
    return WORDS[_language(language)]["points"].format(shown) if unit else shown


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
        money=money,
        money_number=money_number,
        count=count,
        integer=integer,
        quantity=quantity,
        hours=hours,
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
