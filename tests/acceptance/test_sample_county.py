"""Acceptance: the sample county's figures through the API match expected.json to the cent.

The registry and every export are loaded once for this module (in manifest order, through the
import service); each test then asks the JSON API what a clerk would ask.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.conftest import get

SCOPES = {"县": "county", "乡镇": "township"}
INDICATOR_CODES = {
    "网络零售额": "net_retail",
    "农产品网络零售额": "agri_net_retail",
    "直播场次": "live_sessions",
}


def same_ratio(actual: float | None, wanted: float | None) -> bool:
    if wanted is None or actual is None:
        return actual is wanted
    return round(actual, 4) == round(wanted, 4)


def totals(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in ("gross", "refund", "net", "orders", "units")}


def test_retail_by_month(api, expected):
    body = get(api, "/api/v1/metrics/retail?from=2023-01-01&to=2024-12-31&by=month")
    assert {row["key"]: totals(row) for row in body["rows"]} == expected["retail_by_month"]


def test_retail_2024_total_by_township_and_platform(api, expected):
    base = "/api/v1/metrics/retail?from=2024-01-01&to=2024-12-31"
    by_township = get(api, base + "&by=township")
    by_platform = get(api, base + "&by=platform")

    assert totals(by_township["total"]) == expected["retail_2024_total"]
    assert {r["key"]: totals(r) for r in by_township["rows"]} == expected["retail_2024_by_township"]
    assert {r["key"]: totals(r) for r in by_platform["rows"]} == expected["retail_2024_by_platform"]


def test_agricultural_and_unregistered(api, expected):
    for year, net in expected["agri_net"].items():
        body = get(api, f"/api/v1/metrics/retail?from={year}-01-01&to={year}-12-31&agri=true")
        assert body["total"]["net"] == net, year
    body = get(api, "/api/v1/metrics/retail?from=2024-01-01&to=2024-12-31&by=product")
    assert body["unregistered"]["net"] == expected["unregistered_net_2024"]
    assert body["unregistered"]["lines"] > 0


def test_brand_sales(api, expected):
    body = get(api, "/api/v1/metrics/retail?from=2024-01-01&to=2024-12-31&by=brand")
    sales = {
        row["key"]: row["net"] for row in body["rows"] if row["key"] in expected["brand_sales_2024"]
    }
    assert sales == expected["brand_sales_2024"]


@pytest.mark.parametrize("month", ["2024-06", "2024-12"])
def test_growth(api, expected, month):
    wanted = expected[f"growth_{month.replace('-', '_')}"]
    body = get(api, f"/api/v1/metrics/growth?month={month}&indicator=net_retail&scope=county")

    for key in ("value", "last_year", "ytd", "last_year_ytd", "prev_month"):
        assert body[key] == wanted[key], key
    for key in ("yoy", "ytd_yoy", "mom"):
        assert same_ratio(body[key], wanted[key]), (key, body[key], wanted[key])


@pytest.mark.parametrize("brand", ["B01", "B02", "B03"])
def test_brand_premium(api, expected, brand):
    wanted = expected["premium_2024"][brand]
    body = get(api, f"/api/v1/metrics/premium?brand={brand}&from=2024-01-01&to=2024-12-31")

    assert same_ratio(body["premium"], wanted["premium"])
    assert body["extra_revenue"] == wanted["extra_revenue"]
    assert sorted(body["without_baseline"]) == sorted(wanted["without_baseline"])
    products = {p["product"]: p for p in body["products"]}
    assert set(products) == {p["product"] for p in wanted["products"]}
    for want in wanted["products"]:
        got = products[want["product"]]
        assert got["baseline_kind"] == want["baseline_kind"]
        assert got["net"] == want["net"]
        assert float(got["units"]) == want["units"]
        for key in ("unit_price", "baseline", "premium"):
            assert round(float(got[key]), 4) == round(want[key], 4), (want["product"], key)


def test_live_sales_by_room(api, expected):
    body = get(api, "/api/v1/metrics/retail?from=2024-01-01&to=2024-12-31&by=room")
    assert {row["key"]: row["net"] for row in body["rows"]} == expected["live_sales_2024_by_room"]


def test_live_sessions_and_active_rooms(api, expected):
    body = get(api, "/api/v1/metrics/live?year=2024")

    assert body["total_sessions"] == expected["live_sessions_2024"]
    assert {m["month"]: m["active_rooms"] for m in body["months"]} == expected["active_rooms_2024"]


def test_target_progress(api, expected):
    wanted = expected["targets_progress_2024"]
    body = get(api, f"/api/v1/targets/progress?year=2024&as_of={wanted['as_of']}")
    rows = {(row["scope"], row["indicator"]): row for row in body["rows"]}

    for want in wanted["rows"]:
        kind, code = want["scope"].split(":")
        scope = "county" if SCOPES[kind] == "county" else f"{SCOPES[kind]}:{code}"
        got = rows[(scope, INDICATOR_CODES[want["indicator"]])]
        for key, value in want.items():
            if key in ("scope", "indicator"):
                continue
            if isinstance(value, float):
                assert same_ratio(got[key], value), (want["scope"], key, got[key], value)
            else:
                assert got[key] == value, (want["scope"], key, got[key], value)
