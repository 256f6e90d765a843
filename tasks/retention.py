"""Deleting raw uploads once the retention period is over (a daily beat task)."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from app.ingest.retention import purge_uploads as purge


@shared_task(name="tasks.retention.purge_uploads")
def purge_uploads() -> int:
    """Delete the stored uploads past UPLOAD_RETENTION_DAYS; returns how many went."""
    config = current_app.config
    return len(purge(config["UPLOAD_FOLDER"], int(config["UPLOAD_RETENTION_DAYS"])).deleted)
