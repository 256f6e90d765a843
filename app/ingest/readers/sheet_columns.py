"""The value texts of many cells at once, by cell type, as `cell_text` would give them.

Shared strings looked up, inline text unescaped, numbers and dates converted with numpy and
pyarrow over a whole piece's cells; cells the vectorised reading could not place a value in
(`_odd_cells`) decoded one by one with sheet_cells.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..cells import TEXT, mask
from .sheet_cells import (
    _ATTR,
    _DATE,
    _DAY_MS,
    Styles,
    cell_text,
    decode_cell,
    element_value,
    serial_value,
    unescape,
)

_EPOCH_1900 = np.datetime64("1899-12-30T00:00:00", "ms")
_EPOCH_1904 = np.datetime64("1904-01-01T00:00:00", "ms")


def _decode(
    raw: pa.Array,
    t1: np.ndarray,
    t2: np.ndarray,
    style: np.ndarray,
    good: np.ndarray,
    shared: pa.Array,
    styles: Styles,
) -> pa.Array:
    """Value texts by cell type: shared strings looked up, numbers and dates as text."""
    shared_kind = (t1 == ord("s")) & (t2 == ord('"'))
    inline = (t1 == ord("i")) | ((t1 == ord("s")) & (t2 == ord("t")))
    number = t1 == ord("n")
    out = pa.nulls(len(raw), TEXT)
    groups: list[tuple[np.ndarray, pa.Array]] = []
    pick = np.flatnonzero(good & shared_kind)
    if len(pick):
        index = pc.cast(raw.take(pa.array(pick)), pa.int64(), safe=False)
        index = pc.if_else(
            pc.and_(pc.greater_equal(index, 0), pc.less(index, len(shared))), index, None
        )
        groups.append((pick, shared.take(index)))
    pick = np.flatnonzero(good & inline)
    if len(pick):
        groups.append((pick, _unescape(raw.take(pa.array(pick)))))
    pick = np.flatnonzero(good & number)
    if len(pick):
        groups.append((pick, _numbers(raw.take(pa.array(pick)), style[pick], styles)))
    rest = np.flatnonzero(good & ~shared_kind & ~inline & ~number)
    if len(rest):
        kinds = {ord("b"): "b", ord("e"): "e", ord("d"): "d"}
        texts = [
            decode_cell(kinds.get(int(t1[i]), "n"), int(style[i]), raw[int(i)].as_py(), shared,
                        styles)
            for i in rest
        ]  # fmt: skip
        groups.append((rest, pa.array(texts, TEXT)))
    if not groups:
        return out
    order = np.concatenate([g[0] for g in groups])
    values = pa.concat_arrays([g[1].cast(TEXT) for g in groups])
    index = np.full(len(raw), -1, np.int64)
    index[order] = np.arange(len(order))
    return values.take(pa.array(index, mask=index < 0))


def _unescape(values: pa.Array) -> pa.Array:
    """XML entities (&amp; &#x4E00;) and OOXML's `_xHHHH_` escapes in inline text, decoded;
    most cells have neither."""
    if not pc.any(pc.match_substring_regex(values, "&|_x[0-9A-Fa-f]{4}_")).as_py():
        return values
    return pa.array([None if v is None else unescape(v, True) for v in values.to_pylist()], TEXT)


def _numbers(values: pa.Array, style: np.ndarray, styles: Styles) -> pa.Array:
    """Number cells as `cell_text` shows them; dates by their style."""
    try:
        number = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        none = pa.nulls(0, TEXT)
        pairs = zip(style.tolist(), values.to_pylist(), strict=True)
        return pa.array([decode_cell("n", k, v, none, styles) for k, v in pairs], TEXT)
    kind = styles.kind(style) if styles.kinds.any() else np.zeros(len(number), np.int8)
    finite = np.isfinite(number)
    size = np.abs(np.where(finite, number, 0))
    whole = finite & (size < 1e15) & (number == np.trunc(np.where(finite, number, 0)))
    # Between 1e-4 and 1e15 arrow's shortest text is Python's repr; outside, repr decides.
    plain = finite & ~whole & (size >= 1e-4) & (size < 1e15)
    dates = (kind > 0) & finite
    text = pc.if_else(
        pa.array(whole),
        pc.cast(pa.array(np.where(whole, number, 0).astype(np.int64)), TEXT),
        pc.cast(pa.array(np.where(finite, number, 0)), TEXT),
    )
    if plain.any():  # arrow writes an exponent earlier than Python (from about 1e13)
        plain &= ~mask(pc.match_substring(text, "e"))
    special = finite & ~whole & ~plain & ~dates
    if not special.any() and not dates.any():
        return pc.if_else(pa.array(finite), text, pa.scalar(None, TEXT))
    out = np.array(text.to_pylist(), dtype=object)
    for i in np.flatnonzero(special):
        out[i] = repr(float(number[i]))
    if dates.any():
        out[dates] = _serials(number[dates], kind[dates], styles.date1904)
    out[~finite] = None
    return pa.array(out.tolist(), TEXT)


def _serials(serial: np.ndarray, kind: np.ndarray, date1904: bool) -> np.ndarray:
    """Excel serial numbers as date, time or date-time text (durations one by one)."""
    out = np.full(len(serial), None, object)
    span = (serial > -1e6) & (serial < 3e6)
    usual = (kind == _DATE) & span & ((serial >= 60) | date1904) & (serial >= 0)
    if usual.any():
        ms = np.rint(serial[usual] * _DAY_MS).astype(np.int64)
        stamps = (_EPOCH_1904 if date1904 else _EPOCH_1900) + ms.astype("timedelta64[ms]")
        arr = pa.array(stamps.astype("datetime64[s]"))  # %S of a ms stamp shows the ms
        values = serial[usual]
        text = pc.strftime(arr, "%Y-%m-%d %H:%M:%S")
        only_date = pc.strftime(arr, "%Y-%m-%d")
        only_time = pc.strftime(arr, "%H:%M:%S")
        chosen = pc.if_else(
            pa.array(values < 1),
            only_time,
            pc.if_else(pa.array(values == np.trunc(values)), only_date, text),
        )
        out[usual] = chosen.to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~usual):
        out[i] = cell_text(serial_value(float(serial[i]), int(kind[i]), date1904))
    return out


def _odd_cells(
    data: bytes,
    texts: pa.Array,
    odd: np.ndarray,
    starts: np.ndarray,
    shared: pa.Array,
    styles: Styles,
) -> pa.Array:
    """Cells the vectorised reading could not place a value in, read one by one as XML."""
    values = texts.to_pylist()
    for i in odd:
        start = int(starts[i])
        end = data.find(b">", start)
        end = len(data) if end < 0 else end
        attrs = {k.split(b":")[-1]: d or s for k, d, s in _ATTR.findall(data[start + 2 : end])}
        if data[end - 1 : end] == b"/":
            values[i] = None
            continue
        close = data.find(b"</c>", end)
        content = data[end + 1 : close if close >= 0 else len(data)]
        kind = (attrs.get(b"t") or b"n").decode(errors="replace")
        style = attrs.get(b"s") or b"0"
        values[i] = decode_cell(
            kind, int(style) if style.isdigit() else 0, element_value(kind, content), shared,
            styles,
        )  # fmt: skip
    return pa.array(values, TEXT)
