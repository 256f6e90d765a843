"""The 未登记商品 worklist: unmatched lines grouped as exported, and registering one of them."""

from __future__ import annotations

import io
from typing import Any

from flask import send_file
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from werkzeug.wrappers import Response

from app.api.errors import add_error_messages
from app.api.fields import MAX_PAGE_SIZE, Coded, Day, Money, period_problem
from app.api.registry import RESOURCES
from app.auth import api_guard, current_scope
from app.codes import PLATFORM_ALIASES, PLATFORMS
from app.metrics.errors import MetricsError
from app.metrics.periods import Period
from app.metrics.scope import parse_scope
from app.metrics.unregistered import Worklist, unregistered_products
from app.registry.enrol import (
    ListingKeys,
    NewProduct,
    Registered,
    RegistrationError,
    register_listing,
    register_product,
)
from app.reports.worklist import write_worklist
from app.wording import reader_language

# Who may register: whoever may write products in the registry.
WRITE_ROLES = next(r for r in RESOURCES if r.name == "products").write_roles
blp = Blueprint(
    "unregistered", __name__, url_prefix="/unregistered", description="未登记商品 (worklist)"
)
add_error_messages(api_guard(blp, write_roles=WRITE_ROLES))

SCOPE_HELP = "county | township:<编码> | village:<编码> | brand:<编码> | room:<编码>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEY = validate.Length(min=1, max=64, error="应为 1 至 64 个字符")


class WorklistArgs(Schema):
    from_ = Day(data_key="from", required=True, metadata={"description": "first Beijing day"})
    to = Day(required=True, metadata={"description": "last Beijing day, inclusive"})
    scope = fields.String(
        validate=validate.Length(min=1, max=80, error="scope 过长或为空"),
        metadata={"description": SCOPE_HELP},
    )
    limit = fields.Integer(
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE, error="limit 应为 1 至 500 之间"),
        metadata={"description": "first rows by net (at most 500); totals cover all"},
    )

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        problem = period_problem(data.get("from_"), data.get("to"))
        if problem:
            raise ValidationError(problem, field_name="to")


class WorklistRowSchema(Schema):
    platform = fields.String()
    platform_product_id = fields.String(allow_none=True)
    merchant_code = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    lines = fields.Integer()
    gross = Money()
    refund = Money()
    net = Money()
    shops = fields.Integer(metadata={"description": "distinct shops that sold it"})
    first_day = fields.Date(metadata={"description": "first payment day (Beijing)"})
    last_day = fields.Date(metadata={"description": "last payment day (Beijing)"})


class WorklistTotalSchema(Schema):
    groups = fields.Integer()
    lines = fields.Integer()
    gross = Money()
    refund = Money()
    net = Money()


