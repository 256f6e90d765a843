"""Brand rollups: sums and orders per (period, shop, brand), valid while the brands hold.

A product's brand and join date live in the registry and may be edited; the brand rollups
are stamped with a digest of them. Reads use the brand rollups only while the stamp matches
(otherwise the exact, slower path through item and mix rows); refreshes recompute them all
when it does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import case, delete, func, insert, literal, null, select, text

from app.extensions import db
from app.metrics.refresh_lock import holds_every_shop
from app.metrics.rollup_tables import delete_periods, roll_up
from app.metrics.sql import brand_in_effect
from app.models import (
    Product,
    RollupBrandDay,
    RollupBrandMonth,
    RollupBrandYear,
    RollupItemDay,
    RollupMixMember,
    RollupOrderDay,
    RollupStamp,
)

STAMP = "brands"
SUMS = ("gross", "refund", "kept_net", "lines", "units", "refunded_lines")


def brand_digest() -> str:
    """A digest of every product's brand and join date (the registry the rollups follow):
    SHA-256 of `<id>:<brand id>:<join date>;` per product by id, `None` for a missing value.

    Every brand read checks it, so PostgreSQL computes it where the rows are (one row back
    instead of one per product); elsewhere Python does, to the same hex digest.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(text(_DIGEST_SQL)).scalar_one()
    return brand_digest_in_python()


def brand_digest_in_python() -> str:
    """`brand_digest` computed row by row in Python (any database)."""
    rows = db.session.execute(
        select(Product.id, Product.brand_id, Product.brand_joined_on).order_by(Product.id)
    )
    digest = hashlib.sha256()
    for product_id, brand_id, joined in rows:
        digest.update(f"{product_id}:{brand_id}:{joined};".encode())
    return digest.hexdigest()


# Python's str() of the values: an int as digits, a date as YYYY-MM-DD, None as "None".
_DIGEST_SQL = """
SELECT encode(sha256(convert_to(coalesce(string_agg(
    id::text || ':' || coalesce(brand_id::text, 'None') || ':'
    || coalesce(to_char(brand_joined_on, 'YYYY-MM-DD'), 'None') || ';',
    '' ORDER BY id), ''), 'UTF8')), 'hex')
FROM products
"""


def brand_rollups_current() -> bool:
    """Whether the brand rollups follow the registry as it is now."""
    stamp = db.session.get(RollupStamp, STAMP)
    return stamp is not None and stamp.value == brand_digest()


def refresh_brand_rollups(
    days: list[dt.date] | None, shops: list[int] | None, years: list[dt.date] | None
) -> None:
    """Recompute the brand rollups of these days (and their months and years), or of all days
    when asked or when the registry changed since they were computed."""
    digest = brand_digest()
    stamp = db.session.get(RollupStamp, STAMP)
    current = stamp is not None and stamp.value == digest
    # A merge that locked only its own shops and finds the registry changed since it looked
    # refreshes their days, and leaves the stamp old: brand figures are then read from the
    # lines, and the next refresh that holds every shop recomputes all the brand rollups.
    stamp_it = current or holds_every_shop()
    if not current and stamp_it:
        days = shops = years = None
    if days is None or years is None:
        for model in (RollupBrandDay, RollupBrandMonth, RollupBrandYear):
            db.session.execute(delete(model))
    else:
        months = sorted({day.replace(day=1) for day in days})
        tables = (
            (RollupBrandDay, RollupBrandDay.day, days),
            (RollupBrandMonth, RollupBrandMonth.month, months),
            (RollupBrandYear, RollupBrandYear.year, years),
        )
        delete_periods(tables, shops)
    _insert_days(days, shops)
    year_months = (
        [dt.date(year.year, month, 1) for year in years for month in range(1, 13)]
        if years is not None
        else None
    )
    months_touched = sorted({day.replace(day=1) for day in days}) if days is not None else None
    keys, sums = ("shop_id", "brand_id"), (*SUMS, "orders")
    roll_up(RollupBrandDay, RollupBrandMonth, "month", keys, sums, months_touched, shops)
    roll_up(RollupBrandMonth, RollupBrandYear, "year", keys, sums, year_months, shops)
    if not stamp_it:
        return
    if stamp is None:
        db.session.add(RollupStamp(name=STAMP, value=digest))
    else:
        stamp.value = digest
    db.session.flush()


def _insert_days(days: list[dt.date] | None, shops: list[int] | None) -> None:
    items, orders, member = RollupItemDay, RollupOrderDay, RollupMixMember
    target = RollupBrandDay
    columns = [target.day, target.month, target.shop_id, target.brand_id]
    columns += [getattr(target, name) for name in (*SUMS, "orders")]
    brand = case((brand_in_effect(items.day), Product.brand_id), else_=null())
    sums = (
        select(
            items.day,
            items.month,
            items.shop_id,
            brand,
            *(func.sum(getattr(items, name)) for name in SUMS),
            literal(0),
        )
        .outerjoin(Product, Product.id == items.product_id)
        .group_by(items.day, items.month, items.shop_id, brand)
    )
    # An order counts once per brand its mix holds on that day.
    order_brand = case((brand_in_effect(orders.day), Product.brand_id), else_=null())
    pairs = (
        select(
            orders.id,
            orders.day,
            orders.month,
            orders.shop_id,
            orders.orders,
            order_brand.label("brand_id"),
        )
        .join(member, member.mix_id == orders.mix_id)
        .outerjoin(Product, Product.id == member.product_id)
        .distinct()
    )
    if days is not None:
        sums = sums.where(items.day.in_(days))
        pairs = pairs.where(orders.day.in_(days))
    if shops is not None:
        sums = sums.where(items.shop_id.in_(shops))
        pairs = pairs.where(orders.shop_id.in_(shops))
    db.session.execute(insert(target).from_select(columns, sums))
    counted = pairs.subquery()
    keys = (counted.c.day, counted.c.month, counted.c.shop_id, counted.c.brand_id)
    zero = [literal(0) for _ in SUMS]
    order_rows = select(*keys, *zero, func.sum(counted.c.orders)).group_by(*keys)
    db.session.execute(insert(target).from_select(columns, order_rows))
