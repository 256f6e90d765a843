"""Numbers read the one way in a real browser: the brand page's prices as money with cents and
its sales as plain quantities; the sessions page's hours with one decimal, exact on hover."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser


def test_the_brand_page_reads_prices_with_cents(new_page: Any, shots: Path) -> None:
    page = new_page(width=1280, height=900)
    sign_in(page, "brand1")
    page.goto("/premium/B01?year=2024")
    row = page.locator("#premium-products tbody tr", has_text="P001")
    cells = row.locator("td").all_inner_texts()
    assert cells[2:4] == ["22.20 元", "19.78 元"]
    assert cells[5] == "3,164"
    shot(page, shots, "numbers-brand-page")


def test_the_sessions_page_reads_hours_with_one_decimal(new_page: Any, shots: Path) -> None:
    page = new_page(width=390, height=844)
    sign_in(page, "officer1")
    page.goto("/sessions?from=2024-06-01&to=2024-06-30&scope=room:R01")
    hours = page.locator('[data-kpi="live_hours"] .value .num')
    assert re.fullmatch(r"[\d,]+\.\d", hours.inner_text())
    assert re.fullmatch(r"[\d,]+(\.\d{1,2})?", hours.get_attribute("title") or "")
    shot(page, shots, "numbers-sessions-phone")
