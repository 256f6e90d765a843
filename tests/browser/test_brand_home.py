"""The brand manager's home in a real browser, on a desktop and on a phone: the brand's sales
against last year and its premium by month drawn as charts, the platform share, the products
against their baselines, a missing baseline added from the page, and a bar that opens its
month's lines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import shot, sign_in
from tests.browser.test_drill_down import BAR, _lines_total, _open_lines

pytestmark = pytest.mark.browser
CHARTS = ("brand_trend", "brand_premium", "brand_platforms")


def _home(page: Any) -> None:
    sign_in(page, "brand1")
    assert urlsplit(page.url).path == "/premium"  # the brand manager lands here
    page.goto("/premium?year=2024")
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart}[data-drawn] canvas")


def test_brand_home_on_a_desktop(new_page: Any, shots: Path) -> None:
    page = new_page(width=1280, height=900)
    _home(page)
    assert "许营好品" in page.locator("h1").inner_text()
    kpi = page.locator('[data-kpi="brand_sales"] .value a.drill')
    assert kpi.locator("[title]").get_attribute("title") == "134,852.27"
    assert page.locator('[data-kpi="premium"] .value').inner_text().startswith("+")
    assert page.locator("#premium-products tbody tr").count() == 2
    assert page.locator('[data-without="P004"]').is_visible()
    shares = page.locator("#brand-platforms tbody tr")
    assert shares.count() >= 2
    # Two charts side by side on a desktop.
    trend = page.locator("#brand_trend").bounding_box()
    premium = page.locator("#brand_premium").bounding_box()
    assert abs(trend["y"] - premium["y"]) < 2 and premium["x"] > trend["x"] + trend["width"] - 5
    shot(page, shots, "brand-home-desktop")
    # March's bar opens March's branded lines of the brand, whose total is the bar.
    bar = page.evaluate(BAR, ["brand_trend", 2])
    assert bar["link"] == "/lines?from=2024-03-01&to=2024-03-31&scope=brand%3AB01&branded=1"
    box = page.locator("#brand_trend").bounding_box()
    status = _open_lines(
        page,
        lambda: page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"]),
        shots,
        "brand-home-march-lines",
    )
    total = _lines_total(page, status)
    assert Decimal(total["net"]) == Decimal(str(bar["value"])).quantize(Decimal("0.01"))
    assert page.errors == []


def test_brand_manager_adds_the_missing_baseline_from_the_home(new_page: Any, shots: Path) -> None:
    page = new_page(width=1280, height=900)
    _home(page)
    page.click('[data-add-baseline="P004"]')
    page.wait_for_url("**/premium/B01?product=P004#new-baseline")
    form = page.locator("#new-baseline form")
    assert form.locator("select[name=product]").input_value() == "P004"
    assert form.locator("select[name=kind]").input_value() == "pre_brand"
    shot(page, shots, "brand-home-add-baseline")
    # Filled in, saved: the product leaves the home's list of products without a baseline.
    form.locator("input[name=unit_price]").fill("80")
    form.locator("input[name=valid_from]").fill("2024-01-01")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash")
    page.goto("/premium?year=2024")
    assert page.locator('[data-without="P004"]').count() == 0
    assert page.locator('#premium-products tr[data-product="P004"]').count() == 1
    shot(page, shots, "brand-home-baseline-added")
    # Put back as it was, so other tests read the sample county's premium.
    page.goto("/premium/B01?year=2024")
    page.once("dialog", lambda dialog: dialog.accept())
    delete = page.locator("form[action*='/baselines/'][action*='/delete'] button").last
    delete.click()
    page.wait_for_selector(".flash")
    page.goto("/premium?year=2024")
    assert page.locator('[data-without="P004"]').count() == 1
    assert page.errors == []


def test_brand_home_on_a_phone(new_page: Any, shots: Path) -> None:
    page = new_page(width=390, height=844, is_mobile=True, has_touch=True)
    _home(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # One chart a row on a phone, each as wide as the screen allows.
    trend = page.locator("#brand_trend").bounding_box()
    premium = page.locator("#brand_premium").bounding_box()
    assert premium["y"] >= trend["y"] + trend["height"] and trend["width"] > 300
    shot(page, shots, "brand-home-phone")
    assert page.errors == []


def test_county_officer_sees_the_home_for_every_brand(new_page: Any, shots: Path) -> None:
    page = new_page(width=1280, height=900)
    sign_in(page, "officer1")
    page.goto("/premium?year=2024")
    page.wait_for_selector("#brand_trend[data-drawn] canvas")
    assert page.locator("#brand-summaries tbody tr").count() == 3
    title = page.locator('[data-kpi="brand_sales"] .value [title]').get_attribute("title")
    assert title == "242,360.41"  # B01 + B02 + B03
    assert page.locator("[data-add-baseline]").count() == 0  # officers read only
    shot(page, shots, "brand-home-county-desktop")
    assert page.errors == []


def test_brand_home_at_a_quarter_from_the_period_picker(new_page: Any, shots: Path) -> None:
    page = new_page(width=1280, height=900)
    _home(page)
    page.select_option("#period", "quarter")
    assert page.locator('[data-period-field="quarter"]').is_visible()
    assert not page.locator('[data-period-field="year"]').is_visible()
    page.select_option("#period-quarter", "2024Q2")
    with page.expect_navigation():
        page.click(".period-picker button[type=submit]")
    assert urlsplit(page.url).query == "period=quarter&quarter=2024Q2"
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart}[data-drawn] canvas")
    sales = page.locator('[data-kpi="brand_sales"]')
    assert "同比" in sales.inner_text() and "环比" in sales.inner_text()
    assert "上季度同期" in page.locator('[data-kpi="previous"]').inner_text()
    # The month table runs from January to the quarter's end.
    months = page.locator("#brand-months tbody tr")
    assert months.count() == 6 and months.last.get_attribute("data-month") == "2024-06"
    shot(page, shots, "brand-home-quarter")
    # The brand's figure opens the quarter's branded lines, whose total is the figure.
    link = sales.locator(".value a.drill")
    shown = Decimal(link.locator("[title]").get_attribute("title").replace(",", ""))
    assert link.get_attribute("href") == (
        "/lines?from=2024-04-01&to=2024-06-30&scope=brand%3AB01&branded=1"
    )
    status = _open_lines(page, lambda: link.click(), shots, "brand-home-quarter-lines")
    assert Decimal(_lines_total(page, status)["net"]) == shown
    # The brand's own page, opened from the home, keeps the quarter.
    page.go_back()
    with page.expect_navigation():
        page.click("a[href='/premium/B01?period=quarter&quarter=2024Q2']")
    page.wait_for_selector("#trend[data-drawn] canvas")
    assert page.locator("#period-quarter").input_value() == "2024Q2"
    figure = page.locator('[data-kpi="brand_sales"] .value [title]').get_attribute("title")
    assert Decimal(figure.replace(",", "")) == shown
    shot(page, shots, "brand-page-quarter")
    assert page.errors == []
