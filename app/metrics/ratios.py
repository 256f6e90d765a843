"""Ratios of figures, and why one is undefined: the base is missing or zero."""

from __future__ import annotations

from decimal import Decimal


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
