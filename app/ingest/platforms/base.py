"""What every export format declares: header aliases, id rule, amounts and status words."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from app.wording import N_, Wording, say

from .. import cells
from ..errors import ImportFileError
from ..text import norm_header, norm_status_text

if TYPE_CHECKING:
    from ..batch import Cells

# Status tokens a format's map may use: the canonical statuses plus `closed`, which becomes
# `refunded` for a paid line and `cancelled` for an unpaid one (SPEC §3).
TOKENS = ("unpaid", "paid", "shipped", "completed", "refunded", "cancelled", "unknown", "closed")
UNKNOWN = TOKENS.index("unknown")
MAX_LINE_ID = 128


@dataclass(frozen=True)
class Column:
    """A source column: the field it feeds, its header spellings, how to parse it."""

    key: str
    aliases: tuple[str, ...]
    kind: str = "text"  # id | text | money | qty | date | flag
    required: bool = False  # the file is rejected without this column
    normed: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "normed", tuple(norm_header(a) for a in self.aliases))


_NO_PAYMENT_TIME = N_(
    "文件像是“{label}”，但缺少{names}列，也没有可以代替它的{others}列，"
    "无法判断哪些订单已付款。请在平台导出订单时勾选{names}后重新导出，再上传。"
)
_MISSING = N_(
    "文件像是“{label}”，但缺少必需的列：{names}。"
    "请在平台导出时勾选这些字段后重新导出，或保存一个列对应关系后再上传。"
)
_SUBSTITUTE = N_(
    "文件中没有“{paid_at}”列，已用“{substitute}”代替作为付款时间。"
    "下次导出时请勾选“{paid_at}”，付款时间会更准确。"
)


@dataclass(frozen=True)
class RowCheck:
    """Rows `bad` are rejected with `code`; `message` may use {column}, {value} and `values`."""

    bad: pd.Series
    key: str
    message: str
    code: str
    values: dict[str, object] = field(default_factory=dict)


class ExportFormat:
    """Base strategy. Subclasses set the class attributes and override the few hooks."""

    kind: ClassVar[str]
    platform: ClassVar[str]
    label: ClassVar[str]
    # `order`: what the shop sold (amounts, status); `commission`: who sold lines of another
    # export (精选联盟), which never overwrites what an order export said.
    source: ClassVar[str] = "order"
    signature: ClassVar[tuple[tuple[str, ...], ...]] = ()  # every slot needs one header
    columns: ClassVar[tuple[Column, ...]] = ()
    id_pattern: ClassVar[str | None] = None  # regex for ids, when not plain digits
    id_digits: ClassVar[tuple[int, int] | None] = (6, 30)  # plain-digit ids: length range
    id_hint: ClassVar[str] = N_("纯数字编号")
    id_keys: ClassVar[tuple[str, ...]] = ("order_id", "line_id")
    status_map: ClassVar[dict[str, str]] = {}
    after_sale_refunded: ClassVar[tuple[str, ...]] = ()  # after-sale words meaning money back
    after_sale_known: ClassVar[tuple[str, ...]] = ()  # other after-sale words (no effect)
    after_sale_none: ClassVar[tuple[str, ...]] = ()  # after-sale words meaning "nothing"
    line_parts: ClassVar[tuple[str, ...]] = ("line_id",)
    split_parts: ClassVar[tuple[str, ...]] = ()  # added to the line id when the base repeats
    live_values: ClassVar[tuple[str, ...]] = ("直播",)
    # Columns that may stand in for an unticked payment-time column, best first (rule 18).
    paid_at_substitutes: ClassVar[tuple[str, ...]] = ()
    substitute: str | None = None  # the header that stands in for the payment time, if any

    def signature_matches(self, normed: set[str]) -> bool:
        return bool(self.signature) and all(
            any(norm_header(a) in normed for a in slot) for slot in self.signature
        )

    def overlap(self, normed: set[str]) -> int:
        return sum(1 for col in self.columns if any(a in normed for a in col.normed))

    def resolve(self, headers: list[str]) -> dict[str, int]:
        """Column index per field key; a missing required column rejects the file."""
        index: dict[str, int] = {}
        for pos, header in enumerate(headers):
            index.setdefault(norm_header(header), pos)
        found: dict[str, int] = {}
        missing: list[Column] = []
        for col in self.columns:
            at = next((index[a] for a in col.normed if a in index), None)
            if at is not None:
                found.setdefault(col.key, at)
            elif col.required and col.key not in found:
                missing.append(col)
        if "paid_at" not in found and self.paid_at_substitutes:
            at = next((index[norm_header(a)] for a in self.paid_at_substitutes
                       if norm_header(a) in index), None)  # fmt: skip
            if at is not None:
                found["paid_at"] = at
                self.substitute = headers[at].strip()
                missing = [c for c in missing if c.key != "paid_at"]
        if missing:
            raise self._missing(missing)
        return found

    def _missing(self, missing: list[Column]) -> ImportFileError:
        names = "、".join(c.aliases[0] for c in missing)
        if [c.key for c in missing] == ["paid_at"] and self.paid_at_substitutes:
            names = f"“{names}”"
            others = "、".join(f"“{a}”" for a in self.paid_at_substitutes)
            return ImportFileError(
                say(_NO_PAYMENT_TIME, label=say(self.label), names=names, others=others),
                "missing_column",
            )
        return ImportFileError(say(_MISSING, label=say(self.label), names=names), "missing_column")

    def substitute_note(self) -> Wording | None:
        """What the import's notes say when a substitute stood in for the payment time."""
        if self.substitute is None:
            return None
        paid_at = next((c.aliases[0] for c in self.columns if c.key == "paid_at"), "支付时间")
        return say(_SUBSTITUTE, paid_at=paid_at, substitute=self.substitute)

    def check_chunk(self, c: Cells) -> None:
        """Raise ImportFileError when a chunk shows the whole file is not importable."""

    def adjust(self, c: Cells) -> None:
        """Change parsed cells before the rows are checked (a substitute payment time)."""

    def export_time(self, filename: str) -> datetime | None:
        return None

    def column_kinds(self) -> dict[str, str]:
        return {col.key: col.kind for col in self.columns}

    # ---- hooks over a chunk's parsed cells -------------------------------------------------

    def line_base(self, c: Cells) -> pd.Series:
        """The line id before any disambiguation: `line_parts` joined with ':'."""
        first, *rest = (c.text(k) for k in self.line_parts)
        return first.str.cat(rest, sep=":", na_rep="") if rest else first

    def split_key(self, c: Cells) -> pd.Series:
        """The line id used where the base repeats within the file."""
        parts = [c.text(k) for k in self.split_parts]
        return self.line_base(c).str.cat(parts, sep=":", na_rep="")

    def prepass_keys(self, c: Cells) -> dict[str, pd.Series]:
        """Values counted over the whole file before the first chunk (only if non-empty)."""
        if not self.split_parts:
            return {}
        return {"base": self.line_base(c), "full": self.split_key(c)}

    def line_ids(
        self, c: Cells, repeated: dict[str, set[str]], occurrences: dict[str, int]
    ) -> pd.Series:
        """Line ids; a base that repeats in the file gets the split parts, then `#n`."""
        base = self.line_base(c)
        if not self.split_parts or not repeated.get("base"):
            return base
        split = base.isin(repeated["base"])
        out = base.where(~split, self.split_key(c))
        again = out.isin(repeated.get("full", set())) & split
        for pos in np.flatnonzero(again.to_numpy()):  # only identical lines in one order
            key = out.iloc[pos]
            occurrences[key] = occurrences.get(key, 0) + 1
            out.iloc[pos] = f"{key}#{occurrences[key]}"
        return _shorten(out)

    def merchant_code(self, c: Cells) -> pd.Series:
        return c.text("merchant_code")

    def created_at(self, c: Cells) -> pd.Series:
        return c.date("created_at")

    def shop_ref(self, c: Cells) -> pd.Series:
        return c.text("shop_ref")

    def paid_amount(self, c: Cells) -> pd.Series:
        """Gross paid amount in fen per line (before the unpaid/refund rules)."""
        return c.money("paid")

    def refund_amount(self, c: Cells) -> pd.Series | None:
        """Refund in fen the export states, or None when it has no refund column."""
        return c.money("refund") if c.has("refund") else None

    def streamer(self, c: Cells) -> tuple[pd.Series, pd.Series]:
        """Who sold each line: streamer id and nickname."""
        return c.text("streamer_id"), c.text("streamer_nickname")

    def notes(self, c: Cells) -> list[tuple[str, Wording, int]]:
        """Format-specific notes on a chunk: (code, message, number of lines)."""
        return []

    def live(self, c: Cells) -> pd.Series:
        return cells.flag_true(c.text("live"), self.live_values)

    def status_tokens(self, c: Cells) -> np.ndarray:
        """Raw 订单状态 -> token codes (index into TOKENS); missing -> paid/unpaid by payment."""
        known = {norm_status_text(k): TOKENS.index(v) for k, v in self.status_map.items()}
        codes = c.distinct("status").lookup(
            lambda s: known.get(norm_status_text(s), UNKNOWN), -1, np.int8
        )
        paid = c.date("paid_at").notna().to_numpy()
        default = np.where(paid, TOKENS.index("paid"), TOKENS.index("unpaid"))
        return np.where(codes < 0, default, codes).astype(np.int8)

    def refunded_after_sale(self, c: Cells) -> np.ndarray:
        words = {norm_status_text(w) for w in self.after_sale_refunded}
        return c.distinct("after_sale").lookup(lambda s: norm_status_text(s) in words, False, bool)

    def unknown_after_sale(self, values: Iterable[str]) -> list[str]:
        known = {
            norm_status_text(w)
            for w in (*self.after_sale_refunded, *self.after_sale_known, *self.after_sale_none)
        }
        return [v for v in values if norm_status_text(v) not in known]

    def extra_checks(self, c: Cells) -> list[RowCheck]:
        """Format-specific row checks."""
        return []


def _shorten(ids: pd.Series) -> pd.Series:
    """Keep composed line ids within MAX_LINE_ID: a long tail (a wordy SKU) becomes a digest."""
    long = (ids.str.len() > MAX_LINE_ID).fillna(False).to_numpy()
    for pos in np.flatnonzero(long):
        text = ids.iloc[pos]
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        ids.iloc[pos] = f"{text[: MAX_LINE_ID - 17]}~{digest}"
    return ids
