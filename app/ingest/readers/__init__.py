"""Raw file -> string cells. One source class per container (CSV, workbook sheet)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np
import pandas as pd

from .guards import sniff


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


class Source(Protocol):
    """One table of a file: its header row and its data rows as text."""

    name: str
    headers: list[str]
    total_rows: int | None

    def batches(
        self, columns: dict[str, int], chunk_rows: int
    ) -> Generator[RawBatch, None, None]: ...


def open_sources(path: Path, password: str | None = None) -> Iterator[Source]:
    """Every table the file offers, in order (one for CSV, one per non-empty sheet)."""
    kind = sniff(path)
    if kind == "text":
        from .csv_source import CsvSource

        yield CsvSource(path)
        return
    from .xlsx_source import open_workbook_sheets

    yield from open_workbook_sheets(path, password, kind)
