"""月报: the figures of the monthly report, one list of rows per sheet.

An open month's report is computed from the live figures; a closed month's is the one frozen
in its close's snapshot, read back through the same typed structure (`MonthlyReport`)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, BinaryIO

from sqlalchemy import select

from app import beijing
from app.codes import INDICATORS, PLATFORMS
from app.extensions import db
from app.metrics.facts import Query, line_totals
from app.metrics.indicators import LINE_QUERIES
from app.metrics.live_sessions import sessions_report
from app.metrics.periods import (
    Period,
    elapsed_fraction,
    month_end,
    month_key,
    month_so_far,
    parse_month,
    year_period,
)
from app.metrics.premium import premium
from app.metrics.scope import COUNTY, Scope
from app.models import Brand, MonthClose, Product, Streamer, Target, utcnow
from app.reports.figures import COUNTY_NAME, month_adjustments, scopes, township_names
from app.reports.sheets import MonthlyReport, report_from_json, typed_rows

KIND_NAMES = {"pre_brand": "品牌前价格", "non_brand": "非品牌同类", "reference": "参考价"}
# Rounding of the premium and session sheets: prices and units, ratios, money.
PRICE, RATIO, CENT = Decimal("0.0001"), Decimal("0.000001"), Decimal("0.01")
# The 乡镇月报 indicators: money figures placed by township.
REPORT_INDICATORS = ("net_retail", "agri_net_retail", "live_sales")


def _by_township(code: str, period: Period) -> dict[Scope, Decimal]:
    """The indicator over `period` for the county and each township, in two queries."""
    options = LINE_QUERIES[code]
    county = line_totals(Query(period, None, **options), orders=False).get(None)
    towns = line_totals(Query(period, "township", **options), orders=False)
    values = {}
    for scope in scopes():
        found = county if scope is COUNTY else towns.get(scope.id)
        values[scope] = found.net if found else Decimal("0.00")
    return values


def _targets(year: int) -> dict[tuple[str, str], Decimal]:
    """Annual targets by (scope as written in rows, indicator code)."""
    rows = db.session.scalars(
        select(Target).where(Target.year == year, Target.month.is_(None))
    ).all()
    found = {}
    for target in rows:
        scope = (
            "county"
            if target.scope_type == "county"
            else (f"{target.scope_type}:{target.scope_code}")
        )
        code = next((c for c, name in INDICATORS.items() if target.indicator in (c, name)), None)
        if code:
            found[(scope, code)] = Decimal(target.value)
    return found


def township_rows(
    month: str | dt.date, frozen: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """乡镇月报: per indicator, the county then each township, with target progress and rank.

    `frozen` holds month figures by scope and indicator that stand in for the live ones."""
    first = parse_month(month)
    # A month still running is reported to today, against the same days a year before.
    this = month_so_far(first, beijing.today())
    to_date = Period(dt.date(first.year, 1, 1), this.end)
    elapsed, days = elapsed_fraction(year_period(first.year), this.end)
    time_progress = Fraction(elapsed, days)
    frozen = frozen or {}
    targets = _targets(first.year)
    names = township_names()
    rows: list[dict[str, Any]] = []
    for code in REPORT_INDICATORS:
        month_values = _by_township(code, this)
        ytd = _by_township(code, to_date)
        last_ytd = _by_township(code, to_date.last_year())
        block = []
        for scope, value in month_values.items():
            key = str(scope)
            reported = frozen.get(key, {}).get(code)
            target = targets.get((key, code))
            completion = Fraction(ytd[scope]) / Fraction(target) if target else None
            block.append(
                {
                    "scope": key,
                    "name": COUNTY_NAME if scope is COUNTY else names.get(scope.code or "", ""),
                    "indicator": INDICATORS[code],
                    "target": target,
                    "month": Decimal(reported) if reported is not None else value,
                    "ytd": ytd[scope],
                    "last_ytd": last_ytd[scope],
                    "ytd_yoy": (
                        Fraction(ytd[scope]) / Fraction(last_ytd[scope]) - 1
                        if last_ytd[scope]
                        else None
                    ),
                    "completion": completion,
                    "time_progress": time_progress,
                    "gap_pp": (completion - time_progress) * 100
                    if completion is not None
                    else None,
                    "rank": None,
                }
            )
        _rank(block[1:])
        rows += block
    return rows


def _rank(rows: list[dict[str, Any]]) -> None:
    """Townships ranked by 完成率 where they have targets, else by 1–本月累计."""
    with_target = [row for row in rows if row["completion"] is not None]
    ordered = (
        sorted(with_target, key=lambda row: -row["completion"])
        if with_target
        else sorted(rows, key=lambda row: -row["ytd"])
    )
    for place, row in enumerate(ordered, start=1):
        row["rank"] = place


def _month_end(first: dt.date) -> dt.date:
    return month_end(first)


def platform_rows(month: str | dt.date) -> list[dict[str, Any]]:
    """平台分布: net retail per platform this month, year to date and last year to date."""
    first = parse_month(month)
    this = month_so_far(first, beijing.today())
    to_date = Period(dt.date(first.year, 1, 1), this.end)
    groups = [
        line_totals(Query(period, "platform"), orders=False)
        for period in (this, to_date, to_date.last_year())
    ]
    totals = [sum((t.net for t in group.values()), Decimal(0)) for group in groups]
    rows = []
    for platform in sorted(set().union(*groups), key=lambda p: (p is None, str(p))):
        nets = [group[platform].net if platform in group else Decimal(0) for group in groups]
        rows.append(
            {
                "platform": PLATFORMS.get(platform, platform or "未知平台"),
                "month": nets[0],
                "month_share": Fraction(nets[0]) / Fraction(totals[0]) if totals[0] else None,
                "ytd": nets[1],
                "ytd_share": Fraction(nets[1]) / Fraction(totals[1]) if totals[1] else None,
                "last_ytd": nets[2],
                "ytd_yoy": Fraction(nets[1]) / Fraction(nets[2]) - 1 if nets[2] else None,
            }
        )
    return rows


def premium_rows(month: str | dt.date) -> list[dict[str, Any]]:
    """品牌溢价 over 1 January to the month's end: a row per product, then the brand."""
    first = parse_month(month)
    start, end = dt.date(first.year, 1, 1), _month_end(first)
    rows: list[dict[str, Any]] = []
    products = _names(Product)
    for code, name in db.session.execute(select(Brand.code, Brand.name).order_by(Brand.code)):
        result = premium(code, start, end)
        for product in result.products:
            rows.append(
                {
                    "brand": f"{code} {name}",
                    "product": products.get(product.product, product.product),
                    "product_code": product.product,
                    "unit_price": _places(product.unit_price, PRICE),
                    "baseline": _places(product.baseline, PRICE),
                    "kind": product.baseline_kind,
                    "units": _places(product.units, PRICE),
                    "net": product.net,
                    "premium": _places(product.premium, RATIO),
                    "extra": _places(product.extra_revenue, CENT),
                }
            )
        for code_without in result.without_baseline:
            rows.append(
                {
                    "brand": f"{code} {name}",
                    "product": products.get(code_without, code_without),
                    "product_code": code_without,
                    "kind": "无基准价",
                }
            )
        rows.append(
            {
                "brand": f"{code} {name}",
                "product": "品牌合计",
                "premium": _places(result.premium, RATIO),
                "extra": _places(result.extra_revenue, CENT) if result.extra_revenue else None,
            }
        )
    return rows


