"""Stage an attempt's chunks in parts, which several workers stage at the same time.

Chunk n of a file belongs to part n % parts. The attempt's own task (the coordinator, which
holds the import's lease) lists the parts, asks helpers to stage parts 1 and up (Celery tasks:
tasks.imports.stage_part), gives them a moment to claim theirs and claims every part left.
Each worker then reads the whole file once and cleans, checks and stages only the chunks of
its own parts. A part is claimed once (an UPDATE fenced by the attempt's number), held by a
lease that dies with its worker, and finished, with the notes its chunks gave, once its last
chunk is committed; or failed, with the reason its file was rejected.

Before the one merge (app.ingest.service), the coordinator waits for the helpers' parts. A
helper that died (its part's lease free, the part unfinished) sends the whole attempt round
again, as a dropped connection does (`PartLost`); a file a helper rejected fails the import.
So staging in parts keeps the all-or-nothing rule: nothing is visible before the merge, and
the merge sees every chunk exactly once, whoever staged it. The helper's side of it is
app.ingest.part_helper.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from app import jobs
from app.extensions import db
from app.ingest import ImportFileError, open_export
from app.ingest.errors import RowError
from app.ingest.export_reader import ExportReader
from app.ingest.matching import Matcher, shops_by_reference
from app.ingest.row_shops import assign_shops, uploader_shops
from app.ingest.stager import stager_for
from app.ingest.staging import frame_for_staging
from app.ingest.storage import open_password
from app.models import (
    ColumnMapping,
    ImportPart,
    ImportRowError,
    SalesImport,
    utcnow,
)
from app.wording import N_, say

log = logging.getLogger(__name__)

STAGING_SHARE = 0.9  # of the progress bar; the merge takes the rest
# How long the coordinator leaves the helpers to claim their parts before it claims them.
CLAIM_GRACE_SECONDS = 1.0
_POLL_SECONDS = 0.2

# Asked by the coordinator: stage these parts of this attempt (import id, attempt, parts).
Helpers = Callable[[int, int, list[int]], None]


CRASHED = N_("导入时发生内部错误，数据没有变化；错误已记录，请联系管理员。")
TIMED_OUT = N_(
    "导入超过时限仍未完成，已停止，数据没有变化。"
    "文件可能过大：请在平台按较短的时间段分批导出后上传。"
)


class AttemptTakenOver(RuntimeError):
    """Another attempt owns the import now (this one lost its lease): stop, change nothing."""


class PartLost(RuntimeError):
    """A helper died with its part unstaged: the attempt starts over, as after a lost
    connection."""


@dataclass(frozen=True)
class Share:
    """The parts of an attempt one worker stages: chunk n when n % parts is one of `mine`."""

    parts: int
    mine: frozenset[int]

    def takes(self, chunk: int) -> bool:
        return chunk % self.parts in self.mine


def open_reader(record: SalesImport) -> ExportReader:
    """The import's stored file, recognised with its saved mapping and password."""
    mapping = None
    if record.mapping_name:
        saved = db.session.scalar(
            select(ColumnMapping).where(ColumnMapping.name == record.mapping_name)
        )
        mapping = saved.fields if saved else None
    return open_export(
        record.stored_path,
        platform=record.platform,
        password=open_password(record.sealed_password, current_app.config["SECRET_KEY"]),
        mapping=mapping,
        filename=record.file_name,
        chunk_rows=current_app.config["IMPORT_CHUNK_ROWS"],
    )


