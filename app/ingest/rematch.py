"""Match stored lines again after the registry changed, with no re-import.

The rules are those of `app.ingest.matching.Matcher`: a line's product is the listing of its
platform product id, else the listing of its merchant code (商家编码), else, for lines of
Cunbo's own template, the product whose code is that 商品编码. `rematch_lines` applies them in
one UPDATE to the lines a registry change may have moved, then refreshes the rollups of exactly
the (day, shop) pairs of the lines it changed, in the caller's transaction (the caller commits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.metrics.brand_rollups import STAMP, brand_digest, brand_rollups_current
from app.metrics.refresh_lock import lock_refreshes
from app.metrics.rollup_write import refresh_days
from app.models import OrderLine, PlatformListing, Product, RollupStamp, SalesImport
from app.models.versions import bump_data_version

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Rematched:
    """What a re-match changed: stored lines given a product, and the sales among them."""

    lines: int = 0  # stored lines whose product changed
    sale_lines: int = 0  # of which sales (lines with a payment time)
    net: Decimal = ZERO  # Σ (paid − refund) of those sales: what moved into 已登记商品
    pairs: frozenset[tuple[dt.date, int]] = field(default_factory=frozenset)


def rematch_lines(
    platforms: Collection[str] | None = None, listing_ids: Collection[int] = ()
) -> Rematched:
    """Give unmatched lines (of these platforms, or all) the product the registry now names.

    `listing_ids` are listings that were pointed at another product: lines matched through
    them move to that product too. Lines already right are left alone, so running it twice
    changes nothing the second time. Takes the refresh lock first, as an import's merge does.
    """
    lock_refreshes()
    line = aliased(OrderLine, name="candidate")
    candidates: list[ColumnElement[bool]] = [line.product_id.is_(None)]
    if platforms is not None:
        candidates = [and_(line.product_id.is_(None), line.platform.in_(sorted(platforms)))]
    if listing_ids:
        candidates.append(_through_listings(line, sorted(listing_ids)))
    return _move(line, [or_(*candidates)])


def resync_lines(platforms: Collection[str], product_ids: Collection[int]) -> Rematched:
    """Lines matched to these products on these platforms whose listing changed or went:
    each takes the product the registry gives it now, or none (未登记商品 again)."""
    lock_refreshes()
    line = aliased(OrderLine, name="candidate")
    where: list[ColumnElement[bool]] = [
        line.platform.in_(sorted(platforms)),
        line.product_id.in_(sorted(product_ids)),
    ]
    return _move(line, where, to_none=True)


def _move(line: Any, where: list[ColumnElement[bool]], to_none: bool = False) -> Rematched:
    """Give the lines `where` selects the product the registry names (or none, `to_none`),
    where it differs from theirs, then refresh their (day, shop) pairs.

    One statement: the product is resolved once per candidate line, and the moved lines'
    days, shops and amounts come back from the UPDATE itself.
    """
    resolved = (
        select(
            line.id.label("id"), line.product_id.label("was"), resolved_product(line).label("now")
        )
        .where(*where)
        .subquery("resolved")
    )
    target = OrderLine
    moved = [target.id == resolved.c.id, resolved.c.was.is_distinct_from(resolved.c.now)]
    if not to_none:
        moved.append(resolved.c.now.is_not(None))
    rows = db.session.execute(
        update(target)
        .where(*moved)
        .values(product_id=resolved.c.now)
        .returning(target.pay_day, target.shop_id, target.paid_amount - target.refund_amount),
        execution_options={"synchronize_session": False},
    ).all()
    if not rows:
        return Rematched()
    bump_data_version(db.session)
    sales = [(day, int(shop), Decimal(net)) for day, shop, net in rows if day is not None]
    touched = frozenset((day, shop) for day, shop, _ in sales)
    refresh_pairs(touched)
    return Rematched(
        lines=len(rows),
        sale_lines=len(sales),
        net=sum((net for *_, net in sales), ZERO),
        pairs=touched,
    )


def resolved_product(line: Any = OrderLine) -> ColumnElement[Any]:
    """SQL over the lines `line` names: the product the registry gives the line today, or NULL."""
    listing = PlatformListing
    by_id = (
        select(listing.product_id)
        .where(
            listing.platform == line.platform, listing.platform_product_id == line.raw_product_id
        )
        .scalar_subquery()
    )
    by_merchant_code = (
        select(listing.product_id)
        .where(listing.platform == line.platform, listing.merchant_code == line.merchant_code)
        .scalar_subquery()
    )
    # One level of subquery, so the import it checks is this line's own.
    by_own_code = (
        select(Product.id)
        .where(
            Product.code == line.merchant_code,
            SalesImport.id == line.import_id,
            SalesImport.kind == "template",
        )
        .scalar_subquery()
    )
    return func.coalesce(by_id, by_merchant_code, by_own_code)


def _through_listings(line: Any, listing_ids: list[int]) -> ColumnElement[bool]:
    listing = PlatformListing
    return exists().where(
        listing.id.in_(listing_ids),
        listing.platform == line.platform,
        or_(
            listing.platform_product_id == line.raw_product_id,
            listing.merchant_code == line.merchant_code,
        ),
    )


# A refresh pass costs some twenty statements whatever its size: one pass over every touched
# day × every touched shop wins over many exact passes until it recomputes this many times the
# pairs touched.
CROSS_LIMIT = 8


def refresh_pairs(pairs: Collection[tuple[dt.date, int]]) -> None:
    """Refresh the rollups of these (day, shop) pairs, not of every day × every shop.

    Shops with the same set of days are refreshed together, in one `refresh_days` call; when
    there are several such groups and all touched days × all touched shops is not much more
    than the pairs themselves, one call over those does it in fewer statements.
    """
    days_of: dict[int, set[dt.date]] = {}
    for day, shop in pairs:
        days_of.setdefault(shop, set()).add(day)
    shops_of: dict[frozenset[dt.date], list[int]] = {}
    for shop, days in days_of.items():
        shops_of.setdefault(frozenset(days), []).append(shop)
    every_day = {day for day, _ in pairs}
    if len(shops_of) > 1 and len(every_day) * len(days_of) <= CROSS_LIMIT * len(pairs):
        refresh_days(every_day, days_of)
        return
    for same_days, shops in sorted(shops_of.items(), key=lambda item: min(item[1])):
        refresh_days(same_days, shops)


def brand_rollups_before_new_product() -> bool:
    """Take the refresh lock and say whether the brand rollups follow the registry now.

    Call it before adding a product, then `new_product_added` after: see there.
    """
    lock_refreshes()
    return brand_rollups_current()


def new_product_added(were_current: bool) -> None:
    """A product no stored line names yet leaves every brand figure as it was.

    The brand rollups are stamped with a digest of all products' brands, so adding any product
    would have the next refresh recompute them all (tens of seconds at a million lines). When
    they were current before the product was added, they are stamped current again; the lines
    re-matched to the product then refresh their own days only.
    """
    if not were_current:
        return
    stamp = db.session.get(RollupStamp, STAMP)
    if stamp is not None:
        stamp.value = brand_digest()
        db.session.flush()


def listing_products() -> dict[int, int]:
    """Every listing's product, by listing id (to see afterwards which listings moved)."""
    rows = db.session.execute(select(PlatformListing.id, PlatformListing.product_id))
    return {int(listing): int(product) for listing, product in rows}


def rematch_after_registry_change(before: dict[int, int]) -> Rematched:
    """Re-match after a registry load: unmatched lines, and lines of listings that moved."""
    moved = [
        listing
        for listing, product in listing_products().items()
        if listing in before and before[listing] != product
    ]
    return rematch_lines(listing_ids=moved)
