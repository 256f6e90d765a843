"""Issue #10: a closed month stays closed.

The sample county is loaded, 2024-06 is closed, then a newer 抖店 export of shop S02 (顾官屯镇)
arrives in which some June lines were refunded. The 2024-06 report downloaded again is the one
reported at close, cell for cell and byte for byte; the 2024-07 report and the /months page show
the refunds as adjustments to 2024-06, by place name, with a link to the lines behind them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from openpyxl import load_workbook

from app import create_app
from app.auth.accounts import NewUser, create_user
from app.extensions import db
from app.ingest.service import create_import, run_import
from app.models import MonthClose
from app.reports import close_month, write_monthly_report
from tests.support import bearer_client, config_for_tests, empty_all_tables, import_samples

# Shop S02 (顾乡有礼抖音小店, village T02V01 of 顾官屯镇): its 2024 Q2 export.
Q2_EXPORT = "1735720242_600a8c82745f9071391afd6e73e24588.csv"
LATER_EXPORT = "1735900242_600a8c82745f9071391afd6e73e24588.csv"  # exported later
PASSWORD = "sample-county-9"
SHEETS = ["乡镇月报", "直播台账", "品牌溢价", "平台分布"]


@dataclass
class June:
    app: Flask
    at_close: bytes  # the 2024-06 workbook downloaded right after the close
    refunded: Decimal  # net of the June lines the later export refunds
    live_refunded: Decimal  # of which attributed to a live room
    closed_at: dt.datetime


def late_refund_export(samples: Path, folder: Path) -> tuple[Path, Decimal, Decimal]:
    """The Q2 export again, exported later, with four June lines now refunded in full."""
    with (samples / "exports" / Q2_EXPORT).open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source))
    header = rows[0]
    paid, after_sale, status, amount, genre = (
        header.index(name)
        for name in ("支付完成时间", "售后状态", "订单状态", "订单应付金额", "流量体裁")
    )
    june = [r for r in rows[1:] if r[paid].startswith("2024-06") and r[status] == "已完成"]
    live = [r for r in june if r[genre] == "直播"]
    chosen = [r for r in june if r[genre] != "直播"][:3] + live[:1]
    for row in chosen:
        row[after_sale], row[status] = "退款成功", "已关闭"
    path = folder / LATER_EXPORT
    with path.open("w", encoding="utf-8-sig", newline="") as target:
        csv.writer(target, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    total = sum((Decimal(r[amount]) for r in chosen), Decimal(0))
    return path, total, Decimal(live[0][amount])


@pytest.fixture(scope="module")
def june(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[June]:
    folder = tmp_path_factory.mktemp("frozen_month")
    app = create_app(config_for_tests(database_url, folder))
    with app.app_context():
        empty_all_tables()
        import_samples(samples)
        create_user(NewUser(login="admin1", role="admin", password=PASSWORD))
        record = close_month("2024-06", confirm=True)  # 2024-05 is open: confirmed
        buffer = io.BytesIO()
        write_monthly_report("2024-06", buffer)
        path, refunded, live = late_refund_export(samples, folder)
        late = run_import(create_import(path, platform="douyin", shop_code="S02").id)
        assert late.status == "succeeded" and late.updated == 4, (late.status, late.updated)
        june = June(app, buffer.getvalue(), refunded, live, record.closed_at)
        db.session.remove()
    yield june
    with app.app_context():
        db.engine.dispose()


def every_cell(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == SHEETS
    return {name: list(book[name].iter_rows(values_only=True)) for name in SHEETS}


def township_rows(data: bytes) -> dict[tuple[str, str], tuple[Any, ...]]:
    rows = every_cell(data)["乡镇月报"]
    end = next(i for i, row in enumerate(rows) if row[0] and "已结月份调整" in str(row[0]))
    return {(row[0], row[1]): row for row in rows[1:end] if row[1]}


def adjustment_rows(data: bytes) -> list[tuple[Any, ...]]:
    rows = every_cell(data)["乡镇月报"]
    start = next(i for i, row in enumerate(rows) if row[0] and "已结月份调整" in str(row[0]))
    return [row[:6] for row in rows[start + 2 :] if row[0]]


def report(june: June, month: str) -> bytes:
    with june.app.app_context():
        buffer = io.BytesIO()
        write_monthly_report(month, buffer)
        db.session.remove()
    return buffer.getvalue()


def admin_page(june: June, path: str) -> str:
    client = june.app.test_client()
    signed = client.post("/login", data={"login": "admin1", "password": PASSWORD})
    assert signed.status_code == 302
    return client.get(path).get_data(as_text=True)


def test_the_late_refunds_changed_the_live_june_figures(june: June) -> None:
    """The premise: without the close, June's figures would now be lower by the refunds."""
    client = bearer_client(june.app, "officer-live", "officer")
    body = client.get(
        "/api/v1/metrics/retail?from=2024-06-01&to=2024-06-30&by=township&scope=county"
    ).get_json()
    t02 = next(row for row in body["rows"] if row["key"] == "T02")
    at_close = township_rows(june.at_close)
    reported = Decimal(str(at_close[("顾官屯镇", "网络零售额")][3]))
    assert Decimal(t02["net"]) == reported - june.refunded
    assert june.refunded > 0 and june.live_refunded > 0


