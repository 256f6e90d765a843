"""`cunbo run`: the web server and a Celery worker on one machine."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a Celery worker beside the server.")
@with_appcontext
def run_command(host: str, port: int, no_worker: bool) -> None:
    """Start Cunbo: migrate, then serve the web app with a background worker."""
    from flask_migrate import upgrade

    upgrade()
    worker = None
    if not no_worker:
        embedded = not current_app.config["REDIS_URL"]
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.supervisor",
                *worker_command(embedded, current_app.instance_path),
            ]
        )
    # A service manager stops with SIGTERM: leave through `finally`, as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(f"Cunbo 已启动 / running at http://{host}:{port}/  (Ctrl+C 停止 / to stop)")
    try:
        from werkzeug.serving import run_simple

        run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]
    finally:
        if worker is not None:
            worker.terminate()  # the supervisor passes it on and waits for the worker
            worker.wait(timeout=60)


def worker_command(embedded: bool, instance_path: str) -> list[str]:
    """The Celery worker (with beat inside it on the embedded default: one process to run)."""
    command = [sys.executable, "-m", "celery", "-A", "tasks.worker", "worker", "--loglevel=INFO"]
    if embedded:
        # SQLite has one writer at a time: one worker process, plus the stuck-import sweeper.
        schedule = Path(instance_path) / "celerybeat-schedule"
        command += ["--pool=solo", "--beat", f"--schedule={schedule}"]
    return command
