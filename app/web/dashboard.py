"""What the county (or township) dashboard shows, gathered from the metrics services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import g, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from app.auth import AccessScope
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.facts import Totals
from app.metrics.periods import Period
from app.metrics.premium import Premium, combined_premium, premium
from app.metrics.retail import retail
from app.metrics.targets import ProgressRow
from app.models import Brand, Township
from app.web.figure_links import indicator_link, lines_link, month_links
from app.web.figures import change, figure, linked_row, progress_rows
from app.web.formatting import amount, short_number
from app.web.kpi_tables import Kpi, KpiRow, board_figures, kpi_table
from app.web.periods import PeriodChoice
from app.web.place_tables import progress_cells, progress_columns, sales_columns
from app.web.rankings import Column, Table, levels_for, ranking, ranking_tables


@dataclass
class Dashboard:
    """Everything one dashboard page shows, for one scope and period."""

    span: PeriodChoice
    scope: str
    rows: list[KpiRow] = field(default_factory=list)
    total: Totals = field(default_factory=Totals)
    unregistered: Totals = field(default_factory=Totals)
    months: list[str] = field(default_factory=list)
    this_year: list[Decimal | None] = field(default_factory=list)
    last_year: list[Decimal | None] = field(default_factory=list)
    townships: list[dict[str, Any]] = field(default_factory=list)
    platforms: list[dict[str, Any]] = field(default_factory=list)
    brands: list[dict[str, Any]] = field(default_factory=list)
    rankings: list[Table] = field(default_factory=list)
    target: ProgressRow | None = None  # the scope's own yearly net-retail target
    trend_links: list[list[str | None]] = field(default_factory=list)  # per series, per month
    unregistered_link: str | None = None

    @property
    def kpis(self) -> list[Kpi]:
        """The cards of the first row (the chosen period, or 本月 by default)."""
        return self.rows[0].kpis if self.rows else []


def build_dashboard(scope: str, choice: PeriodChoice, access: AccessScope) -> Dashboard:
    """KPI cards, monthly trend, townships with target progress, rankings, platforms, brands."""
    board = Dashboard(span=choice, scope=scope)
    period = choice.period
    now = retail(period.start, period.end, "platform", scope)
    board.total = now.total
    board.unregistered = now.unregistered
    board.unregistered_link = lines_link(period, scope, unregistered=True)
    board.rows = kpi_rows(scope, choice)
    board.months, board.this_year, board.last_year = monthly_trend(scope, choice)
    board.trend_links = trend_links(scope, board.months, board.this_year, board.last_year)
    targets = [row for row in progress_rows(choice.year, choice.as_of, access) if not row.month]
    board.target = _net_target(scope, choice, access, targets)
    if scope == "county":
        board.townships = township_rows(scope, choice, _township_targets(targets))
    board.rankings = ranking_tables(scope, choice, now.total.net)
    board.platforms = [
        linked_row(row, lines_link(period, scope, platform=row.key)) for row in now.rows
    ]
    board.brands = brand_rows(scope, choice, brand_premiums(period) if scope == "county" else {})
    return board


def kpi_rows(scope: str, choice: PeriodChoice) -> list[KpiRow]:
    """The chosen period's cards; by default 本月 (month to date) and 本年累计 (year to date)."""
    if not choice.default:
        whole_year = choice.period.start == dt.date(choice.year, 1, 1)
        # A year's previous period is last year: 环比 would repeat 同比.
        previous = None if choice.previous == choice.last_year else choice.previous
        return [
            KpiRow(
                "period",
                choice.label,
                choice.period,
                kpis(scope, choice.period, previous, choice.previous_label),
                target=whole_year,
            )
        ]
    ytd = choice.year_to_date
    return [
        KpiRow(
            "month",
            _("本月"),
            choice.period,
            kpis(scope, choice.period, choice.previous, choice.previous_label),
        ),
        KpiRow("ytd", _("本年累计"), ytd, kpis(scope, ytd, None, None), target=True),
    ]


def trend_links(
    scope: str,
    months: list[str],
    this: list[Decimal | None],
    last: list[Decimal | None],
    **filters: Any,
) -> list[list[str | None]]:
    """The lines behind each bar (this year's month) and point (last year's) of the trend."""
    return [
        month_links(months, this, scope, **filters),
        month_links(months, last, scope, years_back=1, **filters),
    ]


