"""Totals read from the rollups, touching as few rows as the question allows.

A range is read as whole years, whole months and leftover days from the matching tables.
Figures that depend only on when and in which shop something sold come from the shop rows;
brand figures by shop location from the brand rows (while they follow the registry); the
others from item rows (sums) and product or mix rows (orders). Brand membership starts on a
product's join date, which may fall inside a year or month: such a product's item and mix
rows are then read one level down (months of its join year, days of its join month), so
every row read is wholly inside or wholly outside the brand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy import (
    Select,
    distinct,
    func,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.metrics.brand_rollups import brand_rollups_current
from app.metrics.mix_orders import NO_DATE, ROW_KEYS, orders_through_mixes, row_level
from app.metrics.periods import Period, split_by_month
from app.metrics.query import ITEM_NAMES, Cols, Query, Totals, grouped, merge, shape
from app.metrics.sql import period_start
from app.models import (
    Product,
    RollupBrandDay,
    RollupBrandMonth,
    RollupBrandYear,
    RollupItemDay,
    RollupItemMonth,
    RollupItemYear,
    RollupMixMember,
    RollupOrderDay,
    RollupOrderMonth,
    RollupOrderYear,
    RollupProductDay,
    RollupProductMonth,
    RollupProductYear,
    RollupShopDay,
    RollupShopMonth,
    RollupSplitOrder,
)

Level = Literal["year", "month", "day"]
ONE_DAY = dt.timedelta(days=1)
FAMILIES: dict[str, dict[str, Any]] = {
    "items": {"day": RollupItemDay, "month": RollupItemMonth, "year": RollupItemYear},
    "mixes": {"day": RollupOrderDay, "month": RollupOrderMonth, "year": RollupOrderYear},
    "products": {"day": RollupProductDay, "month": RollupProductMonth, "year": RollupProductYear},
}
SHOPS: dict[str, Any] = {"day": RollupShopDay, "month": RollupShopMonth}
BRANDS: dict[str, Any] = {"day": RollupBrandDay, "month": RollupBrandMonth, "year": RollupBrandYear}
UNREGISTERED = {"gross": "unregistered_gross", "refund": "unregistered_refund"}
UNREGISTERED |= {"lines": "unregistered_lines"}


def _run(statement: Any) -> Any:
    # Core execution: these are plain result rows, no ORM entities to build.
    return db.session.connection().execute(statement).all()


def rollup_totals(query: Query, orders: bool) -> dict[Any, Totals]:
    """Totals per group key from the rollups; distinct orders when `orders`."""
    totals: dict[Any, Totals] = {}
    if query.shop_level and not (query.unregistered and orders):
        names = (*ITEM_NAMES, "orders")
        for level, period in segments(query, years=False):
            merge(totals, _run(_shop_statement(query, level, period)), names)
    elif _by_brand_rows(query):
        names = (*ITEM_NAMES, "orders")
        for level, period in segments(query):
            merge(totals, _run(_brand_statement(query, level, period)), names)
    else:
        merge(totals, _run(_item_statement(query)), ITEM_NAMES)
        if orders:
            by_product = query.by == "product" and not query.room_basis
            if by_product and query.scope.kind not in ("room", "streamer"):
                statement = _product_order_statement(query, list(totals) if query.top else None)
            else:
                statement = _mix_order_statement(query)
            merge(totals, _run(statement), ("orders",))
    if orders:
        merge(totals, _run(_split_orders(query)), ("orders",))
    return totals


def segments(query: Query, years: bool = True) -> list[tuple[Level, Period]]:
    """The query's range as (level, period) parts: whole years, whole months, leftover days."""
    if query.by == "day":
        return [("day", query.period)]
    whole, partial = split_by_month(query.period)
    parts: list[tuple[Level, Period]] = [("day", period) for period in partial]
    runs: list[tuple[Level, Period]] = []
    for month in whole:
        level: Level = "month"
        if years and query.by != "month":
            if len([m for m in whole if m.start.year == month.start.year]) == 12:
                level = "year"
        if runs and runs[-1][0] == level and runs[-1][1].end + ONE_DAY == month.start:
            runs[-1] = (level, Period(runs[-1][1].start, month.end))
        else:
            runs.append((level, month))
    return parts + runs


def _shop_statement(query: Query, level: Level, period: Period) -> Select[Any]:
    """Sums and orders per key from the shop rows (the 未登记商品 part when asked)."""
    table = SHOPS[level]
    column = table.day if level == "day" else table.month
    base = select(table.id).where(column.between(period.start, period.end))
    cols = Cols(
        day=table.day if level == "day" else None,
        month=table.month,
        shop=table.shop_id,
        product=null(),
        room=null(),
    )
    shaped = shape(base, query, cols)
    if query.unregistered:
        measures = [
            func.sum(getattr(table, UNREGISTERED[name])) if name in UNREGISTERED else null()
            for name in ITEM_NAMES
        ]
        return grouped(shaped, *measures, null())
    sums = (func.sum(getattr(table, name)) for name in ITEM_NAMES)
    return grouped(shaped, *sums, func.sum(table.orders))


def _by_brand_rows(query: Query) -> bool:
    """Brand figures the brand rollups answer: by brand or within one, by shop location, while
    the products' brands and join dates are those the rollups were computed with."""
    return (
        query.brand_sensitive
        and not (query.agri or query.room_basis or query.unregistered)
        and query.products is None
        and query.by in (None, "brand", *ROW_KEYS)
        and query.scope.kind in ("county", "township", "village", "brand")
        and brand_rollups_current()
    )


