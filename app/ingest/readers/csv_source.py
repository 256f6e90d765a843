"""CSV exports read as text by pyarrow's streaming reader: needed columns only, flat memory."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from app.wording import N_, say

from ..cells import EMPTY, STRIP, TEXT
from ..errors import EMPTY_FILE, ImportFileError
from .prefetch import prefetch
from .source import HEADER_SCAN_ROWS, ColumnCount, RawBatch, default_header, is_totals_label

HEAD_BYTES = 1 << 20
BLOCK_BYTES = 1 << 20  # small blocks measured fastest and keep memory flat
_ENCODING_HELP = N_(
    "文件编码无法识别（既不是 UTF-8 也不是 GBK/GB18030）。"
    "请用 Excel 或 WPS 打开后另存为“CSV UTF-8”再上传。"
)
_NOT_TEXT = N_("无法识别的文件类型：既不是 CSV 也不是 Excel 工作簿。请上传平台导出的原始文件。")
T = TypeVar("T")
_BROKEN = N_(
    "CSV 文件格式有误（可能有未成对的引号，或某个单元格异常长），无法继续读取。"
    "请从平台重新导出原始文件，或用 Excel/WPS 打开后另存为 CSV 再上传。"
)


class CsvSource:
    """A delimited text export. Headers are read with Python's csv module, rows with pyarrow."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.size = path.stat().st_size
        self.total_rows: int | None = None
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
            if not head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n"):
                raise ImportFileError(say(EMPTY_FILE), code="empty_file")
            if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise ImportFileError(say(_NOT_TEXT), code="unknown_format")
            self.encoding = _detect_encoding(head, fh, complete=self.size <= HEAD_BYTES)
        text = _decode_head(head, self.encoding)
        self.delimiter = _delimiter(text.split("\n", HEADER_SCAN_ROWS)[:HEADER_SCAN_ROWS])
        self._records = list(
            itertools.islice(
                csv.reader(io.StringIO(text), delimiter=self.delimiter), HEADER_SCAN_ROWS + 52
            )
        )
        self.head_rows = [
            [cell.lstrip("\ufeff") for cell in record]
            for record in self._records[:HEADER_SCAN_ROWS]
        ]
        self.use_header(default_header(self.head_rows))

    def use_header(self, index: int) -> None:
        """Take row `index` (0-based) of the first rows as the header (title lines above it)."""
        self.header_index = index
        self.headers = self.head_rows[index] if self.head_rows else []
        sample = self._records[index + 1 : -1]
        self.width = len(self.headers) + _trailing_extra(sample, len(self.headers))

    def batches(self, columns: dict[str, int], chunk_rows: int) -> Generator[RawBatch, None, None]:
        names = [f"c{i}" for i in range(self.width)]
        unreadable: list[tuple[int, ColumnCount]] = []  # rows the parser skipped, in order
        skipped: list[int] = []  # their row numbers, for numbering the valid rows
        quiet: list[tuple[int, str]] = []  # short totals and blank rows: skipped, not errors

        def skip(row: pacsv.InvalidRow) -> str:
            kind = _short_row_kind(row.text or "", self.delimiter)
            if kind is not None:  # a 合计 row or `,,` written shorter than the header
                quiet.append((row.number or 0, kind))
                skipped.append(row.number or 0)
                return "skip"
            # The counts only: row.text is the whole line, buyers' names and phones included.
            found = row.actual_columns - (self.width - len(self.headers))
            unreadable.append((row.number or 0, ColumnCount(found, len(self.headers))))
            skipped.append(row.number or 0)
            return "skip"

        read = pacsv.ReadOptions(
            column_names=names,
            skip_rows=self.header_index + 1,
            block_size=BLOCK_BYTES,
            use_threads=False,  # row numbers of skipped rows need order
            encoding=self.encoding,
        )
        parse = pacsv.ParseOptions(
            delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=skip
        )
        convert = pacsv.ConvertOptions(
            include_columns=[names[i] for i in sorted(set(columns.values()))],
            column_types=dict.fromkeys(names, TEXT),
            # The common empty spellings become nulls while parsing (cheapest place for it);
            # cells.clean still catches every spelling, e.g. for workbooks.
            null_values=[*EMPTY, "\t"],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        )
        with pa.OSFile(str(self.path)) as fh:  # native reads: no GIL, cheap tell()
            try:
                reader = pacsv.open_csv(
                    fh, read_options=read, parse_options=parse, convert_options=convert
                )
                yield from self._chunks(
                    reader, fh, columns, names, chunk_rows, (unreadable, quiet), skipped
                )
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                # pyarrow has one error type for both: text that is not in the file's encoding
                # further down than the samples reached, or a broken file. Decoding tells.
                if isinstance(exc, UnicodeDecodeError) or not _file_decodes(
                    self.path, self.encoding
                ):
                    raise ImportFileError(say(_ENCODING_HELP), code="unknown_encoding") from exc
                # The parser's own text quotes the offending line (buyers' data): not shown.
                raise ImportFileError(say(_BROKEN), code="bad_csv") from exc

    def _chunks(
        self,
        reader: pacsv.CSVStreamingReader,
        fh: pa.NativeFile,
        columns: dict[str, int],
        names: list[str],
        chunk_rows: int,
        passed: tuple[list[tuple[int, ColumnCount]], list[tuple[int, str]]],
        skipped: list[int],
    ) -> Iterator[RawBatch]:
        unreadable, quiet = passed
        pending: list[pa.RecordBatch] = []
        held = emitted = reported = told = 0  # the lists grow in the parsing thread: only read
        first = self.header_index + 2  # spreadsheet row of the first data row
        # Each batch travels with the file position after it, so progress never runs ahead.
        positioned = ((batch, fh.tell()) for batch in reader)
        consumed = 0
        for batch, position in itertools.chain(prefetch(positioned, depth=64), [(None, 0)]):
            final = batch is None
            if batch is not None:
                pending.append(batch)
                held += batch.num_rows
                consumed = position
            while held >= chunk_rows or (
                final and (held or len(unreadable) > reported or len(quiet) > told)
            ):
                table = pa.Table.from_batches(pending, schema=reader.schema)
                part, rest = table.slice(0, chunk_rows), table.slice(chunk_rows)
                pending, held = rest.to_batches(), rest.num_rows
                rows = _row_numbers(emitted, part.num_rows, skipped, first)
                emitted += part.num_rows
                last_chunk = final and not held
                cut = np.inf if last_chunk or not len(rows) else rows[-1]
                done = _reported_upto(unreadable, reported, cut)
                reported += len(done)
                hushed = _reported_upto(quiet, told, cut)
                told += len(hushed)
                # One contiguous buffer per column: every later kernel and conversion is cheaper.
                whole = part.combine_chunks().to_pandas()
                frame = pd.DataFrame({key: whole[names[idx]] for key, idx in columns.items()})
                progress = 1.0 if last_chunk else min(consumed / self.size, 0.99)
                yield RawBatch(
                    frame,
                    rows,
                    progress,
                    done,
                    totals=sum(1 for _, kind in hushed if kind == "totals"),
                    blanks=sum(1 for _, kind in hushed if kind == "blank"),
                )
                if last_chunk:
                    return


