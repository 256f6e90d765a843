"""Live sessions (直播场次): log one from the review page, list, correct, delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError
from sqlalchemy import func
from webargs.flaskparser import abort  # flask-smorest's abort, typed NoReturn

from app.api.errors import add_error_messages
from app.api.fields import (
    BeijingDateTime,
    Count,
    Day,
    NonNegativeMoney,
    Page,
    PageSize,
    Ref,
)
from app.api.pagination import page_json, page_schema
from app.auth import api_guard, current_scope
from app.beijing import midnight_utc
from app.extensions import db
from app.models import LiveRoom, LiveSession, OrderLine, Streamer, Township, Village
from app.registry.live_sessions import (
    ClientIdTaken,
    SessionAlreadySaved,
    SessionConflict,
    SessionInvalid,
    save_session,
)

CLIENT_ID = r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"

blp = Blueprint("live_sessions", __name__, description="直播场次 (live sessions)")
add_error_messages(blp)
# Brand managers and viewers read sessions; the others log them for rooms in their scope.
api_guard(blp, write_roles=("admin", "officer", "township", "streamer"))


class SessionSchema(Schema):
    id = fields.Integer(dump_only=True)
    room = Ref(required=True, metadata={"description": "直播间编码"})
    streamer = Ref(allow_none=True, metadata={"description": "主播编码"})
    start = BeijingDateTime(
        attribute="started_at",
        required=True,
        metadata={"description": "Beijing time unless an offset is given; shown with +08:00"},
    )
    end = BeijingDateTime(attribute="ended_at", required=True)
    sales = NonNegativeMoney(required=True, metadata={"description": "成交金额 (元)"})
    items = Count(allow_none=True, metadata={"description": "成交件数"})
    buyers = Count(allow_none=True, metadata={"description": "成交人数"})
    viewers = Count(allow_none=True, metadata={"description": "场观人数 (UV)"})
    views = Count(allow_none=True, metadata={"description": "观看次数 (PV)"})
    peak_online = Count(allow_none=True, metadata={"description": "最高在线"})
    avg_online = Count(allow_none=True, metadata={"description": "平均在线"})
    avg_watch_seconds = Count(allow_none=True, metadata={"description": "人均观看时长 (秒)"})
    new_followers = Count(allow_none=True, metadata={"description": "新增粉丝"})
    client_id = fields.String(
        allow_none=True,
        validate=validate.Regexp(CLIENT_ID, error="client_id 须为 UUID"),
        metadata={
            "description": "the phone's own id of the entry (a UUID): a repeat is not stored "
            "again, the stored session is answered with 200"
        },
    )
    duration_hours = fields.Decimal(as_string=True, places=2, dump_only=True)
    source = fields.String(dump_only=True, metadata={"description": "typed | imported"})
    created_at = BeijingDateTime(dump_only=True)


class SessionPatchSchema(SessionSchema):
    class Meta:
        exclude = ("client_id",)


class SessionListArgsSchema(Schema):
    room = fields.String(validate=validate.Length(min=1, max=64))
    streamer = fields.String(validate=validate.Length(min=1, max=64))
    from_ = Day(data_key="from", metadata={"description": "first day (Beijing)"})
    to = Day(metadata={"description": "last day, inclusive (Beijing)"})
    page = Page()
    per_page = PageSize()

    @validates_schema
    def _period(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise SchemaError("“to”不能早于“from”", field_name="to")


SessionPageSchema = page_schema(SessionSchema, "SessionPageSchema")


def _find(session_id: int) -> LiveSession:
    """The session, if it exists and lies in the caller's scope (else 404, revealing nothing)."""
    live = db.session.get(LiveSession, session_id)
    if live is None or not current_scope().permits(f"room:{live.room.code}"):
        abort(404, message=f"直播场次编号“{session_id}”不存在")
    return live


def _check_room_scope(data: dict[str, Any]) -> None:
    """A registered room outside the caller's scope is refused (an unknown one is a 422 later)."""
    code = data.get("room")
    if code is None or current_scope().permits(f"room:{code}"):
        return
    if db.session.scalar(db.select(LiveRoom.id).where(LiveRoom.code == code)) is not None:
        abort(403, message=f"您无权为直播间“{code}”登记场次")


