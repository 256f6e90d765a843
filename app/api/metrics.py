"""Figures a county reports: retail, growth, premium, sessions, live rooms, target progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Response
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.api.cached import served
from app.api.errors import add_error_messages
from app.api.fields import MAX_PAGE_SIZE, MONTH_PATTERN, Day, period_problem
from app.auth import api_guard, current_scope
from app.codes import INDICATORS
from app.metrics.errors import MetricsError
from app.metrics.formatting import (
    growth_json,
    live_json,
    premium_json,
    progress_json,
    retail_json,
    sessions_json,
)
from app.metrics.growth import growth
from app.metrics.live import live_year
from app.metrics.live_sessions import sessions_report
from app.metrics.premium import premium
from app.metrics.retail import retail
from app.metrics.scope import BY_VALUES
from app.metrics.targets import target_progress
from app.wording import reader_language

blp = Blueprint("metrics", __name__, url_prefix="/metrics", description="统计指标 (figures)")
targets_blp = Blueprint(
    "target_progress", __name__, url_prefix="/targets", description="目标进度 (targets)"
)
blueprints = [blp, targets_blp]
for _blueprint in blueprints:
    add_error_messages(api_guard(_blueprint))

SCOPE_HELP = "county | township:<编码> | village:<编码> | brand:<编码> | room:<编码>"
CODE = validate.Length(min=1, max=64, error="编码应为 1 至 64 个字符")


def _date(description: str, **kwargs: Any) -> fields.Date:
    return Day(metadata={"description": description}, **kwargs)


def _scope_field() -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, max=80, error="scope 过长或为空"),
        metadata={"description": SCOPE_HELP},
    )


class _PeriodSchema(Schema):
    from_ = _date("first Beijing day (YYYY-MM-DD)", data_key="from", required=True)
    to = _date("last Beijing day, inclusive; at most 20 years after from", required=True)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        problem = period_problem(data.get("from_"), data.get("to"))
        if problem:
            raise ValidationError(problem, field_name="to")


class RetailArgs(_PeriodSchema):
    by = fields.String(
        load_default="month",
        validate=validate.OneOf(BY_VALUES, error="by 应为 {choices} 之一"),
        metadata={"description": " | ".join(BY_VALUES)},
    )
    scope = _scope_field()
    agri = fields.Boolean(load_default=False, metadata={"description": "农产品 only"})
    limit = fields.Integer(
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE, error="limit 应为 1 至 500 之间"),
        metadata={"description": "top rows (at most 500)"},
    )


class GrowthArgs(Schema):
    month = fields.String(
        required=True,
        validate=validate.Regexp(MONTH_PATTERN, error="月份格式应为 YYYY-MM（2000 至 2100 年）"),
    )
    indicator = fields.String(
        load_default="net_retail",
        validate=validate.OneOf(
            [*INDICATORS, *INDICATORS.values()], error="indicator 应为 {choices} 之一"
        ),
    )
    scope = _scope_field()


class PremiumArgs(_PeriodSchema):
    brand = fields.String(required=True, validate=CODE, metadata={"description": "品牌编码"})


class SessionsArgs(_PeriodSchema):
    room = fields.String(validate=CODE, metadata={"description": "直播间编码"})


class YearArgs(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class ProgressArgs(YearArgs):
    as_of = _date("measure up to this Beijing day (default today)")


class FiguresSchema(Schema):
    gross = fields.String()
    refund = fields.String()
    net = fields.String()
    orders = fields.Integer()
    units = fields.Integer()


class RetailRowSchema(FiguresSchema):
    key = fields.String(allow_none=True)
    label = fields.String()


class RetailSchema(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    by = fields.String()
    scope = fields.String()
    agri = fields.Boolean()
    rows = fields.List(fields.Nested(RetailRowSchema))
    total = fields.Nested(FiguresSchema)
    unregistered = fields.Dict(metadata={"description": '{"net": "0.00", "lines": 0}'})


class GrowthSchema(Schema):
    month = fields.String()
    indicator = fields.String()
    scope = fields.String()
    value = fields.Raw(metadata={"description": "money string, or a count"})
    last_year = fields.Raw()
    yoy = fields.Float(allow_none=True)
    ytd = fields.Raw()
    last_year_ytd = fields.Raw()
    ytd_yoy = fields.Float(allow_none=True)
    prev_month = fields.Raw()
    mom = fields.Float(allow_none=True)
    reasons = fields.Dict(keys=fields.String(), values=fields.String())


class PremiumProductSchema(Schema):
    product = fields.String()
    unit_price = fields.Float(allow_none=True)
    baseline = fields.Float()
    baseline_kind = fields.String()
    units = fields.Float()
    net = fields.String()
    premium = fields.Float(allow_none=True)
    reasons = fields.Dict(keys=fields.String(), values=fields.String())


class PremiumSchema(Schema):
    brand = fields.String()
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    premium = fields.Float(allow_none=True)
    extra_revenue = fields.String(allow_none=True)
    products = fields.List(fields.Nested(PremiumProductSchema))
    without_baseline = fields.List(fields.String())
    reasons = fields.Dict(keys=fields.String(), values=fields.String())


class SessionsSchema(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    room = fields.String(allow_none=True)
    sessions = fields.List(fields.Dict(), metadata={"description": "one row per session"})
    total = fields.Dict()
    formulas = fields.Dict(keys=fields.String(), values=fields.String())


class LiveMonthSchema(Schema):
    month = fields.String()
    sessions = fields.Integer()
    active_rooms = fields.Integer()
    live_sales = fields.String()


class LiveSchema(Schema):
    year = fields.Integer()
    months = fields.List(fields.Nested(LiveMonthSchema))
    total_sessions = fields.Integer()


class ProgressRowSchema(Schema):
    scope = fields.String()
    indicator = fields.String()
    target = fields.Raw()
    actual = fields.Raw()
    completion = fields.Float(allow_none=True)
    time_progress = fields.Float(allow_none=True)
    gap_pp = fields.Float(allow_none=True)
    status = fields.String(allow_none=True)
    projection_run_rate = fields.Raw(allow_none=True)
    projection_seasonal = fields.Raw(allow_none=True)
    reasons = fields.Dict(keys=fields.String(), values=fields.String())


class ProgressSchema(Schema):
    year = fields.Integer()
    as_of = fields.String()
    rows = fields.List(fields.Nested(ProgressRowSchema))


def _scope(requested: str | None) -> str:
    """The scope asked for, defaulting to the caller's own; 403 when outside what they may see."""
    allowed = current_scope()
    value = requested or allowed.default_param()
    if value is None:
        abort(400, message=f"请指定 scope ({SCOPE_HELP})")
    elif not allowed.permits(value):
        abort(403, message=f"您无权查看 {value} 的数据")
    return str(value)


