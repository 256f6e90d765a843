"""The settings a deployment may change: one row each in SETTINGS.

A row names its config key, its environment variable (always `CUNBO_` + the key without a
leading `CUNBO_`, except the few named otherwise), how the text is read (integer, number,
true/false, JSON) and what it means. app.config reads them at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

PREFIX = "CUNBO_"
CELERY_PREFIX = "CUNBO_CELERY__"
MB = 1024 * 1024
DEFAULT_UPLOAD_LIMIT = 512 * MB  # a 1M-line 抖店 CSV is ~400 MB
DEV_SECRET = "cunbo-dev-only-secret"


class ConfigError(RuntimeError):
    """Start-up is impossible with the configuration given."""


def _text(value: str) -> str:
    return value


def _int(value: str) -> int:
    return int(value.strip())


def _float(value: str) -> float:
    return float(value.strip())


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _bool(value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(value)


def _json_object(value: str) -> dict[str, Any]:
    found = json.loads(value)
    if not isinstance(found, dict):
        raise ValueError(value)
    return found


def _decimal_text(value: str) -> str:
    """Money kept as its text ("0", "1000.50"), refused unless it is a number."""
    try:
        Decimal(value.strip())
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    return value.strip()


def _megabytes(value: str) -> int:
    return _int(value) * MB


def _database_url(value: str) -> str:
    return normalise_database_url(value.strip())


KIND_NAMES: dict[Callable[[str], Any], str] = {
    _text: "text",
    _int: "integer",
    _float: "number",
    _bool: "true/false",
    _json_object: "JSON object",
    _decimal_text: "decimal number",
    _megabytes: "integer (MB)",
    _database_url: "URL",
}


@dataclass(frozen=True)
class Setting:
    """One configuration key and the environment variable that sets it."""

    key: str
    read: Callable[[str], Any]
    meaning: str
    env: str = ""  # default: CUNBO_ + key without its own CUNBO_
    alias: str = ""  # a conventional unprefixed name, read when `env` is not set

    @property
    def variable(self) -> str:
        return self.env or PREFIX + self.key.removeprefix(PREFIX)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SQLALCHEMY_DATABASE_URI",
        _database_url,
        "`postgresql://user:pass@host/db` (psycopg 3 is used); default: SQLite under instance/",
        env="CUNBO_DATABASE_URL",
        alias="DATABASE_URL",
    ),
    Setting(
        "REDIS_URL",
        _text,
        "`redis://host:6379/0`: the Celery broker and the rate limits' counters; default: a "
        "filesystem broker under instance/",
        alias="REDIS_URL",
    ),
    Setting(
        "SECRET_KEY",
        _text,
        "signs sessions and CSRF tokens; required when `CUNBO_ENV=production`",
        alias="SECRET_KEY",
    ),
    Setting("CUNBO_ENV", _text, "`production` turns on secure cookies and the secret check"),
    Setting("CUNBO_TIMEZONE", _text, "time zone times are shown in (default Asia/Shanghai)"),
    Setting(
        "UPLOAD_FOLDER", _text, "where uploaded exports are kept (content-addressed by SHA-256)"
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        _megabytes,
        "upload size limit in MB (default 512)",
        env="CUNBO_MAX_UPLOAD_MB",
    ),
    Setting(
        "REGISTRY_UPLOAD_LIMIT",
        _megabytes,
        "registry workbook size limit in MB (default 50)",
        env="CUNBO_REGISTRY_UPLOAD_MB",
    ),
    Setting(
        "UPLOAD_RETENTION_DAYS",
        _int,
        "days an uploaded file (buyers' names, phones, addresses) is kept after its import "
        "finished; the daily beat task then deletes it, the import's counts and errors stay "
        "(default 90)",
    ),
    Setting("IMPORT_CHUNK_ROWS", _int, "lines staged per chunk of an import (default 50000)"),
    Setting(
        "IMPORT_MAX_ATTEMPTS", _int, "attempts at an import or registry load before it fails (3)"
    ),
    Setting(
        "IMPORT_TIME_LIMIT_BASE",
        _float,
        "seconds an import may take, plus the next setting per MB of file (default 300)",
    ),
    Setting("IMPORT_TIME_LIMIT_PER_MB", _float, "seconds added per MB of file (default 3)"),
    Setting(
        "IMPORT_PARTS",
        _int,
        "workers that stage one large import at once on PostgreSQL (default 2, as many as the "
        "Procfile's worker processes; 1 stages every file in one worker)",
    ),
    Setting(
        "IMPORT_PART_MIN_MB",
        _float,
        "smallest file, in MB, that is staged by several workers (default 16)",
    ),
    Setting("JOB_SWEEP_SECONDS", _float, "the sweeper's period in seconds (default 60)"),
    Setting(
        "JOB_QUEUED_GRACE_SECONDS",
        _float,
        "seconds a job may wait queued before the sweeper re-sends it (default 50)",
    ),
    Setting(
        "ACTIVE_ROOM_MIN_SALES",
        _decimal_text,
        "yuan a live room must sell in a period to count as active (default 0)",
    ),
    Setting("BABEL_DEFAULT_LOCALE", _text, "language before anyone chooses (default zh_Hans_CN)"),
    Setting("LOGIN_RATE_LIMIT", _text, "sign-in attempts allowed per address (10 per minute)"),
    Setting("UPLOAD_RATE_LIMIT", _text, "uploads allowed per user, page and API (30 per minute)"),
    Setting("RATELIMIT_ENABLED", _bool, "`false` switches the rate limits off (default true)"),
    Setting(
        "RATELIMIT_STORAGE_URI",
        _text,
        "where the rate limits count (default REDIS_URL, else memory://)",
    ),
    Setting(
        "WTF_CSRF_ENABLED", _bool, "`false` switches CSRF checks off: tests only (default true)"
    ),
    Setting(
        "FIGURES_CACHE",
        _bool,
        "`false` computes every figure afresh instead of serving it from the figures cache "
        "(default true)",
    ),
    Setting(
        "FIGURES_CACHE_URL",
        _text,
        "`redis://host:6379/1`: where computed figures are cached; default REDIS_URL (keys "
        "under `cunbo:figures:`), else each process's memory",
    ),
    Setting(
        "FIGURES_CACHE_SECONDS",
        _int,
        "seconds a cached figure is kept; a change of data makes it unused at once (3600)",
    ),
    Setting(
        "CUNBO_BRIEF_FONT",
        _text,
        "font file (TTF/OTF/TTC) the monthly brief's PDF and PNG are drawn with; default: the "
        "first Chinese font fontconfig knows (e.g. Debian's fonts-noto-cjk)",
    ),
    Setting(
        "SQLALCHEMY_ENGINE_OPTIONS",
        _json_object,
        'SQLAlchemy engine options as JSON, e.g. `{"pool_size": 10}`',
    ),
)

# Names read before there was one prefix: refused, so a deployment never silently loses them.
RETIRED = {
    "UPLOAD_FOLDER": "CUNBO_UPLOAD_FOLDER",
    "MAX_UPLOAD_MB": "CUNBO_MAX_UPLOAD_MB",
    "UPLOAD_RETENTION_DAYS": "CUNBO_UPLOAD_RETENTION_DAYS",
}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the Heroku way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
