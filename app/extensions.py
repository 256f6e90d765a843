"""Unbound extensions, bound to the app in the factory."""

from collections.abc import Mapping
from typing import Any

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No default limits: only the routes that ask for one (login, uploads) are limited. Set here,
# not from app.config: Flask-Limiter keeps these from the first app it is bound to.
# A 429 says when to retry (Retry-After). With Redis down, counting falls back to this process's
# memory and any other storage error is logged and let through: signing in never fails on it.
limiter = Limiter(
    key_func=get_remote_address,
    headers_enabled=True,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
)
# Computed figures, keyed by their question and the data version (app.models.versions):
# `cache` is shared by every process (Redis), `near_cache` keeps this process's recent answers
# so that a repeated question costs no trip to Redis either.
cache = Cache()
near_cache = Cache()
FIGURES_KEY_PREFIX = "cunbo:figures:"
NEAR_ENTRIES = 256


def figures_cache_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Flask-Caching settings: Redis when one is configured, else this process's memory.

    Every key holds the data version read from the database, so a process can never serve a
    figure older than the data, whichever store it uses. Without Redis (the embedded default)
    each process keeps its own SimpleCache: nothing to share a file store for, no files to
    clean under instance/, and a miss costs one computation per process.
    """
    timeout = config["FIGURES_CACHE_SECONDS"]
    if not config["FIGURES_CACHE"]:
        return {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    url = config["FIGURES_CACHE_URL"] or config["REDIS_URL"]
    if not url:
        return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": timeout}
    return {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": url,
        # Beside the broker's keys, never among them; a Redis that is down costs at most half a
        # second per request and the figure is computed as if there were no cache.
        "CACHE_KEY_PREFIX": FIGURES_KEY_PREFIX,
        "CACHE_DEFAULT_TIMEOUT": timeout,
        "CACHE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


def near_cache_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """This process's copy of answers the shared Redis cache holds; none without Redis (the
    shared cache is this process's memory already) or with the cache off."""
    if figures_cache_config(config)["CACHE_TYPE"] != "RedisCache":
        return {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    return {
        "CACHE_TYPE": "SimpleCache",
        "CACHE_THRESHOLD": NEAR_ENTRIES,
        "CACHE_DEFAULT_TIMEOUT": config["FIGURES_CACHE_SECONDS"],
    }
