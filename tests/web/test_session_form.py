"""The streamer's session form: own rooms only, Beijing time in, UTC stored, clear messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import LiveSession
from app.registry.live_sessions import SessionInvalid
from app.web.session_form import parse_session_form

GOOD = {
    "room": "R01",
    "start": "2024-05-01T20:00",
    "end": "2024-05-01T22:30",
    "sales": "12,345.60",
    "items": "210",
    "buyers": "180",
    "viewers": "1.2万",
    "views": "30000",
    "peak_online": "420",
    "avg_online": "130",
    "avg_watch_seconds": "95",
    "new_followers": "66",
}


@pytest.fixture
def streamer(as_user: Callable[..., FlaskClient]) -> FlaskClient:
    return as_user("streamer", streamer="S01")


def stored(app: Flask) -> list[LiveSession]:
    with app.app_context():
        sessions = list(db.session.scalars(db.select(LiveSession)))
        for session in sessions:
            db.session.expunge(session)
        return sessions


def test_form_offers_only_own_rooms(streamer: FlaskClient) -> None:
    page = streamer.get("/sessions/new")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'value="R01"' in text and 'value="R02"' not in text
    assert "成交金额" in text and "人均观看时长" in text
    assert 'inputmode="decimal"' in text and 'type="datetime-local"' in text


def test_another_rooms_form_is_forbidden(app: Flask, streamer: FlaskClient) -> None:
    assert streamer.get("/sessions/new?room=R01").status_code == 200
    assert streamer.get("/sessions/new?room=R02").status_code == 403
    assert streamer.post("/sessions/new", data={**GOOD, "room": "R02"}).status_code == 403
    assert streamer.get("/sessions/new?room=NOPE").status_code == 403
    assert stored(app) == []


def test_valid_session_is_saved_in_utc(app: Flask, streamer: FlaskClient) -> None:
    response = streamer.post("/sessions/new", data=GOOD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"
    [session] = stored(app)
    assert session.started_at == dt.datetime(2024, 5, 1, 12, 0)  # 20:00 Beijing
    assert session.ended_at == dt.datetime(2024, 5, 1, 14, 30)
    assert session.sales == Decimal("12345.60")
    assert (session.viewers, session.views, session.items) == (12000, 30000, 210)
    assert session.source == "typed"
    assert session.streamer_id is not None and session.created_by_id is not None
    home = streamer.get("/me").get_data(as_text=True)
    assert "已保存 R01 的场次" in home
    assert "2024-05-01 20:00–22:30" in home  # shown back in Beijing time
    assert 'title="12,345.60"' in home  # 成交金额 1.23万, the full figure on hover


def test_mistakes_are_listed_in_chinese_and_the_entry_is_kept(
    app: Flask, streamer: FlaskClient
) -> None:
    data = {
        **GOOD,
        "start": "2024-05-01T22:00",
        "end": "2024-05-01T21:00",
        "sales": "-5",
        "items": "3.5",
        "buyers": "abc",
    }
    response = streamer.post("/sessions/new", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "结束时间必须晚于开始时间" in text
    assert "成交金额须为不小于 0 的金额，最多两位小数" in text
    assert "成交件数须为不小于 0 的整数" in text
    assert "成交人数须为不小于 0 的整数" in text
    assert 'value="abc"' in text  # what was typed stays in the form
    assert stored(app) == []


def test_figures_that_contradict_each_other_are_refused(streamer: FlaskClient) -> None:
    response = streamer.post("/sessions/new", data={**GOOD, "viewers": "40000"})
    assert response.status_code == 422
    assert "场观人数" in response.get_data(as_text=True)


def test_overlapping_session_is_refused(app: Flask, streamer: FlaskClient) -> None:
    assert streamer.post("/sessions/new", data=GOOD).status_code == 302
    data = {**GOOD, "start": "2024-05-01T22:00", "end": "2024-05-01T23:00"}
    response = streamer.post("/sessions/new", data=data)
    assert response.status_code == 422
    assert "时间重叠" in response.get_data(as_text=True)
    assert len(stored(app)) == 1


def test_required_fields(streamer: FlaskClient) -> None:
    response = streamer.post("/sessions/new", data={"room": "R01"})
    text = response.get_data(as_text=True)
    assert "请填写开始时间" in text and "请填写结束时间" in text and "请填写成交金额" in text


def test_viewer_and_brand_cannot_log_sessions(as_user: Callable[..., FlaskClient]) -> None:
    assert as_user("viewer").get("/sessions/new").status_code == 403


def test_township_officer_logs_for_rooms_of_the_township(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("township", townships=["T01"])
    assert client.get("/sessions/new?room=R02").status_code == 403
    response = client.post("/sessions/new", data=GOOD)
    assert response.headers["Location"] == "/sessions/new?room=R01"
    [session] = stored(app)
    assert session.streamer_id is not None  # the room's only streamer is credited


def test_parse_accepts_what_people_type(app: Flask, registry: None) -> None:
    from app.models import LiveRoom

    with app.test_request_context():
        rooms = {room.code: room for room in db.session.scalars(db.select(LiveRoom))}
        values = parse_session_form(
            {**GOOD, "start": "2024/05/01 20:00", "sales": "¥1.5万", "views": ""},
            rooms,
            now=dt.datetime(2024, 6, 1),
        )
        assert values["sales"] == Decimal("15000.00")
        assert values["views"] is None  # not shown on the review page: unknown, not 0
        assert values["started_at"] == dt.datetime(2024, 5, 1, 12, 0)
        with pytest.raises(SessionInvalid) as caught:
            parse_session_form(GOOD, rooms, now=dt.datetime(2024, 5, 1, 13, 0))
        assert "直播结束后" in caught.value.problems["end"]


def test_blank_viewers_are_unknown_and_accepted(app: Flask, streamer: FlaskClient) -> None:
    """The hint says 没有的项留空: a blank 场观人数 is stored as unknown, not as 0 that 成交人数
    (12) could not exceed, and the home shows — for it."""
    data = {**GOOD, "buyers": "12", "viewers": "", "views": "", "items": "12"}
    response = streamer.post("/sessions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    [session] = stored(app)
    assert session.viewers is None and session.views is None and session.buyers == 12
    home = streamer.get("/me").get_data(as_text=True)
    assert "已保存 R01 的场次" in home
    assert "不能多于" not in home


CLIENT_ID = "6f1c2b8e-3d4a-4e5f-9a0b-1c2d3e4f5a6b"


def test_the_same_client_id_is_stored_once(app: Flask, streamer: FlaskClient) -> None:
    """The phone sends an entry again when it did not see the answer: one row, 201 then 200."""
    data = {**GOOD, "client_id": CLIENT_ID}
    headers = {"Accept": "application/json"}
    first = streamer.post("/sessions/new", data=data, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    again = streamer.post("/sessions/new", data=data, headers=headers)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert "已经保存过了" in again.get_json()["message"]
    [session] = stored(app)
    assert session.client_id == CLIENT_ID
    page = streamer.post("/sessions/new", data=data)  # the page's own form, sent twice
    assert page.status_code == 302 and len(stored(app)) == 1


def test_the_offline_queue_gets_its_mistakes_as_json(streamer: FlaskClient) -> None:
    headers = {"Accept": "application/json"}
    response = streamer.post("/sessions/new", data={**GOOD, "sales": ""}, headers=headers)
    assert response.status_code == 422
    assert "请填写成交金额" in response.get_json()["errors"]["sales"]


def test_a_stored_entry_is_sent_with_the_token_of_a_fresh_page(
    app: Flask, streamer: FlaskClient
) -> None:
    """An entry kept in the phone is sent later with the token of a page fetched then; with no
    token, or a forged one, nothing is stored."""
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    data = {**GOOD, "client_id": CLIENT_ID}
    headers = {"Accept": "application/json"}
    assert streamer.post("/sessions/new", data=data, headers=headers).status_code == 400
    forged = {**data, "csrf_token": "forged"}
    assert streamer.post("/sessions/new", data=forged, headers=headers).status_code == 400
    assert stored(app) == []
    page = streamer.get("/sessions/new").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert token
    sent = {**data, "csrf_token": token.group(1)}
    assert streamer.post("/sessions/new", data=sent, headers=headers).status_code == 201
    assert len(stored(app)) == 1


def test_home_compares_the_last_session_with_the_rooms_average(streamer: FlaskClient) -> None:
    """The last session beside the room's own average; a blank 场观人数 leaves that session out
    of the average UV价值 (and says so) instead of counting it as 0."""
    assert streamer.post("/sessions/new", data=GOOD).status_code == 302
    later = {
        **GOOD,
        "start": "2024-05-02T20:00",
        "end": "2024-05-02T21:00",
        "sales": "1000",
        "items": "10",
        "buyers": "10",
        "viewers": "",
        "views": "10000",
    }
    assert streamer.post("/sessions/new", data=later).status_code == 302
    page = streamer.get("/me").get_data(as_text=True)
    assert "上一场 2024-05-02 20:00–21:00" in page and "2 场的平均相比" in page
    gpm = _row(page, "gpm")
    assert 'title="100.00"' in gpm and 'title="333.64"' in gpm  # (12,345.6 + 1,000) × 1000 / 40,000
    assert "−70.0%" in gpm
    uv = _row(page, "uv_value")
    assert 'title="1.03"' in uv  # 12,345.60 / 12,000: the second session is left out
    assert "上一场未填场观人数" in uv and "平均未计入 1 场缺场观人数的" in uv
    assert 'id="session-trend"' in page and "订单成交金额" in page
    assert 'rel="manifest"' in page and "js/offline.js" in page


def _row(page: str, key: str) -> str:
    start = page.index(f'data-figure="{key}"')
    return page[start : page.index("</tr>", start)]


def test_service_worker_and_manifest_are_served_from_the_root(client: FlaskClient) -> None:
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    source = worker.get_data(as_text=True)
    assert "__ASSETS__" not in source and '"/assets/js/offline.js"' in source
    assert '["/sessions/new", "/me"]' in source  # the pages it keeps for offline use
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json(force=True)
    assert body["name"] == "村播" and body["display"] == "standalone"
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200


def _stored_in_another_room(app: Flask, client_id: str) -> int:
    """A session of room R02 (not the streamer's) stored under `client_id`; its id."""
    from app.models import LiveRoom

    with app.app_context():
        room = db.session.scalars(db.select(LiveRoom).where(LiveRoom.code == "R02")).one()
        live = LiveSession(
            room_id=room.id,
            started_at=dt.datetime(2024, 4, 1, 12, 0),
            ended_at=dt.datetime(2024, 4, 1, 13, 0),
            sales=Decimal("777.00"),
            source="typed",
            client_id=client_id,
        )
        db.session.add(live)
        db.session.commit()
        return live.id


def test_a_client_id_of_another_rooms_session_is_refused_without_telling_of_it(
    app: Flask, streamer: FlaskClient
) -> None:
    """The form answers a repeat only for a session the user may see, as the API does: a
    client id stored with another room's session is 409, and nothing of that session shows."""
    other_id = _stored_in_another_room(app, CLIENT_ID)
    data = {**GOOD, "client_id": CLIENT_ID}
    answer = streamer.post("/sessions/new", data=data, headers={"Accept": "application/json"})
    assert answer.status_code == 409
    body = answer.get_json()
    assert set(body) == {"message", "errors"} and set(body["errors"]) == {"client_id"}
    assert "R02" not in answer.get_data(as_text=True)
    page = streamer.post("/sessions/new", data=data)
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and "已被另一场次使用" in text
    assert CLIENT_ID not in text and "R02" not in text  # the form gets a new id
    assert [s.id for s in stored(app)] == [other_id]


def test_an_overlap_is_409_and_other_mistakes_422_for_the_phone(streamer: FlaskClient) -> None:
    headers = {"Accept": "application/json"}
    assert streamer.post("/sessions/new", data=GOOD, headers=headers).status_code == 201
    later = {**GOOD, "start": "2024-05-01T21:00", "end": "2024-05-01T23:00"}
    overlap = streamer.post("/sessions/new", data=later, headers=headers)
    assert overlap.status_code == 409
    assert set(overlap.get_json()["errors"]) == {"start"}
    wrong = streamer.post(
        "/sessions/new", data={**later, "end": "2024-05-01T20:00"}, headers=headers
    )
    assert wrong.status_code == 422


def test_the_phone_is_told_where_to_go_after_a_save(streamer: FlaskClient) -> None:
    answer = streamer.post("/sessions/new", data=GOOD, headers={"Accept": "application/json"})
    assert answer.status_code == 201 and answer.get_json()["next"] == "/me"


def test_signing_out_clears_the_browsers_copies(streamer: FlaskClient) -> None:
    answer = streamer.post("/logout")
    assert answer.status_code == 302
    assert answer.headers["Clear-Site-Data"] == '"cache"'


def test_the_pages_the_phone_keeps_name_their_account(app: Flask, streamer: FlaskClient) -> None:
    from tests.web.conftest import user_named

    with app.app_context():
        user_id = user_named("streamer1").id
    for url in ("/sessions/new", "/me"):
        page = streamer.get(url).get_data(as_text=True)
        assert f'<meta name="cunbo-user" content="{user_id}">' in page
