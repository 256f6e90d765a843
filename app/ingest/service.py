"""Run one sales import: read the stored file in chunks, stage them, merge once, report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from app import jobs
from app.extensions import db
from app.ingest import ImportFileError, parts
from app.ingest.errors import RowError
from app.ingest.export_reader import ExportReader
from app.ingest.loader import clear_staging, describe_for_planner, merge_staged, staged_shops
from app.ingest.parts import CRASHED, TIMED_OUT, AttemptTakenOver, PartLost, wording_pair
from app.ingest.rows import DUPLICATE
from app.ingest.storage import seal_password, store_path
from app.metrics.brand_rollups import brand_rollups_current
from app.metrics.refresh_lock import lock_refreshes
from app.metrics.rollup_write import refresh_days
from app.models import ColumnMapping, ImportRowError, SalesImport, Shop, utcnow
from app.models.sales import COUNT_NAMES
from app.models.versions import bump_data_version
from app.wording import N_, say

log = logging.getLogger(__name__)


class TransientImportError(RuntimeError):
    """The database was briefly unavailable; the task retries the import (a new attempt)."""


def create_import(
    path: str | Path,
    *,
    file_name: str | None = None,
    platform: str | None = None,
    shop_code: str | None = None,
    password: str | None = None,
    mapping_name: str | None = None,
    user_id: int | None = None,
    stored: tuple[Path, str, int] | None = None,
) -> SalesImport:
    """Keep the file (content-addressed) and create its import row, committed and `queued`."""
    if stored is None:
        stored = store_path(path, current_app.config["UPLOAD_FOLDER"])
    stored_path, sha, size = stored
    shop = None
    if shop_code:
        shop = db.session.scalar(select(Shop).where(Shop.code == shop_code))
        if shop is None:
            raise ImportFileError(say(_NO_SUCH_SHOP, code=shop_code), "unknown_shop")
    if (
        mapping_name
        and db.session.scalar(select(ColumnMapping.id).where(ColumnMapping.name == mapping_name))
        is None
    ):
        raise ImportFileError(say(_NO_SUCH_MAPPING, name=mapping_name), "unknown_mapping")
    record = SalesImport(
        file_name=file_name or Path(path).name,
        sha256=sha,
        size=size,
        stored_path=str(stored_path),
        platform=platform or (shop.platform if shop else None),
        shop_id=shop.id if shop else None,
        mapping_name=mapping_name,
        sealed_password=seal_password(password, current_app.config["SECRET_KEY"])
        if password
        else None,
        created_by_id=user_id,
        status="queued",
        heartbeat_at=utcnow(),
        notes=[],
    )
    db.session.add(record)
    db.session.commit()
    return record


def run_import(
    import_id: int,
    on_chunk: Callable[[SalesImport], None] | None = None,
    *,
    timeout_errors: tuple[type[BaseException], ...] = (),
    helpers: parts.Helpers | None = None,
) -> SalesImport:
    """Run an attempt at a queued import, or take over one whose attempt died.

    Safe to run twice at once: only the caller that gets the import's lease works, the other
    returns the import as it is. The attempt stages every chunk where no figure sees it, then
    one transaction merges the lines, refreshes the rollups and marks the import succeeded.
    `timeout_errors` are what the caller's time limit raises (Celery's soft limit).
    `helpers`, when given, asks other workers to stage parts of the file (app.ingest.parts).
    """
    try:
        attempt = jobs.begin_attempt(
            SalesImport, import_id, current_app.config["IMPORT_MAX_ATTEMPTS"]
        )
    except jobs.AttemptsExhausted:
        _forget_file_secrets(import_id)
        return _reload(import_id)
    except Exception as exc:
        if not jobs.is_transient(exc):
            raise
        jobs.reset_session()
        raise TransientImportError(str(exc)) from exc
    if attempt is None:
        return _reload(import_id)
    with jobs.held(attempt):
        try:
            _attempt(attempt, on_chunk, helpers)
        except AttemptTakenOver:
            jobs.reset_session()
            log.warning("import %s: attempt %s was taken over", import_id, attempt.number)
        except ImportFileError as exc:
            jobs.reset_session()
            _fail(attempt, exc.code, (exc.message, exc.message_en))
        except timeout_errors:
            jobs.reset_session()
            _fail(attempt, "timed_out", wording_pair(TIMED_OUT))
        except PartLost as exc:
            jobs.reset_session()
            log.warning("import %s: %s; starting over", import_id, exc)
            _requeue(attempt, _HELPER_LOST)
            raise TransientImportError(str(exc)) from exc
        except Exception as exc:
            jobs.reset_session()
            if jobs.is_timeout(exc):
                _fail(attempt, "timed_out", wording_pair(TIMED_OUT))
            elif jobs.is_transient(exc):
                log.warning("import %s: database unavailable, retrying: %s", import_id, exc)
                _requeue(attempt)
                raise TransientImportError(str(exc)) from exc
            else:
                log.exception("import %s crashed", import_id)
                _fail(attempt, "internal_error", wording_pair(CRASHED))
                raise
    _describe_growth(_reload(import_id))
    return _reload(import_id)


def _describe_growth(record: SalesImport) -> None:
    """After a merge that grew order_lines by a tenth, tell the planner at once. The import is
    committed: whatever stops this (a lock held too long, a lost connection, the task's time
    limit) is only logged."""
    if record.status == "succeeded" and record.inserted:
        _describe(record.id, Exception, inserted=record.inserted)


def _describe(import_id: int, errors: type[BaseException], **tables: Any) -> None:
    """`describe_for_planner`, which only speeds merges up: on `errors` it is logged and left."""
    try:
        describe_for_planner(db.session.connection(), **tables)
        db.session.commit()
    except errors as exc:
        jobs.reset_session()
        log.warning("import %s: ANALYZE skipped: %s", import_id, exc)


_NO_SUCH_SHOP = N_("网店编码“{code}”不存在，请先在名录中登记该网店。")
_NO_SUCH_MAPPING = N_("列映射“{name}”不存在。")
# A helper staging a part of the file died: the same words as the sweeper's (tasks.imports).
_HELPER_LOST = N_("处理进程中断，已自动重新排队。")
_DATABASE_DOWN = N_("数据库暂时不可用，稍后自动重试。")
_NO_LINES = N_("文件中没有订单行。")


def _reload(import_id: int) -> SalesImport:
    record = db.session.get(SalesImport, import_id, populate_existing=True)
    if record is None:
        raise LookupError(f"import {import_id} not found")
    return record


def _fail(attempt: jobs.Attempt, code: str, message: tuple[str, str]) -> None:
    """Mark the attempt's import failed, unless another attempt has taken it over."""
    failed = db.session.execute(
        update(SalesImport)
        .where(SalesImport.id == attempt.job_id, SalesImport.attempts == attempt.number)
        .values(
            status="failed",
            code=code,
            message=message[0],
            message_en=message[1],
            finished_at=utcnow(),
            sealed_password=None,
        )
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
    if failed:
        clear_staging(db.session.connection(), attempt.job_id, attempt.number)
        parts.forget_parts(attempt.job_id, [attempt.number])
    db.session.commit()


def _requeue(attempt: jobs.Attempt, why: str = _DATABASE_DOWN) -> None:
    """After a lost connection: queued again for the retry, if the database answers at all."""
    message, message_en = wording_pair(why)
    try:
        db.session.execute(
            update(SalesImport)
            .where(SalesImport.id == attempt.job_id, SalesImport.attempts == attempt.number)
            .values(status="queued", message=message, message_en=message_en)
        )
        db.session.commit()
    except Exception as exc:  # the retry (or the sweeper) takes over whatever the state
        jobs.reset_session()
        log.warning("import %s: could not mark it queued: %s", attempt.job_id, exc)


def _forget_file_secrets(import_id: int) -> None:
    """A failed import keeps neither its staged lines nor its file's password."""
    clear_staging(db.session.connection(), import_id)
    parts.forget_parts(import_id)
    db.session.execute(
        update(SalesImport).where(SalesImport.id == import_id).values(sealed_password=None)
    )
    db.session.commit()


def _attempt(
    attempt: jobs.Attempt,
    on_chunk: Callable[[SalesImport], None] | None,
    helpers: parts.Helpers | None,
) -> None:
    record = _reload(attempt.job_id)
    limit = statement_limit(record.size)
    _start_over(record)
    reader = _open(record)
    share = parts.share_out(attempt, parts.how_many_parts(reader, record, helpers), helpers)
    parts.stage_share(record, attempt, reader, share, limit, on_chunk)
    parts.wait_for_helpers(attempt, share, reader)
    # A database error here leaves the merge to plan without; a time limit still stops it.
    _describe(record.id, SQLAlchemyError, staged=True)
    line_column = reader.headers.get("line_id") or reader.headers.get("order_id") or "子订单号"
    _merge(record, attempt, reader.notes.as_list(), limit, line_column)


def _start_over(record: SalesImport) -> None:
    """A new attempt forgets what a dead one staged and reported."""
    clear_staging(db.session.connection(), record.id)
    parts.forget_parts(record.id)
    db.session.execute(delete(ImportRowError).where(ImportRowError.import_id == record.id))
    for name in COUNT_NAMES:
        setattr(record, name, 0)
    db.session.commit()


def _open(record: SalesImport) -> ExportReader:
    reader = parts.open_reader(record)
    record.platform = reader.platform
    record.kind = reader.kind
    record.export_time = reader.export_time or record.created_at
    record.notes = reader.notes.as_list()  # shown while it runs; complete once it is read
    db.session.commit()
    return reader


def _merge(
    record: SalesImport,
    attempt: jobs.Attempt,
    notes: list[dict[str, object]],
    limit: float,
    line_column: str,
) -> None:
    """The one commit that makes the file visible: lines, rollups and status together."""
    jobs.limit_statements(limit)
    if not jobs.still_current(SalesImport, attempt):
        db.session.rollback()
        log.warning("import %s: attempt %s was taken over", record.id, attempt.number)
        return
    # Only this file's shops wait for each other; a registry change since the brand rollups
    # were computed recomputes them for every shop, so it locks them all.
    shops = staged_shops(db.session.connection(), record.id, attempt.number)
    lock_refreshes(shops if brand_rollups_current() else None)
    result = merge_staged(db.session.connection(), record.id, attempt.number)
    parts.forget_parts(record.id, [attempt.number])
    repeated = [
        RowError.said(
            line.row,
            line_column,
            line.line_id,
            say(DUPLICATE, column=line_column, value=line.line_id, last=line.kept_row),
            "duplicate_line",
        )
        for line in result.repeated
    ]
    parts.record_errors(record.id, repeated)
    refresh_days({day for day, _ in result.days}, {shop for _, shop in result.days})
    record.inserted = result.inserted
    record.updated = result.updated
    record.unchanged = result.unchanged
    record.stale = result.stale
    record.rejected += len(repeated)
    record.notes = notes
    record.status = "succeeded"
    record.progress = 1.0
    record.finished_at = utcnow()
    record.sealed_password = None
    if record.read == 0:
        record.message, record.message_en = wording_pair(_NO_LINES)
    bump_data_version(db.session)
    db.session.commit()


def statement_limit(size: int) -> float:
    """Seconds one statement of an import may take, scaled to the file."""
    config = current_app.config
    return float(
        config["IMPORT_TIME_LIMIT_BASE"] + config["IMPORT_TIME_LIMIT_PER_MB"] * size / 2**20
    )
