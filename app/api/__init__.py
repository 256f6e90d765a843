"""The JSON API under /api/v1, described by the OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

from app.extensions import api, csrf

# Each module defines `blp` (or a list `blueprints`) of flask-smorest Blueprints for /api/v1.
BLUEPRINT_MODULES = (
    "app.api.imports",
    "app.api.registry",
    "app.api.sessions",
    "app.api.metrics",
    "app.api.reports",
)


def register_api(app: Flask) -> None:
    for module_name in BLUEPRINT_MODULES:
        module = import_module(module_name)
        for blueprint in getattr(module, "blueprints", None) or [module.blp]:
            csrf.exempt(blueprint)  # the API authenticates per request, not by cookie form
            api.register_blueprint(blueprint, url_prefix="/api/v1" + (blueprint.url_prefix or ""))
