"""RELIABILITY.md rows 4, 5, 6, 17, 18, 19 and 25: the broker and the database failing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import psycopg
import pytest
from flask.testing import FlaskClient

from tests.faults.conftest import (
    POSTGRES_URL,
    assert_figures_equal_raw,
    state,
    stored_lines,
    upload,
    wait_final,
    wait_for,
)
from tests.faults.exports import douyin_export
from tests.faults.procs import PrivateRedis, Worker, alive

pytestmark = [pytest.mark.services, pytest.mark.faults]
LIBPQ_URL = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


def _terminate_when(sql_prefix: str, seconds: float = 120) -> threading.Thread:
    """A thread that kills the first backend of this database whose running query starts with
    `sql_prefix`."""
    killed: list[int] = []

    def hunt() -> None:
        with psycopg.connect(LIBPQ_URL, autocommit=True) as connection:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and not killed:
                rows = connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE state = 'active' "
                    "AND query LIKE %s AND pid <> pg_backend_pid() "
                    "AND datname = current_database()",  # not another xdist worker's
                    (sql_prefix + "%",),
                ).fetchall()
                for (pid,) in rows:
                    connection.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    killed.append(pid)
                time.sleep(0.005)

    thread = threading.Thread(target=hunt, daemon=True)
    thread.killed = killed  # type: ignore[attr-defined]
    thread.start()
    return thread


@pytest.mark.parametrize(
    "statement", ["COPY staged_lines", "INSERT INTO order_lines"], ids=["copy", "merge"]
)
def test_row06_connection_killed_during_copy_and_merge(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path, statement
) -> None:
    start_worker()
    export = douyin_export(tmp_path, 100_000, seed=11)
    hunter = _terminate_when(statement)
    queued = upload(admin, export.path)

    done = wait_final(queued["id"], 180)
    hunter.join(timeout=5)
    print(f"row 6 {statement}: succeeded after {done.attempts} attempts")

    assert hunter.killed, f"no `{statement}` was caught running"  # type: ignore[attr-defined]
    assert done.status == "succeeded", done.message
    assert 2 <= done.attempts <= 3
    assert stored_lines() == export.paid
    assert_figures_equal_raw()


def test_row17_statement_blocked_by_a_lock_times_out_once(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    start_worker(IMPORT_TIME_LIMIT_BASE="4", IMPORT_TIME_LIMIT_PER_MB="0")
    export = douyin_export(tmp_path, 5_000, seed=12)
    with psycopg.connect(LIBPQ_URL) as blocker:
        blocker.execute("LOCK TABLE order_lines IN ACCESS EXCLUSIVE MODE")
        queued = upload(admin, export.path)
        started = time.monotonic()
        done = wait_final(queued["id"], 60)
        blocker.rollback()
    print(f"row 17: failed timed_out {time.monotonic() - started:.1f} s after the upload")

    assert done.status == "failed"
    assert done.code == "timed_out"
    assert "时限" in done.message
    time.sleep(6)  # longer than the limit: no retry storm follows
    assert (state(queued["id"]).attempts, state(queued["id"]).status) == (1, "failed")
    assert stored_lines() == {}
    assert_figures_equal_raw()


def test_row19_crossing_imports_at_once_both_succeed_newest_wins(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    start_worker(concurrency=2)
    older = douyin_export(tmp_path, 60_000, seed=13, exported_at=1_735_720_000)
    newer = douyin_export(tmp_path, 60_000, first=30_000, seed=14, exported_at=1_735_730_000)
    first, second = upload(admin, newer.path), upload(admin, older.path)

    started = time.monotonic()
    done = [wait_final(first["id"], 180), wait_final(second["id"], 180)]
    print(f"row 19: both succeeded in {time.monotonic() - started:.1f} s")

    assert [record.status for record in done] == ["succeeded", "succeeded"], [
        record.message for record in done
    ]
    assert [record.attempts for record in done] == [1, 1]
    assert stored_lines() == {**older.paid, **newer.paid}  # shared lines: the newer export
    assert_figures_equal_raw()


def test_row04_broker_restarted_with_imports_queued(
    fault_app,
    admin: FlaskClient,
    broker: PrivateRedis,
    start_worker: Callable[..., Worker],
    tmp_path,
) -> None:
    """Messages lost with Redis: the sweeper (default settings) queues them within 2 minutes."""
    exports = [douyin_export(tmp_path, 2_000, first=n * 10_000, seed=20 + n) for n in range(3)]
    queued = [upload(admin, export.path)["id"] for export in exports]
    broker.restart()  # no persistence: the three messages are gone
    restarted = time.monotonic()
    start_worker(beat=True)

    took = wait_for(
        lambda: all(state(i).status == "succeeded" for i in queued), 150, "all three imported"
    )

    print(f"row 4: three lost imports done {time.monotonic() - restarted:.1f} s after restart")
    assert took < 150
    assert stored_lines() == {k: v for export in exports for k, v in export.paid.items()}
    assert_figures_equal_raw()


def test_row05_broker_down_while_a_task_finishes(
    fault_app,
    admin: FlaskClient,
    broker: PrivateRedis,
    start_worker: Callable[..., Worker],
    tmp_path,
) -> None:
    worker = start_worker()
    export = douyin_export(tmp_path, 100_000, seed=30)
    queued = upload(admin, export.path)
    wait_for(lambda: state(queued["id"]).progress >= 0.2, 120, "20 % progress")
    broker.stop()

    stopped = time.monotonic()
    done = wait_final(queued["id"], 120)  # its state lives in the database
    print(f"row 5: succeeded {time.monotonic() - stopped:.1f} s after the broker stopped")

    assert done.status == "succeeded" and done.attempts == 1
    assert stored_lines() == export.paid
    broker.start()
    later = douyin_export(tmp_path, 1_000, first=900_000, seed=31)
    assert wait_final(upload(admin, later.path)["id"], 90).status == "succeeded"
    assert alive(worker.main_pid)
    assert_figures_equal_raw()


def test_row05_login_and_upload_while_the_broker_is_down(
    fault_app, broker: PrivateRedis, start_worker: Callable[..., Worker], tmp_path
) -> None:
    """Login works (the limiter fails open); an upload is accepted and queued later."""
    from app.auth.accounts import NewUser, create_user

    fault_app.config["RATELIMIT_ENABLED"] = True
    create_user(NewUser("clerk", "officer", password="a-long-password-1"))
    client = fault_app.test_client()
    broker.stop()

    login = client.post("/login", data={"login": "clerk", "password": "a-long-password-1"})
    assert login.status_code == 302, login.data[:500]  # signed in, sent on to the dashboard
    export = douyin_export(tmp_path, 1_000, seed=32)
    with export.path.open("rb") as stream:
        response = client.post(
            "/api/v1/imports",
            data={"file": (stream, export.path.name), "shop": "S01"},
            content_type="multipart/form-data",
        )
    assert response.status_code == 202, response.get_json()  # accepted, queued for later
    assert "queue_unavailable" in [note["code"] for note in response.get_json()["notes"]]
    import_id = response.get_json()["id"]
    assert state(import_id).status == "queued"

    broker.start()
    start_worker(beat=True, JOB_SWEEP_SECONDS="5", JOB_QUEUED_GRACE_SECONDS="5")
    assert wait_final(import_id, 120).status == "succeeded"
    assert stored_lines() == export.paid
    assert_figures_equal_raw()


def test_row25_connections_dropped_and_broker_restarted_mid_import(
    fault_app,
    admin: FlaskClient,
    broker: PrivateRedis,
    start_worker: Callable[..., Worker],
    tmp_path,
) -> None:
    worker = start_worker(beat=True, JOB_SWEEP_SECONDS="10")
    for _ in range(3):  # three drops within five seconds
        broker.drop_clients()
        time.sleep(1.5)
    first = douyin_export(tmp_path, 1_000, seed=40)
    consumed = wait_final(upload(admin, first.path)["id"], 60)
    assert consumed.status == "succeeded"

    running = douyin_export(tmp_path, 100_000, first=100_000, seed=41)
    queued = upload(admin, running.path)
    wait_for(lambda: state(queued["id"]).progress >= 0.2, 120, "20 % progress")
    broker.restart()
    done = wait_final(queued["id"], 180)
    assert done.status == "succeeded", done.message

    after = douyin_export(tmp_path, 1_000, first=900_000, seed=42)
    took = wait_for(
        lambda: _import_done(admin, after), 90, "a new upload consumed after the restart"
    )
    print(f"row 25: consuming again {took:.1f} s after the restart")
    assert worker.supervisor is not None and worker.supervisor.poll() is None
    assert stored_lines() == {**first.paid, **running.paid, **after.paid}
    assert_figures_equal_raw()


def _import_done(admin: FlaskClient, export) -> bool:
    """Upload once (the same bytes answer with the same import), then poll it."""
    record = upload(admin, export.path)
    return state(record["id"]).status == "succeeded"


def test_row18_large_file_under_an_address_space_limit(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    """A worker limited to 1.5 GB of address space imports a large CSV by streaming chunks."""
    export = douyin_export(tmp_path, 1_000_000, seed=50)
    start_worker(address_space=int(1.5 * 2**30), IMPORT_CHUNK_ROWS="100000")
    done = wait_final(upload(admin, export.path)["id"], 540)

    assert done.status == "succeeded", done.message
    assert done.inserted == 1_000_000
    lines = stored_lines()
    assert len(lines) == 1_000_000 and sum(lines.values(), Decimal(0)) == export.gross
    assert_figures_equal_raw()
