"""JSON forms of figures: money as strings with two decimals, ratios as rounded fractions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from app.metrics.facts import Totals

CENT = Decimal("0.01")


def money(value: Decimal | int | None) -> str | None:
    """Decimal 元 → "1234.50" (half up), None stays None."""
    if value is None:
        return None
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def ratio(value: Decimal | Fraction | float | None, places: int = 6) -> float | None:
    """A fraction rounded to `places` decimals, None stays None."""
    if value is None:
        return None
    return round(float(value), places)


def divide(
    numerator: Decimal | int | None,
    denominator: Decimal | int | None,
    reasons: dict[str, str],
    name: str,
    why_zero: str,
) -> Decimal | None:
    """numerator / denominator, or None with `reasons[name]` saying why (zero or missing base)."""
    if numerator is None or denominator is None:
        reasons[name] = why_zero
        return None
    if Decimal(denominator) == 0:
        reasons[name] = why_zero
        return None
    return Decimal(numerator) / Decimal(denominator)


def totals_json(totals: Totals) -> dict[str, Any]:
    """{gross, refund, net, orders, units} as SPEC §6 writes them."""
    return {
        "gross": money(totals.gross),
        "refund": money(totals.refund),
        "net": money(totals.net),
        "orders": totals.orders,
        "units": totals.units,
    }
