"""Errors the ingest layer reports: a whole file rejected, or one row left out.

Each carries a stable snake-case `code` (SPEC §6 "Import failures are codes") beside its
message: pages, scripts and the API branch on the code, the message is for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.wording import N_, Wording

EMPTY_FILE = N_("文件是空的，没有任何内容。请确认导出成功后再上传。")


def _pair(message: str | Wording) -> tuple[str, str]:
    """Chinese and English of a message (a plain string has no English of its own)."""
    if isinstance(message, Wording):
        return message.zh, message.en
    return message, message


class ImportFileError(Exception):
    """The whole file is rejected; the message says why and what to do."""

    def __init__(self, message: str | Wording, code: str = "file_rejected") -> None:
        self.message, self.message_en = _pair(message)
        super().__init__(self.message)
        self.code = code


@dataclass(frozen=True, slots=True)
class RowError:
    """One data row left out of the import, with the cell that caused it (never the whole row)."""

    row: int
    column: str
    value: str
    message: str
    code: str = "bad_value"
    message_en: str = ""

    @classmethod
    def said(cls, row: int, column: str, value: str, wording: Wording, code: str) -> RowError:
        return cls(row, column, value, wording.zh, code, wording.en)

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "message": self.message,
        }


@dataclass(slots=True)
class Note:
    """Something an import says about its file besides row errors, once, with a count."""

    code: str
    message: str
    count: int = 1
    message_en: str = ""
    once: bool = False  # said once per file however often it is met (no count)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en or self.message,
            "count": self.count,
        }


class Notes:
    """An import's notes: the same note (code and message) added again counts up, unless it
    is said `once` per file."""

    def __init__(self) -> None:
        self._notes: dict[tuple[str, str], Note] = {}

    def add(self, code: str, message: str | Wording, count: int = 1, *, once: bool = False) -> None:
        chinese, english = _pair(message)
        self._add(Note(code, chinese, count, english, once))

    def _add(self, note: Note) -> None:
        key = (note.code, note.message)
        if key not in self._notes:
            self._notes[key] = note
        elif not note.once:
            self._notes[key].count += note.count

    def of_part(self) -> list[dict[str, object]]:
        """The notes as one part of a file gave them, to add to the others' (`add_part`)."""
        return [{**note.as_dict(), "once": note.once} for note in self._notes.values()]

    def add_part(self, notes: list[dict[str, Any]]) -> None:
        """Another part's notes (`of_part`): counts add up, a once-per-file note stays once."""
        for note in notes:
            self._add(
                Note(
                    str(note["code"]),
                    str(note["message"]),
                    int(note["count"]),
                    str(note["message_en"]),
                    bool(note["once"]),
                )
            )

    def has(self, code: str) -> bool:
        return any(key[0] == code for key in self._notes)

    def messages(self) -> list[str]:
        return [note.message for note in self._notes.values()]

    def as_list(self) -> list[dict[str, object]]:
        return [note.as_dict() for note in self._notes.values()]
