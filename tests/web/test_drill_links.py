"""Every figure and chart point on the pages opens what produces it, over the sample county.

For each page the test reads every linked figure (the number shown in full on hover) and every
chart point with a link, then:

- a `/lines?…` link: its filters, read by the metrics (`retail` for the period, scope and agri,
  the row whose key is the filter), give the number shown; and when the explorer is there,
  `/api/v1/lines?<same query>` gives a `total` whose field equals it;
- a `/sessions?…` link: the sessions list it opens shows the same count.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.metrics.line_filters import BY_FILTERS
from tests.figures_json import retail
from tests.web.county import county_app, signed_in_as

LINK = re.compile(r'<a class="drill" href="([^"]+)"([^>]*)>(.*?)</a>', re.S)
ATTRIBUTE = re.compile(r'data-(drill|sessions|value)="([^"]*)"')
TITLE = re.compile(r'<span class="num" title="([^"]*)">')
CHART = re.compile(
    r'<script type="application/json" data-chart-(option|links)="(\w+)">(.*?)</script>'
)
ZERO = {"gross": "0.00", "refund": "0.00", "net": "0.00", "orders": 0, "units": 0}


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("drill-links"))


@pytest.fixture
def signed_in(county: Flask) -> Callable[[str], FlaskClient]:
    return signed_in_as(county)


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def figure_links(text: str) -> list[dict[str, Any]]:
    """Each linked figure: its URL, what it is (lines field or sessions count) and the value
    shown in full (the hover title; the raw value where the figure has no title)."""
    found = []
    for href, attributes, inner in LINK.findall(text):
        marks = dict(ATTRIBUTE.findall(attributes))
        title = TITLE.search(inner)
        shown = title.group(1) if title else marks.get("value")
        found.append(
            {
                "url": html.unescape(href),
                "drill": marks.get("drill"),
                "sessions": marks.get("sessions"),
                "shown": None if shown is None else Decimal(shown.replace(",", "")),
            }
        )
    return found


def chart_points(text: str) -> list[dict[str, Any]]:
    """Each chart point or bar with a link: its URL and value (the net it plots)."""
    options: dict[str, Any] = {}
    links: dict[str, Any] = {}
    for kind, chart, body in CHART.findall(text):
        (options if kind == "option" else links)[chart] = json.loads(html.unescape(body))
    points = []
    for chart, option in options.items():
        for index, series in enumerate(option["series"]):
            own = links.get(chart, [])
            for point, value in enumerate(series["data"]):
                url = own[index][point] if index < len(own) else None
                if isinstance(value, dict):
                    url, value = value.get("link", url), value["value"]
                if url and value is not None:
                    points.append({"chart": chart, "url": url, "value": Decimal(str(value))})
    return points


def query_of(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return dict(parse_qsl(parts.query))


def metrics_total(query: dict[str, str]) -> dict[str, Any] | None:
    """What the metrics give for a /lines query (the contract); None for a session's lines."""
    start, end = query["from"], query["to"]
    scope, agri = query.get("scope", "county"), query.get("agri") == "1"
    if "session" in query:
        return None
    if query.get("unregistered") == "1":
        return {"net": retail(start, end, "month", scope)["unregistered"]["net"]}
    keys = [key for key in BY_FILTERS if key in query]
    assert len(keys) <= 1, query
    if keys:
        by = keys[0]
        assert query.get("basis") != "room" or by == "room", query
        # A brand's own row is branded already; other groupings sum the brands' rows.
        if query.get("branded") == "1" and by != "brand" and not scope.startswith("brand:"):
            return branded_row(start, end, by, query[by], agri)
        rows = retail(start, end, by, scope, agri)["rows"]
        return next((row for row in rows if row["key"] == query[by]), ZERO)
    if query.get("basis") == "room":
        return retail(start, end, "room", scope, agri)["total"]
    if query.get("branded") == "1" and not scope.startswith("brand:"):
        rows = retail(start, end, "brand", scope, agri)["rows"]
        return {"net": str(sum(Decimal(row["net"]) for row in rows if row["key"] is not None))}
    return retail(start, end, "month", scope, agri)["total"]


