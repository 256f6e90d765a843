"""Targets board, monthly reports and month close: who sees what, and what closing does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.beijing import today
from app.extensions import db
from app.models import MonthClose, Target


def _targets(app: Flask) -> None:
    year = today().year
    with app.app_context():
        db.session.add_all(
            [
                Target(
                    year=year,
                    scope_type="township",
                    scope_code=code,
                    indicator="net_retail",
                    value=Decimal(value),
                )
                for code, value in (("T01", "100000"), ("T02", "50000"))
            ]
            + [
                Target(
                    year=year,
                    month=1,
                    scope_type="room",
                    scope_code="R01",
                    indicator="live_sessions",
                    value=Decimal(20),
                )
            ]
        )
        db.session.commit()


def test_board_shows_targets_in_scope_only(app: Flask, as_user: Callable[..., FlaskClient]) -> None:
    _targets(app)
    year = f"?period=year&year={today().year}"
    client = as_user("township", townships=["T01"])
    html = client.get(f"/targets{year}").get_data(as_text=True)
    assert "许营镇" in html and "顾乡镇" not in html
    assert "东村直播" in html and "1月" in html  # the room lies in T01; a January target
    client.post("/logout")
    both = as_user("viewer").get(f"/targets{year}").get_data(as_text=True)
    assert "许营镇" in both and "顾乡镇" in both


def test_board_opens_on_this_month_with_the_years_targets(
    app: Flask, as_user: Callable[..., FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.web import periods

    _targets(app)
    year = today().year
    client = as_user("officer")
    monkeypatch.setattr(periods, "today", lambda: dt.date(year, 1, 20))
    january = client.get("/targets").get_data(as_text=True)
    assert "东村直播" in january and "许营镇" in january  # January's target and the year's
    assert f'value="{year}-01-20"' in january  # measured to today
    monkeypatch.setattr(periods, "today", lambda: dt.date(year, 2, 10))
    february = client.get("/targets").get_data(as_text=True)
    assert "东村直播" not in february and "许营镇" in february
    assert f'value="{year}-02-10"' in february


def test_board_measures_up_to_the_day_asked(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    _targets(app)
    year = today().year
    client = as_user("officer")
    html = client.get(f"/targets?year={year}&as_of={year}-01-31").get_data(as_text=True)
    assert f'value="{year}-01-31"' in html
    other_year = client.get("/targets?as_of=1999-01-01").get_data(as_text=True)
    assert 'value="1999-01-01"' not in other_year  # a day outside the year is ignored


def test_board_without_targets_says_how_to_set_them(as_user: Callable[..., FlaskClient]) -> None:
    assert "还没有目标" in as_user("officer").get("/targets").get_data(as_text=True)


def test_reports_list_months_with_their_workbook(as_user: Callable[..., FlaskClient]) -> None:
    html = as_user("viewer").get("/reports").get_data(as_text=True)
    first = f"{today().year}-01"
    assert f"/api/v1/reports/monthly/{first}.xlsx" in html and "未月结" in html


def test_reports_list_one_month_when_asked(as_user: Callable[..., FlaskClient]) -> None:
    month = f"{today().year}-01"
    html = as_user("viewer").get(f"/reports?period=month&month={month}").get_data(as_text=True)
    assert f"/api/v1/reports/monthly/{month}.xlsx" in html
    assert html.count("/api/v1/reports/monthly/") == 1
    assert f'<input type="month" id="period-month" name="month" value="{month}"' in html


def test_administrator_closes_a_month_once(app: Flask, as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("admin")
    month = f"{today().year - 1}-01"  # a month that has ended, whatever today is
    assert "月结" in client.get("/months").get_data(as_text=True)
    response = client.post(f"/months/{month}/close", follow_redirects=True)
    assert f"{month} 已月结。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(MonthClose.month)).all() == [month]
    again = client.post(f"/months/{month}/close", follow_redirects=True)
    assert "不能重复月结" in again.get_data(as_text=True)
    assert "已月结" in client.get("/reports").get_data(as_text=True)


def test_closing_the_current_month_asks_first_and_says_why(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("admin")
    month = today().strftime("%Y-%m")
    asked = client.post(f"/months/{month}/close")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and f"确认月结 {month}" in html
    assert 'data-code="month_not_finished"' in html and "还没有结束" in html
    assert 'name="confirm" value="1"' in html
    with app.app_context():
        assert db.session.scalars(db.select(MonthClose.month)).all() == []
    confirmed = client.post(f"/months/{month}/close", data={"confirm": "1"}, follow_redirects=True)
    assert f"{month} 已月结。" in confirmed.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(MonthClose.month)).all() == [month]


def test_officers_download_reports_but_do_not_close_months(
    as_user: Callable[..., FlaskClient],
) -> None:
    client = as_user("officer")
    assert client.get("/reports").status_code == 200
    assert client.get("/months").status_code == 403
    month = dt.date.today().strftime("%Y-%m")
    assert client.post(f"/months/{month}/close").status_code == 403


def test_dashboard_lists_townships_with_a_target_before_any_sale(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    _targets(app)
    html = as_user("officer").get("/dashboard").get_data(as_text=True)
    table = html.split("<h2>乡镇</h2>")[1].split("</table>")[0]
    assert "许营镇" in table and "顾乡镇" in table and "progress status-" in table
