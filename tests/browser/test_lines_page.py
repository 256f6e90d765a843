"""A clerk opens the order lines of one township: the chips say its name, the CSV holds as many
lines as the total says, the next page loads, and a chip removed widens the lines."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Township
from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser
URL = "/lines?from=2024-01-01&to=2024-12-31&township=T01"


def _total_lines(page: Any) -> int:
    return int(page.locator('[data-total="lines"]').inner_text().replace(",", ""))


def test_township_lines_chips_csv_next_page_and_removal(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    with live_app.app_context():
        name = db.session.scalar(select(Township.name).where(Township.code == "T01"))
        db.session.remove()
    assert name
    page = new_page()
    sign_in(page, "officer1")
    page.goto(URL)
    shot(page, shots, "lines-township")

    chip = page.locator('[data-chip="township"]')
    assert re.sub(r"\s+", "", chip.inner_text()).startswith(f"乡镇：{name}（T01）")
    total = _total_lines(page)
    assert total > 50  # more than one page

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "行编号" and len(rows) - 1 == total

    shown = page.locator("table.data:not(.totals) tbody tr").count()
    page.get_by_role("link", name="加载更多").click()
    page.wait_for_url("**after=**")
    assert page.locator("table.data:not(.totals) tbody tr").count() > 0
    assert _total_lines(page) == total and shown == 50

    page.locator('[data-chip="township"] a').click()
    page.wait_for_url(lambda url: "township" not in url)
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"from": ["2024-01-01"], "to": ["2024-12-31"]}
    assert page.locator('[data-chip="township"]').count() == 0
    assert _total_lines(page) > total
    shot(page, shots, "lines-county")
    assert page.errors == []
