"""The data version: one counter every process reads to know whether figures may have changed.

Figures change only when their data does: an import commits, lines are re-matched, the
registry, a live session or a target changes, a month closes. Each of those writes calls
`bump_data_version(session)`; the counter is then raised by the last statement before that
transaction's COMMIT, so a rolled-back write raises nothing and every web or Celery process
sees the new value exactly when it sees the new data. Cached figures are keyed by it.

Writes through the session to the tables figures read are noted too (ORM objects flushed, and
INSERT, UPDATE or DELETE statements given to `session.execute`), so a write path that forgets
the call still raises the version; statements run on a bare connection (the import's merge,
the rollups) and text SQL need the call.

A raised value is at least the time in microseconds, never one used before: a database
emptied or restored from a backup never reuses a version a shared cache already holds.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import DDL, BigInteger, Connection, Label, Select, case, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    scoped_session,
)

from app.models.base import Base

_ROW = 1
_PENDING = "cunbo_figures_changed"
_SEEN = "cunbo_data_version_seen"

# Tables whose rows no figure reads: writing them leaves the version alone.
NOT_FIGURES = frozenset(
    {
        "users",
        "user_scopes",
        "api_tokens",
        "sales_imports",
        "import_errors",
        "column_mappings",
        "registry_loads",
        "staged_lines",
        "import_parts",
        "line_changes",
        "data_version",
    }
)


class DataVersion(Base):
    """The one row holding the data version."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


event.listen(
    DataVersion.__table__,
    "after_create",
    DDL(f"INSERT INTO data_version (id, version) VALUES ({_ROW}, 1)"),
)


Target = Session | scoped_session[Any] | Connection


def bump_data_version(target: Target) -> None:
    """Raise the data version when the transaction of `target` commits (a session), or now, in
    the connection's current transaction (a connection)."""
    if isinstance(target, Connection):
        _raise(target)
        return
    _session(target).info[_PENDING] = True


def data_version(target: Target) -> int | None:
    """The data version, or None when the database holds none (an emptied test database).

    A session that has already read it in this transaction (`note_data_version`) answers
    without a query."""
    session = target if isinstance(target, Connection) else _session(target)
    if isinstance(session, Session) and _SEEN in session.info:
        seen: int | None = session.info[_SEEN]
        return seen
    return session.execute(_version_query()).scalar()


def data_version_column() -> Label[int]:
    """The data version as a column, for a query that reads it beside its own rows (the
    signed-in user's, once per request) and hands it to `note_data_version`."""
    return _version_query().scalar_subquery().label("data_version")


def note_data_version(target: Session | scoped_session[Any], version: int | None) -> None:
    """Keep `version`, read in the session's current transaction, until that transaction
    ends or `forget_data_version` (at the end of each web request)."""
    session = _session(target)
    if session.in_transaction():
        session.info[_SEEN] = version


def forget_data_version(target: Session | scoped_session[Any]) -> None:
    """Read the version afresh next time, even in the same transaction."""
    if isinstance(target, scoped_session) and not target.registry.has():
        return  # no session in this scope (a static file): none to make just to forget
    _session(target).info.pop(_SEEN, None)


def _session(target: Session | scoped_session[Any]) -> Session:
    return target() if isinstance(target, scoped_session) else target


def _version_query() -> Select[tuple[int]]:
    return select(DataVersion.version).where(DataVersion.id == _ROW)


def _raise(target: Session | Connection) -> None:
    now = time.time_ns() // 1000
    table = DataVersion.__table__
    raised = case((table.c.version + 1 > now, table.c.version + 1), else_=now)
    dialect = target.get_bind().dialect.name if isinstance(target, Session) else target.dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(id=_ROW, version=now)
    target.execute(
        stmt.on_conflict_do_update(index_elements=[table.c.id], set_={"version": raised})
    )


def _touches_figures(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table is not None and table not in NOT_FIGURES:
            return True
    return False


@event.listens_for(Session, "before_flush")
def _note_figure_writes(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(_PENDING) and _touches_figures(session):
        session.info[_PENDING] = True


@event.listens_for(Session, "do_orm_execute")
def _note_figure_statements(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in NOT_FIGURES:
        state.session.info[_PENDING] = True


@event.listens_for(Session, "before_commit")
def _raise_before_commit(session: Session) -> None:
    if session.info.get(_PENDING) or _touches_figures(session):
        # Flush first: raising the version is the transaction's last write, so the row lock
        # it takes is held only while COMMIT runs.
        session.flush()
        session.info.pop(_PENDING, None)
        _raise(session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        session.info.pop(_PENDING, None)
        session.info.pop(_SEEN, None)
