"""A refund amount written by hand in an order note (`差价十元已退`, `小额打款金额¥ 3`).

Conservative on purpose: an amount counts only when a refund word stands right before or after
it, and a note naming two different amounts gives none.
"""

from __future__ import annotations

import re

_DIGITS = r"(?<![\d.])\d{1,6}(?:\.\d{1,2})?(?![\d.])"
_HANZI = r"[零〇一二两三四五六七八九十百]{1,6}"
_UNIT = r"(?:元|块钱|块)"
_REFUND = r"(?:已退款|已退还|已退|退款|退还|退了|退回|打款|返现|返还|补偿|赔付)"
_GAP = r"[^\d零〇一二两三四五六七八九十百，,;；。]{0,6}?"
_AMOUNT = rf"(?:(?P<d>{_DIGITS})\s*{_UNIT}?|(?P<h>{_HANZI}){_UNIT})"
_AFTER_WORD = re.compile(rf"{_REFUND}{_GAP}[¥￥]?\s*{_AMOUNT}")
_BEFORE_WORD = re.compile(rf"[¥￥]?\s*{_AMOUNT}{_GAP}{_REFUND}")
_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}  # fmt: skip


def refund_in_note(text: str) -> int:
    """Refund in fen stated by the note, or -1 when it states none (or several)."""
    found: set[int] = set()
    for pattern in (_AFTER_WORD, _BEFORE_WORD):
        for match in pattern.finditer(text):
            fen = _fen(match.group("d"), match.group("h"))
            if fen is not None:
                found.add(fen)
    if len(found) != 1:
        return -1
    return found.pop()


def _fen(digits: str | None, hanzi: str | None) -> int | None:
    if digits is not None:
        whole, _, cents = digits.partition(".")
        return int(whole) * 100 + int((cents + "00")[:2])
    yuan = chinese_number(hanzi or "")
    return None if yuan is None else yuan * 100


def chinese_number(text: str) -> int | None:
    """Small Chinese numerals (三, 十, 十五, 二十五, 一百二十, 两百) -> int; else None."""
    if not text:
        return None
    total, digit = 0, None
    for char in text:
        if char in _VALUES:
            if digit is not None:  # two digits in a row (一二) is not a number
                return None
            digit = _VALUES[char]
        elif char == "十":
            if total % 100 >= 10 or (digit is None and total):
                return None
            total += (1 if digit is None else digit) * 10
            digit = None
        elif char == "百":
            if digit is None or total:
                return None
            total += digit * 100
            digit = None
        else:
            return None
    total += digit or 0
    return total or None