def _brand_statement(query: Query, level: Level, period: Period) -> Select[Any]:
    """Sums and orders per key from the brand rows."""
    table = BRANDS[level]
    column = getattr(table, level)
    base = select(table.id).where(column.between(period.start, period.end))
    if query.scope.kind == "brand":
        base = base.where(table.brand_id == query.scope.id)
    elif query.branded:
        base = base.where(table.brand_id.is_not(None))
    cols = Cols(
        day=table.day if level == "day" else None,
        month=table.month if level != "year" else None,
        shop=table.shop_id,
        product=null(),
        room=null(),
        year=table.year if level == "year" else None,
    )
    shaped = shape(base, row_level(query), cols)
    if query.by == "brand":
        shaped.key = table.brand_id
    sums = (func.sum(getattr(table, name)) for name in ITEM_NAMES)
    return grouped(shaped, *sums, func.sum(table.orders))


# -- which rows to read ----------------------------------------------------------------------


def _straddling(level: str, members: bool, within: Period) -> Select[Any]:
    """(product or mix, period start) of every product joining its brand inside that period,
    for join dates `within` the range read (the others cannot split a row read)."""
    joined = Product.brand_joined_on
    start = period_start(level, joined)
    if members:
        member = RollupMixMember
        stmt = select(member.mix_id, start).join(Product, Product.id == member.product_id)
    else:
        stmt = select(Product.id, start)
    return stmt.where(
        Product.brand_id.is_not(None),
        joined.between(within.start, within.end),
        start != joined,
    )


def _routes(
    level: Level, family: str, within: Period
) -> list[tuple[Level, list[ColumnElement[bool]]]]:
    """(level, conditions) to read for a segment at `level` of a brand-sensitive query: each
    product (or mix) row wholly inside or outside its brand, one level down where not."""
    tables, members = FAMILIES[family], family == "mixes"

    def key(row: Any) -> Any:
        return row.mix_id if members else row.product_id

    def inside(row: Any, at: str, column: Any) -> ColumnElement[bool]:
        return tuple_(key(row), column).in_(_straddling(at, members, within))

    def outside(row: Any, at: str, column: Any) -> ColumnElement[bool]:
        condition = tuple_(key(row), column).not_in(_straddling(at, members, within))
        return condition if members else or_(row.product_id.is_(None), condition)

    day, month = tables["day"], tables["month"]
    if level == "day":
        return [("day", [])]
    if level == "month":
        return [
            ("month", [outside(month, "month", month.month)]),
            ("day", [inside(day, "month", day.month)]),
        ]
    year = tables["year"]
    in_join_year = inside(month, "year", period_start("year", month.month))
    return [
        ("year", [outside(year, "year", year.year)]),
        ("month", [in_join_year, outside(month, "month", month.month)]),
        ("day", [inside(day, "month", day.month)]),
    ]


def _rows(query: Query, family: str, columns: tuple[str, ...]) -> Any:
    """The rows of a table family the query needs, as one subquery with standard columns:
    when (the row's first day), day, month, shop_id and `columns`."""
    tables = FAMILIES[family]
    parts = []
    for level, period in segments(query):
        routes = _routes(level, family, period) if query.brand_sensitive else [(level, [])]
        for at, conditions in routes:
            table = tables[at]
            own = {"day": "day", "month": "month", "year": "year"}[at]
            when = getattr(table, own)
            parts.append(
                select(
                    when.label("when"),
                    (table.day if at == "day" else NO_DATE).label("day"),
                    (table.month if at != "year" else NO_DATE).label("month"),
                    table.shop_id.label("shop_id"),
                    *(getattr(table, name).label(name) for name in columns),
                ).where(when.between(period.start, period.end), *conditions)
            )
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()


def _row_cols(rows: Any, product: Any, room: Any) -> Cols:
    return Cols(
        day=rows.c.day,
        month=rows.c.month,
        shop=rows.c.shop_id,
        product=product,
        room=room,
        at=rows.c.when,
    )


def _item_statement(query: Query) -> Select[Any]:
    rows = _rows(query, "items", ("product_id", "room_id", *ITEM_NAMES))
    cols = _row_cols(rows, rows.c.product_id, rows.c.room_id)
    shaped = shape(select(rows.c.when), query, cols)
    statement = grouped(shaped, *(func.sum(rows.c[name]) for name in ITEM_NAMES))
    if query.top and query.by == "product":
        # The ranking retail() applies: net descending, unregistered last, then by id.
        net = func.sum(rows.c.gross) - func.sum(rows.c.refund)
        key = rows.c.product_id
        statement = statement.order_by(net.desc(), key.is_(None), key).limit(query.top)
    return statement


def _product_order_statement(query: Query, keys: list[Any] | None = None) -> Select[Any]:
    """Orders per product, read from the per-product order counts (of `keys` when given)."""
    rows = _rows(query, "products", ("product_id", "orders"))
    base = select(rows.c.when)
    if keys is not None:
        wanted = [key for key in keys if key is not None]
        base = base.where(
            or_(rows.c.product_id.in_(wanted), rows.c.product_id.is_(None))
            if None in keys
            else rows.c.product_id.in_(wanted)
        )
    shaped = shape(base, query, _row_cols(rows, rows.c.product_id, null()))
    return grouped(shaped, func.sum(rows.c.orders))


def _mix_order_statement(query: Query) -> Select[Any]:
    rows = _rows(query, "mixes", ("mix_id", "orders"))
    return orders_through_mixes(select(rows.c.when), query, rows, _row_cols(rows, null(), null()))


def _split_orders(query: Query) -> Select[Any]:
    """Distinct orders among those paid over several days (rare), counted from fragments."""
    table = RollupSplitOrder
    base = select(table.id).where(table.day.between(query.period.start, query.period.end))
    cols = Cols(table.day, table.month, table.shop_id, table.product_id, table.room_id)
    shaped = shape(base, query, cols)
    return grouped(shaped, func.count(distinct(table.order_key)))
