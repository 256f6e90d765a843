"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests.support import config_for_tests


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of its own, empty, beside the suite's (a file on SQLite)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(
    empty_database: str, tmp_path: Path
) -> None:
    app = create_app(config_for_tests(empty_database, tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        assert "order_lines" in inspect(db.engine).get_table_names()

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_session_counts_become_nullable_and_stored_zeros_stay_zeros(
    empty_database: str, tmp_path: Path
) -> None:
    """a4b5c6d7e8f9: a blank count is stored as NULL from now on; the zeros typed before stay
    0; a client_id is stored once."""
    app = create_app(config_for_tests(empty_database, tmp_path))
    with app.app_context():
        upgrade(revision="f2a3b4c5d6e7")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO townships (id, code, name, county)"
                    " VALUES (1, 'T01', '东城', '示范县')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO villages (id, code, name, township_id)"
                    " VALUES (1, 'V01', '一村', 1)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO live_rooms (id, code, platform, village_id)"
                    " VALUES (1, 'R01', 'douyin', 1)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO live_sessions (id, room_id, started_at, ended_at, sales, items,"
                    " buyers, viewers, views, peak_online, avg_online, avg_watch_seconds,"
                    " new_followers, source, created_at) VALUES (1, 1, '2026-10-01 12:00:00',"
                    " '2026-10-01 14:00:00', 0, 3, 2, 0, 0, 0, 0, 0, 0, 'typed',"
                    " '2026-10-01 14:00:00')"
                )
            )
        upgrade(revision="a4b5c6d7e8f9")
        with db.engine.begin() as connection:
            kept = connection.execute(
                text("SELECT items, buyers, viewers, views FROM live_sessions WHERE id = 1")
            ).one()
            assert tuple(kept) == (3, 2, 0, 0)
            connection.execute(
                text(
                    "INSERT INTO live_sessions (id, room_id, started_at, ended_at, sales,"
                    " source, client_id, created_at) VALUES (2, 1, '2026-10-02 12:00:00',"
                    " '2026-10-02 14:00:00', 0, 'typed', 'c-1', '2026-10-02 14:00:00')"
                )
            )
            assert (
                connection.execute(
                    text("SELECT viewers FROM live_sessions WHERE id = 2")
                ).scalar_one()
                is None
            )
        with pytest.raises(Exception, match="(?i)unique"), db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO live_sessions (id, room_id, started_at, ended_at, sales,"
                    " source, client_id, created_at) VALUES (3, 1, '2026-10-03 12:00:00',"
                    " '2026-10-03 14:00:00', 0, 'typed', 'c-1', '2026-10-03 14:00:00')"
                )
            )
        downgrade(revision="f2a3b4c5d6e7")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, viewers FROM live_sessions ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [(1, 0), (2, 0)]
        db.engine.dispose()
