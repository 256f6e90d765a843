"""Registering an unmatched product in one step (未登记商品 worklist), then re-matching its lines.

Either a new product with its platform listing, or a listing onto an existing product. Values
are checked with the registry workbook's own parsers (app.registry.values), so the worklist
accepts what the 商品 and 平台商品 sheets accept; every problem is collected and raised as one
`RegistrationError`. On success the listing is stored, the stored lines are re-matched and the
rollups refreshed in one transaction, committed here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.ingest.rematch import (
    Rematched,
    brand_rollups_before_new_product,
    new_product_added,
    rematch_lines,
)
from app.models import Brand, Category, PlatformListing, Product
from app.registry.categories import ensure_categories
from app.registry.loaders.catalog import UNITS_PLACES
from app.registry.loaders.common import CODE, NAME
from app.registry.values import CellError, is_blank, limited, platform, positive
from app.wording import N_, Wording, say

_REQUIRED = N_("必填")
_TOO_LONG_OR_BAD = N_("“{value}”{reason}")
_NO_KEY = N_("平台商品ID和商家编码至少填写一个")
_CODE_TAKEN = N_("商品编码“{code}”已存在；要登记到这个商品，请选择“登记到已有商品”")
_NO_PRODUCT = N_("商品编码“{code}”不存在，请从列表中选择已登记的商品")
_NO_BRAND = N_("品牌编码“{code}”不存在，请先在名录中登记该品牌")
_NO_CATEGORY = N_("品类“{name}”不在品类列表中，请从列表中选择")
_JOINED_WITHOUT_BRAND = N_("填写了加入品牌日期，但没有选择品牌")
_LISTED_ELSEWHERE = N_("{what}“{value}”在该平台已登记在商品“{product}”上")
_PRODUCT_ID = N_("平台商品ID")
_MERCHANT_CODE = N_("商家编码")


class RegistrationError(ValueError):
    """What is wrong with a registration, by field; nothing was saved.

    `code` is `invalid` (bad or missing values) or `conflict` (the product code or the listing
    is registered already); `problems` maps field names to the reason a clerk reads.
    """

    def __init__(self, code: str, problems: dict[str, Wording]) -> None:
        super().__init__("; ".join(f"{name}: {text.zh}" for name, text in problems.items()))
        self.code = code
        self.problems = problems


@dataclass(frozen=True)
class ListingKeys:
    """How the platform names the product: platform, platform product id, merchant code."""

    platform: str
    platform_product_id: str | None = None
    merchant_code: str | None = None


@dataclass(frozen=True)
class NewProduct:
    """A product as the worklist form gives it (text as typed; checked on registering)."""

    code: str
    name: str
    brand: str | None = None
    category: str | None = None
    pricing_unit: str | None = None
    units_per_item: Any = None
    brand_joined_on: dt.date | None = None


@dataclass(frozen=True)
class Registered:
    """The product the listing points at, the listing, and what re-matching changed."""

    product_code: str
    listing_id: int
    created_product: bool
    rematched: Rematched


def register_product(product: NewProduct, keys: ListingKeys) -> Registered:
    """Store a new product and its listing, re-match the stored lines, commit."""
    problems: dict[str, Wording] = {}
    listing = _listing_values(keys, problems)
    values = _product_values(product, problems)
    code = values.get("code")
    if code and db.session.scalar(select(Product.id).where(Product.code == code)) is not None:
        _fail("conflict", {"code": say(_CODE_TAKEN, code=code)}, problems)
    if problems:
        _fail("invalid", {}, problems)
    taken = _listed_on(listing)
    if taken:
        _fail("conflict", taken, problems)
    ensure_categories([values["category"]] if values.get("category") else [])
    current = brand_rollups_before_new_product()
    row = Product(**values)
    db.session.add(row)
    db.session.flush()
    new_product_added(current)
    return _store_listing(row, listing, created=True)


def register_listing(product_code: str, keys: ListingKeys) -> Registered:
    """Store a listing onto an existing product, re-match the stored lines, commit.

    A listing already stored for this very product is kept as it is and only re-matched.
    """
    problems: dict[str, Wording] = {}
    listing = _listing_values(keys, problems)
    code = _text(product_code, CODE, "product", problems, required=True)
    row = db.session.scalar(select(Product).where(Product.code == code)) if code else None
    if code and row is None:
        problems["product"] = say(_NO_PRODUCT, code=code)
    if problems or row is None:
        _fail("invalid", {}, problems)
        raise AssertionError  # _fail raises; this tells the type checker
    existing = _existing_listing(listing)
    if existing is not None and existing.product_id == row.id and _same_keys(existing, listing):
        rematched = rematch_lines(platforms=[listing["platform"]])
        db.session.commit()
        return Registered(row.code, existing.id, False, rematched)
    taken = _listed_on(listing)
    if taken:
        _fail("conflict", taken, problems)
    return _store_listing(row, listing, created=False)


def suggested_code(keys: ListingKeys, taken: set[str] | None = None) -> str:
    """A product code for a worklist row: `<platform>-<product id or merchant code>`.

    Too long a key is shortened with a digest; a code already taken (in the registry, or in
    `taken` when given, which then gains the code) gets a number.
    """
    key = keys.platform_product_id or keys.merchant_code or "0"
    base = f"{keys.platform}-{key}"
    if len(base) > 60:
        base = f"{keys.platform}-{hashlib.sha1(key.encode()).hexdigest()[:16]}"
    if taken is None:
        used = set(db.session.scalars(select(Product.code).where(Product.code.like(f"{base}%"))))
    else:
        used = taken
    code, number = base, 1
    while code in used:
        number += 1
        code = f"{base}-{number}"
    if taken is not None:
        taken.add(code)
    return code


def product_codes() -> set[str]:
    """Every registered product code (for suggesting many codes at once)."""
    return set(db.session.scalars(select(Product.code)))


def category_choices() -> list[tuple[str, bool]]:
    """The registry's categories (name, agricultural), seeding the defaults when empty."""
    if ensure_categories():
        db.session.commit()
    rows = db.session.execute(select(Category.name, Category.agricultural).order_by(Category.id))
    return [(name, bool(agricultural)) for name, agricultural in rows]


