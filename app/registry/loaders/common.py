"""Helpers every sheet loader shares: code → id maps, upsert by code, change detection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.extensions import db
from app.registry.cells import Cells
from app.registry.reader import RawSheet
from app.registry.result import RowError, SheetCounts
from app.registry.values import limited

CODE = limited(64)
NAME = limited(200)


def code_map(model: Any) -> dict[str, int]:
    """{code: id} for every row of a coded registry table, in one query."""
    return dict(db.session.execute(db.select(model.code, model.id)).tuples().all())


def assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def put(values: dict[str, Any], cells: Cells, column: str, field: str, value: Any) -> None:
    """Record `field` only when the sheet has `column`: an absent column leaves data alone."""
    if cells.present(column):
        values[field] = value


def upsert_by_code(
    sheet: RawSheet,
    errors: list[RowError],
    model: Any,
    key_column: str,
    build: Callable[[Cells], dict[str, Any]],
    check: Callable[[Cells, str, dict[str, Any]], None] | None = None,
) -> SheetCounts:
    """Insert or update one `model` per row, keyed by the code in `key_column`.

    `build` turns a row into field values (recording cell errors on the way); `check`, when
    given, applies rules that need the code and the values (uniqueness of other keys).
    """
    counts = SheetCounts()
    existing = {obj.code: obj for obj in db.session.scalars(db.select(model))}
    seen: dict[Any, int] = {}
    for row in sheet.rows:
        cells = Cells(sheet.name, row, errors)
        code = cells.get(key_column, CODE, required=True)
        if code is not None:
            cells.duplicate(key_column, code, seen)
        values = build(cells)
        if code is not None and cells.ok and check is not None:
            check(cells, code, values)
        if code is None or not cells.ok:
            counts.add("rejected")
            continue
        obj = existing.get(code)
        if obj is None:
            obj = model(code=code, **values)
            db.session.add(obj)
            existing[code] = obj
            counts.add("inserted")
        else:
            counts.add("updated" if assign(obj, values) else "unchanged")
    db.session.flush()
    return counts
