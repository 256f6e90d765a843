"""The 未登记商品 worklist: sale lines no registered product matched, grouped as exported.

Lines are grouped by (platform, raw platform product id, or merchant code 商家编码 where the
line has no product id, raw product name), so each row is one thing a clerk can register; a
row shows the merchant code its lines carry (the greatest, if several). Scope and period
filters are the metrics' own (`app.metrics.query.shape`), so the worklist adds up to the
未登记商品 figure of `retail` for the same period and scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, distinct, func, select

from app.extensions import db
from app.metrics.periods import Period
from app.metrics.query import Cols, Query, shape
from app.metrics.scope import COUNTY, Scope
from app.metrics.sql import is_sale
from app.models import Money, OrderLine

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class UnregisteredRow:
    """One unmatched product as exported, with what its sale lines add up to."""

    platform: str
    platform_product_id: str | None
    merchant_code: str | None
    name: str | None
    lines: int
    gross: Decimal
    refund: Decimal
    shops: int
    first_day: dt.date
    last_day: dt.date

    @property
    def net(self) -> Decimal:
        return self.gross - self.refund


@dataclass(frozen=True)
class Worklist:
    """The rows (net descending, at most `limit` of them) and the totals over all rows."""

    period: Period
    scope: Scope
    rows: list[UnregisteredRow] = field(default_factory=list)
    groups: int = 0  # rows in all, before the limit
    lines: int = 0
    gross: Decimal = ZERO
    refund: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.gross - self.refund


def unregistered_products(
    period: Period, scope: Scope = COUNTY, limit: int | None = None
) -> Worklist:
    """Unmatched sale lines paid in `period` (Beijing days) in `scope`, grouped for registering.

    Ordered by net descending, then platform and the raw ids, so the order is stable.
    """
    line = OrderLine
    cols = Cols(
        day=line.pay_day,
        month=None,
        shop=line.shop_id,
        product=line.product_id,
        room=line.room_id,
        session=line.session_id,
    )
    base = select(line.id).where(is_sale(), line.pay_day.between(period.start, period.end))
    shaped = shape(base, Query(period, None, scope, unregistered=True), cols)
    # The platform product id decides (as in matching); the merchant code only without one.
    merchant_key = case((line.raw_product_id.is_(None), line.merchant_code), else_=None)
    keys = (line.platform, line.raw_product_id, merchant_key, line.product_name)
    gross = func.sum(line.paid_amount, type_=Money())
    refund = func.sum(line.refund_amount, type_=Money())
    stmt = shaped.stmt.with_only_columns(
        line.platform,
        line.raw_product_id,
        func.max(line.merchant_code),
        line.product_name,
        func.count(),
        gross,
        refund,
        func.count(distinct(line.shop_id)),
        func.min(line.pay_day),
        func.max(line.pay_day),
        maintain_column_froms=True,
    ).group_by(*keys)
    rows = [_row(*values) for values in db.session.execute(stmt).all()]
    rows.sort(
        key=lambda row: (
            -row.net,
            row.platform,
            row.platform_product_id or "",
            row.merchant_code or "",
            row.name or "",
        )
    )
    return Worklist(
        period=period,
        scope=scope,
        rows=rows[:limit] if limit is not None else rows,
        groups=len(rows),
        lines=sum(row.lines for row in rows),
        gross=sum((row.gross for row in rows), ZERO),
        refund=sum((row.refund for row in rows), ZERO),
    )


def _row(
    platform: str,
    product_id: str | None,
    merchant_code: str | None,
    name: str | None,
    lines: int,
    gross: Decimal | None,
    refund: Decimal | None,
    shops: int,
    first: object,
    last: object,
) -> UnregisteredRow:
    return UnregisteredRow(
        platform=platform,
        platform_product_id=product_id,
        merchant_code=merchant_code,
        name=name,
        lines=int(lines),
        gross=Decimal(gross or 0),
        refund=Decimal(refund or 0),
        shops=int(shops),
        first_day=_day(first),
        last_day=_day(last),
    )


def _day(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
