"""Helpers shared by fixtures and tests: configuration, emptying tables, the sample county."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url, text

from app.extensions import db


def config_for_tests(database_url: str, folder: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }


def worker_url(url: str, worker: int) -> str:
    """The URL for xdist worker N: database `name_gwN` on PostgreSQL, Redis database − 2N.

    Redis steps by two so that the suite's database (15) and the services' (14) never meet."""
    if worker == 0 or not url.startswith(("postgres", "redis")):
        return url
    if url.startswith("redis"):
        base, _, number = url.rpartition("/")
        return f"{base}/{(int(number or 0) - 2 * worker) % 16}"
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_gw{worker}").render_as_string(False)


def xdist_worker() -> int:
    """This process's pytest-xdist worker number (0 outside xdist)."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def own_url(variable: str, default: str) -> str:
    """The URL an environment variable (or the default) names, for this xdist worker."""
    return worker_url(os.environ.get(variable, default), xdist_worker())


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database this URL names, if the server does not have it yet."""
    import psycopg

    parsed = make_url(url)
    server = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(False), autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def fresh_schema() -> None:
    """The models' schema on an empty database, whatever an earlier run left there.

    On PostgreSQL the public schema is dropped whole: a database kept from a run of an older
    revision may hold constraints the models no longer name, which `drop_all` cannot order.
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


def empty_all_tables() -> None:
    """Delete every row and start every id at 1 again, as on a new database.

    DELETE, not TRUNCATE, on PostgreSQL too: a test leaves a few rows, and TRUNCATE of 44
    tables costs about 160 ms (new files for each), against 20-30 ms for the deletes. The
    tables are locked first, as TRUNCATE would: a worker still writing finishes before.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        names = ", ".join(table.name for table in tables)
        db.session.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
    for table in tables:
        db.session.execute(table.delete())
    if postgresql:  # SQLite's rowids start again by themselves
        db.session.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))
    db.session.commit()


def import_samples(samples: Path) -> list[dict[str, Any]]:
    """Load the sample registry and import every export in manifest order (results in "result")."""
    from app.ingest.service import create_import, run_import
    from app.registry import load_workbook

    assert load_workbook(samples / "registry.xlsx").rejected == 0
    manifest: list[dict[str, Any]] = json.loads((samples / "manifest.json").read_text())
    for entry in manifest:
        record = create_import(
            samples / "exports" / entry["file"],
            platform=entry["platform"],
            shop_code=entry["shop"],
            password=entry.get("password"),
        )
        entry["result"] = run_import(record.id)
    return manifest


def bearer_client(
    app: Flask, login: str, role: str, scopes: dict[str, list[str]] | None = None
) -> FlaskClient:
    """A test client of a new user with this role and scope codes, signed in by bearer token."""
    from app.auth.tokens import issue_token
    from app.models import User, UserScope

    with app.app_context():
        user = User(login=login, role=role, password_hash="!")  # no password: tokens only
        user.scopes = [
            UserScope(kind=kind, code=code)
            for kind, codes in (scopes or {}).items()
            for code in codes
        ]
        db.session.add(user)
        db.session.commit()
        _token, plain = issue_token(user, "tests")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    return client