def _answer(
    serialise: Callable[[Any], dict[str, Any]], compute: Any, *args: Any, **kwargs: Any
) -> dict[str, Any]:
    """The figure's JSON form; 400 with the metrics' message when the question is malformed."""
    try:
        found = compute(*args, **kwargs)
    except MetricsError as exc:
        abort(400, message=exc.say(reader_language()))
        raise  # abort raises; this satisfies the type checker
    return serialise(found)


@blp.route("/retail")
@blp.arguments(RetailArgs, location="query", error_status_code=400)
@blp.response(200, RetailSchema)
def get_retail(args: dict[str, Any]) -> Response:
    """网络零售额 (gross, refund, net, orders, units) grouped `by`, with 未登记商品."""
    scope = _scope(args.get("scope"))
    return served(
        RetailSchema,
        {**args, "scope": scope},
        lambda: _answer(
            retail_json,
            retail,
            args["from_"],
            args["to"],
            args["by"],
            scope,
            args["agri"],
            args.get("limit"),
        ),
    )


@blp.route("/growth")
@blp.arguments(GrowthArgs, location="query", error_status_code=400)
@blp.response(200, GrowthSchema)
def get_growth(args: dict[str, Any]) -> Response:
    """当月同比, 累计同比 and 环比 of an indicator; null ratios carry a reason."""
    scope = _scope(args.get("scope"))
    return served(
        GrowthSchema,
        {**args, "scope": scope},
        lambda: _answer(growth_json, growth, args["month"], args["indicator"], scope),
    )


@blp.route("/premium")
@blp.arguments(PremiumArgs, location="query", error_status_code=400)
@blp.response(200, PremiumSchema)
def get_premium(args: dict[str, Any]) -> Response:
    """品牌溢价 of one brand: per product against its baseline, and volume-weighted."""
    _scope(f"brand:{args['brand']}")
    return served(
        PremiumSchema,
        args,
        lambda: _answer(premium_json, premium, args["brand"], args["from_"], args["to"]),
    )


@blp.route("/sessions")
@blp.arguments(SessionsArgs, location="query", error_status_code=400)
@blp.response(200, SessionsSchema)
def get_sessions(args: dict[str, Any]) -> Response:
    """Session KPIs (GPM, UV价值, 客单价, 件均价, 看播转化率, 退款率) with their formulas."""
    room = args.get("room")
    _scope(f"room:{room}" if room else "county")
    return served(
        SessionsSchema,
        args,
        lambda: _answer(sessions_json, sessions_report, args["from_"], args["to"], room),
    )


@blp.route("/live")
@blp.arguments(YearArgs, location="query", error_status_code=400)
@blp.response(200, LiveSchema)
def get_live(args: dict[str, Any]) -> Response:
    """Per month: sessions, active rooms (活跃直播间) and 村播带货额."""
    _scope("county")
    return served(LiveSchema, args, lambda: _answer(live_json, live_year, args["year"]))


@targets_blp.route("/progress")
@targets_blp.arguments(ProgressArgs, location="query", error_status_code=400)
@targets_blp.response(200, ProgressSchema)
def get_progress(args: dict[str, Any]) -> Response:
    """Progress of the year's targets as of a day; rows outside the caller's scope are left out."""
    return served(ProgressSchema, args, lambda: _progress(args["year"], args.get("as_of")))


def _progress(year: int, as_of: dt.date | None) -> dict[str, Any]:
    result = _answer(progress_json, target_progress, year, as_of)
    allowed = current_scope()
    result["rows"] = [row for row in result["rows"] if allowed.permits(row["scope"])]
    return result
