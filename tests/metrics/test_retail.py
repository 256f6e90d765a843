"""网络零售额: hand-computed figures, and the rollups agreeing with the raw lines."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.retail import retail as typed_retail
from app.metrics.rollup_write import rebuild_all
from app.metrics.scope import BY_VALUES
from app.models import Category, RollupStamp
from tests.figures_json import retail

if TYPE_CHECKING:
    from .conftest import County

D = dt.date
MARCH = (D(2024, 3, 1), D(2024, 3, 31))


def build() -> None:
    rebuild_all()
    db.session.commit()


@pytest.fixture
def march(county: County) -> County:
    """Five orders around March–April 2024 (see each line)."""
    c = county
    c.add(
        # O1: two products, one attributed to room R01.
        c.line("S01", "O1", "100", product="P001", quantity=2, day=dt.date(2024, 3, 5), room="R01"),
        c.line("S01", "O1", "30", product="P003", quantity=1, day=dt.date(2024, 3, 5)),
        # O2: refunded in full.
        c.line("S01", "O2", "50", refund="50", status="refunded", day=dt.date(2024, 3, 6)),
        # O3: partly refunded.
        c.line(
            "S02", "O3", "90", product="P002", quantity=3, refund="10", day=dt.date(2024, 3, 20)
        ),
        # O4: unregistered, paid 2024-03-31 16:30 UTC = 2024-04-01 00:30 in Beijing.
        c.line("S03", "O4", "20", product=None, paid_at=dt.datetime(2024, 3, 31, 16, 30)),
        c.line("S02", "O5", "40", product="P004", day=dt.date(2024, 4, 2)),
        # Never paid: not a sale.
        c.line("S01", "O6", "70", status="unpaid"),
    )
    build()
    return c


def by_key(payload: dict) -> dict:
    return {row["key"]: row for row in payload["rows"]}


def figures(row: dict) -> tuple:
    return row["gross"], row["refund"], row["net"], row["orders"], row["units"]


def test_county_march_total(march: County) -> None:
    result = retail(*MARCH, by="month")
    assert result["rows"] == [
        {
            "key": "2024-03",
            "label": "2024-03",
            "gross": "270.00",
            "refund": "60.00",
            "net": "210.00",
            "orders": 3,
            "units": 6,
        }
    ]
    assert figures(result["total"] | {"key": None}) == ("270.00", "60.00", "210.00", 3, 6)
    assert result["unregistered"] == {"net": "0.00", "lines": 0}
    assert (result["from"], result["to"], result["scope"], result["agri"]) == (
        "2024-03-01",
        "2024-03-31",
        "county",
        False,
    )


def test_midnight_in_beijing_counts_in_the_next_month(march: County) -> None:
    result = retail("2024-01-01", "2024-12-31", by="month")
    months = by_key(result)
    assert figures(months["2024-04"]) == ("60.00", "0.00", "60.00", 2, 2)
    assert months["2024-01"]["net"] == "0.00" and len(result["rows"]) == 12
    assert result["unregistered"] == {"net": "20.00", "lines": 1}
    assert result["total"]["net"] == "270.00"


def test_by_product_orders_do_not_add_up(march: County) -> None:
    result = retail(*MARCH, by="product")
    rows = by_key(result)
    assert figures(rows["P001"]) == ("150.00", "50.00", "100.00", 2, 2)
    assert figures(rows["P003"]) == ("30.00", "0.00", "30.00", 1, 1)
    assert figures(rows["P002"]) == ("90.00", "10.00", "80.00", 1, 3)
    assert [row["key"] for row in result["rows"]] == ["P001", "P002", "P003"]  # net descending
    assert result["total"]["orders"] == 3  # O1 holds two products but is one order


def test_by_township_and_scope(march: County) -> None:
    rows = by_key(retail(*MARCH, by="township"))
    assert figures(rows["T01"]) == ("180.00", "50.00", "130.00", 2, 3)
    assert rows["T01"]["label"] == "许营镇"
    assert figures(rows["T02"]) == ("90.00", "10.00", "80.00", 1, 3)
    scoped = retail(*MARCH, by="shop", scope="township:T02")
    assert [row["key"] for row in scoped["rows"]] == ["S02"]
    assert scoped["total"]["net"] == "80.00"
    village = retail(*MARCH, by="platform", scope="village:V1")
    assert by_key(village)["douyin"]["label"] == "抖音"
    assert village["total"]["net"] == "130.00"


def test_by_brand_from_join_date(march: County) -> None:
    rows = by_key(retail(*MARCH, by="brand"))
    assert figures(rows["B01"]) == ("240.00", "60.00", "180.00", 3, 5)
    assert figures(rows[None]) == ("30.00", "0.00", "30.00", 1, 1)
    assert rows[None]["label"] == "无品牌"


def test_brand_joined_mid_month(county: County) -> None:
    c = county  # P001 joined B01 on 2024-01-15
    c.add(
        c.line("S01", "A", "10", day=dt.date(2024, 1, 14)),
        c.line("S01", "B", "20", day=dt.date(2024, 1, 15)),
        c.line("S01", "C", "40", day=dt.date(2024, 2, 1)),
    )
    build()
    for source in ("rollup", "raw"):
        rows = by_key(retail("2024-01-01", "2024-02-29", by="brand", source=source))
        assert rows["B01"]["net"] == "60.00" and rows["B01"]["orders"] == 2
        assert rows[None]["net"] == "10.00" and rows[None]["orders"] == 1
        scoped = retail("2024-01-01", "2024-02-29", by="month", scope="brand:B01", source=source)
        assert [row["net"] for row in scoped["rows"]] == ["20.00", "40.00"]


def test_agri_filter_follows_the_categories_table(march: County) -> None:
    assert retail(*MARCH, by="month", agri=True)["total"] == {
        "gross": "240.00",
        "refund": "60.00",
        "net": "180.00",
        "orders": 3,
        "units": 5,
    }
    # A category marked non-agricultural in the table wins over the default list.
    db.session.add(Category(name="休闲食品", agricultural=False))
    db.session.commit()
    assert retail(*MARCH, by="month", agri=True)["total"]["net"] == "80.00"


def test_by_room_counts_attributed_lines_by_room_village(march: County) -> None:
    result = retail(*MARCH, by="room")
    assert result["rows"] == [
        {
            "key": "R01",
            "label": "小姚",
            "gross": "100.00",
            "refund": "0.00",
            "net": "100.00",
            "orders": 1,
            "units": 2,
        }
    ]
    assert result["total"]["net"] == "100.00"
    assert retail(*MARCH, by="room", scope="township:T02")["rows"] == []
    assert retail(*MARCH, by="product", scope="room:R01")["total"]["net"] == "100.00"


def test_limit_keeps_top_rows_total_covers_all(march: County) -> None:
    result = retail(*MARCH, by="product", limit=1)
    assert [row["key"] for row in result["rows"]] == ["P001"]
    assert result["total"]["net"] == "210.00"


def test_bad_parameters_say_what_to_fix(march: County) -> None:
    with pytest.raises(MetricsError, match="by"):
        retail(*MARCH, by="week")
    with pytest.raises(MetricsError, match="T99"):
        retail(*MARCH, scope="township:T99")
    with pytest.raises(MetricsError, match="scope"):
        retail(*MARCH, scope="shire")
    with pytest.raises(MetricsError, match="YYYY-MM-DD"):
        retail("2024-02-30", "2024-03-01")
    with pytest.raises(MetricsError, match="早于"):
        retail("2024-03-02", "2024-03-01")


def test_order_paid_over_two_days_counts_once(county: County) -> None:
    c = county
    c.add(
        c.line("S01", "X", "10", day=dt.date(2024, 3, 31)),
        c.line("S01", "X", "15", product="P003", day=dt.date(2024, 4, 1)),
        c.line("S01", "Y", "5", day=dt.date(2024, 4, 1)),
    )
    build()
    for source in ("rollup", "raw"):
        result = retail("2024-03-01", "2024-04-30", by="month", source=source)
        assert [row["orders"] for row in result["rows"]] == [1, 2]
        assert result["total"]["orders"] == 2
        by_day = retail("2024-03-31", "2024-04-01", by="day", source=source)
        assert [row["orders"] for row in by_day["rows"]] == [1, 2]


SCOPES = ("county", "township:T01", "village:V3", "brand:B01", "room:R01")


@pytest.mark.parametrize("period", [MARCH, (dt.date(2024, 3, 6), dt.date(2024, 4, 30))])
def test_rollups_agree_with_raw_lines(march: County, period: tuple) -> None:
    for by, scope, agri in itertools.product(BY_VALUES, SCOPES, (False, True)):
        fast = retail(*period, by=by, scope=scope, agri=agri)
        slow = retail(*period, by=by, scope=scope, agri=agri, source="raw")
        assert fast == slow, (by, scope, agri)


@pytest.fixture
def shuffled(county: County) -> County:
    """300 seeded random lines around P001 joining B01 mid-January 2024: orders with several
    products and rooms, orders paid over two days, refunds, unregistered products."""
    import random

    c = county
    pick = random.Random(20240115)
    products = ["P001", "P002", "P003", "P004", "P005", "P006", None]
    lines = []
    for number in range(120):
        shop = pick.choice(["S01", "S02", "S03"])
        day = D(2023, 12, 1) + dt.timedelta(days=pick.randrange(0, 120))
        for _ in range(pick.choice([1, 1, 2, 3])):
            paid = pick.randrange(1, 200)
            refund = pick.choice([0, 0, 0, paid, paid // 2])
            when = day if pick.random() > 0.05 else day + dt.timedelta(days=1)
            lines.append(
                c.line(
                    shop,
                    f"o{number}",
                    str(paid),
                    product=pick.choice(products),
                    quantity=pick.randrange(1, 4),
                    refund=str(refund),
                    day=when,
                    status="refunded" if refund == paid else "completed",
                    room=pick.choice([None, None, "R01", "R02"]),
                )
            )
    c.add(*lines)
    build()
    return c


@pytest.mark.parametrize(
    "period",
    [
        (D(2023, 12, 1), D(2024, 3, 31)),
        (D(2024, 1, 10), D(2024, 2, 20)),
        (D(2024, 1, 1), D(2024, 1, 31)),
        (D(2023, 12, 1), D(2024, 12, 31)),  # a month, then a whole year
    ],
)
def test_rollups_agree_with_raw_lines_on_random_orders(shuffled: County, period: tuple) -> None:
    for by, scope, agri in itertools.product(BY_VALUES, SCOPES, (False, True)):
        fast = retail(*period, by=by, scope=scope, agri=agri)
        slow = retail(*period, by=by, scope=scope, agri=agri, source="raw")
        assert fast == slow, (by, scope, agri)
    assert retail(*period)["total"]["orders"] > 0
    for scope, limit in itertools.product(SCOPES, (1, 3)):
        fast = retail(*period, by="product", scope=scope, limit=limit)
        assert fast == retail(*period, by="product", scope=scope, limit=limit, source="raw")
    # Without current brand rollups, brand figures come from item and mix rows: same numbers.
    db.session.execute(db.delete(RollupStamp))
    for scope, agri in itertools.product(SCOPES, (False, True)):
        fast = retail(*period, by="brand", scope=scope, agri=agri)
        slow = retail(*period, by="brand", scope=scope, agri=agri, source="raw")
        assert fast == slow, (scope, agri)
    db.session.rollback()


def test_typed_rows_are_decimals_and_counts(march: County) -> None:
    """The metric hands pages Decimals and ints; the JSON strings are made at the edge."""
    found = typed_retail(*MARCH, by="township")
    t01 = found.row("T01")
    assert t01 is not None and (t01.gross, t01.net, t01.orders) == (Decimal(180), Decimal(130), 2)
    assert found.row("T99") is None
    assert sum((row.net for row in found.rows), Decimal(0)) == found.total.net == Decimal(210)
    assert found.unregistered.net == Decimal(0) and str(found.scope) == "county"
