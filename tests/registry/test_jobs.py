"""The registry load job: the service the Celery task calls, and the task itself."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from app.extensions import db
from app.models import LiveSession, RegistryLoad
from app.registry.jobs import run_registry_load
from tasks.registry import load_registry


def queued_job(source: Path, folder: Path, name: str = "名录.xlsx") -> int:
    stored = folder / "stored.xlsx"
    shutil.copy(source, stored)
    job = RegistryLoad(file_name=name, stored_path=str(stored))
    db.session.add(job)
    db.session.commit()
    return job.id


def test_job_loads_the_workbook_and_records_the_result(
    app_ctx: Flask, samples: Path, tmp_path: Path
) -> None:
    job_id = queued_job(samples / "registry.xlsx", tmp_path)

    run_registry_load(job_id)

    db.session.expire_all()
    job = db.session.get(RegistryLoad, job_id)
    assert job is not None
    assert (job.status, job.progress, job.message) == ("succeeded", 1.0, None)
    assert job.started_at is not None and job.finished_at is not None
    assert job.result is not None
    assert job.result["file"] == "名录.xlsx"
    assert job.result["sheets"]["直播场次"]["inserted"] == 1420
    assert job.result["totals"]["rejected"] == 0


def test_finished_job_is_not_run_again(app_ctx: Flask, samples: Path, tmp_path: Path) -> None:
    job_id = queued_job(samples / "registry.xlsx", tmp_path)
    run_registry_load(job_id)
    db.session.execute(db.delete(LiveSession))
    db.session.commit()

    run_registry_load(job_id)  # a redelivered task

    assert db.session.scalars(db.select(LiveSession)).first() is None
    job = db.session.get(RegistryLoad, job_id)
    assert job is not None and job.status == "succeeded"


def test_unreadable_workbook_fails_the_job_with_a_reason(app_ctx: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    job_id = queued_job(broken, tmp_path, name="broken.xlsx")

    run_registry_load(job_id)

    job = db.session.get(RegistryLoad, job_id)
    assert job is not None
    assert job.status == "failed"
    assert job.progress < 1.0
    assert job.result is None
    assert job.message is not None
    assert "另存为 .xlsx" in job.message


def test_rejected_rows_succeed_with_a_message(
    app_ctx: Flask, make_workbook: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_workbook({"乡镇": [["T01", "许营镇", ""]]})
    job_id = queued_job(path, tmp_path)

    run_registry_load(job_id)

    job = db.session.get(RegistryLoad, job_id)
    assert job is not None and job.status == "succeeded"
    assert job.message == "有 1 行未导入，请按错误说明修改后重新上传"
    assert job.result is not None
    assert job.result["errors"][0]["row"] == 2


def test_task_takes_the_job_id_and_runs_the_service(
    app_ctx: Flask, samples: Path, tmp_path: Path
) -> None:
    job_id = queued_job(samples / "registry.xlsx", tmp_path)

    load_registry(job_id)  # called in-process: the same code a worker runs

    db.session.expire_all()
    job = db.session.get(RegistryLoad, job_id)
    assert job is not None and job.status == "succeeded"
    assert load_registry.name == "tasks.registry.load_registry"


def test_a_load_held_by_a_live_attempt_is_left_alone(
    app_ctx: Flask, samples: Path, tmp_path: Path
) -> None:
    from app import jobs

    job_id = queued_job(samples / "registry.xlsx", tmp_path)
    lease = jobs.try_lease("registry_loads", job_id)  # another worker's attempt, alive
    assert lease is not None
    try:
        run_registry_load(job_id)
        db.session.expire_all()
        assert db.session.get(RegistryLoad, job_id).status == "queued"
    finally:
        lease.release()

    run_registry_load(job_id)  # the lease is free: this attempt takes it
    db.session.expire_all()
    job = db.session.get(RegistryLoad, job_id)
    assert (job.status, job.attempts) == ("succeeded", 1)


def test_a_load_whose_attempts_all_died_fails_with_a_reason(
    app_ctx: Flask, samples: Path, tmp_path: Path
) -> None:
    job_id = queued_job(samples / "registry.xlsx", tmp_path)
    job = db.session.get(RegistryLoad, job_id)
    job.status, job.attempts = "running", app_ctx.config["IMPORT_MAX_ATTEMPTS"]
    db.session.commit()

    run_registry_load(job_id)

    db.session.expire_all()
    job = db.session.get(RegistryLoad, job_id)
    assert (job.status, job.code) == ("failed", "attempts_exhausted")
    assert "多次" in job.message
    assert db.session.query(LiveSession).count() == 0


def test_the_sweeper_requeues_a_load_whose_worker_died(
    app_ctx: Flask, samples: Path, tmp_path: Path, monkeypatch
) -> None:
    import tasks.registry
    from tasks.imports import sweep_imports

    job_id = queued_job(samples / "registry.xlsx", tmp_path)
    job = db.session.get(RegistryLoad, job_id)
    job.status, job.attempts = "running", 1  # its worker died: nobody holds the lease
    db.session.commit()
    sent: list[int] = []
    monkeypatch.setattr(tasks.registry.load_registry, "delay", sent.append)

    assert sweep_imports() == 1

    db.session.expire_all()
    assert sent == [job_id]
    assert db.session.get(RegistryLoad, job_id).status == "queued"