class WorklistSchema(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    scope = fields.String()
    rows = fields.List(fields.Nested(WorklistRowSchema))
    total = fields.Nested(WorklistTotalSchema)


class ListingKeysSchema(Schema):
    platform = Coded(PLATFORMS, PLATFORM_ALIASES, required=True)
    platform_product_id = fields.String(allow_none=True, validate=KEY)
    merchant_code = fields.String(allow_none=True, validate=KEY)


class NewProductSchema(ListingKeysSchema):
    code = fields.String(required=True, metadata={"description": "商品编码"})
    name = fields.String(required=True, metadata={"description": "商品名称"})
    brand = fields.String(allow_none=True, metadata={"description": "品牌编码"})
    brand_joined_on = fields.Date(allow_none=True, metadata={"description": "加入品牌日期"})
    category = fields.String(allow_none=True, metadata={"description": "品类 (from /categories)"})
    pricing_unit = fields.String(allow_none=True, metadata={"description": "计价单位"})
    units_per_item = fields.Decimal(
        allow_none=True, as_string=True, metadata={"description": "规格数量"}
    )


class ExistingProductSchema(ListingKeysSchema):
    product = fields.String(required=True, metadata={"description": "商品编码 of a product"})


class RegisteredSchema(Schema):
    product = fields.String(attribute="product_code")
    listing_id = fields.Integer()
    created_product = fields.Boolean()
    lines = fields.Integer(metadata={"description": "stored lines now matched"})
    sale_lines = fields.Integer(metadata={"description": "of which sale lines"})
    net = Money(metadata={"description": "net of those sale lines, now 已登记"})


def _scope(requested: str | None) -> str:
    """The scope asked for, defaulting to the caller's own; 403 when outside what they may see."""
    allowed = current_scope()
    value = requested or allowed.default_param()
    if value is None:
        abort(400, message=f"请指定 scope ({SCOPE_HELP})")
    elif not allowed.permits(value):
        abort(403, message=f"您无权查看 {value} 的数据")
    return str(value)


def _worklist(args: dict[str, Any], limit: int | None) -> Worklist:
    scope = _scope(args.get("scope"))
    try:
        return unregistered_products(Period(args["from_"], args["to"]), parse_scope(scope), limit)
    except MetricsError as exc:
        abort(400, message=str(exc))
        raise  # abort raises; this satisfies the type checker


def worklist_json(worklist: Worklist) -> dict[str, Any]:
    return {
        "from": worklist.period.start.isoformat(),
        "to": worklist.period.end.isoformat(),
        "scope": str(worklist.scope),
        "rows": worklist.rows,
        "total": worklist,
    }


@blp.route("")
@blp.arguments(WorklistArgs, location="query", error_status_code=400)
@blp.response(200, WorklistSchema)
def get_worklist(args: dict[str, Any]) -> dict[str, Any]:
    """Unmatched sale lines grouped by (platform, raw product id, merchant code, raw name),
    net descending, with lines, gross, refund, net, shops and first and last payment day."""
    return worklist_json(_worklist(args, args.get("limit")))


@blp.route("/workbook.xlsx")
@blp.arguments(WorklistArgs, location="query", error_status_code=400)
@blp.response(200, description="未登记商品 workbook (XLSX): 商品 and 平台商品 sheets")
def get_workbook(args: dict[str, Any]) -> Response:
    """The worklist as 商品 and 平台商品 sheets, pre-filled to complete and load as the registry."""
    buffer = io.BytesIO()
    write_worklist(buffer, _worklist(args, None))
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name="未登记商品.xlsx")


def _keys(data: dict[str, Any]) -> ListingKeys:
    return ListingKeys(data["platform"], data.get("platform_product_id"), data.get("merchant_code"))


def _answer(done: Registered) -> dict[str, Any]:
    return {
        "product_code": done.product_code,
        "listing_id": done.listing_id,
        "created_product": done.created_product,
        "lines": done.rematched.lines,
        "sale_lines": done.rematched.sale_lines,
        "net": done.rematched.net,
    }


def _refused(exc: RegistrationError) -> None:
    language = reader_language()
    errors = {name: [problem.say(language)] for name, problem in exc.problems.items()}
    status = 409 if exc.code == "conflict" else 422
    abort(
        status,
        errors={"json": errors},
        message="未登记：" + "；".join(f"{name}: {text[0]}" for name, text in errors.items()),
    )


@blp.route("/products", methods=["POST"])
@blp.arguments(NewProductSchema)
@blp.response(201, RegisteredSchema)
def post_product(data: dict[str, Any]) -> dict[str, Any]:
    """Register a new product and its listing; the stored lines are re-matched at once."""
    product = NewProduct(
        code=data["code"],
        name=data["name"],
        brand=data.get("brand"),
        category=data.get("category"),
        pricing_unit=data.get("pricing_unit"),
        units_per_item=data.get("units_per_item"),
        brand_joined_on=data.get("brand_joined_on"),
    )
    try:
        return _answer(register_product(product, _keys(data)))
    except RegistrationError as exc:
        _refused(exc)
        raise


@blp.route("/listings", methods=["POST"])
@blp.arguments(ExistingProductSchema)
@blp.response(201, RegisteredSchema)
def post_listing(data: dict[str, Any]) -> dict[str, Any]:
    """Register a listing onto an existing product; the stored lines are re-matched at once."""
    try:
        return _answer(register_listing(data["product"], _keys(data)))
    except RegistrationError as exc:
        _refused(exc)
        raise
