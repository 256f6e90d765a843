"""The order lines behind every figure: a page of them with their total, a file, or one line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.api.errors import add_error_messages
from app.api.fields import BeijingDateTime, Day, Id, Money
from app.api.line_files import csv_response, xlsx_response
from app.api.metrics import SCOPE_HELP, FiguresSchema
from app.auth import api_guard, current_scope
from app.auth.scope import AccessScope
from app.codes import LINE_STATUSES, PLATFORMS
from app.metrics.errors import MetricsError
from app.metrics.formatting import totals_json
from app.metrics.line_filters import (
    MAX_LIMIT,
    LineFilterError,
    LineFilters,
    LineQuery,
    LineScopeDenied,
    parse_line_query,
)
from app.metrics.line_history import HistoryEntry, line_history
from app.metrics.lines import LineRow, line_detail, line_page, line_total
from app.wording import reader_language

blp = Blueprint("lines", __name__, url_prefix="/lines", description="订单明细 (order lines)")
add_error_messages(api_guard(blp))

# Codes are short printable text; a control character can name no registry row.
CODE = validate.And(
    validate.Length(min=1, max=64, error="编码应为 1 至 64 个字符"),
    validate.Regexp(r"^[^\x00-\x1f\x7f]+$", error="编码不能含控制字符"),
)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2101, 1, 1, tzinfo=dt.UTC)


def _code(description: str) -> fields.String:
    return fields.String(validate=CODE, metadata={"description": description})


def _flag(description: str) -> fields.Boolean:
    return fields.Boolean(load_default=False, metadata={"description": description})


class LinesArgs(Schema):
    """The query parameters, as documented; `app.metrics.line_filters` reads them."""

    from_ = Day(data_key="from", metadata={"description": "first Beijing payment day"})
    to = Day(metadata={"description": "last Beijing payment day, inclusive"})
    scope = fields.String(
        validate=validate.And(
            validate.Length(min=1, max=80, error="scope 过长或为空"),
            validate.Regexp(r"^[^\x00-\x1f\x7f]+$", error="scope 不能含控制字符"),
        ),
        metadata={"description": SCOPE_HELP},
    )
    agri = _flag("农产品 only")
    platform = fields.String(
        validate=validate.OneOf(list(PLATFORMS), error="platform 应为 {choices} 之一"),
        metadata={"description": " | ".join(PLATFORMS)},
    )
    shop = _code("网店编码")
    township = _code("乡镇编码")
    village = _code("村编码")
    room = _code("直播间编码 (村播带货额: lines attributed to the room)")
    session = Id(metadata={"description": "直播场次 id"})
    brand = _code("品牌编码 (from each product's join date)")
    product = _code("商品编码")
    category = _code("品类名称")
    status = fields.String(
        validate=validate.OneOf(list(LINE_STATUSES), error="status 应为 {choices} 之一"),
        metadata={"description": " | ".join(LINE_STATUSES)},
    )
    unregistered = _flag("未登记商品 only")
    raw_key = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "exported platform product id, or merchant code when none"},
    )
    raw_name = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={"description": "exported product name, exactly"},
    )
    import_ = Id(
        data_key="import", metadata={"description": "lines this import inserted or changed"}
    )
    changed_after = fields.AwareDateTime(
        default_timezone=dt.UTC,
        validate=validate.Range(
            min=EARLIEST, max=LATEST, error="changed_after 应在 2000 年至 2100 年之间"
        ),
        metadata={"description": "lines inserted or changed by an import created after (UTC)"},
    )
    basis = fields.String(
        load_default="shop",
        validate=validate.OneOf(["shop", "room"], error="basis 应为 shop 或 room"),
        metadata={"description": "room: 村播带货额, lines attributed to a live room"},
    )
    branded = _flag("品牌销售额: products in a brand, from their join date")
    after = fields.String(
        validate=validate.Length(min=1, max=200, error="after 无效：请使用上一页返回的 next 值"),
        metadata={"description": "the `next` of the previous page"},
    )
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(
            min=1, max=MAX_LIMIT, error=f"limit 应为 1 至 {MAX_LIMIT} 之间的整数"
        ),
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "csv", "xlsx"], error="format 应为 json、csv 或 xlsx"),
        metadata={"description": "csv | xlsx: every matching line as a download"},
    )


class LineSchema(Schema):
    id = fields.Integer()
    platform = fields.String()
    shop = fields.Dict(metadata={"description": '{"code", "name"}'})
    order_id = fields.String()
    line_id = fields.String()
    product = fields.Dict(allow_none=True, metadata={"description": '{"code", "name"} or null'})
    product_name = fields.String(allow_none=True, metadata={"description": "registered or raw"})
    raw_product_name = fields.String(allow_none=True)
    raw_product_id = fields.String(allow_none=True)
    merchant_code = fields.String(allow_none=True)
    quantity = fields.Integer()
    paid = Money()
    refund = Money()
    net = Money()
    status = fields.String()
    raw_status = fields.String(allow_none=True)
    paid_at = BeijingDateTime(allow_none=True, metadata={"description": "Asia/Shanghai"})
    room = fields.Dict(allow_none=True)
    streamer = fields.Dict(allow_none=True)
    session = fields.Integer(allow_none=True)
    source = fields.String()
    import_ = fields.Dict(
        data_key="import", attribute="import", metadata={"description": '{"id", "file"}'}
    )


class TotalSchema(FiguresSchema):
    lines = fields.Integer()


class LinesSchema(Schema):
    lines = fields.List(fields.Nested(LineSchema))
    total = fields.Nested(TotalSchema)
    next = fields.String(allow_none=True, metadata={"description": "`after` of the next page"})
    filters = fields.Dict(metadata={"description": "the filters applied"})


class HistorySchema(Schema):
    import_id = fields.Integer()
    file = fields.String()
    at = BeijingDateTime()
    kind = fields.String(metadata={"description": "inserted | changed"})
    changes = fields.Dict(
        metadata={"description": '{field: {"before", "after"}} (money as "12.50")'}
    )


class LineDetailSchema(LineSchema):
    history = fields.List(fields.Nested(HistorySchema))


def _query() -> tuple[LineQuery, LineFilters]:
    """The request's query parameters read by the metrics layer; its errors answered here."""
    try:
        query = parse_line_query(request.args)
        return query, query.for_access(current_scope())
    except LineScopeDenied as exc:
        abort(403, message=exc.message)
    except LineFilterError as exc:
        _unreadable(exc)
    raise AssertionError  # abort raises


