"""Figures are served from the cache until their data changes, and never stale after it does.

Each freshness test asks the same question before and after a write (an import, a registry
edit, a session written or deleted, targets loaded, a month closed) and compares the cached
app's answer with an app that computes every figure afresh on the same database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app import create_app
from app.auth.accounts import NewUser, create_user
from app.extensions import FIGURES_KEY_PREFIX, db, figures_cache_config, near_cache_config
from app.ingest.service import create_import, run_import
from app.models import (
    SalesImport,
    bump_data_version,
    data_version,
    data_version_column,
    note_data_version,
)
from app.reports import close_month
from tests.api.conftest import ClientFactory
from tests.services.conftest import REDIS_URL
from tests.support import config_for_tests

RETAIL = "/api/v1/metrics/retail"
WIDE = {"from": "2023-01-01", "to": "2024-12-31", "by": "month"}
FIGURE_TABLES = ("order_lines", "rollup_", "live_sessions", "FROM targets")


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs while the test does."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def figure_sql(statements: list[str]) -> list[str]:
    return [s for s in statements if any(table in s for table in FIGURE_TABLES)]


def cached(client: FlaskClient, url: str, query: dict[str, Any]) -> Any:
    """Ask twice; the second answer must come from the cache (no SQL on lines or rollups)."""
    first = client.get(url, query_string=query)
    assert first.status_code == 200, first.json
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        again = client.get(url, query_string=query)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert again.get_data() == first.get_data()
    assert figure_sql(seen) == [], "not served from the cache"
    return again.json


@pytest.fixture
def manifest(samples: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((samples / "manifest.json").read_text())
    return entries


@pytest.fixture
def import_export(
    app: Flask, samples: Path, manifest: list[dict[str, Any]]
) -> Callable[[int], str]:
    """Import the manifest's n-th export through the real import service; its status."""

    def run(n: int) -> str:
        entry = manifest[n]
        with app.app_context():
            record = create_import(
                samples / "exports" / entry["file"],
                platform=entry["platform"],
                shop_code=entry["shop"],
                password=entry.get("password"),
            )
            status = run_import(record.id).status
            db.session.remove()
        return status

    return run


@pytest.fixture
def imported(registry: None, import_export: Callable[[int], str]) -> None:
    assert import_export(0) == "succeeded"


@pytest.fixture
def afresh(database_url: str, tmp_path: Path) -> Callable[[FlaskClient], FlaskClient]:
    """The same caller on an app that caches nothing: the figure as the data stands now."""
    app = create_app(
        {**config_for_tests(database_url, tmp_path / "afresh"), "FIGURES_CACHE": False}
    )

    def client_like(client: FlaskClient) -> FlaskClient:
        twin = app.test_client()
        twin.environ_base.update(client.environ_base)
        return twin

    return client_like


def version(app: Flask) -> int | None:
    with app.app_context():
        found = data_version(db.session)
        db.session.remove()
        return found


CLERK_PASSWORD = "correct-horse-9"


@pytest.fixture
def browser(app: Flask) -> FlaskClient:
    """A client signed in through the form, holding the session cookie as a clerk's browser."""
    with app.app_context():
        create_user(NewUser(login="clerk", role="officer", password=CLERK_PASSWORD))
        db.session.remove()
    client = app.test_client()
    signed = client.post("/login", data={"login": "clerk", "password": CLERK_PASSWORD})
    assert signed.status_code == 302
    return client


def test_a_cached_figure_costs_a_signed_in_browser_one_query(
    imported: None, browser: FlaskClient, statements: list[str]
) -> None:
    first = browser.get(RETAIL, query_string=WIDE)
    statements.clear()

    again = browser.get(RETAIL, query_string=WIDE)

    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert len(statements) == 1, statements  # the user, with the data version beside it
    assert "FROM users" in statements[0] and "data_version" in statements[0]


def test_a_cached_figure_costs_a_bearer_token_one_query(
    imported: None, admin: FlaskClient, statements: list[str]
) -> None:
    first = admin.get(RETAIL, query_string=WIDE)  # also writes the token's last use
    statements.clear()

    again = admin.get(RETAIL, query_string=WIDE)

    assert again.get_data() == first.get_data()
    assert len(statements) == 1, statements  # the token, its user and the data version
    assert "FROM api_tokens" in statements[0] and "data_version" in statements[0]


