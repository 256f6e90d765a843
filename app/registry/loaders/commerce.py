"""网店, 直播间 and 主播 sheets (主播 also links streamers to rooms)."""

from __future__ import annotations

import re
from typing import Any

from app.extensions import db
from app.models import LiveRoom, Shop, Streamer, Village, room_streamers
from app.registry.cells import Cells
from app.registry.loaders.common import CODE, NAME, assign, code_map, put, upsert_by_code
from app.registry.reader import RawSheet
from app.registry.result import RowError, SheetCounts
from app.registry.values import limited, platform

ROOM_SEPARATORS = re.compile(r"[,，、;；\s]+")


def load_shops(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    villages = code_map(Village)

    def build(cells: Cells) -> dict[str, Any]:
        values = {
            "platform": cells.get("平台", platform, required=True),
            "name": cells.get("网店名称", NAME, required=True),
            "village_id": cells.ref("村编码", villages, "村", required=True),
        }
        put(values, cells, "平台店铺ID", "platform_shop_id", cells.get("平台店铺ID", CODE))
        return values

    return upsert_by_code(sheet, errors, Shop, "网店编码", build)


def load_rooms(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    villages = code_map(Village)
    shops = code_map(Shop)
    # (platform, account id) is unique: remember which room holds each account.
    accounts: dict[tuple[str, str], str] = {
        (room_platform, account): code
        for code, room_platform, account in db.session.execute(
            db.select(LiveRoom.code, LiveRoom.platform, LiveRoom.account_id).where(
                LiveRoom.account_id.is_not(None)
            )
        ).tuples()
    }

    def build(cells: Cells) -> dict[str, Any]:
        values = {
            "platform": cells.get("平台", platform, required=True),
            "village_id": cells.ref("村编码", villages, "村", required=True),
        }
        put(values, cells, "账号ID", "account_id", cells.get("账号ID", CODE))
        put(values, cells, "账号昵称", "nickname", cells.get("账号昵称", NAME))
        shop_id = cells.ref("网店编码", shops, "网店", required=False)
        put(values, cells, "网店编码", "shop_id", shop_id)
        return values

    def check(cells: Cells, code: str, values: dict[str, Any]) -> None:
        account = values.get("account_id")
        if not account:
            return
        holder = accounts.get((values["platform"], account))
        if holder is not None and holder != code:
            cells.fail(
                "账号ID", f"账号ID“{account}”已登记为直播间“{holder}”，同一平台账号只能登记一次"
            )
            return
        for key, owner in list(accounts.items()):
            if owner == code:
                del accounts[key]
        accounts[(values["platform"], account)] = code

    return upsert_by_code(sheet, errors, LiveRoom, "直播间编码", build, check)


def load_streamers(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    """One row per streamer and room; a streamer in several rooms takes several rows."""
    counts = SheetCounts()
    rooms = code_map(LiveRoom)
    existing = {obj.code: obj for obj in db.session.scalars(db.select(Streamer))}
    links = set(db.session.execute(db.select(room_streamers)).tuples().all())
    new_links: list[tuple[Streamer, int]] = []
    first_row: dict[str, int] = {}
    seen_links: dict[tuple[str, int], int] = {}
    for row in sheet.rows:
        cells = Cells(sheet.name, row, errors)
        code = cells.get("主播编码", CODE, required=True)
        name = cells.get("姓名", NAME, required=True)
        room_ids = _room_ids(cells, rooms)
        if code is not None and name is not None and code in first_row:
            earlier = existing[code]
            if earlier.name != name:
                cells.fail(
                    "姓名", f"与本表第 {first_row[code]} 行同一主播的姓名“{earlier.name}”不同"
                )
        for room_id in room_ids if code is not None else []:
            cells.duplicate("直播间编码", (code, room_id), seen_links, "主播编码和直播间编码")
        if code is None or name is None or not cells.ok:
            counts.add("rejected")
            continue
        streamer = existing.get(code)
        outcome = "unchanged"
        if streamer is None:
            streamer = Streamer(code=code, name=name)
            db.session.add(streamer)
            existing[code] = streamer
            outcome = "inserted"
        elif assign(streamer, {"name": name}):
            outcome = "updated"
        first_row.setdefault(code, row.number)
        for room_id in room_ids:
            if streamer.id is None or (room_id, streamer.id) not in links:
                new_links.append((streamer, room_id))
                outcome = "updated" if outcome == "unchanged" else outcome
        counts.add(outcome)
    db.session.flush()
    rows = {(room_id, streamer.id) for streamer, room_id in new_links} - links
    if rows:
        db.session.execute(
            room_streamers.insert(), [{"room_id": r, "streamer_id": s} for r, s in sorted(rows)]
        )
    return counts


def _room_ids(cells: Cells, rooms: dict[str, int]) -> list[int]:
    """Room codes in 直播间编码: one, or several separated by commas or 、."""
    text = cells.get("直播间编码", limited(500))
    if not text:
        return []
    found: list[int] = []
    for code in ROOM_SEPARATORS.split(text):
        if not code:
            continue
        room_id = rooms.get(code)
        if room_id is None:
            cells.fail("直播间编码", f"直播间编码“{code}”不存在，请先在“直播间”表中登记")
        else:
            found.append(room_id)
    return found
