"""Configuration: every documented `CUNBO_…` variable reaches the app (and Celery) with its type."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.config import RETIRED, SETTINGS, ConfigError
from app.metrics.live import active_threshold
from app.web.formatting import beijing_time_text

README = Path(__file__).resolve().parents[1] / "README.md"
MB = 1024 * 1024

# variable → (text set, config key, value the app must hold)
SAMPLE: dict[str, tuple[str, str, Any]] = {
    "CUNBO_DATABASE_URL": (
        "postgresql://clerk@db.invalid/county",
        "SQLALCHEMY_DATABASE_URI",
        "postgresql+psycopg://clerk@db.invalid/county",
    ),
    "CUNBO_REDIS_URL": ("redis://127.0.0.1:6390/3", "REDIS_URL", "redis://127.0.0.1:6390/3"),
    "CUNBO_SECRET_KEY": ("s" * 32, "SECRET_KEY", "s" * 32),
    "CUNBO_ENV": ("production", "CUNBO_ENV", "production"),
    "CUNBO_TIMEZONE": ("Asia/Urumqi", "CUNBO_TIMEZONE", "Asia/Urumqi"),
    "CUNBO_UPLOAD_FOLDER": ("<tmp>/files", "UPLOAD_FOLDER", "<tmp>/files"),
    "CUNBO_MAX_UPLOAD_MB": ("64", "MAX_CONTENT_LENGTH", 64 * MB),
    "CUNBO_REGISTRY_UPLOAD_MB": ("5", "REGISTRY_UPLOAD_LIMIT", 5 * MB),
    "CUNBO_UPLOAD_RETENTION_DAYS": ("30", "UPLOAD_RETENTION_DAYS", 30),
    "CUNBO_IMPORT_CHUNK_ROWS": ("20000", "IMPORT_CHUNK_ROWS", 20_000),
    "CUNBO_IMPORT_MAX_ATTEMPTS": ("5", "IMPORT_MAX_ATTEMPTS", 5),
    "CUNBO_IMPORT_TIME_LIMIT_BASE": ("4.5", "IMPORT_TIME_LIMIT_BASE", 4.5),
    "CUNBO_IMPORT_TIME_LIMIT_PER_MB": ("0.5", "IMPORT_TIME_LIMIT_PER_MB", 0.5),
    "CUNBO_IMPORT_PARTS": ("3", "IMPORT_PARTS", 3),
    "CUNBO_IMPORT_PART_MIN_MB": ("8.5", "IMPORT_PART_MIN_MB", 8.5),
    "CUNBO_JOB_SWEEP_SECONDS": ("7.5", "JOB_SWEEP_SECONDS", 7.5),
    "CUNBO_JOB_QUEUED_GRACE_SECONDS": ("12", "JOB_QUEUED_GRACE_SECONDS", 12.0),
    "CUNBO_ACTIVE_ROOM_MIN_SALES": ("100.50", "ACTIVE_ROOM_MIN_SALES", "100.50"),
    "CUNBO_BABEL_DEFAULT_LOCALE": ("en", "BABEL_DEFAULT_LOCALE", "en"),
    "CUNBO_LOGIN_RATE_LIMIT": ("5 per minute", "LOGIN_RATE_LIMIT", "5 per minute"),
    "CUNBO_UPLOAD_RATE_LIMIT": ("2 per minute", "UPLOAD_RATE_LIMIT", "2 per minute"),
    "CUNBO_RATELIMIT_ENABLED": ("false", "RATELIMIT_ENABLED", False),
    "CUNBO_RATELIMIT_STORAGE_URI": ("memory://", "RATELIMIT_STORAGE_URI", "memory://"),
    "CUNBO_WTF_CSRF_ENABLED": ("off", "WTF_CSRF_ENABLED", False),
    "CUNBO_FIGURES_CACHE": ("false", "FIGURES_CACHE", False),
    "CUNBO_FIGURES_CACHE_URL": (
        "redis://127.0.0.1:6390/4",
        "FIGURES_CACHE_URL",
        "redis://127.0.0.1:6390/4",
    ),
    "CUNBO_FIGURES_CACHE_SECONDS": ("60", "FIGURES_CACHE_SECONDS", 60),
    "CUNBO_BRIEF_FONT": ("<tmp>/fonts/cjk.ttc", "CUNBO_BRIEF_FONT", "<tmp>/fonts/cjk.ttc"),
}
ALIASES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting from the shell running the tests leaks in."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)
    for name in (*ALIASES, *RETIRED):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _app(tmp_path: Path, **config: Any) -> Flask:
    return create_app({"UPLOAD_FOLDER": str(tmp_path / "uploads"), **config})


def test_every_documented_variable_reaches_the_app_with_its_type(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert set(SAMPLE) | {"CUNBO_SQLALCHEMY_ENGINE_OPTIONS"} == {s.variable for s in SETTINGS}
    for variable, (text, _key, _value) in SAMPLE.items():
        clean_env.setenv(variable, text.replace("<tmp>", str(tmp_path)))
    clean_env.setenv("CUNBO_SQLALCHEMY_ENGINE_OPTIONS", '{"pool_size": 3}')
    app = create_app()
    for variable, (_text, key, value) in SAMPLE.items():
        expected = value.replace("<tmp>", str(tmp_path)) if isinstance(value, str) else value
        assert app.config[key] == expected, variable
        assert type(app.config[key]) is type(expected), variable
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "pool_size": 3}
    assert app.config["SESSION_COOKIE_SECURE"] is True  # production
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Urumqi"
    assert (tmp_path / "files").is_dir()
    celery = app.extensions["celery"]
    assert celery.conf.broker_url == "redis://127.0.0.1:6390/3"
    assert celery.conf.beat_schedule["sweep-stuck-imports"]["schedule"] == 7.5
    with app.app_context():
        # 08:00 UTC is 16:00 in Beijing but 14:00 in Urumqi (UTC+6)
        assert beijing_time_text(dt.datetime(2024, 6, 1, 8, 0)) == "2024-06-01 14:00"
        assert active_threshold() == Decimal("100.50")


def test_defaults_hold_without_the_environment(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    assert app.config["CUNBO_TIMEZONE"] == "Asia/Shanghai"
    assert app.config["UPLOAD_RETENTION_DAYS"] == 90
    assert app.config["MAX_CONTENT_LENGTH"] == 512 * MB
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.extensions["celery"].conf.broker_url == "filesystem://"
    with app.app_context():
        assert beijing_time_text(dt.datetime(2024, 6, 1, 8, 0)) == "2024-06-01 16:00"


def test_celery_settings_from_the_environment_are_kept(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("CUNBO_CELERY__worker_prefetch_multiplier", "4")
    clean_env.setenv("CUNBO_CELERY__task_default_queue", "imports")
    clean_env.setenv("CUNBO_CELERY__include", '["tasks.imports"]')
    app = _app(tmp_path)
    conf = app.extensions["celery"].conf
    assert conf.worker_prefetch_multiplier == 4
    assert conf.task_default_queue == "imports"
    assert list(conf.include) == ["tasks.imports"]
    assert conf.task_acks_late is True  # the derived settings not named stay


def test_the_callers_celery_settings_win_over_the_environment(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("CUNBO_CELERY__worker_prefetch_multiplier", "4")
    clean_env.setenv("CUNBO_IMPORT_CHUNK_ROWS", "20000")
    app = _app(tmp_path, CELERY={"worker_prefetch_multiplier": 2}, IMPORT_CHUNK_ROWS=10)
    assert app.extensions["celery"].conf.worker_prefetch_multiplier == 2
    assert app.config["IMPORT_CHUNK_ROWS"] == 10


def test_conventional_names_are_aliases_the_prefixed_one_wins(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("DATABASE_URL", "postgres://old@db.invalid/county")
    clean_env.setenv("REDIS_URL", "redis://127.0.0.1:6391/0")
    clean_env.setenv("SECRET_KEY", "conventional-secret")
    app = _app(tmp_path, RATELIMIT_STORAGE_URI="memory://")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://old@db.invalid/county"
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6391/0"
    assert app.config["SECRET_KEY"] == "conventional-secret"
    clean_env.setenv("CUNBO_SECRET_KEY", "prefixed-secret")
    clean_env.setenv("CUNBO_DATABASE_URL", "sqlite://")
    app = _app(tmp_path, RATELIMIT_STORAGE_URI="memory://")
    assert app.config["SECRET_KEY"] == "prefixed-secret"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


@pytest.mark.parametrize("variable", ["CUNBO_SECRET_KEY", "SECRET_KEY"])
def test_production_accepts_either_secret_name(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    clean_env.setenv("CUNBO_ENV", "production")
    clean_env.setenv(variable, "x" * 32)
    assert _app(tmp_path).config["SESSION_COOKIE_SECURE"] is True


def test_production_without_a_secret_refuses_to_start(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("CUNBO_ENV", "production")
    with pytest.raises(ConfigError, match="CUNBO_SECRET_KEY"):
        _app(tmp_path)


@pytest.mark.parametrize(
    ("variable", "text", "kind"),
    [
        ("CUNBO_IMPORT_CHUNK_ROWS", "many", "integer"),
        ("CUNBO_JOB_SWEEP_SECONDS", "soon", "number"),
        ("CUNBO_RATELIMIT_ENABLED", "perhaps", "true/false"),
        ("CUNBO_ACTIVE_ROOM_MIN_SALES", "一百", "decimal number"),
        ("CUNBO_SQLALCHEMY_ENGINE_OPTIONS", "[1, 2]", "JSON object"),
        ("CUNBO_TIMEZONE", "Moon/Base", "时区"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, variable: str, text: str, kind: str
) -> None:
    clean_env.setenv(variable, text)
    with pytest.raises(ConfigError) as caught:
        _app(tmp_path)
    assert variable in str(caught.value)
    assert kind in str(caught.value)


@pytest.mark.parametrize(("old", "new"), sorted(RETIRED.items()))
def test_a_retired_name_stops_start_up_with_its_new_name(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, old: str, new: str
) -> None:
    clean_env.setenv(old, "30")
    with pytest.raises(ConfigError, match=new):
        _app(tmp_path)


def test_the_readme_table_lists_every_variable() -> None:
    table = README.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([A-Z_]+)`", table, flags=re.MULTILINE))
    assert {s.variable for s in SETTINGS} <= listed
    for name in (*ALIASES, *RETIRED):
        assert f"`{name}`" in table, name
    assert "`CUNBO_CELERY__" in table
