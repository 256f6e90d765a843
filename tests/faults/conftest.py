"""The fault suite (RELIABILITY.md): real PostgreSQL, a private Redis, real worker processes.

Each module is marked `services` and `faults`: it runs when CI=true or CUNBO_SERVICES=1 and
fails, never skips, when a service is missing; `-m 'not faults'` deselects it locally. Every
test ends by checking that each figure served equals the same figure from the raw lines.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import (
    LiveRoom,
    OrderLine,
    PlatformListing,
    Product,
    SalesImport,
    Shop,
    Township,
    Village,
)
from tests.faults.procs import PrivateRedis, Worker
from tests.support import bearer_client, empty_all_tables, ensure_database, fresh_schema, own_url

# One database per pytest-xdist worker (tests.support.worker_url): each fault test empties
# every table when it starts.
POSTGRES_URL = own_url(
    "CUNBO_FAULTS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/cunbo_faults"
)
BY = ("day", "month", "platform", "township", "village", "shop", "room", "brand", "product")


@pytest.fixture(scope="session")
def _fault_schema(tmp_path_factory: pytest.TempPathFactory) -> None:
    ensure_database(POSTGRES_URL)
    app = create_app(config_for(tmp_path_factory.mktemp("faults-schema"), "redis://127.0.0.1:1/0"))
    with app.app_context():
        fresh_schema()
        db.engine.dispose()


def config_for(folder: Path, redis_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "faults-secret",
        "SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
        "REDIS_URL": redis_url,
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fault_app(_fault_schema: None, broker: PrivateRedis, tmp_path: Path) -> Iterator[Flask]:
    """The app as the web process sees it, on the test's database and private broker."""
    app = create_app(config_for(tmp_path, broker.url))
    with app.app_context():
        empty_all_tables()
        _county()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def start_worker(
    fault_app: Flask, broker: PrivateRedis, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """Start workers with extra settings (`CUNBO_…` names); all are stopped after the test."""
    started: list[Worker] = []

    def start(
        concurrency: int = 1,
        beat: bool = False,
        address_space: int | None = None,
        env: dict[str, str] | None = None,
        **settings: str,
    ) -> Worker:
        env = {
            **os.environ,
            **(env or {}),
            "DATABASE_URL": POSTGRES_URL,
            "REDIS_URL": broker.url,
            "SECRET_KEY": "faults-secret",
            "CUNBO_UPLOAD_FOLDER": fault_app.config["UPLOAD_FOLDER"],
            "CUNBO_IMPORT_CHUNK_ROWS": "20000",
            **{f"CUNBO_{name}": value for name, value in settings.items()},
        }
        worker = Worker(env, tmp_path / f"worker{len(started)}.log", concurrency, address_space)
        started.append(worker)
        worker.start()
        if beat:
            worker.start_beat()
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def admin(fault_app: Flask) -> FlaskClient:
    return bearer_client(fault_app, "faults-admin", "admin")


def _county() -> None:
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    shop = Shop(code="S01", platform="douyin", name="旗舰店", village=village)
    product = Product(code="P001", name="许营焖子", category="休闲食品")
    room = LiveRoom(
        code="R01",
        platform="douyin",
        account_id="62187499831",
        nickname="焖子达人小姚",
        village=village,
        shop=shop,
    )
    db.session.add_all([township, village, shop, product, room])
    db.session.flush()
    db.session.add(
        PlatformListing(platform="douyin", merchant_code="P001-DO", product_id=product.id)
    )
    db.session.commit()


def upload(client: FlaskClient, path: Path, **form: str) -> dict[str, Any]:
    """POST the file to the imports API; returns the import JSON (202 or 200)."""
    with path.open("rb") as stream:
        response = client.post(
            "/api/v1/imports",
            data={"file": (stream, path.name), "shop": "S01", **form},
            content_type="multipart/form-data",
        )
    assert response.status_code in (200, 202), response.get_json()
    return dict(response.get_json())


def state(import_id: int) -> SalesImport:
    db.session.rollback()  # read what the worker committed
    record = db.session.get(SalesImport, import_id, populate_existing=True)
    assert record is not None
    return record


def wait_for(condition: Callable[[], bool], seconds: float, what: str, every: float = 0.1) -> float:
    """Poll until `condition()`; returns the seconds it took, fails after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(every)
    pytest.fail(f"not within {seconds} s: {what}")


def wait_final(import_id: int, seconds: float) -> SalesImport:
    wait_for(
        lambda: state(import_id).status in ("succeeded", "failed"),
        seconds,
        f"import {import_id} finished",
    )
    return state(import_id)


def stored_lines() -> dict[str, Decimal]:
    """Every stored line's gross, by line id (the natural key is unique by constraint)."""
    db.session.rollback()
    rows = db.session.execute(select(OrderLine.line_id, OrderLine.paid_amount)).tuples()
    return dict(rows.all())


def assert_figures_equal_raw(start: str = "2023-01-01", end: str = "2025-12-31") -> None:
    """Every retail grouping, county and agricultural, from the rollups equals the raw lines."""
    from tests.figures_json import retail

    db.session.rollback()
    for by in BY:
        for agri in (False, True):
            rolled = retail(start, end, by, agri=agri, source="rollup")
            raw = retail(start, end, by, agri=agri, source="raw")
            assert rolled == raw, f"by={by} agri={agri}: rollups differ from the raw lines"


def county_net(start: str = "2024-01-01", end: str = "2024-12-31") -> str:
    from tests.figures_json import retail

    db.session.rollback()
    return str(retail(start, end, "month", source="rollup")["total"]["net"])
