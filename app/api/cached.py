"""Figures served from the cache while their data has not changed.

An answer is kept under its endpoint, its query (as the schema loaded it), the caller's scope,
the language, the Beijing day and the data version (`app.models.versions`). A session sign-in
reads the version with the user, so a figure the cache holds costs one query.
Any write that can change a figure raises the version in its own transaction, so a figure is
never served older than the data it reads; entries of earlier versions are simply never asked
for again and expire. With no version in the database, nothing is cached. On Redis, each
process also keeps its recent answers (`near_cache`), under the same keys, so they are exactly
as fresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import get_locale
from marshmallow import Schema
from redis.exceptions import RedisError

from app.auth import AccessScope, current_scope
from app.beijing import today
from app.extensions import cache, db, near_cache
from app.models import data_version

log = logging.getLogger(__name__)


def served(
    schema: type[Schema], args: Mapping[str, Any], compute: Callable[[], dict[str, Any]]
) -> Response:
    """The JSON answer of `compute()` dumped with `schema`, from the cache when it holds it."""
    version = data_version(db.session)
    key = None if version is None else figure_key(args, current_scope(), version)
    if key is not None:
        body = _get(key)
        if body is not None:
            return current_app.response_class(body, mimetype="application/json")
    answer = jsonify(schema().dump(compute()))
    if key is not None:
        _set(key, answer.get_data())
    return answer


def figure_key(args: Mapping[str, Any], scope: AccessScope, version: int) -> str:
    """The cache key of this request's question, asked by `scope`, at data `version`."""
    question = {
        "endpoint": request.endpoint,
        "args": {name: _plain(value) for name, value in sorted(args.items())},
        "scope": [
            scope.role,
            scope.county,
            sorted(scope.townships),
            sorted(scope.brands),
            sorted(scope.rooms),
        ],
        "lang": str(get_locale()),
        # Figures "as of today" (target progress, time progress) change at Beijing midnight.
        "today": today().isoformat(),
    }
    digest = hashlib.sha256(json.dumps(question, sort_keys=True).encode()).hexdigest()[:32]
    return f"v{version}:{digest}"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _get(key: str) -> bytes | None:
    near = near_cache.get(key)
    if isinstance(near, bytes):
        return near
    try:
        found = cache.get(key)
    except (RedisError, OSError) as exc:  # the cache is down: answer as if it were empty
        log.warning("figures cache unavailable: %s", exc)
        return None
    if not isinstance(found, bytes):
        return None
    near_cache.set(key, found)
    return found


def _set(key: str, body: bytes) -> None:
    near_cache.set(key, body)
    try:
        cache.set(key, body)
    except (RedisError, OSError) as exc:
        log.warning("figures cache unavailable: %s", exc)
