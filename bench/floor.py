"""The floor of an import: the lines Cunbo stored, bulk-loaded into an empty copy of its schema.

The floor is what no import of those lines can beat by much: COPY (PostgreSQL) or
`executemany` (SQLite) of exactly the rows an import stored into an empty `order_lines` with
all its indexes and foreign keys (the app's own schema, `db.create_all()`), then one
`rebuild_all()` of the rollups. Taking the rows from what the import stored makes the floor load
the same lines, normalised and matched, and nothing else.

Used by bench/ingest.py: `dump_lines` and `copy_registry` run untimed; `load_floor` is timed.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import make_url

# Tables the floor leaves empty: the lines, what an import writes beside them, the rollups.
_NOT_REGISTRY = {"order_lines", "line_changes", "staged_lines", "import_errors"}


def plain_url(url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL (psycopg.connect takes no driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of `url` when it is missing; SQLite needs nothing."""
    if not url.startswith("postgresql"):
        return
    import psycopg

    name = make_url(url).database
    server = plain_url(url).rsplit("/", 1)[0]
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if not found.fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def line_columns() -> list[str]:
    from app.models import OrderLine

    return [column.name for column in OrderLine.__table__.columns]


def dump_lines(url: str, target: Path) -> int:
    """Write every column of every stored line to `target`, in id order; returns the count.

    PostgreSQL: `COPY (SELECT …) TO STDOUT` in COPY's text format, which COPY FROM reads back
    byte for byte. SQLite: nothing is written; the floor reads the rows out of the bench's
    SQLite file itself, before its clock starts (`read_sqlite_lines`).
    """
    columns = ", ".join(line_columns())
    if url.startswith("postgresql"):
        import psycopg

        count = 0
        with psycopg.connect(plain_url(url)) as connection, target.open("wb") as out:
            query = f"COPY (SELECT {columns} FROM order_lines ORDER BY id) TO STDOUT"
            with connection.cursor().copy(query) as copy:
                for block in copy:
                    out.write(block)
                    count += bytes(block).count(b"\n")
        return count
    with sqlite3.connect(make_url(url).database or "") as connection:
        return int(connection.execute("SELECT count(*) FROM order_lines").fetchone()[0])


def copy_registry(source_url: str) -> dict[str, int]:
    """Copy every registry row (shops, products, rooms, imports, …) the lines' foreign keys
    need from the bench database into the current app's empty one; returns rows per table."""
    from app.extensions import db
    from app.models import ROLLUP_MODELS

    skip = _NOT_REGISTRY | {model.__tablename__ for model in ROLLUP_MODELS}
    source = create_engine(source_url)
    copied: dict[str, int] = {}
    try:
        with source.connect() as reading:
            for table in db.metadata.sorted_tables:
                # Skipped too: a table the schema's creation already filled (data_version).
                if table.name in skip or db.session.execute(select(table).limit(1)).first():
                    continue
                rows = [dict(row._mapping) for row in reading.execute(select(table))]
                if rows:
                    db.session.execute(insert(table), rows)
                    copied[table.name] = len(rows)
        db.session.commit()
    finally:
        source.dispose()
    return copied


def read_sqlite_lines(source_url: str) -> list[tuple[Any, ...]]:
    """Every stored line as sqlite3 returns it (the stored representation, untouched)."""
    columns = ", ".join(line_columns())
    with sqlite3.connect(make_url(source_url).database or "") as connection:
        return connection.execute(f"SELECT {columns} FROM order_lines ORDER BY id").fetchall()


def load_floor(lines: Path | list[tuple[Any, ...]]) -> dict[str, float]:
    """Timed: load the lines into the current app's empty `order_lines` (COPY from the dump on
    PostgreSQL, `executemany` on SQLite, one transaction), then rebuild every rollup in one
    pass (a second transaction). Returns the seconds of each step and the rows loaded."""
    from app.extensions import db
    from app.metrics.rollup_write import rebuild_all

    columns = line_columns()
    names = ", ".join(columns)
    raw = db.engine.raw_connection()  # the app's own connection settings (SQLite pragmas)
    try:
        start, cpu = time.perf_counter(), time.process_time()
        cursor = raw.cursor()
        if isinstance(lines, Path):
            with cursor.copy(f"COPY order_lines ({names}) FROM STDIN") as copy:
                with lines.open("rb") as stream:
                    while block := stream.read(1 << 20):
                        copy.write(block)
            rows = cursor.execute("SELECT count(*) FROM order_lines").fetchone()[0]
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO order_lines ({names}) VALUES ({marks})", lines)
            rows = len(lines)
        raw.commit()
        loaded = time.perf_counter()
    finally:
        raw.close()
    rebuild_all()
    db.session.commit()
    done = time.perf_counter()
    return {
        "seconds": done - start,
        "cpu_seconds": time.process_time() - cpu,
        "load_seconds": loaded - start,
        "rollup_seconds": done - loaded,
        "rows": int(rows),
    }
