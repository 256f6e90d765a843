"""Several brands together, for a brand manager's home: 品牌销售额 by month against last year,
品牌溢价 and 溢价额 by month, and 品牌销售额 by platform.

Every sum is a brand scope's (`brand:<code>`: lines of the brand's products from their join
date, SPEC §4 品牌销售额), added over the brands; a product belongs to one brand, so the sums
add up. Premiums combine the way one brand's do (`premium.combined_premium`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.metrics.periods import Period, add_months, month_end, month_key, months_in
from app.metrics.premium import Premium, combined_premium, premium
from app.metrics.ratios import divide
from app.metrics.retail import retail

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BrandMonth:
    """One month of the brands: 品牌销售额 and the same month a year earlier (None for a month
    not begun), and the month's premium and 溢价额 (None with nothing to compare)."""

    month: str  # YYYY-MM
    period: Period
    net: Decimal | None
    last_year: Decimal
    premium: Decimal | None
    extra_revenue: Decimal | None


@dataclass(frozen=True)
class PlatformShare:
    """品牌销售额 on one platform and its share of the brands' total (None when it is 0)."""

    platform: str
    label: str
    net: Decimal
    share: Decimal | None


def brand_months(codes: Sequence[str], year: Period, as_of: dt.date) -> list[BrandMonth]:
    """Each month of `year`: the brands' sales, last year's, and the month's premium; months
    after `as_of` have no sales and no premium (the month of `as_of` is cut at that day)."""
    this = _monthly(codes, year)
    before = _monthly(codes, year.last_year())
    months = []
    for first in months_in(year):
        key = month_key(first)
        end = min(month_end(first), as_of)
        begun = first <= as_of
        period = Period(first, end if begun else month_end(first))
        found = combined_premium(_premiums(codes, period)) if begun else (None, None)
        last_key = month_key(add_months(first, -12))
        months.append(
            BrandMonth(
                month=key,
                period=period,
                net=this.get(key, ZERO) if begun else None,
                last_year=before.get(last_key, ZERO),
                premium=found[0],
                extra_revenue=found[1],
            )
        )
    return months


def _monthly(codes: Sequence[str], period: Period) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for code in codes:
        for row in retail(period.start, period.end, "month", f"brand:{code}").rows:
            if row.key is not None:
                sums[row.key] = sums.get(row.key, ZERO) + row.net
    return sums


def _premiums(codes: Sequence[str], period: Period) -> list[Premium]:
    return [premium(code, period.start, period.end) for code in codes]


def brand_premiums(codes: Sequence[str], period: Period) -> list[Premium]:
    """Each brand's premium over the period (its products, baselines and 溢价额)."""
    return _premiums(codes, period)


def platform_shares(codes: Sequence[str], period: Period) -> list[PlatformShare]:
    """The brands' sales by platform, largest first, with each platform's share."""
    sums: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    for code in codes:
        for row in retail(period.start, period.end, "platform", f"brand:{code}").rows:
            if row.key is None:
                continue
            sums[row.key] = sums.get(row.key, ZERO) + row.net
            labels[row.key] = row.label
    total = sum(sums.values(), ZERO)
    ordered = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
    return [
        PlatformShare(key, labels[key], net, divide(net, total, {}, "share", "0"))
        for key, net in ordered
    ]


def brands_net(codes: Sequence[str], period: Period) -> Decimal:
    """品牌销售额 of the brands together over the period."""
    return sum(
        (retail(period.start, period.end, "month", f"brand:{code}").total.net for code in codes),
        ZERO,
    )
