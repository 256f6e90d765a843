"""Monthly reports (月报) to download, and month close (月结) for the administrator."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import beijing
from app.auth import roles_required
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.indicators import LINE_QUERIES
from app.metrics.periods import add_months, month_end, month_key, parse_month
from app.metrics.retail import retail
from app.models import MonthClose
from app.reports import (
    CloseNeedsConfirmation,
    MonthAlreadyClosed,
    ReportsError,
    close_month,
    close_warnings,
    month_adjustments,
)
from app.reports.brief import monthly_brief
from app.web.brief_image import BriefFontMissing, brief_pdf, brief_png
from app.web.drill import lines_url
from app.web.figures import chosen_span, data_years
from app.web.nav import roles_for
from app.web.periods import PeriodChoice, choose_period, too_early, too_early_message

reports_bp = Blueprint("web_reports", __name__, url_prefix="/reports")
months_bp = Blueprint("web_months", __name__, url_prefix="/months")


def _months(year: int, as_of: dt.date) -> list[dict[str, Any]]:
    """The year's months up to `as_of`, newest first, with net retail and their close."""
    rows = retail(dt.date(year, 1, 1), as_of, "month", "county").rows
    closes = {
        close.month: close
        for close in db.session.scalars(
            select(MonthClose).where(MonthClose.month.like(f"{year}-%"))
        )
    }
    return [
        {
            "month": row.key,
            "net": row.net,
            "orders": row.orders,
            "close": closes.get(row.key or ""),
        }
        for row in reversed(rows)
    ]


@reports_bp.route("", endpoint="index")
@roles_required(*roles_for("web_reports.index"))
def reports_index() -> str:
    """The months of the period of the URL, each with its 月报 workbook and briefs: a month,
    the three of a quarter, a year's, or those a custom range touches; with nothing asked, the
    year of the current month."""
    choice = _reports_choice()
    return render_template(
        "reports/index.html",
        span=choice,
        years=data_years(),
        months=_period_months(choice),
    )


def _reports_choice() -> PeriodChoice:
    """The period of the URL; the default (nothing asked, or what was asked cannot be read) is
    the year of the current month, as the list showed before it took periods."""
    choice = choose_period(request.args)
    if not choice.default:
        return choice
    year = choose_period({"period": "year", "year": str(choice.as_of.year)})
    return replace(year, default=True, error=choice.error)


def _period_months(choice: PeriodChoice) -> list[dict[str, Any]]:
    """The whole months the period touches, up to today, newest first, with their net retail
    (the whole month's, as its report has it) and their close."""
    first = choice.whole.start.replace(day=1)
    last = min(month_end(choice.as_of), beijing.today())
    rows = retail(first, last, "month", "county").rows
    keys = [row.key for row in rows if row.key]
    closes = {
        close.month: close
        for close in db.session.scalars(select(MonthClose).where(MonthClose.month.in_(keys)))
    }
    return [
        {"month": row.key, "net": row.net, "orders": row.orders, "close": closes.get(row.key or "")}
        for row in reversed(rows)
    ]


@reports_bp.route("/brief/<month>", endpoint="brief")
@roles_required(*roles_for("web_reports.index"))
def brief(month: str) -> Response:
    """The month's brief to share: a one-page A4 PDF (`?format=pdf`, the default, downloaded)
    or a phone-width PNG (`?format=png`, shown, to long-press and send in a WeChat group)."""
    kind = request.args.get("format", "pdf")
    if kind not in ("pdf", "png"):
        abort(404)
    try:
        first = parse_month(month)
    except MetricsError:
        abort(404)
    if first > beijing.today():
        abort(404)  # a month not begun has nothing to tell
    if too_early(first):
        flash(too_early_message(month), "error")
        return redirect(url_for("web_reports.index"))
    found = monthly_brief(first)
    font = current_app.config.get("CUNBO_BRIEF_FONT")
    try:
        data = brief_pdf(found, font) if kind == "pdf" else brief_png(found, font)
    except BriefFontMissing:
        message = _(
            "服务器上没有可以显示中文的字体，暂时无法生成简报。"
            "请管理员安装中文字体（如 fonts-noto-cjk）后再试。"
        )
        flash(message, "error")
        return redirect(url_for("web_reports.index", year=first.year))
    name = _("%(county)s月度简报-%(month)s", county=found.county, month=found.month)
    return send_file(
        io.BytesIO(data),
        mimetype="application/pdf" if kind == "pdf" else "image/png",
        as_attachment=kind == "pdf",
        download_name=f"{name}.{kind}",
        max_age=0,
    )


