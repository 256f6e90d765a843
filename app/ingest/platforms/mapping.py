"""A file whose headers are not recognised, read through a column mapping the user saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from app.wording import N_, say

from ..errors import ImportFileError
from ..text import display_header, norm_header
from .base import Column, ExportFormat

if TYPE_CHECKING:
    from ..batch import Cells

# Canonical field -> (source key, kind). Several spellings are accepted for the amount fields.
FIELDS = {
    "order_id": ("order_id", "id"),
    "line_id": ("line_id", "id"),
    "platform_product_id": ("product_id", "id"),
    "product_id": ("product_id", "id"),
    "merchant_code": ("merchant_code", "text"),
    "product_name": ("product_name", "text"),
    "quantity": ("quantity", "qty"),
    "paid": ("paid", "money"),
    "paid_fen": ("paid", "money"),
    "paid_amount": ("paid", "money"),
    "refund": ("refund", "money"),
    "refund_fen": ("refund", "money"),
    "refund_amount": ("refund", "money"),
    "created_at": ("created_at", "date"),
    "paid_at": ("paid_at", "date"),
    "status": ("status", "text"),
    "raw_status": ("status", "text"),
    "after_sale": ("after_sale", "text"),
    "after_sale_status": ("after_sale", "text"),
    "streamer_id": ("streamer_id", "text"),
    "streamer_nickname": ("streamer_nickname", "text"),
    "live": ("live", "flag"),
    "province": ("province", "text"),
    "shop_ref": ("shop_ref", "text"),
}
REQUIRED = ("order_id", "paid", "paid_at")


_UNKNOWN_FIELDS = N_("列对应关系中有无法识别的字段：{fields}。可用字段：{known}。")
_COLUMNS_NOT_IN_FILE = N_(
    "列对应关系中的列在文件里找不到：{columns}。文件的表头为：{headers}。请修改列对应关系后重试。"
)
_REQUIRED_FIELDS = N_("列对应关系缺少必需的字段：{fields}（订单号、实付金额、支付时间）。")


class Mapping(ExportFormat):
    kind = "mapping"
    platform = "other"
    label = N_("按列对应关系读取")
    id_digits = None
    id_pattern = r"[^\s]{1,64}"
    id_hint = N_("不含空格、最长 64 个字符的编号")
    id_keys = ("order_id",)
    after_sale_refunded = ("退款成功", "退款完成", "退货退款完成", "已退款")
    live_values = ("是", "直播", "Y", "y", "1", "true", "TRUE")

    def __init__(
        self,
        mapping: dict[str, str],
        headers: list[str],
        platform: str | None,
        status_map: dict[str, str],
    ) -> None:
        unknown = sorted(k for k in mapping if k not in FIELDS)
        if unknown:
            raise ImportFileError(
                say(_UNKNOWN_FIELDS, fields="、".join(unknown), known="、".join(sorted(FIELDS))),
                "mapping_unknown_field",
            )
        normed = {norm_header(h) for h in headers}
        missing = [h for h in mapping.values() if h and norm_header(h) not in normed]
        if missing:
            listed = "、".join(display_header(h) for h in headers)
            raise ImportFileError(
                say(_COLUMNS_NOT_IN_FILE, columns="、".join(missing), headers=listed),
                "mapping_column_missing",
            )
        cols = [Column(FIELDS[f][0], (h,), FIELDS[f][1]) for f, h in mapping.items() if h]
        keys = {c.key for c in cols}
        absent = [f for f in REQUIRED if f not in keys]
        if absent:
            raise ImportFileError(
                say(_REQUIRED_FIELDS, fields="、".join(absent)), "mapping_incomplete"
            )
        self.columns = tuple(cols)  # type: ignore[misc]
        self.platform = platform or "other"  # type: ignore[misc]
        self.status_map = status_map  # type: ignore[misc]

    def line_base(self, c: Cells) -> pd.Series:
        return c.text("line_id").fillna(c.text("order_id"))
