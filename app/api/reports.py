"""Month close (月结) and the monthly report workbook (月报)."""

from __future__ import annotations

import io
import re
from http import HTTPStatus
from typing import Any

from flask import jsonify, send_file
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
from app.reports import ReportsError, close_month, write_monthly_report
from app.wording import N_, reader_language, say

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


class CloseArgs(Schema):
    confirm = fields.Boolean(
        load_default=False,
        metadata={
            "description": "close even though the month has not ended or the month before is "
            "open (otherwise 409 with code month_not_finished / previous_month_open)"
        },
    )


def _month(text: str) -> str:
    if not re.fullmatch(MONTH_PATTERN, text):
        wrong = say(N_("月份“{text}”应写成 YYYY-MM（2000 至 2100 年），如 2024-03"), text=text[:20])
        abort(400, message=wrong.say(reader_language()))
    try:
        return month_key(parse_month(text))
    except MetricsError as exc:
        abort(400, message=exc.say(reader_language()))
        raise  # abort raises; this satisfies the type checker


@months_blp.route("/<month>/close", methods=["POST"])
@months_blp.arguments(CloseArgs, location="query", error_status_code=400)
@months_blp.response(201, MonthCloseSchema)
@months_blp.alt_response(409, description="already closed, or needs `confirm=true` (see code)")
@months_blp.alt_response(422, description="the month has not begun (`month_not_started`)")
def close(args: dict[str, Any], month: str) -> Any:
    """Close a month: freeze its whole report; later changes show as adjustments in the next
    report. A month not yet ended, or whose previous month is open, needs `confirm=true`."""
    try:
        return close_month(_month(month), user_id=current_user.id, confirm=args["confirm"])
    except ReportsError as exc:
        return _refused(exc)


# A month not begun cannot be closed at all (422); the others conflict with its state (409).
REFUSAL_STATUS = {"month_not_started": HTTPStatus.UNPROCESSABLE_ENTITY}


def _refused(exc: ReportsError) -> Response:
    """A refused close in the API's error shape, with its stable code."""
    status = REFUSAL_STATUS.get(exc.code, HTTPStatus.CONFLICT)
    response = jsonify(
        {"code": exc.code, "status": status.phrase, "message": exc.message, "month": exc.month}
    )
    response.status_code = status
    return response


@reports_blp.route("/monthly/<month>.xlsx", methods=["GET"])
@reports_blp.response(200, description="月报 workbook (XLSX)")
def monthly(month: str) -> Response:
    """The monthly report: 乡镇月报, 直播台账, 品牌溢价, 平台分布."""
    key = _month(month)
    buffer = io.BytesIO()
    write_monthly_report(key, buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"月报-{key}.xlsx")
