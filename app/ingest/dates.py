"""Beijing-time date text -> naive UTC datetimes, and export times read from file names."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app.beijing import OFFSET

from .cells import TEXT

CANONICAL = "%Y-%m-%d %H:%M:%S"
# Tried in order on the cells the canonical format did not parse. The slash forms are what
# Excel/WPS write when a user re-saves an export (`2026/6/7 14:32`, seconds lost).
_FALLBACKS = (
    ("%Y/%m/%d %H:%M", True),
    ("%Y/%m/%d %H:%M:%S", False),  # with seconds: native to 快手, not a re-save
    ("%Y-%m-%d %H:%M", False),
    ("%Y-%m-%dT%H:%M:%S", False),
    ("%Y/%m/%d", True),
    ("%Y-%m-%d", False),
    ("%Y年%m月%d日 %H:%M:%S", False),
    ("%Y年%m月%d日 %H:%M", False),
    ("%Y年%m月%d日", False),
    ("%Y.%m.%d %H:%M:%S", False),
    ("%Y.%m.%d %H:%M", False),
    ("%Y.%m.%d", False),
)
_DAY = r"^\d{4}[-/.年]\d{1,2}[-/.月](?P<day>\d{1,2})"
_TIME = r"([ T]\d{1,2}:\d{1,2}(:\d{1,2})?)?"
# RE2 (arrow) has no back-references: one alternative per separator.
_SHAPE = re.compile(
    "|".join(rf"\d{{4}}{sep}\d{{1,2}}{sep}\d{{1,2}}{_TIME}" for sep in ("-", "/", r"\."))
    + r"|\d{4}年\d{1,2}月\d{1,2}日( ?\d{1,2}:\d{1,2}(:\d{1,2})?)?"
)


def parse_datetimes(values: pd.Series) -> tuple[pd.Series, pd.Series, bool]:
    """Cleaned Beijing-time text -> (naive UTC datetime64[ns], bad mask, re-saved form seen)."""
    arr = pa.array(values, type=TEXT)
    try:  # hot path: arrow's strict ISO-8601 cast (rejects 02-30, 25:00, trailing junk)
        return _to_utc(values, arr, pc.cast(arr, pa.timestamp("s")), np.zeros(len(arr), bool))
    except pa.ArrowInvalid:
        pass
    parsed = pc.strptime(arr, format=CANONICAL, unit="s", error_is_null=True)
    resaved = False
    left = pc.and_(pc.is_valid(arr), pc.is_null(parsed))
    if pc.any(left).as_py():
        for fmt, is_resave in _FALLBACKS:
            if not pc.any(left).as_py():
                break
            alt = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
            use = pc.and_(left, pc.and_(pc.is_valid(alt), _full_shape(arr)))
            if pc.any(use).as_py():
                resaved = resaved or is_resave
                parsed = pc.if_else(use, alt, parsed)
                left = pc.and_(left, pc.invert(use))
    stamps, bad, _ = _to_utc(values, arr, parsed, _rolled_over(arr, parsed))
    return stamps, bad, resaved


def _to_utc(
    values: pd.Series, arr: pa.Array, parsed: pa.Array, invalid: np.ndarray
) -> tuple[pd.Series, pd.Series, bool]:
    """Parsed Beijing stamps -> naive UTC datetime64[ns]; cells with text but no stamp are bad."""
    valid = _mask(pc.is_valid(parsed)) & ~invalid
    seconds = pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False)
    stamps = (seconds - int(OFFSET.total_seconds())).astype("datetime64[s]")
    stamps = stamps.astype("datetime64[ns]")
    stamps[~valid] = np.datetime64("NaT")
    present = _mask(pc.is_valid(arr))
    bad = pd.Series(present & ~valid, index=values.index)
    return pd.Series(stamps, index=values.index), bad, False


def _mask(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _rolled_over(arr: pa.Array, parsed: pa.Array) -> np.ndarray:
    """strptime rolls 2024-02-30 over to 03-01: flag stamps whose day is not the day written.

    Only a written day of 29-31 can roll over, so the exact check runs on those few cells.
    """
    raw = arr.cast(pa.large_binary())
    lengths = pc.binary_length(raw)
    if pc.all(pc.fill_null(pc.equal(lengths, 19), True)).as_py():  # zero-padded YYYY-MM-DD
        written = pc.binary_slice(raw, 8, 10)
        late = _mask(
            pc.is_in(written, value_set=pa.array([b"29", b"30", b"31"], pa.large_binary()))
        )
        if not late.any():
            return np.zeros(len(arr), dtype=bool)
        days = pc.cast(pc.cast(written, TEXT), pa.int64(), safe=False)
    else:
        late = np.ones(len(arr), dtype=bool)
        days = pc.cast(pc.struct_field(pc.extract_regex(arr, _DAY), [0]), pa.int64(), safe=False)
    same = _mask(pc.equal(pc.day(parsed), days))
    return late & _mask(pc.is_valid(parsed)) & ~same


def _full_shape(arr: pa.Array) -> pa.Array:
    """strptime accepts trailing junk on some platforms; require the whole cell to be a date."""
    return pc.fill_null(pc.match_substring_regex(arr, "^(?:" + _SHAPE.pattern + ")$"), False)


def beijing_to_utc(moment: datetime) -> datetime:
    """A naive Beijing wall-clock time -> naive UTC."""
    return moment - OFFSET


def from_unix_prefix(name: str) -> datetime | None:
    """抖店 `<unix seconds>_<hex>….csv` -> naive UTC export time."""
    match = re.match(r"(\d{10})_", name)
    if not match:
        return None
    return datetime.fromtimestamp(int(match.group(1)), UTC).replace(tzinfo=None)


def from_chinese_stamp(name: str) -> datetime | None:
    """微信 `…_<YYYY年MM月DD日HH时MM分SS秒>_n.xlsx` -> naive UTC export time."""
    match = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日(\d{1,2})时(\d{1,2})分(\d{1,2})秒", name)
    return _beijing(match.groups()) if match else None


def from_dashed_stamp(name: str) -> datetime | None:
    """拼多多 `…orders_export<YYYY-MM-DD-HH-MM-SS>.csv` -> naive UTC export time."""
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})", name)
    return _beijing(match.groups()) if match else None


def _beijing(parts: tuple[str, ...]) -> datetime | None:
    try:
        year, month, day, hour, minute, second = (int(p) for p in parts)
        return beijing_to_utc(datetime(year, month, day, hour, minute, second))
    except ValueError:
        return None
