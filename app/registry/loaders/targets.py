"""目标 sheet: keyed by (年度, 月份, 范围类型, 范围编码, 指标)."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import Brand, LiveRoom, Streamer, Target, Township, Village
from app.registry.cells import Cells
from app.registry.loaders.common import CODE
from app.registry.reader import RawSheet
from app.registry.result import RowError, SheetCounts
from app.registry.values import indicator, integer_between, non_negative, scope_type

YEAR = integer_between(2000, 2100)
MONTH = integer_between(1, 12)
SCOPE_SHEETS: dict[str, tuple[Any, str]] = {
    "township": (Township, "乡镇"),
    "village": (Village, "村"),
    "room": (LiveRoom, "直播间"),
    "brand": (Brand, "品牌"),
    "streamer": (Streamer, "主播"),
}


def known_counties() -> set[str]:
    """County names the registry knows, from townships and brands (县区 columns)."""
    townships = db.session.scalars(db.select(Township.county).distinct())
    brands = db.session.scalars(db.select(Brand.county).where(Brand.county.is_not(None)))
    return {name for name in [*townships, *brands] if name}


def scope_codes() -> dict[str, set[str]]:
    """Valid scope codes per scope type; the county is written by its name (高新区)."""
    codes = {
        scope: set(db.session.scalars(db.select(model.code)))
        for scope, (model, _sheet) in SCOPE_SHEETS.items()
    }
    codes["county"] = known_counties()
    return codes


def scope_code_known(scope: str, code: str) -> bool:
    """Whether a target's scope code names a registered township, room, … (or county)."""
    if scope == "county":
        return code in known_counties()
    model, _sheet = SCOPE_SHEETS[scope]
    return db.session.scalar(db.select(model.id).where(model.code == code)) is not None


def load_targets(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    counts = SheetCounts()
    valid = scope_codes()
    existing = {
        (t.year, t.month, t.scope_type, t.scope_code, t.indicator): t
        for t in db.session.scalars(db.select(Target))
    }
    seen: dict[Any, int] = {}
    for row in sheet.rows:
        cells = Cells(sheet.name, row, errors)
        year = cells.get("年度", YEAR, required=True)
        month = cells.get("月份", MONTH)
        scope = cells.get("范围类型", scope_type, required=True)
        code = cells.get("范围编码", CODE, required=True)
        what = cells.get("指标", indicator, required=True)
        value = cells.get("目标值", non_negative, required=True)
        if scope is not None and code is not None and code not in valid[scope]:
            cells.fail("范围编码", scope_message(scope, code))
        key = (year, month, scope, code, what)
        if None not in (year, scope, code, what):
            cells.duplicate("指标", key, seen, "年度、月份、范围和指标")
        if not cells.ok or None in (year, scope, code, what, value):
            counts.add("rejected")
            continue
        target = existing.get(key)
        if target is None:
            target = Target(
                year=year,
                month=month,
                scope_type=scope,
                scope_code=code,
                indicator=what,
                value=value,
            )
            db.session.add(target)
            existing[key] = target
            counts.add("inserted")
        elif target.value != value:
            target.value = value
            counts.add("updated")
        else:
            counts.add("unchanged")
    db.session.flush()
    return counts


def scope_message(scope: str, code: str) -> str:
    if scope == "county":
        return f"县区“{code}”不存在：县级目标的范围编码请填写“乡镇”表中的县区名称"
    _model, sheet = SCOPE_SHEETS[scope]
    return f"范围编码“{code}”不存在，请先在“{sheet}”表中登记"
