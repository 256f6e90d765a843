"""One raw batch -> one Chunk: clean, parse, apply the format's rules, reject bad rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app.wording import N_, Wording, say

from . import cells
from .batch import Cells
from .chunk import Chunk
from .errors import ImportFileError, Notes
from .platforms.base import TOKENS, ExportFormat
from .readers import RawBatch
from .rows import RowChecks

CLOSED, REFUNDED, CANCELLED, UNKNOWN = (
    TOKENS.index(t) for t in ("closed", "refunded", "cancelled", "unknown")
)
_STATUS_NAMES = pa.array(TOKENS, cells.TEXT)
IDS_DAMAGED = N_(
    "编号被 Excel 改动了（变成了科学计数法，或末尾变成了 000），文件里没有一个订单号可信，"
    "整个文件未导入。请从平台重新下载导出文件，不要打开后另存，直接上传。"
)
_UNKNOWN_STATUS = N_(
    "{header}“{value}”不在已知状态表中，相关订单行已按原文保存、状态记为“未知状态”"
    "（未做任何推断）。请联系管理员补充该状态的对应关系。"
)
_UNKNOWN_AFTER_SALE = N_(
    "{header}“{value}”不在已知售后状态表中，已按原文保存，未据此调整退款金额。"
)
_IDS_RESAVED = N_(
    "“{header}”列的编号疑似被 Excel 改动（科学计数法或末尾变成 000），"
    "编号可能已不准确，重复导入时可能对不上原订单。"
    "请从平台重新导出原始文件，不要用 Excel 打开后保存再上传。"
)
_SEPARATOR = pa.scalar(" / ", cells.TEXT)


@dataclass
class Context:
    """State carried across the chunks of one file."""

    fmt: ExportFormat
    headers: dict[str, str]  # field key -> header text as written in the file
    platform: str
    notes: Notes
    repeated: dict[str, set[str]] = field(default_factory=dict)  # filled by the pre-pass
    occurrences: dict[str, int] = field(default_factory=dict)
    seen_unknown: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)  # what was noted or checked once per file

    def warn_once(self, code: str, message: Wording, key: str | None = None) -> None:
        """Note `message` once per file (per `key`, default the code)."""
        key = key or code
        if key not in self.seen:
            self.seen.add(key)
            self.notes.add(code, message, once=True)


def build_chunk(ctx: Context, batch: RawBatch, c: Cells | None = None) -> Chunk:
    """Normalise one batch (its Cells may be built ahead). Bad rows become RowErrors."""
    fmt = ctx.fmt
    c = c if c is not None else Cells(fmt, batch.frame)
    c.repeated = ctx.repeated
    rows = batch.rows[c.filled]
    checks = RowChecks(c, rows, ctx.headers)
    for number, text in batch.unreadable:
        checks.unreadable(number, text)
    _note_skipped(ctx, c.totals + batch.totals, c.blanks + batch.blanks)
    fmt.check_chunk(c)
    _note_file_quirks(ctx, c)

    paid_at = c.date("paid_at")
    is_paid = paid_at.notna().to_numpy()
    checks.ids(fmt)
    line_id = fmt.line_ids(c, ctx.repeated, ctx.occurrences)
    checks.amounts(fmt, is_paid)
    for check in fmt.extra_checks(c):
        checks.add(check.bad, check.key, check.message, check.code, **check.values)
    for code, message, count in fmt.notes(c):
        ctx.notes.add(code, message, count)
    checks.duplicates(line_id)

    lines = _assemble(ctx, c, rows, line_id, is_paid)
    good = ~checks.rejected
    errors = sorted(checks.errors, key=lambda e: e.row)
    if not good.all():
        lines = lines[good].reset_index(drop=True)
    return Chunk(
        lines=lines,
        errors=errors,
        rows_read=int(c.n + len(batch.unreadable)),
        progress=batch.progress,
    )


def _assemble(
    ctx: Context, c: Cells, rows: np.ndarray, line_id: pd.Series, is_paid: np.ndarray
) -> pd.DataFrame:
    """The contract's columns; SPEC §3 amount rules applied on whole columns."""
    fmt = ctx.fmt
    gross = fmt.paid_amount(c).fillna(0).to_numpy(dtype=np.int64)
    given_col = fmt.refund_amount(c)
    given = (
        np.zeros(c.n, np.int64)
        if given_col is None
        else given_col.fillna(0).to_numpy(dtype=np.int64)
    )
    token = fmt.status_tokens(c)
    # Closed, cancelled or refunded after payment: refunded in full unless a smaller refund
    # amount is given (SPEC §3). A line without payment is no sale: no amounts at all.
    full = is_paid & ((token == CLOSED) | (token == REFUNDED) | fmt.refunded_after_sale(c))
    refund = np.where(
        full, np.where((given > 0) & (given < gross), given, gross), np.minimum(given, gross)
    )
    over = is_paid & (given > gross)
    if over.any():
        header = ctx.headers.get("refund", "退款金额")
        ctx.warn_once(
            "refund_over_paid",
            say(
                N_("部分行的“{header}”大于实付金额，这些行已按实付金额全额退款计算。"),
                header=header,
            ),
        )
    paid_fen = np.where(is_paid, gross, 0)
    refund = np.where(is_paid, refund, 0)
    status = np.where(
        token == CLOSED, np.where(is_paid & (refund >= paid_fen), REFUNDED, CANCELLED), token
    )
    fully = is_paid & (paid_fen > 0) & (refund >= paid_fen) & (token != UNKNOWN)
    status = np.where(fully, REFUNDED, status).astype(np.int8)
    _warn_unknown(ctx, c, token)
    streamer_id, streamer_nickname = fmt.streamer(c)

    data = {
        "row": rows.astype(np.int64),
        "order_id": c.text("order_id"),
        "line_id": line_id,
        "platform_product_id": c.text("product_id"),
        "merchant_code": fmt.merchant_code(c),
        "product_name": c.text("product_name"),
        "quantity": c.quantity().fillna(0).to_numpy(dtype=np.int64),
        "paid_fen": paid_fen.astype(np.int64),
        "refund_fen": refund.astype(np.int64),
        "status": cells.series(_STATUS_NAMES.take(pa.array(status)), c.index),
        "raw_status": _raw_status(fmt, c),
        "created_at": fmt.created_at(c),
        "paid_at": c.date("paid_at"),
        "streamer_id": streamer_id,
        "streamer_nickname": streamer_nickname,
        "live": fmt.live(c).to_numpy(dtype=bool),
        "province": cells.masked_to_na(c.text("province")),
        "shop_ref": fmt.shop_ref(c),
        "zero_value": is_paid & (paid_fen == 0),
    }
    frame = pd.DataFrame(data, index=c.index)
    _fit_widths(ctx, frame)
    return frame


