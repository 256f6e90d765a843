"""One cell of worksheet XML as the text a user would see, and what cell styles make of numbers.

The reference conversion every way of reading a sheet agrees with (`cell_text`): numbers as
their shortest text, dates as YYYY-MM-DD HH:MM:SS, large numbers in scientific notation so a
damaged id stays recognisable; a cell's value read from its XML (`element_value`) and OOXML's
`_xHHHH_` escapes decoded (`unescape`).
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

_DATE, _DURATION = 1, 2  # what a cell style's number format makes of a number
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


_ATTR = re.compile(rb"""(?:^|\s)([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str, entities: bool = False) -> str:
    """`_x000D_` -> the character it stands for (ECMA-376 ST_Xstring); with `entities`, XML
    entities too (text cut out of the XML, not parsed)."""
    if entities and "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text