def kpis(
    scope: str, period: Period, previous: Period | None, previous_label: str | None
) -> list[Kpi]:
    """Net retail (with gross and refunds), agricultural net retail, sessions, active rooms, and
    the brand premium (county) or 村播带货额 (township), each with 同比 where it has a base and
    环比 on `previous` when given."""
    last_year = period.last_year()

    def net(during: Period) -> Totals:
        return retail(during.start, during.end, "platform", scope).total

    now, before = net(period), net(last_year)
    earlier = net(previous) if previous else None
    link = indicator_link("net_retail", scope, period)
    parts = _gross_refund(now, link)
    cards = [
        Kpi(
            "net_retail",
            _("网络零售额"),
            now.net,
            change=change(now.net, before.net) if before.orders else None,
            # Safe: the catalogue's own text around figures escaped by Markup.format.
            note=Markup(_("成交额 %(gross)s 元，退款 %(refund)s 元", **parts)),
            link=link,
            mom=change(now.net, earlier.net) if earlier and earlier.orders else None,
            mom_label=previous_label if previous else None,
            parts=[(_("成交额"), now.gross, "amount"), (_("退款"), now.refund, "amount")],
        )
    ]
    others = [
        ("agri_net_retail", _("农产品网络零售额"), "amount"),
        ("live_sessions", _("直播场次"), "count"),
        ("active_rooms", _("活跃直播间"), "count"),
    ]
    if scope != "county":
        others.append(("live_sales", _("村播带货额"), "amount"))
    for key, label, kind in others:
        this, last = figure(key, scope, period), figure(key, scope, last_year)
        value = this.value if this else None
        growth = change(value, last.value) if last and last.recorded else None
        mom = None
        if previous:
            base = figure(key, scope, previous)
            mom = change(value, base.value) if base and base.recorded else None
        link = indicator_link(key, scope, period)
        cards.append(
            Kpi(
                key,
                label,
                value,
                kind,
                growth,
                link=link,
                mom=mom,
                mom_label=previous_label if previous else None,
            )
        )
    if scope == "county":
        card = brand_premium_kpi(brand_premiums(period))
        card.link = url_for("web_premium.index", year=period.end.year)
        cards.append(card)
    return cards


def _gross_refund(total: Totals, link: str | None) -> dict[str, Markup]:
    """成交额 and 退款, each a link to the same lines (their total's gross and refund)."""
    figures = {"gross": total.gross, "refund": total.refund}
    if link is None:
        return {name: Markup(amount(value)) for name, value in figures.items()}
    drill = Markup('<a class="drill" href="{}" data-drill="{}">{}</a>')
    return {name: drill.format(link, name, amount(value)) for name, value in figures.items()}


def brand_premium_kpi(premiums: dict[str, Premium]) -> Kpi:
    """Volume-weighted premium over every brand's products that have a baseline and sales."""
    value, extra = combined_premium(list(premiums.values()))
    note = _("溢价额 %(extra)s 元", extra=short_number(extra)) if extra is not None else None
    parts = [(_("溢价额"), extra, "amount")] if extra is not None else []
    return Kpi("premium", _("品牌溢价"), value, "percent", note=note, parts=parts)


def brand_premiums(period: Period) -> dict[str, Premium]:
    """The premium of every brand for the period, by brand code (worked out once a request:
    the premium card and the brands table ask for the same period)."""
    cache: dict[Period, dict[str, Premium]] = g.setdefault("brand_premiums", {})
    if period in cache:
        return cache[period]
    found = {}
    for code in db.session.scalars(select(Brand.code).order_by(Brand.code)):
        try:
            found[code] = premium(code, period.start, period.end)
        except MetricsError:
            continue
    cache[period] = found
    return found


def monthly_trend(
    scope: str, span: PeriodChoice
) -> tuple[list[str], list[Decimal | None], list[Decimal | None]]:
    """Net retail of each month of the year and of last year; months after `as_of` are None."""
    year = span.whole_year
    this = retail(year.start, year.end, "month", scope).rows
    last = retail(year.last_year().start, year.last_year().end, "month", scope).rows
    cutoff = f"{span.as_of.year:04d}-{span.as_of.month:02d}"
    months = [row.key or "" for row in this]
    values: list[Decimal | None] = [row.net if (row.key or "") <= cutoff else None for row in this]
    return months, values, [row.net for row in last]


