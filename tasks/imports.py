"""Import tasks: run one import; sweep jobs whose message or worker was lost."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from kombu.exceptions import ChannelError as QueueMissing
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import select, update

from app import jobs
from app.extensions import db
from app.ingest.part_helper import stage_part
from app.ingest.service import TransientImportError, run_import, statement_limit
from app.models import RegistryLoad, SalesImport, utcnow
from app.wording import N_, say

log = logging.getLogger(__name__)

# A running job whose lease is free has lost its worker; one whose heartbeat is this old is
# past every time limit even if its lease still looks held.
SILENT_TOO_LONG = dt.timedelta(hours=3)


@shared_task(
    name="tasks.imports.run_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientImportError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def run_import_task(import_id: int) -> str:
    helpers = ask_helpers if db.engine.dialect.name == "postgresql" else None  # one writer
    return run_import(import_id, timeout_errors=(SoftTimeLimitExceeded,), helpers=helpers).status


@shared_task(name="tasks.imports.stage_part")
def stage_part_task(import_id: int, attempt: int, part: int) -> bool:
    """Stage one part of an import attempt for the task running it (app.ingest.parts)."""
    record = db.session.get(SalesImport, import_id)
    return stage_part(
        import_id,
        attempt,
        part,
        statement_limit(record.size if record else 0),
        timeout_errors=(SoftTimeLimitExceeded,),
    )


def ask_helpers(import_id: int, attempt: int, parts: list[int]) -> None:
    """Queue a helper task per part; a part no worker takes in time is staged by the attempt."""
    record = db.session.get(SalesImport, import_id)
    soft = statement_limit(record.size if record else 0)
    for part in parts:
        try:
            stage_part_task.apply_async(
                (import_id, attempt, part), soft_time_limit=soft, time_limit=soft + 60
            )
        except BROKER_ERRORS as exc:
            log.warning("import %s: could not ask for help with part %s: %s", import_id, part, exc)
            return


# What sending a task raises while the broker is down or unreachable.
BROKER_ERRORS = (BrokerError, RedisConnectionError, RedisTimeoutError, OSError)


def enqueue_import(import_id: int) -> None:
    """Queue an import whose row is committed, with time limits scaled to its file."""
    record = db.session.get(SalesImport, import_id)
    soft = statement_limit(record.size if record else 0)
    run_import_task.apply_async((import_id,), soft_time_limit=soft, time_limit=soft + 60)


@shared_task(name="tasks.imports.sweep_imports")
def sweep_imports() -> int:
    """Re-enqueue imports and registry loads left queued or whose worker died; count them.

    A dead attempt's job goes back to `queued` first, so it is re-enqueued once a sweep, not
    once a minute for as long as it waits. The attempt cap (app.jobs) ends the loop of a file
    that kills its worker every time.
    """
    from tasks.registry import enqueue_registry_load

    requeued = 0
    waiting = _messages_waiting()
    for model, enqueue in ((SalesImport, enqueue_import), (RegistryLoad, enqueue_registry_load)):
        for job_id in _lost(model, waiting):
            try:
                enqueue(job_id)
            except BROKER_ERRORS as exc:  # the broker is down: the next sweep tries again
                log.warning("could not re-enqueue %s %s: %s", model.__tablename__, job_id, exc)
                continue
            requeued += 1
    return requeued


def _messages_waiting() -> int | None:
    """Messages in the task queue now, or None when the broker cannot say."""
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as connection:
            declared = connection.default_channel.queue_declare(
                queue=celery.conf.task_default_queue, passive=True
            )
    except QueueMissing:  # nothing was ever queued there, or the broker lost it all
        return 0
    except (*BROKER_ERRORS, AttributeError, NotImplementedError) as exc:
        log.warning("could not read the task queue's length: %s", exc)
        return None
    return int(declared.message_count)


def _lost(model: type[SalesImport] | type[RegistryLoad], waiting: int | None) -> list[int]:
    """Jobs queued too long, and running jobs whose lease is free, marked queued again now.

    Queued jobs count as lost only while the task queue is empty (or its length unknown): a
    backlog behind a long import still has its messages, and is left to drain.
    """
    now = utcnow()
    # Queued this long, its message is taken for lost (JOB_QUEUED_GRACE_SECONDS, app.config).
    grace = dt.timedelta(seconds=current_app.config["JOB_QUEUED_GRACE_SECONDS"])
    queued = (
        db.session.scalars(
            select(model.id).where(model.status == "queued", model.heartbeat_at < now - grace)
        ).all()
        if not waiting
        else []
    )
    running = db.session.execute(
        select(model.id, model.attempts, model.heartbeat_at).where(model.status == "running")
    ).all()
    dead = [
        (job_id, attempts)
        for job_id, attempts, beat in running
        if jobs.lease_is_free(model.__tablename__, job_id)
        or beat is None
        or beat < now - SILENT_TOO_LONG
    ]
    lost = list(queued)
    for job_id, attempts in dead:
        # Fenced by the attempt number: an attempt that started meanwhile is left alone.
        changed = db.session.execute(
            update(model)
            .where(model.id == job_id, model.status == "running", model.attempts == attempts)
            .values(status="queued", message=_REQUEUED.zh, message_en=_REQUEUED.en)
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
        if changed:
            lost.append(job_id)
    if lost:
        db.session.execute(update(model).where(model.id.in_(lost)).values(heartbeat_at=now))
    db.session.commit()
    return lost


_REQUEUED = say(N_("处理进程中断，已自动重新排队。"))
