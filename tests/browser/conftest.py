"""A real server, a real Celery worker and the system Chromium, driven by Playwright.

The sample county is loaded into the test database once for this package; the Flask
app is served by werkzeug on a free local port in a thread, and uploads go through the real
Celery path: a `celery worker` subprocess on the same database and broker as the server.

Chromium is the system's (Debian package `chromium`, /usr/bin/chromium or CUNBO_CHROMIUM);
Playwright never downloads a browser. Without it the tests skip, except under CI=true, where
a missing browser fails them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.support import config_for_tests
from tests.web.county import PASSWORD, seed_county

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CUNBO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WORKER_READY_SECONDS = 60


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_api() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CUNBO_CHROMIUM)")
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="session")
def chromium(playwright_api: Any) -> Iterator[Any]:
    browser = playwright_api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests leave a screenshot of each page they visit (printed at the end)."""
    folder = Path(os.environ.get("CUNBO_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pytest_terminal_summary(terminalreporter: Any) -> None:
    folder = os.environ.get("CUNBO_SCREENSHOTS")
    if folder:
        terminalreporter.write_line(f"browser screenshots: {folder}")


@pytest.fixture(scope="package")
def live_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Package scope: the worker stops with the last browser test, so it never picks up a task
    # another test queues on a shared Redis later in the run.
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="package")
def live_app(database_url: str, _schema: None, samples: Path, live_folder: Path) -> Iterator[Flask]:
    """The app the server runs, on the test database with the sample county loaded."""
    config = {**config_for_tests(database_url, live_folder), "WTF_CSRF_ENABLED": True}
    app = create_app(config)
    with app.app_context():
        seed_county(samples)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="package")
def worker(live_app: Flask, database_url: str, live_folder: Path) -> Iterator[None]:
    """`celery worker` on the same database and broker (filesystem, or REDIS_URL) as the app."""
    log_path = live_folder / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CUNBO_UPLOAD_FOLDER": live_app.config["UPLOAD_FOLDER"],
        "SECRET_KEY": live_app.config["SECRET_KEY"],
    }
    command = [sys.executable, "-m", "celery", "-A", "tasks.worker", "worker", "--pool=solo"]
    # --purge: tasks other tests queued on a shared Redis are not this worker's to run.
    command += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--purge"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_worker(log_path, process)
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_for_worker(log_path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WORKER_READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited: {log_path.read_text()[-3000:]}")
        if "ready." in log_path.read_text():
            return
        time.sleep(0.3)
    pytest.fail(f"celery worker not ready: {log_path.read_text()[-3000:]}")


@pytest.fixture(scope="package")
def base_url(live_app: Flask, worker: None) -> Iterator[str]:
    """The server's address: werkzeug in a thread on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def new_page(chromium: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) per call: new_page(width=1280, height=900)."""
    contexts = []

    def make(width: int = 1280, height: int = 900, **options: Any) -> Any:
        context = chromium.new_context(
            viewport={"width": width, "height": height},
            base_url=base_url,
            locale="zh-CN",
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Any, login: str) -> None:
    """Sign in through the login form; waits for the home page."""
    page.goto("/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def shot(page: Any, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
