"""Small export files written in tmp_path, and a reader that collects every chunk."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter

from app.ingest import ExportReader, RowError, open_export

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
if not SAMPLES.exists():  # a checkout next to shared/ (CI's clean clone) or inside the workspace
    SAMPLES = Path(os.environ.get("CUNBO_SAMPLES", "/work/shared/samples"))


@dataclass
class Result:
    reader: ExportReader
    lines: pd.DataFrame
    errors: list[RowError]
    rows_read: int
    progress: list[float]

    def line(self, line_id: str) -> pd.Series:
        match = self.lines[self.lines["line_id"] == line_id]
        assert len(match) == 1, f"{line_id} appears {len(match)} times"
        return match.iloc[0]


def read_all(path: Path, **kwargs: object) -> Result:
    """open_export + every chunk, concatenated."""
    reader = open_export(path, **kwargs)  # type: ignore[arg-type]
    frames, errors, read, progress = [], [], 0, []
    for chunk in reader.iter_chunks():
        frames.append(chunk.lines)
        errors.extend(chunk.errors)
        read += chunk.rows_read
        progress.append(chunk.progress)
    lines = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return Result(reader, lines, errors, read, progress)


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8-sig",
    quote: bool = True,
    newline: str = "\r\n",
) -> Path:
    """A CSV the way platforms write it (every cell quoted, or none)."""

    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if quote else text

    body = [",".join(cell(c) for c in header)] + [",".join(cell(c) for c in r) for r in rows]
    path.write_bytes((newline.join(body) + newline).encode(encoding))
    return path


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    sheet: str = "Sheet1",
    extra_sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
) -> Path:
    """An XLSX with typed cells: str stays a string, numbers stay numbers."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "nan_inf_to_errors": True})
    for name, data in extra_sheets:
        other = book.add_worksheet(name)
        for r, values in enumerate(data):
            for c, value in enumerate(values):
                other.write(r, c, value)
    ws = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for c, name in enumerate(header):
        ws.write_string(0, c, name)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif hasattr(value, "year"):
                ws.write_datetime(r, c, value, date_format)
            else:
                ws.write(r, c, value)
    book.close()
    return path
