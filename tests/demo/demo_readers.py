"""Readers for the files the demo generator writes (CSV, XLSX, encrypted XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import msoffcrypto
from python_calamine import CalamineWorkbook

TODAY = dt.date(2025, 6, 15)


def read_sheets(source: Path | bytes, password: str | None = None) -> dict[str, list[list]]:
    """Every sheet of a workbook as rows of values, decrypted first when given a password."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    if password:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        plain = io.BytesIO()
        office.decrypt(plain)
        data = plain.getvalue()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def read_export(folder: Path, entry: dict) -> tuple[str | None, list[dict[str, object]]]:
    """(sheet name or None for CSV, rows as {header: value}) of one manifest entry."""
    path = folder / entry["file"]
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        sheet = None
    else:
        ((sheet, rows),) = read_sheets(path, entry.get("password")).items()
    header = [str(h) for h in rows[0]]
    return sheet, [dict(zip(header, row, strict=True)) for row in rows[1:]]
