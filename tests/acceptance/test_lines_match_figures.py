"""Done when: every figure of the sample county that is a sum of lines equals the total of the
order-line explorer asked with the same filters (/api/v1/lines), to the cent and the order."""

from __future__ import annotations

import calendar
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.acceptance.conftest import get

YEAR = "from=2024-01-01&to=2024-12-31"
FIGURES = ("gross", "refund", "net", "orders", "units")


def total(api: FlaskClient, query: str) -> dict[str, Any]:
    body = get(api, f"/api/v1/lines?{query}&limit=1")
    return {name: body["total"][name] for name in FIGURES}


def month_range(key: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    last = calendar.monthrange(year, month)[1]
    return f"from={key}-01&to={key}-{last:02d}"


def test_retail_by_month_and_the_2024_total(api, expected):
    for month, figures in expected["retail_by_month"].items():
        assert total(api, month_range(month)) == figures, month
    assert total(api, YEAR) == expected["retail_2024_total"]


@pytest.mark.parametrize("by", ["township", "platform"])
def test_retail_2024_by_township_and_platform(api, expected, by):
    for key, figures in expected[f"retail_2024_by_{by}"].items():
        assert total(api, f"{YEAR}&{by}={key}") == figures, key


def test_agricultural_unregistered_brand_and_live_sales(api, expected):
    for year, net in expected["agri_net"].items():
        assert total(api, f"from={year}-01-01&to={year}-12-31&agri=1")["net"] == net, year
    assert total(api, f"{YEAR}&unregistered=1")["net"] == expected["unregistered_net_2024"]
    for brand, net in expected["brand_sales_2024"].items():
        assert total(api, f"{YEAR}&brand={brand}")["net"] == net, brand
        assert total(api, f"{YEAR}&branded=1&brand={brand}")["net"] == net, brand
    for room, net in expected["live_sales_2024_by_room"].items():
        assert total(api, f"{YEAR}&room={room}")["net"] == net, room
    live = sum(Decimal(net) for net in expected["live_sales_2024_by_room"].values())
    assert Decimal(total(api, f"{YEAR}&basis=room")["net"]) == live


@pytest.mark.parametrize(
    "query",
    [
        f"{YEAR}&by=village",
        f"{YEAR}&by=shop",
        f"{YEAR}&by=product",
        f"{YEAR}&by=category",
        f"{YEAR}&by=brand",
        f"{YEAR}&by=room",
        f"{YEAR}&by=township&agri=1",
        f"{YEAR}&by=village&scope=township:T01",
        f"{YEAR}&by=room&scope=township:T02",
        f"{YEAR}&by=product&scope=brand:B01",
        f"{YEAR}&by=platform&scope=village:T01V01",
    ],
)
def test_every_row_of_a_retail_table_is_the_total_of_its_lines(api, query):
    """Each row of /metrics/retail: its lines (the row's key as a filter) sum to it."""
    body = get(api, f"/api/v1/metrics/retail?{query}")
    params = dict(part.split("=", 1) for part in query.split("&"))
    by = params.pop("by")
    rest = "&".join(f"{key}={value}" for key, value in params.items())
    rows = [row for row in body["rows"] if row["key"] is not None]
    assert rows
    for row in rows:
        assert total(api, f"{rest}&{by}={row['key']}") == {n: row[n] for n in FIGURES}, row
    assert total(api, rest + ("&basis=room" if by == "room" else "")) == {
        n: body["total"][n] for n in FIGURES
    }
