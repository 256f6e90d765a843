"""A helper task's side of an import staged in parts (app.ingest.parts): claim one part of
an attempt, stage its chunks, and say how it ended for the attempt to find."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select, update

from app import jobs
from app.extensions import db
from app.ingest import ImportFileError
from app.ingest.parts import (
    CRASHED,
    TIMED_OUT,
    AttemptTakenOver,
    Share,
    claim_part,
    finish_share,
    open_reader,
    rows_of,
    stage_share,
    wording_pair,
)
from app.models import ImportPart, SalesImport, StagedLine, utcnow

log = logging.getLogger(__name__)


def stage_part(
    import_id: int,
    attempt_number: int,
    part: int,
    limit: float,
    *,
    timeout_errors: tuple[type[BaseException], ...] = (),
) -> bool:
    """A helper: claim one part of an attempt and stage it; False when it was not there to
    take (claimed already, or the attempt is over)."""
    lease = jobs.try_lease("sales_imports", import_id, part)
    if lease is None:
        return False
    attempt = jobs.Attempt(import_id, attempt_number, lease)
    with jobs.held(attempt):
        claimed = claim_part(import_id, attempt_number, part)
        db.session.commit()
        if not claimed:
            return False
        share = Share(_parts_of(import_id, attempt_number), frozenset({part}))
        try:
            record = db.session.get(SalesImport, import_id, populate_existing=True)
            if record is None:
                return False
            reader = open_reader(record)
            stage_share(record, attempt, reader, share, limit)
            finish_share(attempt, share, reader)
        except AttemptTakenOver:
            _forget_own_lines(attempt, share)
        except ImportFileError as exc:
            _fail_part(attempt, share, exc.code, (exc.message, exc.message_en))
        except timeout_errors:
            _fail_part(attempt, share, "timed_out", wording_pair(TIMED_OUT))
        except Exception as exc:
            if jobs.is_timeout(exc):
                _fail_part(attempt, share, "timed_out", wording_pair(TIMED_OUT))
            elif jobs.is_transient(exc):  # the attempt starts over: its lease tells it
                jobs.reset_session()
                log.warning("import %s: part %s lost the database: %s", import_id, part, exc)
            else:
                log.exception("import %s: staging part %s crashed", import_id, part)
                _fail_part(attempt, share, "internal_error", wording_pair(CRASHED))
    return True


def _parts_of(import_id: int, attempt: int) -> int:
    return int(
        db.session.scalar(
            select(ImportPart.parts).where(
                ImportPart.import_id == import_id, ImportPart.attempt == attempt
            )
        )
        or 1
    )


def _fail_part(attempt: jobs.Attempt, share: Share, code: str, message: tuple[str, str]) -> None:
    """The part cannot be staged: say why, for the attempt to fail the import with."""
    _forget_own_lines(attempt, share)
    db.session.execute(
        update(ImportPart)
        .where(*rows_of(attempt, share))
        .values(code=code, message=message[0], message_en=message[1], finished_at=utcnow())
    )
    db.session.commit()


def _forget_own_lines(attempt: jobs.Attempt, share: Share) -> None:
    """What a helper staged of an attempt that is over or failing: no merge will take it."""
    jobs.reset_session()
    db.session.execute(
        delete(StagedLine).where(
            StagedLine.import_id == attempt.job_id,
            StagedLine.attempt == attempt.number,
            (StagedLine.chunk % share.parts).in_(share.mine),
        )
    )
    db.session.commit()
