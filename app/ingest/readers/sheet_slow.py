"""A piece of worksheet XML read tag by tag: every `<row>` and `<c>` in turn.

The way that reads whatever a writer wrote (prefixed tags, cells without references, single
quotes): the first rows, where the header is looked for, and any piece the vectorised reading
(sheet_xml.fast_piece) does not recognise. `Piece` is what either way gives; `check_extent`
refuses a sheet whose cells reach too far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from app.wording import N_, say

from ..cells import TEXT
from ..errors import ImportFileError
from . import sheet_extent
from .sheet_cells import _ATTR, Styles, decode_cell, element_value


def check_extent(rows: int, cols: int) -> None:
    """The dense range A1:<last cell> a sheet claims by its cells (what Excel would lay out)."""
    limits = sheet_extent
    if rows > limits.MAX_ROWS or cols > limits.MAX_COLS or rows * cols > limits.MAX_CELLS:
        detail = say(
            N_("{rows} 行 × {cols} 列，{cells} 个单元格"), rows=rows, cols=cols, cells=rows * cols
        )
        raise ImportFileError(say(limits._SHEET_TOO_BIG, detail=detail), code="sheet_too_large")


@dataclass
class Piece:
    """The wanted columns of the rows of one piece (rows in sheet order)."""

    rows: np.ndarray  # 1-based spreadsheet row numbers
    columns: dict[int, pa.Array]  # 0-based column index -> text of each row (null: no value)
    last_row: int = 0
    last_col: int = 0


_TAG = re.compile(rb"<(?:[\w.-]+:)?(c|row)(?=[\s/>])([^<>]*?)(/?)>")
_REF = re.compile(rb"([A-Za-z]{1,3})(\d+)")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")


def slow_piece(
    data: bytes,
    wanted: dict[int, int] | None,
    shared: pa.Array,
    styles: Styles,
    at: list[int],
) -> Piece:
    """Every `<row>` and `<c>` of the piece read one by one (`at`: the last row, column).

    `wanted` None reads every column (the first rows, where the header is looked for).
    """
    row_numbers: list[int] = []
    values: dict[int, dict[int, str | None]] = {col: {} for col in wanted or ()}
    last_row = last_col = 0
    pos = 0
    while match := _TAG.search(data, pos):
        name, raw, closed = match.groups()
        pos = match.end()
        attrs = {k.split(b":")[-1]: d or s for k, d, s in _ATTR.findall(raw)}
        if name == b"row":
            ref = attrs.get(b"r")
            at[0] = int(ref) if ref and ref.isdigit() else at[0] + 1
            at[1] = 0
            continue
        ref = attrs.get(b"r")
        found = _REF.fullmatch(ref) if ref else None
        if found:
            at[0], at[1] = int(found.group(2)), _col_number(found.group(1).upper())
        else:
            at[0], at[1] = max(at[0], 1), at[1] + 1
        last_row, last_col = max(last_row, at[0]), max(last_col, at[1])
        check_extent(last_row, last_col)
        if not row_numbers or row_numbers[-1] != at[0]:
            row_numbers.append(at[0])
        if closed:
            continue
        end = _CELL_END.search(data, pos)
        content = data[pos : end.start() if end else len(data)]
        pos = end.end() if end else len(data)
        col = at[1] - 1
        if wanted is not None and col not in wanted:
            continue
        kind = (attrs.get(b"t") or b"n").decode(errors="replace")
        style = attrs.get(b"s") or b"0"
        text = element_value(kind, content)
        values.setdefault(col, {})[at[0]] = decode_cell(
            kind, int(style) if style.isdigit() else 0, text, shared, styles
        )
    rows = np.array(sorted(set(row_numbers)), np.int64)
    columns = {
        col: pa.array([cells.get(int(r)) for r in rows], TEXT) for col, cells in values.items()
    }
    return Piece(rows, columns, last_row, last_col)


def _col_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number
