"""Configuration: defaults in code, overridden by the environment, then by the caller."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULT_UPLOAD_LIMIT = 512 * 1024 * 1024  # a 1M-line 抖店 CSV is ~400 MB


class ConfigError(RuntimeError):
    """Start-up is impossible with the configuration given."""


def defaults(instance_path: str) -> dict[str, Any]:
    """The embedded default: SQLite file and a filesystem broker under instance/."""
    instance = Path(instance_path)
    return {
        "SECRET_KEY": "cunbo-dev-only-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'cunbo.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "MAX_CONTENT_LENGTH": DEFAULT_UPLOAD_LIMIT,
        # Raw uploads hold buyers' personal data: deleted this many days after their import.
        "UPLOAD_RETENTION_DAYS": 90,
        "REDIS_URL": None,
        "CUNBO_ENV": "development",
        "CUNBO_TIMEZONE": "Asia/Shanghai",
        "IMPORT_CHUNK_ROWS": 100_000,
        "IMPORT_MAX_ATTEMPTS": 3,
        # Time an import may take: base seconds plus seconds per MB of file, for the Celery
        # soft limit (the hard limit adds a minute) and each statement's statement_timeout.
        "IMPORT_TIME_LIMIT_BASE": 300,
        "IMPORT_TIME_LIMIT_PER_MB": 3,
        # The sweeper's period, and how long a job may wait `queued` before it is taken for one
        # whose message was lost (a broker restarted without persistence): within 2 minutes.
        "JOB_SWEEP_SECONDS": 60,
        "JOB_QUEUED_GRACE_SECONDS": 50,
        "ACTIVE_ROOM_MIN_SALES": "0",
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Flask-Limiter keeps its last `enabled` value between apps, so state it every time.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": None,  # memory:// or REDIS_URL, decided in configure()
        "LOGIN_RATE_LIMIT": "10 per minute",
        "UPLOAD_RATE_LIMIT": "30 per minute",  # per user, the imports page and API together
        "API_TITLE": "Cunbo API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


def from_environment() -> dict[str, Any]:
    """Overrides read from the environment (DATABASE_URL, REDIS_URL, SECRET_KEY, …)."""
    env = os.environ
    found: dict[str, Any] = {}
    if env.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(env["DATABASE_URL"])
    for name in ("REDIS_URL", "SECRET_KEY", "UPLOAD_FOLDER", "CUNBO_ENV"):
        if env.get(name):
            found[name] = env[name]
    if env.get("UPLOAD_RETENTION_DAYS"):
        found["UPLOAD_RETENTION_DAYS"] = int(env["UPLOAD_RETENTION_DAYS"])
    if env.get("MAX_UPLOAD_MB"):
        found["MAX_CONTENT_LENGTH"] = int(env["MAX_UPLOAD_MB"]) * 1024 * 1024
    return found


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the Heroku way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Apply defaults, then the environment, then `overrides`; refuse unsafe production setups."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_mapping(from_environment())
    app.config.from_prefixed_env("CUNBO")
    if overrides:
        app.config.from_mapping(overrides)
    production = app.config["CUNBO_ENV"] == "production"
    if production:
        if not os.environ.get("SECRET_KEY") and "SECRET_KEY" not in (overrides or {}):
            raise ConfigError(
                "CUNBO_ENV=production 需要设置 SECRET_KEY 环境变量 "
                "(SECRET_KEY must be set in production: "
                "`export SECRET_KEY=$(openssl rand -hex 32)`)."
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
    app.config["CELERY"] = celery_settings(app.config)


def celery_settings(config: dict[str, Any]) -> dict[str, Any]:
    """Redis when REDIS_URL is set; otherwise a filesystem broker beside the SQLite file."""
    settings: dict[str, Any] = {
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
