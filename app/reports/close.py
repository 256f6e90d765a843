"""月结: freeze a month's whole report; later changes become adjustments, not rewrites."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app import beijing
from app.extensions import db
from app.metrics.periods import (
    add_months,
    month_end,
    month_key,
    month_period,
    parse_month,
)
from app.models import LiveSession, MonthClose, OrderLine, utcnow
from app.models.versions import bump_data_version
from app.reports.errors import (
    CloseNeedsConfirmation,
    MonthAlreadyClosed,
    MonthNotFinished,
    MonthNotStarted,
    PreviousMonthOpen,
)
from app.reports.figures import month_figures
from app.reports.monthly import build_report
from app.reports.sheets import report_json


def close_warnings(
    month: str | dt.date, today: dt.date | None = None
) -> list[CloseNeedsConfirmation]:
    """Why closing `month` needs the closer's confirmation; empty when it does not.

    The month must have ended in Beijing time (`today`, default now there), and the month before
    it must be closed unless nothing (no sale, no session) was recorded in it."""
    first = parse_month(month)
    key = month_key(first)
    _refuse_closed(key)
    today = today or beijing.today()
    if today < first:
        raise MonthNotStarted(
            f"{key} 还没有开始（北京时间今天是 {today.isoformat()}），不能月结。", key
        )
    warnings: list[CloseNeedsConfirmation] = []
    if today <= month_end(first):
        warnings.append(
            MonthNotFinished(
                f"{key} 还没有结束（北京时间今天是 {today.isoformat()}），月底前的销售和退款还会"
                "导入；月结后它们只能作为调整列入下一期。请等月份结束后再月结，或确认后继续。",
                key,
            )
        )
    previous = month_key(add_months(first, -1))
    if _is_open(previous) and _has_records(add_months(first, -1)):
        warnings.append(
            PreviousMonthOpen(
                f"上个月 {previous} 有销售或直播记录，还没有月结。通常按月份顺序月结："
                f"请先月结 {previous}，或确认后继续。",
                key,
            )
        )
    return warnings


def close_month(
    month: str | dt.date,
    user_id: int | None = None,
    confirm: bool = False,
    today: dt.date | None = None,
) -> MonthClose:
    """Freeze the month's whole report and figures in a MonthClose, with the earlier closed
    months restated as known now (so each later change is reported once, in the next report).

    Raises MonthAlreadyClosed, MonthNotStarted, or (unless `confirm`) the first
    CloseNeedsConfirmation."""
    first = parse_month(month)
    key = month_key(first)
    warnings = close_warnings(first, today)
    if warnings and not confirm:
        raise warnings[0]
    earlier = db.session.scalars(
        select(MonthClose.month).where(MonthClose.month < key).order_by(MonthClose.month)
    ).all()
    closed_at = utcnow()
    snapshot = {
        "month": key,
        **month_figures(first),
        "restated": {other: month_figures(other)["figures"] for other in earlier},
        "report": report_json(build_report(first, created=closed_at)),
        "computed_at": closed_at.isoformat(timespec="seconds"),
    }
    record = MonthClose(month=key, snapshot=snapshot, closed_by_id=user_id, closed_at=closed_at)
    db.session.add(record)
    bump_data_version(db.session)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent close of the same month won
        db.session.rollback()
        raise _already_closed(key) from exc
    return record


def previous_month(month: str | dt.date) -> str:
    return month_key(add_months(parse_month(month), -1))


def _refuse_closed(key: str) -> None:
    if not _is_open(key):
        raise _already_closed(key)


def _already_closed(key: str) -> MonthAlreadyClosed:
    return MonthAlreadyClosed(
        f"{key} 已月结，不能重复月结；之后的变化会作为调整列入下一个未月结月份的月报。", key
    )


def _is_open(key: str) -> bool:
    return db.session.scalar(select(MonthClose.id).where(MonthClose.month == key)) is None


def _has_records(first: dt.date) -> bool:
    """Whether any order line was paid, or any session started, in the month (Beijing days)."""
    start, stop = month_period(first).utc_bounds()
    paid = (OrderLine.paid_at >= start) & (OrderLine.paid_at < stop)
    started = (LiveSession.started_at >= start) & (LiveSession.started_at < stop)
    return bool(db.session.scalar(select(exists().where(paid) | exists().where(started))))
