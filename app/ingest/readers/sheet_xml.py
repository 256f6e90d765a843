"""Cells of worksheet XML, a piece at a time: only the wanted columns are decoded.

A piece is whole `<row>` elements of the sheet's XML. Cells written the way every known writer
writes them (`<c r="AB12" s="3" t="s"><v>7</v></c>`, `<is><t>…</t></is>`) are located and
decoded with numpy and pyarrow over the whole piece (here, and sheet_columns); a cell written
otherwise (a formula, rich text, an entity) is decoded on its own, and a piece written otherwise
throughout (prefixed tags, cells without references, single quotes) is read tag by tag
(sheet_slow). Both ways give the same text as the workbook reader always gave (`cell_text`,
sheet_cells): numbers as their shortest text, dates as YYYY-MM-DD HH:MM:SS, large numbers in
scientific notation so a damaged id stays recognisable.

Readers import from here all they need of the three (`Piece`, `Styles`, `fast_piece`,
`slow_piece`, `cell_text`, `check_extent`, …): the names are re-exported.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from ..cells import TEXT
from .sheet_cells import (
    Styles,
    cell_text,
    decode_cell,
    element_value,
    format_kind,
    serial_value,
    style_kinds,
    unescape,
)
from .sheet_columns import _decode, _odd_cells
from .sheet_slow import Piece, check_extent, slow_piece

__all__ = [
    "Piece",
    "Styles",
    "cell_text",
    "check_extent",
    "decode_cell",
    "element_value",
    "fast_piece",
    "format_kind",
    "serial_value",
    "slow_piece",
    "style_kinds",
    "unescape",
]

# ---- a piece read vectorised -----------------------------------------------------------------

_PREFIXED = re.compile(rb"<[\w.-]+:c[\s/>]")
_C_PAIR = np.frombuffer(b"<c", np.uint16)[0]
_WINDOW = 48  # bytes read after each wanted cell's start: its tag, or most of a value
_V_OPEN = np.frombuffer(b"<v>", np.uint8)
_T_OPEN = np.frombuffer(b"<is><t>", np.uint8)
_T_KEEP = np.frombuffer(b'<is><t xml:space="preserve">', np.uint8)
_V_CLOSE = np.frombuffer(b"</v></c>", np.uint8)
_T_CLOSE = np.frombuffer(b"</t></is></c>", np.uint8)


def _pairs(data: bytes, end: int) -> np.ndarray:
    """Offsets where `<c` starts (two bytes compared at a time, both alignments)."""
    even = np.frombuffer(data, np.uint16, count=end // 2)
    odd = np.frombuffer(data, np.uint16, count=(end - 1) // 2, offset=1)
    hits = np.concatenate(
        [np.flatnonzero(even == _C_PAIR) * 2, np.flatnonzero(odd == _C_PAIR) * 2 + 1]
    )
    hits.sort(kind="stable")  # two sorted runs: merged in one pass, not sorted afresh
    return hits


def _ref_rows(pad: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The row number written at each offset up to its closing quote, and its digit count;
    None when one is not digits then a quote."""
    row = np.zeros(len(at), np.int64)
    count = np.zeros(len(at), np.int64)
    going = np.ones(len(at), bool)
    for j in range(8):
        byte = pad[at + j]
        d = byte.astype(np.int64) - ord("0")
        digit = (d >= 0) & (d <= 9)
        ended = going & ~digit
        if (ended & (byte != ord('"'))).any() or (j == 0 and ended.any()):
            return None
        going &= digit
        row = np.where(going, row * 10 + d, row)
        count += going
        if not going.any():
            return row, count
    return None


_LT = np.uint64(0x3C3C3C3C3C3C3C3C)
_ONES = np.uint64(0x0101010101010101)
_HIGH = np.uint64(0x8080808080808080)


