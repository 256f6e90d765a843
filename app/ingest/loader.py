"""Bulk upsert of matched lines into order_lines: stage, count, then one INSERT … ON CONFLICT.

PostgreSQL stages with COPY; SQLite with `executemany`. Counting and the upsert itself are the
same SQL on both. A line is applied only when its export is not older than the one that last
changed it (else it is `stale`) and its content differs (else it is `unchanged`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, text

STAGED = (
    "platform",
    "shop_id",
    "order_id",
    "line_id",
    "product_id",
    "raw_product_id",
    "merchant_code",
    "product_name",
    "quantity",
    "paid_amount",
    "refund_amount",
    "status",
    "raw_status",
    "created_at",
    "paid_at",
    "pay_day",
    "streamer_ref",
    "streamer_nickname",
    "live",
    "room_id",
    "session_id",
    "province",
    "zero_value",
    "import_id",
    "export_time",
    "row_hash",
)
# What a line *is*: a re-import that changes none of these is `unchanged`.
HASHED = tuple(c for c in STAGED if c not in ("import_id", "export_time", "row_hash"))
KEY_JOIN = "o.platform = s.platform AND o.shop_id = s.shop_id AND o.line_id = s.line_id"


@dataclass
class LoadResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    days: set[tuple[dt.date, int]] = field(default_factory=set)


def frame_for_staging(
    lines: pd.DataFrame, import_id: int, export_time: dt.datetime
) -> pd.DataFrame:
    """Rename parser columns to storage columns and add the import, export time and hash."""
    frame = pd.DataFrame(
        {
            "platform": lines["platform"],
            "shop_id": lines["shop_id"].astype("int64"),
            "order_id": lines["order_id"],
            "line_id": lines["line_id"],
            "product_id": lines["product_id"].astype("Int64"),
            "raw_product_id": lines["platform_product_id"],
            "merchant_code": lines["merchant_code"],
            "product_name": lines["product_name"],
            "quantity": lines["quantity"].astype("int64"),
            "paid_amount": lines["paid_fen"].astype("int64"),
            "refund_amount": lines["refund_fen"].astype("int64"),
            "status": lines["status"],
            "raw_status": lines["raw_status"],
            "created_at": lines["created_at"].astype("datetime64[us]"),
            "paid_at": lines["paid_at"].astype("datetime64[us]"),
            "pay_day": lines["pay_day"],
            "streamer_ref": lines["streamer_id"],
            "streamer_nickname": lines["streamer_nickname"],
            "live": lines["live"].astype(bool),
            "room_id": lines["room_id"].astype("Int64"),
            "session_id": lines["session_id"].astype("Int64"),
            "province": lines["province"],
            "zero_value": lines["zero_value"].astype(bool),
        }
    )
    frame["import_id"] = import_id
    frame["export_time"] = pd.Timestamp(export_time).as_unit("us")
    hashed = frame[list(HASHED)].astype("string")
    frame["row_hash"] = pd.util.hash_pandas_object(hashed, index=False).to_numpy().view("int64")
    return frame


def load_chunk(connection: Connection, frame: pd.DataFrame) -> LoadResult:
    """Stage `frame`, count what it will do, apply it; the caller commits."""
    if frame.empty:
        return LoadResult()
    connection.execute(text("DROP TABLE IF EXISTS staging_lines"))
    columns = ", ".join(STAGED)
    connection.execute(
        text(f"CREATE TEMP TABLE staging_lines AS SELECT {columns} FROM order_lines WHERE 1 = 0")
    )
    if connection.dialect.name == "postgresql":
        _copy_postgresql(connection, frame)
    else:
        _executemany_sqlite(connection, frame)
    result = _outcomes(connection)
    if result.inserted or result.updated:  # a file loaded before needs no write at all
        _upsert(connection)
    connection.execute(text("DROP TABLE staging_lines"))
    return result


def _upsert(connection: Connection) -> None:
    """New lines go in; a stored line is replaced only by a changed line of a newer export."""
    columns = ", ".join(STAGED)
    updates = ", ".join(
        f"{c} = excluded.{c}" for c in STAGED if c not in ("platform", "shop_id", "line_id")
    )
    connection.execute(
        text(
            f"INSERT INTO order_lines ({columns}) SELECT {columns} FROM staging_lines WHERE true "
            "ON CONFLICT (platform, shop_id, line_id) DO UPDATE SET "
            f"{updates} WHERE order_lines.export_time <= excluded.export_time "
            "AND order_lines.row_hash <> excluded.row_hash"
        )
    )


def _outcomes(connection: Connection) -> LoadResult:
    """What the upsert will do to each staged line, and the (day, shop) pairs it changes.

    One join of the staged lines with the stored ones: a line is new, stale (the stored one
    comes from a newer export), unchanged (same hash) or updated. New and updated lines touch
    their new payment day and, for an update, the old one.
    """
    rows = connection.execute(
        text(
            "SELECT s.shop_id, s.pay_day, o.pay_day, CASE "
            "WHEN o.id IS NULL THEN 'inserted' "
            "WHEN o.export_time > s.export_time THEN 'stale' "
            "WHEN o.row_hash = s.row_hash THEN 'unchanged' "
            "ELSE 'updated' END AS outcome, COUNT(*) "
            f"FROM staging_lines s LEFT JOIN order_lines o ON {KEY_JOIN} "
            "GROUP BY 1, 2, 3, 4"
        )
    ).all()
    result = LoadResult()
    for shop_id, new_day, old_day, outcome, count in rows:
        setattr(result, outcome, getattr(result, outcome) + int(count))
        if outcome in ("inserted", "updated"):
            for day in (new_day, old_day):
                if day is not None:
                    result.days.add((_as_date(day), int(shop_id)))
    return result


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _copy_postgresql(connection: Connection, frame: pd.DataFrame) -> None:
    out = frame.copy()
    for column in ("paid_amount", "refund_amount"):
        out[column] = _fen_to_text(out[column])
    table = pa.Table.from_pandas(out, preserve_index=False)
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(
            f"COPY staging_lines ({', '.join(STAGED)}) FROM STDIN WITH (FORMAT csv)"
        ) as copy:
            copy.write(buffer.getbuffer())


def _fen_to_text(fen: pd.Series) -> pd.Series:
    sign = fen.lt(0).map({True: "-", False: ""})
    absolute = fen.abs()
    return sign + (absolute // 100).astype(str) + "." + (absolute % 100).astype(str).str.zfill(2)


def _executemany_sqlite(connection: Connection, frame: pd.DataFrame) -> None:
    columns = [_sqlite_values(frame[name], name) for name in STAGED]
    placeholders = ", ".join("?" for _ in STAGED)
    raw = connection.connection.driver_connection
    raw.executemany(  # type: ignore[union-attr]
        f"INSERT INTO staging_lines ({', '.join(STAGED)}) VALUES ({placeholders})",
        zip(*columns, strict=True),
    )


def _sqlite_values(series: pd.Series, name: str) -> list[Any]:
    """One column as the Python values sqlite3 stores: text times, ISO days, 0/1, None."""
    if name in ("live", "zero_value"):
        return series.astype(int).tolist()
    if name == "pay_day":
        return [None if day is None else day.isoformat() for day in series.tolist()]
    if name in ("created_at", "paid_at", "export_time"):
        series = series.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    return series.astype(object).where(series.notna(), None).tolist()
