"""RELIABILITY.md rows 1, 2, 3, 7, 20 and 22: workers killed, stopped and raced; one import
staged by two workers."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from app.extensions import db
from tests.faults.conftest import (
    assert_figures_equal_raw,
    county_net,
    state,
    stored_lines,
    upload,
    wait_final,
    wait_for,
)
from tests.faults.exports import douyin_export
from tests.faults.procs import Worker, alive, process_with_local_port

pytestmark = [pytest.mark.services, pytest.mark.faults]


class Watch(threading.Thread):
    """Samples (attempt, progress) and the county net while an import runs (rows 2 and 22).

    It samples until it has seen the import's final state itself, so its last sample is the
    committed outcome, not whatever it read just before the test stopped waiting.
    """

    def __init__(self, app, import_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.import_id = app, import_id
        self.samples: list[tuple[int, float, str]] = []
        self.nets: set[str] = set()
        self.done = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self.done.is_set():
                record = state(self.import_id)
                # Read once: county_net() rolls the session back, which reloads `record`.
                sample = (record.attempts, record.progress, record.status)
                self.samples.append(sample)
                self.nets.add(county_net())
                if sample[2] in ("succeeded", "failed"):
                    return
                time.sleep(0.05)

    def stop(self) -> None:
        """Let the watch see the final state (call it once the import has ended), then end it."""
        self.join(timeout=10)
        self.done.set()
        self.join(timeout=10)

    def progress_never_goes_back_within_an_attempt(self) -> bool:
        last: dict[int, float] = {}
        for attempt, progress, _status in self.samples:
            if progress < last.get(attempt, 0.0):
                return False
            last[attempt] = progress
        return True


def test_row01_sigkill_mid_import_is_taken_over_at_once(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    """Row 1 (and the issue's 300,000-line check), row 22 progress, row 20 figures."""
    worker = start_worker()
    export = douyin_export(tmp_path, 300_000)
    queued = upload(admin, export.path)
    watch = Watch(fault_app, queued["id"])
    watch.start()
    wait_for(lambda: state(queued["id"]).progress >= 0.3, 120, "30 % progress")
    killed = worker.kill_pool_child()
    killed_at = time.monotonic()

    done = wait_final(queued["id"], 180)
    recovered = time.monotonic() - killed_at
    watch.stop()

    print(f"row 1: killed pool child {killed} at 30 %; succeeded {recovered:.1f} s later")
    assert not alive(killed)
    assert done.status == "succeeded", done.message
    assert done.attempts == 2
    assert recovered < 180
    assert (done.read, done.inserted, done.rejected) == (300_000, 300_000, 0)
    assert stored_lines() == export.paid  # every line once, with the file's amounts
    assert county_net() == f"{export.gross:.2f}"
    assert_figures_equal_raw()
    # Row 2's promise holds through a kill too: no figure ever showed part of the file.
    assert watch.nets <= {"0.00", f"{export.gross:.2f}"}, sorted(watch.nets)
    assert watch.progress_never_goes_back_within_an_attempt()
    assert watch.samples[-1][1:] == (1.0, "succeeded")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGQUIT], ids=["warm", "cold"])
def test_row02_shutdown_mid_import(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path, signum
) -> None:
    """Row 2: warm shutdown finishes the import; cold shutdown is recovered as in row 1."""
    worker = start_worker(beat=True, JOB_SWEEP_SECONDS="5")
    export = douyin_export(tmp_path, 120_000, seed=2)
    queued = upload(admin, export.path)
    watch = Watch(fault_app, queued["id"])
    watch.start()
    wait_for(lambda: state(queued["id"]).progress >= 0.2, 120, "20 % progress")
    worker.signal_main(signum)
    signalled = time.monotonic()

    done = wait_final(queued["id"], 180)
    watch.stop()
    print(
        f"row 2 {signal.Signals(signum).name}: succeeded {time.monotonic() - signalled:.1f} s later"
    )

    assert done.status == "succeeded", done.message
    assert done.attempts == (1 if signum == signal.SIGTERM else 2)
    assert stored_lines() == export.paid
    assert watch.nets <= {"0.00", f"{export.gross:.2f}"}, sorted(watch.nets)
    assert_figures_equal_raw()