def _fail(code: str, more: dict[str, Wording], problems: dict[str, Wording]) -> None:
    db.session.rollback()
    raise RegistrationError(code, {**problems, **more})


def _text(
    value: Any, parse: Any, name: str, problems: dict[str, Wording], required: bool = False
) -> Any:
    if is_blank(value):
        if required:
            problems[name] = say(_REQUIRED)
        return None
    try:
        return parse(value)
    except CellError as exc:
        problems[name] = say(_TOO_LONG_OR_BAD, value=value, reason=str(exc))
        return None


def _listing_values(keys: ListingKeys, problems: dict[str, Wording]) -> dict[str, Any]:
    values = {
        "platform": _text(keys.platform, platform, "platform", problems, required=True),
        "platform_product_id": _text(
            keys.platform_product_id, CODE, "platform_product_id", problems
        ),
        "merchant_code": _text(keys.merchant_code, CODE, "merchant_code", problems),
    }
    if (
        "platform_product_id" not in problems
        and "merchant_code" not in problems
        and not values["platform_product_id"]
        and not values["merchant_code"]
    ):
        problems["platform_product_id"] = say(_NO_KEY)
    return values


def _product_values(product: NewProduct, problems: dict[str, Wording]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": _text(product.code, CODE, "code", problems, required=True),
        "name": _text(product.name, NAME, "name", problems, required=True),
        "pricing_unit": _text(product.pricing_unit, limited(16), "pricing_unit", problems) or "件",
        "units_per_item": _text(
            product.units_per_item,
            lambda value: positive(value, UNITS_PLACES, 10**8),
            "units_per_item",
            problems,
        )
        or Decimal(1),
        "brand_joined_on": product.brand_joined_on,
        "brand_id": None,
        "category": None,
    }
    brand = _text(product.brand, CODE, "brand", problems)
    if brand:
        values["brand_id"] = db.session.scalar(select(Brand.id).where(Brand.code == brand))
        if values["brand_id"] is None:
            problems["brand"] = say(_NO_BRAND, code=brand)
    elif product.brand_joined_on is not None:
        problems["brand_joined_on"] = say(_JOINED_WITHOUT_BRAND)
    category = _text(product.category, limited(64), "category", problems)
    if category:
        ensure_categories()  # the defaults, in this registration's transaction (no commit)
        known = set(db.session.scalars(select(Category.name)))
        if category not in known:
            problems["category"] = say(_NO_CATEGORY, name=category)
        values["category"] = category
    return values


def _existing_listing(listing: dict[str, Any]) -> PlatformListing | None:
    for column, value in (
        (PlatformListing.platform_product_id, listing["platform_product_id"]),
        (PlatformListing.merchant_code, listing["merchant_code"]),
    ):
        if value:
            found = db.session.scalar(
                select(PlatformListing).where(
                    PlatformListing.platform == listing["platform"], column == value
                )
            )
            if found is not None:
                return found
    return None


def _same_keys(existing: PlatformListing, listing: dict[str, Any]) -> bool:
    return all(
        not listing[name] or getattr(existing, name) == listing[name]
        for name in ("platform_product_id", "merchant_code")
    )


def _listed_on(listing: dict[str, Any]) -> dict[str, Wording]:
    """Wordings for listing keys already registered (each says on which product)."""
    taken: dict[str, Wording] = {}
    for name, column, what in (
        ("platform_product_id", PlatformListing.platform_product_id, _PRODUCT_ID),
        ("merchant_code", PlatformListing.merchant_code, _MERCHANT_CODE),
    ):
        value = listing[name]
        if not value:
            continue
        owner = db.session.scalar(
            select(Product.code)
            .join(PlatformListing, PlatformListing.product_id == Product.id)
            .where(PlatformListing.platform == listing["platform"], column == value)
        )
        if owner is not None:
            taken[name] = say(_LISTED_ELSEWHERE, what=say(what), value=value, product=owner)
    return taken


def _store_listing(product: Product, listing: dict[str, Any], *, created: bool) -> Registered:
    row = PlatformListing(product_id=product.id, **listing)
    db.session.add(row)
    db.session.flush()
    rematched = rematch_lines(platforms=[listing["platform"]])
    db.session.commit()
    return Registered(product.code, row.id, created, rematched)
