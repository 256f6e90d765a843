"""Month close and the monthly report: frozen figures, late refunds as adjustments, the xlsx."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from app.extensions import db
from app.metrics.rollup_write import rebuild_all, refresh_days
from app.models import Brand, LiveRoom, MonthClose, OrderLine, Product, Streamer, Target, Township
from app.reports import (
    MonthAlreadyClosed,
    close_month,
    month_adjustments,
    month_figures,
    write_monthly_report,
)
from tests.spreadsheets import ATTACKS, cell_values, formula_cells

if TYPE_CHECKING:
    from .conftest import County

D = dt.date
UTC = dt.datetime


@pytest.fixture
def spring(county: County) -> County:
    c = county
    c.add(
        c.line("S01", "a", "100", day=D(2023, 3, 10)),
        c.line("S01", "b", "200", day=D(2024, 3, 10), room="R01"),
        c.line("S02", "c", "80", product="P002", day=D(2024, 3, 11)),
        c.line("S02", "d", "40", product="P003", day=D(2024, 4, 2)),
    )
    c.session(
        "R01", UTC(2024, 3, 10, 12), 2, sales="200", items=2, buyers=1, viewers=100, views=300
    )
    db.session.add(
        Target(
            year=2024,
            scope_type="township",
            scope_code="T01",
            indicator="网络零售额",
            value=Decimal(1000),
        )
    )
    db.session.add(
        Target(
            year=2024,
            scope_type="township",
            scope_code="T02",
            indicator="net_retail",
            value=Decimal(100),
        )
    )
    db.session.commit()
    rebuild_all()
    db.session.commit()
    return c


def test_month_figures(spring: County) -> None:
    figures = month_figures("2024-03")
    assert figures["figures"]["county"]["net_retail"] == "280.00"
    assert figures["figures"]["township:T01"]["live_sales"] == "200.00"
    assert figures["figures"]["township:T02"]["agri_net_retail"] == "80.00"
    assert figures["figures"]["county"]["live_sessions"] == 1
    assert figures["platforms"] == {"douyin": "200.00", "taobao": "80.00"}


def test_close_freezes_and_late_refund_becomes_an_adjustment(spring: County) -> None:
    record = close_month("2024-03")
    assert record.snapshot["figures"]["county"]["net_retail"] == "280.00"
    with pytest.raises(MonthAlreadyClosed):
        close_month("2024-03")
    # A refund arrives in April for a March line: March stays as reported, April shows it.
    db.session.execute(
        update(OrderLine).where(OrderLine.order_id == "c").values(refund_amount=Decimal("30"))
    )
    db.session.commit()
    refresh_days({D(2024, 3, 11)})
    db.session.commit()
    adjustments = month_adjustments("2024-04")
    assert {(row["scope"], row["indicator"]): row["difference"] for row in adjustments} == {
        ("county", "net_retail"): "-30.00",
        ("county", "agri_net_retail"): "-30.00",
        ("county", "brand_sales"): "-30.00",
        ("township:T02", "net_retail"): "-30.00",
        ("township:T02", "agri_net_retail"): "-30.00",
        ("township:T02", "brand_sales"): "-30.00",
    }
    assert adjustments[0]["month"] == "2024-03" and adjustments[0]["reported"] == "280.00"
    assert month_adjustments("2024-03") == []  # a month's own report shows earlier months only
    # Once April is closed the change has been reported; May shows nothing new.
    close_month("2024-04")
    assert month_adjustments("2024-05") == []
    assert db.session.get(MonthClose, record.id).snapshot["figures"]["county"]["net_retail"] == (
        "280.00"
    )


def test_monthly_report_workbook(spring: County) -> None:
    close_month("2024-03")
    db.session.execute(
        update(OrderLine).where(OrderLine.order_id == "c").values(refund_amount=Decimal("30"))
    )
    # Text a clerk typed that looks like a formula must stay text.
    db.session.execute(update(LiveRoom).where(LiveRoom.code == "R01").values(nickname="=1+1"))
    db.session.commit()
    refresh_days({D(2024, 3, 11)})
    db.session.commit()
    buffer = io.BytesIO()
    write_monthly_report("2024-04", buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["乡镇月报", "直播台账", "品牌溢价", "平台分布"]
    sheet = book["乡镇月报"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "乡镇",
        "指标",
        "年度目标",
        "本月完成",
        "1–本月累计",
        "上年同期累计",
        "累计同比",
        "完成率",
        "时间进度",
        "与序时进度差",
        "排名",
    ]
    assert sheet.freeze_panes == "A2"
    rows = {(r[0], r[1]): r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1]}
    county = rows[("全县", "网络零售额")]
    assert county[3] == 40 and county[4] == 290 and county[5] == 100 and county[6] == 1.9
    t1 = rows[("许营镇", "网络零售额")]
    assert t1[2] == 1000 and t1[4] == 200 and t1[7] == 0.2
    assert t1[8] == pytest.approx(121 / 366)  # 30 April is day 121 of 2024
    assert t1[9] == pytest.approx((0.2 - 121 / 366) * 100)
    t2 = rows[("顾官屯镇", "网络零售额")]
    assert (t2[7], t2[10], t1[10]) == (0.9, 1, 2)
    assert sheet.cell(2, 4).number_format == "#,##0.00"
    assert sheet.cell(2, 8).number_format == "0.0%"
    values = [r for r in sheet.iter_rows(values_only=True)]
    adjustment = [r for r in values if r[0] == "2024-03" and r[2] == "网络零售额"]
    assert [r[1:6] for r in adjustment] == [
        ("全县", "网络零售额", 280, 250, -30),
        ("顾官屯镇", "网络零售额", 80, 50, -30),
    ]
    sessions = book["直播台账"]
    assert sessions.cell(1, 1).value == "直播间" and sessions.max_row == 1  # none in April
    platforms = book["平台分布"]
    assert [c.value for c in platforms[1]][:3] == ["平台", "本月零售额", "本月占比"]
    assert [[c.value for c in row] for row in platforms.iter_rows(min_row=2, max_col=4)] == [
        ["抖音", 0, 0, 200],
        ["淘宝/天猫", 40, 1, 90],
    ]
    march = io.BytesIO()
    write_monthly_report("2024-03", march)
    live = load_workbook(io.BytesIO(march.getvalue()))["直播台账"]
    # March is closed: its 直播台账 is the one reported at close, before the room was renamed.
    assert live.cell(2, 2).value == "小姚"
    assert live.cell(2, 7).value == 200


def test_report_writes_user_text_that_looks_like_a_formula_as_text(spring: County) -> None:
    """RELIABILITY #16: names typed into the registry never run in the clerk's spreadsheet."""
    hyperlink, command, arithmetic, at_sum, tab = ATTACKS
    db.session.execute(update(Township).where(Township.code == "T01").values(name=hyperlink))
    db.session.execute(update(LiveRoom).where(LiveRoom.code == "R01").values(nickname=command))
    streamer = update(Streamer).where(Streamer.code == "Z01")
    db.session.execute(streamer.values(code=arithmetic, name=arithmetic))
    db.session.execute(update(Brand).where(Brand.code == "B01").values(name=at_sum))
    db.session.execute(update(Product).where(Product.code == "P002").values(code=tab))
    db.session.commit()
    buffer = io.BytesIO()
    write_monthly_report("2024-03", buffer)
    data = buffer.getvalue()

    assert formula_cells(data) == []
    townships = cell_values(data, "乡镇月报")
    t1 = next(row for row in townships if row[0] == hyperlink and row[1] == "网络零售额")
    assert t1[3] == 200 and isinstance(t1[3], int | float)  # amounts stay numbers
    live = cell_values(data, "直播台账")[1]
    assert live[1] == command and live[2] == arithmetic
    assert live[6] == 200 and isinstance(live[6], int | float)


