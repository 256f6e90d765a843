"""Periods, rankings and table exports on the dashboards, over the sample county.

The sample county's sales run from January 2023 to December 2024 (today is later), so the
default period is December 2024 (the latest month with data) and the year to its end.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.metrics.periods import Period
from app.models import Township
from app.web.periods import choose_period
from tests.web.county import county_app, signed_in_as

D = dt.date


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("periods"))


@pytest.fixture(scope="module")
def expected(samples: Path) -> dict[str, Any]:
    return json.loads((samples / "expected.json").read_text())


@pytest.fixture
def signed_in(county: Flask) -> Callable[[str], FlaskClient]:
    return signed_in_as(county)


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def chosen(county: Flask, query: str) -> Any:
    with county.test_request_context("/dashboard?" + query):
        from flask import request

        return choose_period(request.args)


def full(amount: str | Decimal) -> str:
    return f"{Decimal(amount):,.2f}"


def card(html: str, row: str, key: str) -> str:
    section = re.search(rf'data-kpis="{row}"(.*?)</section>', html, re.S)
    assert section, row
    found = re.search(rf'data-kpi="{key}"(.*?)(?=data-kpi=|$)', section.group(1), re.S)
    assert found, key
    return found.group(1)


def ranking(html: str, key: str) -> list[tuple[str, str]]:
    """(name, net shown in full) of each row of one ranking table, in order."""
    section = re.search(rf'data-ranking="{key}"(.*?)</section>', html, re.S)
    assert section, key
    rows = re.findall(r"<tr>(.*?)</tr>", section.group(1), re.S)
    found = []
    for row in rows:
        name = re.search(r"<td>(?:<a [^>]*>)?([^<]+)", row)
        net = re.search(r'data-drill="net"[^>]*><span class="num" title="([^"]+)"', row)
        if name and net:
            found.append((name.group(1).strip(), net.group(1)))
    return found


# -- reading the period from the URL ---------------------------------------------------------


def test_each_kind_of_period_and_what_it_is_compared_with(county) -> None:
    month = chosen(county, "period=month&month=2024-06")
    assert (month.kind, month.period) == ("month", Period(D(2024, 6, 1), D(2024, 6, 30)))
    assert month.previous == Period(D(2024, 5, 1), D(2024, 5, 31))
    assert month.last_year == Period(D(2023, 6, 1), D(2023, 6, 30))
    quarter = chosen(county, "period=quarter&quarter=2024Q2")
    assert quarter.period == Period(D(2024, 4, 1), D(2024, 6, 30))
    assert quarter.previous == Period(D(2024, 1, 1), D(2024, 3, 31))
    assert quarter.params == {"period": "quarter", "quarter": "2024Q2"}
    year = chosen(county, "year=2023")  # older links: a bare year
    assert year.kind == "year" and year.period == Period(D(2023, 1, 1), D(2023, 12, 31))
    assert year.previous == Period(D(2022, 1, 1), D(2022, 12, 31))
    custom = chosen(county, "period=custom&from=2024-03-05&to=2024-04-20")
    assert custom.period == Period(D(2024, 3, 5), D(2024, 4, 20))
    assert custom.previous == Period(D(2024, 1, 18), D(2024, 3, 4))  # the 47 days before
    assert custom.last_year == Period(D(2023, 3, 5), D(2023, 4, 20))
    assert not custom.error and not custom.default


def test_the_default_is_the_latest_month_with_data_and_its_year(county) -> None:
    choice = chosen(county, "")
    assert choice.default and choice.kind == "month" and choice.error is None
    assert choice.period == Period(D(2024, 12, 1), D(2024, 12, 31))
    assert choice.year_to_date == Period(D(2024, 1, 1), D(2024, 12, 31))


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("period=month&month=2024-13", "月份应写作 年-月"),
        ("period=month", "请填写月份"),
        ("period=quarter&quarter=2024Q5", "季度应写作 年Q季"),
        ("period=custom&from=2024-04-20&to=2024-03-05", "早于开始日期"),
        ("period=custom&from=2024-02-30&to=2024-03-05", "日期应写作 年-月-日"),
        ("period=custom&from=2020-01-01&to=2024-03-05", "最长三年"),
        ("period=week", "时段应为"),
        ("period=year&year=2999", "尚未开始"),
        # Before 2000 in any form: the same clear message, never a failed page.
        ("period=month&month=0001-01", "时段不能早于 2000 年"),
        ("period=quarter&quarter=0001Q1", "时段不能早于 2000 年"),
        ("period=custom&from=0001-01-03&to=0001-01-05", "时段不能早于 2000 年"),
        ("period=year&year=1999", "时段不能早于 2000 年"),
        ("period=month&month=1999-12", "时段不能早于 2000 年"),
    ],
)
def test_a_period_that_cannot_be_read_falls_back_to_the_default(county, query, says) -> None:
    choice = chosen(county, query)
    assert choice.default and choice.period == Period(D(2024, 12, 1), D(2024, 12, 31))
    assert choice.error and says in choice.error


@pytest.mark.parametrize(
    "query",
    [
        "period=month&month=0001-01",
        "period=quarter&quarter=0001Q1",
        "period=custom&from=0001-01-03&to=0001-01-05",
        "period=year&year=0001",
    ],
)
def test_a_period_before_2000_shows_the_default_with_a_message(signed_in, query) -> None:
    client = signed_in("officer1")
    for url in ("/dashboard?", "/townships/T01?"):
        html = page(client, url + query)
        assert "时段不能早于 2000 年" in html and "已显示默认时段" in html
    english = page(client, "/dashboard?lang=en&" + query)
    assert "A period cannot begin before 2000" in english
    page(client, "/dashboard?lang=zh")


def test_a_brief_before_2000_says_so_instead_of_failing(signed_in) -> None:
    client = signed_in("officer1")
    response = client.get("/reports/brief/0001-01?format=png")
    assert response.status_code == 302 and response.location.endswith("/reports")
    assert "时段不能早于 2000 年" in page(client, "/reports")


def test_a_custom_range_from_the_first_is_compared_with_the_days_just_before(county) -> None:
    odd = chosen(county, "period=custom&from=2024-03-01&to=2024-04-15")
    assert odd.previous == Period(D(2024, 1, 15), D(2024, 2, 29))  # the 46 days before
    assert odd.previous_label == "前一时段"
    months = chosen(county, "period=custom&from=2024-03-01&to=2024-04-30")
    assert months.previous == Period(D(2024, 1, 1), D(2024, 2, 29))  # the two months before


def test_the_page_says_why_it_shows_the_default(signed_in) -> None:
    html = page(signed_in("officer1"), "/dashboard?period=month&month=2024-13")
    assert "data-period-error" in html and "月份应写作 年-月" in html and "已显示默认时段" in html
    assert 'data-kpis="month"' in html and 'data-kpis="ytd"' in html


# -- cards with 同比 and 环比 -----------------------------------------------------------------


def test_a_month_shows_its_yoy_and_mom(signed_in, expected) -> None:
    wanted = expected["growth_2024_06"]
    html = page(signed_in("officer1"), "/dashboard?period=month&month=2024-06")
    net = card(html, "period", "net_retail")
    assert f'title="{full(wanted["value"])}"' in net
    assert f"同比 +{wanted['yoy'] * 100:.1f}%" in net
    assert f"环比 +{wanted['mom'] * 100:.1f}%" in net
    assert "2024年6月" in html and "上月同期" in html
    # The period picker keeps the month.
    assert 'value="2024-06"' in html and '<option value="month" selected>' in html


def test_default_shows_this_month_and_the_year_to_date(signed_in, expected) -> None:
    html = page(signed_in("viewer1"), "/dashboard")
    december = expected["growth_2024_12"]
    month = card(html, "month", "net_retail")
    assert f'title="{full(december["value"])}"' in month
    assert f"环比 {'+' if december['mom'] > 0 else '−'}{abs(december['mom']) * 100:.1f}%" in month
    ytd = card(html, "ytd", "net_retail")
    assert f'title="{full(expected["retail_2024_total"]["net"])}"' in ytd
    assert f"同比 +{december['ytd_yoy'] * 100:.1f}%" in ytd
    assert "环比" not in ytd  # a year to date is compared with last year only


def test_a_quarter_and_a_custom_range_total_their_months(signed_in, expected) -> None:
    client = signed_in("officer1")
    months = expected["retail_by_month"]
    q2 = sum(Decimal(months[m]["net"]) for m in ("2024-04", "2024-05", "2024-06"))
    html = page(client, "/dashboard?period=quarter&quarter=2024Q2")
    assert f'title="{full(q2)}"' in card(html, "period", "net_retail")
    assert "2024年第2季度" in html and "上季度同期" in html
    html = page(client, "/dashboard?period=custom&from=2024-04-01&to=2024-05-31")
    both = sum(Decimal(months[m]["net"]) for m in ("2024-04", "2024-05"))
    assert f'title="{full(both)}"' in card(html, "period", "net_retail")
    assert "前一时段" in html


# -- rankings and levels ----------------------------------------------------------------------


def test_county_ranks_townships_rooms_and_more_for_the_period(signed_in, expected) -> None:
    html = page(signed_in("officer1"), "/dashboard?period=year&year=2024")
    by_township = expected["retail_2024_by_township"]
    names = {"T01": "许营镇"}
    rows = ranking(html, "township")
    assert [net for _, net in rows] == [
        full(row["net"]) for row in sorted(by_township.values(), key=lambda r: -Decimal(r["net"]))
    ]
    assert rows[0][0] == names["T01"]
    # Each township row opens its page for the same period, with its share of the county.
    assert '/townships/T01?period=year&amp;year=2024" data-ranking-row="T01"' in html
    share = Decimal(by_township["T01"]["net"]) / Decimal(expected["retail_2024_total"]["net"])
    section = re.search(r'data-ranking="township"(.*?)</section>', html, re.S).group(1)
    assert f"{share * 100:.1f}%" in section
    rooms = expected["live_sales_2024_by_room"]
    assert [net for _, net in ranking(html, "room")] == [
        full(v) for v in sorted(rooms.values(), key=Decimal, reverse=True)
    ]
    for key in ("shop", "streamer", "product"):
        assert f'data-ranking="{key}"' in html
    products = [Decimal(net.replace(",", "")) for _, net in ranking(html, "product")]
    assert 0 < len(products) <= 10 and products == sorted(products, reverse=True)
    assert 'data-table="townships"' in html


def test_township_officer_sees_its_villages_shops_and_rooms(signed_in, expected) -> None:
    html = page(signed_in("town1"), "/dashboard?period=year&year=2024")
    assert 'data-table="townships"' not in html and 'data-ranking="township"' not in html
    villages = ranking(html, "village")
    assert "汪庄村" in [name for name, _ in villages]
    total = sum(Decimal(net.replace(",", "")) for _, net in villages)
    assert total <= Decimal(expected["retail_2024_by_township"]["T01"]["net"])
    assert "许营好品官方旗舰店" in html
    rooms = [name for name, _ in ranking(html, "room")]
    assert rooms and "顾官屯镇" not in html
    assert html.count("data-chart-option=") == 3  # the villages ranked, beside trend and ring


# -- exports ----------------------------------------------------------------------------------


def workbook(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def test_a_ranking_exports_the_same_numbers_as_numbers(signed_in, expected) -> None:
    client = signed_in("officer1")
    sheet = workbook(client, "/dashboard/tables/township.xlsx?period=year&year=2024")
    header = [cell.value for cell in sheet[3]]
    assert header[:3] == ["排名", "乡镇", "网络零售额"]
    first = sheet[4]
    assert first[1].value == "许营镇"
    assert first[2].value == pytest.approx(float(expected["retail_2024_by_township"]["T01"]["net"]))
    assert first[2].data_type == "n" and "元" in first[2].number_format
    assert "%" in first[5].number_format and 0 < first[5].value < 1
    sheet = workbook(client, "/dashboard/tables/townships.xlsx?period=year&year=2024")
    assert [cell.value for cell in sheet[3]][:2] == ["乡镇", "网络零售额"]
    assert sheet.max_row == 3 + len(expected["retail_2024_by_township"])


def test_exported_names_never_run_as_formulas(signed_in, county) -> None:
    with county.app_context():
        town = db.session.scalar(db.select(Township).where(Township.code == "T04"))
        old, town.name = town.name, '=HYPERLINK("http://x","y")'
        db.session.commit()
    try:
        sheet = workbook(
            signed_in("officer1"), "/dashboard/tables/township.xlsx?period=year&year=2024"
        )
        cells = [row[1] for row in sheet.iter_rows(min_row=4) if row[1].value]
        bad = [cell for cell in cells if str(cell.value).startswith("=")]
        assert bad and all(cell.data_type == "s" and cell.quotePrefix for cell in bad)
    finally:
        with county.app_context():
            town = db.session.scalar(db.select(Township).where(Township.code == "T04"))
            town.name = old
            db.session.commit()


def test_exports_follow_the_scope(signed_in) -> None:
    client = signed_in("town1")
    page(client, "/dashboard/tables/townships.xlsx", 404)  # a county table
    page(client, "/dashboard/tables/nothing.xlsx", 404)
    sheet = workbook(client, "/dashboard/tables/village.xlsx?period=year&year=2024")
    assert "汪庄村" in [row[1].value for row in sheet.iter_rows(min_row=4)]
    page(signed_in("streamer1"), "/dashboard/tables/township.xlsx", 403)


def test_a_township_page_ranks_one_level_down_and_exports_its_tables(signed_in) -> None:
    client = signed_in("officer1")
    html = page(client, "/townships/T01?period=year&year=2024")
    for key in ("village", "shop", "room", "streamer", "product"):
        assert f'data-ranking="{key}"' in html, key
    assert "scope=township%3AT01" in html  # the export links name the township
    assert "/shops/S01?period=year&amp;year=2024" in html  # places keep the period
    shown = ranking(html, "village")
    sheet = workbook(
        client, "/dashboard/tables/village.xlsx?scope=township:T01&period=year&year=2024"
    )
    exported = [(row[1].value, row[2].value) for row in sheet.iter_rows(min_row=4) if row[1].value]
    assert [name for name, _ in exported] == [name for name, _ in shown]
    assert [f"{net:,.2f}" for _, net in exported] == [net for _, net in shown]
    # A township officer may export its own township's tables, not another's.
    town = signed_in("town1")
    workbook(town, "/dashboard/tables/shop.xlsx?scope=township:T01")
    page(town, "/dashboard/tables/shop.xlsx?scope=township:T02", 403)


def exported_rows(client: FlaskClient, url: str) -> dict[str, tuple[Decimal, float | None]]:
    """Name → (net, share) of each row of an exported ranking."""
    sheet = workbook(client, url)
    return {
        str(row[1].value): (Decimal(str(row[2].value)), row[5].value)
        for row in sheet.iter_rows(min_row=4)
        if row[1].value
    }


def test_room_and_streamer_shares_are_of_the_scope_live_sales(signed_in, expected) -> None:
    rooms = expected["live_sales_2024_by_room"]
    whole = sum((Decimal(v) for v in rooms.values()), Decimal(0))  # the county's 村播带货额
    client = signed_in("officer1")
    found = exported_rows(client, "/dashboard/tables/room.xlsx?period=year&year=2024")
    assert len(found) == len(rooms)
    for net, share in found.values():
        assert share == pytest.approx(float(net / whole))
    assert sum(share or 0 for _, share in found.values()) == pytest.approx(1.0)
    streamers = exported_rows(client, "/dashboard/tables/streamer.xlsx?period=year&year=2024")
    for net, share in streamers.values():
        assert share == pytest.approx(float(net / whole))
    # The page says what the shares are of, under each of the two tables.
    html = page(client, "/dashboard?period=year&year=2024")
    for key in ("room", "streamer"):
        section = re.search(rf'data-ranking="{key}"(.*?)</section>', html, re.S)
        assert section and f"占比为占全县村播带货额（{whole:,.2f} 元）" in section.group(1)


@pytest.fixture
def streamer_in_two_townships(county: Flask) -> Iterator[None]:
    """Z03 (a streamer of R03, in 许营镇 T01) also streams in R02 (顾官屯镇 T02): R02's
    sessions are made Z03's for the test."""
    from app.models import LiveRoom, LiveSession, Streamer

    def sessions() -> list[Any]:
        return list(
            db.session.scalars(db.select(LiveSession).where(LiveSession.room_id == room.id))
        )

    with county.app_context():
        room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == "R02"))
        z03 = db.session.scalar(db.select(Streamer).where(Streamer.code == "Z03"))
        before = {found.id: found.streamer_id for found in sessions()}
        z03.rooms.append(room)
        for found in sessions():
            found.streamer_id = z03.id
        db.session.commit()
    try:
        yield
    finally:
        with county.app_context():
            room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == "R02"))
            z03 = db.session.scalar(db.select(Streamer).where(Streamer.code == "Z03"))
            z03.rooms.remove(room)
            for found in sessions():
                found.streamer_id = before[found.id]
            db.session.commit()


