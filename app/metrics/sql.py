"""SQL building blocks shared by the metrics: sale lines, full refunds, agriculture, months."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Float, String, and_, case, cast, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from app.models import AGRICULTURAL_CATEGORIES, Category, OrderLine, Product

REFUNDED_STATUSES = ("refunded", "cancelled")


class month_start(FunctionElement[Any]):  # noqa: N801 - reads as the SQL function it emits
    """First day of the month of a DATE expression, as a DATE."""

    type = Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_default(element: month_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


class year_start(FunctionElement[Any]):  # noqa: N801 - reads as the SQL function it emits
    """1 January of the year of a DATE expression, as a DATE."""

    type = Date()
    inherit_cache = True


@compiles(year_start)
def _year_start_default(element: year_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('year', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(year_start, "sqlite")
def _year_start_sqlite(element: year_start, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of year')"


def period_start(level: str, expression: Any) -> ColumnElement[Any]:
    """First day of the `level` ("month" or "year") containing a DATE expression."""
    return month_start(expression) if level == "month" else year_start(expression)


def is_sale() -> ColumnElement[bool]:
    """A line is a sale when it has a payment time (SPEC §3); pay_day is set exactly then."""
    return OrderLine.pay_day.is_not(None)


def fully_refunded(paid: Any, refund: Any, status: Any) -> ColumnElement[bool]:
    """Refund covers the paid amount; a 0-元 line only when its status says it was refunded."""
    return and_(refund >= paid, or_(refund > 0, status.in_(REFUNDED_STATUSES)))


def line_fully_refunded() -> ColumnElement[bool]:
    return fully_refunded(OrderLine.paid_amount, OrderLine.refund_amount, OrderLine.status)


def kept(expression: Any, otherwise: Any = 0) -> ColumnElement[Any]:
    """`expression` for lines not refunded in full, else `otherwise`."""
    return case((line_fully_refunded(), otherwise), else_=expression)


def agricultural() -> ColumnElement[bool]:
    """The product's category is agricultural: the categories table decides, else the defaults.

    Needs `Product` and `Category` (outer-joined on name) in the FROM clause.
    """
    return or_(
        Category.agricultural.is_(True),
        and_(Category.id.is_(None), Product.category.in_(AGRICULTURAL_CATEGORIES)),
    )


def order_key(shop_id: Any, order_id: Any) -> ColumnElement[str]:
    """`<shop id>:<order id>`: orders are distinct per (platform, shop, order id)."""
    return cast(shop_id, String) + ":" + order_id


def brand_in_effect(day: Any, product: Any = Product) -> ColumnElement[bool]:
    """The product belongs to its brand on `day` (brand sales count from the join date)."""
    return and_(
        product.brand_id.is_not(None),
        or_(product.brand_joined_on.is_(None), product.brand_joined_on <= day),
    )


class seconds_between(FunctionElement[Any]):  # noqa: N801 - reads as the SQL function it emits
    """Seconds from the first timestamp to the second, as a number."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_default(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"