def _code_filter(model: Any, code: str, field: str, label: str) -> Any:
    found = db.session.scalar(db.select(model.id).where(model.code == code))
    if found is None:
        message = f"{label}编码“{code}”不存在"
        abort(422, message=message, errors={"query": {field: [message]}})
    return found


def _save(live: LiveSession, data: dict[str, Any]) -> LiveSession:
    _check_room_scope(data)
    if data.get("client_id"):
        data["client_id"] = data["client_id"].lower()
    scope = current_scope()
    try:
        return save_session(live, data, sees_room=lambda code: scope.permits(f"room:{code}"))
    except SessionAlreadySaved as exc:
        raise _Repeated(exc.session) from None
    except ClientIdTaken as exc:
        abort(409, message=str(exc))
    except SessionInvalid as exc:
        errors = {name: [message] for name, message in exc.problems.items()}
        abort(422, message=f"直播场次有误：{exc}", errors={"json": errors})
    except SessionConflict as exc:
        abort(409, message=f"直播场次{exc}")


@blp.route("/sessions", methods=["GET"])
@blp.arguments(SessionListArgsSchema, location="query")
@blp.response(200, SessionPageSchema)
def list_sessions(args: dict[str, Any]) -> dict[str, Any]:
    """List sessions, newest first; filter by room, streamer and Beijing dates."""
    query = (
        db.select(LiveSession)
        .join(LiveSession.room)
        .join(LiveRoom.village)
        .join(Village.township)
        .where(current_scope().where(township=Township.code, room=LiveRoom.code))
        .order_by(LiveSession.started_at.desc(), LiveSession.id.desc())
    )
    if args.get("room"):
        room_id = _code_filter(LiveRoom, args["room"], "room", "直播间")
        query = query.where(LiveSession.room_id == room_id)
    if args.get("streamer"):
        streamer_id = _code_filter(Streamer, args["streamer"], "streamer", "主播")
        query = query.where(LiveSession.streamer_id == streamer_id)
    if args.get("from_"):
        query = query.where(LiveSession.started_at >= midnight_utc(args["from_"]))
    if args.get("to"):
        next_day = args["to"] + dt.timedelta(days=1)
        query = query.where(LiveSession.started_at < midnight_utc(next_day))
    return page_json(
        db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    )


class _Repeated(Exception):
    def __init__(self, session: LiveSession) -> None:
        self.session = session


@blp.route("/sessions", methods=["POST"])
@blp.arguments(SessionSchema)
@blp.response(201, SessionSchema)
@blp.alt_response(200, schema=SessionSchema, description="sent again with the same client_id")
def create_session(data: dict[str, Any]) -> LiveSession | tuple[LiveSession, int]:
    """Log a session with the figures of the platform's review page (复盘); a count left out
    or null is unknown. Sent again with the same `client_id`, the stored session is answered
    (200) and nothing is stored twice."""
    try:
        return _save(LiveSession(), data)
    except _Repeated as repeated:
        return repeated.session, 200


@blp.route("/sessions/<int:session_id>", methods=["GET"])
@blp.response(200, SessionSchema)
def get_session(session_id: int) -> LiveSession:
    """One session."""
    return _find(session_id)


@blp.route("/sessions/<int:session_id>", methods=["PATCH"])
@blp.arguments(SessionPatchSchema(partial=True))
@blp.response(200, SessionSchema)
def update_session(data: dict[str, Any], session_id: int) -> LiveSession:
    """Correct some fields of a session; the same rules apply to the result."""
    return _save(_find(session_id), data)


@blp.route("/sessions/<int:session_id>", methods=["DELETE"])
@blp.response(204)
def delete_session(session_id: int) -> None:
    """Delete a session that no order line is attributed to."""
    live = _find(session_id)
    attributed = db.session.scalar(
        db.select(func.count()).select_from(OrderLine).where(OrderLine.session_id == live.id)
    )
    if attributed:
        abort(409, message=f"该场次已关联 {attributed} 条订单行，不能删除")
    db.session.delete(live)
    db.session.commit()
