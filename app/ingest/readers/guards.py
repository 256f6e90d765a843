"""Checks run on a workbook before any parser sees it: encryption, macros, zip bombs, far cells.

calamine builds every cell of a sheet in memory, and a dense range from the first to the last
cell, so what a workbook would cost is measured here first, on the bytes really inflated: the
sizes an archive declares are never trusted.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import msoffcrypto
import numpy as np
from msoffcrypto import exceptions as office_errors

from ..errors import ImportFileError

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"

# A 200,000-row x 64-column export of inline strings is about 1.3 GB of sheet XML and compresses
# 10-17x; a bomb needs far more than 100x to be small. Both limits count real inflated bytes.
MAX_UNCOMPRESSED = 2 << 30  # all entries together
MAX_RATIO = 100  # inflated / compressed, per entry and over the whole archive
RATIO_FLOOR = 4 << 20  # until this much is inflated any ratio is allowed (tiny parts)
MAX_ENTRIES = 5_000
# Cells of all sheets together, counting each sheet as its dense range A1:<last cell> (what
# calamine allocates) or its number of cells, whichever is larger. About 110 bytes a cell in
# calamine: 200k x 64 (12.8 M) is the largest legitimate export.
MAX_CELLS = 16_000_000
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # Excel's own limits
PIECE = 4 << 20  # inflated bytes handled per step: memory stays flat whatever the entry holds
READ = 1 << 18  # compressed bytes read per step (real exports inflate 10-17x)
MAX_TAG = 1 << 20  # a <c> or <row> start tag longer than this is not a spreadsheet's
_MACRO_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')

_TOO_BIG = (
    "工作簿解压后异常巨大（{detail}），可能是压缩炸弹或损坏的文件，已拒绝。"
    "请从平台重新导出原始文件，或另存为 CSV 后上传。"
)
_SHEET_TOO_BIG = (
    "工作表的单元格区域过大（{detail}），已拒绝以免耗尽内存。"
    "请在平台按较短的时间段分批导出，或另存为 CSV 后上传。"
)
_MALFORMED = (
    "Excel 文件内部结构异常（{detail}），不是平台或 Excel 正常保存的工作簿，已拒绝。"
    "请从平台重新导出原始文件，或用 Excel/WPS 另存为 .xlsx 后上传。"
)
_CORRUPT = "Excel 文件已损坏（{detail}），请重新导出后上传。"
_MACRO = (
    "这是启用宏的工作簿（如 .xlsm/.xltm/.xlam），为安全起见不予导入。"
    "请用 Excel 或 WPS 打开后另存为“Excel 工作簿（.xlsx）”或 CSV，再上传。"
)


_HTML_STARTS = (b"<html", b"<table", b"<!doctype")


def sniff(path: Path) -> str:
    """'zip' (xlsx/xlsm/xltx), 'ole2' (encrypted OOXML or BIFF8 xls), 'html' (a web page
    table saved as .xls, FORMATS.md rule 14) or 'text'."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head[:8] == OLE2_MAGIC:
        return "ole2"
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c").lower()
    if start.startswith(_HTML_STARTS):
        return "html"
    return "text"


