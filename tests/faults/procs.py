"""Real processes a fault test starts, breaks and restarts: a private redis-server, workers."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may hold spaces, so split after the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "(Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]
    except OSError:
        return "(Z"


class PrivateRedis:
    """A redis-server of the test's own, on its own port, without persistence."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # no persistence: whatever was queued is gone
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def drop_clients(self) -> int:
        """Close every client connection (CLIENT KILL TYPE normal and pubsub)."""
        client = redis.Redis.from_url(self.url)
        dropped = 0
        for kind in ("normal", "pubsub"):
            dropped += int(client.execute_command("CLIENT", "KILL", "TYPE", kind) or 0)
        return dropped


class Worker:
    """`python -m app.supervisor celery … worker` with prefork children, and a beat process."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        concurrency: int = 1,
        address_space: int | None = None,
    ) -> None:
        self.env = env
        self.log_path = log
        self.concurrency = concurrency
        self.address_space = address_space
        self.supervisor: subprocess.Popen[bytes] | None = None
        self.beat: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "app.supervisor",
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tasks.worker",
            "worker",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=faults-{os.getpid()}-{self.log_path.stem}@%h",
        ]
        self._log = self.log_path.open("ab")
        self.supervisor = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=self._limit if self.address_space else None,
        )
        self.wait_ready()

    def _limit(self) -> None:
        """In the new process: cap its address space (and its children's)."""
        assert self.address_space is not None
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (self.address_space, hard))

    def start_beat(self) -> None:
        """The sweeper's clock, as the Procfile's `beat` runs it."""
        schedule = self.log_path.with_suffix(".schedule")
        self.beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tasks.worker", "beat", "--loglevel=INFO"]
            + [f"--schedule={schedule}"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, seconds: float = 60, after: int = 0) -> None:
        """Wait for the n-th `ready.` line of the log (n = `after` + 1)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.log().count("ready.") > after:
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready in {seconds} s:\n{self.log()[-3000:]}")

    @property
    def main_pid(self) -> int:
        """The celery main process (the supervisor's child); waits for a restarted one."""
        assert self.supervisor is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = [pid for pid in children(self.supervisor.pid) if alive(pid)]
            if found:
                return found[0]
            time.sleep(0.05)
        raise RuntimeError("the supervisor has no worker")

    def pool_pids(self) -> list[int]:
        return [pid for pid in children(self.main_pid) if alive(pid)]

    def kill_pool_child(self) -> int:
        pid = self.pool_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def signal_main(self, signum: int) -> int:
        pid = self.main_pid
        os.kill(pid, signum)
        return pid

    def stop(self) -> None:
        if self.beat is not None:
            self.beat.terminate()
            self.beat.wait(timeout=30)
            self.beat = None
        if self.supervisor is not None and self.supervisor.poll() is None:
            self.supervisor.send_signal(signal.SIGTERM)
            try:
                self.supervisor.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.supervisor.kill()
                for pid in children(self.supervisor.pid):
                    os.kill(pid, signal.SIGKILL)
                self.supervisor.wait(timeout=10)
        self.supervisor = None
        self._log.close()


def process_with_local_port(pids: list[int], port: int) -> int | None:
    """Which of `pids` owns the TCP socket whose local port is `port` (from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:  # the process ended meanwhile
            continue
        if links & inodes:
            return pid
    return None
