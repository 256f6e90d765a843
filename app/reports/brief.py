"""The monthly brief (月度简报): one page of a month for the county's WeChat groups.

Its figures are the monthly report's (`monthly_report`: frozen at close for a closed month, live
for an open one), so the brief and the 月报 workbook never disagree: the KPI cards, the township
table with completion and status, and the trend of the year's months beside last year's."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from app import beijing
from app.codes import INDICATORS
from app.extensions import db
from app.metrics.facts import Query, line_totals
from app.metrics.indicators import LINE_QUERIES, indicator_value
from app.metrics.periods import (
    Period,
    month_key,
    month_period,
    month_so_far,
    parse_month,
)
from app.metrics.scope import COUNTY
from app.metrics.targets import status_for
from app.models import MonthClose, Township
from app.reports.monthly import monthly_report
from app.reports.sheets import MonthlyReport

NET, AGRI = INDICATORS["net_retail"], INDICATORS["agri_net_retail"]


@dataclass(frozen=True)
class BriefKpis:
    """The month's cards: money in 元, growth as a fraction (None without last year's month)."""

    net_retail: Decimal
    net_yoy: Fraction | None
    agri_net_retail: Decimal
    agri_yoy: Fraction | None
    live_sessions: int
    active_rooms: int


@dataclass(frozen=True)
class BriefTownship:
    """A township's 网络零售额: the month, 1–本月累计, its target's completion and status."""

    name: str
    month: Decimal
    ytd: Decimal
    ytd_yoy: Fraction | None
    target: Decimal | None
    completion: Fraction | None
    gap_pp: Fraction | None
    status: str | None  # 超进度 / 略慢 / 滞后, None without a target


@dataclass(frozen=True)
class TrendPoint:
    """One month of the year: 网络零售额 this year (None after the brief's month) and last."""

    month: int
    this_year: Decimal | None
    last_year: Decimal


@dataclass(frozen=True)
class MonthlyBrief:
    month: str  # YYYY-MM
    county: str  # the county's name as the registry writes it (县区), else 全县
    closed: bool
    kpis: BriefKpis
    time_progress: Fraction
    townships: list[BriefTownship]
    trend: list[TrendPoint]


def county_name() -> str:
    """The county the registry's townships belong to (the most common 县区), else 全县."""
    names = Counter(n for n in db.session.scalars(select(Township.county)) if n)
    return names.most_common(1)[0][0] if names else "全县"


def monthly_brief(month: str | dt.date) -> MonthlyBrief:
    """The brief of `month` (YYYY-MM), from the same figures as its monthly report."""
    first = parse_month(month)
    key = month_key(first)
    report = monthly_report(first)
    county = _county_rows(report)
    this = month_period(first)
    # 同比 of a month still running compares its days so far with the same days a year before.
    so_far = month_so_far(first, beijing.today())
    last = _net(so_far.last_year())
    last_agri = _net(so_far.last_year(), agri=True)
    figures = _closed_figures(key)
    kpis = BriefKpis(
        net_retail=county[NET]["month"],
        net_yoy=_growth(county[NET]["month"], last),
        agri_net_retail=county[AGRI]["month"],
        agri_yoy=_growth(county[AGRI]["month"], last_agri),
        live_sessions=int(_figure(figures, "live_sessions", this)),
        active_rooms=int(_figure(figures, "active_rooms", this)),
    )
    return MonthlyBrief(
        month=key,
        county=county_name(),
        closed=report.frozen or figures is not None,
        kpis=kpis,
        time_progress=Fraction(county[NET]["time_progress"] or 0),
        townships=_townships(report),
        trend=_trend(first, county[NET]["month"]),
    )


def _blocks(report: MonthlyReport) -> dict[str, list[dict[str, Any]]]:
    """The 乡镇月报 rows by indicator: each block is the county's row, then the townships'."""
    blocks: dict[str, list[dict[str, Any]]] = {}
    for row in report.table("townships"):
        blocks.setdefault(str(row["indicator"]), []).append(row)
    return blocks


def _county_rows(report: MonthlyReport) -> dict[str, dict[str, Any]]:
    return {indicator: rows[0] for indicator, rows in _blocks(report).items()}


def _townships(report: MonthlyReport) -> list[BriefTownship]:
    """The 网络零售额 rows of the townships in the report's rank order (by 完成率); those
    without a target, which the report does not rank, after them by 1–本月累计."""
    rows = list(_blocks(report).get(NET, [])[1:])
    rows.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0, -_money(row["ytd"])))
    found = []
    for row in rows:
        gap = _fraction(row["gap_pp"])
        found.append(
            BriefTownship(
                name=str(row["name"] or ""),
                month=_money(row["month"]),
                ytd=_money(row["ytd"]),
                ytd_yoy=_fraction(row["ytd_yoy"]),
                target=_money(row["target"]) if row["target"] is not None else None,
                completion=_fraction(row["completion"]),
                gap_pp=gap,
                status=None if gap is None else status_for(_decimal(gap)),
            )
        )
    return found


def _trend(first: dt.date, reported: Decimal) -> list[TrendPoint]:
    """Each month of the year, this year's up to the brief's month (which is the reported
    figure, so the chart agrees with the card), beside last year's."""
    year = first.year
    this = _monthly_net(year, first.month)
    last = _monthly_net(year - 1, 12)
    this[first.month] = reported
    return [
        TrendPoint(month, this.get(month) if month <= first.month else None, last[month])
        for month in range(1, 13)
    ]


def _monthly_net(year: int, months: int) -> dict[int, Decimal]:
    values = {}
    for month in range(1, months + 1):
        values[month] = _net(month_period(dt.date(year, month, 1)))
    return values


def _net(period: Period, agri: bool = False) -> Decimal:
    options = LINE_QUERIES["agri_net_retail" if agri else "net_retail"]
    found = line_totals(Query(period, None, **options), orders=False).get(None)
    return found.net if found else Decimal("0.00")


def _closed_figures(key: str) -> dict[str, Any] | None:
    """The county's figures frozen at the month's close, None for an open month."""
    record = db.session.scalar(select(MonthClose).where(MonthClose.month == key))
    if record is None:
        return None
    return dict(record.snapshot.get("figures", {}).get(str(COUNTY), {}))


def _figure(frozen: dict[str, Any] | None, code: str, period: Period) -> Decimal | int:
    if frozen is not None and frozen.get(code) is not None:
        return Decimal(str(frozen[code]))
    value = indicator_value(code, COUNTY, period).value
    return value if value is not None else 0


def _growth(now: Decimal, before: Decimal) -> Fraction | None:
    return Fraction(now) / Fraction(before) - 1 if before else None


def _money(value: Any) -> Decimal:
    return Decimal(value) if value is not None else Decimal("0.00")


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _fraction(value: Any) -> Fraction | None:
    if value is None:
        return None
    return value if isinstance(value, Fraction) else Fraction(Decimal(str(value)))
