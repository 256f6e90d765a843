"""POST/GET/PATCH/DELETE /api/v1/sessions: the 复盘 figures, checked like the form checks them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import LiveSession

URL = "/api/v1/sessions"


def session_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "room": "R01",
        "streamer": "Z01",
        "start": "2025-01-05 20:00",
        "end": "2025-01-05 22:30",
        "sales": "1234.5",
        "items": 30,
        "buyers": 25,
        "viewers": 3000,
        "views": 5000,
        "peak_online": 120,
        "avg_online": 40,
        "avg_watch_seconds": 95,
        "new_followers": 12,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


def test_a_logged_session_is_stored_in_utc_and_shown_in_beijing_time(
    app: Flask, admin: FlaskClient, registry: None
) -> None:
    answer = admin.post(URL, json=session_body())

    assert answer.status_code == 201, answer.json
    shown = answer.json
    assert shown["start"] == "2025-01-05T20:00:00+08:00"
    assert shown["end"] == "2025-01-05T22:30:00+08:00"
    assert (shown["sales"], shown["duration_hours"], shown["source"]) == (
        "1234.50",
        "2.50",
        "typed",
    )
    assert (shown["room"], shown["streamer"], shown["viewers"]) == ("R01", "Z01", 3000)
    with app.app_context():
        stored = db.session.get(LiveSession, shown["id"])
        assert stored is not None
        assert stored.started_at == dt.datetime(2025, 1, 5, 12, 0)
    assert admin.get(f"{URL}/{shown['id']}").json == shown


def test_an_explicit_offset_is_respected_and_missing_figures_are_unknown(
    admin: FlaskClient, registry: None
) -> None:
    body = {"room": "R05", "start": "2025-01-06T12:00:00Z", "end": "2025-01-06T13:00:00+00:00"}
    answer = admin.post(URL, json={**body, "sales": 0})

    assert answer.status_code == 201, answer.json
    assert answer.json["start"] == "2025-01-06T20:00:00+08:00"
    assert answer.json["streamer"] is None
    assert (answer.json["items"], answer.json["viewers"]) == (None, None)  # unknown, not 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end": "2025-01-05 19:00"}, "end", "结束时间必须晚于开始时间"),
        (
            {"end": "2025-01-07 20:00"},
            "end",
            "直播时长 48.0 小时，超过 24 小时，请检查开始和结束时间",
        ),
        ({"buyers": 3001}, "buyers", "成交人数（3001）不能多于场观人数（3000），请核对复盘数据"),
        ({"buyers": 31}, "buyers", "成交人数（31）不能多于成交件数（30），请核对复盘数据"),
        ({"views": 2000}, "viewers", "场观人数（3000）不能多于观看次数（2000），请核对复盘数据"),
        (
            {"avg_watch_seconds": 9001},
            "avg_watch_seconds",
            "人均观看时长（9001 秒）超过了直播时长（9000 秒）",
        ),
        ({"room": "R99"}, "room", "直播间编码“R99”不存在，请先登记该直播间"),
        ({"streamer": "Z99"}, "streamer", "主播编码“Z99”不存在，请先登记该主播"),
    ],
    ids=[
        "end-before-start",
        "over-24h",
        "buyers-over-viewers",
        "buyers-over-items",
        "viewers-over-views",
        "watch-over-duration",
        "unknown-room",
        "unknown-streamer",
    ],
)
def test_rules_across_fields_are_422_with_a_reason(
    admin: FlaskClient, registry: None, changes: dict[str, Any], field: str, message: str
) -> None:
    answer = admin.post(URL, json=session_body(**changes))

    assert answer.status_code == 422
    assert answer.json["errors"]["json"][field] == [message]
    assert message in answer.json["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"items": -1}, "items"),
        ({"sales": "-0.01"}, "sales"),
        ({"sales": "abc"}, "sales"),
        ({"start": "昨天晚上"}, "start"),
        ({"sales": ...}, "sales"),
        ({"room": ...}, "room"),
        ({"colour": "red"}, "colour"),
    ],
    ids=[
        "negative-items",
        "negative-sales",
        "sales-not-a-number",
        "start-not-a-time",
        "sales-missing",
        "room-missing",
        "unknown-field",
    ],
)
def test_malformed_fields_are_422(
    admin: FlaskClient, registry: None, changes: dict[str, Any], field: str
) -> None:
    answer = admin.post(URL, json=session_body(**changes))

    assert answer.status_code == 422
    assert field in answer.json["errors"]["json"]
    assert answer.json["message"].startswith("输入有误：")


def test_overlapping_session_of_the_same_room_is_409(admin: FlaskClient, registry: None) -> None:
    assert admin.post(URL, json=session_body()).status_code == 201

    answer = admin.post(URL, json=session_body(start="2025-01-05 21:00", end="2025-01-05 23:00"))

    assert answer.status_code == 409
    assert "时间重叠" in answer.json["message"]
    assert "2025-01-05 20:00–22:30" in answer.json["message"]
    other_room = session_body(room="R02", streamer="Z02")
    assert admin.post(URL, json=other_room).status_code == 201


def test_list_filters_by_room_and_beijing_dates(admin: FlaskClient, registry: None) -> None:
    r05 = admin.get(URL, query_string={"room": "R05", "per_page": 500}).json
    assert r05["total"] == 26
    starts = [item["start"] for item in r05["items"]]
    assert starts == sorted(starts, reverse=True)

    january = admin.get(URL, query_string={"room": "R01", "from": "2023-01-01", "to": "2023-01-05"})
    assert [item["start"][:16] for item in january.json["items"]] == [
        "2023-01-05T20:29",
        "2023-01-01T20:19",
    ]
    unknown = admin.get(URL, query_string={"room": "R99"})
    assert unknown.status_code == 422
    assert unknown.json["message"] == "直播间编码“R99”不存在"
    backwards = admin.get(URL, query_string={"from": "2024-02-01", "to": "2024-01-01"})
    assert backwards.status_code == 422


def test_patch_rechecks_and_delete_removes(admin: FlaskClient, registry: None) -> None:
    created = admin.post(URL, json=session_body()).json
    item = f"{URL}/{created['id']}"

    patched = admin.patch(item, json={"sales": 10, "end": "2025-01-05 21:00"})
    assert patched.status_code == 200, patched.json
    assert (patched.json["sales"], patched.json["duration_hours"]) == ("10.00", "1.00")
    assert patched.json["viewers"] == 3000  # untouched

    refused = admin.patch(item, json={"viewers": 10})
    assert refused.status_code == 422
    assert "buyers" in refused.json["errors"]["json"]

    assert admin.delete(item).status_code == 204
    gone = admin.get(item)
    assert gone.status_code == 404
    assert gone.json["message"] == f"直播场次编号“{created['id']}”不存在"


def test_scope_limits_what_a_streamer_sees_and_logs(
    client_as: Callable[..., FlaskClient], registry: None
) -> None:
    streamer = client_as("streamer", room=["R05"])

    own = streamer.post(URL, json=session_body(room="R05", streamer="Z05"))
    assert own.status_code == 201, own.json
    other = streamer.post(URL, json=session_body())
    assert other.status_code == 403
    assert other.json["message"] == "您无权为直播间“R01”登记场次"
    listed = streamer.get(URL, query_string={"per_page": 500}).json
    assert {item["room"] for item in listed["items"]} == {"R05"}
    assert listed["total"] == 27
    r01_session = client_as("admin").get(URL, query_string={"room": "R01"}).json["items"][0]
    assert streamer.get(f"{URL}/{r01_session['id']}").status_code == 404

    viewer = client_as("viewer")
    assert viewer.get(URL).status_code == 200
    assert viewer.post(URL, json=session_body()).status_code == 403


def test_a_blank_count_is_null_and_never_compared_as_zero(
    admin: FlaskClient, registry: None
) -> None:
    answer = admin.post(URL, json=session_body(viewers=None, views=...))
    assert answer.status_code == 201, answer.json
    assert (answer.json["viewers"], answer.json["views"], answer.json["buyers"]) == (None, None, 25)
    changed = admin.patch(f"{URL}/{answer.json['id']}", json={"viewers": 10})
    assert changed.status_code == 422  # now known, 成交人数 25 > 场观人数 10 is checked
    assert admin.patch(f"{URL}/{answer.json['id']}", json={"viewers": 3000}).status_code == 200


def test_the_same_client_id_is_answered_with_the_stored_session(
    app: Flask, admin: FlaskClient, registry: None
) -> None:
    body = session_body(client_id="0B7C6D5E-4F3A-4B2C-9D1E-0F1A2B3C4D5E")
    first = admin.post(URL, json=body)
    assert first.status_code == 201, first.json
    assert first.json["client_id"] == "0b7c6d5e-4f3a-4b2c-9d1e-0f1a2b3c4d5e"
    again = admin.post(URL, json=body)
    assert again.status_code == 200
    assert again.json == first.json
    with app.app_context():
        same = db.select(db.func.count(LiveSession.id)).where(
            LiveSession.started_at == dt.datetime(2025, 1, 5, 12, 0),
            LiveSession.room.has(code="R01"),
        )
        assert db.session.scalar(same) == 1
    bad = admin.post(URL, json=session_body(client_id="not-a-uuid", start="2025-02-01 20:00"))
    assert bad.status_code == 422


def test_a_client_id_of_a_session_out_of_scope_is_409_and_tells_nothing(
    client_as: Callable[..., FlaskClient], registry: None
) -> None:
    body = session_body(client_id="1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d")
    assert client_as("admin").post(URL, json=body).status_code == 201
    streamer = client_as("streamer", room=["R05"])
    again = streamer.post(
        URL, json={**body, "room": "R05", "streamer": "Z05", "start": "2025-03-05 20:00"}
    )
    assert again.status_code == 409
    assert again.json["message"] == "client_id 已被另一场次使用"
    assert "R01" not in str(again.json)
