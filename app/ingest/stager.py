"""Stage an attempt's chunks on a connection of their own while the next chunk is read.

Reading and normalising a chunk is the worker's CPU; its COPY into `staged_lines` is the
database's. `Stager` overlaps the two on PostgreSQL: the attempt hands each chunk over and goes
on reading the next one while a thread copies it and commits, one chunk at a time, so at most
one more chunk is held in memory than when staging in turn. Whatever the thread raises (a
dropped connection, a statement timeout) is raised again in the attempt, as the error itself,
so the attempt treats it exactly as if it had run the COPY. On SQLite, which has one writer,
the chunk is staged in turn on the attempt's own connection.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, text

from app.ingest.staging import stage_chunk

_POLL_SECONDS = 0.5
_CLOSE_SECONDS = 30


class Stager:
    """Hand chunks over with `stage`, then `finish` once the file is read (it waits for the
    last COPY); leaving the `with` block without `finish` stops the thread."""

    def __init__(self, engine: Engine, attempt: int, statement_seconds: float) -> None:
        self._engine = engine
        self._attempt = attempt
        self._statement_ms = str(int(statement_seconds * 1000))
        self._chunks: queue.Queue[tuple[pd.DataFrame, int] | None] = queue.Queue()
        self._free = threading.Semaphore(1)  # one chunk on its way at a time
        self._error: BaseException | None = None
        self._driver: Any = None
        self._thread = threading.Thread(target=self._run, name="cunbo-stager", daemon=True)
        self._thread.start()

    def __enter__(self) -> Stager:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._thread.is_alive():
            self._stop()

    def stage(self, frame: pd.DataFrame, chunk: int) -> None:
        """Queue one chunk's frame; waits while the previous chunk is still being copied."""
        while not self._free.acquire(timeout=_POLL_SECONDS):
            self._raise()
        self._raise()
        self._chunks.put((frame, chunk))

    def finish(self) -> None:
        """Wait until every chunk handed over is committed; raise what the thread raised."""
        self._chunks.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error
        if not self._thread.is_alive():
            raise RuntimeError("the staging thread ended early")

    def _stop(self) -> None:
        """The attempt gave up: cancel a COPY under way and let the thread end."""
        self._chunks.put(None)
        driver = self._driver
        if driver is not None:
            try:
                driver.cancel()
            except Exception:  # the connection is gone already: nothing left to cancel
                pass
        self._thread.join(timeout=_CLOSE_SECONDS)

    def _run(self) -> None:
        try:
            with self._engine.connect() as connection:
                self._driver = connection.connection.driver_connection
                while (item := self._chunks.get()) is not None:
                    self._copy(connection, *item)
                    self._free.release()
        except BaseException as exc:  # handed to the attempt, which decides what it means
            self._error = exc
            self._free.release()
        finally:
            self._driver = None

    def _copy(self, connection: Connection, frame: pd.DataFrame, chunk: int) -> None:
        connection.execute(
            text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": self._statement_ms}
        )
        stage_chunk(connection, frame, attempt=self._attempt, chunk=chunk)
        connection.commit()


class InlineStager:
    """The same hand-over, staging each chunk at once on the attempt's own connection (in its
    transaction, committed with the chunk's counts)."""

    def __init__(self, connection: Callable[[], Connection], attempt: int) -> None:
        self._connection = connection
        self._attempt = attempt

    def __enter__(self) -> InlineStager:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def stage(self, frame: pd.DataFrame, chunk: int) -> None:
        stage_chunk(self._connection(), frame, attempt=self._attempt, chunk=chunk)

    def finish(self) -> None:
        return None


def stager_for(
    engine: Engine, connection: Callable[[], Connection], attempt: int, statement_seconds: float
) -> Stager | InlineStager:
    """A thread of its own on PostgreSQL; in turn on SQLite, which has one writer."""
    if engine.dialect.name == "postgresql":
        return Stager(engine, attempt, statement_seconds)
    return InlineStager(connection, attempt)
