"""Matched lines into order_lines in two steps: stage each chunk, then merge the attempt once.

`stage_chunk` (app.ingest.staging) writes a chunk into `staged_lines`, where no figure reads
it; chunks are keyed by attempt and number, so several
workers stage one large file's chunks at once (app.ingest.parts), each on PostgreSQL from a
thread of its own while it reads the next chunk (app.ingest.stager). `merge_staged`
then, in the caller's one transaction, drops repeated lines (the later row wins), counts what
the merge will do, applies it (one UPDATE of the changed lines, one plain INSERT of the new
ones, whose foreign keys app.ingest.references checks once for the merge where it may) and
empties the import's staging. A line is applied only when its export is not older
than the one that last changed it (else it is `stale`) and its content differs (else it is
`unchanged`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, MetaData, Table, bindparam, text

from app.ingest.references import checked_once
from app.ingest.staging import STAGED
from app.models import UTCDateTime, utcnow

KEY_JOIN = "o.platform = s.platform AND o.shop_id = s.shop_id AND o.line_id = s.line_id"
# Who sold a line: a commission file (精选联盟) may add these to an order export's line.
ATTRIBUTION = ("streamer_ref", "streamer_nickname", "live", "room_id", "session_id")
# SQL over a stored line `o` and an incoming one `s`.
_KEEP_ORDER = "({s}.source = 'commission' AND {o}.source = 'order')"
_HAS = "({t}.streamer_ref IS NOT NULL OR {t}.streamer_nickname IS NOT NULL)"
# What the line history (line_changes) records of each update; money among them as 分.
TRACKED = (
    "status",
    "raw_status",
    "paid_amount",
    "refund_amount",
    "quantity",
    "product_id",
    "room_id",
    "streamer_ref",
    "streamer_nickname",
    "session_id",
    "source",
)
MONEY = ("paid_amount", "refund_amount")
OF_ATTEMPT = "s.import_id = :import_id AND s.attempt = :attempt"
ANALYZE_SECONDS = 30  # the most one ANALYZE of `describe_for_planner` may take or wait
# The staged lines of a merge that are new, listed before they are inserted (`_insert_new`);
# outside the models' metadata, so create_all never makes it.
_NEW_LINES = Table(
    "new_staged_lines",
    MetaData(),
    Column("id", BigInteger, primary_key=True),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True, slots=True)
class RepeatedLine:
    """A line a later row of the same file repeats: the later row (`kept_row`) wins."""

    row: int
    line_id: str
    kept_row: int


@dataclass
class LoadResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    days: set[tuple[dt.date, int]] = field(default_factory=set)
    repeated: list[RepeatedLine] = field(default_factory=list)


def clear_staging(connection: Connection, import_id: int, attempt: int | None = None) -> None:
    """Forget the staged lines of an import (of one attempt, or of every attempt)."""
    only = "" if attempt is None else " AND attempt = :attempt"
    connection.execute(
        text(f"DELETE FROM staged_lines WHERE import_id = :import_id{only}"),
        {"import_id": import_id, "attempt": attempt},
    )


def describe_for_planner(
    connection: Connection, *, staged: bool = False, inserted: int = 0
) -> None:
    """Let PostgreSQL's planner know the tables a merge reads; the caller commits.

    Before a merge, the attempt's staged lines (`staged`): without statistics the planner takes
    staged_lines for nearly empty and probes order_lines once per staged line, about twice as
    long as hashing them for 1 M lines. After a merge that grew order_lines by a tenth or more
    (`inserted` lines), order_lines too, at once rather than at autovacuum's next round. Never
    in the merge's transaction: ANALYZE's lock would then keep concurrent merges waiting until
    it commits. Each ANALYZE gives up after `ANALYZE_SECONDS` rather than wait behind a lock;
    it only helps, so the callers carry on without it. SQLite plans by its indexes.
    """
    if connection.dialect.name != "postgresql":
        return
    limit = f"'{int(ANALYZE_SECONDS * 1000)}ms'"
    connection.execute(text(f"SET LOCAL lock_timeout = {limit}"))
    connection.execute(text(f"SET LOCAL statement_timeout = {limit}"))
    if staged:
        connection.execute(text("ANALYZE staged_lines"))
    if inserted:
        stored = connection.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = 'order_lines'::regclass")
        ).scalar()
        if inserted >= 0.1 * max(float(stored or 0), 0.0):
            connection.execute(text("ANALYZE order_lines"))


def staged_shops(connection: Connection, import_id: int, attempt: int) -> list[int]:
    """The shops of an attempt's staged lines, which its merge locks (app.metrics.refresh_lock)."""
    rows = connection.execute(
        text(f"SELECT DISTINCT s.shop_id FROM staged_lines s WHERE {OF_ATTEMPT}"),
        {"import_id": import_id, "attempt": attempt},
    )
    return sorted(int(shop_id) for (shop_id,) in rows)


