"""What each role sees in a real browser: menus, forbidden pages, the dashboard's charts and
figures, the English switch, and every main page drawing without script errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser

MENUS = {
    "admin1": [
        *("看板", "记录场次", "导入数据", "目标进度", "订单明细"),
        *("品牌", "报表", "名录", "月结", "用户"),
    ],
    "officer1": ["看板", "记录场次", "导入数据", "目标进度", "订单明细", "品牌", "报表"],
    "viewer1": ["看板", "目标进度", "订单明细", "品牌", "报表"],
    "town1": ["看板", "记录场次", "导入数据", "目标进度", "订单明细"],
    "brand1": ["订单明细", "品牌"],
    "streamer1": ["我的直播间", "记录场次", "导入数据", "订单明细"],
}
# A page each role may not open, though it exists.
FORBIDDEN = {
    "admin1": "/me",
    "officer1": "/registry",
    "viewer1": "/imports",
    "town1": "/townships/T02",
    "brand1": "/premium/B02",
    "streamer1": "/rooms/R02",
}


@pytest.fixture(scope="module")
def expected(samples: Path) -> dict[str, Any]:
    return json.loads((samples / "expected.json").read_text())


@pytest.mark.parametrize("login", sorted(MENUS))
def test_each_role_sees_its_menu_and_is_refused_elsewhere(
    login: str, new_page: Any, shots: Path
) -> None:
    page = new_page()
    sign_in(page, login)
    assert page.locator("nav.nav ul a").all_inner_texts() == MENUS[login]
    page.wait_for_load_state("networkidle")
    shot(page, shots, f"home-{login}")
    response = page.goto(FORBIDDEN[login])
    assert response is not None and response.status == 403
    assert "没有权限" in page.locator("main").inner_text()
    assert page.errors == []


def test_dashboard_draws_its_charts_with_the_sample_figures(
    new_page: Any, shots: Path, expected: dict[str, Any]
) -> None:
    page = new_page()
    sign_in(page, "officer1")
    page.goto("/dashboard?year=2024")
    page.wait_for_selector("#trend[data-drawn] canvas")
    page.wait_for_selector("#platforms[data-drawn] canvas")
    net = page.locator('[data-kpi="net_retail"] .value .num')
    assert expected["retail_2024_total"]["net"] == "301588.65"
    assert net.inner_text() == "30.16万"
    assert net.get_attribute("title") == "301,588.65"  # the full figure, on hover
    agri = page.locator('[data-kpi="agri_net_retail"] .value .num').get_attribute("title")
    assert agri == f"{float(expected['agri_net']['2024']):,.2f}"
    # The trend chart's tooltip gives the full figure of the month under the pointer.
    box = page.locator("#trend canvas").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6)
    tooltip = page.locator("#trend div").filter(has_text=re.compile(r"\d{1,3}(,\d{3})*\.\d\d"))
    tooltip.first.wait_for(state="visible")
    months = {k: v["net"] for k, v in expected["retail_by_month"].items()}
    shown = re.findall(r"\d{1,3}(?:,\d{3})*\.\d\d", tooltip.first.inner_text())
    assert {s.replace(",", "") for s in shown} <= set(months.values())
    rows = page.locator("table.data").first.locator("tbody tr")
    assert rows.count() == len(expected["retail_2024_by_township"])
    assert page.locator(".progress.status-ahead").count() >= 1
    assert page.locator(".progress.status-behind").count() >= 1
    shot(page, shots, "dashboard-2024")
    assert page.errors == []


def test_english_switch_translates_the_page(new_page: Any, shots: Path) -> None:
    page = new_page()
    sign_in(page, "viewer1")
    page.goto("/dashboard?year=2024")
    page.click("text=English")
    page.wait_for_selector("h1:has-text('County dashboard')")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.nav ul a").first.inner_text() == "Dashboard"
    assert page.locator('[data-kpi="net_retail"] .label').inner_text() == "Online retail"
    page.wait_for_selector("#trend[data-drawn] canvas")
    shot(page, shots, "dashboard-english")
    page.click("text=简体中文")
    page.wait_for_selector("h1:has-text('县域看板')")


MAIN_PAGES = {
    "admin1": [
        "/townships/T01?year=2024",
        "/shops/S01?year=2024",
        "/rooms/R01?year=2024",
        "/premium?year=2024",
        "/premium/B01?year=2024",
        "/targets?year=2024",
        "/reports?year=2024",
        "/months?year=2024",
        "/registry?kind=shops",
        "/registry/rooms/R01/edit",
        "/registry/workbook",
        "/imports",
    ],
    "town1": ["/dashboard?year=2024", "/townships/T01?year=2024", "/imports"],
    "brand1": ["/premium/B01?year=2024"],
}


@pytest.mark.parametrize("login", sorted(MAIN_PAGES))
def test_main_pages_render_without_script_errors(login: str, new_page: Any, shots: Path) -> None:
    page = new_page()
    sign_in(page, login)
    for url in MAIN_PAGES[login]:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        for chart in page.locator("[data-chart]").all():
            chart.locator("canvas").first.wait_for()
        name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-")
        shot(page, shots, f"{login}-{name}")
        # Nothing wider than the window but the tables, which scroll inside their frame.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
    assert page.errors == []
