"""The data rows of a sheet's first reading kept in a temporary file, and pieces cut into batches.

A format's whole-file prepass reads the sheet once, the import reads it again: the second
reading replays the kept rows (`_Spill`) instead of inflating and parsing the XML twice.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from ..cells import TEXT
from .sheet_xml import Piece


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
