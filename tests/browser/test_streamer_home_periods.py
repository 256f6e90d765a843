"""The streamer's home on a phone (390×844) takes the period picker: a quarter chosen there is
carried in the URL, the totals carry 同比 and 环比, and the room's average and the trend are
the quarter's sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import shot, sign_in
from tests.browser.test_streamer_phone import PHONE, fits


def test_the_streamer_chooses_a_quarter_on_the_phone(new_page: Any, shots: Path) -> None:
    page = new_page(**PHONE)
    sign_in(page, "streamer1")
    assert page.url.endswith("/me")
    # By default the latest month with data, with 同比 and 环比 on each total.
    assert "2024年12月" in page.inner_text("[data-period]")
    sessions = page.locator("[data-kpi=sessions]")
    assert "同比" in sessions.inner_text() and "环比" in sessions.inner_text()
    assert page.locator("[data-year-to-date]").is_visible()
    assert page.locator("#period-quarter").is_hidden()  # only the month's field shows
    assert fits(page)
    shot(page, shots, "streamer-home-period-default-phone")

    page.select_option("#period", "quarter")
    page.select_option("#period-quarter", "2024Q2")
    page.click("form[data-period-picker] button[type=submit]")
    page.wait_for_url("**/me?period=quarter&quarter=2024Q2")
    assert "2024年第2季度" in page.inner_text("[data-period]")
    count = int(page.locator("[data-kpi=sessions] .value").inner_text().replace(",", ""))
    assert count > 0
    room = page.locator(".room-home").first
    assert f"2024年第2季度 {count} 场的平均相比" in room.inner_text()
    assert "上一场 2024-06-" in room.inner_text()
    page.wait_for_selector("#session-trend canvas")
    points = page.locator("#session-trend").evaluate(
        "el => echarts.getInstanceByDom(el).getOption().series[0].data.length"
    )
    assert points == count  # the trend draws the quarter's sessions
    for key in ("sessions", "sales", "order_sales"):
        badges = page.locator(f"[data-kpi={key}] .change").all_inner_texts()
        assert [badge.split()[0] for badge in badges] == ["同比", "环比"], key
    assert page.locator("[data-year-to-date]").count() == 0
    assert fits(page)
    shot(page, shots, "streamer-home-period-quarter-phone")

    # The room's page opens on the same quarter; back on the home, the link to the default.
    href = room.locator("a", has_text="场次数据").get_attribute("href") or ""
    assert "quarter=2024Q2" in href and "period=quarter" in href
    page.click("text=本月与本年累计")
    page.wait_for_url("**/me")
    assert "2024年12月" in page.inner_text("[data-period]")
    assert page.errors == []
