"""The outcome of loading a registry workbook: counts per sheet and every rejected row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RowError:
    """Why a row (or, with `row` None, a whole sheet) was left out."""

    sheet: str
    row: int | None
    column: str | None
    value: str | None
    message: str


@dataclass
class SheetCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class LoadResult:
    file: str
    sheets: dict[str, SheetCounts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(counts.rejected for counts in self.sheets.values())

    def totals(self) -> SheetCounts:
        total = SheetCounts()
        for counts in self.sheets.values():
            for name in ("inserted", "updated", "unchanged", "rejected"):
                setattr(total, name, getattr(total, name) + getattr(counts, name))
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheets": {name: asdict(counts) for name, counts in self.sheets.items()},
            "totals": asdict(self.totals()),
            "errors": [asdict(error) for error in self.errors],
        }
