"""Import tasks: run one import; sweep imports a crashed worker left behind."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from sqlalchemy import select

from app.extensions import db
from app.ingest.service import TransientImportError, run_import
from app.models import SalesImport, utcnow

QUEUED_TOO_LONG = dt.timedelta(minutes=10)
SILENT_TOO_LONG = dt.timedelta(minutes=15)


@shared_task(
    name="tasks.imports.run_import",
    acks_late=True,
    autoretry_for=(TransientImportError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def run_import_task(import_id: int) -> str:
    return run_import(import_id).status


@shared_task(name="tasks.imports.sweep_imports")
def sweep_imports() -> int:
    """Re-enqueue imports stuck `queued` or silent `running`; the attempt cap ends loops."""
    now = utcnow()
    stuck = db.session.scalars(
        select(SalesImport).where(
            ((SalesImport.status == "queued") & (SalesImport.heartbeat_at < now - QUEUED_TOO_LONG))
            | (
                (SalesImport.status == "running")
                & (SalesImport.heartbeat_at < now - SILENT_TOO_LONG)
            )
        )
    ).all()
    for record in stuck:
        record.status = "queued"
        record.heartbeat_at = now
        db.session.commit()
        run_import_task.delay(record.id)
    return len(stuck)


def enqueue_import(import_id: int) -> None:
    """Called after the import row is committed, so the worker always finds it."""
    run_import_task.delay(import_id)
