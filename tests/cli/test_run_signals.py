"""`cunbo run` for real: a service manager's SIGTERM stops the server and its worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    """Every process started below `pid`, read from /proc."""
    found: set[int] = set()
    waiting = [pid]
    while waiting:
        parent = waiting.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    waiting.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads processes from /proc")
def test_sigterm_stops_the_server_and_its_worker(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CUNBO_DATABASE_URL", "REDIS_URL", "CUNBO_REDIS_URL")
    }
    env.update(
        CUNBO_DATABASE_URL=f"sqlite:///{tmp_path / 'cunbo.sqlite'}",
        CUNBO_UPLOAD_FOLDER=str(tmp_path / "uploads"),
        CUNBO_SECRET_KEY="test-secret",
    )
    log = (tmp_path / "run.log").open("wb")
    command = [str(Path(sys.executable).with_name("cunbo")), "run", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    started: set[int] = set()
    try:

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return True
            except OSError as exc:  # refused while starting; an HTTP error is an answer
                return hasattr(exc, "code")

        assert _wait(answers, 60), (tmp_path / "run.log").read_text()[-3000:]
        assert _wait(lambda: len(_descendants(server.pid)) >= 2, 30)  # supervisor and worker
        started |= _descendants(server.pid)

        server.send_signal(signal.SIGTERM)
        assert _wait(lambda: server.poll() is not None, 90), (tmp_path / "run.log").read_text()[
            -3000:
        ]

        assert _wait(lambda: not any(_alive(pid) for pid in started), 30), [
            Path(f"/proc/{pid}/cmdline").read_bytes() for pid in started if _alive(pid)
        ]
    finally:
        if server.poll() is None:
            server.kill()
        for pid in started | _descendants(server.pid):  # a worker left behind is killed here
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        log.close()
