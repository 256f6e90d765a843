"""The session form's typed text → the values `app.registry.live_sessions` checks and saves.

This module only reads what a person typed on a phone (Beijing times, 1,234.5, ¥99, 1.2万)
and limits the room to those the caller allows; the rules shared with the workbook and the
API (end after start, 成交人数 ≤ 场观人数, overlaps, …) stay in `app.registry.live_sessions`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import LiveRoom, utcnow
from app.registry.live_sessions import FIGURES, SessionInvalid, session_problems
from app.registry.values import CellError, utc_from_beijing

COUNT_FIELDS = tuple(name for name in FIGURES if name != "sales")
LABELS = {
    "room": _l("直播间"),
    "start": _l("开始时间"),
    "end": _l("结束时间"),
    "sales": _l("成交金额"),
    "items": _l("成交件数"),
    "buyers": _l("成交人数"),
    "viewers": _l("场观人数"),
    "views": _l("观看次数"),
    "peak_online": _l("最高在线"),
    "avg_online": _l("平均在线"),
    "avg_watch_seconds": _l("人均观看时长（秒）"),
    "new_followers": _l("新增粉丝"),
}
# A phone clock a few minutes fast should not block an honest entry.
CLOCK_SLACK = dt.timedelta(minutes=10)
MAX_MONEY = Decimal("999999999999.99")  # NUMERIC(14, 2)
MAX_COUNT = 2**31 - 1
CENT = Decimal("0.01")
# Review pages show large figures as "1.2万" or "1.2w"; accept them as typed.
WAN = re.compile(r"^(?P<number>.+?)(万|w|W)$")
# The id a phone gives each entry (a UUID), so that an entry sent twice is stored once.
CLIENT_ID = re.compile(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", re.IGNORECASE)


def parse_session_form(
    form: Mapping[str, Any], rooms: Mapping[str, LiveRoom], *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Values for `app.registry.live_sessions.save_session`, or SessionInvalid naming every problem.

    `rooms` maps the codes the user may log for to their rooms; times come back naive UTC.
    """
    problems: dict[str, str] = {}
    room = _room(form.get("room"), rooms, problems)
    started = _moment(form, "start", problems)
    ended = _moment(form, "end", problems)
    figures: dict[str, Any] = {"sales": _money(form, "sales", problems)}
    figures.update((name, _count(form, name, problems)) for name in COUNT_FIELDS)
    if started is not None and ended is not None:
        rules = session_problems(
            started, ended, {k: v for k, v in figures.items() if v is not None}
        )
        for field, message in rules.items():
            problems.setdefault(field, message)
        if "end" not in problems and ended > (now or utcnow()) + CLOCK_SLACK:
            problems["end"] = _("结束时间晚于现在：请在直播结束后再填写。")
    if problems:
        raise SessionInvalid(problems)
    values = {"room": room, "started_at": started, "ended_at": ended, **figures}
    client_id = str(form.get("client_id") or "").strip()
    if CLIENT_ID.fullmatch(client_id):
        values["client_id"] = client_id.lower()
    return values


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _room(code: Any, rooms: Mapping[str, LiveRoom], problems: dict[str, str]) -> str | None:
    if _blank(code):
        problems["room"] = _("请选择直播间。")
        return None
    code = str(code).strip()
    if code not in rooms:
        problems["room"] = _("直播间 %(code)s 不在您的账号范围内。", code=code)
        return None
    return code


def _moment(form: Mapping[str, Any], name: str, problems: dict[str, str]) -> dt.datetime | None:
    """A Beijing-time entry (2024-05-01 20:00 or the browser's 2024-05-01T20:00) → naive UTC."""
    value = form.get(name)
    if _blank(value):
        problems[name] = _("请填写%(label)s。", label=LABELS[name])
        return None
    try:
        return utc_from_beijing(value)
    except CellError:
        problems[name] = _(
            "%(label)s无法识别，请写成 2024-05-01 20:00 的形式（北京时间）。", label=LABELS[name]
        )
        return None


def _number(value: Any) -> Decimal | None:
    """A typed figure: 1,234.5 / ¥1234.5 / 1.2万; None when it is not a number."""
    text = re.sub(r"[,，\s¥￥元]", "", str(value))
    factor = Decimal(1)
    match = WAN.match(text)
    if match:
        text, factor = match["number"], Decimal(10_000)
    try:
        number = Decimal(text) * factor
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _money(form: Mapping[str, Any], name: str, problems: dict[str, str]) -> Decimal | None:
    value = form.get(name)
    if _blank(value):
        problems[name] = _("请填写%(label)s（没有成交请填 0）。", label=LABELS[name])
        return None
    number = _number(value)
    if number is None or number < 0 or number > MAX_MONEY or number != number.quantize(CENT):
        problems[name] = _("%(label)s须为不小于 0 的金额，最多两位小数。", label=LABELS[name])
        return None
    return number.quantize(CENT)


def _count(form: Mapping[str, Any], name: str, problems: dict[str, str]) -> int | None:
    """A non-negative whole number; an empty field is None: unknown (the review page did not
    show it), never 0."""
    value = form.get(name)
    if _blank(value):
        return None
    number = _number(value)
    if number is None or number < 0 or number > MAX_COUNT or number != number.to_integral_value():
        problems[name] = _("%(label)s须为不小于 0 的整数。", label=LABELS[name])
        return None
    return int(number)
