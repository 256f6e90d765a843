"""The cells of one raw batch: cleaned text and parsed values by field key, blank and totals
rows set aside. Every format strategy reads its batch through `Cells`."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from . import cells
from .dates import parse_datetimes
from .text import Distinct, distinct


class CellFormat(Protocol):
    """What `Cells` asks of an export format (platforms.base.ExportFormat has it)."""

    def column_kinds(self) -> dict[str, str]: ...

    def adjust(self, c: Cells) -> None: ...


class Cells:
    """Cleaned text and parsed values of one batch, by field key; absent fields read as NA."""

    def __init__(self, fmt: CellFormat, raw: pd.DataFrame, parse: bool = True) -> None:
        texts = {key: cells.clean(raw[key]) for key in raw.columns}
        blank = np.logical_and.reduce([t.isna().to_numpy() for t in texts.values()])
        totals = _totals_rows(fmt, texts) & ~blank
        self.blanks = int(blank.sum())
        self.totals = int(totals.sum())
        self.filled = ~blank & ~totals
        if not self.filled.all():  # blank rows and a 合计 row are skipped, not errors
            raw = raw[self.filled].reset_index(drop=True)
            texts = {key: text[self.filled].reset_index(drop=True) for key, text in texts.items()}
        self.n = len(raw)
        self.index = raw.index
        self.raw = raw
        self._text = texts
        self._parsed: dict[str, pd.Series] = {}
        self._distinct: dict[str, Distinct] = {}
        self.bad: dict[str, pd.Series] = {}
        self.resaved_dates = False
        self.repeated: dict[str, set[str]] = {}  # whole-file repeats, set by the reader
        if parse:
            for key, kind in fmt.column_kinds().items():
                if key in self._text:
                    self._parse(key, kind)
            fmt.adjust(self)

    def _parse(self, key: str, kind: str) -> None:
        text = self._text[key]
        if kind == "money":
            self._parsed[key], self.bad[key] = cells.parse_money(text)
        elif kind == "qty":
            self._parsed[key], self.bad[key] = cells.parse_quantity(text)
        elif kind == "date":
            self._parsed[key], self.bad[key], resaved = parse_datetimes(text)
            self.resaved_dates |= resaved

    def has(self, key: str) -> bool:
        return key in self._text

    def set_date(self, key: str, values: pd.Series) -> None:
        """Replace a parsed date column (a format's substitute payment time)."""
        self._parsed[key] = values

    def text(self, key: str) -> pd.Series:
        if key in self._text:
            return self._text[key]
        return cells.blank(self.n, self.index)

    def distinct(self, key: str) -> Distinct:
        """The column dictionary-encoded (cached: status columns are looked at several times)."""
        if key not in self._distinct:
            self._distinct[key] = distinct(self.text(key))
        return self._distinct[key]

    def money(self, key: str) -> pd.Series:
        if key in self._parsed:
            return self._parsed[key]
        missing = pd.arrays.IntegerArray(np.zeros(self.n, np.int64), np.ones(self.n, bool))
        return pd.Series(missing, index=self.index)

    def quantity(self) -> pd.Series:
        return self._parsed.get("quantity", pd.Series(1, index=self.index, dtype="Int64"))

    def date(self, key: str) -> pd.Series:
        blank = pd.Series(pd.NaT, index=self.index, dtype="datetime64[ns]")
        return self._parsed.get(key, blank)


def _totals_rows(fmt: CellFormat, texts: dict[str, pd.Series]) -> np.ndarray:
    """合计/总计 rows (FORMATS.md rule 13): no order id, a totals label or only sums.

    The label may stand in the order-id column itself; a row whose only filled cells are
    amounts and quantities is a sum row whose label sits in a column not read.
    """
    n = len(next(iter(texts.values()))) if texts else 0
    kinds = fmt.column_kinds()
    labels = {key: cells.totals_label(text) for key, text in texts.items()}
    if not any(label.any() for label in labels.values()):
        label = np.zeros(n, bool)
    else:
        label = np.logical_or.reduce(list(labels.values()))
    id_keys = [k for k in texts if kinds.get(k) == "id"]
    if not id_keys:
        return np.zeros(n, bool)
    no_id = np.logical_and.reduce([texts[k].isna().to_numpy() | labels[k] for k in id_keys])
    numbers = [k for k in texts if kinds.get(k) in ("money", "qty")]
    words = [texts[k].isna().to_numpy() for k in texts if kinds.get(k) not in ("money", "qty")]
    only_sums = np.logical_and.reduce(words) if words else np.ones(n, bool)
    if numbers:
        only_sums &= np.logical_or.reduce([texts[k].notna().to_numpy() for k in numbers])
    else:
        only_sums &= False
    return no_id & (label | only_sums)