def test_requests_sharing_one_app_context_never_reuse_an_old_version(
    app: Flask, imported: None, browser: FlaskClient, import_export: Callable[[int], str]
) -> None:
    with app.app_context():  # a script's or a test's requests: one session, one signed-in user
        before = browser.get(RETAIL, query_string=WIDE).json
        assert import_export(8) == "succeeded"  # shop S02, in a context of its own

        after = browser.get(RETAIL, query_string=WIDE).json

    assert after["total"] != before["total"]


def test_a_version_read_beside_the_user_holds_for_its_own_transaction_only(
    app: Flask, imported: None
) -> None:
    with app.app_context():
        seen = db.session.execute(db.select(data_version_column())).scalar_one()
        note_data_version(db.session, seen)
        with db.engine.begin() as other:  # an import commits meanwhile
            bump_data_version(other)

        assert data_version(db.session) == seen  # what this transaction read

        db.session.rollback()
        raised = data_version(db.session)
        assert raised is not None and raised > seen
        db.session.remove()


def test_a_second_identical_call_is_served_from_the_cache(
    admin: FlaskClient, imported: None, statements: list[str]
) -> None:
    first = admin.get(RETAIL, query_string=WIDE)
    assert first.status_code == 200
    assert figure_sql(statements)  # computed from the rollups
    assert first.json["total"]["net"] != "0.00"
    statements.clear()

    again = admin.get(RETAIL, query_string=WIDE)

    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.mimetype == "application/json"
    assert figure_sql(statements) == []
    assert len([s for s in statements if "data_version" in s]) == 1


def test_the_same_question_in_other_words_is_the_same_entry(
    admin: FlaskClient, imported: None, statements: list[str]
) -> None:
    admin.get(RETAIL, query_string=WIDE)
    statements.clear()
    # by=month is the default and the order of the arguments does not matter
    reordered = admin.get(RETAIL, query_string={"to": WIDE["to"], "from": WIDE["from"]})
    assert reordered.status_code == 200
    assert figure_sql(statements) == []


def test_another_query_scope_or_language_is_computed(
    admin: FlaskClient, client_as: ClientFactory, imported: None, statements: list[str]
) -> None:
    county = admin.get(RETAIL, query_string=WIDE).json
    for changed in (
        {**WIDE, "by": "township"},
        {**WIDE, "to": "2024-06-30"},
        {**WIDE, "scope": "township:T01"},
        {**WIDE, "agri": "true"},
        {**WIDE, "lang": "en"},
    ):
        statements.clear()
        assert admin.get(RETAIL, query_string=changed).status_code == 200
        assert figure_sql(statements), changed

    township = client_as("township", township=["T02"])
    statements.clear()
    own = township.get(RETAIL, query_string=WIDE)
    assert own.status_code == 200
    assert figure_sql(statements)
    assert own.json["scope"] == "township:T02"
    assert own.json["total"] != county["total"]
    # and a scope the caller may not see is refused, never answered from the cache
    assert township.get(RETAIL, query_string={**WIDE, "scope": "county"}).status_code == 403


def test_an_import_makes_the_figure_fresh(
    app: Flask,
    admin: FlaskClient,
    imported: None,
    import_export: Callable[[int], str],
    afresh: Callable[[FlaskClient], FlaskClient],
) -> None:
    before = cached(admin, RETAIL, WIDE)
    old = version(app)

    assert import_export(8) == "succeeded"  # the first export of shop S02

    after = admin.get(RETAIL, query_string=WIDE).json
    assert version(app) != old
    assert after["total"] != before["total"]
    assert after == afresh(admin).get(RETAIL, query_string=WIDE).json


