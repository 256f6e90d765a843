"""A township officer downloads the township page's villages and rooms tables, a shop's KPI
and room cards and a room's sessions in a real browser, and the files hold the numbers on the page.
Desktop 1280×900 and phone 390×844."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def _download(page: Any, key: str, folder: Path) -> Any:
    with page.expect_download() as download:
        page.click(f'[data-export="{key}"]')
    path = folder / f"{key}.xlsx"
    download.value.save_as(path)
    return openpyxl.load_workbook(path).active


def _shown_nets(page: Any, key: str) -> list[Decimal]:
    """The full net (the title of the shown figure) of each row of the table under an export."""
    table = page.locator(f'.table-head:has([data-export="{key}"]) + .table-wrap table')
    cells = table.locator('tbody a.drill[data-drill="net"] .num')
    return [
        Decimal(cells.nth(i).get_attribute("title").replace(",", "")) for i in range(cells.count())
    ]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_township_tables_download_with_the_page_numbers(
    new_page: Any, shots: Path, size: str, tmp_path: Path
) -> None:
    width, height = SIZES[size]
    page = new_page(width=width, height=height)
    sign_in(page, "town1")
    page.goto("/townships/T01?period=year&year=2024")
    for key in ("targets", "villages", "shops", "rooms", "sessions"):
        assert page.locator(f'[data-export="{key}"]').is_visible(), key
    for key, column in (("villages", 2), ("rooms", 6)):
        sheet = _download(page, key, tmp_path)
        exported = [
            Decimal(str(row[column - 1].value)).quantize(Decimal("0.01"))
            for row in sheet.iter_rows(min_row=4)
            if row[0].value
        ]
        assert exported == _shown_nets(page, key), key
        assert "元" in sheet.cell(row=4, column=column).number_format
    assert page.errors == []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, (scroll, width)
    page.locator('[data-export="villages"]').scroll_into_view_if_needed()
    shot(page, shots, f"place-exports-township-{size}")

    page.goto("/rooms/R01?period=year&year=2024")
    sheet = _download(page, "sessions", tmp_path)
    rows = page.locator('.table-head:has([data-export="sessions"]) + .table-wrap tbody tr')
    assert sheet.max_row - 3 == rows.count() > 0
    first = rows.first.locator("td").nth(0).inner_text().strip()
    assert f"{sheet.cell(row=4, column=1).value:%Y-%m-%d %H:%M}" == first  # a real date-time
    page.locator('[data-export="sessions"]').scroll_into_view_if_needed()
    shot(page, shots, f"place-exports-room-{size}")

    page.goto("/shops/S01?period=month&month=2024-05")
    sheet = _download(page, "rooms", tmp_path)
    card = page.locator('[data-cards="rooms"] [data-room="R01"]')
    shown = dict(
        zip(
            [text.strip() for text in card.locator("dt").all_inner_texts()],
            [text.strip() for text in card.locator("dd").all_inner_texts()],
            strict=True,
        )
    )
    heads = [cell.value for cell in sheet[3]]
    row = {head: sheet.cell(row=4, column=i + 1) for i, head in enumerate(heads)}
    assert str(row["直播场次"].value) == shown["直播场次"]
    assert f"{row['最近开播'].value:%Y-%m-%d %H:%M}" == shown["最近开播"]
    assert shown["最近开播"].startswith("2024-05")
    assert f"{Decimal(str(row['看播转化率'].value)) * 100:.2f}%" == shown["看播转化率"]
    assert "元" in row["成交金额（主播填报）"].number_format
    sheet = _download(page, "kpis", tmp_path)  # the shop's cards, for the same month
    net = page.locator('[data-kpi="net_retail"] .value .num').first.get_attribute("title")
    assert sheet.cell(row=4, column=4).value == "网络零售额"
    assert Decimal(str(sheet.cell(row=4, column=5).value)) == Decimal(net.replace(",", ""))
    assert sheet.cell(row=4, column=2).value.date().isoformat() == "2024-05-01"
    assert page.errors == []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, (scroll, width)
    card.scroll_into_view_if_needed()
    shot(page, shots, f"place-exports-shop-{size}")
