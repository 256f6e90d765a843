"""Bulk upsert of matched lines into order_lines: stage, count, then one INSERT … ON CONFLICT.

PostgreSQL stages with COPY; SQLite with `executemany`. Counting and the upsert itself are the
same SQL on both. A line is applied only when its export is not older than the one that last
changed it (else it is `stale`) and its content differs (else it is `unchanged`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

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
    result = _count(connection, len(frame))
    result.days = _touched_days(connection)
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
    connection.execute(text("DROP TABLE staging_lines"))
    return result


def _count(connection: Connection, staged: int) -> LoadResult:
    row = connection.execute(
        text(
            "SELECT "
            "SUM(CASE WHEN o.export_time > s.export_time THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN o.export_time <= s.export_time AND o.row_hash = s.row_hash "
            "THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN o.export_time <= s.export_time AND o.row_hash <> s.row_hash "
            "THEN 1 ELSE 0 END), COUNT(*) "
            f"FROM staging_lines s JOIN order_lines o ON {KEY_JOIN}"
        )
    ).one()
    stale, unchanged, updated, matched = (int(v or 0) for v in row)
    return LoadResult(inserted=staged - matched, updated=updated, unchanged=unchanged, stale=stale)


def _touched_days(connection: Connection) -> set[tuple[dt.date, int]]:
    """(day, shop) pairs whose figures the upsert can change: new days and the old days."""
    rows = connection.execute(
        text(
            "SELECT s.pay_day, s.shop_id, o.pay_day FROM staging_lines s "
            f"LEFT JOIN order_lines o ON {KEY_JOIN} "
            "WHERE o.id IS NULL OR (o.export_time <= s.export_time AND o.row_hash <> s.row_hash)"
        )
    ).all()
    days: set[tuple[dt.date, int]] = set()
    for new_day, shop_id, old_day in rows:
        for day in (new_day, old_day):
            if day is not None:
                days.add((_as_date(day), int(shop_id)))
    return days


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
    out = frame.astype(object).where(frame.notna(), None)
    for column in ("created_at", "paid_at", "export_time"):
        out[column] = (
            frame[column].dt.strftime("%Y-%m-%d %H:%M:%S.%f").where(frame[column].notna(), None)
        )
    out["pay_day"] = frame["pay_day"].map(lambda d: d.isoformat() if d is not None else None)
    for column in ("live", "zero_value"):
        out[column] = frame[column].astype(int)
    placeholders = ", ".join("?" for _ in STAGED)
    raw = connection.connection.driver_connection
    raw.executemany(  # type: ignore[union-attr]
        f"INSERT INTO staging_lines VALUES ({placeholders})",
        out.itertuples(index=False, name=None),
    )
