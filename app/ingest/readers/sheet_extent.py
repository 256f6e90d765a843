"""The real extent of a sheet, read from its XML as it streams past: no dense range is built.

A far cell (`XFD1048576`) costs calamine a range of 17 billion cells whatever `<dimension>`
says, so the cells' own references are what counts.
"""

from __future__ import annotations

import re
from typing import Protocol

import numpy as np

from app.wording import N_, Wording, say

from ..errors import ImportFileError

# Cells of all sheets together, counting each sheet as its dense range A1:<last cell> (what a
# spreadsheet lays out) or its number of cells, whichever is larger. Workbooks are read
# streaming, so this bounds the time a sheet may take, not memory: 1,000,000 rows x 64 columns
# (64 M) fits, a far cell such as XFD1048576 (17 billion) does not.
MAX_CELLS = 134_000_000
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # Excel's own limits
MAX_TAG = 1 << 20  # a <c> or <row> start tag longer than this is not a spreadsheet's
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')

_SHEET_TOO_BIG = N_(
    "工作表的单元格区域过大（{detail}），已拒绝以免耗尽内存。"
    "请在平台按较短的时间段分批导出，或另存为 CSV 后上传。"
)
_MALFORMED = N_(
    "Excel 文件内部结构异常（{detail}），不是平台或 Excel 正常保存的工作簿，已拒绝。"
    "请从平台重新导出原始文件，或用 Excel/WPS 另存为 .xlsx 后上传。"
)


class CellBudget(Protocol):
    """Cells counted so far across the workbook's sheets."""

    cells: int


_DELIMS = np.frombuffer(b" \t\r\n/>", np.uint8)  # what may follow `<c` in a cell start tag
_R_EQ = np.frombuffer(b' r="', np.uint8)
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_TAG = re.compile(rb"<(?:[\w.-]+:)?(c|row)(?=[\s/>])([^<>]*)(>?)")
_TAG_START = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)[\s/>]")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]+)(\d+)")


class CellScan:
    """Real extent (last row, last column) and cell count of one part, from its cells' `r`.

    A cell without `r` follows the one before it, as calamine places it. Fed piece by piece;
    the tag a piece boundary cuts is carried over to the next piece.
    """

    def __init__(self, budget: CellBudget) -> None:
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
                raise _malformed(say(N_("使用了 UTF-16 编码")))
            check_dimension(data[: 1 << 16])
        cut = data.rfind(b"<")
        if cut < 0:
            self._carry = b""
            return
        self._scan(data, cut)
        self._carry = data[cut:]
        if len(self._carry) > MAX_TAG:
            if _TAG_START.match(self._carry):
                raise _malformed(say(N_("单元格标记过长")))
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
            detail = say(
                N_("{rows} 行 × {cols} 列，{cells} 个单元格"),
                rows=self.rows,
                cols=self.cols,
                cells=self.cells,
            )
            raise ImportFileError(say(_SHEET_TOO_BIG, detail=detail), code="sheet_too_large")

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
                raise _malformed(say(N_("单元格标记不完整")))
            refs = [double or single for double, single in _R_ATTR.findall(attrs)]
            if name == b"row":
                if refs and not all(r.isdigit() for r in refs):
                    raise _malformed(say(N_("行号无效")))
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
                raise _malformed(
                    say(N_("单元格引用“{ref}”无效"), ref=ref[:20].decode(errors="replace"))
                )
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


def _malformed(detail: Wording) -> ImportFileError:
    return ImportFileError(say(_MALFORMED, detail=detail), code="sheet_malformed")


def check_dimension(head: bytes) -> None:
    """Reject a sheet whose declared cell range is absurd (A1:XFD1048576 and the like)."""
    match = _DIMENSION.search(head)
    if not match or not match.group(3):
        return
    first_col, first_row, last_col, last_row = match.groups()
    rows = int(last_row) - int(first_row) + 1
    cols = _col_number(last_col) - _col_number(first_col) + 1
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS:
        detail = say(N_("声明为 {rows} 行 × {cols} 列"), rows=rows, cols=cols)
        raise ImportFileError(say(_SHEET_TOO_BIG, detail=detail), code="sheet_too_large")


def _col_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number
