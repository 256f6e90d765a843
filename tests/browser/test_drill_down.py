"""From a number to its order lines in a real browser: a dashboard figure, a bar of the trend
chart and a target row each open `/lines`, whose total equals the number clicked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser

# The pixel of a bar's middle, its value and link, from the drawn ECharts instance.
BAR = """([id, index]) => {
  const element = document.getElementById(id);
  const chart = echarts.getInstanceByDom(element);
  const item = chart.getOption().series[0].data[index];
  const value = item !== null && typeof item === "object" ? item.value : item;
  const top = chart.convertToPixel({ seriesIndex: 0 }, [index, value]);
  const bottom = chart.convertToPixel({ seriesIndex: 0 }, [index, 0]);
  return { x: top[0], y: (top[1] + bottom[1]) / 2, value: value, link: item && item.link };
}"""


def _number(text: str | None) -> Decimal:
    assert text, "the figure has no full value"
    return Decimal(text.replace(",", ""))


def _open_lines(page: Any, click: Any, shots: Path, name: str) -> int:
    """Click and land on /lines (a screenshot of it is kept); the page's HTTP status."""
    with page.expect_navigation(url="**/lines?**") as opened:
        click()
    page.wait_for_load_state("networkidle")
    shot(page, shots, name)
    return opened.value.status if opened.value is not None else 200


def _lines_total(page: Any, status: int) -> dict[str, Any]:
    """The explorer's total for the query of the page it shows (the page and the API take the
    same parameters)."""
    assert status == 200, status
    response = page.request.get(f"/api/v1/lines?{urlsplit(page.url).query}")
    assert response.ok, response.text()[:300]
    total: dict[str, Any] = response.json()["total"]
    assert page.errors == []
    return total


def _shows(page: Any, amount: Decimal) -> None:
    """The explorer's page shows the figure (every digit, grouped or not, or shortened)."""
    text = page.locator("main").inner_text()
    short = f"{amount / 10000:.2f}".rstrip("0").rstrip(".") + "万"
    assert f"{amount:.2f}" in text.replace(",", "") or short in text, (amount, text[:300])


def test_dashboard_figure_opens_the_lines_that_make_it(new_page: Any, shots: Path) -> None:
    page = new_page()
    sign_in(page, "officer1")
    page.goto("/dashboard?year=2024")
    figure = page.locator('[data-kpi="net_retail"] .value a.drill')
    shown = _number(figure.locator(".num").get_attribute("title"))
    status = _open_lines(page, figure.click, shots, "drill-dashboard-net")
    assert urlsplit(page.url).query == "from=2024-01-01&to=2024-12-31"
    total = _lines_total(page, status)
    assert Decimal(total["net"]) == shown
    _shows(page, shown)


def test_chart_bar_opens_that_months_lines(new_page: Any, shots: Path) -> None:
    page = new_page()
    sign_in(page, "officer1")
    page.goto("/dashboard?year=2024")
    page.wait_for_selector("#trend[data-drawn] canvas")
    bar = page.evaluate(BAR, ["trend", 2])  # March
    assert bar["link"] == "/lines?from=2024-03-01&to=2024-03-31"
    box = page.locator("#trend").bounding_box()
    status = _open_lines(
        page,
        lambda: page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"]),
        shots,
        "drill-trend-march",
    )
    assert urlsplit(page.url).query == "from=2024-03-01&to=2024-03-31"
    total = _lines_total(page, status)
    assert Decimal(total["net"]) == Decimal(str(bar["value"])).quantize(Decimal("0.01"))
    _shows(page, Decimal(total["net"]))


def test_target_row_opens_the_indicator_lines_to_the_as_of_day(new_page: Any, shots: Path) -> None:
    page = new_page()
    sign_in(page, "officer1")
    page.goto("/targets?year=2024&as_of=2024-09-30")
    figure = page.locator("#targets tbody tr a.drill[data-drill]").first
    shown = _number(figure.locator(".num").get_attribute("title"))
    status = _open_lines(page, figure.click, shots, "drill-target-row")
    query = urlsplit(page.url).query
    assert query.startswith("from=2024-01-01&to=2024-09-30"), query
    total = _lines_total(page, status)
    assert Decimal(total["net"]) == shown
    _shows(page, shown)