def _headers(role: str) -> dict[str, str]:
    from app.auth.tokens import issue_token
    from app.models import User

    user = User(login=role, role=role)
    user.set_password("secret-password")
    db.session.add(user)
    db.session.commit()
    return {"Authorization": f"Bearer {issue_token(user, 'tests')[1]}"}


# One user per test: the test's app context is shared with its requests, and flask-login
# keeps the first caller's user in `g` for the rest of it.


def test_admin_closes_a_month_over_the_api(spring: County, client: Any) -> None:
    admin = _headers("admin")
    closed = client.post("/api/v1/months/2024-03/close", headers=admin)
    assert closed.status_code == 201
    assert closed.json["snapshot"]["figures"]["county"]["net_retail"] == "280.00"
    assert client.post("/api/v1/months/2024-03/close", headers=admin).status_code == 409
    assert client.post("/api/v1/months/2024-13/close", headers=admin).status_code == 400


def test_officer_downloads_the_report_but_cannot_close(spring: County, client: Any) -> None:
    officer = _headers("officer")
    assert client.post("/api/v1/months/2024-03/close", headers=officer).status_code == 403
    response = client.get("/api/v1/reports/monthly/2024-03.xlsx", headers=officer)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(response.data)).sheetnames[0] == "乡镇月报"
    assert client.get("/api/v1/reports/monthly/24-3.xlsx", headers=officer).status_code == 400


