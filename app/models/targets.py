"""Targets (目标) and month close (月结)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, created_column


class Target(Base):
    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[int | None] = mapped_column(Integer)
    scope_type: Mapped[str] = mapped_column(String(16))  # app.codes.SCOPE_TYPES
    scope_code: Mapped[str] = mapped_column(String(64))
    indicator: Mapped[str] = mapped_column(String(32))  # app.codes.INDICATORS
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2))


class MonthClose(Base):
    """A closed month: its reported figures are frozen in `snapshot`."""

    __tablename__ = "month_closes"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime] = created_column()
