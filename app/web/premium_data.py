"""Brand sales and premium for the brand pages, from `app.metrics.premium` and `retail`."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth import AccessScope
from app.extensions import db
from app.metrics import brand_home as brand_home_metrics
from app.metrics.errors import MetricsError
from app.metrics.periods import Period, month_end
from app.metrics.premium import Premium, combined_premium, premium
from app.metrics.retail import retail
from app.models import BaselinePrice, Brand, Product
from app.web.charts import ACCENT, SECOND, monthly_bars, platform_pie, year_on_year
from app.web.figure_links import lines_link
from app.web.figures import change
from app.web.periods import PeriodChoice


def brands_in_scope(scope: AccessScope) -> list[Brand]:
    return list(
        db.session.scalars(select(Brand).where(scope.where(brand=Brand.code)).order_by(Brand.code))
    )


def brand_summaries(brands: list[Brand], span: PeriodChoice) -> list[dict[str, Any]]:
    """Each brand: products, brand sales of the period with 同比 and 环比, premium and extra
    revenue."""
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
        previous = retail(span.previous.start, span.previous.end, "month", scope).total
        found = _premium(brand.code, span)
        rows.append(
            {
                "brand": brand,
                "products": counts.get(brand.id, 0),
                "net": now.net,
                "yoy": change(now.net, before.net) if before.orders else None,
                "mom": change(now.net, previous.net) if previous.orders else None,
                "premium": found.premium if found else None,
                "extra_revenue": found.extra_revenue if found else None,
                "without_baseline": len(found.without_baseline) if found else 0,
                "link": brand_lines(brand, span),
            }
        )
    return rows


def brand_lines(brand: Brand, span: PeriodChoice, product: str | None = None) -> str:
    """品牌销售额: the branded lines of the brand (or one of its products) to date."""
    return lines_link(span.period, f"brand:{brand.code}", product=product, branded=True)


def _premium(code: str, span: PeriodChoice) -> Premium | None:
    try:
        return premium(code, span.period.start, span.period.end)
    except MetricsError:
        return None


def brand_detail(brand: Brand, span: PeriodChoice) -> dict[str, Any]:
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


def home_scope(brands: list[Brand]) -> str | None:
    """The /lines scope of the brands together: the one brand's, or none (branded lines of
    every brand the reader may see, which the explorer limits to their scope)."""
    return f"brand:{brands[0].code}" if len(brands) == 1 else None


def home_lines(brands: list[Brand], period: Period, **filters: Any) -> str:
    """The branded lines of the brands in `period` (品牌销售额), narrowed by `filters`."""
    return lines_link(period, home_scope(brands), branded=True, **filters)


def brand_home(brands: list[Brand], span: PeriodChoice) -> dict[str, Any]:
    """The brands' home: sales of the period with 同比 and 环比, the trend by month of the
    period's year (to the period's end) against last year with the premium of each month,
    share by platform, every product against its baseline and the products still without
    one. Each figure carries the /lines link behind it."""
    codes = [brand.code for brand in brands]
    months = brand_home_metrics.brand_months(codes, span.whole_year, span.as_of)
    premiums = brand_home_metrics.brand_premiums(codes, span.period)
    overall, extra = combined_premium(premiums)
    now = brand_home_metrics.brands_net(codes, span.period)
    before = brand_home_metrics.brands_net(codes, span.last_year)  # to the same day
    previous = brand_home_metrics.brands_net(codes, span.previous)
    platforms = brand_home_metrics.platform_shares(codes, span.period)
    last_period = span.last_year
    names = {brand.code: brand for brand in brands}
    products = _products(codes)
    rows = []
    without = []
    for found in premiums:
        brand = names[found.brand]
        for row in found.products:
            rows.append(
                {
                    **vars(row),
                    "brand": brand,
                    "item": products.get(row.product),
                    "link": brand_lines(brand, span, row.product),
                }
            )
        without += [
            {"brand": brand, "product": products[code]}
            for code in found.without_baseline
            if code in products
        ]
    return {
        "codes": codes,
        "net": now,
        "net_link": home_lines(brands, span.period),
        "yoy": change(now, before) if before else None,
        "last_year": before,
        "last_year_link": home_lines(brands, last_period),
        "mom": change(now, previous) if previous else None,
        "previous": previous,
        "previous_link": home_lines(brands, span.previous),
        "premium": overall,
        "extra_revenue": extra,
        "months": months,
        "month_links": [
            home_lines(brands, m.period) if m.net is not None else None for m in months
        ],
        "last_year_links": [home_lines(brands, _month_last_year(m)) for m in months],
        "month_rows": [_month_row(brands, codes, m) for m in months if m.net is not None],
        "platforms": [
            {
                "key": share.platform,
                "label": share.label,
                "net": share.net,
                "share": share.share,
                "link": home_lines(brands, span.period, platform=share.platform),
            }
            for share in platforms
        ],
        "rows": rows,
        "without": without,
        "products": len(products),
    }


def _month_row(
    brands: list[Brand], codes: list[str], month: brand_home_metrics.BrandMonth
) -> dict[str, Any]:
    """A row of the month table with its 同比. A month still running (cut at `as_of`) is set
    beside the same days a year earlier, not last year's whole month."""
    before = _month_last_year(month)
    if month.period.end < month_end(month.period.start):
        before = month.period.last_year()
        month = replace(month, last_year=brand_home_metrics.brands_net(codes, before))
    return {
        "month": month,
        "link": home_lines(brands, month.period),
        "last_year_link": home_lines(brands, before),
        "yoy": change(month.net, month.last_year) if month.last_year else None,
    }


