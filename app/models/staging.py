"""Order lines staged by an import attempt, invisible to every figure until the merge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, money


class StagedLine(Base):
    """One line of one import attempt, as it will be merged into order_lines.

    An attempt stages its chunks here (keyed so that several workers stage one file at once);
    one transaction then merges the attempt's lines, refreshes the rollups and marks the import
    succeeded. A dead attempt's lines are deleted by the next attempt. No foreign keys (the
    lines are checked once, at the merge), no index but its key (the merge's joins hash the
    attempt's lines, cheaper than keeping an index as each row is copied) and, on PostgreSQL,
    no write-ahead log (UNLOGGED): a server crash empties the table, and the attempt staging
    then retries from its file.
    """

    __tablename__ = "staged_lines"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    import_id: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    chunk: Mapped[int] = mapped_column(Integer)
    row: Mapped[int] = mapped_column(Integer)  # the file's row number, for duplicate reports
    platform: Mapped[str] = mapped_column(String(16))
    shop_id: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[str] = mapped_column(String(64))
    line_id: Mapped[str] = mapped_column(String(128))
    product_id: Mapped[int | None] = mapped_column(Integer)
    raw_product_id: Mapped[str | None] = mapped_column(String(64))
    merchant_code: Mapped[str | None] = mapped_column(String(64))
    product_name: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    paid_amount: Mapped[money]
    refund_amount: Mapped[money]
    status: Mapped[str] = mapped_column(String(16))
    raw_status: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    pay_day: Mapped[dt.date | None] = mapped_column(Date)
    streamer_ref: Mapped[str | None] = mapped_column(String(64))
    streamer_nickname: Mapped[str | None] = mapped_column(String(200))
    live: Mapped[bool] = mapped_column(Boolean)
    room_id: Mapped[int | None] = mapped_column(Integer)
    session_id: Mapped[int | None] = mapped_column(Integer)
    province: Mapped[str | None] = mapped_column(String(32))
    zero_value: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(16))
    export_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    row_hash: Mapped[int] = mapped_column(BigInteger)


event.listen(
    StagedLine.__table__,
    "after_create",
    DDL("ALTER TABLE staged_lines SET UNLOGGED").execute_if(dialect="postgresql"),
)


class ImportPart(Base):
    """One part of an import attempt's chunks (chunk n is in part n % parts), staged by one
    worker: claimed once, then finished with the notes its chunks gave, or failed with the
    reason its file was rejected. Kept only until the attempt's merge or failure."""

    __tablename__ = "import_parts"

    import_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    parts: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    notes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    message_en: Mapped[str | None] = mapped_column(Text)