def merge_staged(connection: Connection, import_id: int, attempt: int) -> LoadResult:
    """Apply an attempt's staged lines to order_lines and empty its staging; caller commits."""
    params = {"import_id": import_id, "attempt": attempt}
    repeated = _drop_repeated(connection, params)
    result = _outcomes(connection, params)
    result.repeated = repeated
    if result.updated:
        _record_changes(connection, params)
    _apply(connection, params, result)  # a file loaded before needs no write at all
    # Every attempt's: an older one's helper may have committed a chunk as it was stopped.
    clear_staging(connection, import_id)
    return result


def _drop_repeated(connection: Connection, params: dict[str, int]) -> list[RepeatedLine]:
    """The same line twice in one file: keep the last row, report the earlier ones."""
    keys = (
        "SELECT s.shop_id, s.line_id FROM staged_lines s "
        f"WHERE {OF_ATTEMPT} GROUP BY s.shop_id, s.line_id HAVING COUNT(*) > 1"
    )
    if connection.execute(text(f"{keys} LIMIT 1"), params).first() is None:
        return []
    rows = connection.execute(
        text(
            "SELECT s.id, s.row, s.shop_id, s.line_id FROM staged_lines s "
            f"JOIN ({keys}) k ON k.shop_id = s.shop_id AND k.line_id = s.line_id "
            f"WHERE {OF_ATTEMPT} ORDER BY s.shop_id, s.line_id, s.chunk, s.row"
        ),
        params,
    ).all()
    last = {(row.shop_id, row.line_id): int(row.row) for row in rows}  # rows in file order
    earlier = [
        (current.id, RepeatedLine(int(current.row), current.line_id, last[key]))
        for current, following in itertools.pairwise(rows)
        if (key := (current.shop_id, current.line_id)) == (following.shop_id, following.line_id)
    ]
    ids = [id_ for id_, _ in earlier]
    for start in range(0, len(ids), 1000):
        batch = ", ".join(str(int(id_)) for id_ in ids[start : start + 1000])
        connection.execute(text(f"DELETE FROM staged_lines WHERE id IN ({batch})"))
    return sorted((line for _, line in earlier), key=lambda line: line.row)


def _apply(connection: Connection, params: dict[str, int], result: LoadResult) -> None:
    """Changed lines by one UPDATE, new lines by a plain INSERT, as `_outcomes` counted.

    No `ON CONFLICT` and no per-row probe while inserting: the merge holds the refresh lock of
    its lines' shops (`lock_refreshes`), and a key names its shop, so no other writer adds a
    key meanwhile. The update runs first, so it
    cannot meet the lines the insert adds.
    """
    if result.updated:
        sets = [f"{c} = {value}" for c, value in _updated_values("o", "s").items()]
        sets.append("import_id = s.import_id")
        connection.execute(
            text(
                f"UPDATE order_lines AS o SET {', '.join(sets)} FROM staged_lines s "
                f"WHERE {KEY_JOIN} AND {OF_ATTEMPT} AND {_applies('o', 's')}"
            ),
            params,
        )
    if result.inserted:
        _insert_new(connection, params, every_line_new=result.inserted == _staged_count(result))


def _staged_count(result: LoadResult) -> int:
    return result.inserted + result.updated + result.unchanged + result.stale


def _insert_new(connection: Connection, params: dict[str, int], *, every_line_new: bool) -> None:
    """Insert the staged lines no stored line has the key of.

    When some are stored already, the new ones are listed first, in a statement of their own:
    an anti-join inside the INSERT could be planned as a scan of order_lines per staged line,
    each scan reading the rows the same INSERT has added so far.
    """
    columns = ", ".join(STAGED)
    insert = (
        f"INSERT INTO order_lines ({columns}, first_import_id) "
        f"SELECT {columns}, s.import_id FROM staged_lines s"
    )
    # Its references are the attempt's lines' (a few more when some only update).
    checked = checked_once(connection, OF_ATTEMPT, params, {"first_import_id": "import_id"})
    if every_line_new:
        with checked:
            connection.execute(text(f"{insert} WHERE {OF_ATTEMPT}"), params)
        return
    # A failed merge rolls the table back on PostgreSQL; SQLite may have kept it (its CREATE
    # commits when nothing else was written yet), so it is dropped first if it is there. No
    # `finally`: a statement in a failed PostgreSQL transaction would hide what failed.
    _NEW_LINES.drop(connection, checkfirst=True)
    _NEW_LINES.create(connection)
    connection.execute(
        text(
            "INSERT INTO new_staged_lines (id) SELECT s.id FROM staged_lines s "
            f"LEFT JOIN order_lines o ON {KEY_JOIN} WHERE {OF_ATTEMPT} AND o.id IS NULL"
        ),
        params,
    )
    with checked:
        connection.execute(text(f"{insert} JOIN new_staged_lines n ON n.id = s.id"))
    _NEW_LINES.drop(connection)