def _names(model: type[Product] | type[Streamer]) -> dict[str, str]:
    """Registry names by code: a person reads 黑鸡 and 王小花, not G01 and S01."""
    return dict(db.session.execute(select(model.code, model.name)).tuples().all())


def _places(value: Decimal | None, places: Decimal) -> Decimal | None:
    """A figure of the premium or session sheet rounded as the sheet shows it (half up)."""
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def session_rows(month: str | dt.date) -> list[dict[str, Any]]:
    """直播台账: every session started in the month with its KPIs."""
    first = parse_month(month)
    rows = []
    streamers = _names(Streamer)
    for session in sessions_report(first, _month_end(first)).sessions:
        kpis = session.kpis
        rows.append(
            {
                "room": session.room,
                "room_name": session.room_name,
                "streamer": streamers.get(session.streamer or "", session.streamer),
                "started_at": session.started_at,  # aware Beijing: the sheet keeps its clock
                "ended_at": session.ended_at,
                "hours": _places(session.hours, CENT),
                "sales": _places(kpis.sales, CENT),
                "order_sales": _places(kpis.order_sales, CENT),
                "sales_difference": _places(kpis.sales_difference, CENT),
                "items": kpis.items,
                "buyers": kpis.buyers,
                "viewers": kpis.viewers,
                "views": kpis.views,
                "gpm": _places(kpis.gpm, CENT),
                "uv_value": _places(kpis.uv_value, CENT),
                "avg_order_value": _places(kpis.avg_order_value, CENT),
                "avg_item_price": _places(kpis.avg_item_price, CENT),
                "conversion": _places(kpis.conversion, RATIO),
                "refund_rate": _places(kpis.refund_rate, RATIO),
            }
        )
    return rows


def build_report(
    month: str | dt.date,
    created: dt.datetime | None = None,
    frozen: dict[str, dict[str, Any]] | None = None,
) -> MonthlyReport:
    """The month's report from the figures as they are now (`frozen` month figures aside)."""
    first = parse_month(month)
    premiums = [
        {**row, "kind": KIND_NAMES.get(str(row.get("kind")), row.get("kind"))}
        for row in premium_rows(first)
    ]
    tables = {
        "townships": township_rows(first, frozen),
        "adjustments": month_adjustments(first),
        "sessions": session_rows(first),
        "premiums": premiums,
        "platforms": platform_rows(first),
    }
    return MonthlyReport(
        month=month_key(first),
        created=created or utcnow(),
        tables={name: typed_rows(name, rows) for name, rows in tables.items()},
    )


def monthly_report(month: str | dt.date) -> MonthlyReport:
    """The report as it is reported: frozen at close for a closed month, live for an open one.

    A close made before reports were frozen whole keeps its 本月完成 and shows the rest live."""
    first = parse_month(month)
    record = db.session.scalar(select(MonthClose).where(MonthClose.month == month_key(first)))
    if record is None:
        return build_report(first)
    if "report" in record.snapshot:
        return report_from_json(record.snapshot["report"])
    return build_report(first, frozen=record.snapshot.get("figures", {}))


def write_monthly_report(month: str | dt.date, target: str | BinaryIO) -> None:
    """Write the 月报 workbook for `month` (YYYY-MM) to a path or a binary stream."""
    from app.reports.xlsx import write_workbook

    write_workbook(target, monthly_report(month))
