"""Row validation: masks of bad rows turned into RowErrors a county clerk can act on.

Each rejected row gets one error, the first problem found in the order the checks run (ids,
quantity, amounts, dates, format checks, duplicates). Only the few rejected rows are looped over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app.wording import N_, say

from . import cells
from .errors import RowError

if TYPE_CHECKING:
    from .batch import Cells
    from .platforms.base import ExportFormat
    from .readers import ColumnCount

EMPTY_ID = N_("{column}为空，无法确定是哪一笔订单，该行未导入。请核对平台导出的原始文件。")
SCI_ID = N_(
    "{column}“{value}”已被 Excel 改成科学计数法，原编号已丢失，该行未导入。"
    "请从平台重新导出原始文件，不要用 Excel 打开后保存。"
)
BAD_ID = N_("{column}“{value}”不是有效的编号（应为{hint}），该行未导入。")
BAD_QTY = N_("{column}“{value}”不是有效数量，应为 0 或正整数，该行未导入。")
EMPTY_PAID = N_("{column}为空，已付款的订单行必须有{what}，该行未导入。")
BAD_MONEY = N_("{column}“{value}”{problem}，该行未导入。")
BAD_DATE = N_(
    "{column}“{value}”无法识别，应为 YYYY-MM-DD HH:MM:SS（如 2024-07-04 00:57:18），该行未导入。"
)
UNREADABLE = N_(
    "该行有 {found} 列，表头有 {expected} 列，列数不一致（可能有未成对的引号或多余的分隔符），"
    "无法读取，未导入。请核对平台导出的原始文件。"
)
DUPLICATE = N_(
    "{column}“{value}”在第 {last} 行再次出现，同一文件中以后出现的一行为准，本行未导入。"
)


class RowChecks:
    """Collects rejected rows for one chunk."""

    def __init__(self, c: Cells, rows: np.ndarray, headers: dict[str, str]) -> None:
        self.c = c
        self.rows = rows
        self.headers = headers
        self.rejected = np.zeros(c.n, dtype=bool)
        self.errors: list[RowError] = []

    def column(self, key: str) -> str:
        return self.headers.get(key, key)

    def add(
        self,
        mask: pd.Series | np.ndarray,
        key: str,
        message: str,
        code: str = "bad_value",
        **extra: object,
    ) -> None:
        """Reject rows in `mask` not yet rejected; message may use {column} and {value}."""
        hit = np.asarray(mask, dtype=bool) & ~self.rejected
        if not hit.any():
            return
        raw = self.c.raw[key] if key in self.c.raw.columns else None
        column = self.column(key)
        for pos in np.flatnonzero(hit):
            value = "" if raw is None or pd.isna(raw.iloc[pos]) else str(raw.iloc[pos]).strip()
            params = {k: (v(value) if callable(v) else v) for k, v in extra.items()}
            text = say(message, column=column, value=value, **params)
            self.errors.append(RowError.said(int(self.rows[pos]), column, value, text, code))
        self.rejected |= hit

    def unreadable(self, number: int, counts: ColumnCount) -> None:
        """A row the parser could not split. Only the counts are kept, never its cells."""
        value = f"{counts.found} 列，表头 {counts.expected} 列"
        text = say(UNREADABLE, found=counts.found, expected=counts.expected)
        self.errors.append(RowError.said(number, "", value, text, "wrong_column_count"))

    def ids(self, fmt: ExportFormat) -> None:
        c = self.c
        keys = [k for k in (*fmt.id_keys, "line_id") if c.has(k)]
        for key in dict.fromkeys(keys):
            values = c.text(key)
            if key in fmt.id_keys:
                self.add(values.isna(), key, EMPTY_ID, "missing_id")
            self.add(cells.is_scientific(values), key, SCI_ID, "id_damaged")
            self.add(
                cells.bad_ids(values, fmt.id_pattern, fmt.id_digits),
                key,
                BAD_ID,
                "bad_id",
                hint=say(fmt.id_hint),
            )

    def amounts(self, fmt: ExportFormat, is_paid: np.ndarray) -> None:
        c = self.c
        kinds = fmt.column_kinds()
        if c.has("quantity"):
            self.add(c.bad["quantity"], "quantity", BAD_QTY, "bad_quantity")
            self.add(
                c.text("quantity").isna() & is_paid,
                "quantity",
                EMPTY_PAID,
                "missing_quantity",
                what=say(N_("数量")),
            )
        for key, kind in kinds.items():
            if kind == "money" and c.has(key):
                self.add(c.bad[key], key, BAD_MONEY, "bad_amount", problem=cells.money_problem)
        paid_key = (
            "paid"
            if c.has("paid")
            else next((k for k, kind in kinds.items() if kind == "money" and c.has(k)), "paid")
        )
        missing = fmt.paid_amount(c).isna().to_numpy() & is_paid
        self.add(missing, paid_key, EMPTY_PAID, "missing_amount", what=say(N_("金额")))
        for key, kind in kinds.items():
            if kind == "date" and c.has(key):
                self.add(c.bad[key], key, BAD_DATE, "bad_date")

    def duplicates(self, line_id: pd.Series) -> None:
        """A line id seen twice in the chunk: the later row wins, earlier ones are reported."""
        alive = ~self.rejected & line_id.notna().to_numpy()
        repeated = np.zeros(len(alive), dtype=bool)
        repeated[alive] = _repeated(line_id[alive])
        if not repeated.any():
            return
        last_row = pd.Series(self.rows[alive], index=line_id[alive].to_numpy())
        last_row = last_row[~last_row.index.duplicated(keep="last")]
        key = "line_id" if self.c.has("line_id") else "order_id"
        for pos in np.flatnonzero(repeated):
            value = line_id.iloc[pos]
            text = say(DUPLICATE, column=self.column(key), value=value, last=int(last_row[value]))
            self.errors.append(
                RowError.said(int(self.rows[pos]), self.column(key), value, text, "duplicate_line")
            )
        self.rejected |= repeated


def _repeated(ids: pd.Series) -> np.ndarray:
    """Rows whose id appears again later. Long digit ids are hashed as integers (faster)."""
    arr = cells.arrow(ids)
    digits = pc.all(pc.fill_null(pc.ascii_is_decimal(arr), False)).as_py()
    if digits and pc.max(pc.utf8_length(arr)).as_py() <= 19:
        try:
            numbers = pc.cast(arr, pa.uint64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:  # above 2**64
            numbers = None
        if numbers is not None:
            return pd.Series(numbers).duplicated(keep="last").to_numpy()
    return ids.duplicated(keep="last").to_numpy()
