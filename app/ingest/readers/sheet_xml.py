"""Cells of worksheet XML, a piece at a time: only the wanted columns are decoded.

A piece is whole `<row>` elements of the sheet's XML. Cells written the way every known writer
writes them (`<c r="AB12" s="3" t="s"><v>7</v></c>`, `<is><t>…</t></is>`) are located and
decoded with numpy and pyarrow over the whole piece; a cell written otherwise (a formula, rich
text, an entity) is decoded on its own, and a piece written otherwise throughout (prefixed tags,
cells without references, single quotes) is read tag by tag. Both ways give the same text as the
workbook reader always gave (`cell_text`): numbers as their shortest text, dates as
YYYY-MM-DD HH:MM:SS, large numbers in scientific notation so a damaged id stays recognisable.
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from app.wording import N_, say

from ..cells import TEXT, mask
from ..errors import ImportFileError
from . import sheet_extent

_DATE, _DURATION = 1, 2  # what a cell style's number format makes of a number
_EPOCH_1900 = np.datetime64("1899-12-30T00:00:00", "ms")
_EPOCH_1904 = np.datetime64("1904-01-01T00:00:00", "ms")
_DAY_MS = 86_400_000
# Built-in number formats that are dates or times (ECMA-376 18.8.30, and the CJK ones).
_BUILTIN_DATES = {*range(14, 23), *range(27, 37), 45, 47, *range(50, 59), *range(71, 82)}
_BUILTIN_DURATIONS = {46}


@dataclass
class Styles:
    """What each cell style (`s`) does to a number: nothing, a date, or a duration."""

    kinds: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int8))
    date1904: bool = False

    def kind(self, style: np.ndarray) -> np.ndarray:
        inside = style < len(self.kinds)
        return np.where(inside, self.kinds[np.minimum(style, len(self.kinds) - 1)], 0)


def format_kind(code: str) -> int:
    """Whether a custom number format shows a date (d, m, y, h, s outside quotes and
    brackets), a duration ([h], [mm], [ss]) or a plain number."""
    kind, i = 0, 0
    while i < len(code):
        char = code[i]
        if char == "\\" or char == "_" or char == "*":
            i += 2
            continue
        if char == '"':
            end = code.find('"', i + 1)
            i = len(code) if end < 0 else end + 1
            continue
        if char == "[":
            end = code.find("]", i + 1)
            inner = code[i + 1 : len(code) if end < 0 else end].lower()
            if inner and set(inner) <= {"h", "m", "s"}:
                return _DURATION
            i = len(code) if end < 0 else end + 1
            continue
        if char == ";":
            break  # the first section decides
        if char in "dmyhsDMYHS":
            kind = _DATE
        i += 1
    return kind


def style_kinds(xfs: list[int], custom: dict[int, str]) -> np.ndarray:
    """Each cell style's kind from its number format id."""
    out = np.zeros(max(len(xfs), 1), np.int8)
    for index, fmt in enumerate(xfs):
        if fmt in custom:
            out[index] = format_kind(custom[fmt])
        elif fmt in _BUILTIN_DURATIONS:
            out[index] = _DURATION
        elif fmt in _BUILTIN_DATES:
            out[index] = _DATE
    return out


def check_extent(rows: int, cols: int) -> None:
    """The dense range A1:<last cell> a sheet claims by its cells (what Excel would lay out)."""
    limits = sheet_extent
    if rows > limits.MAX_ROWS or cols > limits.MAX_COLS or rows * cols > limits.MAX_CELLS:
        detail = say(
            N_("{rows} 行 × {cols} 列，{cells} 个单元格"), rows=rows, cols=cols, cells=rows * cols
        )
        raise ImportFileError(say(limits._SHEET_TOO_BIG, detail=detail), code="sheet_too_large")


@dataclass
class Piece:
    """The wanted columns of the rows of one piece (rows in sheet order)."""

    rows: np.ndarray  # 1-based spreadsheet row numbers
    columns: dict[int, pa.Array]  # 0-based column index -> text of each row (null: no value)
    last_row: int = 0
    last_col: int = 0


# ---- one cell, the reference conversion -----------------------------------------------------


