"""Cunbo (村播): sales tracker for county e-commerce centres."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: configuration, extensions, API and pages (commands: app.cli)."""
    app = Flask(__name__, instance_relative_config=True)
    from app.config import configure

    configure(app, config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    register_converters(app)
    register_extensions(app)
    register_auth(app)
    register_blueprints(app)
    register_web(app)
    return app


def register_converters(app: Flask) -> None:
    from app.converters import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added


def register_extensions(app: Flask) -> None:
    from app.celery_app import celery_init_app
    from app.extensions import (
        api,
        babel,
        cache,
        csrf,
        db,
        figures_cache_config,
        limiter,
        login_manager,
        migrate,
        near_cache,
        near_cache_config,
    )
    from app.models.base import enable_sqlite_pragmas

    db.init_app(app)
    with app.app_context():
        enable_sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    api.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app)  # the web layer binds its language choice
    limiter.init_app(app)
    cache.init_app(app, config=figures_cache_config(app.config))
    near_cache.init_app(app, config=near_cache_config(app.config))
    celery_init_app(app)


def register_auth(app: Flask) -> None:
    from app.auth import register_auth as bind_auth

    bind_auth(app)


def register_blueprints(app: Flask) -> None:
    from app.api import register_api

    register_api(app)


def register_web(app: Flask) -> None:
    from app.web import register_web as bind_web

    bind_web(app)