def _updated_values(o: str, x: str) -> dict[str, str]:
    """SQL per column: what an applied update of stored line `o` by incoming `x` stores."""
    keep_order = _KEEP_ORDER.format(s=x, o=o)
    keep_attribution = f"({_HAS.format(t=o)} AND (NOT {_HAS.format(t=x)} OR {keep_order}))"
    values = {c: f"CASE WHEN {keep_attribution} THEN {o}.{c} ELSE {x}.{c} END" for c in ATTRIBUTION}
    values.update(
        (c, f"CASE WHEN {keep_order} THEN {o}.{c} ELSE {x}.{c} END")
        for c in STAGED
        if c not in (*ATTRIBUTION, "platform", "shop_id", "line_id", "import_id")
    )
    return values


def _record_changes(connection: Connection, params: dict[str, int]) -> None:
    """One history row per stored line this attempt updates: its tracked fields before, after.

    Set-based, from the same join and rule (`_applies`) as the outcomes, before the update
    overwrites the old values; inserted lines need no row (first_import_id says who).
    """
    after = _updated_values("o", "s")
    postgresql = connection.dialect.name == "postgresql"

    def snapshot(value: Any) -> str:
        pairs = ", ".join(
            f"'{c}', {_fen(value(c), postgresql) if c in MONEY else value(c)}" for c in TRACKED
        )
        return f"{'json_build_object' if postgresql else 'json_object'}({pairs})"

    # The time is bound (naive UTC, as every stored time), not left to the database's clock,
    # whose CURRENT_TIMESTAMP follows the server's time zone on PostgreSQL.
    insert = text(
        "INSERT INTO line_changes (line_id, import_id, changed_at, before, after) "
        f"SELECT o.id, s.import_id, :changed_at, {snapshot(lambda c: f'o.{c}')}, "
        f"{snapshot(lambda c: after[c])} "
        f"FROM staged_lines s JOIN order_lines o ON {KEY_JOIN} "
        f"WHERE {OF_ATTEMPT} AND {_applies('o', 's')}"
    ).bindparams(bindparam("changed_at", type_=UTCDateTime()))
    connection.execute(insert, {**params, "changed_at": utcnow()})


def _fen(expression: str, postgresql: bool) -> str:
    """Money as integer 分 (SQLite stores 分 already), the same JSON on both databases."""
    return f"CAST(ROUND(({expression}) * 100) AS BIGINT)" if postgresql else expression


def _applies(o: str, s: str) -> str:
    """SQL: the incoming line `s` changes the stored line `o`.

    Same source: a changed line of an export not older than the stored one. An order export
    over a commission line: always (it says what was sold). A commission line over an order
    export's: only to add who sold it, where the order export named nobody.
    """
    keep_order = _KEEP_ORDER.format(s=s, o=o)
    return (
        f"CASE WHEN {keep_order} THEN NOT {_HAS.format(t=o)} AND {_HAS.format(t=s)} "
        f"WHEN {s}.source = 'order' AND {o}.source = 'commission' THEN {_TRUE} "
        f"ELSE {o}.export_time <= {s}.export_time AND {o}.row_hash <> {s}.row_hash END"
    )


_TRUE = "1 = 1"


def _outcomes(connection: Connection, params: dict[str, int]) -> LoadResult:
    """What the merge will do to each staged line, and the (day, shop) pairs it changes.

    One join of the staged lines with the stored ones: a line is new, stale (the stored one
    comes from a newer export), unchanged or updated, by the rules of `_applies`. New and
    updated lines touch their new payment day and, for an update, the old one.
    """
    rows = connection.execute(
        text(
            "SELECT s.shop_id, s.pay_day, o.pay_day, CASE "
            "WHEN o.id IS NULL THEN 'inserted' "
            f"WHEN {_applies('o', 's')} THEN 'updated' "
            f"WHEN s.source = o.source AND o.export_time > s.export_time THEN 'stale' "
            "ELSE 'unchanged' END AS outcome, COUNT(*) "
            f"FROM staged_lines s LEFT JOIN order_lines o ON {KEY_JOIN} "
            f"WHERE {OF_ATTEMPT} GROUP BY 1, 2, 3, 4"
        ),
        params,
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
