"""Every workbook Cunbo writes reads as an Excel clerk expects: money `#,##0.00`, shares `0.0%`,
counts `#,##0`, times as real date-times on the Beijing clock, places by name."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook

from app.beijing import to_beijing
from app.metrics.live_sessions import sessions_report
from app.reports import write_monthly_report
from app.reports.monthly import build_report
from app.reports.sheets import cell, report_from_json, report_json
from tests.web.county import PASSWORD, county_app

MONTH = "2024-06"


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("formats"))


def monthly_workbook(county: Flask):
    buffer = io.BytesIO()
    with county.app_context():
        write_monthly_report(MONTH, buffer)
        first = sessions_report(dt.date(2024, 6, 1), dt.date(2024, 6, 30)).sessions[0]
    buffer.seek(0)
    return load_workbook(buffer), first


def test_session_times_are_real_beijing_date_times(county: Flask) -> None:
    book, first = monthly_workbook(county)
    sheet = book["直播台账"]
    headers = [c.value for c in sheet[1]]
    started, ended = sheet.cell(2, headers.index("开始时间") + 1), sheet.cell(2, 5)
    assert isinstance(started.value, dt.datetime) and isinstance(ended.value, dt.datetime)
    assert started.number_format == "yyyy-mm-dd hh:mm"
    assert started.value == to_beijing(first.started_at).replace(tzinfo=None, microsecond=0)
    assert ended.value > started.value
    hours = sheet.cell(2, headers.index("时长(小时)") + 1)
    assert hours.number_format == "#,##0.0" and isinstance(hours.value, float)
    assert sheet.cell(2, headers.index("成交金额") + 1).number_format == "#,##0.00"
    assert sheet.cell(2, headers.index("场观人数") + 1).number_format == "#,##0"
    assert sheet.cell(2, headers.index("看播转化率") + 1).number_format == "0.0%"


def test_the_township_sheet_has_number_formats_and_names(county: Flask) -> None:
    book, _first = monthly_workbook(county)
    sheet = book["乡镇月报"]
    headers = [c.value for c in sheet[1]]
    rows = [[c for c in row] for row in sheet.iter_rows(min_row=2, max_row=5)]
    assert rows[0][0].value == "全县"
    assert {row[0].value for row in rows[1:]} <= {"许营镇", "顾官屯镇", "于集镇", "韩集乡"}
    column = {name: headers.index(name) for name in headers}
    assert rows[0][column["本月完成"]].number_format == "#,##0.00"
    assert rows[0][column["累计同比"]].number_format == "0.0%"
    assert rows[1][column["排名"]].number_format == "#,##0"
    assert "百分点" in rows[1][column["与序时进度差"]].number_format
    # No township code in any text a person reads.
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if re.fullmatch(r"T\d+|township:\w+|county", t)]


def test_a_frozen_report_keeps_its_times(county: Flask) -> None:
    with county.app_context():
        report = build_report(MONTH)
    again = report_from_json(report_json(report))
    assert again.table("sessions") == report.table("sessions")
    assert isinstance(again.table("sessions")[0]["started_at"], dt.datetime)
    # A report frozen when times were stored as aware text reads them back as date-times.
    assert cell("2026-10-01T14:32:00+08:00", "datetime") == dt.datetime(2026, 10, 1, 14, 32)
    assert cell("2026-10-01T06:32:00+00:00", "datetime") == dt.datetime(2026, 10, 1, 14, 32)


def test_line_export_times_and_money_are_typed(county: Flask) -> None:
    client = county.test_client()
    assert client.post("/login", data={"login": "admin1", "password": PASSWORD}).status_code == 302
    response = client.get("/api/v1/lines?format=xlsx&from=2024-06-01&to=2024-06-01")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["订单明细"]
    headers = [c.value for c in sheet[1]]
    paid_at = sheet.cell(2, headers.index("支付时间(北京时间)") + 1)
    assert isinstance(paid_at.value, dt.datetime) and paid_at.value.date() == dt.date(2024, 6, 1)
    assert paid_at.number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.cell(2, headers.index("净额") + 1).number_format == "#,##0.00"
    assert sheet.cell(2, headers.index("数量") + 1).number_format == "#,##0"


def test_products_and_streamers_are_named(county: Flask) -> None:
    book, _first = monthly_workbook(county)
    premiums = list(book["品牌溢价"].iter_rows(values_only=True))
    headers = premiums[0]
    product, code = headers.index("商品"), headers.index("商品编码")
    rows = [row for row in premiums[1:] if row[code]]
    assert rows and all(row[product] and not re.fullmatch(r"P\d+", row[product]) for row in rows)
    assert all(re.fullmatch(r"P\d+", row[code]) for row in rows)
    assert "许营焖子" in [row[product] for row in rows]
    sessions = list(book["直播台账"].iter_rows(values_only=True))
    streamer = sessions[0].index("主播")
    names = {row[streamer] for row in sessions[1:]}
    assert names and not [n for n in names if n and re.fullmatch(r"Z\d+", n)]
