"""The targets board and the monthly reports list take the period picker, over the sample
county (sales from January 2023 to December 2024; today is later).

Besides the sample's five yearly 2024 targets, the board here has monthly ones: the county's
April 2024 网络零售额, 许营镇 (T01)'s June 2024 网络零售额, the county's January 2024 直播场次 and
December 2024 直播时长, and 顾乡镇 (T02)'s December 2023 网络零售额 (no data a year before it).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.metrics.indicators import indicator_value
from app.metrics.periods import Period
from app.metrics.scope import COUNTY, parse_scope
from app.models import MonthClose, Target
from tests.web.county import county_app, signed_in_as

D = dt.date
YEARLY = [
    "county|net_retail|2024-year",
    "township:T01|net_retail|2024-year",
    "township:T02|net_retail|2024-year",
    "township:T01|agri_net_retail|2024-year",
    "county|live_sessions|2024-year",
]
MONTHLY = {
    "2024-04": (2024, 4, "county", "高新区", "net_retail", "20000"),
    "2024-06": (2024, 6, "township", "T01", "net_retail", "8000"),
    "2024-01": (2024, 1, "county", "高新区", "live_sessions", "60"),
    "2024-12": (2024, 12, "county", "高新区", "live_hours", "100"),
    "2023-12": (2023, 12, "township", "T02", "net_retail", "9000"),
}
KEYS = {
    "2024-04": "county|net_retail|2024-4",
    "2024-06": "township:T01|net_retail|2024-6",
    "2024-01": "county|live_sessions|2024-1",
    "2024-12": "county|live_hours|2024-12",
    "2023-12": "township:T02|net_retail|2023-12",
}


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    for app in county_app(database_url, samples, tmp_path_factory.mktemp("target-periods")):
        with app.app_context():
            db.session.add_all(
                Target(
                    year=year,
                    month=month,
                    scope_type=kind,
                    scope_code=code,
                    indicator=indicator,
                    value=Decimal(value),
                )
                for year, month, kind, code, indicator, value in MONTHLY.values()
            )
            db.session.commit()
        yield app


@pytest.fixture
def signed_in(county: Flask) -> Callable[[str], FlaskClient]:
    return signed_in_as(county)


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def board_rows(html: str) -> dict[str, str]:
    """Each row of the board by scope|indicator|year-month, its HTML."""
    return dict(re.findall(r'<tr data-target="([^"]+)">(.*?)</tr>', html, re.S))


def cell(row: str, name: str) -> str:
    found = re.search(rf"<td class=\"num\" {name}>(.*?)</td>", row, re.S)
    assert found, name
    return found.group(1)


def value_in(row: str, name: str) -> Decimal | None:
    """The figure a cell links (its exact value), None for a dash."""
    found = re.search(r'data-value="([^"]+)"', cell(row, name))
    return Decimal(found.group(1)) if found else None


def as_of_shown(html: str) -> str:
    found = re.search(r'id="as_of" name="as_of" type="date" value="([^"]+)"', html)
    assert found
    return found.group(1)


def net(county: Flask, start: dt.date, end: dt.date, scope: str = "county") -> Decimal:
    with county.app_context():
        where = COUNTY if scope == "county" else parse_scope(scope)
        return Decimal(indicator_value("net_retail", where, Period(start, end)).value)


# -- the targets board ----------------------------------------------------------------------


def test_a_month_shows_its_monthly_targets_and_the_years_measured_to_its_end(
    signed_in, county
) -> None:
    html = page(signed_in("officer1"), "/targets?period=month&month=2024-04")
    rows = board_rows(html)
    assert sorted(rows) == sorted([*YEARLY, KEYS["2024-04"]])
    assert as_of_shown(html) == "2024-04-30"
    april = rows[KEYS["2024-04"]]
    assert value_in(april, "data-actual") == net(county, D(2024, 4, 1), D(2024, 4, 30))
    assert value_in(april, "data-last-year") == net(county, D(2023, 4, 1), D(2023, 4, 30))
    # The yearly target counts from 1 January to the month's end.
    year = rows["county|net_retail|2024-year"]
    assert value_in(year, "data-actual") == net(county, D(2024, 1, 1), D(2024, 4, 30))
    last = net(county, D(2023, 1, 1), D(2023, 4, 30))
    assert value_in(year, "data-last-year") == last
    now = net(county, D(2024, 1, 1), D(2024, 4, 30))
    shown = f"{(now - last) / last * 100:+.1f}%".replace("-", "−")
    assert shown in cell(year, "data-yoy")


def test_a_quarter_shows_each_of_its_months_targets(signed_in) -> None:
    html = page(signed_in("officer1"), "/targets?period=quarter&quarter=2024Q2")
    assert sorted(board_rows(html)) == sorted([*YEARLY, KEYS["2024-04"], KEYS["2024-06"]])
    assert as_of_shown(html) == "2024-06-30"
    assert "2024年第2季度" in html


def test_a_year_shows_all_its_targets(signed_in) -> None:
    html = page(signed_in("officer1"), "/targets?period=year&year=2024")
    expected = [*YEARLY, *(KEYS[m] for m in ("2024-04", "2024-06", "2024-01", "2024-12"))]
    assert sorted(board_rows(html)) == sorted(expected)
    assert as_of_shown(html) == "2024-12-31"


def test_a_custom_range_shows_the_targets_it_overlaps_across_the_new_year(
    signed_in, county
) -> None:
    html = page(signed_in("officer1"), "/targets?period=custom&from=2023-12-15&to=2024-01-10")
    rows = board_rows(html)
    assert sorted(rows) == sorted([*YEARLY, KEYS["2023-12"], KEYS["2024-01"]])
    assert as_of_shown(html) == "2024-01-10"
    december = rows[KEYS["2023-12"]]
    # The whole of December 2023, which ended before the range's last day.
    assert value_in(december, "data-actual") == net(
        county, D(2023, 12, 1), D(2023, 12, 31), "township:T02"
    )
    assert "2023年 12月" in december and "2024年 全年" in rows["county|net_retail|2024-year"]
    # No data a year before December 2023: nothing to compare with.
    assert "上年同期无数据" in cell(december, "data-last-year")
    assert "—" in cell(december, "data-yoy") and value_in(december, "data-last-year") is None


def test_the_default_is_the_latest_month_with_data_and_the_year_to_it(signed_in) -> None:
    html = page(signed_in("officer1"), "/targets")
    assert sorted(board_rows(html)) == sorted([*YEARLY, KEYS["2024-12"]])
    assert as_of_shown(html) == "2024-12-31"
    hours = board_rows(html)[KEYS["2024-12"]]
    assert re.search(r'data-sessions="live_hours" data-value="[0-9.]+">[0-9,]+\.[0-9]<', hours)


def test_an_old_year_link_still_opens_that_year(signed_in) -> None:
    client = signed_in("officer1")
    old = page(client, "/targets?year=2024")
    assert (
        board_rows(old).keys() == board_rows(page(client, "/targets?period=year&year=2024")).keys()
    )
    assert '<option value="year" selected>' in old
    measured = page(client, "/targets?year=2024&as_of=2024-03-31")
    assert as_of_shown(measured) == "2024-03-31"
    # Only a day, as older links had it: that day's year, measured to it.
    bare = page(client, "/targets?as_of=2024-03-31")
    assert as_of_shown(bare) == "2024-03-31"
    assert board_rows(bare).keys() == board_rows(old).keys()


def test_as_of_is_a_day_of_the_period_or_ignored(signed_in, county) -> None:
    client = signed_in("officer1")
    inside = page(client, "/targets?period=quarter&quarter=2024Q2&as_of=2024-05-15")
    assert as_of_shown(inside) == "2024-05-15"
    april = board_rows(inside)[KEYS["2024-04"]]
    assert value_in(april, "data-actual") == net(county, D(2024, 4, 1), D(2024, 4, 30))
    june = board_rows(inside)[KEYS["2024-06"]]  # not begun on 15 May
    assert "0.00" in cell(june, "data-actual") and "目标期尚未开始" in cell(june, "data-yoy")
    outside = page(client, "/targets?period=quarter&quarter=2024Q2&as_of=2024-08-01")
    assert as_of_shown(outside) == "2024-06-30"


def test_as_of_after_today_is_ignored(signed_in, monkeypatch: pytest.MonkeyPatch) -> None:
    """Days that have not come yet count neither for 时间进度 nor in last year's window."""
    from app.web import periods

    monkeypatch.setattr(periods, "today", lambda: D(2024, 5, 20))
    client = signed_in("officer1")
    ahead = page(client, "/targets?period=quarter&quarter=2024Q2&as_of=2024-06-10")
    assert as_of_shown(ahead) == "2024-05-20"
    assert 'max="2024-05-20"' in ahead


