"""The phone-first form where a streamer logs a session's 复盘 figures."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import AccessScope, current_scope, roles_required
from app.extensions import db
from app.models import LiveRoom, LiveSession, Streamer, Township, Village
from app.registry.sessions import SessionConflict, SessionInvalid, save_session
from app.web.nav import roles_for
from app.web.session_form import COUNT_FIELDS, LABELS, parse_session_form

bp = Blueprint("web_sessions", __name__, url_prefix="/sessions")


def rooms_in_scope(scope: AccessScope) -> dict[str, LiveRoom]:
    """Rooms the user may log sessions for, by code: own rooms, or the township's."""
    stmt = (
        select(LiveRoom)
        .join(LiveRoom.village)
        .join(Village.township)
        .where(scope.where(township=Township.code, room=LiveRoom.code))
        .order_by(LiveRoom.code)
    )
    return {room.code: room for room in db.session.scalars(stmt)}


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*roles_for("web_sessions.new"))
def new() -> tuple[str, int] | Response:
    """Show the form (optionally for `?room=`); on POST check and save the session."""
    rooms = rooms_in_scope(current_scope())
    requested = (request.values.get("room") or "").strip()
    if requested and requested not in rooms:
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            values = parse_session_form(request.form, rooms)
            values["streamer"] = _streamer_code(rooms[values["room"]])
            live = save_session(LiveSession(), values, created_by_id=current_user.id)
        except SessionInvalid as exc:
            errors = exc.problems
        except SessionConflict as exc:
            errors = {"start": str(exc)}
        else:
            flash(
                _(
                    "已保存 %(room)s 的场次，时长 %(hours)s 小时。",
                    room=values["room"],
                    hours=live.duration_hours,
                ),
                "success",
            )
            if current_user.role == "streamer":
                return redirect(url_for("web.my_rooms"))
            return redirect(url_for("web_sessions.new", room=values["room"]))
        form = request.form.to_dict()
    else:
        only = next(iter(rooms)) if len(rooms) == 1 else ""
        form = {"room": requested or only}
    return render_template(
        "sessions/new.html",
        rooms=list(rooms.values()),
        form=form,
        errors=errors,
        labels=LABELS,
        count_fields=COUNT_FIELDS,
    ), (422 if errors else 200)


def _streamer_code(room: LiveRoom) -> str | None:
    """The streamer to credit: the user's own record, else the room's only streamer."""
    own = [s for s in room.streamers if s.user_id == current_user.id]
    if own:
        return own[0].code
    mine = list(db.session.scalars(select(Streamer).where(Streamer.user_id == current_user.id)))
    if len(mine) == 1:
        return mine[0].code
    return room.streamers[0].code if len(room.streamers) == 1 else None