def _month_last_year(month: brand_home_metrics.BrandMonth) -> Period:
    """The whole month a year earlier (the trend compares whole months of last year)."""
    first = month.period.start.replace(year=month.period.start.year - 1)
    return Period(first, month_end(first))


def _products(codes: list[str]) -> dict[str, Product]:
    return {
        product.code: product
        for product in db.session.scalars(
            select(Product).join(Product.brand).where(Brand.code.in_(codes)).order_by(Product.code)
        )
    }


def add_baseline_link(scope: AccessScope, brand: Brand, product: Product) -> str | None:
    """Where a product without a baseline gets one, the form filled in with the product and
    kind 品牌前价格: the registry form (administrators), the brand page's form (the brand's
    manager); None for readers who cannot add one."""
    if scope.role == "admin":
        return url_for(
            "web_registry.edit", kind_name="baselines", product=product.code, kind="pre_brand"
        )
    if may_edit_baselines(scope, brand):
        return url_for("web_premium.brand", code=brand.code, product=product.code) + "#new-baseline"
    return None


def trend_chart(home: dict[str, Any], year: int) -> tuple[dict[str, Any], list[list[str | None]]]:
    """品牌销售额 by month, this year's bars against last year's line, and their links."""
    months: list[brand_home_metrics.BrandMonth] = home["months"]
    option = year_on_year(
        [m.month for m in months], [m.net for m in months], [m.last_year for m in months], year
    )
    return option, [home["month_links"], home["last_year_links"]]


def premium_chart(home: dict[str, Any]) -> dict[str, Any]:
    """溢价额 by month (bars, amount axis) and 品牌溢价 in % (line, right axis). Neither is a
    sum of lines, so no point opens the explorer (the month table beneath links the sales)."""
    months: list[brand_home_metrics.BrandMonth] = home["months"]
    option = monthly_bars([m.month for m in months], [])
    option["legend"] = {"top": 0}
    option["grid"]["top"] = 36
    option["yAxis"] = [
        {"type": "value", "name": _("元")},
        {
            "type": "value",
            "name": "%",
            "minInterval": 0.1,  # a percentage axis: not read as 万/亿
            "axisLabel": {"formatter": "{value}%"},
            "splitLine": {"show": False},
        },
    ]
    option["series"] = [
        {
            "name": _("溢价额"),
            "type": "bar",
            "data": [_number(m.extra_revenue) for m in months],
            "itemStyle": {"color": SECOND},
            "barMaxWidth": 28,
        },
        {
            "name": _("品牌溢价"),
            "type": "line",
            "yAxisIndex": 1,
            "data": [_percent_point(m.premium) for m in months],
            "itemStyle": {"color": ACCENT},
            "connectNulls": False,
            "cunbo": "count",
        },
    ]
    return option


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _percent_point(value: Decimal | None) -> float | None:
    """A premium as a percentage, rounded half up to one decimal in Decimal as the formatter
    rounds, handed to the chart as a number (the tables say it exactly)."""
    if value is None:
        return None
    return float((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def platform_chart(home: dict[str, Any]) -> dict[str, Any]:
    """Share of 品牌销售额 by platform, each slice opening its lines."""
    return platform_pie(home["platforms"])
