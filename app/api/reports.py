"""Month close (月结) and the monthly report workbook (月报)."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import send_file
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields
from werkzeug.wrappers import Response

from app.api.errors import add_error_messages
from app.api.fields import MONTH_PATTERN
from app.auth import api_guard
from app.auth.scope import COUNTY_ROLES
from app.metrics.errors import MetricsError
from app.metrics.periods import month_key, parse_month
from app.reports import MonthAlreadyClosed, close_month, write_monthly_report

months_blp = Blueprint("months", __name__, url_prefix="/months", description="月结 (month close)")
reports_blp = Blueprint("reports", __name__, url_prefix="/reports", description="月报 (reports)")
add_error_messages(api_guard(months_blp, roles=("admin",)))
add_error_messages(api_guard(reports_blp, roles=sorted(COUNTY_ROLES)))
blueprints = [months_blp, reports_blp]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MonthCloseSchema(Schema):
    month = fields.String()
    closed_at = fields.DateTime()
    closed_by = fields.Integer(attribute="closed_by_id", allow_none=True)
    snapshot = fields.Dict(metadata={"description": "the frozen figures of the month"})


def _month(text: str) -> str:
    if not re.fullmatch(MONTH_PATTERN, text):
        abort(400, message=f"月份“{text[:20]}”应写成 YYYY-MM（2000 至 2100 年），如 2024-03")
    try:
        return month_key(parse_month(text))
    except MetricsError as exc:
        abort(400, message=str(exc))
        raise  # abort raises; this satisfies the type checker


@months_blp.route("/<month>/close", methods=["POST"])
@months_blp.response(201, MonthCloseSchema)
def close(month: str) -> Any:
    """Close a month: freeze its figures; later changes show as adjustments in the next report."""
    try:
        return close_month(_month(month), user_id=current_user.id)
    except MonthAlreadyClosed as exc:
        abort(409, message=str(exc))


@reports_blp.route("/monthly/<month>.xlsx", methods=["GET"])
@reports_blp.response(200, description="月报 workbook (XLSX)")
def monthly(month: str) -> Response:
    """The monthly report: 乡镇月报, 直播台账, 品牌溢价, 平台分布."""
    key = _month(month)
    buffer = io.BytesIO()
    write_monthly_report(key, buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"月报-{key}.xlsx")
