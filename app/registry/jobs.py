"""Running a queued registry load (RegistryLoad row) to completion or to a visible failure."""

from __future__ import annotations

from app.extensions import db
from app.models import RegistryLoad, utcnow
from app.registry.reader import RegistryFileError
from app.registry.service import load_workbook


def run_registry_load(job_id: int) -> RegistryLoad | None:
    """Load the job's stored workbook and record the outcome on the job.

    Safe to run twice (a redelivered task): a finished job is left as it is, and loading the
    same workbook again changes nothing. Unexpected errors mark the job failed, then propagate.
    """
    job = db.session.get(RegistryLoad, job_id)
    if job is None or job.status in ("succeeded", "failed"):
        return job
    job.status = "running"
    job.started_at = utcnow()
    job.progress = 0.0
    db.session.commit()

    def progress(fraction: float) -> None:
        job.progress = round(fraction, 3)
        db.session.commit()

    try:
        result = load_workbook(job.stored_path, file_name=job.file_name, progress=progress)
    except RegistryFileError as exc:
        _finish(job, "failed", str(exc))
        return job
    except Exception as exc:
        db.session.rollback()
        _finish(job, "failed", f"名录导入意外中止，请联系管理员（{type(exc).__name__}: {exc}）")
        raise
    job.result = result.to_dict()
    rejected = result.rejected
    message = f"有 {rejected} 行未导入，请按错误说明修改后重新上传" if rejected else None
    _finish(job, "succeeded", message)
    return job


def _finish(job: RegistryLoad, status: str, message: str | None) -> None:
    job.status = status
    job.message = message
    job.finished_at = utcnow()
    if status == "succeeded":
        job.progress = 1.0
    db.session.commit()
