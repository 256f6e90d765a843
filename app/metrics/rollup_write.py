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
    and_,
    case,
    delete,
    distinct,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.metrics.brand_rollups import refresh_brand_rollups
from app.metrics.order_rollups import insert_order_rollups
from app.metrics.refresh_lock import lock_refreshes
from app.metrics.rollup_tables import delete_periods, roll_up
from app.metrics.sql import (
    is_sale,
    kept,
    line_fully_refunded,
    month_start,
)
from app.models import (
    ROLLUP_MODELS,
    Money,
    OrderLine,
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

SUMS = ("gross", "refund", "kept_net", "lines", "units", "refunded_lines")
SHOP_SUMS = (*SUMS, "orders", "unregistered_gross", "unregistered_refund", "unregistered_lines")


def refresh_days(
    days: Collection[dt.date], shop_ids: Collection[int] | None = None
) -> set[dt.date]:
    """Recompute the rollups of these Beijing payment days (of these shops, or all shops).

    Days of other lines of the same orders are refreshed too, since an order paid over several
    days is counted apart. Returns the days refreshed.
    """
    if not days:
        return set()
    shops = sorted(set(shop_ids)) if shop_ids is not None else None
    lock_refreshes(shops)
    wanted = _with_order_days(set(days), shops)
    _recompute(sorted(wanted), shops)
    return wanted


def rebuild_all() -> None:
    """Empty every rollup table and recompute it from all order lines."""
    lock_refreshes()
    for model in ROLLUP_MODELS:
        db.session.execute(delete(model))
    _recompute(None, None)


def _line_filter(days: list[dt.date] | None, shops: list[int] | None) -> list[ColumnElement[bool]]:
    conditions = [is_sale()]
    if days is not None:
        conditions.append(OrderLine.pay_day.in_(days))
    if shops is not None:
        conditions.append(OrderLine.shop_id.in_(shops))
    return conditions


def _with_order_days(days: set[dt.date], shops: list[int] | None) -> set[dt.date]:
    """`days` plus every other payment day of the orders paid on them, until none is new."""
    if _no_line_outside(days, shops):  # a shop's first file: no other day to look for
        return days
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


def _no_line_outside(days: set[dt.date], shops: list[int] | None) -> bool:
    """True when `days` run without a gap and no line of the shops is paid outside them.

    One look along the (shop, pay_day) index, instead of joining every line of the days'
    orders to find the orders' other days, which then cannot exist.
    """
    first, last = min(days), max(days)
    if (last - first).days + 1 != len(days):
        return False
    outside = or_(OrderLine.pay_day < first, OrderLine.pay_day > last)
    query = select(OrderLine.id).where(outside)
    if shops is not None:
        query = query.where(OrderLine.shop_id.in_(shops))
    return db.session.scalar(query.limit(1)) is None


def _recompute(days: list[dt.date] | None, shops: list[int] | None) -> None:
    months = sorted({day.replace(day=1) for day in days}) if days is not None else None
    years = sorted({day.replace(month=1, day=1) for day in days}) if days is not None else None
    if days is not None and months is not None and years is not None:
        tables: list[tuple[Any, Any, list[dt.date]]] = []
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
            tables.append((model, column, values))
        delete_periods(tables, shops)
    line_filter = _line_filter(days, shops)
    _insert_item_days(line_filter)
    insert_order_rollups(line_filter)
    _insert_shop_days(days, shops)
    _insert_product_days(days, shops)
    year_months = (
        [dt.date(year.year, month, 1) for year in years for month in range(1, 13)]
        if years is not None
        else None
    )
    item_keys = ("shop_id", "product_id", "room_id")
    roll_up(RollupShopDay, RollupShopMonth, "month", ("shop_id",), SHOP_SUMS, months, shops)
    roll_up(RollupItemDay, RollupItemMonth, "month", item_keys, SUMS, months, shops)
    roll_up(
        RollupOrderDay, RollupOrderMonth, "month", ("shop_id", "mix_id"), ("orders",), months, shops
    )
    roll_up(
        RollupProductDay,
        RollupProductMonth,
        "month",
        ("shop_id", "product_id"),
        ("orders",),
        months,
        shops,
    )
    roll_up(RollupItemMonth, RollupItemYear, "year", item_keys, SUMS, year_months, shops)
    roll_up(
        RollupProductMonth,
        RollupProductYear,
        "year",
        ("shop_id", "product_id"),
        ("orders",),
        year_months,
        shops,
    )
    roll_up(
        RollupOrderMonth,
        RollupOrderYear,
        "year",
        ("shop_id", "mix_id"),
        ("orders",),
        year_months,
        shops,
    )
    refresh_brand_rollups(days, shops, years)


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
