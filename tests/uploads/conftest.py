"""Two townships with a shop each, API clients of three roles, and every enqueued job seen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import SalesImport, Shop, Township, Village
from tests.support import bearer_client

# A file no known format matches: its import fails once run, which is enough for uploads.
ORDERS_CSV = "单号,商品,金额\nA001,黑鸡,99.50\n".encode()


@pytest.fixture
def shops(app: Flask) -> None:
    """Shop P01 in township T01, shop P02 in township T02."""
    with app.app_context():
        t1 = Township(code="T01", name="许营镇", county="示范县")
        t2 = Township(code="T02", name="顾乡镇", county="示范县")
        v1 = Village(code="V0101", name="东村", township=t1)
        v2 = Village(code="V0201", name="西村", township=t2)
        db.session.add_all(
            [
                t1,
                t2,
                v1,
                v2,
                Shop(code="P01", platform="douyin", name="东村好物", village=v1),
                Shop(code="P02", platform="kuaishou", name="西村快手店", village=v2),
            ]
        )
        db.session.commit()


@pytest.fixture
def officer(app: Flask, shops: None) -> FlaskClient:
    return bearer_client(app, "officer1", "officer")


@pytest.fixture
def township(app: Flask, shops: None) -> FlaskClient:
    return bearer_client(app, "township1", "township", {"township": ["T01"]})


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The import ids the upload service sent to the broker, in order (each really sent)."""
    import tasks.uploads

    sent: list[int] = []
    real = tasks.uploads.enqueue_import

    def recording(import_id: int) -> None:
        real(import_id)
        sent.append(import_id)

    monkeypatch.setattr(tasks.uploads, "enqueue_import", recording)
    yield sent


def imports_count(app: Flask) -> int:
    with app.app_context():
        return len(db.session.scalars(db.select(SalesImport)).all())


def stored_files(app: Flask) -> list[Path]:
    """Every file left in the upload folder, temporary ones included."""
    return sorted(p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file())
