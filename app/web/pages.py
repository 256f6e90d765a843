"""The signed-in home: a redirect by role, the dashboards, and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select
from werkzeug.wrappers import Response

from app.auth import AccessScope, current_scope, roles_required
from app.extensions import db
from app.models import LiveRoom, Shop, Township, Village
from app.web.charts import platform_pie, ranking_bars, year_on_year
from app.web.dashboard import Dashboard, build_dashboard, dashboard_export
from app.web.figures import data_years, scope_param
from app.web.i18n import remember_language
from app.web.login import safe_next
from app.web.nav import roles_for
from app.web.periods import choose_period
from app.web.streamer_home import streamer_home
from app.web.table_export import xlsx_download

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

HOME_BY_ROLE = {"streamer": "web.my_rooms", "brand": "web_premium.index"}


@bp.route("/")
@login_required
def home() -> Response:
    """Streamers go to their rooms, brand managers to their brands, others to the dashboard."""
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "web.dashboard")))


@bp.route("/dashboard")
@roles_required(*roles_for("web.dashboard"))
def dashboard() -> str:
    """County (or own township) dashboard for a year: KPIs, trend, townships, platforms, brands."""
    scope = current_scope()
    townships = list(
        db.session.scalars(
            select(Township).where(scope.where(township=Township.code)).order_by(Township.code)
        )
    )
    choice = choose_period(request.args)
    param = scope_param(scope)
    board = build_dashboard(param, choice, scope) if param and townships else None
    return render_template(
        "pages/dashboard.html",
        scope=scope,
        townships=townships,
        counts=_registry_counts(scope),
        span=choice,
        years=data_years(),
        board=board,
        charts=dashboard_charts(board) if board else {},
    )


@bp.route("/dashboard/tables/<key>.xlsx")
@roles_required(*roles_for("web.dashboard"))
def dashboard_table(key: str) -> Response:
    """One table of the dashboard (a ranking, the townships, the brands) as XLSX, for the same
    period and scope as the page."""
    access = current_scope()
    param = scope_param(access)
    asked = request.args.get("scope")  # a township page's tables, for who may see it
    if asked and asked.startswith("township:"):
        if not access.permits(asked):
            abort(403)
        param = asked
    if param is None:
        abort(404)
    choice = choose_period(request.args)
    table = dashboard_export(key, param, choice, access)
    if table is None:
        abort(404)
    heading = f"{table.title} · {choice.period.start} — {choice.period.end}"
    return xlsx_download(table, heading, f"{table.title}-{choice.period.start}-{choice.period.end}")


def _registry_counts(scope: AccessScope) -> dict[str, int]:
    return {
        "villages": _count(select(func.count(Village.id)).join(Village.township), scope),
        "shops": _count(
            select(func.count(Shop.id)).join(Shop.village).join(Village.township), scope
        ),
        "rooms": _count(
            select(func.count(LiveRoom.id)).join(LiveRoom.village).join(Village.township), scope
        ),
    }


def _count(stmt: Select[tuple[int]], scope: AccessScope) -> int:
    return db.session.scalar(stmt.where(scope.where(township=Township.code))) or 0


def dashboard_charts(board: Dashboard) -> dict[str, Any]:
    return {
        "trend": year_on_year(board.months, board.this_year, board.last_year, board.span.year),
        "platforms": platform_pie(board.platforms),
        "levels": ranking_bars(board.rankings[0]) if board.rankings else None,
    }


@bp.route("/brands")
@roles_required(*roles_for("web.brands"))
def brands() -> Response:
    """The former brand list: brands now live on the brand premium pages."""
    return redirect(url_for("web_premium.index"))


@bp.route("/me")
@roles_required(*roles_for("web.my_rooms"))
def my_rooms() -> str:
    """A streamer's rooms and sessions against their own average (app.web.streamer_home)."""
    return streamer_home()


@bp.route("/lang/<lang>")
def switch_language(lang: str) -> Response:
    """Switch the interface language and go back to the page the switch was used on."""
    if not remember_language(lang):
        abort(404)
    return redirect(safe_next(request.args.get("next")) or url_for("web.home"))
