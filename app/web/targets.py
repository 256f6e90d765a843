"""The targets board: every target of a year with 完成率, 时间进度, status and projections."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import select

from app.auth import current_scope, roles_required
from app.extensions import db
from app.metrics.targets import ProgressRow
from app.models import Brand, LiveRoom, Streamer, Township, Village
from app.web.figure_links import target_link
from app.web.figures import chosen_span, progress_rows
from app.web.nav import roles_for

bp = Blueprint("web_targets", __name__, url_prefix="/targets")
NAMED: dict[str, tuple[Any, Any]] = {
    "township": (Township, Township.name),
    "village": (Village, Village.name),
    "room": (LiveRoom, LiveRoom.nickname),
    "brand": (Brand, Brand.name),
    "streamer": (Streamer, Streamer.name),
}


@bp.route("")
@roles_required(*roles_for("web_targets.index"))
def index() -> str:
    """Targets in the user's scope, measured up to `?as_of=` (default today or year end)."""
    span, years = chosen_span(request.args.get("year"))
    as_of = _as_of(request.args.get("as_of"), span.as_of, span.year)
    rows = [
        {**_named(row), "link": target_link(row, span.year, as_of)}
        for row in progress_rows(span.year, as_of, current_scope())
    ]
    return render_template(
        "targets/index.html",
        span=span,
        years=years,
        as_of=as_of,
        rows=rows,
        statuses=Counter(row["status"] for row in rows if row["status"]),
    )


def _as_of(text: str | None, default: dt.date, year: int) -> dt.date:
    try:
        day = dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return day if day.year == year else default


def _named(row: ProgressRow) -> dict[str, Any]:
    """The row with its scope split into kind and code, and the name of what it names."""
    kind, _sep, code = row.scope.partition(":")
    name = None
    if kind in NAMED:
        model, column = NAMED[kind]
        name = db.session.scalar(select(column).where(model.code == code))
    return {**vars(row), "kind": kind, "code": code, "name": name or code}