def _unreadable(exc: LineFilterError) -> None:
    abort(422, message=exc.message, errors={"query": {exc.field: [exc.message]}})


def line_json(line: LineRow) -> dict[str, Any]:
    return {
        "id": line.id,
        "platform": line.platform,
        "shop": {"code": line.shop_code, "name": line.shop_name},
        "order_id": line.order_id,
        "line_id": line.line_id,
        "product": None
        if line.product_code is None
        else {"code": line.product_code, "name": line.product_name},
        "product_name": line.product_name,
        "raw_product_name": line.raw_product_name,
        "raw_product_id": line.raw_product_id,
        "merchant_code": line.merchant_code,
        "quantity": line.quantity,
        "paid": line.paid,
        "refund": line.refund,
        "net": line.net,
        "status": line.status,
        "raw_status": line.raw_status,
        "paid_at": line.paid_at,
        "room": None
        if line.room_code is None
        else {"code": line.room_code, "name": line.room_name},
        "streamer": None
        if line.streamer_code is None and line.streamer_name is None
        else {"code": line.streamer_code, "name": line.streamer_name},
        "session": line.session_id,
        "source": line.source,
        "import": {"id": line.import_id, "file": line.file_name},
    }


def history_json(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "import_id": entry.import_id,
        "file": entry.file_name,
        "at": entry.at,
        "kind": entry.kind,
        "changes": {
            name: {"before": _plain(before), "after": _plain(after)}
            for name, (before, after) in entry.changes.items()
        },
    }


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def params_json(filters: LineFilters) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in filters.params().items()
    }


@blp.route("")
@blp.doc(parameters=[{"in": "query", "schema": LinesArgs}])
@blp.response(200, LinesSchema)
@blp.alt_response(422, description="a parameter cannot be read (`errors.query.<name>`)")
@blp.alt_response(200, description="format=csv: text/csv; format=xlsx: a workbook", success=True)
def get_lines() -> Any:
    """The order lines behind a figure: one page, newest payment first, and their total."""
    wanted = request.args.get("format") or "json"
    if wanted not in ("json", "csv", "xlsx"):
        _unreadable(LineFilterError("format", "format 应为 json、csv 或 xlsx"))
    query, filters = _query()
    access = current_scope()
    try:
        if wanted == "csv":
            return csv_response(filters, access)
        if wanted == "xlsx":
            return xlsx_response(filters, access)
        page = line_page(filters, access, query.after, query.limit)
        total = line_total(filters, access)
    except LineFilterError as exc:
        _unreadable(exc)
        raise
    except MetricsError as exc:
        abort(422, message=exc.say(reader_language()))
        raise
    return {
        "lines": [line_json(line) for line in page.lines],
        "total": {**totals_json(total), "lines": total.lines},
        "next": page.next,
        "filters": params_json(filters),
    }


@blp.route("/<int:line_id>")
@blp.response(200, LineDetailSchema)
def get_line(line_id: int) -> dict[str, Any]:
    """One order line and every import that inserted or changed it, with what changed."""
    line = _visible(line_id, current_scope())
    return {**line_json(line), "history": [history_json(entry) for entry in line_history(line)]}


def _visible(line_id: int, access: AccessScope) -> LineRow:
    line = line_detail(line_id, access) if line_id <= 2**63 - 1 else None
    if line is None:
        abort(404, message=f"没有编号为 {line_id} 的订单行（或您无权查看）")
        raise AssertionError  # abort raises
    return line
