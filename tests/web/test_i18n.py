"""Chinese by default, English on request; numbers in 万/亿 and times in Beijing time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User
from app.web.formatting import amount, beijing_time_text, full_number, percent, short_number


def test_lang_query_switches_to_english_and_sticks(client: FlaskClient) -> None:
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in page and "Password" in page
    assert '<html lang="en">' in page
    assert "登录名" not in page
    again = client.get("/login").get_data(as_text=True)  # remembered in the session
    assert "Sign in" in again
    back = client.get("/login?lang=zh").get_data(as_text=True)
    assert "登录名" in back


def test_language_switch_link_returns_to_the_page(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/lang/en?next=/login"' in page
    response = client.get("/lang/en?next=/login")
    assert response.headers["Location"] == "/login"
    assert "Wrong login or password" in client.post(
        "/login", data={"login": "x", "password": "y"}
    ).get_data(as_text=True)
    assert client.get("/lang/fr").status_code == 404
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"


def test_choice_is_saved_on_the_user(app: Flask, as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("officer")
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "County dashboard" in page and "Sign out" in page
    with app.app_context():
        assert db.session.scalars(db.select(User)).one().locale == "en"
    client.post("/logout")
    client.get("/lang/zh")  # another browser's session choice is Chinese …
    with client.session_transaction() as session:
        session.pop("lang")
    client.post("/login", data={"login": "officer1", "password": "correct-horse-9"})
    assert "County dashboard" in client.get("/dashboard").get_data(as_text=True)  # … user wins


def test_session_form_messages_in_english(as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("streamer", streamer="S01")
    text = client.post("/sessions/new?lang=en", data={"room": "R01"}).get_data(as_text=True)
    assert "Please fill in Start." in text
    assert "Unique viewers" in text


def test_short_numbers_read_the_chinese_way(app: Flask) -> None:
    with app.test_request_context():
        assert short_number(Decimal("1590000000")) == "15.9亿"
        assert short_number(29_110_000) == "2,911万"
        assert short_number(8000) == "8,000"
        assert short_number(Decimal("12345.6")) == "1.23万"
        assert short_number(-25_000) == "-2.5万"
        assert short_number(None) == "—"
        assert short_number("n/a") == "—"
        assert short_number(1_590_000_000, language="en") == "1.59B"
        assert full_number(Decimal("1590000000")) == "1,590,000,000.00"
        assert str(amount(Decimal("29110000.5"))) == (
            '<span class="num" title="29,110,000.50">2,911.00万</span>'
        )
        assert percent(0.435) == "43.5%"
        assert percent(Decimal("-0.0125")) == "-1.3%"
        assert percent(None) == "—"


def test_times_are_shown_in_beijing_time(app: Flask) -> None:
    with app.test_request_context():
        assert beijing_time_text(dt.datetime(2024, 5, 1, 16, 30)) == "2024-05-02 00:30"
        aware = dt.datetime(2024, 5, 1, 16, 30, tzinfo=dt.UTC)
        assert beijing_time_text(aware, "%H:%M") == "00:30"
        assert beijing_time_text(None) == "—"