def branded_row(start: str, end: str, by: str, key: str, agri: bool) -> dict[str, Any]:
    """The branded lines of every brand in one group (the brand home's platform share)."""
    brands = [row["key"] for row in retail(start, end, "brand", "county", agri)["rows"]]
    net = Decimal(0)
    for brand in filter(None, brands):
        rows = retail(start, end, by, f"brand:{brand}", agri)["rows"]
        net += sum((Decimal(row["net"]) for row in rows if row["key"] == key), Decimal(0))
    return {"net": str(net)}


def has_explorer(app: Flask) -> bool:
    return any(rule.rule == "/api/v1/lines" for rule in app.url_map.iter_rules())


def check_lines(app: Flask, client: FlaskClient, url: str, field: str, shown: Decimal) -> None:
    """The metrics for the link's filters, and the explorer's total, equal the figure shown."""
    assert url.startswith("/lines?"), url
    query = query_of(url)
    assert query["from"] <= query["to"], url
    with app.app_context():
        expected = metrics_total(query)
    if expected is not None:
        assert Decimal(str(expected[field])) == shown, (url, field, expected, shown)
    if has_explorer(app):
        response = client.get("/api/v1/lines?" + urlsplit(url).query)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        total = response.get_json()["total"]
        assert Decimal(str(total[field])) == shown, (url, field, total, shown)


def check_sessions(client: FlaskClient, url: str, field: str, shown: Decimal) -> None:
    """The sessions list the link opens shows the same count."""
    assert url.startswith("/sessions?"), url
    text = page(client, url)
    block = re.search(rf'data-kpi="{field}">.*?<span class="value[^"]*">(.*?)</span></', text, re.S)
    assert block, (url, field)
    inner = block.group(1)
    title = TITLE.search(inner)
    value = title.group(1) if title else re.sub(r"<[^>]+>", "", inner)
    assert Decimal(value.replace(",", "")) == shown, (url, field, value, shown)


def check_page(
    app: Flask, client: FlaskClient, url: str, least_lines: int, least_points: int = 0
) -> dict[str, Any]:
    """Check every linked figure and chart point of the page; return what was found."""
    text = page(client, url)
    links = figure_links(text)
    points = chart_points(text)
    lines = [link for link in links if link["drill"]]
    sessions = [link for link in links if link["sessions"]]
    assert len(lines) >= least_lines, (url, len(lines))
    assert len([p for p in points if p["url"].startswith("/lines")]) >= least_points, url
    for link in lines:
        check_lines(app, client, link["url"], link["drill"], link["shown"])
    for link in sessions:
        check_sessions(client, link["url"], link["sessions"], link["shown"])
    for point in points:
        if point["url"].startswith("/lines"):
            check_lines(app, client, point["url"], "net", point["value"].quantize(Decimal("0.01")))
        else:
            check_sessions(client, point["url"], "live_sessions", point["value"])
    return {"text": text, "lines": lines, "sessions": sessions, "points": points}


def test_county_dashboard_links_every_figure_and_chart_point(county, signed_in, expected) -> None:
    client = signed_in("officer1")
    found = check_page(county, client, "/dashboard?year=2024", least_lines=10, least_points=20)
    urls = [link["url"] for link in found["lines"]]
    assert "/lines?from=2024-01-01&to=2024-12-31" in urls  # 网络零售额, the whole county
    assert "/lines?from=2024-01-01&to=2024-12-31&agri=1" in urls
    assert "/lines?from=2024-01-01&to=2024-12-31&township=T02" in urls
    assert "/lines?from=2024-01-01&to=2024-12-31&brand=B01&branded=1" in urls
    assert "/lines?from=2024-01-01&to=2024-12-31&unregistered=1" in urls
    assert {"net", "gross", "refund", "orders"} <= {link["drill"] for link in found["lines"]}
    net = next(link for link in found["lines"] if link["url"].endswith("to=2024-12-31"))
    assert net["shown"] == Decimal(expected["retail_2024_total"]["net"])
    # 直播场次 and 活跃直播间 are not sums of lines: they open the sessions list.
    assert {link["sessions"] for link in found["sessions"]} == {"live_sessions", "active_rooms"}
    assert "/lines?from=2024-03-01&to=2024-03-31" in [p["url"] for p in found["points"]]
    assert "/lines?from=2023-03-01&to=2023-03-31" in [p["url"] for p in found["points"]]
    pie = [p["url"] for p in found["points"] if p["chart"] == "platforms"]
    assert "/lines?from=2024-01-01&to=2024-12-31&platform=douyin" in pie


