"""Which rows a scope may see: shops (to upload for), imports, and registry entries.

Each `*_clause` is a WHERE clause on one model, so a page or an API list and its single-item
lookup filter with the same rule. County roles see every row.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, or_, select, true

from app.auth.scope import AccessScope
from app.extensions import db
from app.models import (
    BaselinePrice,
    Brand,
    LiveRoom,
    PlatformListing,
    Product,
    SalesImport,
    Shop,
    Streamer,
    Target,
    Township,
    Village,
    room_streamers,
)


def _village_ids(scope: AccessScope) -> Select[tuple[int]]:
    return (
        select(Village.id).join(Village.township).where(Township.code.in_(sorted(scope.townships)))
    )


def _brand_product_ids(scope: AccessScope) -> Select[tuple[int]]:
    return select(Product.id).join(Product.brand).where(Brand.code.in_(sorted(scope.brands)))


def township_clause(scope: AccessScope) -> ColumnElement[bool]:
    return true() if scope.county else Township.code.in_(sorted(scope.townships))


def village_clause(scope: AccessScope) -> ColumnElement[bool]:
    return true() if scope.county else Village.id.in_(_village_ids(scope))


def room_clause(scope: AccessScope) -> ColumnElement[bool]:
    """The township's rooms, or the streamer's own."""
    if scope.county:
        return true()
    return or_(LiveRoom.village_id.in_(_village_ids(scope)), LiveRoom.code.in_(sorted(scope.rooms)))


def shop_clause(scope: AccessScope) -> ColumnElement[bool]:
    """The township's shops, or the shops of the streamer's rooms."""
    if scope.county:
        return true()
    room_shops = select(LiveRoom.shop_id).where(
        LiveRoom.code.in_(sorted(scope.rooms)), LiveRoom.shop_id.is_not(None)
    )
    return or_(Shop.village_id.in_(_village_ids(scope)), Shop.id.in_(room_shops))


def streamer_clause(scope: AccessScope) -> ColumnElement[bool]:
    """Streamers linked to a room in scope."""
    if scope.county:
        return true()
    rooms = select(LiveRoom.id).where(room_clause(scope))
    linked = select(room_streamers.c.streamer_id).where(room_streamers.c.room_id.in_(rooms))
    return Streamer.id.in_(linked)


def brand_clause(scope: AccessScope) -> ColumnElement[bool]:
    return true() if scope.county else Brand.code.in_(sorted(scope.brands))


def product_clause(scope: AccessScope) -> ColumnElement[bool]:
    return true() if scope.county else Product.id.in_(_brand_product_ids(scope))


def listing_clause(scope: AccessScope) -> ColumnElement[bool]:
    return true() if scope.county else PlatformListing.product_id.in_(_brand_product_ids(scope))


def baseline_clause(scope: AccessScope) -> ColumnElement[bool]:
    return true() if scope.county else BaselinePrice.product_id.in_(_brand_product_ids(scope))


def target_clause(scope: AccessScope) -> ColumnElement[bool]:
    """Targets whose scope lies in this one (as `AccessScope.permits` decides for progress)."""
    if scope.county:
        return true()
    villages = select(Village.code).where(Village.id.in_(_village_ids(scope)))
    rooms = select(LiveRoom.code).where(room_clause(scope))
    return or_(
        and_(Target.scope_type == "township", Target.scope_code.in_(sorted(scope.townships))),
        and_(Target.scope_type == "village", Target.scope_code.in_(villages)),
        and_(Target.scope_type == "room", Target.scope_code.in_(rooms)),
        and_(Target.scope_type == "brand", Target.scope_code.in_(sorted(scope.brands))),
    )


def shops_in_scope(scope: AccessScope) -> list[Shop]:
    """Shops the user may upload for: all (county roles), the township's, or the rooms' own."""
    return list(db.session.scalars(select(Shop).where(shop_clause(scope)).order_by(Shop.code)))


def may_upload_for(scope: AccessScope, shop_code: str) -> bool:
    """Whether this shop exists and lies in the scope."""
    found = select(Shop.id).where(Shop.code == shop_code, shop_clause(scope))
    return db.session.scalar(found) is not None


def import_clause(scope: AccessScope, user_id: int | None) -> ColumnElement[bool]:
    """Imports of shops in scope, and the user's own uploads."""
    if scope.county:
        return true()
    in_scope = SalesImport.shop_id.in_(select(Shop.id).where(shop_clause(scope)))
    return in_scope if user_id is None else or_(in_scope, SalesImport.created_by_id == user_id)


def visible_imports(scope: AccessScope, user_id: int | None) -> Select[tuple[SalesImport]]:
    """Imports the user may see, newest first."""
    return select(SalesImport).where(import_clause(scope, user_id)).order_by(SalesImport.id.desc())


def may_see_import(scope: AccessScope, user_id: int | None, record: SalesImport) -> bool:
    found = select(SalesImport.id).where(SalesImport.id == record.id, import_clause(scope, user_id))
    return db.session.scalar(found) is not None
