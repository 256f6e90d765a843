"""村播带货额 by streamer: the lines attributed to each streamer's sessions, ranked by net.

The retail breakdowns (`retail(by=…)`) group by what a line names (shop, room, product, …);
a streamer is named by the session a line is attributed to, so each streamer of the scope's
rooms is summed through the streamer scope (read from the lines, as every streamer figure).
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.metrics.facts import Query, Source, Totals, line_totals
from app.metrics.periods import Period
from app.metrics.retail import RetailRow
from app.metrics.scope import Scope, parse_scope
from app.models import LiveRoom, Streamer, Village
from app.models.commerce import room_streamers


def streamer_sales(
    period: Period, scope: str = "county", limit: int | None = None, source: Source = "rollup"
) -> list[RetailRow]:
    """Each streamer of a room in `scope` (county, township or village) with the sales lines
    attributed to their sessions in `period`, by net descending; streamers who sold nothing are
    left out. A streamer's sales count in full wherever their rooms are."""
    where = parse_scope(scope)
    stmt = select(Streamer.id, Streamer.code, Streamer.name).order_by(Streamer.code)
    if where.kind in ("township", "village"):
        rooms = select(room_streamers.c.streamer_id).join(
            LiveRoom, LiveRoom.id == room_streamers.c.room_id
        )
        if where.kind == "township":
            rooms = rooms.join(Village, Village.id == LiveRoom.village_id).where(
                Village.township_id == where.id
            )
        else:
            rooms = rooms.where(LiveRoom.village_id == where.id)
        stmt = stmt.where(Streamer.id.in_(rooms))
    rows = []
    for row_id, code, name in db.session.execute(stmt):
        query = Query(period, None, Scope("streamer", code, row_id), basis="room")
        totals = line_totals(query, source).get(None, Totals())
        if totals.lines:
            rows.append(RetailRow(code, name, totals))
    rows.sort(key=lambda row: (-row.net, row.key or ""))
    return rows[:limit] if limit is not None else rows
