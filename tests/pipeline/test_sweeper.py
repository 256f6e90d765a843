"""The sweeper: lost messages are sent again, a backlog still in the queue is left to drain."""

from __future__ import annotations

import pytest

import tasks.imports
from app.extensions import db
from app.ingest.service import create_import
from app.models import SalesImport, Shop, Township, Village, utcnow

DOUYIN_Q3 = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"


@pytest.fixture
def waiting_long(app_ctx, samples) -> int:
    """An import queued long ago, as if its message had been lost with the broker."""
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    db.session.add_all(
        [township, village, Shop(code="S01", platform="douyin", name="旗舰店", village=village)]
    )
    db.session.commit()
    record = create_import(samples / "exports" / DOUYIN_Q3, shop_code="S01")
    record.heartbeat_at = utcnow().replace(year=2000)
    db.session.commit()
    return record.id


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(tasks.imports, "enqueue_import", calls.append)
    return calls


def test_a_queued_import_whose_message_was_lost_is_sent_again(
    waiting_long, sent, monkeypatch
) -> None:
    monkeypatch.setattr(tasks.imports, "_messages_waiting", lambda: 0)

    assert tasks.imports.sweep_imports() == 1
    assert sent == [waiting_long]
    assert tasks.imports.sweep_imports() == 0  # once a grace period, not once a sweep


def test_a_backlog_still_in_the_queue_is_left_to_drain(waiting_long, sent, monkeypatch) -> None:
    monkeypatch.setattr(tasks.imports, "_messages_waiting", lambda: 12)

    assert tasks.imports.sweep_imports() == 0
    assert sent == []
    assert db.session.get(SalesImport, waiting_long).status == "queued"
