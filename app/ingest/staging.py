"""One chunk of matched lines as staged_lines rows: the stored columns, the line hash, the write.

`frame_for_staging` turns a chunk of parser columns into the columns order_lines stores, plus
the import, the export time and each line's hash of what it *is* (HASHED: a re-import that
changes none of them is `unchanged`); `stage_chunk` writes it into staged_lines (PostgreSQL with
COPY, SQLite with `executemany`, app.ingest.staging_copy), where no figure reads it until the
merge (app.ingest.loader).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pandas.core.util.hashing import combine_hash_arrays
from sqlalchemy import Connection

from app.ingest.staging_copy import copy_postgresql, executemany_sqlite

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
    "source",
    "import_id",
    "export_time",
    "row_hash",
)
# What a line *is*: a re-import that changes none of these is `unchanged`.
HASHED = tuple(c for c in STAGED if c not in ("import_id", "export_time", "row_hash"))
# staged_lines holds the stored columns plus where each line came from.
STAGING = (*STAGED, "attempt", "chunk", "row")


def frame_for_staging(
    lines: pd.DataFrame, import_id: int, export_time: dt.datetime, source: str = "order"
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
    frame["source"] = source
    frame["import_id"] = import_id
    frame["export_time"] = pd.Timestamp(export_time).as_unit("us")
    frame["row_hash"] = _line_hashes(frame).view("int64")
    frame["row"] = lines["row"].astype("int64")
    return frame


def _line_hashes(frame: pd.DataFrame) -> np.ndarray:
    """Each line's hash of its HASHED columns as text.

    The very values of `hash_pandas_object(frame[HASHED].astype("string"), index=False)`, the
    row_hash stored for every line imported so far, at about half the cost: each column's
    distinct values are turned into text and hashed once. A column's text depends only on its
    set of values (times print without a clock when every one is at midnight), which the
    distinct values share.
    """
    columns = []
    for name in HASHED:
        codes, distinct = pd.factorize(frame[name], use_na_sentinel=False)
        text_of = pd.Series(distinct).astype("string")
        columns.append(pd.util.hash_pandas_object(text_of, index=False).to_numpy()[codes])
    return combine_hash_arrays(iter(columns), len(HASHED))


def stage_chunk(connection: Connection, frame: pd.DataFrame, *, attempt: int, chunk: int) -> None:
    """Write one chunk of an attempt into staging; the caller commits."""
    if frame.empty:
        return
    frame = frame.assign(attempt=attempt, chunk=chunk)
    if connection.dialect.name == "postgresql":
        copy_postgresql(connection, frame, STAGING)
    else:
        executemany_sqlite(connection, frame, STAGING)
