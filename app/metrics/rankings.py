"""村播带货额 by streamer: the lines attributed to each streamer's sessions, ranked by net.

The retail breakdowns (`retail(by=…)`) group by what a line names (shop, room, product, …);
a streamer is named by the session a line is attributed to, so the lines are grouped by their
session's streamer (read from the lines, as every streamer figure), in one query, through the
same scope filters as every other figure.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.metrics.facts import Query, line_totals
from app.metrics.periods import Period
from app.metrics.retail import RetailRow
from app.metrics.scope import parse_scope
from app.models import Streamer


def streamer_sales(
    period: Period, scope: str = "county", limit: int | None = None
) -> list[RetailRow]:
    """Each streamer with sales lines attributed to their sessions in `period` in the rooms of
    `scope` (county, township or village, by the room's village), by net descending; streamers
    who sold nothing there are left out. A streamer's sales in rooms outside the scope are not
    counted, so the streamers of a scope add up to at most its 村播带货额."""
    where = parse_scope(scope)
    groups = line_totals(Query(period, "streamer", where, basis="room"), "raw")
    ids = [key for key, totals in groups.items() if key is not None and totals.lines]
    names = {
        row_id: (code, name)
        for row_id, code, name in db.session.execute(
            select(Streamer.id, Streamer.code, Streamer.name).where(Streamer.id.in_(ids))
        )
    }
    rows = [RetailRow(*names[row_id], groups[row_id]) for row_id in ids if row_id in names]
    rows.sort(key=lambda row: (-row.net, row.key or ""))
    return rows[:limit] if limit is not None else rows
