"""The rows of the targets board for a chosen period: which targets it shows, up to which day,
and each actual beside the same days a year earlier (同比); its XLSX export writes the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth import AccessScope
from app.beijing import today
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.indicators import indicator_value
from app.metrics.periods import Period, month_period, year_period
from app.metrics.scope import parse_scope
from app.metrics.targets import ProgressRow
from app.models import Brand, LiveRoom, Streamer, Target, Township, Village
from app.web.figure_links import indicator_link, target_link
from app.web.figures import change, data_years, progress_rows
from app.web.labels import (
    MONEY_INDICATORS,
    SCOPE_LABELS,
    indicator_label,
    month_name,
    status_label,
)
from app.web.periods import EARLIEST_YEAR, PeriodChoice, choose_period
from app.web.place_tables import progress_columns
from app.web.rankings import Column, Table

NAMED: dict[str, tuple[Any, Any]] = {
    "township": (Township, Township.name),
    "village": (Village, Village.name),
    "room": (LiveRoom, LiveRoom.nickname),
    "brand": (Brand, Brand.name),
    "streamer": (Streamer, Streamer.name),
}


@dataclass(frozen=True)
class Board:
    """The period the board shows, the day its targets are measured to, and its rows."""

    choice: PeriodChoice
    as_of: dt.date
    rows: list[dict[str, Any]]

    @property
    def years(self) -> list[int]:
        """The calendar years the period touches (a custom range may cross a new year)."""
        return list(range(self.choice.whole.start.year, self.choice.whole.end.year + 1))


def board_choice(args: Mapping[str, Any]) -> PeriodChoice:
    """The period of the URL (app.web.periods); an older link with only `?as_of=D` shows the
    year of D, as the board did before it took periods."""
    asked = dict(args)
    day = _day(asked.get("as_of"))
    if day is not None and not asked.get("period") and not asked.get("year"):
        year = choose_period({"period": "year", "year": str(day.year)})
        if year.error is None:
            return year
    return choose_period(asked)


def board(args: Mapping[str, Any], access: AccessScope) -> Board:
    """The targets whose own period (its month, or its year) overlaps the chosen period, each
    measured from the start of that period to `?as_of=` (a day of the chosen period, not after
    today), else to the period's end or today while it runs."""
    choice = board_choice(args)
    day = _day(args.get("as_of"))
    as_of = day if day is not None and choice.whole.start <= day <= choice.as_of else None
    as_of = as_of or choice.as_of
    rows = []
    for year in range(choice.whole.start.year, choice.whole.end.year + 1):
        for row in progress_rows(year, as_of, access):
            own = target_period(year, row.month)
            if own.start <= choice.whole.end and choice.whole.start <= own.end:
                rows.append(_row(row, year, own, as_of))
    return Board(choice, as_of, rows)


def target_period(year: int, month: int | None) -> Period:
    return month_period(dt.date(year, month, 1)) if month else year_period(year)


def picker_years() -> list[int]:
    """Years to pick, newest first: those with data, and those with targets already begun."""
    years = set(data_years())
    first, last = db.session.execute(select(func.min(Target.year), func.max(Target.year))).one()
    if first is not None:
        years.update(range(max(first, EARLIEST_YEAR), min(last, today().year) + 1))
    return sorted(years, reverse=True)


def any_targets() -> bool:
    """Whether any target is set at all (else the board says how to set them)."""
    return db.session.scalar(select(Target.id).limit(1)) is not None


def _day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text).strip()) if text else None
    except ValueError:
        return None


def _row(row: ProgressRow, year: int, own: Period, as_of: dt.date) -> dict[str, Any]:
    """The progress row with its year, name, link and last year's same days (同比)."""
    kind, _sep, code = row.scope.partition(":")
    name = None
    if kind in NAMED:
        model, column = NAMED[kind]
        name = db.session.scalar(select(column).where(model.code == code))
    return {
        **vars(row),
        "year": year,
        "kind": kind,
        "code": code,
        "name": name or code,
        "link": target_link(row, year, as_of) if row.actual is not None else None,
        **last_year(row, own, as_of),
    }


def last_year(row: ProgressRow, own: Period, as_of: dt.date) -> dict[str, Any]:
    """The actual over the same days a year earlier, its link and the change to this year's
    (None where there is nothing to compare: the period has not begun, the metrics refuse,
    or nothing was recorded last year), with the reason."""
    empty: dict[str, Any] = {"last_year": None, "last_year_link": None, "yoy": None}
    if row.actual is None:
        return {**empty, "yoy_reason": row.reasons.get("actual", "")}
    if as_of < own.start:
        return {**empty, "yoy_reason": _("目标期尚未开始")}
    before = Period(own.start, min(as_of, own.end)).last_year()
    try:
        value = indicator_value(row.indicator, parse_scope(row.scope, allow_streamer=True), before)
    except MetricsError as exc:
        return {**empty, "yoy_reason": str(exc)}
    if not value.recorded:
        return {**empty, "yoy_reason": _("上年同期无数据")}
    return {
        "last_year": value.value,
        "last_year_link": indicator_link(row.indicator, row.scope, before),
        "yoy": change(row.actual, value.value),
        "yoy_reason": "" if value.value else _("上年同期为 0，无法计算同比"),
    }


def period_text(row: dict[str, Any], with_year: bool) -> str:
    """全年 or 3月 (with the year in front when the board spans more than one)."""
    text = month_name(row["month"]) if row["month"] else _("全年")
    return _("%(year)d年 %(period)s", year=row["year"], period=text) if with_year else text


def scope_text(row: dict[str, Any]) -> str:
    """全县, or the kind of place and its name (乡镇 · 许营镇)."""
    if row["kind"] == "county":
        return _("全县")
    return f"{SCOPE_LABELS.get(row['kind'], row['kind'])} · {row['name']}"


def board_table(found: Board) -> Table:
    """The board's rows as a table for XLSX: the same targets, actuals and 同比 as the page."""
    table = Table(
        key="targets",
        title=_("目标进度"),
        columns=[
            Column("scope", _("范围")),
            Column("indicator", _("指标")),
            Column("period", _("期间")),
            Column("target", _("目标"), "amount"),
            Column("actual", _("完成"), "amount"),
            Column("last_year", _("上年同期"), "amount"),
            Column("yoy", _("同比"), "change"),
            *progress_columns(),
            Column("projection_run_rate", _("按当前速度预计"), "amount"),
            Column("projection_seasonal", _("按上年节奏预计"), "amount"),
        ],
    )
    with_year = len(found.years) > 1
    for row in found.rows:
        kind = "hours" if row["indicator"] == "live_hours" else "count"
        money = row["indicator"] in MONEY_INDICATORS
        table.rows.append(
            {
                "scope": scope_text(row),
                "indicator": indicator_label(row["indicator"]),
                "period": period_text(row, with_year),
                "target": row["target"],
                "actual": row["actual"],
                "last_year": row["last_year"],
                "yoy": _number(row["yoy"]),
                "completion": _number(row["completion"]),
                "time_progress": _number(row["time_progress"]),
                "status": status_label(row["status"]),
                "projection_run_rate": row["projection_run_rate"],
                "projection_seasonal": row["projection_seasonal"],
                # A count or hours target is no money: its cells carry no 元.
                "kinds": {}
                if money
                else dict.fromkeys(
                    (
                        "target",
                        "actual",
                        "last_year",
                        "projection_run_rate",
                        "projection_seasonal",
                    ),
                    kind,
                ),
            }
        )
    return table


def _number(value: Any) -> Decimal | int | None:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return value
