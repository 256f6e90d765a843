"""Loading the sample county's registry workbook."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from flask import Flask
from sqlalchemy import func

from app.extensions import db
from app.models import (
    AGRICULTURAL_CATEGORIES,
    BaselinePrice,
    Category,
    LiveRoom,
    LiveSession,
    PlatformListing,
    Product,
    Shop,
    Streamer,
    Target,
    Township,
)
from app.registry import load_workbook

EXPECTED = {
    "乡镇": 4,
    "村": 8,
    "网店": 7,
    "直播间": 5,
    "主播": 5,
    "品牌": 3,
    "商品": 8,
    "平台商品": 40,
    "基准价": 1,
    "目标": 5,
    "直播场次": 1420,
}


def _count(model: object) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))  # type: ignore[arg-type]


def test_sample_loads_every_row(app_ctx: Flask, samples: Path) -> None:
    result = load_workbook(samples / "registry.xlsx")

    assert result.errors == []
    assert {name: counts.inserted for name, counts in result.sheets.items()} == EXPECTED
    assert all(c.rejected == c.updated == c.unchanged == 0 for c in result.sheets.values())
    assert _count(LiveSession) == 1420
    assert _count(PlatformListing) == 40
    assert _count(Township) == 4


def test_second_load_changes_nothing(app_ctx: Flask, samples: Path) -> None:
    load_workbook(samples / "registry.xlsx")
    again = load_workbook(samples / "registry.xlsx")

    totals = again.totals()
    assert (totals.inserted, totals.updated, totals.rejected) == (0, 0, 0)
    assert {name: counts.unchanged for name, counts in again.sheets.items()} == EXPECTED
    assert _count(LiveSession) == 1420


def test_values_are_typed_as_the_domain_needs(app_ctx: Flask, samples: Path) -> None:
    load_workbook(samples / "registry.xlsx")

    first = db.session.scalars(
        db.select(LiveSession)
        .join(LiveSession.room)
        .where(LiveRoom.code == "R01")
        .order_by(LiveSession.started_at)
    ).first()
    assert first is not None
    # 2023-01-01 20:19 Beijing time is 12:19 UTC, stored naive.
    assert first.started_at == dt.datetime(2023, 1, 1, 12, 19)
    assert first.ended_at == dt.datetime(2023, 1, 1, 13, 54)
    assert first.sales == Decimal("41.04")
    assert (first.viewers, first.views, first.avg_watch_seconds) == (768, 1674, 185)
    assert first.streamer is not None and first.streamer.code == "Z01"
    assert first.source == "imported"

    tea = db.session.scalars(db.select(Product).where(Product.code == "P004")).one()
    assert tea.units_per_item == Decimal("0.5")
    assert tea.brand is not None and tea.brand.code == "B01"
    assert tea.brand_joined_on == dt.date(2023, 3, 1)

    shop = db.session.scalars(db.select(Shop).where(Shop.code == "S05")).one()
    assert shop.platform == "taobao"  # 天猫
    baseline = db.session.scalars(db.select(BaselinePrice)).one()
    assert (baseline.kind, baseline.unit_price) == ("reference", Decimal("6.2"))
    assert baseline.valid_to is None

    county = db.session.scalars(
        db.select(Target).where(Target.scope_type == "county", Target.indicator == "net_retail")
    ).one()
    assert (county.scope_code, county.year, county.month) == ("高新区", 2024, None)
    assert county.value == Decimal("308333")

    room = db.session.scalars(db.select(LiveRoom).where(LiveRoom.code == "R05")).one()
    assert room.shop is None
    assert [streamer.code for streamer in room.streamers] == ["Z05"]
    assert room.account_id == "18750977240"
    assert db.session.scalars(db.select(Streamer.code).order_by(Streamer.code)).all() == [
        "Z01",
        "Z02",
        "Z03",
        "Z04",
        "Z05",
    ]


def test_categories_are_seeded_and_new_ones_added(app_ctx: Flask, samples: Path) -> None:
    load_workbook(samples / "registry.xlsx")

    categories = {c.name: c.agricultural for c in db.session.scalars(db.select(Category))}
    assert all(categories[name] for name in AGRICULTURAL_CATEGORIES)
    assert categories["手工艺品"] is False  # used by P007, not a default category
    assert len(categories) == len(AGRICULTURAL_CATEGORIES) + 1


def test_result_is_json_serialisable(app_ctx: Flask, samples: Path) -> None:
    result = load_workbook(samples / "registry.xlsx").to_dict()

    decoded = json.loads(json.dumps(result, ensure_ascii=False))
    assert decoded["file"] == "registry.xlsx"
    assert decoded["sheets"]["直播场次"] == {
        "inserted": 1420,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert decoded["totals"]["inserted"] == sum(EXPECTED.values())
    assert decoded["errors"] == []
