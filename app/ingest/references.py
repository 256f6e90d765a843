"""The foreign keys of the lines a merge inserts, checked once per merge instead of per row.

PostgreSQL checks a foreign key with one query per inserted row and key: six for each order
line, about half the cost of inserting the lines. Where the database role may set
`session_replication_role` (a superuser; on PostgreSQL 15 and later also a role granted
`SET ON PARAMETER session_replication_role` and UPDATE on the tables the lines refer to),
`checked_once` does that work once for the whole merge instead: it locks every row the
attempt's lines refer to, once each and `FOR KEY SHARE` as the per-row checks would (so a
registry row the lines use cannot be deleted before the merge commits), then the insert runs
with the per-row triggers off. If a referenced row is gone (a room deleted while the file was
being staged), nothing is skipped: the insert keeps its per-row checks, which fail it exactly
as before. Elsewhere (SQLite, or a role without the privileges) every row is checked as usual.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import Connection, text

from app.models import OrderLine


@contextmanager
def checked_once(
    connection: Connection, where: str, params: Mapping[str, object], sources: Mapping[str, str]
) -> Iterator[None]:
    """Inside, inserts into order_lines skip their per-row key checks when that is safe.

    `where` selects the staged lines (`s`) the inserts take their rows from; `sources` names
    the staged column an order_lines column is copied from where the names differ.
    """
    if not (
        _may_skip_row_checks(connection) and _lock_references(connection, where, params, sources)
    ):
        yield
        return
    # No `finally`: after a failed insert the transaction is lost, and SET LOCAL with it.
    connection.execute(text("SET LOCAL session_replication_role = replica"))
    yield
    connection.execute(text("SET LOCAL session_replication_role = DEFAULT"))


def _may_skip_row_checks(connection: Connection) -> bool:
    """A superuser may; another role needs the parameter granted (PostgreSQL 15 and later) and,
    for `FOR KEY SHARE`, UPDATE on each table the lines refer to."""
    if connection.dialect.name != "postgresql":
        return False
    if connection.execute(text("SELECT current_setting('is_superuser')")).scalar() == "on":
        return True
    if (connection.dialect.server_version_info or (0,)) < (15,):
        return False
    tables = sorted({key.column.table.name for key in OrderLine.__table__.foreign_keys})
    granted = connection.execute(
        text(
            "SELECT has_parameter_privilege('session_replication_role', 'SET') "
            "AND bool_and(has_table_privilege(t, 'UPDATE')) "
            "FROM unnest(CAST(:tables AS text[])) AS t"
        ),
        {"tables": tables},
    ).scalar()
    return bool(granted)


def _lock_references(
    connection: Connection, where: str, params: Mapping[str, object], sources: Mapping[str, str]
) -> bool:
    """Lock each row the staged lines refer to; False if one of them no longer exists."""
    keys = [
        (sources.get(key.parent.name, key.parent.name), key.column.table.name, key.column.name)
        for key in OrderLine.__table__.foreign_keys
    ]
    staged = sorted({source for source, _, _ in keys})
    listed = ", ".join(f"s.{column}" for column in staged)
    rows = connection.execute(
        text(f"SELECT DISTINCT {listed} FROM staged_lines s WHERE {where}"), dict(params)
    ).all()
    for source, table, column in sorted(keys):
        at = staged.index(source)
        wanted = sorted({row[at] for row in rows} - {None})
        if not wanted:
            continue
        found = connection.execute(
            text(f"SELECT {column} FROM {table} WHERE {column} = ANY(:ids) FOR KEY SHARE"),
            {"ids": wanted},
        ).scalars()
        if len(set(found)) < len(wanted):
            return False
    return True
