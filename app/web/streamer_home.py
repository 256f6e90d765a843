"""A streamer's home: their rooms and latest sessions, with the button to log a new one."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from app.auth import current_scope
from app.extensions import db
from app.models import LiveRoom, LiveSession

RECENT_SESSIONS = 10


def streamer_home() -> str:
    """The page a streamer lands on after signing in."""
    scope = current_scope()
    rooms = list(
        db.session.scalars(
            select(LiveRoom).where(scope.where(room=LiveRoom.code)).order_by(LiveRoom.code)
        )
    )
    sessions = list(
        db.session.scalars(
            select(LiveSession)
            .join(LiveSession.room)
            .where(scope.where(room=LiveRoom.code))
            .order_by(LiveSession.started_at.desc())
            .limit(RECENT_SESSIONS)
        )
    )
    return render_template("pages/my_rooms.html", rooms=rooms, sessions=sessions)
