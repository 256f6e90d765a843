"""Live-session (直播场次) rules shared by the workbook, the API and the session form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.beijing import to_beijing
from app.extensions import db
from app.models import LiveRoom, LiveSession, Streamer
from app.models.versions import bump_data_version

# The figures a streamer copies from the platform's review page (复盘), with their labels.
FIGURES: dict[str, str] = {
    "sales": "成交金额",
    "items": "成交件数",
    "buyers": "成交人数",
    "viewers": "场观人数",
    "views": "观看次数",
    "peak_online": "最高在线",
    "avg_online": "平均在线",
    "avg_watch_seconds": "人均观看时长",
    "new_followers": "新增粉丝",
}
TIME_LABELS = {"start": "开始时间", "end": "结束时间"}
MAX_DURATION = dt.timedelta(hours=24)


def session_problems(
    started_at: dt.datetime | None, ended_at: dt.datetime | None, figures: Mapping[str, Any]
) -> dict[str, str]:
    """Rules across fields → {field: Chinese message}; empty when the session is consistent.

    `figures` maps FIGURES keys to numbers (absent or None = not given). Times are naive UTC.
    """
    problems: dict[str, str] = {}
    duration: dt.timedelta | None = None
    if started_at is not None and ended_at is not None:
        duration = ended_at - started_at
        if duration <= dt.timedelta(0):
            problems["end"] = "结束时间必须晚于开始时间"
        elif duration > MAX_DURATION:
            hours = duration.total_seconds() / 3600
            problems["end"] = f"直播时长 {hours:.1f} 小时，超过 24 小时，请检查开始和结束时间"
    for name, label in FIGURES.items():
        value = figures.get(name)
        if value is not None and value < 0:
            problems[name] = f"{label}不能为负数"

    def over(small: str, large: str, only_if_reported: bool = False) -> None:
        low, high = figures.get(small), figures.get(large)
        if low is None or high is None or small in problems or large in problems:
            return
        if only_if_reported and not high:
            return
        if low > high:
            problems[small] = (
                f"{FIGURES[small]}（{low}）不能多于{FIGURES[large]}（{high}），请核对复盘数据"
            )

    over("buyers", "viewers")
    over("buyers", "items")
    # Some review pages show no 观看次数; 0 there means "not shown", not "nobody watched".
    over("viewers", "views", only_if_reported=True)
    watch = figures.get("avg_watch_seconds")
    if duration is not None and "end" not in problems and watch is not None and watch > 0:
        if watch > duration.total_seconds():
            problems["avg_watch_seconds"] = (
                f"人均观看时长（{watch} 秒）超过了直播时长（{int(duration.total_seconds())} 秒）"
            )
    return problems


def overlapping_session(
    room_id: int,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    exclude_id: int | None = None,
) -> LiveSession | None:
    """Another session of the same room whose time overlaps [started_at, ended_at)."""
    query = db.select(LiveSession).where(
        LiveSession.room_id == room_id,
        LiveSession.started_at < ended_at,
        LiveSession.ended_at > started_at,
    )
    if exclude_id is not None:
        query = query.where(LiveSession.id != exclude_id)
    return db.session.scalars(query.order_by(LiveSession.started_at).limit(1)).first()


def describe_overlap(other: LiveSession) -> str:
    start = to_beijing(other.started_at).strftime("%Y-%m-%d %H:%M")
    end = to_beijing(other.ended_at).strftime("%H:%M")
    return f"与该直播间已有的场次（{start}–{end}，编号 {other.id}）时间重叠"


def unknown_figures() -> dict[str, Any]:
    """A new session's figures before any is given: 成交金额 0, every count unknown (None)."""
    return {name: Decimal("0.00") if name == "sales" else None for name in FIGURES}


def session_by_client_id(client_id: str | None) -> LiveSession | None:
    """The session a phone already sent under `client_id` (its own UUID), if any."""
    if not client_id:
        return None
    return db.session.scalar(db.select(LiveSession).where(LiveSession.client_id == client_id))