# Longest text the order_lines table stores per column (characters).
WIDTHS = {"order_id": 64, "platform_product_id": 64, "merchant_code": 64, "product_name": 300,
          "raw_status": 200, "streamer_id": 64, "streamer_nickname": 200, "province": 32,
          "shop_ref": 64}  # fmt: skip


def _fit_widths(ctx: Context, frame: pd.DataFrame) -> None:
    """Cut over-long text to what storage holds (rare junk), with one warning per file."""
    for column, width in WIDTHS.items():
        arr = cells.arrow(frame[column])
        if not len(arr) or (pc.max(pc.binary_length(arr)).as_py() or 0) <= width:
            continue  # bytes bound characters: nothing can be too long
        if (pc.max(pc.utf8_length(arr)).as_py() or 0) > width:
            cut = pc.utf8_slice_codeunits(arr, 0, width)
            frame[column] = cells.series(cut, frame.index)
            header = ctx.headers.get(_SOURCE_KEY.get(column, column), column)
            ctx.warn_once(
                "text_truncated",
                say(
                    N_("“{header}”列有超过 {width} 个字的内容，已截断保存。"),
                    header=header,
                    width=width,
                ),
                key=f"width:{column}",
            )


_SOURCE_KEY = {"platform_product_id": "product_id", "raw_status": "status"}


