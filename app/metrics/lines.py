"""The order lines behind a figure: one page of them, their total, or all of them as a stream.

The lines are chosen by the retail metric's own joins and filters (`app.metrics.query.shape`)
and summed with its money rules, so `line_total` equals the retail figure the same filters
describe: a scope, a period, 农产品, 村播带货额 (room basis), 品牌销售额 (branded), 未登记商品,
and one key per `by` grouping (the row of that grouping whose key is the filter's code).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    Select,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.codes import LINE_STATUSES, PLATFORMS
from app.extensions import db
from app.metrics.line_filters import (
    BY_FILTERS,
    CODE_NAMES,
    CODED,
    MAX_LIMIT,
    LineFilterError,
    LineFilters,
)
from app.metrics.query import ITEM_NAMES, Cols, Query, Totals, merge, shape
from app.metrics.scope import parse_scope
from app.metrics.sql import is_sale, kept, line_fully_refunded, month_start, order_key
from app.models import (
    Brand,
    LiveRoom,
    LiveSession,
    Money,
    OrderLine,
    Product,
    SalesImport,
    Shop,
    Streamer,
    Township,
    Village,
)
from app.models.sales import LineChange

if TYPE_CHECKING:
    from app.auth.scope import AccessScope


@dataclass(frozen=True, slots=True)
class LineRow:
    """One order line as the explorer shows it, with the names of what it points at."""

    id: int
    platform: str
    shop_code: str
    shop_name: str
    order_id: str
    line_id: str
    product_code: str | None
    product_name: str | None  # the registered name, else the exported one
    raw_product_name: str | None
    raw_product_id: str | None
    merchant_code: str | None
    quantity: int
    paid: Decimal
    refund: Decimal
    status: str
    raw_status: str | None
    paid_at: dt.datetime | None  # naive UTC
    pay_day: dt.date | None
    room_code: str | None
    room_name: str | None
    streamer_code: str | None
    streamer_name: str | None  # the session's streamer, else the exported nickname
    session_id: int | None
    source: str
    import_id: int
    file_name: str
    first_import_id: int

    @property
    def net(self) -> Decimal:
        return self.paid - self.refund


@dataclass(frozen=True)
class LinePage:
    lines: list[LineRow]
    next: str | None  # the `after` cursor of the next page, None on the last one


def line_total(filters: LineFilters, access: AccessScope) -> Totals:
    """Gross, refund, net, lines, units and distinct orders of the chosen lines."""
    line = OrderLine
    measures = [
        func.sum(line.paid_amount),
        func.sum(line.refund_amount),
        func.sum(kept(line.paid_amount - line.refund_amount), type_=Money()),
        func.count(),
        func.sum(kept(line.quantity)),
        func.sum(case((line_fully_refunded(), 1), else_=0)),
        func.count(distinct(order_key(line.shop_id, line.order_id))),
    ]
    chosen = chosen_lines(select(line.id), filters, access)
    row = db.session.connection().execute(chosen.with_only_columns(*measures)).one()
    totals: dict[Any, Totals] = {}
    merge(totals, [(None, *row)], (*ITEM_NAMES, "orders"))
    return totals.get(None, Totals())


def line_page(
    filters: LineFilters, access: AccessScope, after: str | None = None, limit: int = 50
) -> LinePage:
    """One page of the chosen lines, newest payment first; `after` is the previous `next`."""
    if not 1 <= limit <= MAX_LIMIT:
        raise LineFilterError("limit", f"limit 应为 1 至 {MAX_LIMIT} 之间")
    stmt = _listed(filters, access)
    if after:
        day, at, last_id = _decode(after)
        line = OrderLine
        keyset = tuple_(
            literal(day, line.pay_day.type),
            literal(at, line.paid_at.type),
            literal(last_id, line.id.type),
        )
        stmt = stmt.where(LINE_ORDER < keyset)
    rows = [_row(row) for row in db.session.connection().execute(stmt.limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    return LinePage(rows, _encode(rows[-1]) if more and rows else None)


def line_detail(line_id: int, access: AccessScope) -> LineRow | None:
    """One line by id, or None when there is none or it lies outside `access`."""
    stmt = _displayed(select(OrderLine.id)).where(OrderLine.id == line_id, _access(access))
    row = db.session.connection().execute(stmt).first()
    return None if row is None else _row(row)


def resolve_codes(filters: LineFilters) -> dict[str, int]:
    """Registry ids of the codes the filters name; an unknown code is a MetricsError."""
    ids: dict[str, int] = {}
    for key, model in CODED.items():
        code = getattr(filters, key)
        if code is None:
            continue
        row_id = db.session.scalar(select(model.id).where(model.code == code))
        if row_id is None:
            raise LineFilterError(key, f"未知{CODE_NAMES[key]}编码 {code!r}，请检查 {key}= 的值")
        ids[key] = row_id
    if filters.platform is not None and filters.platform not in PLATFORMS:
        raise LineFilterError("platform", f"platform 应为 {', '.join(PLATFORMS)} 之一")
    if filters.status is not None and filters.status not in LINE_STATUSES:
        raise LineFilterError("status", f"status 应为 {', '.join(LINE_STATUSES)} 之一")
    return ids


# Newest payment first; the keyset cursor compares these three.
LINE_ORDER = tuple_(OrderLine.pay_day, OrderLine.paid_at, OrderLine.id)


def _cols(line: Any) -> Cols:
    return Cols(
        day=line.pay_day,
        month=month_start(line.pay_day),
        shop=line.shop_id,
        product=line.product_id,
        room=line.room_id,
        session=line.session_id,
    )


def chosen_lines(stmt: Select[Any], filters: LineFilters, access: AccessScope) -> Select[Any]:
    """`stmt` over OrderLine, narrowed to the sale lines the filters choose."""
    ids = resolve_codes(filters)
    period = filters.period
    basis: Literal["shop", "room"] = "room" if filters.room_basis else "shop"
    keyed = [key for key in BY_FILTERS if getattr(filters, key) is not None]
    first = keyed[0] if keyed else None
    query = Query(
        period,
        first,
        parse_scope(filters.scope),
        filters.agri,
        basis=basis,
        branded=filters.branded,
        unregistered=filters.unregistered,
    )
    stmt = stmt.where(is_sale(), OrderLine.pay_day.between(period.start, period.end))
    shaped = shape(stmt, query, _cols(OrderLine))
    stmt = shaped.stmt
    if first is not None:
        stmt = stmt.where(shaped.key == _wanted(first, filters, ids))
    for key in keyed[1:]:
        # Each further key through its own copy of the grouping's joins, over the same lines.
        other = aliased(OrderLine)
        inner = shape(select(other.id), Query(period, key, basis=basis), _cols(other))
        inner_stmt = inner.stmt.where(inner.key == _wanted(key, filters, ids)).correlate(None)
        stmt = stmt.where(OrderLine.id.in_(inner_stmt))
    line = OrderLine
    if filters.session is not None:
        stmt = stmt.where(line.session_id == filters.session)
    if filters.status is not None:
        stmt = stmt.where(line.status == filters.status)
    if filters.raw_key is not None:
        stmt = stmt.where(func.coalesce(line.raw_product_id, line.merchant_code) == filters.raw_key)
    if filters.raw_name is not None:
        stmt = stmt.where(line.product_name == filters.raw_name)
    if filters.import_id is not None:
        stmt = stmt.where(_touched_by(SalesImport.id == filters.import_id))
    if filters.changed_after is not None:
        stmt = stmt.where(
            _touched_by(
                func.coalesce(SalesImport.finished_at, SalesImport.created_at)
                > filters.changed_after
            )
        )
    return stmt.where(_access(access))


def _wanted(key: str, filters: LineFilters, ids: dict[str, int]) -> Any:
    return ids[key] if key in ids else getattr(filters, key)


def _touched_by(which: ColumnElement[bool]) -> ColumnElement[bool]:
    """The line was inserted or changed by an import `which` selects."""
    imports = select(SalesImport.id).where(which)
    changed = select(LineChange.line_id).where(LineChange.import_id.in_(imports))
    return or_(
        OrderLine.import_id.in_(imports),
        OrderLine.first_import_id.in_(imports),
        OrderLine.id.in_(changed),
    )


def _access(access: AccessScope) -> ColumnElement[bool]:
    """What the user may see: shops (or rooms) in their townships, their brands, their rooms."""
    if access.county:
        return true()
    shops = (
        select(Shop.id)
        .join(Village, Village.id == Shop.village_id)
        .join(Township, Township.id == Village.township_id)
        .where(access.where(township=Township.code))
    )
    rooms = (
        select(LiveRoom.id)
        .join(Village, Village.id == LiveRoom.village_id)
        .join(Township, Township.id == Village.township_id)
        .where(access.where(township=Township.code, room=LiveRoom.code))
    )
    products = select(Product.id).join(Brand, Brand.id == Product.brand_id)
    return or_(
        OrderLine.shop_id.in_(shops),
        OrderLine.room_id.in_(rooms),
        OrderLine.product_id.in_(products.where(access.where(brand=Brand.code))),
    )


_SHOP = aliased(Shop, name="line_shop")
_PRODUCT = aliased(Product, name="line_product")
_ROOM = aliased(LiveRoom, name="line_room")
_SESSION = aliased(LiveSession, name="line_session")
_STREAMER = aliased(Streamer, name="line_streamer")
_IMPORT = aliased(SalesImport, name="line_import")


def _displayed(stmt: Select[Any]) -> Select[Any]:
    """The columns a LineRow shows, through joins of their own (the filters' stay apart)."""
    line = OrderLine
    return (
        stmt.with_only_columns(
            line.id,
            line.platform,
            _SHOP.code,
            _SHOP.name,
            line.order_id,
            line.line_id,
            _PRODUCT.code,
            func.coalesce(_PRODUCT.name, line.product_name),
            line.product_name,
            line.raw_product_id,
            line.merchant_code,
            line.quantity,
            line.paid_amount,
            line.refund_amount,
            line.status,
            line.raw_status,
            line.paid_at,
            line.pay_day,
            _ROOM.code,
            _ROOM.nickname,
            _STREAMER.code,
            func.coalesce(_STREAMER.name, line.streamer_nickname),
            line.session_id,
            line.source,
            line.import_id,
            _IMPORT.file_name,
            func.coalesce(line.first_import_id, line.import_id),
        )
        .join(_SHOP, _SHOP.id == line.shop_id)
        .join(_IMPORT, _IMPORT.id == line.import_id)
        .outerjoin(_PRODUCT, _PRODUCT.id == line.product_id)
        .outerjoin(_ROOM, _ROOM.id == line.room_id)
        .outerjoin(_SESSION, _SESSION.id == line.session_id)
        .outerjoin(_STREAMER, _STREAMER.id == _SESSION.streamer_id)
    )


def _listed(filters: LineFilters, access: AccessScope) -> Select[Any]:
    base = select(OrderLine.id).select_from(OrderLine)
    chosen = chosen_lines(base, filters, access)
    return _displayed(chosen).order_by(
        OrderLine.pay_day.desc(), OrderLine.paid_at.desc(), OrderLine.id.desc()
    )


def _row(row: Any) -> LineRow:
    return LineRow(*row)


def _encode(row: LineRow) -> str:
    day = row.pay_day.isoformat() if row.pay_day else None
    at = row.paid_at.isoformat() if row.paid_at else None
    raw = json.dumps([day, at, row.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[dt.date, dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        day, at, line_id = json.loads(raw)
        return dt.date.fromisoformat(day), dt.datetime.fromisoformat(at), int(line_id)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise LineFilterError("after", "after 无效：请使用上一页返回的 next 值") from exc
