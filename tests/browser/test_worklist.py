"""A clerk registers an unregistered product from the worklist and the dashboard's
agricultural figure moves at once, with no re-import."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from app.extensions import db
from app.metrics.rollup_write import rebuild_all
from app.models import OrderLine, PlatformListing, Product
from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser
CODE = "BROWSER-EGG"
AGRI = '[data-kpi="agri_net_retail"] .value .num'


@pytest.fixture
def registered_back_out(live_app: Flask) -> Iterator[None]:
    """Afterwards the lines are unregistered again, so no other test sees a figure move."""
    yield
    with live_app.app_context():
        product = db.session.scalar(select(Product.id).where(Product.code == CODE))
        if product is not None:
            db.session.execute(
                update(OrderLine).where(OrderLine.product_id == product).values(product_id=None)
            )
            db.session.execute(delete(PlatformListing).where(PlatformListing.product_id == product))
            db.session.execute(delete(Product).where(Product.id == product))
            rebuild_all()
            db.session.commit()
        db.session.remove()


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_a_clerk_registers_a_product_and_the_agricultural_figure_moves(
    new_page: Any, shots: Path, registered_back_out: None
) -> None:
    page = new_page()
    sign_in(page, "admin1")
    page.goto("/dashboard?year=2024")
    agri_before = amount(page.locator(AGRI).get_attribute("title"))

    page.click("[data-unregistered-link]")
    page.wait_for_url(re.compile(r"/unregistered\?from=2024-01-01&to=2024-12-31"))
    first = page.locator("#worklist tbody tr").first
    net = amount(first.locator("[data-net] .num").get_attribute("title"))
    name = first.locator("td").nth(3).inner_text()
    shot(page, shots, "worklist")

    first.locator("[data-register]").click()
    page.wait_for_selector("#register-form")
    assert page.input_value("#name") == name  # pre-filled from the export
    page.fill("#code", CODE)
    page.select_option("#category", "生鲜产品")
    shot(page, shots, "worklist-register")
    page.click("#register-form button[type=submit]")
    page.wait_for_url(re.compile(r"/unregistered\?"))
    flash = page.locator(".flash-success").inner_text()
    assert f"已登记到商品 {CODE}" in flash
    moved = amount(re.search(r"([\d,]+\.\d\d) 元", flash).group(1))
    assert moved >= net  # the row's lines, and any other row's lines with the same listing
    assert page.errors == []

    page.goto("/dashboard?year=2024")
    assert amount(page.locator(AGRI).get_attribute("title")) == agri_before + moved
    shot(page, shots, "worklist-dashboard-after")


def test_the_worklist_at_a_quarter_from_the_period_picker(new_page: Any, shots: Path) -> None:
    page = new_page(width=1280, height=900)
    sign_in(page, "admin1")
    page.goto("/unregistered?period=year&year=2024")
    whole_year = page.locator("#worklist tbody tr").count()
    page.select_option("#period", "quarter")
    page.select_option("#period-quarter", "2024Q2")
    with page.expect_navigation():
        page.click(".period-picker button[type=submit]")
    assert page.url.endswith("/unregistered?period=quarter&quarter=2024Q2")
    assert "2024-04-01 至 2024-06-30" in page.locator("main").inner_text()
    rows = page.locator("#worklist tbody tr")
    assert 0 < rows.count() <= whole_year
    days = [rows.nth(i).locator("td").nth(10).inner_text() for i in range(rows.count())]
    assert all("2024-04-01" <= day <= "2024-06-30" for day in days)  # 最近支付 in the quarter
    link = page.locator("[data-workbook]").get_attribute("href")
    assert link == "/unregistered/workbook.xlsx?period=quarter&quarter=2024Q2"
    shot(page, shots, "worklist-quarter")
    assert page.errors == []
