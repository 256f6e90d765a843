"""The monthly brief: the month's figures on one A4 page (PDF) or a phone-width picture (PNG),
with the monthly report's numbers, in the county's words; only for those who see reports."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from app.reports import monthly_report
from app.reports.brief import monthly_brief
from app.web import brief_image
from app.web.brief_image import PNG_WIDTH
from app.web.formatting import money, signed_percent
from tests.web.county import county_app, signed_in_as

MONTH = "2024-06"


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("brief"))


@pytest.fixture
def signed_in(county: Flask) -> Callable[[str], FlaskClient]:
    return signed_in_as(county)


def test_the_brief_has_the_monthly_reports_figures(county: Flask) -> None:
    with county.app_context():
        brief = monthly_brief(MONTH)
        rows = monthly_report(MONTH).table("townships")
    net = [row for row in rows if row["indicator"] == "网络零售额"]
    agri = [row for row in rows if row["indicator"] == "农产品网络零售额"]
    assert brief.county == "高新区"
    assert brief.kpis.net_retail == net[0]["month"] > 0
    assert brief.kpis.agri_net_retail == agri[0]["month"] > 0
    assert brief.kpis.live_sessions > 0 and brief.kpis.active_rooms > 0
    assert brief.kpis.net_yoy is not None
    # Every township, ranked as the report ranks them (unranked ones, without a target, last
    # by 1–本月累计), with the report's numbers.
    by_rank = sorted(net[1:], key=lambda row: (row["rank"] is None, row["rank"] or 0, -row["ytd"]))
    assert [t.name for t in brief.townships] == [row["name"] for row in by_rank]
    assert [t.ytd for t in brief.townships] == [row["ytd"] for row in by_rank]
    assert sum((t.month for t in brief.townships), Decimal(0)) <= brief.kpis.net_retail
    with_target = [t for t in brief.townships if t.target is not None]
    assert with_target and all(t.status in ("超进度", "略慢", "滞后") for t in with_target)
    # The trend: this year's months up to June (June as the card), then last year's twelve.
    assert [p.month for p in brief.trend] == list(range(1, 13))
    assert brief.trend[5].this_year == brief.kpis.net_retail
    assert all(p.this_year is None for p in brief.trend[6:])
    assert all(p.last_year > 0 for p in brief.trend)


def test_a_running_months_yoy_is_against_the_same_days_last_year(
    county: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fractions import Fraction

    from app import beijing
    from app.metrics.retail import retail

    with county.app_context():
        whole = monthly_brief(MONTH)  # June is over: compared with all of June 2023
        june = retail("2023-06-01", "2023-06-30", "platform").total.net
        monkeypatch.setattr(beijing, "today", lambda: dt.date(2024, 6, 10))
        running = monthly_brief(MONTH)  # on 10 June: compared with 1–10 June 2023
        ten_days = retail("2023-06-01", "2023-06-10", "platform").total.net
        agri_days = retail("2023-06-01", "2023-06-10", "platform", agri=True).total.net
    assert 0 < ten_days < june
    assert whole.kpis.net_yoy == Fraction(whole.kpis.net_retail) / Fraction(june) - 1
    assert running.kpis.net_yoy == Fraction(running.kpis.net_retail) / Fraction(ten_days) - 1
    assert running.kpis.agri_yoy == Fraction(running.kpis.agri_net_retail) / Fraction(agri_days) - 1


def test_pdf_is_one_a4_page_in_the_countys_words(county: Flask, signed_in) -> None:
    response = signed_in("viewer1").get(f"/reports/brief/{MONTH}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    with county.test_request_context():
        brief = monthly_brief(MONTH)
        net = money(brief.kpis.net_retail, "zh")
        growth = signed_percent(brief.kpis.net_yoy, 1, "zh")
    assert "高新区" in text and "2024年6月" in text
    assert net in text, (net, text)
    assert growth in text
    for town in brief.townships:
        assert town.name in text
    assert "超进度" in text or "滞后" in text or "略慢" in text


def test_png_is_a_phone_wide_picture(signed_in) -> None:
    response = signed_in("admin1").get(f"/reports/brief/{MONTH}?format=png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    data = response.data
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == PNG_WIDTH == 1080
    assert height > width  # a long picture to scroll on a phone


def test_the_reports_page_has_the_brief_buttons(signed_in) -> None:
    page = signed_in("officer1").get("/reports?year=2024").get_data(as_text=True)
    assert f'href="/reports/brief/{MONTH}?format=pdf"' in page
    assert f'href="/reports/brief/{MONTH}?format=png"' in page
    assert "简报图片" in page
    # The newest month's brief first, above the table (on a phone the table scrolls sideways).
    assert "2024-12 月度简报" in page and 'href="/reports/brief/2024-12?format=png"' in page


def test_scope_is_the_reports_pages(signed_in) -> None:
    for login in ("town1", "brand1", "streamer1"):
        client = signed_in(login)
        assert client.get("/reports").status_code == 403
        assert client.get(f"/reports/brief/{MONTH}").status_code == 403


def test_bad_month_or_format_is_not_found(signed_in) -> None:
    client = signed_in("viewer1")
    assert client.get("/reports/brief/2024-6").status_code == 404
    assert client.get(f"/reports/brief/{MONTH}?format=gif").status_code == 404
    assert client.get("/reports/brief/2999-01").status_code == 404


def test_without_a_chinese_font_the_page_says_what_to_install(
    signed_in, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(brief_image, "_fontconfig_files", lambda: ())
    monkeypatch.setattr(brief_image, "PREFERRED", ("No Such Family",))
    client = signed_in("viewer1")
    response = client.get(f"/reports/brief/{MONTH}?format=png")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "没有可以显示中文的字体" in page and "fonts-noto-cjk" in page


def test_a_running_months_report_is_to_date_against_the_same_days_last_year(
    county: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 10 June the 月报's 1–本月累计 runs to 10 June, and its 上年同期 to 10 June 2023."""
    from app import beijing
    from app.metrics.retail import retail
    from app.reports.monthly import township_rows

    with county.app_context():
        monkeypatch.setattr(beijing, "today", lambda: dt.date(2024, 6, 10))
        row = township_rows(MONTH)[0]  # 全县 网络零售额
        ytd = retail("2024-01-01", "2024-06-10", "platform").total.net
        last_ytd = retail("2023-01-01", "2023-06-10", "platform").total.net
        whole_june = retail("2024-01-01", "2024-06-30", "platform").total.net
    assert (row["name"], row["indicator"]) == ("全县", "网络零售额")
    assert (row["ytd"], row["last_ytd"]) == (ytd, last_ytd)
    assert ytd < whole_june