def decrypt(path: Path, password: str | None) -> bytes | None:
    """Decrypted workbook bytes for an encrypted OLE2 file, None when it is not encrypted."""
    try:
        with open(path, "rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            if not office.is_encrypted():
                return None
            if not password:
                raise ImportFileError(
                    "文件已加密（快手等平台导出时会设置密码）。请在上传时填写导出时设置的密码后重试。",
                    code="encrypted_no_password",
                )
            try:
                office.load_key(password=password)
                out = io.BytesIO()
                office.decrypt(out)
            except (office_errors.InvalidKeyError, office_errors.DecryptionError) as exc:
                raise ImportFileError(
                    "文件密码不正确，无法解密。请核对平台导出时设置的密码（区分大小写）后重新上传。",
                    code="wrong_password",
                ) from exc
    except ImportFileError:
        raise
    except (
        office_errors.FileFormatError,
        office_errors.ParseError,
        OSError,
        ValueError,
        KeyError,
    ) as exc:
        raise ImportFileError(
            "文件无法打开：它既不是正常的 Excel 文件，也不是可识别的加密文件。请重新导出后上传。",
            code="unreadable_workbook",
        ) from exc
    return out.getvalue()


def check_zip(source: Path | bytes) -> None:
    """Refuse a workbook archive that would hurt the worker, before calamine opens it.

    Every entry is inflated once, in pieces, counting the bytes really produced (a header may
    lie) against a total and a ratio; sheet XML is scanned on the way for its real extent.
    """
    with _binary(source) as fh:
        try:
            infos = zipfile.ZipFile(fh).infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise ImportFileError(
                _CORRUPT.format(detail="压缩包结构无效"), code="corrupt_workbook"
            ) from exc
        _check_names(infos)
        size = fh.seek(0, io.SEEK_END)
        budget = _Budget()
        for info in sorted(infos, key=lambda i: i.filename != "[Content_Types].xml"):
            budget.start_entry()
            scan = _CellScan(budget)
            types = info.filename == "[Content_Types].xml"
            for piece in _inflate(fh, info, size, budget):
                if types and any(t in piece.lower() for t in _MACRO_TYPES):
                    raise ImportFileError(_MACRO, code="macro_workbook")
                scan.feed(piece)
            scan.finish()


@contextlib.contextmanager
def _binary(source: Path | bytes) -> Iterator[BinaryIO]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
        return
    with open(source, "rb") as fh:
        yield fh


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    """What the central directory alone tells: entry count, macros, compression methods."""
    if len(infos) > MAX_ENTRIES:
        detail = f"包含 {len(infos)} 个内部文件"
        raise ImportFileError(_TOO_BIG.format(detail=detail), code="workbook_too_large")
    for info in infos:
        name = info.filename.lower()
        if name.endswith("vbaproject.bin") or name.startswith("xl/macrosheets/"):
            raise ImportFileError(_MACRO, code="macro_workbook")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportFileError(
                _MALFORMED.format(detail=f"使用了不常见的压缩方式 {info.compress_type}"),
                code="unsupported_compression",
            )


class _Budget:
    """Real bytes read and inflated so far, per entry and in all, and the cells seen."""

    def __init__(self) -> None:
        self.read = self.inflated = self.entry_read = self.entry_inflated = self.cells = 0

    def start_entry(self) -> None:
        self.entry_read = self.entry_inflated = 0

    def add(self, read: int, inflated: int) -> None:
        self.read += read
        self.inflated += inflated
        self.entry_read += read
        self.entry_inflated += inflated
        if self.inflated > MAX_UNCOMPRESSED:
            detail = f"超过 {MAX_UNCOMPRESSED >> 20} MB"
            raise ImportFileError(_TOO_BIG.format(detail=detail), code="workbook_too_large")
        for out, into in ((self.entry_inflated, self.entry_read), (self.inflated, self.read)):
            if out > RATIO_FLOOR and out > MAX_RATIO * into:
                detail = f"压缩比超过 {out // max(into, 1)} 倍"
                raise ImportFileError(_TOO_BIG.format(detail=detail), code="zip_bomb")


def _inflate(fh: BinaryIO, info: zipfile.ZipInfo, size: int, budget: _Budget) -> Iterator[bytes]:
    """The entry's bytes as a parser would get them, in pieces, whatever its header says.

    A deflate stream is inflated until it ends by itself (or the file does), so a lying size
    changes nothing; each piece is counted in the budget before it is handed on.
    """
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) < 30 or not local.startswith(ZIP_MAGIC):
        raise ImportFileError(_CORRUPT.format(detail="内部文件头无效"), code="corrupt_workbook")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    if info.compress_type == zipfile.ZIP_STORED:
        left = max(0, min(info.compress_size, size - fh.tell()))
        while left and (data := fh.read(min(PIECE, left))):
            left -= len(data)
            budget.add(len(data), len(data))
            yield data
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        while not inflater.eof:
            pending = inflater.unconsumed_tail or fh.read(READ)
            if not pending:
                return  # truncated: calamine reports the damage
            out = inflater.decompress(pending, PIECE)
            budget.add(
                len(pending) - len(inflater.unconsumed_tail) - len(inflater.unused_data), len(out)
            )
            if out:
                yield out
    except zlib.error as exc:
        raise ImportFileError(
            _CORRUPT.format(detail="压缩数据无效"), code="corrupt_workbook"
        ) from exc


