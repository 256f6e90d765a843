"""What happened to a line: the import that inserted it and each import that changed it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from app.extensions import db
from app.metrics.lines import LineRow
from app.models import LiveRoom, Product, SalesImport
from app.models.sales import LineChange

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class HistoryEntry:
    """One import that inserted or changed a line: what it changed (field: (before, after))."""

    import_id: int
    file_name: str
    at: dt.datetime  # naive UTC
    kind: Literal["inserted", "changed"]
    changes: dict[str, tuple[Any, Any]]


def line_history(line: LineRow) -> list[HistoryEntry]:
    """The import that inserted the line, then each import that changed it, oldest first."""
    first = db.session.execute(
        select(SalesImport.file_name, SalesImport.created_at).where(
            SalesImport.id == line.first_import_id
        )
    ).first()
    entries = []
    if first is not None:
        entries.append(HistoryEntry(line.first_import_id, first[0], first[1], "inserted", {}))
    changes = db.session.execute(
        select(LineChange, SalesImport.file_name)
        .join(SalesImport, SalesImport.id == LineChange.import_id)
        .where(LineChange.line_id == line.id)
        .order_by(LineChange.id)
    ).all()
    codes = _codes_in([change for change, _ in changes])
    for change, file_name in changes:
        changed = {
            name: (_readable(name, before, codes), _readable(name, change.after.get(name), codes))
            for name, before in change.before.items()
            if before != change.after.get(name)
        }
        entries.append(
            HistoryEntry(change.import_id, file_name, change.changed_at, "changed", changed)
        )
    return entries


def _codes_in(changes: list[LineChange]) -> dict[str, dict[int, str]]:
    """Codes of the products and rooms the history mentions, by id."""
    wanted: dict[str, set[int]] = {"product_id": set(), "room_id": set()}
    for change in changes:
        for snapshot in (change.before, change.after):
            for name, ids in wanted.items():
                if snapshot.get(name) is not None:
                    ids.add(int(snapshot[name]))
    codes: dict[str, dict[int, str]] = {}
    for name, model in (("product_id", Product), ("room_id", LiveRoom)):
        rows = db.session.execute(select(model.id, model.code).where(model.id.in_(wanted[name])))
        codes[name] = {row_id: code for row_id, code in rows}
    return codes


def _readable(name: str, value: Any, codes: dict[str, dict[int, str]]) -> Any:
    """A history value as a person reads it: money in 元, products and rooms by code."""
    if value is None:
        return None
    if name in ("paid_amount", "refund_amount"):
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
    if name in codes:
        return codes[name].get(int(value), str(value))
    return value
