"""The phone-first form where a streamer logs a session's 复盘 figures, and the list of
sessions behind the session counts on the dashboards (直播场次, 直播时长, 活跃直播间)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, select
from werkzeug.wrappers import Response

from app.auth import AccessScope, current_scope, roles_required
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.live import SessionCounts, active_threshold, session_counts
from app.metrics.periods import Period
from app.metrics.scope import Scope, parse_scope
from app.models import LiveRoom, LiveSession, Streamer, Township, Village
from app.registry.live_sessions import (
    ClientIdTaken,
    SessionAlreadySaved,
    SessionConflict,
    SessionInvalid,
    save_session,
)
from app.web.figure_links import SESSION_SCOPES
from app.web.figures import change, data_years
from app.web.formatting import hours
from app.web.nav import roles_for
from app.web.periods import PeriodChoice, choose_period
from app.web.session_form import COUNT_FIELDS, LABELS, parse_session_form

bp = Blueprint("web_sessions", __name__, url_prefix="/sessions")
LIST_LIMIT = 2000  # a year of a county's sessions; longer periods show the latest


@bp.route("")
@roles_required(*roles_for("web_places.room"))
def index() -> str:
    """Sessions started in the period of the URL (app.web.periods; Beijing days) in `?scope=`
    (county, township, village or room, by the room's village), with the counts the dashboards
    show for them, each with 同比 (the same days last year) and 环比 (the period before)."""
    choice = _choice()
    period = choice.period
    text = (request.args.get("scope") or "county").strip()
    try:
        scope = parse_scope(text)
    except MetricsError:
        abort(404)
    if scope.kind not in SESSION_SCOPES:
        abort(404)
    access = current_scope()
    if not access.permits(str(scope)):
        abort(403)
    counts = session_counts(period, scope)
    sales = _typed_sales(period, scope, access)
    return render_template(
        "sessions/index.html",
        period=period,
        span=choice,
        years=data_years(),
        scope=scope,
        scope_name=_scope_name(scope),
        counts=counts,
        changes=_changes(choice, scope, access, counts, sales),
        sessions=_sessions(period, scope, access),
        sales=sales,
        threshold=active_threshold(),
        limit=LIST_LIMIT,
    )


def _choice() -> PeriodChoice:
    """The period of the URL; a bare `?from=…&to=…`, as the dashboards' session links have
    it, is a custom range."""
    args = request.args.to_dict()
    if not args.get("period") and not args.get("year") and args.get("from") and args.get("to"):
        args["period"] = "custom"
    return choose_period(args)


def _changes(
    choice: PeriodChoice,
    scope: Scope,
    access: AccessScope,
    counts: SessionCounts,
    sales: Decimal,
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """(同比, 环比) of each count shown, by its key on the page."""
    now = _figures(counts, sales)
    before = {
        "last_year": choice.last_year,
        "previous": choice.previous,
    }
    earlier = {
        name: _figures(session_counts(days, scope), _typed_sales(days, scope, access))
        for name, days in before.items()
    }
    return {
        key: (change(value, earlier["last_year"][key]), change(value, earlier["previous"][key]))
        for key, value in now.items()
    }


def _figures(counts: SessionCounts, sales: Decimal) -> dict[str, Decimal | int]:
    return {
        "live_sessions": counts.sessions,
        "live_hours": counts.hours,
        "active_rooms": counts.active_rooms,
        "sales": sales,
    }


def _scope_name(scope: Scope) -> str | None:
    """The name of the township, village or room the list is for (None for the county)."""
    names: dict[str, Any] = {
        "township": select(Township.name).where(Township.id == scope.id),
        "village": select(Village.name).where(Village.id == scope.id),
        "room": select(LiveRoom.nickname).where(LiveRoom.id == scope.id),
    }
    if scope.kind not in names:
        return None
    return db.session.scalar(names[scope.kind]) or scope.code


def _in_scope(period: Period, scope: Scope, access: AccessScope) -> Select[Any]:
    """Sessions started on the period's days in the scope the user may see; the rows of the
    list and its typed 成交金额 both read this."""
    begin, stop = period.utc_bounds()
    stmt = (
        select(LiveSession)
        .join(LiveSession.room)
        .join(LiveRoom.village)
        .join(Village.township)
        .where(LiveSession.started_at >= begin, LiveSession.started_at < stop)
        .where(access.where(township=Township.code, room=LiveRoom.code))
    )
    if scope.kind == "township":
        stmt = stmt.where(Village.township_id == scope.id)
    elif scope.kind == "village":
        stmt = stmt.where(LiveRoom.village_id == scope.id)
    elif scope.kind == "room":
        stmt = stmt.where(LiveSession.room_id == scope.id)
    return stmt


def _sessions(period: Period, scope: Scope, access: AccessScope) -> list[LiveSession]:
    """The sessions `session_counts` counts for the period and scope, newest first."""
    stmt = _in_scope(period, scope, access)
    stmt = stmt.order_by(LiveSession.started_at.desc(), LiveSession.id.desc()).limit(LIST_LIMIT)
    return list(db.session.scalars(stmt))


def _typed_sales(period: Period, scope: Scope, access: AccessScope) -> Decimal:
    """Σ 成交金额 the streamers typed for those sessions."""
    stmt = _in_scope(period, scope, access).with_only_columns(func.sum(LiveSession.sales))
    return db.session.scalar(stmt) or Decimal("0.00")


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
def new() -> tuple[str, int] | tuple[Response, int] | Response:
    """Show the form (optionally for `?room=`); on POST check and save the session."""
    access = current_scope()
    rooms = rooms_in_scope(access)
    requested = (request.values.get("room") or "").strip()
    if requested and requested not in rooms:
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form.to_dict()
        status = 422
        try:
            values = parse_session_form(request.form, rooms)
            values["streamer"] = _streamer_code(rooms[values["room"]])
            live = save_session(
                LiveSession(),
                values,
                sees_room=lambda code: access.permits(f"room:{code}"),
                created_by_id=current_user.id,
            )
        except SessionInvalid as exc:
            errors = exc.problems
        except SessionConflict as exc:
            errors = {"start": str(exc)}
            status = 409
        except ClientIdTaken:
            # Another room's session holds this id: the form gets a new one, nothing is said
            # about that session.
            errors = {"client_id": _("这条记录的编号已被另一场次使用，请再点一次保存。")}
            form.pop("client_id", None)
            status = 409
        except SessionAlreadySaved as exc:
            return _saved(exc.session, again=True)
        else:
            return _saved(live, again=False)
        if _wants_json():
            message = _("有 %(n)d 处需要修改，请看下面标红的地方。", n=len(errors))
            return jsonify(message=message, errors=errors), status
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


def _wants_json() -> bool:
    """The phone's offline queue sends stored entries asking for JSON, not a page."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def _saved(live: LiveSession, *, again: bool) -> tuple[Response, int] | Response:
    """After a save (or a repeat of one already stored): JSON for the phone's form and its
    offline queue (201, or 200 with the stored session; `next` is the page to go on to), else
    a flash and that page: the streamer's home, or the form again."""
    room = live.room.code if live.room else ""
    if again:
        message = _("这场直播已经保存过了（%(room)s），没有重复记录。", room=room)
    else:
        message = _(
            "已保存 %(room)s 的场次，时长 %(hours)s 小时。",
            room=room,
            hours=hours(live.duration_hours, unit=False),
        )
    after = (
        url_for("web.my_rooms")
        if current_user.role == "streamer"
        else url_for("web_sessions.new", room=room)
    )
    if _wants_json():
        answer = jsonify(
            id=live.id, room=room, client_id=live.client_id, message=message, next=after
        )
        return answer, (200 if again else 201)
    flash(message, "success")
    return redirect(after)


def _streamer_code(room: LiveRoom) -> str | None:
    """The streamer to credit: the user's own record, else the room's only streamer."""
    own = [s for s in room.streamers if s.user_id == current_user.id]
    if own:
        return own[0].code
    mine = list(db.session.scalars(select(Streamer).where(Streamer.user_id == current_user.id)))
    if len(mine) == 1:
        return mine[0].code
    return room.streamers[0].code if len(room.streamers) == 1 else None
