"""One chunk into staged_lines: COPY on PostgreSQL, `executemany` on SQLite (app.ingest.loader)."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection


def copy_postgresql(connection: Connection, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """COPY the frame's `columns` into staged_lines, money as text 元 from integer 分."""
    out = frame[list(columns)].copy()
    for column in ("paid_amount", "refund_amount"):
        out[column] = _fen_to_text(out[column])
    table = pa.Table.from_pandas(out, preserve_index=False)
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(
            f"COPY staged_lines ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
        ) as copy:
            copy.write(buffer.getbuffer())


def _fen_to_text(fen: pd.Series) -> pd.Series:
    sign = fen.lt(0).map({True: "-", False: ""})
    absolute = fen.abs()
    return sign + (absolute // 100).astype(str) + "." + (absolute % 100).astype(str).str.zfill(2)


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
