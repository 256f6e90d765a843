"""The targets board and the monthly reports list in a real browser: a county user picks a
quarter, a day within it and a custom range across the new year on the board, downloads the
board as XLSX, and picks a month and a quarter of reports. Desktop 1280×900 and phone 390×844.

The sample county's five yearly 2024 targets are joined here, for this module only, by the
county's April 2024 网络零售额 and 许营镇's June 2024 网络零售额 and 顾乡镇's December 2023 one.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from flask import Flask

from app.extensions import db
from app.models import Target
from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
MONTHLY = [
    (2024, 4, "county", "高新区", "20000"),
    (2024, 6, "township", "T01", "8000"),
    (2023, 12, "township", "T02", "9000"),
]


@pytest.fixture(scope="module")
def monthly_targets(live_app: Flask) -> Iterator[None]:
    with live_app.app_context():
        added = [
            Target(
                year=year,
                month=month,
                scope_type=kind,
                scope_code=code,
                indicator="net_retail",
                value=Decimal(value),
            )
            for year, month, kind, code, value in MONTHLY
        ]
        db.session.add_all(added)
        db.session.commit()
        ids = [target.id for target in added]
        db.session.remove()
    yield
    with live_app.app_context():
        db.session.execute(db.delete(Target).where(Target.id.in_(ids)))
        db.session.commit()
        db.session.remove()


def _fits(page: Any, width: int) -> None:
    """Nothing pushes the page wider than the screen (the wide table scrolls in its frame)."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, (scroll, width)


def _rows(page: Any) -> list[str]:
    rows = page.locator("#targets tbody tr")
    return [rows.nth(i).get_attribute("data-target") for i in range(rows.count())]


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _submit(page: Any, form: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_county_user_reads_targets_for_a_quarter_a_day_and_a_range(
    new_page: Any, shots: Path, size: str, tmp_path: Path, monthly_targets: None
) -> None:
    width, height = SIZES[size]
    page = new_page(width=width, height=height, accept_downloads=True)
    sign_in(page, "officer1")
    page.goto("/targets")
    # The default: the latest month with data (December 2024), and the year to its end.
    assert page.input_value("#as_of") == "2024-12-31"
    assert "county|net_retail|2024-year" in _rows(page)
    assert not any(row.endswith("2024-4") for row in _rows(page))
    shot(page, shots, f"targets-default-{size}")

    page.select_option("#period", "quarter")
    assert page.locator('[data-period-field="quarter"]').is_visible()
    assert not page.locator('[data-period-field="month"]').is_visible()
    page.select_option("#period-quarter", "2024Q2")
    _submit(page, ".period-picker")
    assert urlsplit(page.url).query == "period=quarter&quarter=2024Q2"
    rows = _rows(page)
    assert "county|net_retail|2024-4" in rows and "township:T01|net_retail|2024-6" in rows
    assert len(rows) == 7 and page.input_value("#as_of") == "2024-06-30"
    april = page.locator('[data-target="county|net_retail|2024-4"]')
    assert "同比" in page.locator("#targets thead").inner_text()
    assert april.locator("[data-yoy] .change").count() == 1  # April 2023 had sales
    assert page.errors == []
    _fits(page, width)
    shot(page, shots, f"targets-quarter-{size}")

    # A day within the quarter: June's target has not begun on 15 May.
    page.fill("#as_of", "2024-05-15")
    _submit(page, "#as-of-form")
    assert _query(page) == {"period": ["quarter"], "quarter": ["2024Q2"], "as_of": ["2024-05-15"]}
    june = page.locator('[data-target="township:T01|net_retail|2024-6"]')
    assert june.locator("[data-yoy]").inner_text().strip() == "—"
    assert june.locator("[data-yoy] span").get_attribute("title") == "目标期尚未开始"

    # The export holds the same rows for the same quarter and day.
    with page.expect_download() as download:
        page.click('[data-export="targets"]')
    path = tmp_path / "targets.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert "2024年第2季度" in sheet["A1"].value and "2024-05-15" in sheet["A1"].value
    assert sheet.max_row - 3 == 7

    # A custom range across the new year: December 2023's target and 2024's yearly ones.
    page.select_option("#period", "custom")
    page.fill("#period-from", "2023-12-15")
    page.fill("#period-to", "2024-01-10")
    _submit(page, ".period-picker")
    assert urlsplit(page.url).query == "period=custom&from=2023-12-15&to=2024-01-10"
    december = page.locator('[data-target="township:T02|net_retail|2023-12"]')
    assert "2023年 12月" in december.inner_text()
    assert december.locator("[data-last-year] span").get_attribute("title") == "上年同期无数据"
    assert page.errors == []
    _fits(page, width)
    shot(page, shots, f"targets-custom-{size}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_county_user_lists_the_reports_of_a_month_and_a_quarter(
    new_page: Any, shots: Path, size: str
) -> None:
    width, height = SIZES[size]
    page = new_page(width=width, height=height)
    sign_in(page, "officer1")
    page.goto("/reports")
    assert page.locator("#reports tbody tr").count() == 12  # the year of the latest month

    page.select_option("#period", "month")
    page.fill("#period-month", "2024-06")
    _submit(page, ".period-picker")
    assert urlsplit(page.url).query == "period=month&month=2024-06"
    rows = page.locator("#reports tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-month") == "2024-06"
    assert rows.first.locator('[data-brief="png"]').count() == 1
    shot(page, shots, f"reports-month-{size}")

    page.select_option("#period", "quarter")
    page.select_option("#period-quarter", "2024Q2")
    _submit(page, ".period-picker")
    months = [rows.nth(i).get_attribute("data-month") for i in range(rows.count())]
    assert months == ["2024-06", "2024-05", "2024-04"]
    assert "2024年第2季度" in page.locator("[data-report-period]").inner_text()
    assert page.errors == []
    _fits(page, width)
    shot(page, shots, f"reports-quarter-{size}")
