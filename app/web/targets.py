"""The targets board: the targets of a period with 完成率, 时间进度, status, projections and 同比,
and its XLSX export for the same period."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth import current_scope, roles_required
from app.web.nav import roles_for
from app.web.periods import period_args
from app.web.table_export import xlsx_download
from app.web.target_board import any_targets, board, board_table, period_text, picker_years

bp = Blueprint("web_targets", __name__, url_prefix="/targets")


@bp.route("")
@roles_required(*roles_for("web_targets.index"))
def index() -> str:
    """Targets in the user's scope whose period overlaps the period of the URL (month,
    quarter, year or custom range; a bare `?year=` is that year), measured up to `?as_of=`."""
    found = board(request.args, current_scope())
    crossing = len(found.years) > 1  # a range across a new year names each row's year
    rows = [{**row, "period_text": period_text(row, crossing)} for row in found.rows]
    return render_template(
        "targets/index.html",
        span=found.choice,
        years=picker_years(),
        as_of=found.as_of,
        rows=rows,
        keep=_keep(found.as_of, found.choice.as_of),
        links=period_args(found.choice),
        any_targets=bool(found.rows) or any_targets(),
        statuses=Counter(row["status"] for row in found.rows if row["status"]),
    )


@bp.route("/table.xlsx")
@roles_required(*roles_for("web_targets.index"))
def table() -> Response:
    """The board as XLSX: the same rows and numbers for the same period and day."""
    found = board(request.args, current_scope())
    choice = found.choice
    heading = _(
        "目标进度 · %(period)s · 截至 %(day)s", period=choice.label, day=found.as_of.isoformat()
    )
    name = f"{_('目标进度')}-{choice.whole.start}-{found.as_of}"
    return xlsx_download(board_table(found), heading, name)


def _keep(as_of: object, default: object) -> dict[str, str]:
    """`as_of` for links that keep the day asked, when it is not the period's own."""
    return {} if as_of == default else {"as_of": str(as_of)}