def test_links_and_the_export_keep_the_period(signed_in) -> None:
    client = signed_in("officer1")
    html = page(client, "/targets?period=quarter&quarter=2024Q2&as_of=2024-05-15")
    assert "/townships/T01?period=quarter&amp;quarter=2024Q2" in html
    form = html.split('id="as-of-form"')[1].split("</form>")[0]
    assert 'name="period" value="quarter"' in form and 'name="quarter" value="2024Q2"' in form
    export = re.search(r'href="([^"]+)" data-export="targets"', html)
    assert export
    url = export.group(1).replace("&amp;", "&")
    assert "period=quarter" in url and "quarter=2024Q2" in url and "as_of=2024-05-15" in url
    response = client.get(url)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert "2024年第2季度" in sheet["A1"].value and "2024-05-15" in sheet["A1"].value
    heads = [c.value for c in sheet[3]]
    rows = [dict(zip(heads, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=4)]
    assert len(rows) == len(board_rows(html))
    periods = sorted(str(row["期间"]) for row in rows)
    assert periods == sorted(["全年"] * 5 + ["4月", "6月"])
    april = next(r for r in rows if r["期间"] == "4月")
    board_april = board_rows(html)[KEYS["2024-04"]]
    assert Decimal(str(april["完成"])) == value_in(board_april, "data-actual")
    assert Decimal(str(april["上年同期"])).quantize(Decimal("0.01")) == value_in(
        board_april, "data-last-year"
    )
    assert isinstance(april["同比"], float)


def test_a_township_officer_sees_only_its_targets_for_the_period(signed_in) -> None:
    html = page(signed_in("town1"), "/targets?period=quarter&quarter=2024Q2")
    assert sorted(board_rows(html)) == sorted(
        [
            "township:T01|net_retail|2024-year",
            "township:T01|agri_net_retail|2024-year",
            KEYS["2024-06"],
        ]
    )


def test_a_period_without_targets_says_so(signed_in) -> None:
    html = page(signed_in("officer1"), "/targets?period=month&month=2023-06")
    assert board_rows(html) == {} and "本时段没有目标" in html


# -- the monthly reports list ---------------------------------------------------------------


def months_listed(html: str) -> list[str]:
    return re.findall(r'<tr data-month="([^"]+)">', html)


def test_reports_for_a_month_a_quarter_and_a_year(signed_in) -> None:
    client = signed_in("officer1")
    month = page(client, "/reports?period=month&month=2024-06")
    assert months_listed(month) == ["2024-06"]
    assert "/api/v1/reports/monthly/2024-06.xlsx" in month
    assert "/reports/brief/2024-06?format=png" in month
    quarter = page(client, "/reports?period=quarter&quarter=2024Q2")
    assert months_listed(quarter) == ["2024-06", "2024-05", "2024-04"]
    assert '<option value="2024Q2" selected>' in quarter
    year = page(client, "/reports?period=year&year=2023")
    assert months_listed(year) == [f"2023-{m:02d}" for m in range(12, 0, -1)]


def test_reports_for_a_custom_range_list_the_whole_months_it_touches(signed_in, county) -> None:
    html = page(signed_in("officer1"), "/reports?period=custom&from=2023-11-20&to=2024-02-03")
    assert months_listed(html) == ["2024-02", "2024-01", "2023-12", "2023-11"]
    row = html.split('<tr data-month="2024-02">')[1].split("</tr>")[0]
    whole = net(county, D(2024, 2, 1), D(2024, 2, 29))
    assert f"{whole:,.2f}" in row  # the whole of February, not to the 3rd


def test_reports_default_and_old_year_links_list_a_year(signed_in) -> None:
    client = signed_in("officer1")
    default = page(client, "/reports")
    assert months_listed(default) == [f"2024-{m:02d}" for m in range(12, 0, -1)]
    old = page(client, "/reports?year=2023")
    assert months_listed(old) == [f"2023-{m:02d}" for m in range(12, 0, -1)]
    assert '<option value="year" selected>' in old


def test_a_quarters_reports_keep_their_close(signed_in, county) -> None:
    admin = signed_in("admin1")
    assert admin.post("/months/2024-05/close", data={"confirm": "1"}).status_code == 302
    html = page(signed_in("officer1"), "/reports?period=quarter&quarter=2024Q2")
    rows = dict(re.findall(r'<tr data-month="([^"]+)">(.*?)</tr>', html, re.S))
    assert "已月结" in rows["2024-05"] and "未月结" in rows["2024-04"]
    with county.app_context():
        db.session.query(MonthClose).delete()
        db.session.commit()


def test_a_reports_period_that_cannot_be_read_says_so_and_shows_the_year(signed_in) -> None:
    html = page(signed_in("officer1"), "/reports?period=month&month=2024-13")
    assert "月份应写作 年-月" in html
    assert months_listed(html) == [f"2024-{m:02d}" for m in range(12, 0, -1)]


def test_the_board_and_reports_read_in_english(signed_in) -> None:
    client = signed_in("officer1")
    html = page(client, "/targets?lang=en&period=custom&from=2023-12-15&to=2024-01-10")
    for text in ("Same days last year", "No data for the same days last year", "Dec 2023"):
        assert text in html, text
    empty = page(client, "/targets?period=month&month=2023-06")
    assert "No targets in this period" in empty
    reports = page(client, "/reports?period=quarter&quarter=2024Q2")
    assert "Q2 2024" in reports and "each row is the whole month" in reports
    page(client, "/targets?lang=zh")