_DELIMS = np.frombuffer(b" \t\r\n/>", np.uint8)  # what may follow `<c` in a cell start tag
_R_EQ = np.frombuffer(b' r="', np.uint8)
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_TAG = re.compile(rb"<(?:[\w.-]+:)?(c|row)(?=[\s/>])([^<>]*)(>?)")
_TAG_START = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)[\s/>]")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]+)(\d+)")


class _CellScan:
    """Real extent (last row, last column) and cell count of one part, from its cells' `r`.

    A cell without `r` follows the one before it, as calamine places it. Fed piece by piece;
    the tag a piece boundary cuts is carried over to the next piece.
    """

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.rows = self.cols = self.cells = 0
        self._row = self._col = 0  # where the last cell was: the next one without `r` follows
        self._carry = b""
        self._head = True

    def feed(self, piece: bytes) -> None:
        data = self._carry + piece if self._carry else piece
        if self._head:
            self._head = False
            if data.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
                raise _malformed("使用了 UTF-16 编码")
            check_dimension(data[: 1 << 16])
        cut = data.rfind(b"<")
        if cut < 0:
            self._carry = b""
            return
        self._scan(data, cut)
        self._carry = data[cut:]
        if len(self._carry) > MAX_TAG:
            if _TAG_START.match(self._carry):
                raise _malformed("单元格标记过长")
            self._carry = b""  # text, not a tag: nothing in it places a cell

    def finish(self) -> None:
        self._scan(self._carry, len(self._carry))
        self._carry = b""
        self.budget.cells += max(self.rows * self.cols, self.cells)

    def _scan(self, data: bytes, end: int) -> None:
        """Place the cells of data[:end] (whole tags only)."""
        start = self._fast(data, end)
        if start is None:
            self._slow(data, 0, end)
        elif data.find(b"row", start, end) >= 0:
            self._slow(data, start, end)  # rows after the last cell, for a cell without `r`
        used = self.budget.cells + max(self.rows * self.cols, self.cells)
        if self.rows > MAX_ROWS or self.cols > MAX_COLS or used > MAX_CELLS:
            detail = f"{self.rows} 行 × {self.cols} 列，{self.cells} 个单元格"
            raise ImportFileError(_SHEET_TOO_BIG.format(detail=detail), code="sheet_too_large")

    def _fast(self, data: bytes, end: int) -> int | None:
        """Cells all written `<c r="AB12"` (every known writer does): read them vectorised.

        Returns where the scan of row tags should resume, or None when some cell is written
        otherwise and the careful scan must read this piece instead.
        """
        if end < 2 or _PREFIXED_CELL.search(data, 0, end):
            return None if end >= 2 else 0
        a = np.frombuffer(data, np.uint8, count=end)
        tags = _pair_offsets(data, end, b"<c")
        cells = tags[np.isin(a[np.minimum(tags + 2, end - 1)], _DELIMS)]
        if not len(cells):
            return 0
        window = a[np.minimum(cells[:, None] + np.arange(2, 17), end - 1)]
        if not (window[:, :4] == _R_EQ).all():
            return None
        window = window[:, 4:]  # the reference and its closing quote
        lengths = np.argmax(window == ord('"'), axis=1)
        if lengths.min() < 2:  # no quote in reach (0), or an empty or one-byte reference
            return None
        for length in np.unique(lengths):
            if not self._fast_refs(window[lengths == length, :length]):
                return None
        self.cells += len(cells)
        self._place_last(bytes(window[-1, : lengths[-1]]))
        return int(cells[-1]) + 1

    def _fast_refs(self, refs: np.ndarray) -> bool:
        """References of one length (rows of bytes): False unless all are letters then digits."""
        letters = ((refs - ord("A")) < 26).sum(axis=1)  # uint8 wraps below "A"
        if letters.min() < 1 or letters.max() > min(3, refs.shape[1] - 1):
            return False
        low, high = int(letters.min()), int(letters.max())
        for count in range(low, high + 1):
            part = refs if low == high else refs[letters == count]
            if not len(part):
                continue
            letter, digit = part[:, :count] - ord("A"), part[:, count:] - ord("0")
            if not ((letter < 26).all() and (digit < 10).all()):
                return False
            col = np.zeros(len(part), np.int64)
            for j in range(count):
                col = col * 26 + letter[:, j] + 1
            row = np.zeros(len(part), np.int64)
            for j in range(digit.shape[1]):
                row = row * 10 + digit[:, j]
            self.rows = max(self.rows, int(row.max()))
            self.cols = max(self.cols, int(col.max()))
        return True

    def _place_last(self, ref: bytes) -> None:
        """Remember the last cell's position: a later cell without `r` follows it."""
        match = _REF.fullmatch(ref)
        if match is not None:
            self._row, self._col = int(match.group(2)), _col_number(match.group(1))

    def _slow(self, data: bytes, start: int, end: int) -> None:
        """Every `<c>` and `<row>` start tag read with its attributes, one by one."""
        for match in _TAG.finditer(data, start, end):
            name, attrs, closed = match.groups()
            if not closed or attrs.count(b'"') % 2 or attrs.count(b"'") % 2:
                raise _malformed("单元格标记不完整")
            refs = [double or single for double, single in _R_ATTR.findall(attrs)]
            if name == b"row":
                if refs and not all(r.isdigit() for r in refs):
                    raise _malformed("行号无效")
                self._row = max(int(r) for r in refs) if refs else self._row + 1
                self._col = 0
                continue
            self._place(refs)

    def _place(self, refs: list[bytes]) -> None:
        if not refs:
            self._row, self._col = max(self._row, 1), self._col + 1
        for ref in refs:
            match = _REF.fullmatch(ref)
            if match is None:
                raise _malformed(f"单元格引用“{ref[:20].decode(errors='replace')}”无效")
            self._row = int(match.group(2))
            self._col = _col_number(match.group(1).upper())
        self.cells += 1
        self.rows = max(self.rows, self._row)
        self.cols = max(self.cols, self._col)