def _raw_status(fmt: ExportFormat, c: Cells) -> pd.Series:
    """订单状态, plus ` / ` and the after-sale status when there is one; '' when neither.

    Built per distinct (status, after-sale) pair: a handful of strings, then one take.
    """
    status, after = c.distinct("status"), c.distinct("after_sale")
    none = set(fmt.after_sale_none)
    firsts = [*status.values, None]
    seconds = [None if v in none else v for v in after.values] + [None]
    if len(firsts) * len(seconds) > 50_000:  # junk with thousands of values: join row by row
        return _raw_status_rows(fmt, c)
    combos = [" / ".join(p for p in (s, a) if p) for s in firsts for a in seconds]
    pairs = status.codes.astype(np.int64) * len(seconds) + after.codes
    text = pa.DictionaryArray.from_arrays(pa.array(pairs, pa.int32()), pa.array(combos, cells.TEXT))
    return cells.series(text.cast(cells.TEXT), c.index)


def _raw_status_rows(fmt: ExportFormat, c: Cells) -> pd.Series:
    status = cells.arrow(c.text("status"))
    after = cells.arrow(c.text("after_sale"))
    if fmt.after_sale_none:
        after = pc.if_else(
            pc.is_in(after, value_set=pa.array(fmt.after_sale_none, cells.TEXT)),
            pa.scalar(None, cells.TEXT),
            after,
        )
    text = pc.fill_null(status, "")
    both = pc.binary_join_element_wise(text, pc.fill_null(after, ""), _SEPARATOR)
    joined = pc.if_else(pc.is_null(after), text, pc.if_else(pc.is_null(status), after, both))
    return cells.series(joined, c.index)


def _warn_unknown(ctx: Context, c: Cells, token: np.ndarray) -> None:
    """One warning per status text the format does not know (kept raw, never guessed)."""
    status = c.distinct("status")
    seen = np.unique(status.codes[token == UNKNOWN])
    for value in (status.values[i] for i in seen if i < len(status.values)):
        if value not in ctx.seen_unknown:
            ctx.seen_unknown.add(value)
            header = ctx.headers.get("status", "订单状态")
            ctx.notes.add(
                "unknown_status", say(_UNKNOWN_STATUS, header=header, value=value), once=True
            )
    if c.has("after_sale"):
        for value in ctx.fmt.unknown_after_sale(c.distinct("after_sale").values):
            if value not in ctx.seen_unknown:
                ctx.seen_unknown.add(value)
                header = ctx.headers.get("after_sale", "售后状态")
                ctx.notes.add(
                    "unknown_after_sale",
                    say(_UNKNOWN_AFTER_SALE, header=header, value=value),
                    once=True,
                )


def _note_skipped(ctx: Context, totals: int, blanks: int) -> None:
    if totals:
        ctx.notes.add(
            "totals_row_skipped",
            say(N_("文件中的“合计/总计”行已跳过，没有当作订单，也不计入金额。")),
            totals,
        )
    if blanks:
        ctx.notes.add("blank_rows_skipped", say(N_("文件中的空白行已跳过。")), blanks)


def _note_file_quirks(ctx: Context, c: Cells) -> None:
    if c.resaved_dates:
        ctx.warn_once(
            "resaved_dates",
            say(
                N_(
                    "文件中的日期是 Excel/WPS 另存后的格式（如 2026/6/7 14:32，秒数已丢失），"
                    "已按北京时间读取。建议直接上传平台导出的原始文件。"
                )
            ),
        )
    if "ids-checked" in ctx.seen:  # a re-save damages whole columns: one chunk tells
        return
    ctx.seen.add("ids-checked")
    for key in ("order_id", "line_id"):
        if not c.has(key):
            continue
        present = c.text(key).notna().to_numpy()
        if present.any() and cells.damaged_ids(c.text(key))[present].all():
            raise ImportFileError(say(IDS_DAMAGED), "ids_damaged")
    for key in ("order_id", "line_id", "product_id"):
        if c.has(key) and cells.looks_resaved(c.text(key)):
            header = ctx.headers.get(key, key)
            ctx.warn_once(
                "ids_resaved",
                say(_IDS_RESAVED, header=header),
                key=f"ids:{key}",
            )