def test_row03_same_message_twice_at_once(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    """Row 3: two deliveries of one import run at once on two pool children: one works."""
    from tasks.imports import enqueue_import

    start_worker(concurrency=2)
    export = douyin_export(tmp_path, 60_000, seed=3)
    queued = upload(admin, export.path)
    enqueue_import(queued["id"])  # the same message a second time, at once

    done = wait_final(queued["id"], 120)
    time.sleep(1)  # let the second delivery finish its no-op

    assert done.status == "succeeded"
    assert state(queued["id"]).attempts == 1
    assert (done.inserted, done.updated, done.unchanged) == (60_000, 0, 0)
    assert stored_lines() == export.paid
    assert_figures_equal_raw()


def test_row07_poison_file_fails_after_the_cap_and_others_drain(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    """Row 7: a file whose every attempt kills its worker ends failed after 3 attempts."""
    worker = start_worker()
    poison = douyin_export(tmp_path, 200_000, seed=4)
    queued = upload(admin, poison.path)
    started = time.monotonic()
    for attempt in (1, 2, 3):
        wait_for(
            lambda attempt=attempt: (
                state(queued["id"]).attempts == attempt and state(queued["id"]).status == "running"
            ),
            120,
            f"attempt {attempt} running",
        )
        worker.kill_pool_child()  # this file "crashes" its worker, every time

    done = wait_final(queued["id"], 120)
    print(f"row 7: failed after {time.monotonic() - started:.1f} s")
    assert done.status == "failed"
    assert done.code == "attempts_exhausted"
    assert "多次" in done.message
    assert stored_lines() == {}

    healthy = douyin_export(tmp_path, 1_000, first=500_000, seed=5)
    after = wait_final(upload(admin, healthy.path)["id"], 60)
    assert after.status == "succeeded"
    assert stored_lines() == healthy.paid
    assert_figures_equal_raw()


def test_two_worker_processes_stage_one_import_in_parts_with_the_same_result(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    """Issue 13: a large file is staged by two workers at once and merged once."""
    worker = start_worker(concurrency=2, IMPORT_PARTS="2", IMPORT_PART_MIN_MB="0")
    export = douyin_export(tmp_path, 120_000, seed=13)
    queued = upload(admin, export.path)

    done = wait_final(queued["id"], 180)

    assert done.status == "succeeded", done.message
    assert (done.attempts, done.read, done.inserted, done.rejected) == (1, 120_000, 120_000, 0)
    assert stored_lines() == export.paid
    assert county_net() == f"{export.gross:.2f}"
    assert_figures_equal_raw()
    log = worker.log_path.read_text()
    assert re.search(r"Task tasks\.imports\.stage_part\[[^]]+\] succeeded in [\d.]+s: True", log)


def _helper_pid(worker: Worker, import_id: int) -> int | None:
    """The pool child holding the lease of part 1 of the import (app.jobs, space 7400 + part)."""
    port = db.session.scalar(
        text(
            "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 7401 AND l.objid = :id "
            "AND a.datname = current_database()"  # not another xdist worker's
        ),
        {"id": import_id},
    )
    db.session.rollback()
    return None if port is None else process_with_local_port(worker.pool_pids(), port)


def test_a_helper_killed_mid_part_sends_the_attempt_round_and_the_import_lands_once(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    """Row 1 for the worker staging a part: its part's lease dies with it, the attempt that
    waits for it starts over, and no figure ever shows part of the file."""
    worker = start_worker(concurrency=2, IMPORT_PARTS="2", IMPORT_PART_MIN_MB="0")
    export = douyin_export(tmp_path, 300_000, seed=14)
    queued = upload(admin, export.path)
    watch = Watch(fault_app, queued["id"])
    watch.start()
    wait_for(lambda: _helper_pid(worker, queued["id"]) is not None, 120, "a helper on part 1")
    wait_for(lambda: state(queued["id"]).progress >= 0.2, 120, "20 % progress")
    helper = _helper_pid(worker, queued["id"])
    assert helper is not None
    os.kill(helper, signal.SIGKILL)

    done = wait_final(queued["id"], 240)
    watch.stop()

    assert not alive(helper)
    assert done.status == "succeeded", done.message
    assert done.attempts == 2
    assert (done.read, done.inserted, done.rejected) == (300_000, 300_000, 0)
    assert stored_lines() == export.paid
    assert_figures_equal_raw()
    assert watch.nets <= {"0.00", f"{export.gross:.2f}"}, sorted(watch.nets)
    assert watch.samples[-1][1:] == (1.0, "succeeded")