def _pair_offsets(data: bytes, end: int, pair: bytes) -> np.ndarray:
    """Offsets in data[:end] where the two bytes `pair` start (compared two bytes at a time)."""
    code = np.frombuffer(pair, np.uint16)[0]
    even = np.frombuffer(data, np.uint16, count=end // 2)
    odd = np.frombuffer(data, np.uint16, count=(end - 1) // 2, offset=1)
    hits = np.concatenate([np.flatnonzero(even == code) * 2, np.flatnonzero(odd == code) * 2 + 1])
    hits.sort()
    return hits


def _malformed(detail: str) -> ImportFileError:
    return ImportFileError(_MALFORMED.format(detail=detail), code="sheet_malformed")


def check_dimension(head: bytes) -> None:
    """Reject a sheet whose declared cell range is absurd (A1:XFD1048576 and the like)."""
    match = _DIMENSION.search(head)
    if not match or not match.group(3):
        return
    first_col, first_row, last_col, last_row = match.groups()
    rows = int(last_row) - int(first_row) + 1
    cols = _col_number(last_col) - _col_number(first_col) + 1
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS:
        detail = f"声明为 {rows} 行 × {cols} 列"
        raise ImportFileError(_SHEET_TOO_BIG.format(detail=detail), code="sheet_too_large")


def _col_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number
