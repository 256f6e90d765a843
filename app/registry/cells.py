"""Typed access to one sheet row that records a RowError for every unusable cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from app.registry.reader import SheetRow
from app.registry.result import RowError
from app.registry.values import CellError, is_blank, text


def shown(value: Any) -> str:
    """A cell value as the clerk typed it, shortened for messages."""
    if isinstance(value, dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    result = text(value)
    return result if len(result) <= 40 else result[:40] + "…"


class Cells:
    """One row of one sheet; `ok` turns False as soon as a cell is refused."""

    def __init__(self, sheet: str, row: SheetRow, errors: list[RowError]) -> None:
        self.sheet = sheet
        self.row = row
        self._errors = errors
        self.ok = True

    def present(self, column: str) -> bool:
        """Whether the sheet has this column (an absent optional column leaves data alone)."""
        return column in self.row.values

    def raw(self, column: str) -> Any:
        return self.row.values.get(column, "")

    def fail(self, column: str | None, message: str) -> None:
        value = shown(self.raw(column)) if column else None
        self._errors.append(RowError(self.sheet, self.row.number, column, value, message))
        self.ok = False

    def get(
        self, column: str, parse: Callable[[Any], Any] = text, *, required: bool = False
    ) -> Any:
        """The parsed cell, or None when blank (an error too if `required`) or refused."""
        raw = self.raw(column)
        if is_blank(raw):
            if required:
                self.fail(column, f"“{column}”不能为空")
            return None
        try:
            return parse(raw)
        except CellError as exc:
            self.fail(column, f"{column}“{shown(raw)}”{exc}")
            return None

    def ref(self, column: str, known: Mapping[str, int], sheet: str, *, required: bool) -> Any:
        """The id behind a code written in `column`, or None (an error when it is unknown)."""
        code = self.get(column, required=required)
        if code is None:
            return None
        found = known.get(code)
        if found is None:
            self.fail(column, f"{column}“{code}”不存在，请先在“{sheet}”表中登记")
        return found

    def duplicate(
        self, column: str, key: Any, seen: dict[Any, int], what: str | None = None
    ) -> bool:
        """Refuse a row whose key already appeared in this sheet; remember it otherwise."""
        first = seen.get(key)
        if first is not None:
            self.fail(column, f"与本表第 {first} 行重复（{what or column}相同），请删除其中一行")
            return True
        seen[key] = self.row.number
        return False
