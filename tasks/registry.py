"""Registry workbook loads (名录导入) queued by the API."""

from __future__ import annotations

from celery import shared_task

from app.registry.jobs import run_registry_load


@shared_task(name="tasks.registry.load_registry")
def load_registry(job_id: int) -> None:
    """Load the workbook of RegistryLoad `job_id`."""
    run_registry_load(job_id)
