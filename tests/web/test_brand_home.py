"""The brand manager's home (/premium) over the sample county: brand sales by month against
last year, premium by month, share by platform, products against their baselines and a way to
add the missing ones; every linked figure opens lines that add up to it."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.county import county_app, signed_in_as
from tests.web.test_drill_links import chart_points, check_lines, figure_links, metrics_total, page

SAMPLE_EXPECTED = "expected.json"


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("brand-home"))


@pytest.fixture(scope="module")
def expected(samples: Path) -> dict:
    return json.loads((samples / SAMPLE_EXPECTED).read_text())


@pytest.fixture
def signed_in(county: Flask) -> Callable[[str], FlaskClient]:
    return signed_in_as(county)


def option(text: str, chart: str) -> dict:
    found = re.search(rf'data-chart-option="{chart}">(.*?)</script>', text, re.S)
    assert found, chart
    return json.loads(html.unescape(found.group(1)))


def test_brand_manager_lands_on_the_brand_home(signed_in, expected) -> None:
    client = signed_in("brand1")
    assert client.get("/").headers["Location"] == "/premium"
    text = page(client, "/premium?year=2024")
    b01 = expected["premium_2024"]["B01"]
    # 品牌销售额 to date, the brand's premium and 溢价额.
    assert 'title="134,852.27"' in text.split('data-kpi="brand_sales"')[1][:600]
    assert f"+{b01['premium'] * 100:.1f}%" in text.split('data-kpi="premium"')[1][:300]
    assert 'title="10,423.24"' in text.split('data-kpi="extra_revenue"')[1][:300]
    # The trend: 2024's months as bars, 2023's as a line, their sum the year's brand sales.
    trend = option(text, "brand_trend")
    this, last = trend["series"]
    assert len(this["data"]) == 12 and round(sum(this["data"]), 2) == 134852.27
    assert any(value for value in last["data"])
    premium = option(text, "brand_premium")
    assert [s["name"] for s in premium["series"]] == ["溢价额", "品牌溢价"]
    assert any(value is not None for value in premium["series"][1]["data"])
    # Products against their baselines; P004 has none and offers the brand page's form.
    products = text.split('id="premium-products"')[1].split("</table>")[0]
    for product in b01["products"]:
        assert f'data-product="{product["product"]}"' in products
        assert f"+{product['premium'] * 100:.1f}%" in products
    assert 'data-without="P004"' in text
    add = re.search(r'href="([^"]+)" data-add-baseline="P004"', text).group(1)
    assert html.unescape(add) == "/premium/B01?product=P004#new-baseline"
    form = page(client, "/premium/B01?product=P004")
    assert '<option value="P004" selected>' in form.split('id="new-baseline"')[1]
    # Share by platform adds up to 100 % of the brand's sales.
    shares = re.findall(
        r'<tr data-platform="(\w+)">.*?<td class="num">([\d.]+)%</td>',
        text.split('id="brand-platforms"')[1],
    )
    assert shares and abs(sum(Decimal(s) for _, s in shares) - 100) <= Decimal("0.3")
    assert "顾乡有礼" not in text  # another brand's name


def test_every_figure_of_the_brand_home_opens_its_lines(county, signed_in) -> None:
    client = signed_in("brand1")
    text = page(client, "/premium?year=2024")
    links = [link for link in figure_links(text) if link["drill"]]
    points = [p for p in chart_points(text) if p["url"].startswith("/lines")]
    assert len(links) >= 20 and len(points) >= 20
    assert "/lines?from=2024-01-01&to=2024-12-31&scope=brand%3AB01&branded=1" in [
        link["url"] for link in links
    ]
    for link in links:
        check_lines(county, client, link["url"], link["drill"], link["shown"])
    for point in points:
        check_lines(county, client, point["url"], "net", point["value"].quantize(Decimal("0.01")))


def test_a_running_month_is_compared_with_the_same_days_last_year(
    county, signed_in, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.web import figures, periods

    client = signed_in("brand1")

    def june(text: str) -> list[str]:
        row = re.search(r'<tr data-month="2024-06">(.*?)</tr>', text, re.S)
        assert row, "2024-06"
        return re.findall(r'<td class="num">(.*?)</td>', row.group(1), re.S)

    over = june(page(client, "/premium?year=2024"))  # June is over: against all of June 2023
    for clock in (figures, periods):
        monkeypatch.setattr(clock, "today", lambda: dt.date(2024, 6, 10))
    text = page(client, "/premium?year=2024")  # on 10 June: against 1–10 June 2023
    running = june(text)
    links = {link["url"]: link for link in figure_links(text) if link["drill"]}
    days = "/lines?from=2023-06-01&to=2023-06-10&scope=brand%3AB01&branded=1"
    assert days in links and "from=2023-06-01&to=2023-06-30" not in " ".join(links)
    check_lines(county, client, days, links[days]["drill"], links[days]["shown"])
    now = links["/lines?from=2024-06-01&to=2024-06-10&scope=brand%3AB01&branded=1"]["shown"]
    before = links[days]["shown"]
    assert 0 < before and running[1] != over[1]
    assert f"{(now - before) / before * 100:+,.1f}%".replace("-", "−") in running[2]


def test_county_users_see_the_same_home_for_all_brands(county, signed_in, expected) -> None:
    client = signed_in("officer1")
    text = page(client, "/premium?year=2024")
    total = sum(Decimal(v) for v in expected["brand_sales_2024"].values())
    kpi = text.split('data-kpi="brand_sales"')[1][:600]
    assert f'title="{total:,.2f}"' in kpi
    for code in ("B01", "B02", "B03"):
        assert f"/premium/{code}?period=year&amp;year=2024" in text
    # The explorer's total behind every linked figure equals it (branded lines of all brands).
    for link in [link for link in figure_links(text) if link["drill"]]:
        response = client.get("/api/v1/lines?" + link["url"].split("?", 1)[1])
        assert response.status_code == 200, link["url"]
        shown = response.get_json()["total"][link["drill"]]
        assert Decimal(str(shown)) == link["shown"], link
    assert "添加基准价" not in text  # officers read; the county centre's admin adds them


def test_an_administrator_adds_a_missing_baseline_through_the_registry_form(signed_in) -> None:
    client = signed_in("admin1")
    text = page(client, "/premium?year=2024")
    add = html.unescape(re.search(r'href="([^"]+)" data-add-baseline="P004"', text).group(1))
    assert add == "/registry/baselines/new?product=P004&kind=pre_brand"
    form = page(client, add)
    assert '<option value="P004" selected' in form and '<option value="pre_brand" selected' in form


def test_a_quarter_shows_its_brand_sales_against_last_year_and_the_quarter_before(
    county, signed_in
) -> None:
    client = signed_in("brand1")
    text = page(client, "/premium?period=quarter&quarter=2024Q2")
    assert "2024年第2季度" in text and "2024-04-01 至 2024-06-30" in text
    with county.app_context():
        q2 = Decimal(
            metrics_total({"from": "2024-04-01", "to": "2024-06-30", "scope": "brand:B01"})["net"]
        )
        q1 = Decimal(
            metrics_total({"from": "2024-01-01", "to": "2024-03-31", "scope": "brand:B01"})["net"]
        )
    assert 0 < q2 < Decimal("134852.27")  # a part of the year, not the year
    links = {link["url"]: link for link in figure_links(text) if link["drill"]}
    quarter = "/lines?from=2024-04-01&to=2024-06-30&scope=brand%3AB01&branded=1"
    assert quarter in text.split('data-kpi="brand_sales"')[1][:600].replace("&amp;", "&")
    assert links[quarter]["shown"] == q2
    check_lines(county, client, quarter, "net", q2)
    # 环比: the card of the quarter before, its figure opening its lines, and the change.
    before = "/lines?from=2024-01-01&to=2024-03-31&scope=brand%3AB01&branded=1"
    card = text.split('data-kpi="previous"')[1][:600]
    assert "上季度同期" in card and before in card.replace("&amp;", "&")
    assert links[before]["shown"] == q1
    check_lines(county, client, before, "net", q1)
    mom = f"{(q2 - q1) / q1 * 100:+,.1f}%".replace("-", "−")
    assert f"环比 {mom}" in text.split('data-kpi="brand_sales"')[1][:900]
    # The months of the year up to the quarter's end: January to June, nothing after.
    this, _last = option(text, "brand_trend")["series"]
    assert all(value is not None for value in this["data"][:6])
    assert all(value is None for value in this["data"][6:])
    assert 'data-month="2024-06"' in text and 'data-month="2024-07"' not in text
    # Every figure and point of the page opens lines adding up to it; links keep the quarter.
    for link in links.values():
        check_lines(county, client, link["url"], link["drill"], link["shown"])
    assert "/premium/B01?period=quarter&amp;quarter=2024Q2" in text
    # The brand page reads the same quarter.
    brand = page(client, "/premium/B01?period=quarter&quarter=2024Q2")
    assert quarter in brand.split('data-kpi="brand_sales"')[1][:600].replace("&amp;", "&")
    assert 'id="period-quarter"' in brand and '<option value="2024Q2" selected>' in brand


def test_a_period_that_cannot_be_read_falls_back_with_a_message(signed_in) -> None:
    text = page(signed_in("brand1"), "/premium?period=quarter&quarter=2024Q9")
    assert "data-period-error" in text and "2024Q9" in text


def test_county_users_read_each_brand_of_a_month_with_its_changes(county, signed_in) -> None:
    client = signed_in("officer1")
    text = page(client, "/premium?period=month&month=2024-05")
    rows = text.split('id="brand-summaries"')[1].split("</table>")[0]
    assert rows.count("data-mom") == 3  # 环比 of each brand against April
    with county.app_context():
        may, april = (
            Decimal(metrics_total({"from": start, "to": end, "scope": "brand:B01"})["net"])
            for start, end in (("2024-05-01", "2024-05-31"), ("2024-04-01", "2024-04-30"))
        )
    b01 = re.search(r"/premium/B01\?period=month&amp;month=2024-05.*?</tr>", rows, re.S)
    assert b01 and f"{(may - april) / april * 100:+,.1f}%".replace("-", "−") in b01.group(0)
    # Each brand's figure is May's, the brands' together too; every figure equals its lines.
    lines = [link["url"] for link in figure_links(rows) if link["drill"]]
    assert len(lines) == 3 and all("from=2024-05-01&to=2024-05-31" in url for url in lines)
    kpi = text.split('data-kpi="brand_sales"')[1][:600].replace("&amp;", "&")
    assert "/lines?from=2024-05-01&to=2024-05-31&branded=1" in kpi
    for link in [link for link in figure_links(text) if link["drill"]]:
        response = client.get("/api/v1/lines?" + link["url"].split("?", 1)[1])
        assert Decimal(str(response.get_json()["total"][link["drill"]])) == link["shown"], link
