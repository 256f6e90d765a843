"""Raw file -> string cells. One source class per container (CSV, workbook sheet, HTML table)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .guards import sniff
from .source import (
    HEADER_SCAN_ROWS,
    ColumnCount,
    RawBatch,
    Source,
    default_header,
    is_totals_label,
)

__all__ = [
    "HEADER_SCAN_ROWS",
    "ColumnCount",
    "RawBatch",
    "Source",
    "default_header",
    "is_totals_label",
    "open_sources",
]


def open_sources(path: Path, password: str | None = None) -> Iterator[Source]:
    """Every table the file offers, in order (one for CSV, one per non-empty sheet or table)."""
    kind = sniff(path)
    if kind == "text":
        from .csv_source import CsvSource

        yield CsvSource(path)
        return
    if kind == "html":
        from .html_source import open_html_tables

        yield from open_html_tables(path)
        return
    from .xlsx_source import open_workbook_sheets

    yield from open_workbook_sheets(path, password, kind)
