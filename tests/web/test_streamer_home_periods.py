"""The streamer's home reads its period from the picker (month, quarter, year, custom; the
month of the latest data by default): the period's sessions and 成交金额 (typed and order-based)
with 同比 and 环比, and each room's last session against its average over the period."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.metrics.periods import Period
from app.models import LiveRoom, LiveSession, OrderLine
from app.web.figures import change
from app.web.formatting import signed_percent
from tests.web.county import county_app, signed_in_as


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("streamer-home"))


@pytest.fixture
def streamer(county: Flask) -> FlaskClient:
    sign_in: Callable[[str], FlaskClient] = signed_in_as(county)
    return sign_in("streamer1")  # room R01


def figures_of(app: Flask, start: str, end: str) -> dict[str, Decimal | None]:
    """Sessions, typed 成交金额 and attributed order 成交金额 of room R01 on those Beijing days."""
    begin, stop = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end)).utc_bounds()
    with app.app_context():
        room = db.session.scalar(select(LiveRoom.id).where(LiveRoom.code == "R01"))
        within = select(LiveSession.id).where(
            LiveSession.room_id == room,
            LiveSession.started_at >= begin,
            LiveSession.started_at < stop,
        )
        count, typed = db.session.execute(
            select(func.count(LiveSession.id), func.sum(LiveSession.sales)).where(
                LiveSession.id.in_(within)
            )
        ).one()
        orders = db.session.scalar(
            select(func.sum(OrderLine.paid_amount)).where(
                OrderLine.session_id.in_(within), OrderLine.pay_day.is_not(None)
            )
        )
        db.session.remove()
    return {"sessions": Decimal(count), "sales": typed, "order_sales": orders}


def card(text: str, key: str) -> tuple[Decimal | None, list[str]]:
    """A total card's figure in full (its hover title where it has one) and its badges."""
    found = re.search(rf'data-kpi="{key}">(.*?)</div>', text, re.S)
    assert found, key
    inner = found.group(1)
    value = re.search(r'<span class="value">(.*?)</span>\s*<span class="changes">', inner, re.S)
    assert value, key
    title = re.search(r'title="([^"]+)"', value.group(1))
    shown = title.group(1) if title else re.sub(r"<[^>]+>", "", value.group(1)).strip()
    badges = re.findall(r'<span class="change [^"]*" title="[^"]*">([^<]*)</span>', inner)
    figure = None if shown == "—" else Decimal(shown.replace(",", ""))
    return figure, [" ".join(badge.split()) for badge in badges]


def badge(label: str, now: Decimal | None, before: Decimal | None) -> str:
    return f"{label} {signed_percent(change(now, before))}"


def test_a_quarter_shows_its_totals_with_year_on_year_and_previous(
    county: Flask, streamer: FlaskClient
) -> None:
    response = streamer.get("/me?period=quarter&quarter=2024Q2")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    now = figures_of(county, "2024-04-01", "2024-06-30")
    year_ago = figures_of(county, "2023-04-01", "2023-06-30")
    before = figures_of(county, "2024-01-01", "2024-03-31")
    assert now["sessions"] and year_ago["sessions"] and now["order_sales"], "samples have them"
    for key in ("sessions", "sales", "order_sales"):
        value, badges = card(text, key)
        assert value == now[key], key
        assert badges == [
            badge("同比", now[key], year_ago[key]),
            badge("环比", now[key], before[key]),
        ], key
    assert '<option value="2024Q2" selected>' in text
    # The room's average is over the quarter's sessions, the last one the quarter's last.
    assert f"与本直播间2024年第2季度 {now['sessions']} 场的平均相比" in text
    assert "上一场 2024-06-" in text
    # The room's page opens on the same quarter.
    room = text.split('data-room="R01"')[1].split("</section>")[0]
    assert re.search(
        r'href="[^"]*/rooms/R01\?(period=quarter&amp;quarter=2024Q2|quarter=2024Q2&amp;period=quarter)"',
        room,
    )


def test_by_default_the_latest_month_with_the_year_to_date(
    county: Flask, streamer: FlaskClient
) -> None:
    """Today's month has no data in the samples: the latest month with data (December 2024)
    is shown, and the year to date beside it."""
    text = streamer.get("/me").get_data(as_text=True)
    december = figures_of(county, "2024-12-01", "2024-12-31")
    november = figures_of(county, "2024-11-01", "2024-11-30")
    value, badges = card(text, "sessions")
    assert value == december["sessions"]
    assert badges[1] == badge("环比", december["sessions"], november["sessions"])
    assert "2024年12月 · 2024-12-01 至 2024-12-31" in text
    year = figures_of(county, "2024-01-01", "2024-12-31")
    line = re.search(r"data-year-to-date>(.*?)</p>", text, re.S)
    assert line
    words = re.sub(r"<[^>]+>", "", line.group(1))
    assert f"：{year['sessions']} 场，成交金额（填报）{year['sales']:,} 元" in words
    assert "本月与本年累计" not in text  # the link back to the default is not offered on it


def test_a_year_is_compared_with_the_year_before_once(streamer: FlaskClient) -> None:
    text = streamer.get("/me?period=year&year=2024").get_data(as_text=True)
    _value, badges = card(text, "sales")
    assert len(badges) == 1 and badges[0].startswith("同比")
    assert "环比" not in text.split('class="kpis"')[1].split("</section>")[0]
    assert "data-year-to-date" not in text


def test_a_period_without_sessions_says_when_the_latest_was(streamer: FlaskClient) -> None:
    text = streamer.get("/me?period=custom&from=2022-03-01&to=2022-03-31").get_data(as_text=True)
    assert card(text, "sessions") == (Decimal(0), ["同比 —", "环比 —"])
    assert card(text, "order_sales")[0] is None
    assert "这个直播间在2022-03-01 至 2022-03-31没有场次；最近一场在 2024-12-31" in text
    assert 'id="session-trend"' not in text
    assert "最近场次" in text  # the latest sessions are still listed


def test_a_period_that_cannot_be_read_falls_back_to_the_default(streamer: FlaskClient) -> None:
    text = streamer.get("/me?period=month&month=2024-13").get_data(as_text=True)
    assert "data-period-error" in text and "月份应写作" in text
    assert "2024年12月 · 2024-12-01 至 2024-12-31" in text
