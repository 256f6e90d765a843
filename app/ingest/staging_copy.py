"""One chunk into staged_lines: COPY on PostgreSQL, `executemany` on SQLite (app.ingest.staging)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection

_MONEY = ("paid_amount", "refund_amount")  # integer 分 in the frame


def copy_postgresql(connection: Connection, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """COPY the frame's `columns` into staged_lines, money as text 元 from integer 分."""
    rest = pa.Table.from_pandas(
        frame[[c for c in columns if c not in _MONEY]], preserve_index=False
    )
    table = pa.table(
        {c: _yuan(frame[c].to_numpy("int64")) if c in _MONEY else rest[c] for c in columns}
    )
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(
            f"COPY staged_lines ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
        ) as copy:
            copy.write(buffer.getbuffer())


def _yuan(fen: np.ndarray) -> pa.Array:
    """分 as 元 with two decimals, without a Python object per value: an Arrow decimal is its
    unscaled integer, here the 分 themselves, in two little-endian 64-bit words."""
    words = np.empty((len(fen), 2), dtype=np.int64)
    words[:, 0] = fen
    words[:, 1] = fen >> 63  # the sign, extended to the high word
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(fen), [None, pa.py_buffer(words)])


def executemany_sqlite(
    connection: Connection, frame: pd.DataFrame, columns: tuple[str, ...]
) -> None:
    """INSERT the frame's `columns` into staged_lines with one `executemany`."""
    values = [_sqlite_values(frame[name], name) for name in columns]
    placeholders = ", ".join("?" for _ in columns)
    raw = connection.connection.driver_connection
    raw.executemany(  # type: ignore[union-attr]
        f"INSERT INTO staged_lines ({', '.join(columns)}) VALUES ({placeholders})",
        zip(*values, strict=True),
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
