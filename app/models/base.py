"""Declarative base, naming convention and the column types every model shares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Numeric,
    String,
    event,
    func,
)
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")


class Money(TypeDecorator[Decimal]):
    """Exact 元 amounts: NUMERIC(14, 2) on PostgreSQL, integer 分 on SQLite.

    SQLite has no decimal type (NUMERIC there is a float), so it stores fen; SUM() over the
    column keeps this type, so sums come back as exact Decimals on both databases.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(CENT)
        if dialect.name == "sqlite":
            return int(amount * 100)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return self


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Naive UTC in the database; aware datetimes are converted to UTC on the way in."""

    impl = DateTime()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


def utcnow() -> dt.datetime:
    """Now as naive UTC, the form every timestamp column stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


money = Annotated[Decimal, mapped_column(Money())]
timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime())]
code = Annotated[str, mapped_column(String(64))]
name = Annotated[str, mapped_column(String(200))]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_column() -> Any:
    return mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())


def enable_sqlite_pragmas(engine: Engine) -> None:
    """WAL and a busy timeout so the web process and the worker can share one SQLite file."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