def cell_text(value: object) -> str | None:
    """One non-string cell as the text a user would see."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def serial_value(serial: float, kind: int, date1904: bool) -> object:
    """An Excel serial number as the date, time, datetime or timedelta its style shows."""
    if kind == _DURATION:
        return timedelta(milliseconds=round(serial * _DAY_MS))
    epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    if not date1904 and serial < 60:
        epoch = datetime(1899, 12, 31)  # Excel's 29 February 1900 that never was
    try:
        stamp = epoch + timedelta(milliseconds=round(serial * _DAY_MS))
    except OverflowError:
        return serial
    if serial < 1:
        return stamp.time()
    if serial == int(serial):
        return stamp.date()
    return stamp


def decode_cell(
    kind: str, style: int, value: str | None, shared: pa.Array, styles: Styles
) -> str | None:
    """One cell from its type (`t`), style and value text, as text."""
    if value is None:
        return None
    if kind in ("s",):
        try:
            index = int(value)
        except ValueError:
            return None
        return shared[index].as_py() if 0 <= index < len(shared) else None
    if kind in ("str", "inlineStr"):
        return value
    if kind == "b":
        return cell_text(value.strip() not in ("0", "", "false"))
    if kind == "e":
        return ""
    if kind == "d":
        try:
            return cell_text(datetime.fromisoformat(value.strip()))
        except ValueError:
            return value
    try:
        number = float(value)
    except ValueError:
        return value
    fmt = int(styles.kind(np.array([style]))[0])
    if fmt and math.isfinite(number):
        return cell_text(serial_value(number, fmt, styles.date1904))
    return cell_text(number)


_PREFIX = re.compile(rb"(</?)[\w.-]+:")


def element_value(kind: str, content: bytes) -> str | None:
    """The value text of a cell's content (children of `<c>`), read as XML."""
    content = _PREFIX.sub(rb"\1", content)
    try:
        node = ET.fromstring(b"<c>" + content + b"</c>")
    except ET.ParseError:
        return None
    if kind == "inlineStr":
        inline = node.find("is")
        if inline is None:
            return None
        parts = [t.text or "" for t in inline.findall("t")]
        parts += [t.text or "" for t in inline.findall("r/t")]
        return unescape("".join(parts))
    v = node.find("v")
    return None if v is None else unescape(v.text or "")


# ---- a piece read tag by tag -----------------------------------------------------------------

_TAG = re.compile(rb"<(?:[\w.-]+:)?(c|row)(?=[\s/>])([^<>]*?)(/?)>")
_ATTR = re.compile(rb"""(?:^|\s)([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]{1,3})(\d+)")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")


def slow_piece(
    data: bytes,
    wanted: dict[int, int] | None,
    shared: pa.Array,
    styles: Styles,
    at: list[int],
) -> Piece:
    """Every `<row>` and `<c>` of the piece read one by one (`at`: the last row, column).

    `wanted` None reads every column (the first rows, where the header is looked for).
    """
    row_numbers: list[int] = []
    values: dict[int, dict[int, str | None]] = {col: {} for col in wanted or ()}
    last_row = last_col = 0
    pos = 0
    while match := _TAG.search(data, pos):
        name, raw, closed = match.groups()
        pos = match.end()
        attrs = {k.split(b":")[-1]: d or s for k, d, s in _ATTR.findall(raw)}
        if name == b"row":
            ref = attrs.get(b"r")
            at[0] = int(ref) if ref and ref.isdigit() else at[0] + 1
            at[1] = 0
            continue
        ref = attrs.get(b"r")
        found = _REF.fullmatch(ref) if ref else None
        if found:
            at[0], at[1] = int(found.group(2)), _col_number(found.group(1).upper())
        else:
            at[0], at[1] = max(at[0], 1), at[1] + 1
        last_row, last_col = max(last_row, at[0]), max(last_col, at[1])
        check_extent(last_row, last_col)
        if not row_numbers or row_numbers[-1] != at[0]:
            row_numbers.append(at[0])
        if closed:
            continue
        end = _CELL_END.search(data, pos)
        content = data[pos : end.start() if end else len(data)]
        pos = end.end() if end else len(data)
        col = at[1] - 1
        if wanted is not None and col not in wanted:
            continue
        kind = (attrs.get(b"t") or b"n").decode(errors="replace")
        style = attrs.get(b"s") or b"0"
        text = element_value(kind, content)
        values.setdefault(col, {})[at[0]] = decode_cell(
            kind, int(style) if style.isdigit() else 0, text, shared, styles
        )
    rows = np.array(sorted(set(row_numbers)), np.int64)
    columns = {
        col: pa.array([cells.get(int(r)) for r in rows], TEXT) for col, cells in values.items()
    }
    return Piece(rows, columns, last_row, last_col)


def _col_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


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
    hits.sort()
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


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str, entities: bool = False) -> str:
    """`_x000D_` -> the character it stands for (ECMA-376 ST_Xstring); with `entities`, XML
    entities too (text cut out of the XML, not parsed)."""
    if entities and "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


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
