"""Workbooks: .xlsx/.xlsm and encrypted OOXML read streaming; legacy .xls with python-calamine.

Only cached cell values are read: formulas never run and external links are never followed.
Guards run first (guards.check_zip), so no parser sees an archive that would inflate absurdly
or a workbook carrying macros; a sheet's XML is inflated under the same limits as it is read,
and refused when its cells reach too far (sheet_xml.check_extent).

An OOXML sheet is never loaded whole: its first rows are read to find the header, then its XML
streams past in pieces of whole rows and only the columns the format needs are decoded
(sheet_xml), so memory stays flat whatever the number of rows or columns. The workbook's parts
are read by workbook.Workbook, a second reading of the same columns replays a spill file
(xlsx_spill), and a legacy .xls is read whole (xls_source.XlsSource, importable from here too).
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Generator, Iterator
from pathlib import Path

import pandas as pd

from app.wording import N_, say

from ..errors import ImportFileError
from .guards import check_zip, decrypt, sniff
from .prefetch import prefetch
from .sheet_extent import check_dimension
from .sheet_xml import Piece, cell_text, check_extent, fast_piece, slow_piece
from .source import HEADER_SCAN_ROWS, RawBatch, default_header
from .workbook import Workbook, _trim
from .xls_source import XlsSource, _calamine_sheets
from .xlsx_spill import _rows_from, _Spill, _take

__all__ = ["XlsSource", "XlsxSource", "cell_text", "open_workbook_sheets"]

_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row>")
_SHEET_DATA = re.compile(rb"<([\w.-]+:)?sheetData[\s/>]")
_UTF16 = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
HEAD_BYTES = 1 << 20  # the first rows are looked for in this much sheet XML, then more


def open_workbook_sheets(
    path: Path, password: str | None, kind: str
) -> Iterator[XlsxSource | XlsSource]:
    """One source per non-empty visible worksheet, in workbook order."""
    payload: Path | bytes = path
    if kind == "ole2":
        plain = decrypt(path, password)
        if plain is not None:
            payload = plain
    zipped = (
        payload.startswith(b"PK\x03\x04") if isinstance(payload, bytes) else sniff(payload) == "zip"
    )
    if zipped:
        check_zip(payload, sheets=False)
        book = Workbook(payload)
        for name, part in book.sheets:
            source = XlsxSource(name, book, part)
            if source.headers:
                yield source
        return
    yield from _calamine_sheets(payload)


def _whole_rows(pieces: Iterator[tuple[bytes, float]]) -> Iterator[tuple[bytes, float]]:
    """Pieces cut after their last `</row>`: each holds whole rows only."""
    carry = b""
    progress = 0.0
    for piece, progress in pieces:
        data = carry + piece if carry else piece
        cut = _last_row_end(data)
        if cut < 0:
            carry = data
            continue
        carry = data[cut:]
        yield data[:cut], progress
    if carry:
        yield carry, 1.0


def _last_row_end(data: bytes) -> int:
    window = 1 << 16
    while True:
        start = max(0, len(data) - window)
        last = None
        for match in _ROW_END.finditer(data, start):
            last = match
        if last is not None:
            return last.end()
        if start == 0:
            return -1
        window *= 8


class XlsxSource:
    """One OOXML worksheet: the header found in its first rows, then its rows streamed."""

    def __init__(self, name: str, book: Workbook, part: str) -> None:
        self.name = name
        self.book = book
        self.part = part
        self.prefixed = False  # tags written `<x:c>`: set by _head
        self._spill: _Spill | None = None
        self.first_row, self.first_col, self.head_rows, self.last_row = self._head()
        self.use_header(default_header(self.head_rows))

    def use_header(self, index: int) -> None:
        """Take row `index` (0-based) of the first rows as the header (title lines above it)."""
        self.header_index = index
        self.headers = _trim(list(self.head_rows[index])) if self.head_rows else []
        below = self.first_row + index
        self.total_rows: int | None = (
            max(self.last_row - below, 0) if self.headers and self.last_row else None
        )
        if not self.headers:
            self.total_rows = 0

    def batches(self, columns: dict[str, int], chunk_rows: int) -> Generator[RawBatch, None, None]:
        wanted = {self.first_col + idx: idx for idx in sorted(set(columns.values()))}
        first = self.first_row + self.header_index + 1  # spreadsheet row of the first data row
        pending: list[Piece] = []
        held = 0
        progress = 0.0
        spill = self._spill
        if spill is not None and spill.covers(wanted, first):
            pieces = spill.replay(wanted)
        else:
            pieces = self._record(self._pieces(wanted), wanted, first)
        for piece, progress in itertools.chain(pieces, [(None, 1.0)]):
            if piece is not None:
                if len(piece.rows):
                    pending.append(piece)
                    held += len(piece.rows)
            while held >= chunk_rows or (piece is None and held):
                part, pending, held = _take(pending, chunk_rows, wanted)
                frame = pd.DataFrame(
                    {key: part.columns[self.first_col + idx].to_pandas()
                     for key, idx in columns.items()}
                )  # fmt: skip
                done = piece is None and not held
                yield RawBatch(frame, part.rows, 1.0 if done else min(progress, 0.99))

    def _record(
        self, pieces: Iterator[tuple[Piece, float]], wanted: dict[int, int], first: int
    ) -> Iterator[tuple[Piece, float]]:
        """The data rows of each piece, kept in a spill file as they pass: a second reading
        of the same columns (a format's whole-file prepass, then the import) replays it."""
        spill = _Spill(list(wanted), first)
        try:
            for piece, progress in pieces:
                keep = piece.rows >= first
                if not keep.all():
                    piece = _rows_from(piece, keep)
                spill.add(piece, progress)
                yield piece, progress
        except BaseException:
            spill.close()
            raise
        if spill.complete():
            if self._spill is not None:
                self._spill.close()
            self._spill = spill
            weakref.finalize(self, spill.close)  # the file goes with the source

    def _pieces(self, wanted: dict[int, int]) -> Iterator[tuple[Piece, float]]:
        """The sheet's rows, parsed a piece at a time while the next piece inflates."""
        shared = self.book.shared
        at = [0, 0]
        last_row = last_col = 0
        inflated = prefetch(_whole_rows(self._checked(self.book.stream(self.part))), 2)
        for data, progress in inflated:
            piece = fast_piece(data, wanted, shared, self.book.styles, at, self.prefixed)
            last_row, last_col = max(last_row, piece.last_row), max(last_col, piece.last_col)
            check_extent(last_row, last_col)
            yield piece, progress

    def _checked(self, pieces: Iterator[tuple[bytes, float]]) -> Iterator[tuple[bytes, float]]:
        """The first piece checked for an absurd declared range and for UTF-16."""
        first = True
        for piece, progress in pieces:
            if first:
                first = False
                if piece.startswith(_UTF16):
                    raise ImportFileError(
                        say(_MALFORMED_SHEET, detail=say(N_("使用了 UTF-16 编码"))),
                        code="sheet_malformed",
                    )
                check_dimension(piece[: 1 << 16])
            yield piece, progress

    def _head(self) -> tuple[int, int, list[list[str]], int]:
        """First row and column with a value, the first rows as text, the declared last row."""
        data = b""
        last_declared = 0
        stream = self._checked(self.book.stream(self.part))
        try:
            for piece, _ in stream:
                data += piece
                if len(_ROW_END.findall(data)) > HEADER_SCAN_ROWS * 2 or len(data) > 64 << 20:
                    break
        finally:
            stream.close()  # type: ignore[attr-defined]
        last_declared = _declared_last_row(data[: 1 << 16])
        cut = _last_row_end(data)
        if cut < 0:
            return 1, 0, [], 0
        found = _SHEET_DATA.search(data)
        self.prefixed = bool(found and found.group(1))
        ends = list(itertools.islice(_ROW_END.finditer(data), HEADER_SCAN_ROWS * 2))
        cut = min(cut, ends[-1].end()) if ends else cut
        body = data[found.end() if found else 0 : cut]
        parsed = slow_piece(body, None, self.book.shared, self.book.styles, [0, 0])
        rows: dict[int, dict[int, str]] = {}
        for col, values in parsed.columns.items():
            for number, value in zip(parsed.rows.tolist(), values.to_pylist(), strict=True):
                text = "" if value is None else value.strip()
                if text:
                    rows.setdefault(number, {})[col] = text
        if not rows:
            return 1, 0, [], 0
        first_row = min(rows)
        first_col = min(min(cells) for cells in rows.values())
        width = max(max(cells) for cells in rows.values()) - first_col + 1
        head = []
        for number in range(first_row, first_row + HEADER_SCAN_ROWS):
            cells = rows.get(number, {})
            head.append([cells.get(first_col + i, "") for i in range(width)])
        while head and not any(head[-1]):
            head.pop()
        return first_row, first_col, head, last_declared


_MALFORMED_SHEET = N_(
    "Excel 文件内部结构异常（{detail}），不是平台或 Excel 正常保存的工作簿，已拒绝。"
    "请从平台重新导出原始文件，或用 Excel/WPS 另存为 .xlsx 后上传。"
)
_DIMENSION_LAST = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _declared_last_row(head: bytes) -> int:
    match = _DIMENSION_LAST.search(head)
    return int(match.group(1)) if match else 0
