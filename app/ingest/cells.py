"""Vectorised cell cleaning and parsing: every function takes and returns whole columns.

Columns are pandas `str` Series (arrow-backed); the work is done by pyarrow compute kernels on
the same buffers. A parse function returns (values, bad) where `bad` marks cells that hold
text but could not be parsed; missing cells are never bad (the caller decides what is required).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app.wording import N_, Wording, say

# pandas' `str` dtype stores large_string: using it everywhere avoids a copy per conversion.
TEXT = pa.large_string()
# Protective characters platforms wrap around ids and flags (FORMATS.md rule 1), plus spaces.
STRIP = "\t'` \u3000\r\n\xa0"
# Every spelling of "empty" seen in exports (FORMATS.md rule 2), compared after stripping.
EMPTY = (
    "",
    "-",
    "--",
    "—",
    "－",
    "null",
    "NULL",
    "Null",
    "#NULL!",
    "nan",
    "NaN",
    "NAN",
    "None",
    "N/A",
    "n/a",
    "#N/A",
)
_EMPTY = pa.array(EMPTY, TEXT)
_EMPTY_BYTES = max(len(e.encode()) for e in EMPTY)

_MONEY = r"(\d+|\d{1,3}(,\d{3})+)(\.\d{0,2})?|\.\d{1,2}"
_MONEY_NOISE = r"[¥￥元\s]|^RMB"
_QTY = r"\d+(\.0*)?"
_SCI = r"[+-]?\d+(\.\d+)?[eE][+-]?\d+"
MAX_QTY_DIGITS = 9
MAX_YUAN = 1e11  # beyond any one order line; keeps fen well inside int64


def arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The arrow string data behind a column (zero-copy for `str` columns)."""
    if values.dtype != "str":
        values = values.astype("str")
    return pa.array(values, type=TEXT)