def township_rows(
    scope: str, span: PeriodChoice, targets: dict[str, ProgressRow]
) -> list[dict[str, Any]]:
    """Each township in scope: net retail to date, 同比, and its net-retail target progress."""
    now = retail(span.period.start, span.period.end, "township", scope).rows
    before = retail(span.last_year.start, span.last_year.end, "township", scope)
    rows = []
    for row in now:
        if row.key is None:
            continue
        last = before.row(row.key)
        rows.append(
            linked_row(
                row,
                lines_link(span.period, scope, township=row.key),
                yoy=change(row.net, last.net) if last else None,
                target=targets.get(row.key),
            )
        )
    known = {row["key"] for row in rows}
    names = {code: name for code, name in db.session.execute(select(Township.code, Township.name))}
    for code, target in targets.items():
        if code not in known:  # a township with a target but no sales yet
            label = names.get(code, code)
            link = lines_link(span.period, scope, township=code)
            rows.append(
                {"key": code, "label": label, "net": Decimal("0.00"), "yoy": None, "target": target}
                | {"link": link}
            )
    return rows


def _net_target(
    scope: str, choice: PeriodChoice, access: AccessScope, targets: list[ProgressRow] | None = None
) -> ProgressRow | None:
    """The scope's own yearly net-retail target with its progress (of `targets` when given)."""
    if targets is None:
        targets = [r for r in progress_rows(choice.year, choice.as_of, access) if not r.month]
    return next((r for r in targets if r.scope == scope and r.indicator == "net_retail"), None)


def _township_targets(rows: list[ProgressRow]) -> dict[str, ProgressRow]:
    """The yearly net-retail target progress of each township, by code."""
    found = {}
    for row in rows:
        kind, _sep, code = row.scope.partition(":")
        if kind == "township" and row.indicator == "net_retail":
            found[code] = row
    return found


def brand_rows(
    scope: str, span: PeriodChoice, premiums: dict[str, Premium]
) -> list[dict[str, Any]]:
    """Brand sales to date, with each brand's premium and extra revenue (county view only)."""
    rows = []
    for row in retail(span.period.start, span.period.end, "brand", scope).rows:
        if row.key is None:
            continue
        found = premiums.get(row.key)
        link = lines_link(span.period, scope, brand=row.key, branded=True)
        rows.append(
            linked_row(
                row,
                link,
                premium=found.premium if found else None,
                extra_revenue=found.extra_revenue if found else None,
            )
        )
    return rows


def township_table(rows: list[dict[str, Any]]) -> Table:
    """The townships table as its export writes it: net, 同比 and the year's target progress."""
    table = Table(
        key="townships",
        title=_("乡镇"),
        columns=[
            Column("label", _("乡镇")),
            Column("net", _("网络零售额"), "amount"),
            Column("yoy", _("同比"), "change"),
            Column("target", _("年度目标"), "amount"),
            *progress_columns(),
        ],
    )
    for row in rows:
        target = row.get("target")
        table.rows.append(
            {
                "label": row["label"],
                "net": row["net"],
                "yoy": row.get("yoy"),
                "target": target.target if target else None,
                **progress_cells(vars(target) if target else None),
            }
        )
    return table


def brand_table(rows: list[dict[str, Any]], county: bool) -> Table:
    """The brands table as its export writes it."""
    columns = sales_columns(_("品牌"), _("品牌销售额"))
    if county:
        columns += [
            Column("premium", _("品牌溢价"), "change"),
            Column("extra_revenue", _("溢价额"), "amount"),
        ]
    return Table(key="brands", title=_("品牌"), columns=columns, rows=rows)


def dashboard_export(
    key: str, scope: str, choice: PeriodChoice, access: AccessScope
) -> Table | None:
    """One table of the dashboard, built as the page builds it; None for an unknown key."""
    period = choice.period
    if key == "kpis":
        return kpi_table(board_figures(kpi_rows(scope, choice), _net_target(scope, choice, access)))
    if key in levels_for(scope):
        total = retail(period.start, period.end, "platform", scope).total.net
        return ranking(key, scope, choice, total)
    if key == "townships" and scope == "county":
        targets = [r for r in progress_rows(choice.year, choice.as_of, access) if not r.month]
        return township_table(township_rows(scope, choice, _township_targets(targets)))
    if key == "brands":
        premiums = brand_premiums(period) if scope == "county" else {}
        return brand_table(brand_rows(scope, choice, premiums), scope == "county")
    return None