def how_many_parts(reader: ExportReader, record: SalesImport, helpers: Helpers | None) -> int:
    """One part unless helpers can take some; never for a file of one chunk, nor for a format
    whose line ids count a product's repeats across the whole file (微信小店, 快手)."""
    config = current_app.config
    wanted = min(int(config["IMPORT_PARTS"]), jobs.MAX_PARTS)
    if helpers is None or wanted < 2 or reader.format.split_parts:
        return 1
    if record.size < config["IMPORT_PART_MIN_MB"] * 2**20:
        return 1
    if reader.total_rows is not None:
        wanted = min(wanted, -(-reader.total_rows // reader.chunk_rows))
    return max(wanted, 1)


def share_out(attempt: jobs.Attempt, parts: int, helpers: Helpers | None) -> Share:
    """List the attempt's parts, ask the helpers for parts 1 and up, and claim what is left.

    Returns the coordinator's share. The leases of the parts it claims are not needed (the
    import's own lease covers them): a coordinator that dies takes its whole attempt with it.
    """
    import_id, number = attempt.job_id, attempt.number
    db.session.execute(
        insert(ImportPart),
        [
            {"import_id": import_id, "attempt": number, "part": p, "parts": parts, "progress": 0.0}
            for p in range(parts)
        ],
    )
    db.session.commit()
    if parts > 1 and helpers is not None:
        helpers(import_id, number, list(range(1, parts)))
        deadline = time.monotonic() + CLAIM_GRACE_SECONDS
        while _unclaimed(import_id, number) - {0} and time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS / 4)
    mine = {p for p in _unclaimed(import_id, number) if claim_part(import_id, number, p)}
    db.session.commit()
    return Share(parts, frozenset(mine))


def _unclaimed(import_id: int, attempt: int) -> set[int]:
    rows = set(
        db.session.scalars(
            select(ImportPart.part).where(
                ImportPart.import_id == import_id,
                ImportPart.attempt == attempt,
                ImportPart.started_at.is_(None),
            )
        )
    )
    db.session.commit()  # a fresh snapshot for the next look
    return rows


def claim_part(import_id: int, attempt: int, part: int) -> bool:
    """Mark a part started, if no one has and the attempt is still the import's; caller
    commits."""
    current = (
        select(SalesImport.id)
        .where(
            SalesImport.id == import_id,
            SalesImport.status == "running",
            SalesImport.attempts == attempt,
        )
        .exists()
    )
    claimed = db.session.execute(
        update(ImportPart)
        .where(
            ImportPart.import_id == import_id,
            ImportPart.attempt == attempt,
            ImportPart.part == part,
            ImportPart.started_at.is_(None),
            current,
        )
        .values(started_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
    return bool(claimed)


def stage_share(
    record: SalesImport,
    attempt: jobs.Attempt,
    reader: ExportReader,
    share: Share,
    limit: float,
    on_chunk: Callable[[SalesImport], None] | None = None,
) -> None:
    """Read the file and stage the chunks of `share`, committing each with its counts."""
    export_time = record.export_time or record.created_at
    matcher = Matcher.load(db.session, reader.platform, own_codes=reader.kind == "template")
    shops = shops_by_reference(db.session, reader.platform)
    allowed = uploader_shops(record)
    with stager_for(db.engine, db.session.connection, attempt.number, limit) as stager:
        for number, chunk in reader.numbered_chunks(share.takes):
            jobs.limit_statements(limit)
            lines, shop_errors = assign_shops(chunk.lines, record, shops, allowed)
            if not lines.empty:
                lines["platform"] = reader.platform
                stager.stage(
                    frame_for_staging(
                        matcher.apply(lines), record.id, export_time, reader.format.source
                    ),
                    number,
                )
            # The fence locks the import's row until the commit: taken last, so the workers
            # of an import wait for each other only while they add up their counts.
            if not jobs.still_current(SalesImport, attempt):
                raise AttemptTakenOver(attempt.number)
            errors = [*chunk.errors, *shop_errors]
            _count_chunk(attempt, share, chunk.rows_read, errors, chunk.progress)
            db.session.commit()
            if on_chunk is not None:
                on_chunk(_reloaded(record))
            del chunk, lines  # not held while the next chunk is read
        stager.finish()


def _reloaded(record: SalesImport) -> SalesImport:
    db.session.refresh(record)
    return record


def _count_chunk(
    attempt: jobs.Attempt, share: Share, rows_read: int, errors: list[RowError], progress: float
) -> None:
    """Add a chunk's counts to the import (several workers add theirs at once) and move the
    progress bar to where the slowest part has got."""
    import_id, number = attempt.job_id, attempt.number
    db.session.execute(
        update(SalesImport)
        .where(SalesImport.id == import_id)
        .values(
            read=SalesImport.read + rows_read,
            rejected=SalesImport.rejected + len(errors),
            heartbeat_at=utcnow(),
        )
    )
    record_errors(import_id, errors)
    of_attempt = (ImportPart.import_id == import_id, ImportPart.attempt == number)
    db.session.execute(
        update(ImportPart)
        .where(*of_attempt, ImportPart.part.in_(share.mine))
        .values(progress=progress)
    )
    slowest = db.session.scalar(
        select(ImportPart.progress).where(*of_attempt).order_by(ImportPart.progress).limit(1)
    )
    shown = min((slowest or 0.0) * STAGING_SHARE, STAGING_SHARE)
    db.session.execute(
        update(SalesImport)
        .where(SalesImport.id == import_id, SalesImport.progress < shown)
        .values(progress=shown)
    )


def record_errors(import_id: int, errors: list[RowError]) -> None:
    """Keep the rows left out of an import, with their reasons; the caller commits."""
    if errors:
        db.session.execute(
            insert(ImportRowError),
            [
                {
                    "import_id": import_id,
                    "row": error.row,
                    "column": error.column,
                    "value": None if error.value is None else str(error.value)[:500],
                    "code": error.code,
                    "message": error.message,
                    "message_en": error.message_en or error.message,
                }
                for error in errors
            ],
        )


def wording_pair(template: str) -> tuple[str, str]:
    """A message's Chinese and English, as an import keeps them."""
    wording = say(template)
    return wording.zh, wording.en


def rows_of(attempt: jobs.Attempt, share: Share) -> tuple[ColumnElement[bool], ...]:
    """Where the parts of `share` are listed."""
    return (
        ImportPart.import_id == attempt.job_id,
        ImportPart.attempt == attempt.number,
        ImportPart.part.in_(share.mine),
    )


def finish_share(attempt: jobs.Attempt, share: Share, reader: ExportReader) -> None:
    """Every chunk of the share is committed: mark its parts finished, with the file's notes."""
    db.session.execute(
        update(ImportPart)
        .where(*rows_of(attempt, share))
        .values(finished_at=utcnow(), progress=1.0, notes=reader.notes.of_part())
    )
    db.session.commit()


def wait_for_helpers(attempt: jobs.Attempt, share: Share, reader: ExportReader) -> None:
    """Wait until every part the helpers claimed is finished; add their notes to `reader`'s.

    Raises PartLost for a helper that died, the ImportFileError a helper met, and
    AttemptTakenOver when the attempt is no longer the import's.
    """
    import_id, number = attempt.job_id, attempt.number
    theirs = set(range(share.parts)) - share.mine
    while theirs:
        if not jobs.still_current(SalesImport, attempt):
            db.session.rollback()
            raise AttemptTakenOver(number)
        db.session.commit()
        for part in sorted(theirs):
            if _settled(import_id, number, part, reader):
                theirs.discard(part)
        if theirs:
            time.sleep(_POLL_SECONDS)


def _settled(import_id: int, attempt: int, part: int, reader: ExportReader) -> bool:
    row = _part(import_id, attempt, part)
    if row.code is None and row.finished_at is None:
        if not jobs.lease_is_free("sales_imports", import_id, part):
            return False
        row = _part(import_id, attempt, part)  # its worker may have finished meanwhile
        if row.code is None and row.finished_at is None:
            raise PartLost(f"import {import_id}: the worker staging part {part} died")
    if row.code is not None:
        error = ImportFileError(row.message or "", row.code)
        error.message_en = row.message_en or error.message
        raise error
    reader.notes.add_part(row.notes or [])
    return True


@dataclass(frozen=True)
class _PartState:
    finished_at: dt.datetime | None
    code: str | None
    message: str | None
    message_en: str | None
    notes: list[dict[str, Any]] | None


def _part(import_id: int, attempt: int, part: int) -> _PartState:
    row = db.session.execute(
        select(
            ImportPart.finished_at,
            ImportPart.code,
            ImportPart.message,
            ImportPart.message_en,
            ImportPart.notes,
        ).where(
            ImportPart.import_id == import_id,
            ImportPart.attempt == attempt,
            ImportPart.part == part,
        )
    ).first()
    db.session.commit()
    if row is None:
        raise AttemptTakenOver(attempt)  # a newer attempt has cleared this one's parts
    return _PartState(*row)


def forget_parts(import_id: int, attempts: Iterable[int] | None = None) -> None:
    """Drop the parts of an import's attempts (all of them by default); the caller commits."""
    query = delete(ImportPart).where(ImportPart.import_id == import_id)
    if attempts is not None:
        query = query.where(ImportPart.attempt.in_(list(attempts)))
    db.session.execute(query)
