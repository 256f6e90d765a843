"""Totals read straight from the order lines, the source of truth (slow at county scale)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, distinct, func, select

from app.extensions import db
from app.metrics.query import ITEM_NAMES, Cols, Query, Totals, grouped, merge, shape
from app.metrics.sql import is_sale, kept, line_fully_refunded, month_start, order_key
from app.models import Money, OrderLine


def _run(statement: Any) -> Any:
    # Core execution: these are plain result rows, no ORM entities to build.
    return db.session.connection().execute(statement).all()


def raw_totals(query: Query, orders: bool) -> dict[Any, Totals]:
    """Totals per group key over the raw sale lines; distinct orders when `orders`."""
    line = OrderLine
    cols = Cols(
        day=line.pay_day,
        month=month_start(line.pay_day),
        shop=line.shop_id,
        product=line.product_id,
        room=line.room_id,
        session=line.session_id,
    )
    base = select(line.id).where(
        is_sale(), line.pay_day.between(query.period.start, query.period.end)
    )
    shaped = shape(base, query, cols)
    measures = [
        func.sum(line.paid_amount),
        func.sum(line.refund_amount),
        func.sum(kept(line.paid_amount - line.refund_amount), type_=Money()),
        func.count(),
        func.sum(kept(line.quantity)),
        func.sum(case((line_fully_refunded(), 1), else_=0)),
    ]
    if orders:
        measures.append(func.count(distinct(order_key(line.shop_id, line.order_id))))
    totals: dict[Any, Totals] = {}
    names = ITEM_NAMES + (("orders",) if orders else ())
    merge(totals, _run(grouped(shaped, *measures)), names)
    return totals
