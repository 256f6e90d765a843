"""Brand sales and premium for the brand pages, from `app.metrics.premium` and `retail`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.auth import AccessScope
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.premium import Premium, premium
from app.metrics.retail import retail
from app.models import BaselinePrice, Brand, Product
from app.web.figure_links import lines_link
from app.web.figures import Span, change


def brands_in_scope(scope: AccessScope) -> list[Brand]:
    return list(
        db.session.scalars(select(Brand).where(scope.where(brand=Brand.code)).order_by(Brand.code))
    )


def brand_summaries(brands: list[Brand], span: Span) -> list[dict[str, Any]]:
    """Each brand: products, brand sales to date with 同比, premium and extra revenue."""
    counts: dict[int | None, int] = {
        brand_id: number
        for brand_id, number in db.session.execute(
            select(Product.brand_id, func.count(Product.id)).group_by(Product.brand_id)
        )
    }
    rows = []
    for brand in brands:
        scope = f"brand:{brand.code}"
        now = retail(span.period.start, span.period.end, "month", scope).total
        before = retail(span.last_year.start, span.last_year.end, "month", scope).total
        found = _premium(brand.code, span)
        rows.append(
            {
                "brand": brand,
                "products": counts.get(brand.id, 0),
                "net": now.net,
                "yoy": change(now.net, before.net) if before.orders else None,
                "premium": found.premium if found else None,
                "extra_revenue": found.extra_revenue if found else None,
                "without_baseline": len(found.without_baseline) if found else 0,
                "link": brand_lines(brand, span),
            }
        )
    return rows


def brand_lines(brand: Brand, span: Span, product: str | None = None) -> str:
    """品牌销售额: the branded lines of the brand (or one of its products) to date."""
    return lines_link(span.period, f"brand:{brand.code}", product=product, branded=True)


def _premium(code: str, span: Span) -> Premium | None:
    try:
        return premium(code, span.period.start, span.period.end)
    except MetricsError:
        return None


def brand_detail(brand: Brand, span: Span) -> dict[str, Any]:
    """The brand's premium with each product's registry row and the link to its lines."""
    found = _premium(brand.code, span)
    products = {
        product.code: product
        for product in db.session.scalars(
            select(Product).where(Product.brand_id == brand.id).order_by(Product.code)
        )
    }
    rows = [
        {
            **vars(row),
            "item": products.get(row.product),
            "link": brand_lines(brand, span, row.product),
        }
        for row in (found.products if found else [])
    ]
    without = found.without_baseline if found else []
    return {
        "premium": found.premium if found else None,
        "extra_revenue": found.extra_revenue if found else None,
        "reasons": found.reasons if found else {},
        "rows": rows,
        "without": [products[c] for c in without if c in products],
        "products": list(products.values()),
        "link": brand_lines(brand, span),
    }


def brand_baselines(brand: Brand) -> list[BaselinePrice]:
    """Every registered baseline of the brand's products, by product and start date."""
    return list(
        db.session.scalars(
            select(BaselinePrice)
            .join(BaselinePrice.product)
            .where(Product.brand_id == brand.id)
            .order_by(Product.code, BaselinePrice.kind, BaselinePrice.valid_from)
        )
    )


def may_edit_baselines(scope: AccessScope, brand: Brand) -> bool:
    """Administrators, and brand managers for their own brands."""
    return scope.role == "admin" or (scope.role == "brand" and scope.allows("brand", brand.code))
