"""品牌溢价: unit prices of a brand's products against their baselines, volume-weighted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select

from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.facts import Query, Source, line_totals
from app.metrics.periods import Period, add_months, parse_date
from app.metrics.ratios import divide
from app.metrics.scope import COUNTY, Scope
from app.models import BaselinePrice, Brand, Product
from app.wording import N_, say

# Which explicit baseline wins when a product has several valid in the period.
KIND_ORDER = ("pre_brand", "non_brand", "reference")
MIN_PRICING_UNITS = Decimal(20)  # a computed pre-brand price needs this much volume
PRE_BRAND_MONTHS = 12


@dataclass
class Baseline:
    price: Decimal  # 元 per pricing unit
    kind: str


@dataclass(frozen=True)
class ProductPremium:
    """One product with a baseline: q (pricing units), net, p = net / q, premium = p / b − 1 and
    溢价额 = net − q × b; p, premium and 溢价额 are None (with a reason) without sales."""

    product: str
    unit_price: Decimal | None
    baseline: Decimal
    baseline_kind: str
    units: Decimal
    net: Decimal
    premium: Decimal | None
    extra_revenue: Decimal | None
    reasons: dict[str, str]


@dataclass(frozen=True)
class Premium:
    """A brand's premium over a period: Σ net / Σ (q × b) − 1 over its products with a baseline
    and sales (`compared_net`, `baseline_value`), 溢价额 = their difference; the products
    without a baseline are listed by code."""

    brand: str
    period: Period
    compared_net: Decimal
    baseline_value: Decimal
    premium: Decimal | None
    extra_revenue: Decimal | None
    products: list[ProductPremium]
    without_baseline: list[str]
    reasons: dict[str, str]


def combined_premium(premiums: list[Premium]) -> tuple[Decimal | None, Decimal | None]:
    """(premium, 溢价额) of several brands together, volume-weighted the same way; (None, None)
    when none has a product to compare."""
    sold = sum((found.compared_net for found in premiums), Decimal(0))
    base = sum((found.baseline_value for found in premiums), Decimal(0))
    if not base:
        return None, None
    return sold / base - 1, sold - base


def premium(
    brand: str, start: str | dt.date, end: str | dt.date, source: Source = "rollup"
) -> Premium:
    """品牌溢价 of `brand` (code) over lines paid from `start` to `end` (SPEC §6, typed).

    Per product: q = Σ quantity × units per item and p = Σ net / q over lines not refunded in
    full, from the product's join date; premium = p / b − 1. Brand premium = Σ net / Σ (q × b)
    − 1, 溢价额 = Σ net − Σ (q × b), over products with a baseline b; the others are listed.
    """
    period = Period(parse_date(start), parse_date(end))
    brand_row = db.session.scalar(select(Brand).where(Brand.code == brand))
    if brand_row is None:
        raise MetricsError(say(N_("未知品牌编码“{brand}”"), brand=brand))
    products = db.session.scalars(
        select(Product).where(Product.brand_id == brand_row.id).order_by(Product.code)
    ).all()
    scope = Scope("brand", brand_row.code, brand_row.id)
    sales = line_totals(Query(period, "product", scope), source, orders=False)
    baselines = explicit_baselines([p.id for p in products], period)
    rows: list[ProductPremium] = []
    without: list[str] = []
    total_net, total_value = Decimal(0), Decimal(0)
    for product in products:
        baseline = baselines.get(product.id) or computed_pre_brand(product, source)
        if baseline is None:
            without.append(product.code)
            continue
        totals = sales.get(product.id)
        units = Decimal(totals.units if totals else 0) * product.units_per_item
        net = totals.kept_net if totals else Decimal("0.00")
        reasons: dict[str, str] = {}
        price = divide(net, units, reasons, "unit_price", "期内无销量, 无法计算单价")
        value = units * baseline.price  # exact: the baseline as stored (or as computed)
        if price is not None:
            total_net += net
            total_value += value
        rows.append(
            ProductPremium(
                product=product.code,
                unit_price=price,
                baseline=baseline.price,
                baseline_kind=baseline.kind,
                units=units,
                net=net,
                premium=None if price is None else price / baseline.price - 1,
                # 溢价额 = net − q × b, rounded once to the cent at the edge
                extra_revenue=None if price is None else net - value,
                reasons=reasons,
            )
        )
    reasons = {}
    share = divide(
        total_net, total_value, reasons, "premium", "无可比商品 (没有基准价或期内无销量)"
    )
    return Premium(
        brand=brand_row.code,
        period=period,
        compared_net=total_net,
        baseline_value=total_value,
        premium=None if share is None else share - 1,
        extra_revenue=total_net - total_value if share is not None else None,
        products=rows,
        without_baseline=without,
        reasons=reasons,
    )


def explicit_baselines(product_ids: list[int], period: Period) -> dict[int, Baseline]:
    """The registered baseline of each product valid at some point of the period."""
    rows = db.session.scalars(
        select(BaselinePrice).where(
            BaselinePrice.product_id.in_(product_ids),
            or_(BaselinePrice.valid_from.is_(None), BaselinePrice.valid_from <= period.end),
            or_(BaselinePrice.valid_to.is_(None), BaselinePrice.valid_to >= period.start),
        )
    ).all()
    ranked = sorted(
        rows,
        key=lambda row: (
            KIND_ORDER.index(row.kind) if row.kind in KIND_ORDER else len(KIND_ORDER),
            -(row.valid_from or dt.date.min).toordinal(),
        ),
    )
    chosen: dict[int, Baseline] = {}
    for row in ranked:
        chosen.setdefault(row.product_id, Baseline(Decimal(row.unit_price), row.kind))
    return chosen


def computed_pre_brand(product: Product, source: Source = "rollup") -> Baseline | None:
    """Volume-weighted net unit price over the 12 months before joining (≥ 20 pricing units)."""
    joined = product.brand_joined_on
    if joined is None:
        return None
    window = Period(add_months(joined, -PRE_BRAND_MONTHS), joined - dt.timedelta(days=1))
    query = Query(window, None, COUNTY, products=(product.id,))
    totals = line_totals(query, source, orders=False).get(None)
    if totals is None:
        return None
    units = Decimal(totals.units) * product.units_per_item
    if units < MIN_PRICING_UNITS:
        return None
    return Baseline(totals.kept_net / units, "pre_brand")