def test_a_failed_import_raises_no_version(
    app: Flask, admin: FlaskClient, imported: None, tmp_path: Path, statements: list[str]
) -> None:
    admin.get(RETAIL, query_string=WIDE)
    old = version(app)
    garbage = tmp_path / "not-an-export.csv"
    garbage.write_text("a,b\n1,2\n", encoding="utf-8")
    with app.app_context():
        record = create_import(garbage, platform="douyin", shop_code="S01")
        assert run_import(record.id).status == "failed"
        db.session.remove()

    assert version(app) == old
    statements.clear()
    admin.get(RETAIL, query_string=WIDE)
    assert figure_sql(statements) == []  # still the cached figure: nothing changed


def test_a_bump_rolled_back_raises_nothing(app: Flask, imported: None) -> None:
    old = version(app)
    with app.app_context():
        record = db.session.scalars(db.select(SalesImport)).first()
        assert record is not None
        record.message = "changed"
        bump_data_version(db.session)
        db.session.rollback()
        db.session.commit()  # nothing pending any more: the next commit raises nothing
        db.session.remove()
    assert version(app) == old


def test_a_registry_change_makes_the_figure_fresh(
    app: Flask,
    admin: FlaskClient,
    imported: None,
    afresh: Callable[[FlaskClient], FlaskClient],
) -> None:
    by_township = {**WIDE, "by": "township"}
    before = cached(admin, RETAIL, by_township)

    renamed = admin.patch("/api/v1/townships/T01", json={"name": "新名镇"})
    assert renamed.status_code == 200, renamed.json

    after = admin.get(RETAIL, query_string=by_township).json
    labels = {row["key"]: row["label"] for row in after["rows"]}
    assert labels["T01"] == "新名镇"
    assert {row["key"]: row["label"] for row in before["rows"]}["T01"] != "新名镇"
    assert after == afresh(admin).get(RETAIL, query_string=by_township).json


def test_a_listing_moved_to_another_product_rematches_and_the_figure_is_fresh(
    admin: FlaskClient, imported: None, afresh: Callable[[FlaskClient], FlaskClient]
) -> None:
    by_product = {**WIDE, "by": "product"}
    before = cached(admin, RETAIL, by_product)
    sold = [row["key"] for row in before["rows"] if row["key"] and row["net"] != "0.00"]
    other = next(
        p["code"] for p in admin.get("/api/v1/products").json["items"] if p["code"] != sold[0]
    )
    listings = admin.get("/api/v1/listings", query_string={"product": sold[0]}).json["items"]
    assert listings
    for listing in listings:
        moved = admin.patch(f"/api/v1/listings/{listing['id']}", json={"product": other})
        assert moved.status_code == 200, moved.json

    after = admin.get(RETAIL, query_string=by_product).json
    assert sold[0] not in [row["key"] for row in after["rows"] if row["net"] != "0.00"]
    assert after == afresh(admin).get(RETAIL, query_string=by_product).json


def test_session_writes_and_deletes_make_the_figure_fresh(
    admin: FlaskClient, registry: None, afresh: Callable[[FlaskClient], FlaskClient]
) -> None:
    sessions = {"from": "2025-01-01", "to": "2025-01-31"}
    body = {
        "room": "R01",
        "streamer": "Z01",
        "start": "2025-01-05 20:00",
        "end": "2025-01-05 22:30",
        "sales": "1234.5",
        "items": 30,
        "buyers": 25,
        "viewers": 3000,
    }
    created = admin.post("/api/v1/sessions", json=body)
    assert created.status_code == 201, created.json
    first = cached(admin, "/api/v1/metrics/sessions", sessions)
    assert len(first["sessions"]) == 1

    item = f"/api/v1/sessions/{created.json['id']}"
    assert admin.patch(item, json={"sales": 10}).status_code == 200
    patched = admin.get("/api/v1/metrics/sessions", query_string=sessions).json
    assert patched != first
    assert patched == afresh(admin).get("/api/v1/metrics/sessions", query_string=sessions).json

    assert admin.delete(item).status_code == 204
    gone = admin.get("/api/v1/metrics/sessions", query_string=sessions).json
    assert gone["sessions"] == []
    assert gone == afresh(admin).get("/api/v1/metrics/sessions", query_string=sessions).json