@months_bp.route("", endpoint="index")
@roles_required(*roles_for("web_months.index"))
def months_index() -> str:
    """Months of the year, which are closed, and what changed in closed months since."""
    span, years = chosen_span(request.args.get("year"))
    months = _months(span.year, span.as_of)
    # Every closed month before the next one: the adjustments the next report will carry.
    adjustments = [
        {**row, "lines_url": _adjustment_lines(row)}
        for row in month_adjustments(_next_month(month_key(span.as_of)))
    ]
    return render_template(
        "reports/months.html",
        span=span,
        years=years,
        months=months,
        adjustments=adjustments,
    )


def _next_month(month: str) -> str:
    return month_key(add_months(parse_month(month), 1))


def _adjustment_lines(row: dict[str, Any]) -> str | None:
    """The order lines behind an adjustment: the month's lines of that place and indicator
    that imports inserted or changed after the figure was reported (none for session counts)."""
    options = LINE_QUERIES.get(row["indicator"])
    if options is None:
        return None
    first = parse_month(row["month"])
    return lines_url(
        from_=first,
        to=month_end(first),
        agri=options.get("agri", False),
        township=row["township"],
        changed_after=row["reported_at"].replace(tzinfo=dt.UTC),
        basis=options.get("basis"),
        branded=options.get("branded", False),
    )


@months_bp.route("/<month>/close", methods=["POST"])
@roles_required(*roles_for("web_months.index"))
def close(month: str) -> Response | str:
    """Freeze a month's whole report; later changes appear as adjustments in the next report.

    A month not yet ended, or whose previous month is open, first shows why and asks again."""
    back = url_for("web_months.index", year=request.args.get("year"))
    confirmed = request.form.get("confirm") == "1"
    try:
        key = month_key(parse_month(month))
        warnings = close_warnings(key)
        if warnings and not confirmed:
            return _confirmation(key, warnings, back)
        close_month(key, user_id=current_user.id, confirm=True)
    except MonthAlreadyClosed:
        flash(_("%(month)s 已月结，不能重复月结。", month=month), "error")
    except ReportsError as exc:
        flash(_refusal(exc), "error")
    except MetricsError as exc:
        flash(str(exc), "error")
    else:
        flash(_("%(month)s 已月结。", month=key), "success")
    return redirect(back)


def _confirmation(key: str, warnings: list[CloseNeedsConfirmation], back: str) -> str:
    reasons = [_refusal(warning) for warning in warnings]
    return render_template(
        "reports/confirm_close.html",
        month=key,
        reasons=reasons,
        codes=[warning.code for warning in warnings],
        back=back,
        year=request.args.get("year"),
    )


def _refusal(exc: ReportsError) -> str:
    """What a clerk reads about a close that needs confirmation or cannot be done, by code."""
    if exc.code == "month_not_finished":
        return _(
            "%(month)s 还没有结束，月底前的销售和退款还会导入；月结后它们只能作为调整列入下一期。"
            "建议等月份结束后再月结。",
            month=exc.month,
        )
    if exc.code == "previous_month_open":
        previous = month_key(add_months(parse_month(exc.month), -1))
        return _(
            "上个月 %(previous)s 有销售或直播记录，还没有月结。"
            "通常按月份顺序月结，建议先月结 %(previous)s。",
            previous=previous,
        )
    if exc.code == "month_not_started":
        return _("%(month)s 还没有开始，不能月结。", month=exc.month)
    return str(exc)
