"""An HTML `<table>` saved with an `.xls` name (FORMATS.md rule 14), read as a table.

Back offices write these as Excel downloads; the standard library's HTML parser reads them,
so no HTML engine (lxml, html5lib) is needed. The table is small enough to hold in memory:
such downloads are built in one page by the server.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator, Iterator
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from app.wording import N_, say

from ..errors import ImportFileError
from .source import HEADER_SCAN_ROWS, RawBatch, default_header

MAX_HTML_BYTES = 512 << 20
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class _Tables(HTMLParser):
    """Rows of every `<table>`, cell text only (`colspan` widens a cell with blanks)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif tag == "tr" and self._depth == 1:
            self._end_row()
            self._row = []
        elif tag in ("td", "th") and self._depth == 1:
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = min(int(span), 1000) if span.strip().isdecimal() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._depth:
            if self._depth == 1:
                self._end_row()
            self._depth -= 1
        elif tag == "tr" and self._depth == 1:
            self._end_row()
        elif tag in ("td", "th") and self._depth == 1:
            self._end_cell()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            text = _SPACES.sub(" ", "".join(self._cell).replace("\xa0", " ")).strip()
            self._row.extend([text] + [""] * (self._span - 1))
        self._cell = None
        self._span = 1

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None and self.tables:
            self.tables[-1].append(self._row)
        self._row = None


def open_html_tables(path: Path) -> Iterator[HtmlSource]:
    """One source per non-empty table, in document order."""
    data = path.read_bytes()
    if len(data) > MAX_HTML_BYTES:
        raise ImportFileError(
            say(N_("网页格式的表格文件过大，无法读取。请在平台按较短的时间段分批导出后上传。")),
            "file_too_large",
        )
    parser = _Tables()
    parser.feed(_decode(data))
    parser.close()
    for number, rows in enumerate(parser.tables, start=1):
        if any(any(cell for cell in row) for row in rows):
            yield HtmlSource(f"{path.name}#{number}", rows)


def _decode(data: bytes) -> str:
    declared = _CHARSET.search(data[:4096])
    names = [declared.group(1).decode("ascii")] if declared else []
    for name in (*names, "utf-8-sig", "gb18030"):
        try:
            codecs.lookup(name)
            return data.decode("utf-8-sig" if name.lower() in ("utf-8", "utf8") else name)
        except (LookupError, UnicodeDecodeError):
            continue
    raise ImportFileError(
        say(N_("网页格式的表格文件编码无法识别。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。")),
        "unknown_encoding",
    )


class HtmlSource:
    """One HTML table: the header found among the first rows, the rest as data rows."""

    def __init__(self, name: str, rows: list[list[str]]) -> None:
        self.name = name
        self._rows = rows
        self.head_rows = rows[:HEADER_SCAN_ROWS]
        self.use_header(default_header(self.head_rows))

    def use_header(self, index: int) -> None:
        self.header_index = index
        headers = list(self.head_rows[index]) if self.head_rows else []
        while headers and not headers[-1]:
            headers.pop()
        self.headers = headers
        self.total_rows: int | None = max(len(self._rows) - index - 1, 0)

    def batches(self, columns: dict[str, int], chunk_rows: int) -> Generator[RawBatch, None, None]:
        data = self._rows[self.header_index + 1 :]
        total = len(data)
        first = self.header_index + 2
        for start in range(0, total, chunk_rows):
            part = data[start : start + chunk_rows]
            frame = pd.DataFrame(
                {
                    key: pd.Series(
                        [row[idx] if idx < len(row) and row[idx] else None for row in part],
                        dtype="str",
                    )
                    for key, idx in columns.items()
                }
            )
            rows = np.arange(first + start, first + start + len(part), dtype=np.int64)
            yield RawBatch(frame, rows, (start + len(part)) / total)
