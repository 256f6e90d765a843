"""Legacy .xls (BIFF) worksheets, read whole with python-calamine.

A .xls holds at most 65,536 rows, so the sheet is loaded at once and its needed columns are
converted to arrow text in one pass. Also the whole-sheet reader the benchmark compares with.
"""

from __future__ import annotations

import io
import itertools
import operator
from collections.abc import Generator, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import python_calamine as calamine

from ..cells import TEXT
from .sheet_xml import cell_text
from .source import HEADER_SCAN_ROWS, RawBatch, default_header
from .workbook import _trim, _unreadable


def _calamine_sheets(payload: Path | bytes) -> Iterator[XlsSource]:
    try:
        if isinstance(payload, bytes):
            book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(payload))
        else:
            book = calamine.CalamineWorkbook.from_path(str(payload))
        sheets = [
            m.name
            for m in book.sheets_metadata
            if m.visible == calamine.SheetVisibleEnum.Visible
            and m.typ == calamine.SheetTypeEnum.WorkSheet
        ]
    except calamine.CalamineError as exc:
        raise _unreadable(exc) from exc
    for name in sheets:
        try:
            sheet = book.get_sheet_by_name(name)
        except calamine.CalamineError as exc:
            raise _unreadable(exc) from exc
        source = XlsSource(name, sheet)
        if source.headers:
            yield source


class XlsSource:
    """One legacy (BIFF) worksheet: header row found in the first rows, data rows converted to
    text. A .xls holds at most 65,536 rows, and calamine holds the whole sheet in memory anyway,
    so the needed columns are converted to arrow text in one pass and the sheet is released.
    """

    def __init__(self, name: str, sheet: calamine.CalamineSheet) -> None:
        self.name = name
        self.sheet: calamine.CalamineSheet | None = sheet
        self.first_row = sheet.start[0] + 1 if sheet.start else 1  # spreadsheet row of row 0
        self.height = sheet.height
        self.head_rows = _head_rows(sheet)
        self._columns: dict[int, pa.ChunkedArray] = {}
        self.use_header(default_header(self.head_rows))

    def use_header(self, index: int) -> None:
        """Take row `index` (0-based) of the first rows as the header (title lines above it)."""
        self.header_index = index
        self.headers = _trim(list(self.head_rows[index])) if self.head_rows else []
        data_rows = self.height - index - 1 if self.headers else 0
        self.total_rows: int | None = max(data_rows, 0)
        self._columns = {}

    def batches(self, columns: dict[str, int], chunk_rows: int) -> Generator[RawBatch, None, None]:
        texts = self._read(sorted(set(columns.values())))
        total = len(next(iter(texts.values()))) if texts else 0
        first = self.first_row + self.header_index + 1
        for start in range(0, total, chunk_rows):
            count = min(chunk_rows, total - start)
            frame = pd.DataFrame(
                {key: texts[idx].slice(start, count).to_pandas() for key, idx in columns.items()}
            )
            rows = np.arange(first + start, first + start + count, dtype=np.int64)
            yield RawBatch(frame, rows, (start + count) / total)

    def _read(self, wanted: list[int]) -> dict[int, pa.ChunkedArray]:
        missing = [i for i in wanted if i not in self._columns]
        if missing and self.sheet is not None:
            self._columns.update(_convert(self.sheet, self.header_index, missing))
        for i in wanted:  # a column the sheet no longer holds
            self._columns.setdefault(i, pa.chunked_array([], TEXT))
        return {i: self._columns[i] for i in wanted}


def _convert(
    sheet: calamine.CalamineSheet, header_index: int, wanted: list[int]
) -> dict[int, pa.ChunkedArray]:
    """One pass over the rows: the wanted columns as arrow text, 50k rows per piece."""
    inside = [i for i in wanted if i < sheet.width]
    pieces: dict[int, list[pa.Array]] = {i: [] for i in wanted}
    rows_iter = sheet.iter_rows()
    for _ in range(header_index + 1):
        next(rows_iter, None)
    count = 0
    while block := list(itertools.islice(rows_iter, 50_000)):
        count += len(block)
        if not inside:
            continue
        pick = operator.itemgetter(*inside)
        picked = [pick(row) for row in block]
        columns = zip(*picked, strict=True) if len(inside) > 1 else [picked]
        for idx, values in zip(inside, columns, strict=True):
            pieces[idx].append(_column_text(list(values)))
    for idx in wanted:
        if idx not in inside:
            pieces[idx] = [pa.nulls(count, TEXT)]
    return {idx: pa.chunked_array(parts, TEXT) for idx, parts in pieces.items()}


def _head_rows(sheet: calamine.CalamineSheet) -> list[list[str]]:
    """The first rows as text: one of them is the header (FORMATS.md rule 12)."""
    rows = itertools.islice(sheet.iter_rows(), HEADER_SCAN_ROWS)
    return [["" if c is None else str(c).strip() for c in row] for row in rows]


def _column_text(values: list[object]) -> pa.Array:
    """Calamine cell values -> arrow text. Whole floats lose their `.0`; big ones stay
    scientific so a damaged id is recognisable; dates come out as YYYY-MM-DD HH:MM:SS."""
    try:
        return pa.array(values, type=TEXT)  # all text: the usual case
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([v if type(v) is str else cell_text(v) for v in values], TEXT)
