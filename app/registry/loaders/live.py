"""直播场次 sheet: thousands of rows, so existing sessions are read once and written in bulk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.extensions import db
from app.models import LiveRoom, LiveSession, Streamer
from app.registry.cells import Cells
from app.registry.live_sessions import FIGURES, TIME_LABELS, session_problems, unknown_figures
from app.registry.loaders.common import code_map
from app.registry.reader import RawSheet
from app.registry.result import RowError, SheetCounts
from app.registry.values import count, is_blank, non_negative, utc_from_beijing

STORED = ("streamer_id", "ended_at", *FIGURES)


def load_sessions(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    """Sessions are keyed by (直播间编码, 开始时间); a changed figure updates the session."""
    counts = SheetCounts()
    rooms = code_map(LiveRoom)
    streamers = code_map(Streamer)
    columns = [getattr(LiveSession, name) for name in ("id", "room_id", "started_at", *STORED)]
    existing: dict[tuple[int, dt.datetime], dict[str, Any]] = {
        (row.room_id, row.started_at): row._asdict()
        for row in db.session.execute(db.select(*columns))
    }
    seen: dict[Any, int] = {}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in sheet.rows:
        cells = Cells(sheet.name, row, errors)
        values = _row_values(cells, rooms, streamers)
        key = (values["room_id"], values["started_at"])
        if None not in key:
            cells.duplicate("开始时间", key, seen, "直播间编码和开始时间")
        current = existing.get(key) if None not in key else None
        merged = {**(current or unknown_figures()), **values}
        for field, message in session_problems(
            merged["started_at"], merged["ended_at"], merged
        ).items():
            cells.fail(FIGURES.get(field) or TIME_LABELS[field], message)
        if not cells.ok:
            counts.add("rejected")
            continue
        if current is None:
            inserts.append({**unknown_figures(), "source": "imported", **values})
            counts.add("inserted")
        elif any(current[name] != merged[name] for name in STORED):
            updates.append({"id": current["id"], **values})
            counts.add("updated")
        else:
            counts.add("unchanged")
    if inserts:
        db.session.execute(db.insert(LiveSession), inserts)
    if updates:
        db.session.execute(db.update(LiveSession), updates)
    return counts


def _row_values(cells: Cells, rooms: dict[str, int], streamers: dict[str, int]) -> dict[str, Any]:
    """The row's stored fields; figures and 主播编码 only when their column is in the sheet."""
    values: dict[str, Any] = {
        "room_id": cells.ref("直播间编码", rooms, "直播间", required=True),
        "started_at": cells.get("开始时间", utc_from_beijing, required=True),
        "ended_at": cells.get("结束时间", utc_from_beijing, required=True),
    }
    if cells.present("主播编码"):
        values["streamer_id"] = cells.ref("主播编码", streamers, "主播", required=False)
    for name, label in FIGURES.items():
        if cells.present(label):
            if is_blank(cells.raw(label)) and name != "sales":
                values[name] = None  # unknown, not 0
            else:
                # None (refused) keeps a bad cell out of the cross-field checks.
                parse = non_negative if name == "sales" else count
                values[name] = cells.get(label, parse, required=True)
    return values
