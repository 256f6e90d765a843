"""The JSON API under /api/v1, described by the OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Flask
from marshmallow.fields import Decimal, Field

from app.extensions import api, csrf


def register_api(app: Flask) -> None:
    """Every flask-smorest Blueprint of /api/v1, in the order the OpenAPI description lists."""
    from app.api import imports, lines, live_sessions, metrics, registry, reports, unregistered

    api.ma_plugin.converter.add_attribute_function(numeric_bounds)
    for blueprint in (
        *imports.blueprints,
        *registry.blueprints,
        live_sessions.blp,
        *metrics.blueprints,
        *reports.blueprints,
        lines.blp,
        unregistered.blp,
    ):
        # api_guard checks CSRF itself: only for cookie-signed writes, with a JSON answer.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix="/api/v1" + (blueprint.url_prefix or ""))


def numeric_bounds(_converter: Any, field: Field, ret: dict[str, Any], **_: Any) -> Any:
    """Money read and written as "12.50" has numeric bounds and default in the description."""
    # (not `fields.Decimal`: the package's own `fields` submodule shadows that name here)
    if not isinstance(field, Decimal):
        return {}
    keys = ("minimum", "maximum", "default", "example")
    return {key: float(ret[key]) for key in keys if isinstance(ret.get(key), str)}
