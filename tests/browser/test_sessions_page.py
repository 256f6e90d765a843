"""The sessions list behind the session counts: a county user picks a quarter in the period
picker and the list keeps its room, with 同比 and 环比 on each count."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser


def test_picking_a_quarter_keeps_the_room_and_compares_each_count(
    new_page: Any, shots: Path
) -> None:
    page = new_page()
    sign_in(page, "officer1")
    page.goto("/sessions?from=2024-06-01&to=2024-06-30&scope=room:R01")
    assert page.locator("#period").input_value() == "custom"
    page.select_option("#period", "quarter")
    assert page.locator("#period-from").is_hidden()
    page.select_option("#period-quarter", "2024Q2")
    page.click("form[data-period-picker] button[type=submit]")
    page.wait_for_url("**/sessions?*quarter=2024Q2*")
    asked = parse_qs(urlsplit(page.url).query)
    assert asked == {"scope": ["room:R01"], "period": ["quarter"], "quarter": ["2024Q2"]}
    cards = page.locator('[data-kpi="live_sessions"] .change')
    assert cards.count() == 2
    assert cards.nth(0).inner_text().startswith("同比")
    assert cards.nth(1).inner_text().startswith("环比")
    assert "2024年第2季度" in page.locator("main").inner_text()
    assert "2023-04-01 至 2023-06-30" in page.locator("[data-compared]").inner_text()
    assert page.errors == []
    shot(page, shots, "sessions-room-quarter")