def test_township_dashboard_links_live_sales_by_room_basis(county, signed_in) -> None:
    client = signed_in("town1")
    found = check_page(county, client, "/dashboard?year=2024", least_lines=3, least_points=20)
    urls = [link["url"] for link in found["lines"]]
    assert "/lines?from=2024-01-01&to=2024-12-31&scope=township%3AT01&basis=room" in urls
    assert all("scope=township%3AT01" in p["url"] for p in found["points"])


def test_township_page_links_villages_shops_rooms_and_targets(county, signed_in) -> None:
    client = signed_in("officer1")
    found = check_page(county, client, "/townships/T01?year=2024", least_lines=8, least_points=20)
    urls = [link["url"] for link in found["lines"]]
    assert any("&village=" in url for url in urls)
    assert any("&shop=" in url for url in urls)
    assert any("&room=" in url and url.endswith("&basis=room") for url in urls)
    assert {"live_sessions", "live_hours"} <= {link["sessions"] for link in found["sessions"]}


def test_shop_page_links_its_totals_and_months(county, signed_in) -> None:
    found = check_page(county, signed_in("officer1"), "/shops/S01?year=2024", 5, least_points=20)
    assert {link["drill"] for link in found["lines"]} == {
        "net",
        "gross",
        "refund",
        "orders",
        "units",
    }


@pytest.mark.parametrize(
    ("login", "url"),
    [
        ("town1", "/townships/T01?year=2024"),
        ("town1", "/shops/S01?year=2024"),
        ("town1", "/targets?year=2024&as_of=2024-09-30"),
        ("streamer1", "/rooms/R01?year=2024"),
        ("streamer1", "/shops/S01?year=2024"),
        ("brand1", "/premium?year=2024"),
        ("brand1", "/premium/B01?year=2024"),
    ],
)
def test_every_link_a_scoped_user_sees_gives_the_figure(county, signed_in, login, url) -> None:
    """The explorer shows a user only the lines in their scope: a link they are shown opens
    lines whose total is still the number (a streamer's view of their room's shop links none
    of the shop's own figures, whose lines they may not all see)."""
    found = check_page(county, signed_in(login), url, least_lines=0)
    if login == "streamer1" and url.startswith("/shops/"):
        assert found["lines"] == [] and found["points"] == []
    else:
        assert found["lines"], url


def test_room_page_links_sessions_and_order_lines(county, signed_in) -> None:
    client = signed_in("officer1")
    found = check_page(county, client, "/rooms/R01?year=2024", least_lines=1, least_points=10)
    session_lines = [link for link in found["lines"] if "session=" in link["url"]]
    assert session_lines and all(link["drill"] == "gross" for link in session_lines)
    # A session's order lines: the room page shows their gross as 订单成交额.
    with county.app_context():
        from tests.figures_json import sessions_report

        report = sessions_report("2024-01-01", "2024-12-31", "R01")
    gross = {str(s["id"]): s["order_sales"] for s in report["sessions"]}
    for link in session_lines:
        assert Decimal(gross[query_of(link["url"])["session"]]) == link["shown"]
    # The typed 成交金额 opens the room's sessions, whose list sums the same.
    assert "sales" in {link["sessions"] for link in found["sessions"]}
    bars = [p for p in found["points"] if p["url"].startswith("/sessions")]
    assert bars  # 直播场次 per month opens that month's sessions


