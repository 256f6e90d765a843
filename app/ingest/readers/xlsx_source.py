"""Workbooks: .xlsx/.xlsm and encrypted OOXML read streaming; legacy .xls with python-calamine.

Only cached cell values are read: formulas never run and external links are never followed.
Guards run first (guards.check_zip), so no parser sees an archive that would inflate absurdly
or a workbook carrying macros; a sheet's XML is inflated under the same limits as it is read,
and refused when its cells reach too far (sheet_xml.check_extent).

An OOXML sheet is never loaded whole: its first rows are read to find the header, then its XML
streams past in pieces of whole rows and only the columns the format needs are decoded
(sheet_xml), so memory stays flat whatever the number of rows or columns.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import operator
import posixpath
import re
import tempfile
import weakref
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import python_calamine as calamine

from app.wording import N_, say

from ..cells import TEXT
from ..errors import ImportFileError
from .guards import check_zip, decrypt, sniff, stream_entry
from .prefetch import prefetch
from .sheet_extent import check_dimension
from .sheet_xml import (
    Piece,
    Styles,
    cell_text,
    check_extent,
    fast_piece,
    slow_piece,
    style_kinds,
    unescape,
)
from .source import HEADER_SCAN_ROWS, RawBatch, default_header

__all__ = ["XlsSource", "XlsxSource", "cell_text", "open_workbook_sheets"]

_UNREADABLE = N_(
    "Excel 文件无法读取（{detail}）。请确认文件完整，或在 Excel/WPS 中另存为 .xlsx 后重新上传。"
)
_REL_DOC = "/officeDocument"
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


def _unreadable(exc: Exception) -> ImportFileError:
    return ImportFileError(say(_UNREADABLE, detail=exc), code="unreadable_workbook")


# ---- OOXML, streaming -------------------------------------------------------------------------


class Workbook:
    """The parts of an OOXML workbook a reader needs: its sheets, styles and shared strings."""

    def __init__(self, payload: Path | bytes) -> None:
        self.payload = payload
        try:
            with self.open() as fh:
                archive = zipfile.ZipFile(fh)
                self.infos = {info.filename: info for info in archive.infolist()}
                main = self._main_part(archive)
                self.sheets, shared_part, styles_part, self.date1904 = self._workbook(archive, main)
                self.styles = self._styles(archive, styles_part)
                self.shared_part = shared_part
        except (zipfile.BadZipFile, ET.ParseError, KeyError, ValueError) as exc:
            raise _unreadable(exc) from exc
        self._shared: pa.Array | None = None

    def open(self) -> BinaryIO:
        if isinstance(self.payload, bytes):
            return io.BytesIO(self.payload)
        return open(self.payload, "rb")

    @property
    def shared(self) -> pa.Array:
        """The shared strings, read once when a sheet first needs them."""
        if self._shared is None:
            self._shared = self._read_shared()
        return self._shared

    def stream(self, part: str) -> Iterator[tuple[bytes, float]]:
        """A part's inflated bytes in pieces, under the archive limits, with progress."""
        info = self.infos.get(part)
        if info is None:
            return
        with self.open() as fh:
            yield from stream_entry(fh, info)

    def _main_part(self, archive: zipfile.ZipFile) -> str:
        for rel in _rels(archive, "_rels/.rels", ""):
            if rel[1].endswith(_REL_DOC):
                return rel[2]
        return "xl/workbook.xml"

    def _workbook(
        self, archive: zipfile.ZipFile, main: str
    ) -> tuple[list[tuple[str, str]], str | None, str | None, bool]:
        base = posixpath.dirname(main)
        rels = {rid: (kind, target) for rid, kind, target in _rels(archive, _rels_of(main), base)}
        root = ET.fromstring(archive.read(main))
        sheets = []
        for node in root.iter():
            if _local(node.tag) != "sheet":
                continue
            rid = next((v for k, v in node.attrib.items() if _local(k) == "id"), None)
            kind, target = rels.get(rid or "", ("", ""))
            state = node.get("state", "visible")
            if kind.endswith("/worksheet") and state == "visible" and target in self.infos:
                sheets.append((node.get("name", ""), target))
        date1904 = any(
            _local(n.tag) == "workbookPr" and n.get("date1904", "0") in ("1", "true")
            for n in root.iter()
        )
        shared = next((t for k, t in rels.values() if k.endswith("/sharedStrings")), None)
        styles = next((t for k, t in rels.values() if k.endswith("/styles")), None)
        return sheets, shared, styles, date1904

    def _styles(self, archive: zipfile.ZipFile, part: str | None) -> Styles:
        if not part or part not in self.infos:
            return Styles(date1904=self.date1904)
        root = ET.fromstring(archive.read(part))
        custom: dict[int, str] = {}
        xfs: list[int] = []
        for node in root:
            if _local(node.tag) == "numFmts":
                for fmt in node:
                    if fmt.get("numFmtId", "").isdigit():
                        custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
            elif _local(node.tag) == "cellXfs":
                for xf in node:
                    value = xf.get("numFmtId", "0")
                    xfs.append(int(value) if value.isdigit() else 0)
        return Styles(style_kinds(xfs, custom), self.date1904)

    def _read_shared(self) -> pa.Array:
        part = self.shared_part
        if not part or part not in self.infos:
            return pa.array([], TEXT)
        texts: list[str] = []
        parser: ET.XMLPullParser = ET.XMLPullParser(events=("end",))
        for data, _ in self.stream(part):
            parser.feed(data)
            for event in parser.read_events():
                node: object = event[-1]
                if not isinstance(node, ET.Element) or _local(node.tag) != "si":
                    continue
                parts = []
                for child in node:
                    name = _local(child.tag)
                    if name == "t":
                        parts.append(child.text or "")
                    elif name == "r":
                        parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
                texts.append(unescape("".join(parts)))
                node.clear()
        parser.close()
        return pa.array(texts, TEXT)


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _rels(archive: zipfile.ZipFile, part: str, base: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of a relationships part; missing part: none."""
    try:
        root = ET.fromstring(archive.read(part))
    except KeyError:
        return []
    out = []
    for node in root:
        target = node.get("Target", "")
        if node.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out.append((node.get("Id", ""), node.get("Type", ""), posixpath.normpath(full)))
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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


class _Spill:
    """Pieces of data rows written to an anonymous temporary file as Arrow IPC, read back a
    piece at a time: memory stays flat, and a second pass costs a file read, not a parse."""

    def __init__(self, columns: list[int], first: int) -> None:
        self.columns = columns
        self.first = first
        self.schema = pa.schema(
            [pa.field("row", pa.int64()), *(pa.field(f"c{c}", TEXT) for c in columns)]
        )
        self.file: BinaryIO | None = tempfile.TemporaryFile()  # noqa: SIM115 - kept open
        self.writer: pa.ipc.RecordBatchStreamWriter | None = pa.ipc.new_stream(
            pa.PythonFile(self.file, mode="w"), self.schema
        )
        self.progress: list[float] = []

    def add(self, piece: Piece, progress: float) -> None:
        if self.writer is None:
            return
        arrays = [pa.array(piece.rows), *(piece.columns[c].cast(TEXT) for c in self.columns)]
        self.writer.write_batch(pa.record_batch(arrays, schema=self.schema))
        self.progress.append(progress)

    def complete(self) -> bool:
        if self.writer is None or self.file is None:
            return False
        self.writer.close()
        self.writer = None
        return True

    def covers(self, wanted: dict[int, int], first: int) -> bool:
        return self.file is not None and first == self.first and set(wanted) <= set(self.columns)

    def replay(self, wanted: dict[int, int]) -> Iterator[tuple[Piece, float]]:
        assert self.file is not None
        self.file.seek(0)
        reader = pa.ipc.open_stream(pa.PythonFile(self.file, mode="r"))
        for batch, progress in zip(reader, self.progress, strict=True):
            rows = batch.column(0).to_numpy()
            columns = {c: batch.column(f"c{c}") for c in wanted}
            yield Piece(rows, columns), progress

    def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(pa.ArrowException, OSError):
                self.writer.close()
            self.writer = None
        if self.file is not None:
            self.file.close()
            self.file = None


def _rows_from(piece: Piece, keep: np.ndarray) -> Piece:
    index = pa.array(np.flatnonzero(keep))
    columns = {col: values.take(index) for col, values in piece.columns.items()}
    return Piece(piece.rows[keep], columns, piece.last_row, piece.last_col)


def _take(
    pending: list[Piece], count: int, wanted: dict[int, int]
) -> tuple[Piece, list[Piece], int]:
    """The first `count` rows of the pending pieces, and what is left."""
    rows = np.concatenate([p.rows for p in pending])
    columns = {
        col: pa.chunked_array([p.columns[col] for p in pending], TEXT).combine_chunks()
        for col in wanted
    }
    part = Piece(rows[:count], {col: values.slice(0, count) for col, values in columns.items()})
    rest_rows = rows[count:]
    if not len(rest_rows):
        return part, [], 0
    rest = Piece(rest_rows, {col: values.slice(count) for col, values in columns.items()})
    return part, [rest], len(rest_rows)


# ---- legacy .xls, with calamine ---------------------------------------------------------------


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


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _column_text(values: list[object]) -> pa.Array:
    """Calamine cell values -> arrow text. Whole floats lose their `.0`; big ones stay
    scientific so a damaged id is recognisable; dates come out as YYYY-MM-DD HH:MM:SS."""
    try:
        return pa.array(values, type=TEXT)  # all text: the usual case
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([v if type(v) is str else cell_text(v) for v in values], TEXT)
