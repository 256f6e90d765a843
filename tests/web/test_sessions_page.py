"""The sessions list reads its period from the picker (month, quarter, year, custom) and shows
each count with 同比 and 环比; a bare `?from=…&to=…`, as the dashboards link, is a custom range."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.metrics.live import SessionCounts, session_counts
from app.metrics.periods import Period
from app.metrics.scope import parse_scope
from app.models import LiveRoom, LiveSession
from app.web.figures import change
from app.web.formatting import signed_percent
from tests.web.county import county_app, signed_in_as


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("sessions-page"))


@pytest.fixture
def officer(county: Flask) -> FlaskClient:
    sign_in: Callable[[str], FlaskClient] = signed_in_as(county)
    return sign_in("officer1")


def counts_of(app: Flask, start: str, end: str, scope: str) -> SessionCounts:
    with app.app_context():
        days = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        return session_counts(days, parse_scope(scope))


def shown(text: str, key: str) -> tuple[Decimal, list[str]]:
    """The count of a card in full (its hover title where it has one) and its change badges."""
    card = re.search(rf'data-kpi="{key}">(.*?)</div>', text, re.S)
    assert card, key
    inner = card.group(1)
    value = re.search(r'<span class="value[^"]*">(.*?)</span></', inner, re.S)
    assert value, key
    title = re.search(r'title="([^"]+)"', value.group(1))
    figure = title.group(1) if title else re.sub(r"<[^>]+>", "", value.group(1))
    badges = re.findall(r'<span class="change [^"]*" title="[^"]*">([^<]*)</span>', inner)
    return Decimal(figure.replace(",", "")), [" ".join(badge.split()) for badge in badges]


def room_sessions(app: Flask, start: str, end: str, code: str) -> int:
    with app.app_context():
        begin, stop = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end)).utc_bounds()
        room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == code))
        assert room is not None
        stmt = db.select(db.func.count(LiveSession.id)).where(
            LiveSession.room_id == room.id,
            LiveSession.started_at >= begin,
            LiveSession.started_at < stop,
        )
        return int(db.session.scalar(stmt) or 0)


def test_a_quarter_shows_its_sessions_with_year_on_year_and_previous(
    county: Flask, officer: FlaskClient
) -> None:
    response = officer.get("/sessions?period=quarter&quarter=2024Q2&scope=room:R01")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    now = counts_of(county, "2024-04-01", "2024-06-30", "room:R01")
    year_ago = counts_of(county, "2023-04-01", "2023-06-30", "room:R01")
    before = counts_of(county, "2024-01-01", "2024-03-31", "room:R01")
    assert now.sessions > 0 and year_ago.sessions > 0, "the samples have both quarters"
    assert now.sessions == room_sessions(county, "2024-04-01", "2024-06-30", "R01")
    for key, value, last, previous in [
        ("live_sessions", now.sessions, year_ago.sessions, before.sessions),
        ("live_hours", now.hours, year_ago.hours, before.hours),
        ("active_rooms", now.active_rooms, year_ago.active_rooms, before.active_rooms),
    ]:
        figure, badges = shown(text, key)
        assert figure == Decimal(value), key
        assert len(badges) == 2 and badges[0].startswith("同比") and badges[1].startswith("环比")
        assert badges[0] == f"同比 {signed_percent(change(value, last))}", key
        assert badges[1] == f"环比 {signed_percent(change(value, previous))}", key
    # One row per session of the quarter, with the picker on the quarter and the scope kept.
    table = text.split("场次</h2>", 1)[1]
    assert table.count("<tr>") - 1 == now.sessions  # the heading row and one per session
    assert '<option value="quarter" selected>' in text
    assert '<option value="2024Q2" selected>' in text
    assert '<input type="hidden" name="scope" value="room:R01">' in text
    assert "2024年第2季度" in text
    assert "2023-04-01 至 2023-06-30" in text  # 同比 against Q2 2023
    assert "2024-01-01 至 2024-03-31" in text  # 环比 against Q1


def test_a_bare_from_to_is_still_a_custom_range(county: Flask, officer: FlaskClient) -> None:
    response = officer.get("/sessions?from=2024-06-01&to=2024-06-30")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    now = counts_of(county, "2024-06-01", "2024-06-30", "county")
    assert shown(text, "live_sessions")[0] == now.sessions
    assert shown(text, "live_hours")[0] == now.hours
    assert shown(text, "active_rooms")[0] == now.active_rooms
    assert '<option value="custom" selected>' in text
    assert 'value="2024-06-01"' in text and 'value="2024-06-30"' in text
    assert "data-period-error" not in text
    # A custom range of a whole month is compared with the month before.
    assert "2024-05-01 至 2024-05-31" in text


def test_an_unreadable_period_says_so_and_shows_the_default(officer: FlaskClient) -> None:
    response = officer.get("/sessions?period=quarter&quarter=2024Q9&scope=room:R01")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "data-period-error" in text and "2024Q9" in text