def test_premium_pages_link_brand_sales_to_branded_lines(county, signed_in, expected) -> None:
    client = signed_in("officer1")
    listing = check_page(county, client, "/premium?year=2024", least_lines=3)
    # Each brand's row (scope brand:<code>, no product); the home's own figures add them up.
    queries = [(query_of(link["url"]), link["shown"]) for link in listing["lines"]]
    shown = {q["scope"]: value for q, value in queries if "scope" in q and len(q) == 4}
    for code, net in expected["brand_sales_2024"].items():
        assert shown[f"brand:{code}"] == Decimal(net)
    found = check_page(county, client, "/premium/B01?year=2024", least_lines=3, least_points=20)
    products = [link for link in found["lines"] if "product=" in link["url"]]
    assert products and all(link["url"].endswith("&branded=1") for link in products)


def test_target_rows_link_to_the_indicator_since_the_period_start(county, signed_in) -> None:
    client = signed_in("officer1")
    found = check_page(county, client, "/targets?year=2024&as_of=2024-09-30", least_lines=3)
    for link in found["lines"]:
        query = query_of(link["url"])
        assert query["to"] <= "2024-09-30", link
        assert query["from"].endswith("-01"), link


@pytest.fixture(scope="module")
def expected(samples: Path) -> dict[str, Any]:
    return json.loads((samples / "expected.json").read_text())


def test_sessions_list_shows_the_counted_sessions_within_the_users_scope(
    county, signed_in, expected
) -> None:
    officer = signed_in("officer1")
    text = page(officer, "/sessions?from=2024-01-01&to=2024-12-31")
    count = re.search(r'data-kpi="live_sessions">.*?title="([\d,]+)"', text, re.S)
    assert count and int(count.group(1).replace(",", "")) == expected["live_sessions_2024"]
    assert text.count("<tr>") - 1 == expected["live_sessions_2024"]  # one row per session
    town = signed_in("town1")
    listing = page(town, "/sessions?from=2024-01-01&to=2024-12-31&scope=township:T01")
    assert listing.count("<tr>") - 1 == 345  # T01 sessions, as its township page counts
    assert town.get("/sessions?from=2024-01-01&to=2024-12-31").status_code == 403
    assert town.get("/sessions?scope=township:T02").status_code == 403
    assert officer.get("/sessions?scope=township:NOPE").status_code == 404
    assert signed_in("brand1").get("/sessions").status_code == 403


@pytest.mark.parametrize(
    ("login", "url"),
    [
        ("officer1", "/dashboard?period=month&month=2024-06"),
        ("officer1", "/dashboard?period=custom&from=2024-03-05&to=2024-04-20"),
        ("officer1", "/dashboard?period=quarter&quarter=2024Q2"),
        ("officer1", "/dashboard"),
        ("town1", "/dashboard?period=custom&from=2024-03-05&to=2024-04-20"),
        ("officer1", "/townships/T01?period=month&month=2024-06"),
        ("officer1", "/shops/S01?period=custom&from=2024-03-05&to=2024-04-20"),
        ("officer1", "/rooms/R01?period=quarter&quarter=2024Q2"),
    ],
)
def test_links_of_a_month_a_quarter_and_a_custom_range(county, signed_in, login, url) -> None:
    """Every figure of a chosen period — cards, rankings and their bars — opens the lines of
    exactly that period (or, for a chart's month, that month) with the total shown."""
    found = check_page(county, signed_in(login), url, least_lines=3)
    query = dict(parse_qsl(urlsplit(url).query))
    start, end = {
        "month": ("2024-06-01", "2024-06-30"),
        "custom": ("2024-03-05", "2024-04-20"),
        "quarter": ("2024-04-01", "2024-06-30"),
    }.get(query.get("period", ""), ("2024-12-01", "2024-12-31"))
    if url.startswith("/dashboard"):
        ranked = [link for link in found["lines"] if "&product=" in link["url"]]
        assert ranked, url  # the product ranking links each product's lines
        assert all(query_of(link["url"])["from"] == start for link in ranked)
        assert any(
            query_of(link["url"])["from"] == start and query_of(link["url"])["to"] == end
            for link in found["lines"]
        ), url
        levels = [p for p in found["points"] if p["chart"] == "levels"]
        assert levels and all(query_of(p["url"])["from"] == start for p in levels), url
