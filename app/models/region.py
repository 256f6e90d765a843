"""Regions: county → township (乡镇/街道) → village (村/社区)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, code, name


class Township(Base):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[code] = mapped_column(unique=True)
    name: Mapped[name]
    county: Mapped[str] = mapped_column(String(100))

    villages: Mapped[list[Village]] = relationship(back_populates="township")


class Village(Base):
    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[code] = mapped_column(unique=True)
    name: Mapped[name]
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)

    township: Mapped[Township] = relationship(back_populates="villages")
