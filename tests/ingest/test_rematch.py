"""Registering a product re-matches the stored lines and moves every figure, with no re-import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.ingest.rematch import listing_products, rematch_after_registry_change, rematch_lines
from app.metrics.rollup_write import rebuild_all
from app.models import OrderLine, PlatformListing, SalesImport
from app.registry.enrol import (
    ListingKeys,
    NewProduct,
    RegistrationError,
    register_listing,
    register_product,
)
from tests.figures_json import retail
from tests.metrics.conftest import County, county  # noqa: F401 - the hand-made county fixture
from tests.metrics.test_rollups import snapshot

D = dt.date
YEAR = ("2024-01-01", "2024-12-31")


def raw(c: County, shop: str, order: str, paid: str, **keys: Any) -> dict[str, Any]:
    """An unmatched line as an export gives it (raw id, merchant code, name)."""
    day = keys.pop("day", D(2024, 3, 5))
    refund = keys.pop("refund", "0")
    row = c.line(shop, order, paid, product=None, day=day, refund=refund)
    row.update(
        raw_product_id=keys.get("raw_product_id"),
        merchant_code=keys.get("merchant_code"),
        product_name=keys.get("name", "农家土鸡蛋 30枚"),
    )
    if "platform" in keys:
        row["platform"] = keys["platform"]
    return row


@pytest.fixture
def stored(county: County) -> County:  # noqa: F811 - the fixture imported above
    """P001 sold in S01; an unregistered 土鸡蛋 (抖音 id 3581) on two days in two shops, one line
    of it half refunded; an unregistered 快手 product known only by merchant code JD-7."""
    c = county
    c.add(
        c.line("S01", "m1", "100", day=D(2024, 3, 1)),
        raw(c, "S01", "u1", "45.50", raw_product_id="3581", merchant_code="EGG30"),
        raw(c, "S01", "u2", "45.50", raw_product_id="3581", day=D(2024, 3, 9), refund="20"),
        raw(c, "S01", "u3", "30", raw_product_id="3581", day=None),  # unpaid: no sale
        raw(c, "S03", "u4", "12.30", merchant_code="JD-7", name="手工挂面", platform="kuaishou"),
    )
    rebuild_all()
    db.session.commit()
    return c


def figures(**params: Any) -> dict[str, Any]:
    rolled = retail(*YEAR, **params)
    assert rolled == retail(*YEAR, **params, source="raw")  # rollups say what the lines say
    return rolled


def test_a_new_agricultural_product_moves_lines_into_every_figure(stored: County) -> None:
    before = figures(by="month", agri=True)
    assert before["unregistered"] == {"net": "83.30", "lines": 3}
    done = register_product(
        NewProduct(code="P100", name="农家土鸡蛋", brand="B02", category="生鲜产品"),
        ListingKeys("douyin", "3581", "EGG30"),
    )
    assert (done.rematched.lines, done.rematched.sale_lines) == (3, 2)
    assert done.rematched.net == Decimal("71.00")
    after = figures(by="month", agri=True)
    # P001 is 休闲食品 (agricultural) too: 100.00 before, 171.00 after.
    assert (before["total"]["net"], after["total"]["net"]) == ("100.00", "171.00")
    assert after["unregistered"] == {"net": "12.30", "lines": 1}
    assert figures(by="month")["total"]["net"] == "183.30"  # 网零额 does not change
    by_product = {row["key"]: row["net"] for row in figures(by="product")["rows"]}
    assert by_product["P100"] == "71.00" and by_product[None] == "12.30"
    by_brand = {row["key"]: row["net"] for row in figures(by="brand")["rows"]}
    assert by_brand["B02"] == "71.00"
    by_category = {row["key"]: row["net"] for row in figures(by="category")["rows"]}
    assert by_category["生鲜产品"] == "71.00"
    lines = db.session.scalars(select(OrderLine.product_id).where(OrderLine.order_id == "u3"))
    assert list(lines) == [db.session.scalar(select(PlatformListing.product_id))]


def test_a_listing_onto_an_existing_product_by_merchant_code(stored: County) -> None:
    done = register_listing("P004", ListingKeys("kuaishou", None, "JD-7"))
    assert not done.created_product
    assert (done.rematched.lines, done.rematched.net) == (1, Decimal("12.30"))
    by_product = {row["key"]: row["net"] for row in figures(by="product")["rows"]}
    assert by_product["P004"] == "12.30"
    assert figures(by="month", agri=True)["total"]["net"] == "112.30"  # P004 is 茶
    # Registering the same listing again changes nothing and says so.
    again = register_listing("P004", ListingKeys("kuaishou", None, "JD-7"))
    assert again.rematched.lines == 0 and again.listing_id == done.listing_id


def test_rematching_twice_changes_nothing_the_second_time(stored: County) -> None:
    # A second shop on another day: the refresh covers (day, shop) pairs of two shops.
    stored.add(raw(stored, "S02", "x1", "10", raw_product_id="3581", day=D(2024, 4, 2)))
    rebuild_all()
    db.session.commit()
    first = register_listing("P003", ListingKeys("douyin", "3581"))
    assert first.rematched.pairs == {
        (D(2024, 3, 5), stored["S01"]),
        (D(2024, 3, 9), stored["S01"]),
        (D(2024, 4, 2), stored["S02"]),
    }
    tables = snapshot()
    again = rematch_lines()
    db.session.commit()
    assert again.lines == 0 and again.net == 0
    assert snapshot() == tables
    rebuild_all()  # and what it left equals a rebuild from the lines
    assert snapshot() == tables


def test_the_platform_product_id_wins_over_the_merchant_code(stored: County) -> None:
    db.session.add(
        PlatformListing(platform="douyin", merchant_code="EGG30", product_id=stored["P003"])
    )
    db.session.add(
        PlatformListing(platform="douyin", platform_product_id="3581", product_id=stored["P002"])
    )
    db.session.commit()
    rematch_lines()
    db.session.commit()
    products = set(
        db.session.scalars(select(OrderLine.product_id).where(OrderLine.raw_product_id == "3581"))
    )
    assert products == {stored["P002"]}


def test_only_the_listings_platform_is_matched(stored: County) -> None:
    register_listing("P003", ListingKeys("douyin", None, "JD-7"))  # JD-7 is sold on 快手
    assert figures(by="month")["unregistered"]["lines"] == 3


def test_a_listing_moved_to_another_product_takes_its_lines(stored: County) -> None:
    register_listing("P003", ListingKeys("douyin", "3581"))
    before = listing_products()
    db.session.execute(update(PlatformListing).values(product_id=stored["P004"]))
    moved = rematch_after_registry_change(before)
    db.session.commit()
    assert moved.lines == 3
    by_product = {row["key"]: row["net"] for row in figures(by="product")["rows"]}
    assert by_product["P004"] == "71.00" and "P003" not in by_product


def test_template_lines_match_a_new_product_by_its_code(stored: County) -> None:
    template = SalesImport(
        file_name="模板.xlsx", sha256="1" * 64, size=1, stored_path="t.xlsx", kind="template"
    )
    db.session.add(template)
    db.session.commit()
    row = raw(stored, "S01", "t1", "8.80", merchant_code="P900", name="红薯粉条")
    row["import_id"] = template.id
    # The same 商家编码 in a platform's export is the shop's own code, not Cunbo's product code.
    exported = raw(stored, "S01", "x1", "9.90", merchant_code="P900", name="红薯粉条 500g")
    stored.add(row, exported)
    done = register_product(NewProduct(code="P900", name="红薯粉条"), ListingKeys("douyin", "7777"))
    matched = dict(db.session.execute(select(OrderLine.order_id, OrderLine.product_id)).all())
    assert matched["t1"] is not None
    assert matched["x1"] is None
    assert done.rematched.lines == 1


def test_bad_registrations_say_what_to_fix_and_save_nothing(stored: County) -> None:
    with pytest.raises(RegistrationError) as caught:
        register_product(
            NewProduct(
                code="", name="x" * 201, brand="B99", category="不存在的品类", units_per_item="-1"
            ),
            ListingKeys("douyin"),
        )
    assert caught.value.code == "invalid"
    assert set(caught.value.problems) == {
        "code",
        "name",
        "brand",
        "category",
        "units_per_item",
        "platform_product_id",
    }
    with pytest.raises(RegistrationError) as taken:
        register_product(NewProduct(code="P001", name="重复"), ListingKeys("douyin", "3581"))
    assert taken.value.code == "conflict" and "已存在" in taken.value.problems["code"].zh
    register_listing("P003", ListingKeys("douyin", "3581"))
    with pytest.raises(RegistrationError) as listed:
        register_listing("P004", ListingKeys("douyin", "3581"))
    assert listed.value.code == "conflict"
    assert "P003" in listed.value.problems["platform_product_id"].zh
    assert figures(by="month")["unregistered"]["lines"] == 1
