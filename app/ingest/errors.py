"""Errors the ingest layer reports: a whole file rejected, or one row left out.

Each carries a stable snake-case `code` (SPEC §6 "Import failures are codes") beside its
message: pages, scripts and the API branch on the code, the message is for people.
"""

from __future__ import annotations

from dataclasses import dataclass


class ImportFileError(Exception):
    """The whole file is rejected; the message (Chinese) says why and what to do."""

    def __init__(self, message: str, code: str = "file_rejected") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class RowError:
    """One data row left out of the import, with the cell that caused it (never the whole row)."""

    row: int
    column: str
    value: str
    message: str
    code: str = "bad_value"

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "message": self.message,
        }
