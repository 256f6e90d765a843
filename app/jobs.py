"""The discipline every background job keeps (sales imports, registry loads).

- One attempt at a time, held by a **lease** that dies with its process: a PostgreSQL session
  advisory lock on a connection of its own, or an `flock` on a file beside the SQLite database.
  A redelivered task whose previous attempt died finds the lease free and takes over at once;
  one whose previous attempt still runs finds it held and does nothing.
- Each attempt has a **number** (`attempts` after the claim) that fences its writes: a commit
  that makes work visible checks the job is still `running` under that number.
- A **cap** on attempts, so a file that kills its worker every time ends `failed`.
- Errors of a lost connection are **transient** (the task retries); a statement cancelled by
  `statement_timeout` is a **timeout**.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import psycopg
from sqlalchemy import Connection, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from app.extensions import db
from app.models import utcnow
from app.wording import N_, Wording, say

# The first key of the two-int advisory lock, one per job table.
_LOCK_SPACE = {"sales_imports": 7_311, "registry_loads": 7_312}
# A part of an import attempt (app.ingest.parts) has a lease of its own: space 7400 + part.
_PART_SPACE = 7_400
MAX_PARTS = 64
FINAL = ("succeeded", "failed")


class Job(Protocol):
    """What app.models.jobs.JobState gives a job row."""

    id: Any
    status: Any
    attempts: Any
    progress: Any
    heartbeat_at: Any
    message: Any
    message_en: Any
    code: Any
    finished_at: Any


@dataclass
class Lease:
    """Held while one attempt runs; released by `release()` or by the process dying."""

    _connection: Connection | None = None
    _file: IO[bytes] | None = None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.execute(text("SELECT pg_advisory_unlock_all()"))
                connection.close()
            except DBAPIError:
                # The connection is gone, and its locks with it; never pool it again.
                with suppress(DBAPIError):
                    connection.invalidate()


def try_lease(table: str, job_id: int, part: int | None = None) -> Lease | None:
    """The job's lease (or one part's), or None while another live attempt holds it."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        space = _LOCK_SPACE[table] if part is None else _PART_SPACE + part
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = connection.scalar(
                text("SELECT pg_try_advisory_lock(:space, :id)"), {"space": space, "id": job_id}
            )
        except BaseException:
            connection.close()
            raise
        if got:
            return Lease(_connection=connection)
        connection.close()
        return None
    handle = _lock_path(table, job_id, part).open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return Lease(_file=handle)


def lease_is_free(table: str, job_id: int, part: int | None = None) -> bool:
    """True when no live attempt holds the job's lease (the sweeper's test for a dead one)."""
    lease = try_lease(table, job_id, part)
    if lease is None:
        return False
    lease.release()
    return True


def _lock_path(table: str, job_id: int, part: int | None = None) -> Path:
    """A lock file beside the SQLite database, so two databases never share a lock."""
    database = make_url(db.engine.url).database
    if database and database != ":memory:":
        folder = Path(database).with_name(Path(database).name + ".locks")
    else:
        folder = Path(tempfile.gettempdir()) / f"cunbo-locks-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{table}-{job_id}" if part is None else f"{table}-{job_id}-part{part}"
    return folder / f"{name}.lock"


@dataclass
class Attempt:
    """One attempt at a job: its number and its lease."""

    job_id: int
    number: int
    lease: Lease


class AttemptsExhausted(Exception):
    """The job reached its attempt cap; it has been marked failed."""


def begin_attempt(model: type[Any], job_id: int, cap: int) -> Attempt | None:
    """Take the job's lease and start attempt n+1; None when there is nothing to do.

    Nothing to do: the job does not exist, is finished, or another live attempt holds it.
    A job whose attempts reached `cap` is failed here and AttemptsExhausted raised.
    """
    lease = try_lease(model.__tablename__, job_id)
    if lease is None:
        return None
    try:
        job = db.session.get(model, job_id, populate_existing=True)
        if job is None or job.status in FINAL:
            lease.release()
            return None
        if job.attempts >= cap:
            finish(job, "failed", code="attempts_exhausted", message=_EXHAUSTED)
            lease.release()
            raise AttemptsExhausted(job_id)
        now = utcnow()
        db.session.execute(
            update(model)
            .where(model.id == job_id)
            .values(
                status="running",
                attempts=model.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                progress=0.0,
                message=None,
                message_en=None,
                code=None,
                finished_at=None,
            )
        )
        db.session.commit()
        number = db.session.scalar(select(model.attempts).where(model.id == job_id))
    except BaseException:
        lease.release()
        raise
    return Attempt(job_id, int(number or 0), lease)


_EXHAUSTED = say(
    N_(
        "已自动重试多次仍未完成（处理进程每次都中断），已停止。"
        "请确认文件是平台导出的原始文件、没有被另存或损坏后重新上传；如仍失败请把文件交给管理员。"
    )
)


def still_current(model: type[Any], attempt: Attempt) -> bool:
    """True while the job is `running` under this attempt's number (locks the row until commit).

    Called first in the transaction that makes an attempt's work visible: on SQLite the
    UPDATE takes the write lock, so what the transaction reads next cannot change under it.
    """
    changed = db.session.execute(
        update(model)
        .where(
            model.id == attempt.job_id,
            model.status == "running",
            model.attempts == attempt.number,
        )
        .values(heartbeat_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
    return bool(changed)


def finish(
    job: Job, status: str, *, code: str | None = None, message: str | Wording | None = None
) -> None:
    """Record a final state and commit (the message in Chinese and, where it has one, English)."""
    job.status = status
    job.code = code
    job.message = None if message is None else str(message)
    job.message_en = message.en if isinstance(message, Wording) else None  # none of its own
    job.finished_at = utcnow()
    if status == "succeeded":
        job.progress = 1.0
    db.session.commit()


def limit_statements(seconds: float) -> None:
    """Bound every statement of the current transaction (PostgreSQL `statement_timeout`)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT set_config('statement_timeout', :ms, true)"),
            {"ms": str(int(seconds * 1000))},
        )


def is_timeout(exc: BaseException) -> bool:
    """A statement cancelled by statement_timeout (a long statement or a lock wait past it)."""
    original = getattr(exc, "orig", exc)
    return getattr(original, "sqlstate", None) == "57014"  # query_canceled


def is_transient(exc: BaseException) -> bool:
    """An error of a lost or briefly unavailable database, worth retrying the attempt for.

    The driver's own errors count too: COPY writes through the raw psycopg connection, whose
    errors SQLAlchemy never wraps.
    """
    if is_timeout(exc):
        return False
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    original = getattr(exc, "orig", exc)
    if isinstance(original, sqlite3.Error):
        # SQLite's OperationalError also means a missing table or a full disk: only a busy
        # database is worth a retry.
        return getattr(original, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")
    transient = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
    return isinstance(exc, transient)


def reset_session() -> None:
    """Roll the session back even when its connection died (the rollback itself may raise)."""
    try:
        db.session.rollback()
    except _ROLLBACK_ERRORS:
        db.session.close()


_ROLLBACK_ERRORS = (DBAPIError, sqlite3.Error, OSError, psycopg.Error)


@contextmanager
def held(attempt: Attempt) -> Iterator[Attempt]:
    """The attempt, its lease released however the block ends."""
    try:
        yield attempt
    finally:
        attempt.lease.release()
