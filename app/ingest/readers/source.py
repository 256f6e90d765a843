"""What every reader gives: a table's header rows and batches of raw cell text."""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import numpy as np
import pandas as pd

HEADER_SCAN_ROWS = 20  # the header may sit below a title or info line (FORMATS.md rule 12)
_TOTALS = re.compile(r"^[\s\u3000]*(合[\s\u3000]*计|总[\s\u3000]*计)")


class ColumnCount(NamedTuple):
    """A row the parser could not split: how many cells it had and how many the header has.

    Only the counts travel: the row's cells are buyers' names, phones and addresses.
    """

    found: int
    expected: int


@dataclass
class RawBatch:
    """Raw cell text of the requested columns for a slice of data rows."""

    frame: pd.DataFrame  # columns named as requested, dtype str, missing cells NA
    rows: np.ndarray  # 1-based spreadsheet row number of each frame row
    progress: float  # fraction of the file consumed
    unreadable: list[tuple[int, ColumnCount]] = field(default_factory=list)  # rows skipped
    totals: int = 0  # 合计/总计 rows the parser skipped before they reached the frame
    blanks: int = 0  # blank rows the parser skipped


class Source(Protocol):
    """One table of a file: its header row and its data rows as text."""

    name: str
    headers: list[str]
    head_rows: list[list[str]]  # the first HEADER_SCAN_ROWS rows, as text
    header_index: int  # which of them is the header
    total_rows: int | None

    def use_header(self, index: int) -> None: ...

    def batches(
        self, columns: dict[str, int], chunk_rows: int
    ) -> Generator[RawBatch, None, None]: ...


def default_header(rows: list[list[str]]) -> int:
    """Where the header is when no format recognises one: the first row with three filled
    cells (a title line has one), else the fullest row."""
    best, best_filled = 0, 0
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        filled = sum(1 for cell in row if cell and cell.strip())
        if filled >= 3:
            return index
        if filled > best_filled:
            best, best_filled = index, filled
    return best


def is_totals_label(text: str | None) -> bool:
    """A 合计/总计 label (a totals row at the end of a file, FORMATS.md rule 13)."""
    return bool(text) and _TOTALS.match(text) is not None  # type: ignore[arg-type]
