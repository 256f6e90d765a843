"""What to sum and how to group it: the query, its totals, and the SQL shaping they share.

Rollups and raw lines are read through the same joins, filters and group keys (`shape`), so a
figure read from the rollups equals the one read from the lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, case, null, select
from sqlalchemy.sql.elements import ColumnElement

from app.metrics.periods import Period
from app.metrics.scope import COUNTY, Scope
from app.metrics.sql import agricultural, brand_in_effect
from app.models import Category, LiveRoom, LiveSession, Product, Shop, Village

ZERO = Decimal("0.00")
Source = Literal["rollup", "raw"]


@dataclass(slots=True)
class Totals:
    """Σ over sale lines: gross paid, refund, net of kept lines, lines, units, orders."""

    gross: Decimal = ZERO
    refund: Decimal = ZERO
    kept_net: Decimal = ZERO  # Σ net over lines not refunded in full
    lines: int = 0
    units: int = 0  # Σ quantity over lines not refunded in full
    refunded_lines: int = 0  # lines refunded in full
    orders: int = 0

    @property
    def net(self) -> Decimal:
        """网络零售额: gross − refund."""
        return self.gross - self.refund

    def add(self, other: Totals) -> None:
        self.gross += other.gross
        self.refund += other.refund
        self.kept_net += other.kept_net
        self.lines += other.lines
        self.units += other.units
        self.refunded_lines += other.refunded_lines
        self.orders += other.orders


@dataclass(frozen=True)
class Query:
    """Which sale lines to sum and how to group them."""

    period: Period
    by: str | None = None
    scope: Scope = COUNTY
    agri: bool = False
    # "room": only lines attributed to a live room, placed by the room's village (村播带货额).
    basis: Literal["shop", "room"] = "shop"
    # Only lines of products in a brand, from their join date (品牌销售额).
    branded: bool = False
    # Only lines whose product is not registered (未登记商品).
    unregistered: bool = False
    # Only lines of these products (by id).
    products: tuple[int, ...] | None = None
    # By product: only the `top` products by net are needed (others may be left out).
    top: int | None = None

    @property
    def room_basis(self) -> bool:
        return self.basis == "room" or self.by == "room"

    @property
    def brand_sensitive(self) -> bool:
        return self.by == "brand" or self.scope.kind == "brand" or self.branded

    @property
    def needs_product(self) -> bool:
        return self.brand_sensitive or self.agri or self.by == "category"

    @property
    def shop_level(self) -> bool:
        """Nothing asked depends on the products or rooms of a line, 未登记商品 aside."""
        return not (
            self.needs_product
            or self.products is not None
            or self.room_basis
            or self.by == "product"
            or self.scope.kind in ("room", "streamer")
        )

    @property
    def needs_members(self) -> bool:
        """Whether order counts depend on the products or rooms inside an order."""
        return self.unregistered or not self.shop_level


@dataclass
class Cols:
    """Where a source keeps the day, month, shop, product and room of its rows."""

    day: Any
    month: Any
    shop: Any
    product: Any
    room: Any
    session: Any = None

    year: Any = None
    # The day brand membership is judged on, when not the row's own day, month or year.
    at: Any = None

    @property
    def when(self) -> Any:
        """The day brand membership is judged on (month and year rows start on the 1st)."""
        for column in (self.at, self.day, self.month, self.year):
            if column is not None:
                return column
        raise ValueError("a source needs a day, month or year column")


@dataclass
class Shaped:
    stmt: Select[Any]
    key: ColumnElement[Any] | None
    conditions: list[ColumnElement[bool]] = field(default_factory=list)


def join_products(stmt: Select[Any], query: Query, product: Any) -> Select[Any]:
    """Outer-join the product (and, for 农产品, its category) when `query` depends on them."""
    if query.needs_product:
        stmt = stmt.outerjoin(Product, Product.id == product)
        if query.agri:
            stmt = stmt.outerjoin(Category, Category.name == Product.category)
    return stmt


def member_conditions(
    query: Query, product: Any, room: Any, village: Any, when: Any = None, places: bool = True
) -> list[ColumnElement[bool]]:
    """The conditions of `query` on a source's product, room and village columns: 农产品,
    room basis, scope (township and village only with `places`), brand, 未登记商品, products.

    With `when`, brand membership is judged on that day; without, a product merely needs its
    brand (the order mixes bound membership by dates themselves). Both sources of every figure
    filter through here, so rollups and raw lines agree.
    """
    scope = query.scope
    where: list[ColumnElement[bool]] = []
    if query.agri:
        where.append(agricultural())
    if query.room_basis:
        where.append(room.is_not(None))
    if places and scope.kind == "township":
        where.append(Village.township_id == scope.id)
    elif places and scope.kind == "village":
        where.append(village == scope.id)
    elif scope.kind == "room":
        where.append(room == scope.id)
    elif scope.kind == "brand":
        where.append(Product.brand_id == scope.id)
        if when is not None:
            where.append(brand_in_effect(when))
    if query.branded:
        where.append(brand_in_effect(when) if when is not None else Product.brand_id.is_not(None))
    if query.unregistered:
        where.append(product.is_(None))
    if query.products is not None:
        where.append(product.in_(query.products))
    return where


def shape(stmt: Select[Any], query: Query, cols: Cols) -> Shaped:
    """Add the joins and filters `query` needs over a source's columns; return its group key."""
    by, scope = query.by, query.scope
    stmt = join_products(stmt, query, cols.product)
    regional = by in ("township", "village") or scope.kind in ("township", "village")
    if by == "platform" or (regional and not query.room_basis):
        stmt = stmt.join(Shop, Shop.id == cols.shop)
    village: Any = None
    if regional:
        if query.room_basis:
            stmt = stmt.join(LiveRoom, LiveRoom.id == cols.room)
            village = LiveRoom.village_id
        else:
            village = Shop.village_id
        if by == "township" or scope.kind == "township":
            stmt = stmt.join(Village, Village.id == village)
    if by == "streamer":
        # Internal grouping (not a public `by`): the streamer of each line's session.
        if cols.session is None:
            raise ValueError("grouping by streamer needs the lines' sessions")
        stmt = stmt.join(LiveSession, LiveSession.id == cols.session)
    where = member_conditions(query, cols.product, cols.room, village, when=cols.when)
    if scope.kind == "streamer":
        sessions = select(LiveSession.id).where(LiveSession.streamer_id == scope.id)
        where.append(cols.session.in_(sessions))
    keys: dict[str, Any] = {
        "day": cols.day,
        "month": cols.month,
        "platform": Shop.platform,
        "township": Village.township_id,
        "village": village,
        "shop": cols.shop,
        "room": cols.room,
        "brand": case((brand_in_effect(cols.when), Product.brand_id), else_=null()),
        "product": cols.product,
        "category": Product.category,
        "streamer": LiveSession.streamer_id,
    }
    key = keys[by] if by else None
    return Shaped(stmt.where(*where), key, where)


def grouped(shaped: Shaped, *measures: Any) -> Select[Any]:
    if shaped.key is None:
        return shaped.stmt.with_only_columns(null(), *measures, maintain_column_froms=True)
    return shaped.stmt.with_only_columns(
        shaped.key, *measures, maintain_column_froms=True
    ).group_by(shaped.key)


def merge(into: dict[Any, Totals], rows: Iterable[Any], names: tuple[str, ...]) -> None:
    """Add result rows (group key, then the `names` columns) into `into`."""
    money = [name in MONEY_NAMES for name in names]
    for row in rows:
        totals = into.get(row[0])
        if totals is None:
            totals = into[row[0]] = Totals()
        for name, is_money, value in zip(names, money, row[1:], strict=True):
            if value is not None:
                # PostgreSQL sums integers as NUMERIC; counts stay ints.
                setattr(totals, name, getattr(totals, name) + (value if is_money else int(value)))


MONEY_NAMES = frozenset({"gross", "refund", "kept_net"})
ITEM_NAMES = ("gross", "refund", "kept_net", "lines", "units", "refunded_lines")
