"""The JSON API under /api/v1, described by the OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from flask import Flask
from marshmallow.fields import Decimal, Field

from app.extensions import api, csrf

# Each module defines `blp` (or a list `blueprints`) of flask-smorest Blueprints for /api/v1.
BLUEPRINT_MODULES = (
    "app.api.imports",
    "app.api.registry",
    "app.api.sessions",
    "app.api.metrics",
    "app.api.reports",
    "app.api.lines",
    "app.api.unregistered",
)


def register_api(app: Flask) -> None:
    api.ma_plugin.converter.add_attribute_function(numeric_bounds)
    for module_name in BLUEPRINT_MODULES:
        module = import_module(module_name)
        for blueprint in getattr(module, "blueprints", None) or [module.blp]:
            # api_guard checks CSRF itself: only for cookie-signed writes, with a JSON answer.
            csrf.exempt(blueprint)
            api.register_blueprint(blueprint, url_prefix="/api/v1" + (blueprint.url_prefix or ""))


def numeric_bounds(_converter: Any, field: Field, ret: dict[str, Any], **_: Any) -> Any:
    """Money read and written as "12.50" still has numeric bounds in the OpenAPI description."""
    # (not `fields.Decimal`: the package's own `fields` submodule shadows that name here)
    if not isinstance(field, Decimal):
        return {}
    return {key: float(ret[key]) for key in ("minimum", "maximum") if isinstance(ret.get(key), str)}
