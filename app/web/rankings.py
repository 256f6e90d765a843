"""Rankings on the dashboards: the top places, shops, rooms, streamers and products by net
retail for the chosen period, with 同比 and their share of the scope's total.

Each table is built once, for the page and for its XLSX export (app.web.table_export), so the
file holds exactly the numbers shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.metrics.indicators import indicator_value
from app.metrics.rankings import streamer_sales
from app.metrics.retail import RetailRow, retail
from app.metrics.scope import parse_scope
from app.models import LiveRoom, Streamer, Village
from app.models.commerce import room_streamers
from app.web.figure_links import lines_link
from app.web.figures import change, share
from app.web.formatting import full_number
from app.web.periods import PeriodChoice, period_args

TOP = 10
# The levels each dashboard ranks: the county its townships, a township its villages.
LEVELS = {
    "county": ("township", "shop", "room", "streamer", "product"),
    "township": ("village", "shop", "room", "streamer", "product"),
}
TITLES = {
    "township": _l("乡镇排行"),
    "village": _l("村排行"),
    "shop": _l("网店排行"),
    "room": _l("直播间排行（村播带货额）"),
    "streamer": _l("主播排行（村播带货额）"),
    "product": _l("商品排行"),
}
NAMES = {
    "township": _l("乡镇"),
    "village": _l("村"),
    "shop": _l("网店"),
    "room": _l("直播间"),
    "streamer": _l("主播"),
    "product": _l("商品"),
}


@dataclass(frozen=True)
class Column:
    """A table column: the row field it shows, its heading, and how its values read
    (`text`, `rank`, `amount` in 元, `count`, `percent` a share, `change` a signed change)."""

    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    """A table as a page shows it and its export writes it."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None


def levels_for(scope: str) -> tuple[str, ...]:
    return LEVELS["county" if scope == "county" else "township"]


def ranking_tables(scope: str, choice: PeriodChoice, total: Decimal) -> list[Table]:
    """Every ranking of the scope's dashboard for the chosen period."""
    return [ranking(level, scope, choice, total) for level in levels_for(scope)]


def ranking(level: str, scope: str, choice: PeriodChoice, total: Decimal, top: int = TOP) -> Table:
    """The top `top` of `level` by net retail in `scope`, with 同比 and share of the whole:
    `total` (the scope's 网络零售额) for places, shops and products; the scope's 村播带货额
    (by the room's village) for rooms and streamers, whose figures are 村播带货额 too."""
    period, before = choice.period, choice.last_year
    if level in ("room", "streamer"):
        total = Decimal(indicator_value("live_sales", parse_scope(scope), period).value)
    if level == "streamer":
        now_rows = streamer_sales(period, scope, top)
        last = {row.key: row for row in streamer_sales(before, scope)}
    else:
        now_rows = [
            row
            for row in retail(period.start, period.end, level, scope, limit=top + 1).rows
            if row.key is not None
        ][:top]
        found = retail(before.start, before.end, level, scope).rows
        last = {row.key: row for row in found}
    where = _("全县") if scope == "county" else _("本乡镇")
    table = Table(
        key=level,
        title=str(TITLES[level]),
        columns=[
            Column("rank", _("排名"), "rank"),
            Column("label", str(NAMES[level])),
            Column(
                "net",
                _("网络零售额") if level not in ("room", "streamer") else _("村播带货额"),
                "amount",
            ),
            Column("orders", _("订单数"), "count"),
            Column("yoy", _("同比"), "change"),
            Column("share", _("占%(where)s", where=where), "percent"),
        ],
    )
    rooms = _streamer_rooms([row.key for row in now_rows], scope) if level == "streamer" else {}
    for rank, row in enumerate(now_rows, start=1):
        previous = last.get(row.key)
        table.rows.append(
            {
                "rank": rank,
                "key": row.key,
                "label": row.label,
                "net": row.net,
                "orders": row.orders,
                "yoy": change(row.net, previous.net) if previous else None,
                "share": share(row.net, total),
                "page": _page(level, row, scope, choice, rooms),
                "link": _drill(level, row, scope, choice),
            }
        )
    if level in ("room", "streamer"):
        notes = [
            _(
                "占比为占%(where)s村播带货额（%(total)s 元）。",
                where=where,
                total=full_number(total),
            )
        ]
        if level == "streamer":
            notes.insert(0, _("主播的村播带货额按其场次归属的订单行计。"))
        table.note = "".join(notes)
    return table


def _drill(level: str, row: RetailRow, scope: str, choice: PeriodChoice) -> str | None:
    """The order lines whose total is the row's net (none for a streamer: the explorer has no
    streamer filter)."""
    if level == "streamer":
        return None
    more: dict[str, Any] = {"basis": "room"} if level == "room" else {}
    return lines_link(choice.period, scope, **{level: row.key}, **more)


def _page(
    level: str, row: RetailRow, scope: str, choice: PeriodChoice, rooms: dict[str, str]
) -> str | None:
    """The entity's own page with the same period; its order lines where it has no page."""
    keep: dict[str, Any] = period_args(choice)
    if level == "township":
        return url_for("web_places.township", code=row.key, **keep)
    if level == "shop":
        return url_for("web_places.shop", code=row.key, **keep)
    if level == "room":
        return url_for("web_places.room", code=row.key, **keep)
    if level == "streamer":
        room = rooms.get(row.key or "")
        return url_for("web_places.room", code=room, **keep) if room else None
    return _drill(level, row, scope, choice)


def _streamer_rooms(codes: list[str | None], scope: str) -> dict[str, str]:
    """The first room (by code) of each streamer in `scope` (county, township or village), by
    streamer code: the room page the ranking's reader may open."""
    where = parse_scope(scope)
    stmt = (
        select(Streamer.code, LiveRoom.code)
        .join(room_streamers, room_streamers.c.streamer_id == Streamer.id)
        .join(LiveRoom, LiveRoom.id == room_streamers.c.room_id)
        .where(Streamer.code.in_([code for code in codes if code]))
        .order_by(Streamer.code, LiveRoom.code)
    )
    if where.kind == "township":
        stmt = stmt.join(Village, Village.id == LiveRoom.village_id).where(
            Village.township_id == where.id
        )
    elif where.kind == "village":
        stmt = stmt.where(LiveRoom.village_id == where.id)
    found: dict[str, str] = {}
    for streamer, room in db.session.execute(stmt):
        found.setdefault(streamer, room)
    return found