def test_targets_loaded_make_the_progress_fresh(
    admin: FlaskClient, imported: None, afresh: Callable[[FlaskClient], FlaskClient]
) -> None:
    progress = {"year": 2024, "as_of": "2024-06-30"}
    before = cached(admin, "/api/v1/targets/progress", progress)
    target = {
        "year": 2024,
        "scope_type": "乡镇",
        "scope_code": "T04",
        "indicator": "网络零售额",
        "value": "123456",
    }
    assert admin.post("/api/v1/targets", json=target).status_code == 201

    after = admin.get("/api/v1/targets/progress", query_string=progress).json
    assert len(after["rows"]) == len(before["rows"]) + 1
    assert after == afresh(admin).get("/api/v1/targets/progress", query_string=progress).json


def test_a_month_close_is_a_new_data_version(
    app: Flask, admin: FlaskClient, imported: None, statements: list[str]
) -> None:
    admin.get(RETAIL, query_string=WIDE)
    old = version(app)
    with app.app_context():
        close_month("2024-06", confirm=True)
        db.session.remove()
    assert version(app) != old
    statements.clear()
    admin.get(RETAIL, query_string=WIDE)
    assert figure_sql(statements)


def test_the_store_is_redis_beside_the_broker_else_each_process_memory() -> None:
    settings = {"FIGURES_CACHE": True, "FIGURES_CACHE_SECONDS": 60, "FIGURES_CACHE_URL": None}
    assert figures_cache_config({**settings, "REDIS_URL": None})["CACHE_TYPE"] == "SimpleCache"
    on_redis = figures_cache_config({**settings, "REDIS_URL": "redis://broker:6379/0"})
    assert on_redis["CACHE_TYPE"] == "RedisCache"
    assert on_redis["CACHE_REDIS_URL"] == "redis://broker:6379/0"
    assert on_redis["CACHE_KEY_PREFIX"] == FIGURES_KEY_PREFIX
    own = {**settings, "FIGURES_CACHE_URL": "redis://cache:6379/2", "REDIS_URL": "redis://b/0"}
    assert figures_cache_config(own)["CACHE_REDIS_URL"] == "redis://cache:6379/2"
    off = {**settings, "FIGURES_CACHE": False, "REDIS_URL": None}
    assert figures_cache_config(off)["CACHE_TYPE"] == "NullCache"
    # each process keeps its recent Redis answers; without Redis its memory is the cache
    assert near_cache_config({**settings, "REDIS_URL": "redis://b/0"})["CACHE_TYPE"] == (
        "SimpleCache"
    )
    for plain in ({**settings, "REDIS_URL": None}, {**off, "REDIS_URL": "redis://b/0"}):
        assert near_cache_config(plain)["CACHE_TYPE"] == "NullCache"


@pytest.mark.services
def test_redis_holds_the_figures_beside_the_broker_and_never_a_stale_one(
    database_url: str,
    registry: None,
    import_export: Callable[[int], str],
    admin: FlaskClient,
    afresh: Callable[[FlaskClient], FlaskClient],
    tmp_path: Path,
) -> None:
    store = redis.Redis.from_url(REDIS_URL)
    store.ping()
    for key in store.scan_iter(f"{FIGURES_KEY_PREFIX}*"):
        store.delete(key)
    shared = {**config_for_tests(database_url, tmp_path / "redis"), "REDIS_URL": REDIS_URL}
    workers = [create_app(shared), create_app(shared)]  # two processes' worth of apps
    callers = []
    for worker in workers:
        caller = worker.test_client()
        caller.environ_base.update(admin.environ_base)
        callers.append(caller)
    assert import_export(0) == "succeeded"

    first = callers[0].get(RETAIL, query_string=WIDE)
    assert first.status_code == 200
    assert list(store.scan_iter(f"{FIGURES_KEY_PREFIX}*"))
    assert callers[1].get(RETAIL, query_string=WIDE).get_data() == first.get_data()

    assert import_export(8) == "succeeded"
    for caller in callers:
        fresh = caller.get(RETAIL, query_string=WIDE).json
        assert fresh != first.json
        assert fresh == afresh(admin).get(RETAIL, query_string=WIDE).json
