"""Sales imports (one uploaded file each), their row errors, and order lines (订单行)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, created_column, money
from app.models.commerce import Shop
from app.models.jobs import JobState

COUNT_NAMES = ("read", "inserted", "updated", "unchanged", "stale", "rejected")


class SalesImport(JobState, Base):
    __tablename__ = "sales_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    stored_path: Mapped[str] = mapped_column(String(1000))
    platform: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(32))
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), index=True)
    mapping_name: Mapped[str | None] = mapped_column(String(100))
    # The file password, encrypted with SECRET_KEY; cleared once the import has finished.
    sealed_password: Mapped[str | None] = mapped_column(Text)
    export_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    stale: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # What the import says about its file besides row errors: [{code, message, count}].
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_column()

    shop: Mapped[Shop | None] = relationship()
    errors: Mapped[list[ImportRowError]] = relationship(
        back_populates="sales_import", cascade="all, delete-orphan", order_by="ImportRowError.row"
    )

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) or 0 for name in COUNT_NAMES}


class ImportRowError(Base):
    """A row the import left out, with the reason (the error report a clerk downloads)."""

    __tablename__ = "import_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("sales_imports.id", ondelete="CASCADE"), index=True
    )
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[str | None] = mapped_column(String(500))
    code: Mapped[str] = mapped_column(String(40), default="bad_value")
    message: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str | None] = mapped_column(Text)

    sales_import: Mapped[SalesImport] = relationship(back_populates="errors")


class ColumnMapping(Base):
    """A saved mapping of an unrecognised file's headers onto Cunbo's line fields."""

    __tablename__ = "column_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_column()


class OrderLine(Base):
    """One sold line, keyed by (platform, shop, line id); the raw export values are kept."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("platform", "shop_id", "line_id"),
        Index("ix_order_lines_shop_day", "shop_id", "pay_day"),
        Index("ix_order_lines_product_day", "product_id", "pay_day"),
        Index("ix_order_lines_room_day", "room_id", "pay_day"),
        Index("ix_order_lines_pay_day", "pay_day"),
        # The order-line explorer pages newest first within a period (keyset on these three).
        Index("ix_order_lines_pay_time", "pay_day", "paid_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    order_id: Mapped[str] = mapped_column(String(64))
    line_id: Mapped[str] = mapped_column(String(128))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    raw_product_id: Mapped[str | None] = mapped_column(String(64))
    merchant_code: Mapped[str | None] = mapped_column(String(64))
    product_name: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    paid_amount: Mapped[money]
    refund_amount: Mapped[money]
    status: Mapped[str] = mapped_column(String(16))  # app.codes.LINE_STATUSES
    raw_status: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The payment date in Asia/Shanghai: every calendar-period figure groups by it.
    pay_day: Mapped[dt.date | None] = mapped_column(Date)
    streamer_ref: Mapped[str | None] = mapped_column(String(64))
    streamer_nickname: Mapped[str | None] = mapped_column(String(200))
    live: Mapped[bool] = mapped_column(Boolean, default=False)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("live_rooms.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"))
    province: Mapped[str | None] = mapped_column(String(32))
    zero_value: Mapped[bool] = mapped_column(Boolean, default=False)
    # `order` (an order export said it) or `commission` (only the 精选联盟 file has, so far).
    source: Mapped[str] = mapped_column(String(16), default="order", server_default="order")
    import_id: Mapped[int] = mapped_column(ForeignKey("sales_imports.id"), index=True)
    # The import that first inserted the line (`import_id` is the last one that changed it);
    # NULL only for lines written outside the loader, which count as inserted by `import_id`.
    first_import_id: Mapped[int | None] = mapped_column(ForeignKey("sales_imports.id"), index=True)
    export_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Hash of every stored field but the import: a re-import that changes nothing is a no-op.
    row_hash: Mapped[int] = mapped_column(BigInteger)

    shop: Mapped[Shop] = relationship()


class LineChange(Base):
    """What one import changed on a stored order line: the tracked fields before and after.

    Written by the merge (app.ingest.loader) for every line an import updates; money in the
    JSON is in 分 (integer fen) on every database, so SQLite and PostgreSQL store the same.
    """

    __tablename__ = "line_changes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    line_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("order_lines.id", ondelete="CASCADE"),
        index=True,
    )
    import_id: Mapped[int] = mapped_column(ForeignKey("sales_imports.id"), index=True)
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[dt.datetime] = created_column()
