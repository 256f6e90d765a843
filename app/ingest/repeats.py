"""Which keys turn up more than once in a whole file, counted within a fixed memory budget.

A format's prepass (微信: does a product repeat in an order?) looks at every row's keys before
the first chunk. Each batch's distinct keys are kept as compact Arrow text; once they pass the
budget they go to temporary files, one per key name and hash bucket, so that all of a key's
occurrences land in one file. At the end each file is counted on its own. Memory then holds
the budget, one file's keys (about 1/16 of one name's) and the keys that do repeat; the rest
waits on disk in the temporary directory (`TMPDIR`), and the answer is exact.
"""

from __future__ import annotations

import itertools
import tempfile
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.lib.stride_tricks import sliding_window_view

from .cells import TEXT

BUDGET = 16 << 20  # bytes of distinct keys kept in memory before they go to disk
BUCKETS = 16
_SCHEMA = pa.schema([pa.field("key", TEXT)])


class RepeatCounter:
    """Feed each batch's keys by name with `add`; `repeated()` gives each name's repeats."""

    def __init__(self, budget: int | None = None, buckets: int = BUCKETS) -> None:
        self.budget = BUDGET if budget is None else budget
        self.buckets = buckets
        self._repeated: dict[str, set[str]] = {}
        self._kept: dict[str, list[pa.Array]] = {}
        self._kept_bytes = 0
        self._files: dict[tuple[str, int], tuple[BinaryIO, pa.ipc.RecordBatchStreamWriter]] = {}

    @property
    def spilled(self) -> bool:
        """Whether the keys went to disk (the file's distinct keys passed the budget)."""
        return bool(self._files)

    def add(self, name: str, values: pd.Series) -> None:
        """Count one batch's keys of `name`: its repeats are noted at once, its distinct keys
        kept (or written out) for the count across batches. A missing key is no key."""
        keys = self._note_repeats(name, pa.array(values).cast(TEXT))
        if self._files:
            self._write(name, keys)
            return
        self._kept.setdefault(name, []).append(keys)
        self._kept_bytes += keys.nbytes
        if self._kept_bytes > self.budget:
            for kept_name, parts in self._kept.items():
                for part in parts:
                    self._write(kept_name, part)
            self._kept, self._kept_bytes = {}, 0

    def repeated(self) -> dict[str, set[str]]:
        """Each name's keys that turn up in one batch twice or in two batches; closes the files."""
        try:
            for name, parts in self._kept.items():
                self._count(name, parts)
            for (name, _bucket), (file, writer) in sorted(self._files.items()):
                writer.close()
                file.seek(0)
                reader = pa.ipc.open_stream(pa.PythonFile(file, mode="r"))
                self._count(name, [batch.column(0) for batch in reader])
        finally:
            self.close()
        return self._repeated

    def close(self) -> None:
        """Drop the temporary files (idempotent; `repeated()` calls it)."""
        for file, _writer in self._files.values():
            file.close()
        self._files = {}
        self._kept = {}

    def _count(self, name: str, parts: list[pa.Array]) -> None:
        """Note the keys found in two of `parts` (each part is one batch's distinct keys)."""
        if len(parts) > 1:  # one batch's distinct keys cannot repeat among themselves
            self._note_repeats(name, pa.chunked_array(parts, TEXT))

    def _note_repeats(self, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Note the keys of `values` that occur more than once; returns its distinct keys."""
        counts = pc.value_counts(values)
        keys, times = counts.field("values"), counts.field("counts")
        if keys.null_count:
            valid = pc.is_valid(keys)
            keys, times = keys.filter(valid), times.filter(valid)
        self._repeated.setdefault(name, set()).update(keys.filter(pc.greater(times, 1)).to_pylist())
        return keys

    def _write(self, name: str, keys: pa.Array) -> None:
        buckets = bucket_of(keys, self.buckets)
        order = np.argsort(buckets, kind="stable")
        grouped = keys.take(pa.array(order))
        bounds = np.searchsorted(buckets[order], np.arange(self.buckets + 1))
        for bucket, (start, end) in enumerate(itertools.pairwise(bounds.tolist())):
            if start == end:
                continue
            if (name, bucket) not in self._files:
                file = tempfile.TemporaryFile()  # closed in repeated()/close()
                writer = pa.ipc.new_stream(pa.PythonFile(file, mode="w"), _SCHEMA)
                self._files[(name, bucket)] = (file, writer)
            part = grouped.slice(start, end - start)
            self._files[(name, bucket)][1].write_batch(pa.record_batch([part], schema=_SCHEMA))


def bucket_of(keys: pa.Array, buckets: int) -> np.ndarray:
    """A bucket in [0, buckets) for each text, from its length, its first 24 bytes and its last
    8: equal texts, equal buckets. Vectorised over the array's data buffer (no Python string
    is made); texts alike but in their middle share a bucket, which costs balance, not truth.
    `keys` is one Arrow array (not chunked), as `pc.value_counts` gives it."""
    keys = keys.cast(TEXT)
    if keys.null_count:
        keys = keys.fill_null("")
    _validity, offsets_buffer, data_buffer = keys.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int64)[keys.offset : keys.offset + len(keys) + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buffer or b"", np.uint8)[first:last]
    # Zero bytes before and after, so that every 8-byte window below lies inside the buffer.
    words = sliding_window_view(np.concatenate([_PAD[:8], data, _PAD]), 8)
    starts = offsets[:-1] - first + 8
    lengths = np.diff(offsets)
    mixed = lengths.astype(np.uint64) * _MIX
    for word in range(3):
        inside = np.clip(lengths - 8 * word, 0, 8)  # bytes of the window within the text
        mixed = _stir(mixed ^ (_word(words, starts + 8 * word) & _LOW[inside]))
    mixed = _stir(mixed ^ (_word(words, starts + lengths - 8) & _HIGH[np.minimum(lengths, 8)]))
    return ((mixed >> np.uint64(32)) % np.uint64(buckets)).astype(np.int64)


def _word(words: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The 8 bytes from each offset as one little-endian integer."""
    return words[at].copy().view("<u8").ravel()


def _stir(values: np.ndarray) -> np.ndarray:
    """Spread every bit over the high ones (a SplitMix64-style finaliser step)."""
    values = values * _MIX
    return values ^ (values >> np.uint64(29))


_PAD = np.zeros(24, np.uint8)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
# _LOW[k] keeps a word's first k bytes, _HIGH[k] its last k (little-endian: low bits first).
_LOW = np.array([(1 << (8 * k)) - 1 for k in range(9)], np.uint64)
_HIGH = np.array([((1 << 64) - 1) ^ ((1 << (8 * (8 - k))) - 1) for k in range(9)], np.uint64)
