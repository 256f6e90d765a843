"""Keep the rollup tables (app.models.rollups) equal to what the order lines say.

`refresh_days` recomputes the given payment days (the import task passes the days an import
touched, old and new pay days of changed lines); `rebuild_all` recomputes everything. Both run
as a handful of INSERT … SELECT statements in the caller's transaction; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal,
    not_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.metrics.brand_rollups import refresh_brand_rollups
from app.metrics.sql import (
    is_sale,
    kept,
    line_fully_refunded,
    month_start,
    order_key,
    period_start,
)
from app.models import (
    ROLLUP_MODELS,
    Money,
    OrderLine,
    RollupItemDay,
    RollupItemMonth,
    RollupItemYear,
    RollupMix,
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

# Any constant: refreshes serialise on it so two imports never interleave delete and insert.
_LOCK_KEY = 73_110_402
SUMS = ("gross", "refund", "kept_net", "lines", "units", "refunded_lines")
SHOP_SUMS = (*SUMS, "orders", "unregistered_gross", "unregistered_refund", "unregistered_lines")

# Scratch tables for one refresh, outside the models' metadata so create_all never makes them.
_SCRATCH = MetaData()
_SPLIT = Table(
    "rollup_scratch_split",
    _SCRATCH,
    Column("shop_id", Integer, primary_key=True),
    Column("order_id", String(64), primary_key=True),
    prefixes=["TEMPORARY"],
)
_SIGNATURES = Table(
    "rollup_scratch_signatures",
    _SCRATCH,
    Column("shop_id", Integer),
    Column("order_id", String(64)),
    Column("day", Date),
    Column("signature", Text),
    prefixes=["TEMPORARY"],
)


def refresh_days(
    days: Collection[dt.date], shop_ids: Collection[int] | None = None
) -> set[dt.date]:
    """Recompute the rollups of these Beijing payment days (of these shops, or all shops).

    Days of other lines of the same orders are refreshed too, since an order paid over several
    days is counted apart. Returns the days refreshed.
    """
    if not days:
        return set()
    _lock()
    shops = sorted(set(shop_ids)) if shop_ids is not None else None
    wanted = _with_order_days(set(days), shops)
    _recompute(sorted(wanted), shops)
    return wanted


def rebuild_all() -> None:
    """Empty every rollup table and recompute it from all order lines."""
    _lock()
    for model in ROLLUP_MODELS:
        db.session.execute(delete(model))
    _recompute(None, None)


def _lock() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def _line_filter(days: list[dt.date] | None, shops: list[int] | None) -> list[ColumnElement[bool]]:
    conditions = [is_sale()]
    if days is not None:
        conditions.append(OrderLine.pay_day.in_(days))
    if shops is not None:
        conditions.append(OrderLine.shop_id.in_(shops))
    return conditions


def _with_order_days(days: set[dt.date], shops: list[int] | None) -> set[dt.date]:
    """`days` plus every other payment day of the orders paid on them, until none is new."""
    other = aliased(OrderLine)
    while True:
        orders = (
            select(OrderLine.shop_id, OrderLine.order_id)
            .where(*_line_filter(sorted(days), shops))
            .distinct()
            .subquery()
        )
        # No condition on the other lines' pay_day: the join then reads them by (shop, order),
        # where a day condition would lead SQLite to scan each shop's lines once per order.
        stmt = select(distinct(other.pay_day)).join(
            orders, and_(other.shop_id == orders.c.shop_id, other.order_id == orders.c.order_id)
        )
        more = {day for day in db.session.scalars(stmt) if day is not None} - days
        if not more:
            return days
        days |= more


def _recompute(days: list[dt.date] | None, shops: list[int] | None) -> None:
    months = sorted({day.replace(day=1) for day in days}) if days is not None else None
    years = sorted({day.replace(month=1, day=1) for day in days}) if days is not None else None
    if days is not None and months is not None and years is not None:
        for model, column, values in (
            (RollupItemDay, RollupItemDay.day, days),
            (RollupOrderDay, RollupOrderDay.day, days),
            (RollupSplitOrder, RollupSplitOrder.day, days),
            (RollupShopDay, RollupShopDay.day, days),
            (RollupProductDay, RollupProductDay.day, days),
            (RollupProductMonth, RollupProductMonth.month, months),
            (RollupProductYear, RollupProductYear.year, years),
            (RollupItemMonth, RollupItemMonth.month, months),
            (RollupOrderMonth, RollupOrderMonth.month, months),
            (RollupShopMonth, RollupShopMonth.month, months),
            (RollupItemYear, RollupItemYear.year, years),
            (RollupOrderYear, RollupOrderYear.year, years),
        ):
            stmt = delete(model).where(column.in_(values))
            if shops is not None:
                stmt = stmt.where(model.shop_id.in_(shops))
            db.session.execute(stmt)
    line_filter = _line_filter(days, shops)
    connection = db.session.connection()
    for table in (_SPLIT, _SIGNATURES):
        table.drop(connection, checkfirst=True)
        table.create(connection)
    try:
        _insert_item_days(line_filter)
        _insert_split(line_filter)
        _insert_signatures(line_filter)
        _insert_mixes()
        _insert_order_days()
    finally:
        for table in (_SPLIT, _SIGNATURES):
            table.drop(connection, checkfirst=True)
    _insert_shop_days(days, shops)
    _insert_product_days(days, shops)
    year_months = (
        [dt.date(year.year, month, 1) for year in years for month in range(1, 13)]
        if years is not None
        else None
    )
    item_keys = ("shop_id", "product_id", "room_id")
    _roll_up(RollupShopDay, RollupShopMonth, "month", ("shop_id",), SHOP_SUMS, months, shops)
    _roll_up(RollupItemDay, RollupItemMonth, "month", item_keys, SUMS, months, shops)
    _roll_up(
        RollupOrderDay, RollupOrderMonth, "month", ("shop_id", "mix_id"), ("orders",), months, shops
    )
    _roll_up(
        RollupProductDay,
        RollupProductMonth,
        "month",
        ("shop_id", "product_id"),
        ("orders",),
        months,
        shops,
    )
    _roll_up(RollupItemMonth, RollupItemYear, "year", item_keys, SUMS, year_months, shops)
    _roll_up(
        RollupProductMonth,
        RollupProductYear,
        "year",
        ("shop_id", "product_id"),
        ("orders",),
        year_months,
        shops,
    )
    _roll_up(
        RollupOrderMonth,
        RollupOrderYear,
        "year",
        ("shop_id", "mix_id"),
        ("orders",),
        year_months,
        shops,
    )
    refresh_brand_rollups(days, shops, years)


def _roll_up(
    source: Any,
    target: Any,
    level: str,
    keys: tuple[str, ...],
    sums: tuple[str, ...],
    months: list[dt.date] | None,
    shops: list[int] | None,
) -> None:
    """Sum `source` rows of these months (all when None) into `target` rows per `level`."""
    period = period_start(level, source.month) if level == "year" else source.month
    columns = [getattr(source, key) for key in keys]
    stmt = select(period, *columns, *(func.sum(getattr(source, n)) for n in sums)).group_by(
        period, *columns
    )
    if months is not None:
        stmt = stmt.where(source.month.in_(months))
    if shops is not None:
        stmt = stmt.where(source.shop_id.in_(shops))
    names = [level, *keys, *sums]
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], stmt))


def _insert_product_days(days: list[dt.date] | None, shops: list[int] | None) -> None:
    """Per (day, shop, product): the orders whose mix holds the product (in any room)."""
    member = RollupMixMember
    products = select(member.mix_id, member.product_id).distinct().subquery()
    orders = RollupOrderDay
    keys = (orders.day, orders.month, orders.shop_id, products.c.product_id)
    stmt = (
        select(*keys, func.sum(orders.orders))
        .join(products, products.c.mix_id == orders.mix_id)
        .group_by(*keys)
    )
    if days is not None:
        stmt = stmt.where(orders.day.in_(days))
    if shops is not None:
        stmt = stmt.where(orders.shop_id.in_(shops))
    target = RollupProductDay
    names = ["day", "month", "shop_id", "product_id", "orders"]
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], stmt))


def _insert_shop_days(days: list[dt.date] | None, shops: list[int] | None) -> None:
    """Per (day, shop): the item sums, the 未登记商品 part, and the orders paid that day."""
    items = RollupItemDay
    unregistered = items.product_id.is_(None)
    item_stmt = select(
        items.day,
        items.month,
        items.shop_id,
        *(func.sum(getattr(items, n)).label(n) for n in SUMS),
        func.sum(case((unregistered, items.gross), else_=0), type_=Money()).label("u_gross"),
        func.sum(case((unregistered, items.refund), else_=0), type_=Money()).label("u_refund"),
        func.sum(case((unregistered, items.lines), else_=0)).label("u_lines"),
    ).group_by(items.day, items.month, items.shop_id)
    orders = RollupOrderDay
    order_stmt = select(
        orders.day, orders.shop_id, func.sum(orders.orders).label("orders")
    ).group_by(orders.day, orders.shop_id)
    if days is not None:
        item_stmt = item_stmt.where(items.day.in_(days))
        order_stmt = order_stmt.where(orders.day.in_(days))
    if shops is not None:
        item_stmt = item_stmt.where(items.shop_id.in_(shops))
        order_stmt = order_stmt.where(orders.shop_id.in_(shops))
    summed, counted = item_stmt.subquery(), order_stmt.subquery()
    stmt = select(
        summed.c.day,
        summed.c.month,
        summed.c.shop_id,
        *(summed.c[n] for n in SUMS),
        # A shop-day whose orders were all paid over several days has none here.
        func.coalesce(counted.c.orders, 0),
        summed.c.u_gross,
        summed.c.u_refund,
        summed.c.u_lines,
    ).outerjoin(counted, and_(counted.c.day == summed.c.day, counted.c.shop_id == summed.c.shop_id))
    target = RollupShopDay
    names = ["day", "month", "shop_id", *SUMS, "orders"]
    names += ["unregistered_gross", "unregistered_refund", "unregistered_lines"]
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], stmt))


def _insert_item_days(line_filter: list[ColumnElement[bool]]) -> None:
    line = OrderLine
    columns = (line.pay_day, month_start(line.pay_day), line.shop_id, line.product_id, line.room_id)
    stmt = (
        select(
            *columns,
            func.sum(line.paid_amount),
            func.sum(line.refund_amount),
            func.sum(kept(line.paid_amount - line.refund_amount), type_=Money()),
            func.count(),
            func.sum(kept(line.quantity)),
            func.sum(case((line_fully_refunded(), 1), else_=0)),
        )
        .where(*line_filter)
        .group_by(line.pay_day, line.shop_id, line.product_id, line.room_id)
    )
    target = RollupItemDay
    names = ["day", "month", "shop_id", "product_id", "room_id", "gross", "refund", "kept_net"]
    names += ["lines", "units", "refunded_lines"]
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], stmt))


def _insert_split(line_filter: list[ColumnElement[bool]]) -> None:
    """Orders with sale lines on more than one payment day, and their fragments."""
    line = OrderLine
    split = (
        select(line.shop_id, line.order_id)
        .where(*line_filter)
        .group_by(line.shop_id, line.order_id)
        .having(func.count(distinct(line.pay_day)) > 1)
    )
    db.session.execute(insert(_SPLIT).from_select(["shop_id", "order_id"], split))
    fragments = (
        select(
            order_key(line.shop_id, line.order_id),
            line.pay_day,
            month_start(line.pay_day),
            line.shop_id,
            line.product_id,
            line.room_id,
        )
        .where(*line_filter, _is_split(line))
        .distinct()
    )
    target = RollupSplitOrder
    names = ("order_key", "day", "month", "shop_id", "product_id", "room_id")
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], fragments))


def _is_split(line: Any) -> ColumnElement[bool]:
    return exists(
        select(_SPLIT.c.shop_id).where(
            _SPLIT.c.shop_id == line.shop_id, _SPLIT.c.order_id == line.order_id
        )
    )


def _insert_signatures(line_filter: list[ColumnElement[bool]]) -> None:
    """One row per (shop, order, day) of single-day orders: the sorted pairs it bought."""
    line = OrderLine
    member = (
        func.coalesce(cast(line.product_id, String), "")
        + ":"
        + func.coalesce(cast(line.room_id, String), "")
    )
    members = (
        select(line.shop_id, line.order_id, line.pay_day.label("day"), member.label("member"))
        .where(*line_filter, not_(_is_split(line)))
        .distinct()
        .subquery()
    )
    keys = (members.c.shop_id, members.c.order_id, members.c.day)
    stmt: Select[Any]
    if db.session.get_bind().dialect.name == "postgresql":
        ordered = aggregate_order_by(literal(","), members.c.member)
        stmt = select(*keys, func.string_agg(members.c.member, ordered)).group_by(*keys)
    else:
        # SQLite before 3.44 has no ORDER BY inside aggregates; a window's ORDER BY is honoured.
        window = func.group_concat(members.c.member, ",").over(
            partition_by=keys, order_by=members.c.member, rows=(None, None)
        )
        stmt = select(*keys, window).distinct()
    columns = ["shop_id", "order_id", "day", "signature"]
    db.session.execute(insert(_SIGNATURES).from_select(columns, stmt))


def _insert_mixes() -> None:
    """New signatures become mixes; their members are read off the signature text."""
    known = select(RollupMix.signature)
    new = select(distinct(_SIGNATURES.c.signature)).where(_SIGNATURES.c.signature.not_in(known))
    db.session.execute(insert(RollupMix).from_select([RollupMix.signature], new))
    bare = db.session.execute(
        select(RollupMix.id, RollupMix.signature).where(
            RollupMix.id.not_in(select(RollupMixMember.mix_id))
        )
    ).all()
    # A loop over distinct mixes (a dictionary of product sets), never over lines.
    members = [
        {"mix_id": mix_id, "product_id": _int(product), "room_id": _int(room)}
        for mix_id, signature in bare
        for product, _, room in (pair.partition(":") for pair in signature.split(","))
    ]
    if members:
        db.session.execute(insert(RollupMixMember), members)


def _int(text: str) -> int | None:
    return int(text) if text else None


def _insert_order_days() -> None:
    sig = _SIGNATURES.c
    stmt = (
        select(sig.day, month_start(sig.day), sig.shop_id, RollupMix.id, func.count())
        .join(RollupMix, RollupMix.signature == sig.signature)
        .group_by(sig.day, sig.shop_id, RollupMix.id)
    )
    target = RollupOrderDay
    names = ("day", "month", "shop_id", "mix_id", "orders")
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], stmt))
