"""`cunbo run`, `demo`, `import`, `month close` and `report monthly` as a clerk types them."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import werkzeug.serving
from flask import Flask
from flask.testing import FlaskCliRunner

from app.cli import demo as demo_module
from app.cli import main
from app.extensions import db
from app.models import SalesImport, User
from app.registry import load_workbook

WITH_ERRORS = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"  # S01, 4 rows rejected


class FakeWorker:
    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.stopped = False

    def terminate(self) -> None:
        self.stopped = True

    def wait(self, timeout: float) -> int:
        return 0


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `cunbo run` started: migrations, the worker, the server (nothing really runs)."""
    seen: dict[str, Any] = {"workers": [], "migrated": False}

    def popen(command: list[str]) -> FakeWorker:
        worker = FakeWorker(command)
        seen["workers"].append(worker)
        return worker

    def run_simple(host: str, port: int, application: Any, threaded: bool) -> None:
        seen["server"] = (host, port, application)

    monkeypatch.setattr(flask_migrate, "upgrade", lambda: seen.update(migrated=True))
    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(werkzeug.serving, "run_simple", run_simple)
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    return seen


def test_run_migrates_serves_and_stops_its_worker(
    app: Flask, runner: FlaskCliRunner, served: dict[str, Any]
) -> None:
    app.config["REDIS_URL"] = None  # the embedded default, whatever the environment says
    result = runner.invoke(args=["run", "--port", "5077"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5077/" in result.output
    assert served["migrated"]
    assert served["server"][:2] == ("127.0.0.1", 5077)
    assert served["server"][2] is app
    [worker] = served["workers"]
    assert worker.command[2:4] == ["app.supervisor", worker.command[0]]
    # embedded default (no Redis): one solo worker with the sweeper's beat inside it
    assert "--pool=solo" in worker.command and "--beat" in worker.command
    assert worker.stopped  # the server returned: the worker goes too


def test_run_without_a_worker_only_serves(runner: FlaskCliRunner, served: dict[str, Any]) -> None:
    result = runner.invoke(args=["run", "--no-worker"])
    assert result.exit_code == 0, result.output
    assert served["workers"] == []
    assert served["server"][:2] == ("127.0.0.1", 5000)


def test_run_on_redis_starts_a_plain_worker(
    app: Flask, runner: FlaskCliRunner, served: dict[str, Any]
) -> None:
    app.config["REDIS_URL"] = "redis://127.0.0.1:6399/0"
    assert runner.invoke(args=["run"]).exit_code == 0
    [worker] = served["workers"]
    assert "--beat" not in worker.command and "--pool=solo" not in worker.command


def test_demo_builds_imports_and_prints_the_accounts(
    app: Flask, runner: FlaskCliRunner, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo command's steps, on two of the sample county's files instead of two years."""

    def small_county(folder: Path, seed: int, today: Any) -> list[dict[str, str]]:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(samples / "registry.xlsx", folder / "registry.xlsx")
        manifest = json.loads((samples / "manifest.json").read_text())[:2]
        for entry in manifest:
            shutil.copy(samples / "exports" / entry["file"], folder / entry["file"])
        return manifest

    monkeypatch.setattr(flask_migrate, "upgrade", lambda: None)
    monkeypatch.setattr(demo_module, "write_demo_county", small_county)
    result = runner.invoke(args=["demo", "--folder", str(Path(app.instance_path) / "demo-t")])
    assert result.exit_code == 0, result.output
    assert "完成 / done: 2 个文件" in result.output
    assert "示范账号 demo account: demo-admin" in result.output
    with app.app_context():
        assert db.session.query(SalesImport).count() == 2
        assert db.session.query(User).filter(User.login.like("demo-%")).count() >= 4


@pytest.fixture
def county(app: Flask, samples: Path) -> None:
    with app.app_context():
        assert load_workbook(samples / "registry.xlsx").rejected == 0


def test_import_prints_progress_and_a_summary_with_the_rejected_rows(
    app: Flask, runner: FlaskCliRunner, county: None, samples: Path
) -> None:
    result = runner.invoke(args=["import", str(samples / "exports" / WITH_ERRORS), "--shop", "S01"])
    assert result.exit_code == 0, result.output
    assert f"{WITH_ERRORS} [succeeded] 平台 douyin" in result.output
    assert "拒绝 4" in result.output
    with app.app_context():
        record = db.session.query(SalesImport).one()
    assert f"GET /api/v1/imports/{record.id}/errors" in result.output
    assert f"  {WITH_ERRORS}: 90% (332 行)" in result.output  # progress, staging done


def test_a_file_that_fails_whole_exits_1_with_its_reason(
    runner: FlaskCliRunner, county: None, tmp_path: Path
) -> None:
    empty = tmp_path / "订单.csv"
    empty.write_text("子订单编号,主订单编号,商品ID,订单应付金额,订单提交时间\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(empty), "--shop", "S01", "--platform", "douyin"])
    assert result.exit_code == 1, result.output
    assert "[failed]" in result.output


def test_month_close_asks_first_then_freezes(runner: FlaskCliRunner, county: None) -> None:
    asked = runner.invoke(args=["month", "close", "2024-06"])
    assert asked.exit_code != 0
    assert "--yes" in asked.output
    closed = runner.invoke(args=["month", "close", "2024-06", "--yes"])
    assert closed.exit_code == 0, closed.output
    assert "2024-06 已月结: 网络零售额 0.00 元" in closed.output
    again = runner.invoke(args=["month", "close", "2024-07", "--yes", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["month"] == "2024-07"


def test_bad_months_are_usage_errors(runner: FlaskCliRunner, tmp_path: Path) -> None:
    report = runner.invoke(args=["report", "monthly", "2024-13", "-o", str(tmp_path / "r.xlsx")])
    assert report.exit_code == 2
    assert "YYYY-MM" in report.output
    close = runner.invoke(args=["month", "close", "June"])
    assert close.exit_code == 2


def test_an_unreadable_registry_file_exits_2(runner: FlaskCliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "名录.xlsx"
    broken.write_bytes(b"not a workbook")
    result = runner.invoke(args=["registry", "load", str(broken)])
    assert result.exit_code == 2
    assert "名录未导入" in result.output


def test_the_cunbo_group_lists_every_command() -> None:
    assert {"run", "import", "demo", "users", "registry", "metrics", "month", "report"} <= set(
        main.commands
    )
