"""Header and status text normalisation (full-width punctuation, BOM, private-use glyphs)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import DTypeLike

TEXT = pa.large_string()  # as cells.TEXT (cells imports nothing from here)

# Full-width punctuation that exports mix with ASCII; mapped before any comparison.
_WIDTH = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "，": ",",
        "：": ":",
        "；": ";",
        "！": "!",
        "？": "?",
        "【": "[",
        "】": "]",
        "　": " ",
        "－": "-",
        "／": "/",
        "＿": "_",
    }
)
# Variant characters some exports write in headers (帐号 for 账号, FORMATS.md rule 16).
_VARIANTS = str.maketrans({"帐": "账"})
_PUA = re.compile("[\ue000-\uf8ff]")
_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")


def norm_header(text: object) -> str:
    """Comparable form of a header: no BOM/PUA/whitespace, ASCII parentheses, ASCII lower-case."""
    if text is None:
        return ""
    out = _INVISIBLE.sub("", str(text))
    out = _PUA.sub("", out).translate(_WIDTH).translate(_VARIANTS)
    out = _SPACE.sub("", out)
    return out.lower()


def display_header(text: object) -> str:
    """Header as shown to a user: trimmed, without BOM or private-use glyphs."""
    if text is None:
        return ""
    return _PUA.sub("", _INVISIBLE.sub("", str(text))).strip()


def norm_status_text(text: str) -> str:
    """One status value in the form the status maps use as keys."""
    return _SPACE.sub("", _PUA.sub("", text).translate(_WIDTH))


@dataclass(frozen=True)
class Distinct:
    """A column as codes into its distinct values; missing cells have code len(values)."""

    codes: np.ndarray
    values: list[str]

    def lookup(
        self, func: Callable[[str], object], missing: object, dtype: DTypeLike
    ) -> np.ndarray:
        """func applied once per distinct value, spread back over the rows."""
        table = np.array([func(v) for v in self.values] + [missing], dtype=dtype)
        return table[self.codes]


def distinct(values: pd.Series) -> Distinct:
    """Dictionary-encode a text column (status columns hold a handful of values)."""
    arr = pa.array(values, type=TEXT)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    uniques = encoded.dictionary.to_pylist()
    codes = pc.fill_null(encoded.indices, len(uniques)).to_numpy(zero_copy_only=False)
    return Distinct(codes, uniques)


def map_distinct(values: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """Apply `func` once per distinct non-missing value; missing stays None."""
    return pd.Series(distinct(values).lookup(func, None, object), index=values.index)


def norm_status(values: pd.Series) -> pd.Series:
    """Vectorised norm_status_text (computed per distinct value); missing stays missing."""
    return map_distinct(values, norm_status_text).astype("str")
