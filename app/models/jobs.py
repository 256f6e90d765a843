"""Background jobs the UI polls: the state every job row keeps, and registry workbook loads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, created_column, utcnow


class JobState:
    """Status, progress and attempts of a background job (app.jobs keeps their discipline)."""

    # queued → running → succeeded | failed; app.jobs moves a job between them.
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    # Attempts started so far; the current attempt's number fences its commits.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Renewed as an attempt works; the sweeper re-enqueues jobs queued too long.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    # Why a job failed, as a stable code (the message is for people).
    code: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    message_en: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RegistryLoad(JobState, Base):
    """One uploaded registry workbook and the outcome of loading it."""

    __tablename__ = "registry_loads"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    stored_path: Mapped[str] = mapped_column(String(1000))
    # LoadResult.to_dict(): per-sheet counts and row errors.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_column()