def _reported_upto(
    unreadable: list[tuple[int, T]], start: int, last_row: float
) -> list[tuple[int, T]]:
    """The skipped rows not reported yet that lie before `last_row` (they come in order)."""
    out = []
    for number, counts in unreadable[start:]:
        if number > last_row:
            break
        out.append((number, counts))
    return out


def _row_numbers(start: int, count: int, skipped: list[int], first: int = 2) -> np.ndarray:
    """Spreadsheet row numbers of valid rows start..start+count, stepping over skipped rows.

    `first` is the row number of the first data row (2 when the header is on row 1).
    """
    valid = np.arange(start, start + count, dtype=np.int64)
    known = np.sort(np.array([n for n in skipped if n > 0], dtype=np.int64))
    if not len(known):
        return valid + first
    before = known - first - np.arange(len(known))  # valid rows preceding each skipped row
    return valid + first + np.searchsorted(before, valid, side="right")


def _detect_encoding(head: bytes, fh: io.BufferedReader, complete: bool) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    samples = [head] + _samples(fh)
    for encoding in ("utf-8", "gb18030"):
        if all(_decodes(sample, encoding, complete and i == 0) for i, sample in enumerate(samples)):
            return encoding
    raise ImportFileError(say(_ENCODING_HELP), code="unknown_encoding")


def _samples(fh: io.BufferedReader) -> list[bytes]:
    """A few windows further into the file: a mostly-ASCII head can hide GBK text."""
    size = fh.seek(0, io.SEEK_END)
    out = []
    for frac in (0.5, 0.999):
        offset = int(size * frac)
        if offset <= HEAD_BYTES:
            continue
        fh.seek(offset)
        out.append(fh.read(1 << 18).lstrip(bytes(range(0x80, 0xC0))))
    return out


def _file_decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file is text in `encoding` (read in blocks: memory stays flat)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(BLOCK_BYTES):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decodes(data: bytes, encoding: str, final: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _decode_head(head: bytes, encoding: str) -> str:
    name = "utf-8-sig" if encoding == "utf-8" else encoding
    return codecs.getincrementaldecoder(name)(errors="replace").decode(head, final=False)


def _delimiter(lines: list[str]) -> str:
    """The separator of the first line that has several (a title line above has none)."""
    for line in lines:
        outside = "".join(line.split('"')[::2])
        counts = {sep: outside.count(sep) for sep in (",", "\t", ";")}
        best = max(counts, key=lambda sep: counts[sep])
        if counts[best] >= 2:
            return best
    outside = "".join(lines[0].split('"')[::2]) if lines else ""
    counts = {sep: outside.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _trailing_extra(records: list[list[str]], width: int) -> int:
    """1 when every data row carries one empty field past the header (a trailing comma)."""
    if records and all(len(r) == width + 1 and not r[-1].strip() for r in records):
        return 1
    return 0


def _short_row_kind(text: str, delimiter: str) -> str | None:
    """'totals' or 'blank' for a row shorter than the header that is one of those, else None."""
    cells = [c.strip(STRIP) for c in next(csv.reader([text], delimiter=delimiter), [])]
    if not any(cells):
        return "blank"
    if any(is_totals_label(c) for c in cells):
        return "totals"
    return None
