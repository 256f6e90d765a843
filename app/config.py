"""Configuration: defaults in code, then `CUNBO_…` environment variables, then the caller's dict.

Every setting a deployment may change is a row of SETTINGS (app.settings). The conventional
DATABASE_URL, REDIS_URL and SECRET_KEY are read too when their `CUNBO_` name is not set.
Celery settings come from `CUNBO_CELERY__<name>` (lower-case Celery name, a JSON value or text)
and are laid over the ones derived here, never the other way round.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from app.settings import (
    CELERY_PREFIX,
    DEFAULT_UPLOAD_LIMIT,
    DEV_SECRET,
    KIND_NAMES,
    MB,
    RETIRED,
    SETTINGS,
    ConfigError,
    Setting,
    normalise_database_url,
)

__all__ = [
    "RETIRED",
    "SETTINGS",
    "ConfigError",
    "Setting",
    "celery_settings",
    "configure",
    "defaults",
    "from_environment",
    "normalise_database_url",
]


def defaults(instance_path: str) -> dict[str, Any]:
    """The embedded default: SQLite file and a filesystem broker under instance/."""
    instance = Path(instance_path)
    return {
        "SECRET_KEY": DEV_SECRET,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'cunbo.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "MAX_CONTENT_LENGTH": DEFAULT_UPLOAD_LIMIT,
        "REGISTRY_UPLOAD_LIMIT": 50 * MB,
        # Raw uploads hold buyers' personal data: deleted this many days after their import.
        "UPLOAD_RETENTION_DAYS": 90,
        "REDIS_URL": None,
        "CUNBO_ENV": "development",
        "CUNBO_TIMEZONE": "Asia/Shanghai",
        "IMPORT_CHUNK_ROWS": 50_000,
        "IMPORT_MAX_ATTEMPTS": 3,
        # Time an import may take: base seconds plus seconds per MB of file, for the Celery
        # soft limit (the hard limit adds a minute) and each statement's statement_timeout.
        "IMPORT_TIME_LIMIT_BASE": 300,
        "IMPORT_TIME_LIMIT_PER_MB": 3,
        "IMPORT_PARTS": 2,
        "IMPORT_PART_MIN_MB": 16,
        # The sweeper's period, and how long a job may wait `queued` before it is taken for one
        # whose message was lost (a broker restarted without persistence): within 2 minutes.
        "JOB_SWEEP_SECONDS": 60,
        "JOB_QUEUED_GRACE_SECONDS": 50,
        "ACTIVE_ROOM_MIN_SALES": "0",
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Flask-Limiter keeps its last `enabled` value between apps, so state it every time.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": None,  # memory:// or REDIS_URL, decided in configure()
        "LOGIN_RATE_LIMIT": "10 per minute",
        "UPLOAD_RATE_LIMIT": "30 per minute",  # per user, the imports page and API together
        "WTF_CSRF_ENABLED": True,
        # Figures are cached under the data version, so an entry is never stale, only unused.
        "FIGURES_CACHE": True,
        "FIGURES_CACHE_URL": None,
        "FIGURES_CACHE_SECONDS": 3600,
        "API_TITLE": "Cunbo API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings the environment gives, read with their types; CELERY holds Celery's own."""
    env = os.environ if environ is None else environ
    retired = [f"{old} → {new}" for old, new in RETIRED.items() if old in env]
    if retired:
        raise ConfigError(
            "这些环境变量已改名，请改用新名称 (renamed, set the new names instead): "
            + ", ".join(retired)
        )
    found: dict[str, Any] = {}
    for setting in SETTINGS:
        name = setting.variable if env.get(setting.variable) else setting.alias
        value = env.get(name) if name else None
        if not value:
            continue
        try:
            found[setting.key] = setting.read(value)
        except ValueError as exc:
            kind = KIND_NAMES.get(setting.read, "value")
            raise ConfigError(
                f"环境变量 {name} 的值 {value!r} 无效，应为 {kind} ({name} must be a {kind})."
            ) from exc
    celery = {
        name[len(CELERY_PREFIX) :]: _json_or_text(value)
        for name, value in env.items()
        if name.startswith(CELERY_PREFIX) and len(name) > len(CELERY_PREFIX)
    }
    if celery:
        found["CELERY"] = celery
    return found


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Apply defaults, then the environment, then `overrides`; refuse unsafe production setups."""
    environment = from_environment()
    overrides = dict(overrides or {})
    # Celery's own settings: the environment's over the derived ones, the caller's over both.
    celery = {**environment.pop("CELERY", {}), **overrides.pop("CELERY", {})}
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_mapping(environment)
    app.config.from_mapping(overrides)
    _check_timezone(app.config["CUNBO_TIMEZONE"])
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["CUNBO_TIMEZONE"]
    if app.config["CUNBO_ENV"] == "production":
        if app.config["SECRET_KEY"] in ("", None, DEV_SECRET):
            raise ConfigError(
                "CUNBO_ENV=production 需要设置 CUNBO_SECRET_KEY (或 SECRET_KEY) 环境变量 "
                "(a secret key must be set in production: "
                "`export CUNBO_SECRET_KEY=$(openssl rand -hex 32)`)."
            )
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config["RATELIMIT_STORAGE_URI"]:
        # Several gunicorn workers must share one counter, which memory:// cannot do.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"timeout": 30},
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    else:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    app.config["CELERY"] = {**celery_settings(app.config), **celery}


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"CUNBO_TIMEZONE={name!r} 不是时区名称，例如 Asia/Shanghai (not a time zone name)."
        ) from exc


def celery_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """Redis when REDIS_URL is set; otherwise a filesystem broker beside the SQLite file."""
    settings: dict[str, Any] = {
        "include": ["tasks.imports", "tasks.registry", "tasks.retention"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        # Ride out broker restarts: reconnect for ever (the supervisor restarts a worker that
        # exits anyway). A running import keeps running; its state lives in the database.
        "broker_connection_retry": True,
        "broker_connection_max_retries": None,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "beat_schedule": {
            "sweep-stuck-imports": {
                "task": "tasks.imports.sweep_imports",
                "schedule": float(config["JOB_SWEEP_SECONDS"]),
            },
            "purge-old-uploads": {"task": "tasks.retention.purge_uploads", "schedule": 86400.0},
        },
    }
    if config.get("REDIS_URL"):
        settings["broker_url"] = config["REDIS_URL"]
        return settings
    queue = Path(config["UPLOAD_FOLDER"]).parent / "broker"
    settings["broker_url"] = "filesystem://"
    settings["broker_transport_options"] = {
        "data_folder_in": str(queue / "out"),
        "data_folder_out": str(queue / "out"),
        "processed_folder": str(queue / "processed"),
        "control_folder": str(queue / "control"),
        "store_processed": False,
    }
    return settings
