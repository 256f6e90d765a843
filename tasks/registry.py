"""Registry workbook loads (名录导入) queued by the API."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from app.registry.jobs import TransientLoadError, run_registry_load


@shared_task(
    name="tasks.registry.load_registry",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientLoadError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
    soft_time_limit=1800,
    time_limit=1860,
)
def load_registry(job_id: int) -> None:
    """Load the workbook of RegistryLoad `job_id`."""
    run_registry_load(job_id, timeout_errors=(SoftTimeLimitExceeded,))


def enqueue_registry_load(job_id: int) -> None:
    """Called after the RegistryLoad row is committed, so the worker always finds it."""
    load_registry.delay(job_id)
