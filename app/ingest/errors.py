"""Errors the ingest layer reports: a whole file rejected, or one row left out."""

from __future__ import annotations

from dataclasses import dataclass


class ImportFileError(Exception):
    """The whole file is rejected; the message (Chinese) says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class RowError:
    """One data row left out of the import, with the cell that caused it."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }
