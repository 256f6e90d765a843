"""Keep a process running: restart it when it exits, stop it when told to.

`python -m app.supervisor celery -A tasks.worker worker …` runs the worker (the Procfile and
`cunbo run` do). A worker that exits by itself — a broker outage it could not ride out, a
crash — is started again after a short pause that grows while it keeps failing; SIGTERM,
SIGINT and SIGQUIT are passed on to it and then the supervisor exits with its status.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from types import FrameType

log = logging.getLogger("cunbo.supervisor")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
# Workers that parse large files run lean on address space, so a memory limit (ulimit -v, a
# container's) bites on real use, not on reservations: Arrow's allocator and glibc's
# per-thread arenas reserve over 1 GB of address space that is never used.
LEAN_ENVIRONMENT = {"MALLOC_ARENA_MAX": "2", "ARROW_DEFAULT_MEMORY_POOL": "system"}
STEADY_SECONDS = 30.0  # a run this long resets the pause between restarts
MAX_PAUSE = 30.0


def supervise(command: list[str], *, first_pause: float = 1.0) -> int:
    """Run `command` until a stop signal; return its last exit status."""
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def pass_on(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, pass_on)
    pause = first_pause
    environment = {**LEAN_ENVIRONMENT, **os.environ}
    while True:
        started = time.monotonic()
        # Its own session: Ctrl+C in the terminal reaches the child once, through pass_on
        # (twice, Celery would take it for a cold shutdown).
        child = subprocess.Popen(command, env=environment, start_new_session=True)
        status = child.wait()
        if stopping:
            return status
        if time.monotonic() - started >= STEADY_SECONDS:
            pause = first_pause
        log.warning("%s exited with %s; restarting in %.0f s", command[0], status, pause)
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
        if stopping:
            return status
        pause = min(pause * 2, MAX_PAUSE)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s supervisor: %(message)s")
    command = sys.argv[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        sys.exit("usage: python -m app.supervisor COMMAND [ARG…]")
    sys.exit(supervise(command))


if __name__ == "__main__":
    main()
