"""品牌, 商品, 平台商品 and 基准价 sheets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.extensions import db
from app.models import BaselinePrice, Brand, PlatformListing, Product
from app.registry.categories import ensure_categories
from app.registry.cells import Cells
from app.registry.loaders.common import CODE, NAME, assign, code_map, put, upsert_by_code
from app.registry.reader import RawSheet
from app.registry.result import RowError, SheetCounts
from app.registry.values import (
    baseline_kind,
    brand_kind,
    date,
    is_blank,
    limited,
    platform,
    positive,
)

UNITS_PLACES = Decimal("0.0001")


def load_brands(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    def build(cells: Cells) -> dict[str, Any]:
        values = {
            "name": cells.get("品牌名称", NAME, required=True),
            "kind": cells.get("品牌类型", brand_kind, required=True),
        }
        put(values, cells, "县区", "county", cells.get("县区", limited(100)))
        return values

    return upsert_by_code(sheet, errors, Brand, "品牌编码", build)


def load_products(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    brands = code_map(Brand)
    categories: set[str] = set()

    def build(cells: Cells) -> dict[str, Any]:
        values: dict[str, Any] = {"name": cells.get("商品名称", NAME, required=True)}
        brand_id = cells.ref("品牌编码", brands, "品牌", required=False)
        put(values, cells, "品牌编码", "brand_id", brand_id)
        put(values, cells, "加入品牌日期", "brand_joined_on", cells.get("加入品牌日期", date))
        put(values, cells, "品类", "category", cells.get("品类", limited(64)))
        put(values, cells, "计价单位", "pricing_unit", cells.get("计价单位", limited(16)) or "件")
        units = cells.get("规格数量", lambda value: positive(value, UNITS_PLACES, 10**8))
        put(values, cells, "规格数量", "units_per_item", units or Decimal(1))
        put(values, cells, "生产主体", "producer", cells.get("生产主体", NAME))
        if values.get("brand_joined_on") and is_blank(cells.raw("品牌编码")):
            cells.fail("加入品牌日期", "填写了加入品牌日期，但没有填写品牌编码")
        if cells.ok and values.get("category"):
            categories.add(values["category"])
        return values

    counts = upsert_by_code(sheet, errors, Product, "商品编码", build)
    ensure_categories(categories)
    return counts


def load_listings(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    """Listings are found by (platform, 平台商品ID), else by (platform, 商家编码)."""
    counts = SheetCounts()
    products = code_map(Product)
    by_id: dict[tuple[str, str], PlatformListing] = {}
    by_merchant: dict[tuple[str, str], PlatformListing] = {}

    def remember(listing: PlatformListing) -> None:
        if listing.platform_product_id:
            by_id[(listing.platform, listing.platform_product_id)] = listing
        if listing.merchant_code:
            by_merchant[(listing.platform, listing.merchant_code)] = listing

    for listing in db.session.scalars(db.select(PlatformListing)):
        remember(listing)
    seen_ids: dict[Any, int] = {}
    seen_merchant: dict[Any, int] = {}
    for row in sheet.rows:
        cells = Cells(sheet.name, row, errors)
        plat = cells.get("平台", platform, required=True)
        product_id_text = cells.get("平台商品ID", CODE)
        merchant = cells.get("商家编码", CODE)
        product_id = cells.ref("商品编码", products, "商品", required=True)
        if plat is not None and cells.ok and not product_id_text and not merchant:
            cells.fail("平台商品ID", "平台商品ID和商家编码至少填写一个")
        if plat is not None and product_id_text:
            cells.duplicate("平台商品ID", (plat, product_id_text), seen_ids, "平台和平台商品ID")
        if plat is not None and merchant:
            cells.duplicate("商家编码", (plat, merchant), seen_merchant, "平台和商家编码")
        if plat is None or not cells.ok:
            counts.add("rejected")
            continue
        found_by_id = by_id.get((plat, product_id_text)) if product_id_text else None
        found_by_merchant = by_merchant.get((plat, merchant)) if merchant else None
        if found_by_id and found_by_merchant and found_by_id is not found_by_merchant:
            cells.fail(
                "商家编码",
                f"平台商品ID“{product_id_text}”和商家编码“{merchant}”已分别登记在两条平台商品上，"
                "请先合并或删除其中一条",
            )
            counts.add("rejected")
            continue
        values: dict[str, Any] = {"product_id": product_id}
        put(values, cells, "平台商品ID", "platform_product_id", product_id_text)
        put(values, cells, "商家编码", "merchant_code", merchant)
        listing = found_by_id or found_by_merchant
        if listing is None:
            listing = PlatformListing(platform=plat, **values)
            db.session.add(listing)
            counts.add("inserted")
        else:
            counts.add("updated" if assign(listing, values) else "unchanged")
        remember(listing)
    db.session.flush()
    return counts


def load_baselines(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    """Baselines are keyed by (商品编码, 基准类型, 生效日期)."""
    counts = SheetCounts()
    products = code_map(Product)
    existing: dict[tuple[int, str, dt.date | None], BaselinePrice] = {
        (price.product_id, price.kind, price.valid_from): price
        for price in db.session.scalars(db.select(BaselinePrice))
    }
    seen: dict[Any, int] = {}
    for row in sheet.rows:
        cells = Cells(sheet.name, row, errors)
        product_id = cells.ref("商品编码", products, "商品", required=True)
        kind = cells.get("基准类型", baseline_kind, required=True)
        price = cells.get("单位价格", positive, required=True)
        valid_from = cells.get("生效日期", date)
        valid_to = cells.get("失效日期", date)
        if valid_from and valid_to and valid_to < valid_from:
            cells.fail("失效日期", "失效日期不能早于生效日期")
        key = (product_id, kind, valid_from)
        if product_id is not None and kind is not None:
            cells.duplicate("生效日期", key, seen, "商品编码、基准类型和生效日期")
        values: dict[str, Any] = {"unit_price": price}
        put(values, cells, "失效日期", "valid_to", valid_to)
        put(values, cells, "说明", "note", cells.get("说明", limited(500)))
        if product_id is None or kind is None or not cells.ok:
            counts.add("rejected")
            continue
        baseline = existing.get((product_id, kind, valid_from))
        if baseline is None:
            baseline = BaselinePrice(
                product_id=product_id, kind=kind, valid_from=valid_from, **values
            )
            db.session.add(baseline)
            existing[(product_id, kind, valid_from)] = baseline
            counts.add("inserted")
        else:
            counts.add("updated" if assign(baseline, values) else "unchanged")
    db.session.flush()
    return counts
