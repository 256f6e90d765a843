"""Dashboards, place pages and brand pages over the sample county: right figures, right scope.

The registry and every export are loaded once for this module; each test signs in a user of
one role and reads a page as that user would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import BaselinePrice, Product
from tests.web.county import county_app, signed_in_as


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("county-pages"))


@pytest.fixture(scope="module")
def expected(samples: Path) -> dict[str, Any]:
    return json.loads((samples / "expected.json").read_text())


@pytest.fixture
def signed_in(county: Flask) -> Callable[[str], FlaskClient]:
    return signed_in_as(county)


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def full(amount: str) -> str:
    """301588.65 → 301,588.65, as the hover title of an amount shows it."""
    return f"{float(amount):,.2f}"


def kpi(html: str, key: str, row: str | None = None) -> str:
    """The markup of one KPI card (of the row of cards `row`: month, ytd, period)."""
    if row is not None:
        found = re.search(rf'data-kpis="{row}"(.*?)</section>', html, re.S)
        assert found, f"no row of cards {row}"
        html = found.group(1) + "</section>"
    match = re.search(rf'data-kpi="{key}"(.*?)(?=data-kpi=|</section>)', html, re.S)
    assert match, f"no KPI card {key}"
    return match.group(1)


def test_county_dashboard_shows_the_year_figures(signed_in, expected) -> None:
    # By default: the latest month with data (December 2024) and the year to its end.
    html = page(signed_in("officer1"), "/dashboard")
    total = expected["retail_2024_total"]["net"]
    assert 'title="301,588.65">30.16万' in kpi(html, "net_retail", "ytd")
    december = expected["retail_by_month"]["2024-12"]["net"]
    assert f'title="{full(december)}"' in kpi(html, "net_retail", "month")
    assert "本月" in html and "本年累计" in html and "环比" in kpi(html, "net_retail", "month")
    assert total == "301588.65"
    # The county's yearly target (308,333) beneath it: 301,588.65 / 308,333 = 97.8 %.
    ytd = kpi(html, "net_retail", "ytd")
    assert "年度目标" in ytd and "97.8%" in ytd
    assert f'title="{full(expected["agri_net"]["2024"])}"' in kpi(html, "agri_net_retail", "ytd")
    assert 'title="712">712<' in kpi(html, "live_sessions", "ytd")
    html = page(signed_in("officer1"), "/dashboard?period=year&year=2024")
    assert 'title="301,588.65">30.16万' in kpi(html, "net_retail", "period")
    # 同比 of net retail: 2024 against 2023 (the whole years, the sample ends in 2024).
    last = sum(float(v["net"]) for k, v in expected["retail_by_month"].items() if k < "2024")
    growth = (float(total) - last) / last * 100
    assert f"同比 +{growth:.1f}%" in html
    for code, row in expected["retail_2024_by_township"].items():
        assert f'title="{full(row["net"])}"' in html, code
    for code, premium in expected["premium_2024"].items():
        if premium["extra_revenue"]:
            assert f"+{premium['premium'] * 100:.1f}%" in html, code
    assert html.count("data-chart-option=") == 3  # trend, platforms, townships ranked


def test_dashboard_trend_and_platform_charts_carry_the_figures(signed_in, expected) -> None:
    html = page(signed_in("viewer1"), "/dashboard?year=2024")
    option = json.loads(re.search(r'data-chart-option="trend">(.*?)</script>', html).group(1))
    this_year, last_year = option["series"]
    months = sorted(k for k in expected["retail_by_month"] if k.startswith("2024"))
    assert this_year["data"] == [float(expected["retail_by_month"][m]["net"]) for m in months]
    assert last_year["data"][0] == float(expected["retail_by_month"]["2023-01"]["net"])
    pie = json.loads(re.search(r'data-chart-option="platforms">(.*?)</script>', html).group(1))
    values = {item["name"]: item["value"] for item in pie["series"][0]["data"]}
    assert values["抖音"] == float(expected["retail_2024_by_platform"]["douyin"]["net"])
    assert len(values) == len(expected["retail_2024_by_platform"])


def test_year_selector_defaults_to_the_latest_year_with_data(signed_in) -> None:
    client = signed_in("officer1")
    assert '<option value="2024" selected>' in page(client, "/dashboard")
    older = page(client, "/dashboard?year=2023")
    assert '<option value="2023" selected>' in older and "2023-01-01 至 2023-12-31" in older
    # A year that cannot be read falls back to the default, saying why.
    wrong = page(client, "/dashboard?year=19x9")
    assert '<option value="2024" selected>' in wrong and "年度应为四位数字" in wrong


def test_township_user_sees_only_its_township(signed_in, expected) -> None:
    client = signed_in("town1")
    html = page(client, "/dashboard")
    net = expected["retail_2024_by_township"]["T01"]["net"]
    assert f'title="{full(net)}"' in kpi(html, "net_retail", "ytd")
    assert "许营镇" in html and "顾官屯镇" not in html
    assert "品牌溢价" not in html  # a county figure, not a township's
    assert page(client, "/townships/T01").count("许营镇") >= 1
    page(client, "/townships/T02", 403)
    page(client, "/shops/S01")
    page(client, "/shops/S02", 403)
    page(client, "/rooms/R03")
    page(client, "/rooms/R02", 403)
    page(client, "/premium", 403)


def test_township_page_lists_villages_shops_rooms_and_targets(signed_in, expected) -> None:
    html = page(signed_in("officer1"), "/townships/T01?year=2024")
    assert "汪庄村" in html and "许营好品官方旗舰店" in html
    rooms = expected["live_sales_2024_by_room"]
    assert f'title="{full(rooms["R01"])}"' in html and f'title="{full(rooms["R03"])}"' in html
    assert "农产品网络零售额" in html and "超进度" in html  # T01's targets
    assert "最近场次" in html


def test_shop_page_shows_its_figures_and_imports(signed_in) -> None:
    html = page(signed_in("officer1"), "/shops/S01")
    assert (
        "许营好品官方旗舰店" in html and "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv" in html
    )
    assert 'data-chart-option="trend"' in html


def test_streamer_sees_own_room_and_its_shop_only(signed_in, expected) -> None:
    client = signed_in("streamer1")
    html = page(client, "/rooms/R01?year=2024")
    assert "焖子达人小姚" in html and "GPM" in html and "记录一场直播" in html
    assert 'title="178">178<' in kpi(html, "live_sessions")
    page(client, "/rooms/R02", 403)
    page(client, "/shops/S01")
    page(client, "/shops/S02", 403)
    page(client, "/townships/T01", 403)
    page(client, "/dashboard", 403)


def test_brand_pages_show_premium_per_product(signed_in, expected) -> None:
    client = signed_in("officer1")
    listing = page(client, "/premium?year=2024")
    for code in ("B01", "B02", "B03"):
        assert f"/premium/{code}?period=year&amp;year=2024" in listing
    html = page(client, "/premium/B01?year=2024")
    b01 = expected["premium_2024"]["B01"]
    assert f"+{b01['premium'] * 100:.1f}%" in html
    assert f'title="{full(b01["extra_revenue"])}"' in html
    for product in b01["products"]:
        assert f"+{product['premium'] * 100:.1f}%" in html
        assert f"{product['unit_price']:,.2f}" in html and f"{product['baseline']:,.2f}" in html
    assert "富硒绿茶" in html  # listed without a baseline
    assert "新增基准价" not in html  # officers read, they do not edit


def test_brand_manager_sees_and_edits_only_own_brands(signed_in, county) -> None:
    client = signed_in("brand1")
    assert client.get("/").headers["Location"] == "/premium"
    listing = page(client, "/premium")
    assert "许营好品" in listing and "顾乡有礼" not in listing
    page(client, "/premium/B02", 403)
    assert "新增基准价" in page(client, "/premium/B01")
    form = {"product": "P004", "kind": "reference", "unit_price": "88", "valid_from": "2024-01-01"}
    response = client.post("/premium/B01/baselines", data=form)
    assert response.status_code == 302
    html = page(client, "/premium/B01?year=2024")
    assert "富硒绿茶 P004</span>" not in html.split("以下商品没有基准价")[-1][:300]
    # Another brand's product, another brand's page, nonsense prices: refused.
    refused = client.post("/premium/B01/baselines", data={**form, "product": "P003"})
    assert refused.status_code == 422 and "请选择本品牌的商品" in refused.get_data(as_text=True)
    assert client.post("/premium/B02/baselines", data=form).status_code == 403
    bad = client.post(
        "/premium/B01/baselines", data={**form, "unit_price": "-1", "kind": "non_brand"}
    )
    assert bad.status_code == 422 and "必须大于 0" in bad.get_data(as_text=True)
    with county.app_context():
        added = db.session.scalars(
            db.select(BaselinePrice).join(Product).where(Product.code == "P004")
        ).one()
        baseline_id = added.id
    edited = client.post(f"/premium/B01/baselines/{baseline_id}", data={**form, "unit_price": "90"})
    assert edited.status_code == 302
    assert client.post(f"/premium/B01/baselines/{baseline_id}/delete").status_code == 302
    with county.app_context():
        assert db.session.get(BaselinePrice, baseline_id) is None
    assert signed_in("viewer1").post("/premium/B01/baselines", data=form).status_code == 403


def test_targets_board_matches_the_expected_progress(signed_in, expected) -> None:
    wanted = expected["targets_progress_2024"]
    html = page(signed_in("officer1"), f"/targets?year=2024&as_of={wanted['as_of']}")
    rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</tr>", html.split('id="targets"')[1], re.S)
    assert len(rows) == len(wanted["rows"])
    for row, target in zip(rows, wanted["rows"], strict=True):
        assert f"{target['completion'] * 100:.1f}%" in row, target["scope"]
        if "status" in target:
            assert target["status"] in row, target["scope"]
    town = page(signed_in("town1"), f"/targets?year=2024&as_of={wanted['as_of']}")
    assert "许营镇" in town and "顾官屯镇" not in town and "全县" not in town
