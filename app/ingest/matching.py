"""Match parsed lines to the registry: product, live room and live session (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from app.beijing import OFFSET
from app.models import LiveRoom, LiveSession, PlatformListing, Product, Shop

SESSION_GRACE = pd.Timedelta(minutes=30)


@dataclass
class Matcher:
    """Registry lookups for one platform, loaded once per import."""

    platform: str
    by_product_id: dict[str, int]
    by_merchant_code: dict[str, int]
    room_by_account: dict[str, int]
    room_by_nickname: dict[str, int]
    single_room_of_shop: dict[int, int]
    sessions: pd.DataFrame  # room_id, session_id, started_at, ended_at (naive UTC)

    @classmethod
    def load(
        cls, session: Session | scoped_session[Any], platform: str, own_codes: bool = False
    ) -> Matcher:
        """Registry lookups; `own_codes` when the file's 商品编码 are Cunbo's product codes."""
        listings = session.execute(
            select(
                PlatformListing.platform_product_id,
                PlatformListing.merchant_code,
                PlatformListing.product_id,
            ).where(PlatformListing.platform == platform)
        ).all()
        rooms = session.execute(
            select(LiveRoom.id, LiveRoom.account_id, LiveRoom.nickname, LiveRoom.shop_id).where(
                LiveRoom.platform == platform
            )
        ).all()
        rooms_per_shop: dict[int, list[int]] = {}
        for room in rooms:
            if room.shop_id is not None:
                rooms_per_shop.setdefault(room.shop_id, []).append(room.id)
        room_ids = [room.id for room in rooms]
        sessions = pd.DataFrame(
            session.execute(
                select(
                    LiveSession.room_id,
                    LiveSession.id.label("session_id"),
                    LiveSession.started_at,
                    LiveSession.ended_at,
                ).where(LiveSession.room_id.in_(room_ids))
            ).all(),
            columns=["room_id", "session_id", "started_at", "ended_at"],
        )
        by_merchant_code = {r[1]: r[2] for r in listings if r[1]}
        if own_codes:  # Cunbo's template: 商品编码 is the registry code, listings still win
            codes = session.execute(select(Product.code, Product.id)).all()
            by_merchant_code = {code: id_ for code, id_ in codes} | by_merchant_code
        return cls(
            platform=platform,
            by_product_id={r[0]: r[2] for r in listings if r[0]},
            by_merchant_code=by_merchant_code,
            room_by_account={r.account_id: r.id for r in rooms if r.account_id},
            room_by_nickname={r.nickname: r.id for r in rooms if r.nickname},
            single_room_of_shop={s: ids[0] for s, ids in rooms_per_shop.items() if len(ids) == 1},
            sessions=sessions,
        )

    def apply(self, lines: pd.DataFrame) -> pd.DataFrame:
        """Add product_id, room_id, session_id and pay_day columns to a chunk of lines."""
        out = lines
        product = out["platform_product_id"].map(self.by_product_id)
        product = product.fillna(out["merchant_code"].map(self.by_merchant_code))
        out["product_id"] = product.astype("Int64")
        room = out["streamer_id"].map(self.room_by_account)
        room = room.fillna(out["streamer_nickname"].map(self.room_by_nickname))
        flagged = out["shop_id"].map(self.single_room_of_shop).where(out["live"].astype(bool))
        out["room_id"] = room.fillna(flagged).astype("Int64")
        out["session_id"] = self._sessions_for(out)
        out["pay_day"] = (out["paid_at"] + OFFSET).dt.date.where(out["paid_at"].notna(), None)
        return out

    def _sessions_for(self, lines: pd.DataFrame) -> pd.Series:
        """The session of the line's room whose [start, end + 30 min] holds its payment time."""
        result = pd.Series(pd.NA, index=lines.index, dtype="Int64")
        if self.sessions.empty:
            return result
        wanted = lines[lines["room_id"].notna() & lines["paid_at"].notna()]
        if wanted.empty:
            return result
        left = pd.DataFrame(
            {
                "idx": wanted.index,
                "room_id": wanted["room_id"].astype("int64").to_numpy(),
                "paid_at": wanted["paid_at"].astype("datetime64[ns]").to_numpy(),
            }
        ).sort_values("paid_at")
        right = self.sessions.astype({"room_id": "int64"}).copy()
        right["started_at"] = right["started_at"].astype("datetime64[ns]")
        right["ended_at"] = right["ended_at"].astype("datetime64[ns]")
        right = right.sort_values("started_at")
        merged = pd.merge_asof(
            left,
            right,
            left_on="paid_at",
            right_on="started_at",
            by="room_id",
            direction="backward",
        )
        inside = merged["session_id"].notna() & (
            merged["paid_at"] <= merged["ended_at"] + SESSION_GRACE
        )
        hits = merged[inside]
        result.loc[hits["idx"].to_numpy()] = hits["session_id"].astype("int64").to_numpy()
        return result


def shops_by_reference(session: Session | scoped_session[Any], platform: str) -> dict[str, int]:
    """Shop ids by shop code and by platform shop id, for files that name their shop."""
    found: dict[str, int] = {}
    for shop in session.scalars(select(Shop)):
        found[shop.code] = shop.id
        if shop.platform == platform and shop.platform_shop_id:
            found[shop.platform_shop_id] = shop.id
    return found