def test_township_users_get_no_county_report(spring: County, client: Any) -> None:
    township = _headers("township")
    response = client.get("/api/v1/reports/monthly/2024-03.xlsx", headers=township)
    assert response.status_code == 403


def test_close_and_report_from_the_cli(spring: County, runner: Any, tmp_path: Any) -> None:
    result = runner.invoke(args=["month", "close", "2024-03"])
    assert result.exit_code == 0 and "280.00" in result.output
    again = runner.invoke(args=["month", "close", "2024-03"])
    assert again.exit_code == 2 and "已月结" in again.output
    target = tmp_path / "report.xlsx"
    written = runner.invoke(args=["report", "monthly", "2024-03", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert load_workbook(target)["乡镇月报"].cell(1, 1).value == "乡镇"


def _this_month() -> str:
    from app.beijing import today

    return today().strftime("%Y-%m")


def test_closing_needs_confirmation_when_early_or_out_of_order(spring: County) -> None:
    from app.reports import MonthNotFinished, MonthNotStarted, PreviousMonthOpen, close_warnings

    # March has sales and is open: April waits for it unless confirmed.
    with pytest.raises(PreviousMonthOpen) as out_of_order:
        close_month("2024-04")
    assert out_of_order.value.code == "previous_month_open" and "2024-03" in str(out_of_order.value)
    assert close_warnings("2024-03") == []  # February has nothing to close
    with pytest.raises(MonthNotFinished) as early:
        close_month("2024-05", today=D(2024, 5, 31))  # the last day is not over yet
    assert early.value.code == "month_not_finished"
    with pytest.raises(MonthNotStarted):
        close_month("2024-06", today=D(2024, 5, 31), confirm=True)
    assert db.session.scalars(db.select(MonthClose.month)).all() == []
    close_month("2024-04", confirm=True)
    close_month("2024-03")
    assert db.session.scalars(db.select(MonthClose.month).order_by(MonthClose.month)).all() == [
        "2024-03",
        "2024-04",
    ]


def test_api_close_answers_409_with_a_code_unless_confirmed(spring: County, client: Any) -> None:
    admin = _headers("admin")
    refused = client.post("/api/v1/months/2024-04/close", headers=admin)
    assert refused.status_code == 409 and refused.json["code"] == "previous_month_open"
    early = client.post(f"/api/v1/months/{_this_month()}/close", headers=admin)
    assert early.status_code == 409 and early.json["code"] == "month_not_finished"
    assert "还没有结束" in early.json["message"]
    closed = client.post("/api/v1/months/2024-04/close?confirm=true", headers=admin)
    assert closed.status_code == 201 and closed.json["month"] == "2024-04"
    again = client.post("/api/v1/months/2024-04/close?confirm=true", headers=admin)
    assert again.status_code == 409 and again.json["code"] == "month_already_closed"
    future = client.post("/api/v1/months/2099-01/close?confirm=true", headers=admin)
    assert future.status_code == 422 and future.json["code"] == "month_not_started"
    assert future.json["status"] == "Unprocessable Entity"


def test_cli_close_refuses_without_yes_and_says_why(spring: County, runner: Any) -> None:
    refused = runner.invoke(args=["month", "close", "2024-04"])
    assert refused.exit_code == 1
    assert "2024-03" in refused.output and "--yes" in refused.output
    assert "previous_month_open" in refused.output
    early = runner.invoke(args=["month", "close", _this_month()])
    assert early.exit_code == 1 and "month_not_finished" in early.output
    assert db.session.scalars(db.select(MonthClose.month)).all() == []
    closed = runner.invoke(args=["month", "close", "2024-04", "--yes"])
    assert closed.exit_code == 0, closed.output
    forced = runner.invoke(args=["month", "close", "2024-05", "--force"])
    assert forced.exit_code == 0, forced.output


def test_a_close_made_before_reports_were_frozen_keeps_its_month_figures(spring: County) -> None:
    """Closes stored only the month's figures: 本月完成 stays as closed, the rest is live."""
    record = close_month("2024-03")
    old = dict(record.snapshot)
    del old["report"]
    record.snapshot = old
    db.session.commit()
    db.session.execute(
        update(OrderLine).where(OrderLine.order_id == "c").values(refund_amount=Decimal("30"))
    )
    db.session.commit()
    refresh_days({D(2024, 3, 11)})
    db.session.commit()
    buffer = io.BytesIO()
    write_monthly_report("2024-03", buffer)
    rows = {(r[0], r[1]): r for r in cell_values(buffer.getvalue(), "乡镇月报")[1:] if r[1]}
    county = rows[("全县", "网络零售额")]
    assert county[3] == 280 and county[4] == 250  # month as closed; year to date as now
