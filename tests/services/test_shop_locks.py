"""Imports of different shops merge at the same time; of one shop, one after the other."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

import app.ingest.service as service
from app.extensions import db
from app.ingest.service import create_import, run_import
from app.metrics.brand_rollups import STAMP, brand_rollups_current
from app.metrics.rollup_write import rebuild_all, refresh_days
from app.models import RollupStamp, Shop, Township, Village
from tests.faults.exports import douyin_export

pytestmark = pytest.mark.services


def _two_douyin_shops() -> dict[str, int]:
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    shops = [
        Shop(code=code, platform="douyin", name=code, village=village) for code in ("S01", "S02")
    ]
    db.session.add_all([township, village, *shops])
    db.session.commit()
    rebuild_all()  # brand rollups stamped current: a merge then locks its own shops only
    db.session.commit()
    return {shop.code: shop.id for shop in db.session.scalars(select(Shop))}


def test_a_merge_waits_only_for_merges_of_its_own_shops(
    services_app: Flask, tmp_path: Path
) -> None:
    shops = _two_douyin_shops()
    services_app.config.update(IMPORT_TIME_LIMIT_BASE=3, IMPORT_TIME_LIMIT_PER_MB=0)
    first = douyin_export(tmp_path, 500, seed=1)
    second = douyin_export(tmp_path, 500, first=500, seed=2)
    # Another merge of S01, under way: it holds what `lock_refreshes([S01])` takes.
    holder = db.engine.connect()
    under_way = holder.begin()
    holder.execute(text("SELECT pg_advisory_xact_lock_shared(73110402)"))
    holder.execute(text("SELECT pg_advisory_xact_lock(7500, :shop)"), {"shop": shops["S01"]})
    try:
        other_shop = run_import(create_import(second.path, shop_code="S02").id)
        same_shop = run_import(create_import(first.path, shop_code="S01").id)
    finally:
        under_way.rollback()
        holder.close()

    assert (other_shop.status, other_shop.inserted) == ("succeeded", 500)
    # It waited for the merge of S01 until its time limit (3 s here) ran out; nothing stored.
    assert (same_shop.status, same_shop.code) == ("failed", "timed_out")
    again = run_import(create_import(first.path, shop_code="S01", file_name="again.csv").id)
    assert (again.status, again.inserted) == ("succeeded", 500)


def test_a_merge_that_finds_the_registry_changed_leaves_the_brand_rollups_to_the_next_full_refresh(
    services_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry changed after the merge chose to lock only its shops: it never takes the
    lock of every shop on top of its own (two merges doing so would deadlock)."""
    _two_douyin_shops()
    monkeypatch.setattr(service, "brand_rollups_current", lambda: True)  # as it looked
    stamp = db.session.get(RollupStamp, STAMP)
    assert stamp is not None
    stamp.value = "before the registry changed"
    db.session.commit()

    done = run_import(create_import(douyin_export(tmp_path, 500).path, shop_code="S01").id)

    assert (done.status, done.inserted) == ("succeeded", 500)
    assert not brand_rollups_current()  # brand figures are read from the lines meanwhile
    refresh_days({dt.date(2024, 1, 1)})  # the next refresh of every shop
    db.session.commit()
    assert brand_rollups_current()