class SessionInvalid(ValueError):
    """The session breaks a rule; `problems` maps each field to a Chinese message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


class SessionConflict(ValueError):
    """Another session of the room already covers this time."""


class SessionAlreadySaved(ValueError):
    """A phone sent again a session stored under the same client id; `session` is the stored."""

    def __init__(self, session: LiveSession) -> None:
        super().__init__(f"场次已保存（编号 {session.id}）")
        self.session = session


class ClientIdTaken(ValueError):
    """The client id is stored with a session of a room the caller may not see: the caller is
    told nothing about that session, and nothing is stored."""

    def __init__(self) -> None:
        super().__init__("client_id 已被另一场次使用")


def _repeat(client_id: str | None, sees_room: Callable[[str], bool]) -> None:
    """Raise SessionAlreadySaved for a session stored under `client_id` in a room the caller
    sees, ClientIdTaken for one in another room; nothing when the id is new."""
    earlier = session_by_client_id(client_id)
    if earlier is None:
        return
    if earlier.room is None or not sees_room(earlier.room.code):
        raise ClientIdTaken()
    raise SessionAlreadySaved(earlier)


def save_session(
    live: LiveSession,
    values: Mapping[str, Any],
    *,
    sees_room: Callable[[str], bool],
    created_by_id: int | None = None,
) -> LiveSession:
    """Check and store a typed session (new or existing) and commit.

    `values` holds `room` and `streamer` codes, `started_at`/`ended_at` (naive UTC) and any
    FIGURES (None = unknown); fields not given keep their current value (unknown for a new
    session). A new session may carry the phone's `client_id`: one already stored under it is
    SessionAlreadySaved (not a second row) when its room is one the caller sees
    (`sees_room(room_code)`, the caller's scope), else ClientIdTaken.
    Raises SessionInvalid, SessionConflict, SessionAlreadySaved or ClientIdTaken, leaving the
    database untouched.
    """
    client_id = (values.get("client_id") or None) if live.id is None else None
    _repeat(client_id, sees_room)
    problems: dict[str, str] = {}
    room_id: int | None = live.room_id
    if "room" in values:
        room_id = _id_for(LiveRoom, values["room"])
        if room_id is None:
            problems["room"] = f"直播间编码“{values['room']}”不存在，请先登记该直播间"
    streamer_id = live.streamer_id
    if "streamer" in values:
        streamer_id = _id_for(Streamer, values["streamer"]) if values["streamer"] else None
        if values["streamer"] and streamer_id is None:
            problems["streamer"] = f"主播编码“{values['streamer']}”不存在，请先登记该主播"
    current = {name: getattr(live, name) for name in FIGURES} if live.id else unknown_figures()
    figures = {**current, **{name: values[name] for name in FIGURES if name in values}}
    started_at = values.get("started_at", live.started_at)
    ended_at = values.get("ended_at", live.ended_at)
    for field, message in session_problems(started_at, ended_at, figures).items():
        problems.setdefault(field, message)
    for field, value, label in (
        ("room", room_id, "直播间编码"),
        ("start", started_at, "开始时间"),
        ("end", ended_at, "结束时间"),
    ):
        if value is None:
            problems.setdefault(field, f"请填写{label}")
    if problems or room_id is None or started_at is None or ended_at is None:
        raise SessionInvalid(problems)
    other = overlapping_session(room_id, started_at, ended_at, exclude_id=live.id)
    if other is not None:
        raise SessionConflict(describe_overlap(other))
    live.room_id = room_id
    live.streamer_id = streamer_id
    live.started_at = started_at
    live.ended_at = ended_at
    for name, value in figures.items():
        setattr(live, name, value)
    if live.id is None:
        live.source = "typed"
        live.created_by_id = created_by_id
        live.client_id = client_id
        db.session.add(live)
    bump_data_version(db.session)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        try:  # the same phone's entry arrived twice at once
            _repeat(client_id, sees_room)
        except (SessionAlreadySaved, ClientIdTaken) as repeated:
            raise repeated from None
        other = overlapping_session(room_id, started_at, ended_at)
        if other is not None:
            raise SessionConflict(describe_overlap(other)) from None
        raise
    return live


def _id_for(model: Any, code: str) -> int | None:
    return db.session.scalar(db.select(model.id).where(model.code == code))