def test_a_township_ranks_streamers_by_their_sales_in_its_rooms(
    signed_in, expected, request: pytest.FixtureRequest
) -> None:
    url = "/dashboard/tables/streamer.xlsx?period=year&year=2024"
    town, officer = signed_in("town1"), signed_in("officer1")
    mine, county_wide = exported_rows(town, url), exported_rows(officer, url)
    request.getfixturevalue("streamer_in_two_townships")
    # T01's ranking still shows only what its streamers sold in T01's rooms …
    assert exported_rows(town, url) == mine
    rooms = expected["live_sales_2024_by_room"]
    live_t01 = Decimal(rooms["R01"]) + Decimal(rooms["R03"])
    assert sum(net for net, _ in mine.values()) <= live_t01
    assert all(share is not None and 0 < share <= 1 for _, share in mine.values())
    # … while the county's counts Z03's sessions in R02 too.
    grown = exported_rows(officer, url)
    bigger = [name for name in grown if grown[name][0] > county_wide[name][0]]
    assert len(bigger) == 1 and bigger[0] in mine
    # The row opens the streamer's room in T01 (R03, not R02), which the officer may open.
    html = page(town, "/dashboard?period=year&year=2024")
    link = re.search(r'href="(/rooms/[^"]+)" data-ranking-row="Z03"', html)
    assert link and link.group(1).startswith("/rooms/R03?")
    page(town, link.group(1).replace("&amp;", "&"))


def test_a_year_is_compared_with_last_year_once(signed_in) -> None:
    html = page(signed_in("officer1"), "/dashboard?period=year&year=2024")
    net = card(html, "period", "net_retail")
    assert "同比" in net and "环比" not in net


def test_periods_and_rankings_read_in_english(signed_in) -> None:
    client = signed_in("officer1")
    html = page(client, "/dashboard?lang=en&period=quarter&quarter=2024Q2")
    for text in ("Q2 2024", "Townships ranked", "Products ranked", "vs previous", "Share of"):
        assert text in html, text
    wrong = page(client, "/dashboard?lang=en&period=month&month=June")
    assert "Write the month as year-month" in wrong and "showing the default period" in wrong
    page(client, "/dashboard?lang=zh")
