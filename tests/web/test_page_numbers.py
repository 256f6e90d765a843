"""Numbers the brand page and the sessions page show read the one way of app/web/formatting:
prices as money with cents, quantities without trailing zeros, hours with one decimal."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import LiveSession
from app.web import premium_data
from tests.web.county import county_app, signed_in_as


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("page-numbers"))


@pytest.fixture
def signed_in(county: Flask) -> Callable[[str], FlaskClient]:
    return signed_in_as(county)


def _cells(table: str, product: str) -> list[str]:
    """The cells of the table row of `product`, as text."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    row = next(r for r in rows if f">{product}</span>" in r)
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_the_brand_page_shows_prices_with_cents_and_sales_as_plain_quantities(signed_in) -> None:
    text = signed_in("brand1").get("/premium/B01?year=2024").get_data(as_text=True)
    table = text.split('id="premium-products"')[1].split("</table>")[0]

    cells = _cells(table, "P001")
    # 计价单位, 成交单价, 基准价, 基准类型, 销量（计价单位）
    assert cells[1:6] == ["斤", "22.20 元", "19.78 元", "品牌前价格", "3,164"]
    assert not re.search(r"\d\.0{2,}\b(?! 元)", table)  # no "2.0000", no "3,164.00"


def test_the_sessions_page_shows_hours_with_one_decimal(county: Flask, signed_in) -> None:
    with county.app_context():
        sessions = db.session.scalars(
            db.select(LiveSession).where(
                LiveSession.started_at >= dt.datetime(2023, 12, 31, 16),
                LiveSession.started_at < dt.datetime(2024, 12, 31, 16),
            )
        ).all()
    client = signed_in("admin1")
    text = client.get("/sessions?from=2024-01-01&to=2024-12-31").get_data(as_text=True)
    shown = re.search(
        r'data-kpi="live_hours">.*?<span class="num" title="([^"]*)">([^<]*)<', text, re.S
    )
    assert shown
    exact, shown_hours = shown.groups()
    hours = sum(
        (
            Decimal((s.ended_at - s.started_at).total_seconds()) / 3600
            for s in sessions
            if s.ended_at
        ),
        Decimal(0),
    )
    assert hours > 10  # the sample county streams
    assert shown_hours == f"{hours.quantize(Decimal('0.1'), ROUND_HALF_UP):,}"
    assert re.fullmatch(r"[\d,]+\.\d", shown_hours)
    # The exact figure on hover, as the other figures of the page.
    assert Decimal(exact.replace(",", "")) == hours.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_the_premium_chart_rounds_half_up_in_decimal() -> None:
    assert premium_data._percent_point(Decimal("0.12345")) == 12.3
    assert premium_data._percent_point(Decimal("0.00125")) == 0.1  # half up, as the tables read
    assert premium_data._percent_point(Decimal("-0.0625")) == -6.3
    assert premium_data._percent_point(None) is None
