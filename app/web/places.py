"""One township, one shop, one live room: their trends, tables and latest sessions."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import current_scope, roles_required
from app.extensions import db
from app.metrics.retail import retail
from app.models import LiveRoom, Shop, Township, Village
from app.web import place_data, place_tables
from app.web.charts import sessions_and_sales, year_on_year
from app.web.dashboard import kpi_rows, monthly_trend, trend_links
from app.web.figure_links import lines_link, month_links, month_session_links, sessions_link
from app.web.figures import data_years, linked_row
from app.web.kpi_tables import board_figures, kpi_table, room_figures, shop_figures
from app.web.nav import roles_for
from app.web.periods import PeriodChoice, choose_period
from app.web.rankings import Table, ranking_tables
from app.web.table_export import xlsx_download

bp = Blueprint("web_places", __name__)
ROOM_SESSIONS = 30  # the room page lists its latest 30 sessions


@bp.route("/townships/<code>")
@roles_required(*roles_for("web_places.township"))
def township(code: str) -> str:
    """A township's KPIs, monthly trend, villages, shops, rooms, targets and latest sessions."""
    found = _township(code)
    span, years = choose_period(request.args), data_years()
    scope = f"township:{code}"
    months, this, last = monthly_trend(scope, span)
    return render_template(
        "places/township.html",
        township=found,
        span=span,
        years=years,
        kpi_rows=kpi_rows(scope, span),
        trend=year_on_year(months, this, last, span.year),
        trend_links=trend_links(scope, months, this, last),
        villages=_village_rows(scope, span),
        rankings=ranking_tables(
            scope, span, retail(span.period.start, span.period.end, "platform", scope).total.net
        ),
        shops=place_data.shops_with_sales(found, span),
        rooms=place_data.rooms_with_activity(found, span),
        targets=place_data.township_targets(code, span, current_scope()),
        sessions=place_data.recent_sessions(Village.township_id == found.id),
    )


def _township(code: str) -> Township:
    found = db.session.scalar(select(Township).where(Township.code == code)) or abort(404)
    if not current_scope().permits(f"township:{code}"):
        abort(403)
    return found


@bp.route("/townships/<code>/tables/<key>.xlsx")
@roles_required(*roles_for("web_places.township"))
def township_table(code: str, key: str) -> Response:
    """The township page's KPI cards or one of its tables (targets, villages, shops, rooms,
    latest sessions) as XLSX, for the same period as the page."""
    found = _township(code)
    span, scope = choose_period(request.args), f"township:{code}"
    if key == "kpis":
        table = kpi_table(board_figures(kpi_rows(scope, span)))
    elif key == "targets":
        table = place_tables.targets_table(place_data.township_targets(code, span, current_scope()))
    elif key == "villages":
        table = place_tables.villages_table(_village_rows(scope, span))
    elif key == "shops":
        table = place_tables.shops_table(place_data.shops_with_sales(found, span))
    elif key == "rooms":
        table = place_tables.rooms_table(place_data.rooms_with_activity(found, span))
    elif key == "sessions":
        where = Village.township_id == found.id
        table = place_tables.recent_sessions_table(place_data.recent_sessions(where))
    else:
        abort(404)
    return _download(table, found.name, code, span, key != "sessions")


def _download(table: Table, name: str, code: str, span: PeriodChoice, dated: bool) -> Response:
    """The table as XLSX, headed by its place and period (latest sessions have no period)."""
    when = f" · {span.period.start} — {span.as_of}" if dated else ""
    dates = f"-{span.period.start}-{span.as_of}" if dated else ""
    return xlsx_download(table, f"{name} · {table.title}{when}", f"{code}-{table.title}{dates}")


def _village_rows(scope: str, span: PeriodChoice) -> list[dict[str, object]]:
    """The township's villages with sales to date, each with the link to its order lines."""
    rows = retail(span.period.start, span.period.end, "village", scope).rows
    return [
        linked_row(row, lines_link(span.period, scope, village=row.key) if row.key else None)
        for row in rows
    ]


