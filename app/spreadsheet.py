"""Cells a spreadsheet never runs: every XLSX and CSV Cunbo writes goes through these helpers.

Text starting with = + - @ TAB or CR is read as a formula by Excel, WPS and LibreOffice (OWASP
"CSV injection"). In a workbook such text is a string cell with Excel's quote prefix, so it stays
text even after someone edits the cell; in a CSV it gets a leading apostrophe. Numbers stay
numbers: a Decimal is a numeric cell, and a plain number written as text ("-12.50") is left alone
because a spreadsheet reads it as that number, not as a formula.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# xlsxwriter must never turn a str into a formula, a number or a link on its own.
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would evaluate `text` typed into a cell."""
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)


def csv_value(value: object) -> object:
    """A CSV field: text that would run as a formula gets a leading apostrophe; others as given."""
    if isinstance(value, str) and runs_as_formula(value):
        return "'" + value
    return value


class CellStyles:
    """A workbook's named formats, each also with the quote prefix for formula-like text."""

    def __init__(self, workbook: Any, specs: dict[str, dict[str, Any]]) -> None:
        self.plain = {name: workbook.add_format(spec) for name, spec in specs.items()}
        self.quoted = {
            name: workbook.add_format({**spec, "quote_prefix": True})
            for name, spec in specs.items()
        }

    def __getitem__(self, name: str) -> Any:
        return self.plain[name]


def write_text(sheet: Any, row: int, col: int, text: str, styles: CellStyles, style: str) -> None:
    """A string cell; never a formula, whatever the text."""
    chosen = styles.quoted if runs_as_formula(text) else styles.plain
    sheet.write_string(row, col, text, chosen[style])