def test_a_closed_month_downloads_as_reported_at_close(june: June) -> None:
    again = report(june, "2024-06")
    assert every_cell(again) == every_cell(june.at_close)
    assert again == june.at_close  # the same bytes, creation time included
    rows = township_rows(again)
    # 本月完成 and 1–本月累计 of 顾官屯镇 and the county keep the refunded lines, as reported.
    for place in ("全县", "顾官屯镇"):
        row = rows[(place, "网络零售额")]
        assert row[3] > 0 and row[4] > row[3]
    assert every_cell(again)["直播台账"][1:] and every_cell(again)["品牌溢价"][1:]


def test_the_api_and_the_cli_give_the_frozen_report(june: June, tmp_path: Path) -> None:
    client = bearer_client(june.app, "officer-api", "officer")
    response = client.get("/api/v1/reports/monthly/2024-06.xlsx")
    assert response.status_code == 200
    assert response.data == june.at_close
    target = tmp_path / "june.xlsx"
    result = june.app.test_cli_runner().invoke(
        args=["report", "monthly", "2024-06", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert every_cell(target.read_bytes()) == every_cell(june.at_close)


def test_the_next_report_carries_the_refunds_as_adjustments(june: June) -> None:
    july = report(june, "2024-07")
    frozen = township_rows(june.at_close)
    adjustments = {(row[1], row[2]): row for row in adjustment_rows(july)}
    for place in ("全县", "顾官屯镇"):
        month, _place, _label, reported, now, difference = adjustments[(place, "网络零售额")]
        assert month == "2024-06"
        assert Decimal(str(reported)) == Decimal(str(frozen[(place, "网络零售额")][3]))
        assert Decimal(str(difference)).quantize(Decimal("0.01")) == -june.refunded
        assert Decimal(str(now)) == Decimal(str(reported)) - june.refunded
        live = adjustments[(place, "村播带货额")]
        assert Decimal(str(live[5])).quantize(Decimal("0.01")) == -june.live_refunded
    # Only the county and 顾官屯镇 changed; places are named, never written as codes.
    assert {row[1] for row in adjustment_rows(july)} == {"全县", "顾官屯镇"}
    assert not any(str(row[1]).startswith(("county", "township")) for row in adjustment_rows(july))
    # July's own 1–本月累计 is live: June as it is now plus July.
    rows = township_rows(july)
    t02 = rows[("顾官屯镇", "网络零售额")]
    june_ytd = Decimal(str(frozen[("顾官屯镇", "网络零售额")][4]))
    expected = june_ytd - june.refunded + Decimal(str(t02[3]))
    assert Decimal(str(t02[4])).quantize(Decimal("0.01")) == expected


def test_the_months_page_lists_the_adjustments_with_their_lines(june: June) -> None:
    html = admin_page(june, "/months?year=2024")
    table = html[html.index('id="adjustments"') :]
    table = table[: table.index("</table>")]
    assert "顾官屯镇" in table and "township:T02" not in table and "county" not in table
    assert f"-{june.refunded}" in table
    links = [part.split('"', 1)[0] for part in table.split('href="')[1:]]
    t02 = [parse_qs(urlsplit(link.replace("&amp;", "&")).query) for link in links]
    wanted = {
        "from": ["2024-06-01"],
        "to": ["2024-06-30"],
        "township": ["T02"],
        "changed_after": [june.closed_at.replace(tzinfo=dt.UTC).isoformat()],
    }
    assert wanted in t02  # 网络零售额 of 顾官屯镇
    assert {**wanted, "basis": ["room"]} in t02  # 村播带货额
    county = {key: value for key, value in wanted.items() if key != "township"}
    assert county in t02
    assert all(urlsplit(link).path == "/lines" for link in links)


def test_closing_out_of_order_or_too_early_asks_first(june: June) -> None:
    client = bearer_client(june.app, "admin-api", "admin")
    # 2024-07 has sales and is open: closing 2024-08 asks for confirmation.
    refused = client.post("/api/v1/months/2024-08/close")
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "previous_month_open"
    assert "2024-07" in refused.get_json()["message"]
    this_month = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    current = this_month.strftime("%Y-%m")
    unfinished = client.post(f"/api/v1/months/{current}/close")
    assert unfinished.status_code == 409
    assert unfinished.get_json()["code"] == "month_not_finished"
    assert client.post("/api/v1/months/2024-06/close").get_json()["code"] == (
        "month_already_closed"
    )
    with june.app.app_context():
        assert db.session.scalars(db.select(MonthClose.month)).all() == ["2024-06"]
        db.session.remove()
