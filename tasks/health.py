"""Whether the services a Cunbo process needs answer: the database and the task broker."""

from __future__ import annotations

import logging

from flask import current_app
from kombu.exceptions import KombuError
from sqlalchemy import text

from app.extensions import db
from tasks.imports import BROKER_ERRORS

log = logging.getLogger(__name__)
BROKER_TIMEOUT = 2.0  # seconds: a health check must answer fast, up or down


def database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to answer is "down", with the reason logged
        log.warning("health: database unreachable: %s", exc)
        db.session.rollback()
        return False
    return True


def broker_reachable() -> bool:
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    except (*BROKER_ERRORS, KombuError, TimeoutError) as exc:
        log.warning("health: broker unreachable: %s", exc)
        return False
    return True


def service_health() -> dict[str, bool]:
    return {"database": database_reachable(), "broker": broker_reachable()}
