"""Month close (月结) and the monthly report workbook (月报)."""

from app.reports.close import MonthAlreadyClosed, close_month, month_adjustments, month_figures
from app.reports.monthly import write_monthly_report

__all__ = [
    "MonthAlreadyClosed",
    "close_month",
    "month_adjustments",
    "month_figures",
    "write_monthly_report",
]
