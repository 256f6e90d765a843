"""Where sales happen: shops (网店), live rooms (直播间), streamers (主播) and sessions (场次)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, code, created_column, money, name
from app.models.region import Village

PLATFORM = String(16)

room_streamers = Table(
    "room_streamers",
    Base.metadata,
    Column("room_id", ForeignKey("live_rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("streamer_id", ForeignKey("streamers.id", ondelete="CASCADE"), primary_key=True),
)


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[code] = mapped_column(unique=True)
    platform: Mapped[str] = mapped_column(PLATFORM)
    platform_shop_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[name]
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)

    village: Mapped[Village] = relationship()
    rooms: Mapped[list[LiveRoom]] = relationship(back_populates="shop")


class LiveRoom(Base):
    __tablename__ = "live_rooms"
    __table_args__ = (UniqueConstraint("platform", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[code] = mapped_column(unique=True)
    platform: Mapped[str] = mapped_column(PLATFORM)
    account_id: Mapped[str | None] = mapped_column(String(64))
    nickname: Mapped[str | None] = mapped_column(String(200))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), index=True)

    village: Mapped[Village] = relationship()
    shop: Mapped[Shop | None] = relationship(back_populates="rooms")
    streamers: Mapped[list[Streamer]] = relationship(
        secondary=room_streamers, back_populates="rooms"
    )


class Streamer(Base):
    __tablename__ = "streamers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[code] = mapped_column(unique=True)
    name: Mapped[name]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    rooms: Mapped[list[LiveRoom]] = relationship(
        secondary=room_streamers, back_populates="streamers"
    )


class LiveSession(Base):
    """One broadcast, with the figures the streamer copies from the platform's review page."""

    __tablename__ = "live_sessions"
    __table_args__ = (UniqueConstraint("room_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id"), index=True)
    streamer_id: Mapped[int | None] = mapped_column(ForeignKey("streamers.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sales: Mapped[money]
    # The review page's counts; None = not known (left blank), never read as 0.
    items: Mapped[int | None] = mapped_column(Integer)
    buyers: Mapped[int | None] = mapped_column(Integer)
    viewers: Mapped[int | None] = mapped_column(Integer)
    views: Mapped[int | None] = mapped_column(Integer)
    peak_online: Mapped[int | None] = mapped_column(Integer)
    avg_online: Mapped[int | None] = mapped_column(Integer)
    avg_watch_seconds: Mapped[int | None] = mapped_column(Integer)
    new_followers: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="typed")
    # Made by the phone for an entry saved while offline: sending it again stores nothing new.
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_column()

    room: Mapped[LiveRoom] = relationship()
    streamer: Mapped[Streamer | None] = relationship()

    @property
    def duration_hours(self) -> Decimal:
        seconds = Decimal((self.ended_at - self.started_at).total_seconds())
        return (seconds / 3600).quantize(Decimal("0.01"))
