"""Assertions on written spreadsheets: no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

# The user text the tests plant (OWASP CSV injection), each a way into a formula.
ATTACKS = ('=HYPERLINK("http://x","点我")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)", "\t=1+1")


def formula_cells(data: bytes) -> list[str]:
    """Cells of an XLSX that are formulas, or formula-like text without Excel's quote prefix."""
    found = []
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{sheet.title}!{cell.coordinate} formula {cell.value!r}")
                elif isinstance(cell.value, str) and _runs(cell.value) and not cell.quotePrefix:
                    found.append(f"{sheet.title}!{cell.coordinate} unquoted {cell.value!r}")
    return found


def csv_formula_fields(text: str) -> list[str]:
    """Fields of a CSV that a spreadsheet would run."""
    return [field for row in csv.reader(io.StringIO(text)) for field in row if _runs(field)]


def cell_values(data: bytes, sheet: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))


def _runs(text: str) -> bool:
    if not text.startswith(("=", "+", "-", "@", "\t", "\r")):
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False
