"""Month close (月结) and the monthly report workbook (月报)."""

from app.reports.close import close_month, close_warnings
from app.reports.errors import (
    CloseNeedsConfirmation,
    MonthAlreadyClosed,
    MonthNotFinished,
    MonthNotStarted,
    PreviousMonthOpen,
    ReportsError,
)
from app.reports.figures import month_adjustments, month_figures
from app.reports.monthly import build_report, monthly_report, write_monthly_report
from app.reports.sheets import MonthlyReport

__all__ = [
    "CloseNeedsConfirmation",
    "MonthAlreadyClosed",
    "MonthNotFinished",
    "MonthNotStarted",
    "MonthlyReport",
    "PreviousMonthOpen",
    "ReportsError",
    "build_report",
    "close_month",
    "close_warnings",
    "month_adjustments",
    "month_figures",
    "monthly_report",
    "write_monthly_report",
]
