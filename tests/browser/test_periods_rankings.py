"""Periods and rankings in a real browser: a county user picks a quarter and a custom range,
reads the rankings, opens a ranked township and downloads a ranking as XLSX; a township
officer sees its villages, shops and rooms. Desktop 1280×900 and phone 390×844."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def _fits(page: Any, width: int) -> None:
    """Nothing pushes the page wider than the screen (wide tables scroll in their frame)."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, (scroll, width)


def _ranked(page: Any, key: str) -> list[tuple[str, Decimal]]:
    """(name, net in full) of each row of a ranking as the browser shows it."""
    rows = page.locator(f'[data-ranking="{key}"] tbody tr')
    found = []
    for index in range(rows.count()):
        row = rows.nth(index)
        net = row.locator('a.drill[data-drill="net"] .num')
        if net.count():
            name = row.locator("td").nth(1).inner_text().strip()
            found.append((name, Decimal(net.get_attribute("title").replace(",", ""))))
    return found


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_county_user_picks_a_quarter_and_a_custom_range(
    new_page: Any, shots: Path, size: str, tmp_path: Path
) -> None:
    width, height = SIZES[size]
    page = new_page(width=width, height=height)
    sign_in(page, "officer1")
    page.goto("/dashboard")
    # The default: this month (the latest with data) and the year to date.
    assert page.locator('[data-kpis="month"]').is_visible()
    assert page.locator('[data-kpis="ytd"]').is_visible()
    shot(page, shots, f"periods-county-default-{size}")

    # A quarter: only the quarter field shows, and only it is sent.
    page.select_option("#period", "quarter")
    assert page.locator('[data-period-field="quarter"]').is_visible()
    assert not page.locator('[data-period-field="month"]').is_visible()
    page.select_option("#period-quarter", "2024Q2")
    with page.expect_navigation():
        page.click(".period-picker button[type=submit]")
    assert urlsplit(page.url).query == "period=quarter&quarter=2024Q2"
    assert "2024年第2季度" in page.locator('[data-kpi-row="period"]').inner_text()
    net = page.locator('[data-kpis="period"] [data-kpi="net_retail"]')
    assert "同比" in net.inner_text() and "环比" in net.inner_text()
    townships = _ranked(page, "township")
    assert len(townships) == 4 and [n for _, n in townships] == sorted(
        (n for _, n in townships), reverse=True
    )
    assert page.errors == []
    _fits(page, width)
    shot(page, shots, f"periods-county-quarter-{size}")

    # A custom range.
    page.select_option("#period", "custom")
    page.fill("#period-from", "2024-03-05")
    page.fill("#period-to", "2024-04-20")
    with page.expect_navigation():
        page.click(".period-picker button[type=submit]")
    assert urlsplit(page.url).query == "period=custom&from=2024-03-05&to=2024-04-20"
    assert "2024-03-05 至 2024-04-20" in page.locator('[data-kpi-row="period"]').inner_text()
    assert "前一时段" in page.locator("main").inner_text()
    page.locator('[data-ranking="product"]').scroll_into_view_if_needed()
    for key in ("township", "shop", "room", "streamer", "product"):
        assert page.locator(f'[data-ranking="{key}"]').count() == 1, key
    assert _ranked(page, "product")
    _fits(page, width)
    shot(page, shots, f"periods-county-custom-{size}")

    # The ranking downloads with the same numbers.
    townships = _ranked(page, "township")
    with page.expect_download() as download:
        page.click('[data-export="township"]')
    path = tmp_path / "township.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    exported = [(row[1].value, row[2].value) for row in sheet.iter_rows(min_row=4) if row[1].value]
    assert [name for name, _ in exported] == [name for name, _ in townships]
    assert [Decimal(str(net)).quantize(Decimal("0.01")) for _, net in exported] == [
        net for _, net in townships
    ]
    assert "元" in sheet.cell(row=4, column=3).number_format

    # A ranked township opens its page for the same range.
    first = page.locator('[data-ranking="township"] a[data-ranking-row]').first
    name = first.inner_text().strip()
    with page.expect_navigation():
        first.click()
    assert urlsplit(page.url).path.startswith("/townships/")
    assert urlsplit(page.url).query == "period=custom&from=2024-03-05&to=2024-04-20"
    assert name in page.locator("h1").inner_text()
    net = page.locator('[data-kpis="period"] [data-kpi="net_retail"] .value .num').first
    assert Decimal(net.get_attribute("title").replace(",", "")) == townships[0][1]
    assert page.errors == []
    _fits(page, width)
    shot(page, shots, f"periods-township-page-custom-{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_township_officer_sees_its_villages_shops_and_rooms(
    new_page: Any, shots: Path, size: str
) -> None:
    width, height = SIZES[size]
    page = new_page(width=width, height=height)
    sign_in(page, "town1")
    page.goto("/dashboard?period=year&year=2024")
    assert page.locator('[data-table="townships"]').count() == 0
    villages = _ranked(page, "village")
    assert "汪庄村" in [name for name, _ in villages]
    assert _ranked(page, "shop") and _ranked(page, "room")
    page.wait_for_selector("#levels[data-drawn] canvas")
    assert "顾官屯镇" not in page.locator("main").inner_text()
    assert page.errors == []
    _fits(page, width)
    shot(page, shots, f"periods-township-officer-villages-{size}")
