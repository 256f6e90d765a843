"""Running a queued registry load (RegistryLoad row) to completion or to a visible failure."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app

from app import jobs
from app.extensions import db
from app.ingest.storage import store_path
from app.models import RegistryLoad, utcnow
from app.registry.reader import RegistryFileError
from app.registry.result import LoadResult
from app.registry.service import load_workbook

log = logging.getLogger(__name__)


class TransientLoadError(RuntimeError):
    """The database was briefly unavailable; the task retries the load (a new attempt)."""


def run_registry_load(
    job_id: int, *, timeout_errors: tuple[type[BaseException], ...] = ()
) -> RegistryLoad | None:
    """Load the job's stored workbook and record the outcome on the job.

    The same discipline as imports (app.jobs): one attempt at a time under a lease, a dead
    attempt taken over at once, an attempt cap. Loading a workbook again changes nothing, so
    a new attempt simply loads it again. Unexpected errors mark the job failed, then propagate.
    """
    try:
        attempt = jobs.begin_attempt(
            RegistryLoad, job_id, current_app.config["IMPORT_MAX_ATTEMPTS"]
        )
    except jobs.AttemptsExhausted:
        return db.session.get(RegistryLoad, job_id)
    if attempt is None:
        return db.session.get(RegistryLoad, job_id)
    with jobs.held(attempt):
        job = db.session.get(RegistryLoad, job_id, populate_existing=True)
        assert job is not None  # the attempt began on it

        def progress(fraction: float) -> None:
            job.progress = round(fraction, 3)
            db.session.commit()

        try:
            result = load_workbook(job.stored_path, file_name=job.file_name, progress=progress)
        except RegistryFileError as exc:
            jobs.reset_session()
            _finish(attempt, job, "failed", "registry_rejected", str(exc))
            return job
        except timeout_errors:
            jobs.reset_session()
            _finish(attempt, job, "failed", "timed_out", _TIMED_OUT)
            return job
        except Exception as exc:
            jobs.reset_session()
            if jobs.is_transient(exc):
                log.warning("registry load %s: database unavailable, retrying: %s", job_id, exc)
                raise TransientLoadError(str(exc)) from exc
            log.exception("registry load %s crashed", job_id)
            _finish(attempt, job, "failed", "internal_error", _CRASHED)
            raise
        job.result = result.to_dict()
        _finish(attempt, job, "succeeded", None, _rejected_message(result.rejected))
    return job


_TIMED_OUT = "名录导入超过时限仍未完成，已停止。请把名录拆成几个较小的工作簿分别上传。"
_CRASHED = "名录导入意外中止，错误已记录，请联系管理员。"


def _finish(
    attempt: jobs.Attempt, job: RegistryLoad, status: str, code: str | None, message: str | None
) -> None:
    """Record the outcome, unless another attempt has taken the load over meanwhile."""
    if jobs.still_current(RegistryLoad, attempt):
        jobs.finish(job, status, code=code, message=message)
    else:
        jobs.reset_session()
        log.warning("registry load %s: attempt %s was taken over", job.id, attempt.number)


def record_load(path: Path, result: LoadResult | None, refusal: str | None = None) -> RegistryLoad:
    """Keep a workbook loaded in-process (`cunbo registry load`) in the loads' history, as an
    upload would be: a copy of the file, its outcome and counts."""
    stored, _sha, _size = store_path(path, Path(current_app.config["UPLOAD_FOLDER"]) / "registry")
    now = utcnow()
    rejected = result.rejected if result is not None else 0
    job = RegistryLoad(
        file_name=path.name,
        stored_path=str(stored),
        status="failed" if result is None else "succeeded",
        code="registry_rejected" if result is None else None,
        message=refusal if result is None else _rejected_message(rejected),
        result=result.to_dict() if result is not None else None,
        progress=1.0,
        attempts=1,
        started_at=now,
        finished_at=now,
    )
    db.session.add(job)
    db.session.commit()
    return job


def _rejected_message(rejected: int) -> str | None:
    return f"有 {rejected} 行未导入，请按错误说明修改后重新上传" if rejected else None
