"""Which shop an upload belongs to, decided from the head of the file before anything is kept.

The file is recognised the way the import will read it (`export_reader.open_export`): its
platform, whether it has a shop column (天猫 店铺ID, the template's 网店编码), and the product ids
and merchant codes of its first rows. A file that names its shop needs no choice: its rows keep
the shops they name, and a file naming a shop the uploader may not import for is refused
(`outside`), never given one of the uploader's shops instead. Only a file that names no shop
gets one picked when only one fits (the uploader's only shop of the platform, or the one shop
whose registered listings' products it has sold before); the uploader is asked otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import OrderLine, PlatformListing, Shop

from .batch import Cells
from .errors import ImportFileError
from .export_reader import _as_import_error, open_export

log = logging.getLogger(__name__)

HEAD_ROWS = 2_000  # data rows read to learn the file's products and shops
# Platforms whose files say nothing about which platform's shops fit (a template without 平台).
ANY_PLATFORM = (None, "other")

Reason = Literal["given", "file", "only", "listings", "ask", "outside"]


@dataclass(frozen=True)
class FileHead:
    """What the first rows of a file tell: `platform` is None when no format recognised it."""

    platform: str | None
    names_shop: bool = False
    product_ids: frozenset[str] = field(default_factory=frozenset)
    merchant_codes: frozenset[str] = field(default_factory=frozenset)
    shop_refs: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ShopChoice:
    """The shop chosen (`shop`, None when the rows name theirs, when asking or refusing), why,
    the shops to ask among (`candidates`) when `reason` is `ask`, and the shops the file names
    that the uploader may not import for (`outside`, as the file writes them) when it is
    `outside`."""

    shop: Shop | None
    reason: Reason
    candidates: tuple[Shop, ...] = ()
    outside: tuple[str, ...] = ()

    @property
    def asks(self) -> bool:
        return self.reason == "ask"

    @property
    def refuses(self) -> bool:
        return self.reason == "outside"


def read_head(
    path: str | Path,
    *,
    platform: str | None = None,
    password: str | None = None,
    mapping: dict[str, str] | None = None,
    filename: str | None = None,
) -> FileHead:
    """The platform, shop column and first product ids of a file; a file the import will
    refuse (unknown format, wrong password, damaged) gives `FileHead(None)`: the import says why."""
    try:
        reader = open_export(
            path,
            platform=platform,
            password=password,
            mapping=mapping,
            filename=filename,
            chunk_rows=HEAD_ROWS,
        )
    except ImportFileError:
        return FileHead(None)
    names_shop = "shop_ref" in reader.columns
    wanted: dict[str, int] = {
        key: reader.columns[key]
        for key in ("product_id", "merchant_code", "shop_ref")
        if key in reader.columns
    }
    if not wanted:
        return FileHead(reader.platform, names_shop)
    try:
        with _as_import_error(), closing(reader.source.batches(wanted, HEAD_ROWS)) as batches:
            batch = next(batches, None)
    except (ImportFileError, OSError) as exc:  # a damaged body: the import reports it
        log.info("head of %s not read: %s", filename or path, exc)
        return FileHead(reader.platform, names_shop)
    if batch is None:
        return FileHead(reader.platform, names_shop)
    cells = Cells(reader.format, batch.frame, parse=False)
    refs = reader.format.shop_ref(cells) if names_shop else None
    return FileHead(
        reader.platform,
        names_shop,
        _values(cells.text("product_id")) if "product_id" in wanted else frozenset(),
        _values(cells.text("merchant_code")) if "merchant_code" in wanted else frozenset(),
        _values(refs) if refs is not None else frozenset(),
    )


def _values(column: pd.Series) -> frozenset[str]:
    return frozenset(str(v) for v in column.dropna().unique() if str(v).strip())


def choose_shop(head: FileHead, shops: Sequence[Shop], *, rows_may_name: bool) -> ShopChoice:
    """The shop of an upload whose uploader chose none, among `shops` (those they may upload for).

    `rows_may_name`: the uploader may import lines for whichever shop each row names (the
    county centre), so a file with a shop column needs no choice at all. Anybody else's file
    that names shops keeps them: one of theirs is the upload's shop, several of theirs leave
    each row its own, and a shop that is not theirs (or not registered) refuses the file.
    Only a file that names no shop in its first rows gets the only shop or the listings' one.
    """
    fitting = [shop for shop in shops if _fits(shop, head.platform)]
    if head.names_shop and rows_may_name:
        return ShopChoice(None, "file")
    if head.names_shop and head.shop_refs:
        named, outside = _named_shops(head, fitting)
        if outside:
            return ShopChoice(None, "outside", outside=outside)
        return ShopChoice(named[0] if len(named) == 1 else None, "file")
    if head.platform is None and rows_may_name:
        return ShopChoice(None, "file")  # unrecognised: the import fails and says why
    if len(fitting) == 1:
        return ShopChoice(fitting[0], "only")
    if len(fitting) > 1:
        sold = shops_selling_listed(head, fitting)
        if len(sold) == 1:
            return ShopChoice(sold[0], "listings")
    return ShopChoice(None, "ask", tuple(fitting or shops))


def _fits(shop: Shop, platform: str | None) -> bool:
    return platform in ANY_PLATFORM or shop.platform == platform


def _named_shops(head: FileHead, shops: Sequence[Shop]) -> tuple[list[Shop], tuple[str, ...]]:
    """The shops among `shops` the file's shop column names (by code or platform shop id), and
    the references it writes that name none of them, sorted."""
    named: list[Shop] = []
    outside = []
    for ref in sorted(head.shop_refs):
        found = [shop for shop in shops if ref in (shop.code, shop.platform_shop_id)]
        if not found:
            outside.append(ref)
        named.extend(shop for shop in found if shop not in named)
    return named, tuple(outside)


def others_named(head: FileHead, shops: Sequence[Shop]) -> tuple[str, ...]:
    """The references of the file's shop column that name a registered shop not among `shops`,
    sorted: a file given one of the uploader's shops that carries another shop's rows."""
    own = {ref for shop in shops for ref in (shop.code, shop.platform_shop_id) if ref}
    unknown = sorted(head.shop_refs - own)
    if not unknown:
        return ()
    registered = db.session.scalars(
        select(Shop).where(
            or_(
                Shop.code.in_(unknown),
                and_(Shop.platform == head.platform, Shop.platform_shop_id.in_(unknown)),
            )
        )
    ).all()
    return tuple(
        ref for ref in unknown if any(ref in (s.code, s.platform_shop_id) for s in registered)
    )


def shops_selling_listed(head: FileHead, shops: Sequence[Shop]) -> list[Shop]:
    """The shops among `shops` whose stored lines hold the products the file's registered
    listings (平台商品, by platform product id or merchant code) point at."""
    if head.platform in ANY_PLATFORM or not (head.product_ids or head.merchant_codes):
        return []
    clauses = []
    if head.product_ids:
        clauses.append(PlatformListing.platform_product_id.in_(sorted(head.product_ids)))
    if head.merchant_codes:
        clauses.append(PlatformListing.merchant_code.in_(sorted(head.merchant_codes)))
    products = (
        select(PlatformListing.product_id)
        .where(PlatformListing.platform == head.platform, or_(*clauses))
        .distinct()
    )
    found = []
    for shop in shops:
        sold = db.session.scalar(
            select(OrderLine.id)
            .where(OrderLine.shop_id == shop.id, OrderLine.product_id.in_(products))
            .limit(1)
        )
        if sold is not None:
            found.append(shop)
    return found
