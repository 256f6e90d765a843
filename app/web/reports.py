"""Monthly reports (月报) to download, and month close (月结) for the administrator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import roles_required
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.periods import add_months, month_key, parse_month
from app.metrics.retail import retail
from app.models import MonthClose
from app.reports import MonthAlreadyClosed, close_month, month_adjustments
from app.web.figures import chosen_span
from app.web.nav import roles_for

reports_bp = Blueprint("web_reports", __name__, url_prefix="/reports")
months_bp = Blueprint("web_months", __name__, url_prefix="/months")


def _months(year: int, as_of: dt.date) -> list[dict[str, Any]]:
    """The year's months up to `as_of`, newest first, with net retail and their close."""
    rows = retail(dt.date(year, 1, 1), as_of, "month", "county")["rows"]
    closes = {
        close.month: close
        for close in db.session.scalars(
            select(MonthClose).where(MonthClose.month.like(f"{year}-%"))
        )
    }
    return [
        {
            "month": row["key"],
            "net": row["net"],
            "orders": row["orders"],
            "close": closes.get(row["key"]),
        }
        for row in reversed(rows)
    ]


@reports_bp.route("", endpoint="index")
@roles_required(*roles_for("web_reports.index"))
def reports_index() -> str:
    """Each month of the year with its 月报 workbook to download."""
    span, years = chosen_span(request.args.get("year"))
    return render_template(
        "reports/index.html", span=span, years=years, months=_months(span.year, span.as_of)
    )


@months_bp.route("", endpoint="index")
@roles_required(*roles_for("web_months.index"))
def months_index() -> str:
    """Months of the year, which are closed, and what changed in closed months since."""
    span, years = chosen_span(request.args.get("year"))
    months = _months(span.year, span.as_of)
    # Every closed month before the next one: the adjustments the next report will carry.
    adjustments = month_adjustments(_next_month(month_key(span.as_of)))
    return render_template(
        "reports/months.html",
        span=span,
        years=years,
        months=months,
        adjustments=adjustments,
    )


def _next_month(month: str) -> str:
    return month_key(add_months(parse_month(month), 1))


@months_bp.route("/<month>/close", methods=["POST"])
@roles_required(*roles_for("web_months.index"))
def close(month: str) -> Response:
    """Freeze a month's figures; later changes appear as adjustments in the next report."""
    try:
        key = month_key(parse_month(month))
        close_month(key, user_id=current_user.id)
    except MonthAlreadyClosed:
        flash(_("%(month)s 已月结，不能重复月结。", month=month), "error")
    except MetricsError as exc:
        flash(str(exc), "error")
    else:
        flash(_("%(month)s 已月结。", month=key), "success")
    return redirect(url_for("web_months.index", year=request.args.get("year")))