@bp.route("/shops/<code>")
@roles_required(*roles_for("web_places.shop"))
def shop(code: str) -> str:
    """A shop's figures to date, its monthly trend, its rooms and its latest imports."""
    found = _shop(code)
    span, years = choose_period(request.args), data_years()
    totals, growth, mom = place_data.shop_totals(found, span)
    months, this, last = place_data.shop_months(found, span.year)
    cutoff = f"{span.as_of.year:04d}-{span.as_of.month:02d}"
    shown = [value if month <= cutoff else None for month, value in zip(months, this, strict=True)]
    # A streamer sees the shop of their room, but only their room's lines: the shop's own
    # figures link to its lines for those who may see all of them.
    scope = current_scope()
    linked = scope.permits(f"township:{found.village.township.code}")
    return render_template(
        "places/shop.html",
        shop=found,
        span=span,
        years=years,
        totals=totals,
        totals_link=lines_link(span.period, None, shop=found.code) if linked else None,
        growth=growth,
        mom=mom,
        trend=year_on_year(months, shown, last, span.year),
        trend_links=[
            month_links(months, shown, None, shop=found.code),
            month_links(months, last, None, years_back=1, shop=found.code),
        ]
        if linked
        else None,
        rooms=place_data.shop_rooms(found, span, scope),
        imports=place_data.shop_imports(found),
        sessions=place_data.recent_sessions(place_data.shop_sessions_clause(found, scope)),
    )


def _shop(code: str) -> Shop:
    found = db.session.scalar(select(Shop).where(Shop.code == code)) or abort(404)
    if not place_data.may_see_shop(current_scope(), found):
        abort(403)
    return found


@bp.route("/shops/<code>/tables/<key>.xlsx")
@roles_required(*roles_for("web_places.shop"))
def shop_table(code: str, key: str) -> Response:
    """The shop page's KPI cards and room cards (for the page's period), latest imports or
    latest sessions as XLSX."""
    found = _shop(code)
    span = choose_period(request.args)
    if key == "kpis":
        figures = shop_figures(span, *place_data.shop_totals(found, span))
        return _download(kpi_table(figures), found.name, code, span, True)
    if key == "rooms":
        rows = place_data.shop_rooms(found, span, current_scope())
        return _download(place_tables.shop_rooms_table(rows), found.name, code, span, True)
    if key == "imports":
        table = place_tables.imports_table(place_data.shop_imports(found))
    elif key == "sessions":
        where = place_data.shop_sessions_clause(found, current_scope())
        table = place_tables.recent_sessions_table(place_data.recent_sessions(where))
    else:
        abort(404)
    return _download(table, found.name, code, span, False)


@bp.route("/rooms/<code>")
@roles_required(*roles_for("web_places.room"))
def room(code: str) -> str:
    """A live room's sessions and 村播带货额 by month, and its sessions with their KPIs."""
    found = _room(code)
    span, years = choose_period(request.args), data_years()
    months, sessions, sales = place_data.room_months(found, span)
    report = place_data.room_report(found, span)
    scope = f"room:{code}"
    return render_template(
        "places/room.html",
        room=found,
        span=span,
        years=years,
        sessions_link=sessions_link(span.period, scope),
        trend=sessions_and_sales(months, sessions, sales),
        trend_links=[
            month_session_links(months, sessions, scope, span.as_of),
            month_links(months, sales, scope, basis="room"),
        ],
        report=report,
        sessions=place_data.newest_sessions(report, ROOM_SESSIONS),
        trend_title=_("直播场次与村播带货额（按订单）"),
    )


def _room(code: str) -> LiveRoom:
    found = db.session.scalar(select(LiveRoom).where(LiveRoom.code == code)) or abort(404)
    if not current_scope().permits(f"room:{code}"):
        abort(403)
    return found


@bp.route("/rooms/<code>/tables/<key>.xlsx")
@roles_required(*roles_for("web_places.room"))
def room_table(code: str, key: str) -> Response:
    """The room page's KPI cards or its sessions with their KPIs as XLSX, for the same period
    as the page."""
    found = _room(code)
    if key not in ("kpis", "sessions"):
        abort(404)
    span = choose_period(request.args)
    report = place_data.room_report(found, span)
    if key == "kpis":
        table = kpi_table(room_figures(span, report))
    else:
        table = place_tables.room_sessions_table(place_data.newest_sessions(report, ROOM_SESSIONS))
    return _download(table, found.nickname or code, code, span, True)