def _first_lt(data: bytes, pad: np.ndarray, start: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Offset of the first `<` at or after each start (for `which`), eight bytes at a time."""
    words = np.ndarray((len(pad) - 8,), "<u8", pad, 0, (1,))
    end = start.copy()
    todo = np.flatnonzero(which)
    offset = 0
    while len(todo) and offset < _WINDOW:
        x = words[start[todo] + offset] ^ _LT
        found = (x - _ONES) & ~x & _HIGH  # the lowest flagged byte is the first `<`
        hit = found != 0
        low = found[hit] & (~found[hit] + np.uint64(1))
        end[todo[hit]] = start[todo[hit]] + offset + np.bitwise_count(low - np.uint64(1)) // 8
        todo = todo[~hit]
        offset += 8
    for i in todo:  # a long value: found the plain way
        at = data.find(b"<", int(start[i]))
        end[i] = len(data) if at < 0 else at
    return end


def _number_at(pad: np.ndarray, at: np.ndarray, here: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The digits at each offset where `here`: their value and how many there are."""
    value = np.zeros(len(at), np.int64)
    count = np.zeros(len(at), np.int64)
    going = here.copy()
    for j in range(7):
        d = pad[at + j].astype(np.int64) - ord("0")
        going &= (d >= 0) & (d <= 9)
        if not going.any():
            break
        value = np.where(going, value * 10 + d, value)
        count += going
    return value, count


def _at(pad: np.ndarray, where: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """Whether `pattern` stands at each offset (8 bytes compared at once)."""
    words = np.ndarray((len(pad) - 8,), "<u8", pad, 0, (1,))  # the 8 bytes at each offset
    ok = np.ones(len(where), bool)
    for part in range(0, len(pattern), 8):
        chunk = pattern[part : part + 8]
        value = int.from_bytes(chunk.tobytes(), "little")
        keep = (1 << (8 * len(chunk))) - 1
        ok &= (words[where + part] & np.uint64(keep)) == np.uint64(value)
    return ok


def fast_piece(
    data: bytes,
    wanted: dict[int, int],
    shared: pa.Array,
    styles: Styles,
    at: list[int],
    prefixed: bool = False,
) -> Piece:
    """The piece's cells located with numpy; cells written unusually are read one by one.

    `prefixed`: the sheet writes its tags with a namespace prefix (`<x:c>`), read tag by tag.
    """
    if len(data) < 8 or prefixed:
        return slow_piece(data, wanted, shared, styles, at)  # prefixed tags (`<x:c>`)
    n = len(data)
    pad = np.frombuffer(data + bytes(_WINDOW + 32), np.uint8)  # reads past the end see zeros
    tags = _pairs(data, n)
    after = pad[tags + 2]
    tags = tags[(after == 32) | (after == 62) | (after == 47) | ((after >= 9) & (after <= 13))]
    starts = tags[(pad[tags + 2] == ord(" ")) & (pad[tags + 3] == ord("r"))]
    starts = starts[(pad[starts + 4] == ord("=")) & (pad[starts + 5] == ord('"'))]
    if len(starts) != len(tags):  # a cell written otherwise: read the piece tag by tag
        return slow_piece(data, wanted, shared, styles, at)
    if not len(starts):
        return Piece(np.zeros(0, np.int64), {col: pa.nulls(0, TEXT) for col in wanted})
    letter = [pad[starts + 6 + j].astype(np.int64) - ord("A") for j in range(4)]
    is_letter = [(x >= 0) & (x < 26) for x in letter]
    if not is_letter[0].all() or (is_letter[1] & is_letter[2] & is_letter[3]).any():
        return slow_piece(data, wanted, shared, styles, at)
    two, three = is_letter[1], is_letter[1] & is_letter[2]
    col = np.where(
        three,
        (letter[0] + 1) * 676 + (letter[1] + 1) * 26 + letter[2] + 1,
        np.where(two, (letter[0] + 1) * 26 + letter[1] + 1, letter[0] + 1),
    )
    lookup = np.zeros(max(int(col.max()), max(wanted, default=0) + 1) + 1, bool)
    lookup[[c + 1 for c in wanted]] = True
    chosen = np.flatnonzero(lookup[col])
    cstart, ccol = starts[chosen], col[chosen] - 1
    ends = np.array([len(starts) - 1])
    digits_at = np.concatenate([cstart, starts[ends]])
    width = 1 + two.astype(np.int64) + three
    digits_at += 6 + np.concatenate([width[chosen], width[ends]])
    found = _ref_rows(pad, digits_at)
    if found is None:
        return slow_piece(data, wanted, shared, styles, at)
    crow, last_row = found[0][:-1], int(found[0][-1])
    ref_end = digits_at[:-1] + found[1][:-1]  # the closing quote of each wanted cell's `r`
    last_col = int(col.max())
    at[0], at[1] = last_row, int(col[-1])
    rows = np.unique(crow)
    texts = _values(data, pad, cstart, ref_end, shared, styles)
    order = sorted(wanted)
    slot = np.zeros(max(order) + 1, np.int64)
    slot[order] = np.arange(len(order))
    index = np.full((len(order), len(rows)), -1, np.int64)
    index[slot[ccol], np.searchsorted(rows, crow)] = np.arange(len(ccol))
    columns = {}
    for j, c in enumerate(order):
        column = index[j]
        columns[c] = texts.take(pa.array(column, mask=column < 0))
    return Piece(rows, columns, last_row, last_col)


_S_ATTR = np.frombuffer(b' s="', np.uint8)
_T_ATTR = np.frombuffer(b' t="', np.uint8)
_STR = np.frombuffer(b'str"', np.uint8)
_INLINE = np.frombuffer(b'inlineStr"', np.uint8)
_SELF_CLOSE = np.frombuffer(b"/>", np.uint8)


def _values(
    data: bytes,
    pad: np.ndarray,
    cstart: np.ndarray,
    ref_end: np.ndarray,
    shared: pa.Array,
    styles: Styles,
) -> pa.Array:
    """The text of the cells starting at `cstart`: attributes `s` and `t` read in the order
    writers put them (r, s, t), the value from `<v>` or `<is><t>`; anything else one by one."""
    k = len(cstart)
    if not k:
        return pa.nulls(0, TEXT)
    pos = ref_end + 1
    style = np.zeros(k, np.int64)
    t1 = np.full(k, ord("n"), np.uint8)
    t2 = np.full(k, ord('"'), np.uint8)
    for _ in range(2):  # ` s="…"` and ` t="…"`, either order
        s_here = _at(pad, pos, _S_ATTR)
        number, count = _number_at(pad, pos + 4, s_here)
        s_here &= (count > 0) & (pad[pos + 4 + count] == ord('"'))
        style = np.where(s_here, number, style)
        pos = np.where(s_here, pos + 5 + count, pos)
        t_here = _at(pad, pos, _T_ATTR)
        one = t_here & (pad[pos + 5] == ord('"'))
        three = t_here & ~one & _at(pad, pos + 4, _STR)
        nine = t_here & ~one & ~three & _at(pad, pos + 4, _INLINE)
        t_known = one | three | nine
        t1 = np.where(t_known, pad[pos + 4], t1)
        t2 = np.where(t_known, pad[pos + 5], t2)
        pos = np.where(one, pos + 6, np.where(three, pos + 8, np.where(nine, pos + 14, pos)))
    found = pad[pos] == ord(">")
    empty = _at(pad, pos, _SELF_CLOSE)
    tag_end = pos
    after = tag_end + 1
    v_form = _at(pad, after, _V_OPEN)
    t_form = ~v_form & _at(pad, after, _T_OPEN)
    keep_form = np.zeros(k, bool)
    other = np.flatnonzero(~v_form & ~t_form)
    keep_form[other] = _at(pad, after[other], _T_KEEP)
    v_start = np.where(v_form, after + 3, np.where(t_form, after + 7, after + len(_T_KEEP)))
    known = found & (v_form | t_form | keep_form)
    v_end = _first_lt(data, pad, v_start, known)  # where the value ends
    closed = np.zeros(k, bool)
    closed[v_form] = _at(pad, v_end[v_form], _V_CLOSE)
    closed[~v_form] = _at(pad, v_end[~v_form], _T_CLOSE)
    known &= closed
    odd = ~empty & ~known  # other attributes, a formula, rich text: read one by one
    lengths = np.where(known, v_end - v_start, 0)
    offsets = np.zeros(k + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    if total:
        base = np.repeat(np.where(known, v_start, 0) - offsets[:-1], lengths)
        body = pad[base + np.arange(total)]
    else:
        body = np.zeros(0, np.uint8)
    raw = pa.LargeStringArray.from_buffers(k, pa.py_buffer(offsets), pa.py_buffer(body.tobytes()))
    raw.validate(full=True)
    kind_t = np.where(v_form, t1, ord("i"))  # `<is>` is an inline string whatever `t` says
    texts = _decode(raw, kind_t, np.where(v_form, t2, ord('"')), style, known, shared, styles)
    if odd.any():
        texts = _odd_cells(data, texts, np.flatnonzero(odd), cstart, shared, styles)
    return texts
