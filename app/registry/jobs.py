"""Running a queued registry load (RegistryLoad row) to completion or to a visible failure."""

from __future__ import annotations

import logging

from flask import current_app

from app import jobs
from app.extensions import db
from app.models import RegistryLoad
from app.registry.reader import RegistryFileError
from app.registry.service import load_workbook

log = logging.getLogger(__name__)


class TransientLoadError(RuntimeError):
    """The database was briefly unavailable; the load is queued again."""


def run_registry_load(job_id: int) -> RegistryLoad | None:
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
            jobs.finish(job, "failed", code="registry_rejected", message=str(exc))
            return job
        except Exception as exc:
            jobs.reset_session()
            if jobs.is_transient(exc):
                log.warning("registry load %s: database unavailable, retrying: %s", job_id, exc)
                raise TransientLoadError(str(exc)) from exc
            jobs.finish(
                job,
                "failed",
                code="internal_error",
                message=f"名录导入意外中止，请联系管理员（{type(exc).__name__}: {exc}）",
            )
            raise
        job.result = result.to_dict()
        rejected = result.rejected
        message = f"有 {rejected} 行未导入，请按错误说明修改后重新上传" if rejected else None
        jobs.finish(job, "succeeded", message=message)
    return job