def series(arr: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """An arrow array back as a Series on `index` (strings become the `str` dtype)."""
    out = arr.to_pandas()
    if not isinstance(out, pd.Series):
        out = pd.Series(out)
    out.index = index
    return out


def mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow booleans (nulls as False) -> numpy bool."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def blank(n: int, index: pd.Index) -> pd.Series:
    """An all-missing `str` column."""
    return series(pa.nulls(n, TEXT), index)


def clean(values: pd.Series) -> pd.Series:
    """Strip tab/quote/backtick/whitespace protection and `="…"`; empty spellings -> NA."""
    arr = pc.utf8_trim(arrow(values), STRIP)
    if pc.any(pc.starts_with(arr, "=")).as_py():
        arr = pc.utf8_trim(pc.replace_substring_regex(arr, r'^="(.*)"$', r"\1"), STRIP)
    if pc.any(pc.less_equal(pc.binary_length(arr), _EMPTY_BYTES)).as_py():  # ids never are
        empty = pc.is_in(arr, value_set=_EMPTY)
        if pc.any(empty).as_py():
            arr = pc.if_else(empty, pa.scalar(None, TEXT), arr)
    return series(arr, values.index)


_TOTALS_LABEL = "^[\\s\u3000]*(合[\\s\u3000]*计|总[\\s\u3000]*计)"


def totals_label(values: pd.Series) -> np.ndarray:
    """Cells that are a 合计/总计 label (a totals row, FORMATS.md rule 13)."""
    arr = arrow(values)
    if not pc.any(pc.match_substring(arr, "计")).as_py():
        return np.zeros(len(values), dtype=bool)
    return mask(pc.match_substring_regex(arr, _TOTALS_LABEL))


def matches(values: pd.Series, pattern: str) -> np.ndarray:
    """Full-match test (missing -> False)."""
    return mask(pc.match_substring_regex(arrow(values), f"^(?:{pattern})$"))


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """元 text -> Int64 fen. Accepts ¥/￥/元 and 1,234.00; negatives, >2 decimals, junk are bad."""
    arr = arrow(values)
    try:  # hot path: every cell is a plain number
        yuan = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        yuan = _money_slow(values)
    yuan = np.where(np.abs(yuan) <= MAX_YUAN, yuan, np.nan)  # absurd sizes: no float overflow
    fen = np.rint(yuan * 100)
    ok = np.isfinite(yuan) & (yuan >= 0) & (yuan <= MAX_YUAN)
    ok &= np.abs(yuan * 100 - fen) < 0.01  # at most 2 decimals
    present = mask(pc.is_valid(arr))
    result = pd.arrays.IntegerArray(np.where(ok, fen, 0).astype(np.int64), ~ok)
    return pd.Series(result, index=values.index), pd.Series(present & ~ok, index=values.index)


def _money_slow(values: pd.Series) -> np.ndarray:
    """Cells with currency signs, separators or junk: clean what is money, NaN the rest."""
    text = values.str.replace(_MONEY_NOISE, "", regex=True)
    text = text.where(matches(text, _MONEY)).str.replace(",", "", regex=False)
    return pc.cast(arrow(text), pa.float64()).to_numpy(zero_copy_only=False)


def money_problem(raw: str) -> Wording:
    """Why one money cell was rejected (only called for the few bad cells)."""
    text = raw.strip(STRIP)
    for noise in ("¥", "￥", "元", ","):
        text = text.replace(noise, "")
    if text.startswith("-"):
        return say(N_("不能为负数"))
    if text.replace(".", "", 1).isdecimal() and float(text) > MAX_YUAN:
        return say(N_("金额过大，请核对"))
    head, _, tail = text.partition(".")
    if head.isdigit() and tail.isdigit() and len(tail) > 2:
        return say(N_("超过两位小数，金额应精确到分（如 41.04）"))
    return say(N_("不是有效金额，应填写数字（如 41.04）"))


def parse_quantity(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole non-negative numbers (`3`, `3.0`) -> Int64; anything else is bad."""
    arr = arrow(values)
    present = mask(pc.is_valid(arr))
    ok = mask(pc.ascii_is_decimal(arr)) & mask(pc.less_equal(pc.utf8_length(arr), MAX_QTY_DIGITS))
    if (present & ~ok).any():  # `3.0` from re-saved files; junk stays bad
        text = values.str.replace(r"\.0*$", "", regex=True).where(matches(values, _QTY))
        arr = arrow(text)
        ok = mask(pc.ascii_is_decimal(arr)) & mask(
            pc.less_equal(pc.utf8_length(arr), MAX_QTY_DIGITS)
        )
    digits = pc.if_else(pa.array(ok), arr, pa.scalar(None, TEXT))
    qty = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
    qty = np.where(ok, np.nan_to_num(qty), 0).astype(np.int64)
    result = pd.arrays.IntegerArray(qty, ~ok)
    return pd.Series(result, index=values.index), pd.Series(present & ~ok, index=values.index)


def is_scientific(values: pd.Series) -> np.ndarray:
    """Ids Excel turned into numbers shown in scientific notation (6.91793E+18)."""
    arr = arrow(values)
    if pc.all(pc.fill_null(pc.ascii_is_decimal(arr), True)).as_py():  # plain digits: no E
        return np.zeros(len(values), dtype=bool)
    return matches(values, _SCI)


def bad_ids(values: pd.Series, pattern: str | None, digits: tuple[int, int] | None) -> np.ndarray:
    """Present ids that do not fit the platform's id rule (garbled or damaged)."""
    arr = arrow(values)
    if digits is not None:
        length = pc.utf8_length(arr)
        fits = mask(
            pc.and_(
                pc.ascii_is_decimal(arr),
                pc.and_(pc.greater_equal(length, digits[0]), pc.less_equal(length, digits[1])),
            )
        )
    else:
        fits = matches(values, pattern or ".+")
    return mask(pc.is_valid(arr)) & ~fits


def damaged_ids(values: pd.Series) -> np.ndarray:
    """Ids an Excel re-save changed: scientific notation, or 16-19 digits ending in zeros
    (000, or 0000 for 19 digits: Excel keeps 15 significant digits)."""
    arr = arrow(values)
    length = pc.utf8_length(arr)
    long_ids = mask(pc.and_(pc.ascii_is_decimal(arr), pc.greater_equal(length, 16)))
    long_ids &= mask(pc.less_equal(length, 19))
    zeros = mask(pc.ends_with(arr, "000"))
    zeros &= mask(pc.ends_with(arr, "0000")) | mask(pc.less(length, 19))
    return is_scientific(values) | (long_ids & zeros)


def looks_resaved(values: pd.Series) -> bool:
    """True when a column of long numeric ids looks damaged by an Excel/WPS re-save.

    Excel keeps 15 significant digits: a 19-digit id comes back ending in 0000, a 16-18 digit
    one in at least 000. A re-save damages every id of the column, while a genuine id ends that
    way about once in a thousand, hence the share test rather than a single hit.
    """
    if is_scientific(values).any():
        return True
    arr = arrow(values)
    length = pc.utf8_length(arr)
    digits = pc.ascii_is_decimal(arr)
    long_ids = mask(pc.and_(digits, pc.greater_equal(length, 16)))
    long_ids &= mask(pc.less_equal(length, 19))
    total = int(long_ids.sum())
    if not total:
        return False
    zeros = mask(pc.ends_with(arr, "000"))
    zeros &= mask(pc.ends_with(arr, "0000")) | mask(pc.less(length, 19))
    return int((long_ids & zeros).sum()) >= max(1, 0.5 * total)


def flag_true(
    values: pd.Series, truthy: tuple[str, ...] = ("是", "Y", "y", "1", "true")
) -> pd.Series:
    """Yes/no flag column -> bool (missing is False)."""
    return pd.Series(
        mask(pc.is_in(arrow(values), value_set=pa.array(truthy, TEXT))), index=values.index
    )


def masked_to_na(values: pd.Series) -> pd.Series:
    """Masked personal text (`****`, `山东省****`) carries nothing usable -> NA."""
    arr = arrow(values)
    return series(
        pc.if_else(pc.match_substring(arr, "*"), pa.scalar(None, TEXT), arr), values.index
    )
