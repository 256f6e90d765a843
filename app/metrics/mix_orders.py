"""Orders counted through their mixes, when a figure depends on the products or rooms inside.

An order row of the rollups carries its mix (the set of (product, room) pairs it bought); a
figure by product, room, brand or category, or one filtered by them, joins each order row to
the groups its mix touches, so an order counts once in every group and never twice in one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Select, and_, case, cast, func, null, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from app.metrics.query import Cols, Query, grouped, join_products, member_conditions, shape
from app.metrics.scope import COUNTY
from app.models import LiveRoom, Product, RollupMixMember, Village

# A typed NULL: PostgreSQL reads a bare NULL in a UNION as text.
NO_DATE = cast(null(), Date)

# Group keys and scopes read off an order row itself (its day, month and shop); the others
# depend on the products and rooms inside the order, read off its mix.
ROW_KEYS = ("day", "month", "platform", "shop", "township", "village")


def row_level(query: Query) -> Query:
    """The part of `query` an order row answers by itself."""
    by = query.by if query.by in ROW_KEYS and not query.room_basis else None
    regional = query.scope.kind in ("township", "village") and not query.room_basis
    return Query(query.period, by, query.scope if regional else COUNTY)


def orders_through_mixes(base: Select[Any], query: Query, table: Any, cols: Cols) -> Select[Any]:
    """Σ orders per key; through the mixes when products or rooms matter.

    `table` is the order rows subquery (its columns are reached through `.c`). An order row
    joins one row per group its mix touches (when, for brands, the group applies on the
    row's day), so it counts once in every group and never twice in one.
    """
    rows = row_level(query)
    if not query.needs_members:
        return grouped(shape(base, rows, cols), func.sum(table.c.orders))
    mixes = _qualifying_mixes(query)
    when = cols.when
    base = base.join(
        mixes,
        and_(
            mixes.c.mix_id == table.c.mix_id,
            or_(mixes.c.valid_from.is_(None), when >= mixes.c.valid_from),
            or_(mixes.c.valid_to.is_(None), when < mixes.c.valid_to),
        ),
    )
    shaped = shape(base, rows, cols)
    if rows.by is None and query.by is not None:
        shaped.key = mixes.c.key
    return grouped(shaped, func.sum(table.c.orders))


def _qualifying_mixes(query: Query) -> Any:
    """(mix, group key, valid from, valid to) for every mix with a member passing `query`'s
    product and room filters; the dates bound when brand membership makes it so."""
    member = RollupMixMember
    by, scope = query.by, query.scope
    stmt = join_products(select(member.mix_id).select_from(member), query, member.product_id)
    village: Any = None
    if query.room_basis and (
        by in ("township", "village") or scope.kind in ("township", "village")
    ):
        stmt = stmt.join(LiveRoom, LiveRoom.id == member.room_id)
        village = LiveRoom.village_id
        if by == "township" or scope.kind == "township":
            stmt = stmt.join(Village, Village.id == village)
    # Shop-placed township and village scopes are judged on the order rows (row_level).
    where = member_conditions(
        query, member.product_id, member.room_id, village, places=query.room_basis
    )
    branded = scope.kind == "brand" or query.branded
    keys: dict[str, Any] = {
        "product": member.product_id,
        "room": member.room_id,
        "brand": Product.brand_id,
        "category": Product.category,
        "township": Village.township_id,
        "village": village,
    }
    key = keys[by] if by in keys and row_level(query).by is None else null()
    joined: Any = Product.brand_joined_on if query.needs_product else NO_DATE
    unbounded = NO_DATE

    def part(group: Any, start: Any, stop: Any, *more: ColumnElement[bool]) -> Select[Any]:
        columns = (group.label("key"), start.label("valid_from"), stop.label("valid_to"))
        return stmt.add_columns(*columns).where(*where, *more)

    if branded:
        # Members count from the day their product joined the brand.
        parts = [part(key, joined, unbounded)]
    elif by == "brand":
        # Branded from the join date; before it (or without a brand) in the no-brand group.
        parts = [
            part(key, joined, unbounded, Product.brand_id.is_not(None)),
            part(
                null(),
                unbounded,
                case((Product.brand_id.is_(None), unbounded), else_=joined),
                or_(Product.brand_id.is_(None), joined.is_not(None)),
            ),
        ]
    else:
        parts = [part(key, unbounded, unbounded)]
    members = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    mix_id, member_key, start, stop = members.c
    # Several members can open the same group: it opens with the earliest, closes with the last.
    return (
        select(
            mix_id.label("mix_id"),
            member_key.label("key"),
            case((func.count() > func.count(start), null()), else_=func.min(start)).label(
                "valid_from"
            ),
            case((func.count() > func.count(stop), null()), else_=func.max(stop)).label("valid_to"),
        )
        .group_by(mix_id, member_key)
        .subquery()
    )
