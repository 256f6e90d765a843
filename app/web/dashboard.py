"""What the county (or township) dashboard shows, gathered from the metrics services."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from app.auth import AccessScope
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.facts import Totals
from app.metrics.periods import Period
from app.metrics.premium import Premium, combined_premium, premium
from app.metrics.retail import Retail, retail
from app.metrics.targets import ProgressRow
from app.models import Brand, Township
from app.web.figure_links import indicator_link, lines_link, month_links
from app.web.figures import Span, change, figure, linked_row, progress_rows
from app.web.formatting import amount, short_number


@dataclass
class Kpi:
    """One card: a figure with its kind (amount, count, percent) and the change on last year."""

    key: str
    label: str
    value: Any
    kind: str = "amount"
    change: Decimal | None = None
    note: str | None = None
    link: str | None = None  # the order lines (or sessions) behind the figure


@dataclass
class Dashboard:
    """Everything one dashboard page shows, for one scope and year."""

    span: Span
    scope: str
    kpis: list[Kpi] = field(default_factory=list)
    total: Totals = field(default_factory=Totals)
    unregistered: Totals = field(default_factory=Totals)
    months: list[str] = field(default_factory=list)
    this_year: list[Decimal | None] = field(default_factory=list)
    last_year: list[Decimal | None] = field(default_factory=list)
    townships: list[dict[str, Any]] = field(default_factory=list)
    platforms: list[dict[str, Any]] = field(default_factory=list)
    brands: list[dict[str, Any]] = field(default_factory=list)
    target: ProgressRow | None = None  # the scope's own yearly net-retail target
    trend_links: list[list[str | None]] = field(default_factory=list)  # per series, per month
    unregistered_link: str | None = None


def build_dashboard(scope: str, span: Span, access: AccessScope) -> Dashboard:
    """KPI cards, monthly trend, townships with target progress, platforms and brands."""
    board = Dashboard(span=span, scope=scope)
    now = retail(span.period.start, span.period.end, "month", scope)
    before = retail(span.last_year.start, span.last_year.end, "month", scope)
    board.total = now.total
    board.unregistered = now.unregistered
    board.unregistered_link = lines_link(span.period, scope, unregistered=True)
    premiums = brand_premiums(span.period) if scope == "county" else {}
    board.kpis = kpis(scope, span, now, before, premiums)
    board.months, board.this_year, board.last_year = monthly_trend(scope, span)
    board.trend_links = trend_links(scope, board.months, board.this_year, board.last_year)
    targets = [row for row in progress_rows(span.year, span.as_of, access) if not row.month]
    board.target = next(
        (r for r in targets if r.scope == scope and r.indicator == "net_retail"), None
    )
    board.townships = township_rows(scope, span, _township_targets(targets))
    board.platforms = [
        linked_row(row, lines_link(span.period, scope, platform=row.key))
        for row in retail(span.period.start, span.period.end, "platform", scope).rows
    ]
    board.brands = brand_rows(scope, span, premiums)
    return board


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
    scope: str,
    span: Span,
    now: Retail,
    before: Retail,
    premiums: dict[str, Premium],
) -> list[Kpi]:
    """Net retail (with gross and refunds), agricultural net retail, sessions, active rooms, and
    the brand premium (county) or 村播带货额 (township), each with 同比 where it has a base."""
    net, last_net = now.total.net, before.total.net
    link = indicator_link("net_retail", scope, span.period)
    parts = _gross_refund(now.total, link)
    cards = [
        Kpi(
            "net_retail",
            _("网络零售额"),
            net,
            change=change(net, last_net) if before.total.orders else None,
            # Safe: the catalogue's own text around figures escaped by Markup.format.
            note=Markup(_("成交额 %(gross)s 元，退款 %(refund)s 元", **parts)),
            link=link,
        )
    ]
    for key, label, kind in (
        ("agri_net_retail", _("农产品网络零售额"), "amount"),
        ("live_sessions", _("直播场次"), "count"),
        ("active_rooms", _("活跃直播间"), "count"),
    ):
        this, last = figure(key, scope, span.period), figure(key, scope, span.last_year)
        value = this.value if this else None
        growth = change(value, last.value) if last and last.recorded else None
        link = indicator_link(key, scope, span.period)
        cards.append(Kpi(key, label, value, kind, growth, link=link))
    if scope == "county":
        card = brand_premium_kpi(premiums)
        card.link = url_for("web_premium.index", year=span.year)
        cards.append(card)
    else:
        live = figure("live_sales", scope, span.period)
        last_live = figure("live_sales", scope, span.last_year)
        growth = change(live.value, last_live.value) if live and last_live else None
        value = live.value if live else None
        link = indicator_link("live_sales", scope, span.period)
        cards.append(Kpi("live_sales", _("村播带货额"), value, "amount", growth, link=link))
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
    return Kpi("premium", _("品牌溢价"), value, "percent", note=note)


def brand_premiums(period: Period) -> dict[str, Premium]:
    """The premium of every brand for the period, by brand code."""
    found = {}
    for code in db.session.scalars(select(Brand.code).order_by(Brand.code)):
        try:
            found[code] = premium(code, period.start, period.end)
        except MetricsError:
            continue
    return found


def monthly_trend(
    scope: str, span: Span
) -> tuple[list[str], list[Decimal | None], list[Decimal | None]]:
    """Net retail of each month of the year and of last year; months after `as_of` are None."""
    year = span.whole_year
    this = retail(year.start, year.end, "month", scope).rows
    last = retail(year.last_year().start, year.last_year().end, "month", scope).rows
    cutoff = f"{span.as_of.year:04d}-{span.as_of.month:02d}"
    months = [row.key or "" for row in this]
    values: list[Decimal | None] = [row.net if (row.key or "") <= cutoff else None for row in this]
    return months, values, [row.net for row in last]


def township_rows(scope: str, span: Span, targets: dict[str, ProgressRow]) -> list[dict[str, Any]]:
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


def _township_targets(rows: list[ProgressRow]) -> dict[str, ProgressRow]:
    """The yearly net-retail target progress of each township, by code."""
    found = {}
    for row in rows:
        kind, _sep, code = row.scope.partition(":")
        if kind == "township" and row.indicator == "net_retail":
            found[code] = row
    return found


def brand_rows(scope: str, span: Span, premiums: dict[str, Premium]) -> list[dict[str, Any]]:
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
