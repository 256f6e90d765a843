"""Cunbo's own sales template (CSV/XLSX) for channels without an export: one row per line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from app.codes import PLATFORMS
from app.wording import N_, say

from ..text import map_distinct, norm_status_text
from .base import Column, ExportFormat, RowCheck

if TYPE_CHECKING:
    from ..batch import Cells

TEMPLATE_HEADERS = (
    "平台",
    "网店编码",
    "订单号",
    "子订单号",
    "商品编码",
    "商品名称",
    "数量",
    "实付金额",
    "退款金额",
    "支付时间",
    "订单状态",
    "主播",
)
# 平台 cell text -> platform code (SPEC §5 spellings plus the codes themselves).
PLATFORM_WORDS = {
    "抖音": "douyin",
    "抖店": "douyin",
    "抖音/抖店": "douyin",
    "douyin": "douyin",
    "快手": "kuaishou",
    "快手小店": "kuaishou",
    "kuaishou": "kuaishou",
    "视频号": "channels",
    "微信小店": "channels",
    "视频号/微信小店": "channels",
    "微信": "channels",
    "channels": "channels",
    "淘宝": "taobao",
    "天猫": "taobao",
    "淘宝/天猫": "taobao",
    "taobao": "taobao",
    "拼多多": "pinduoduo",
    "pinduoduo": "pinduoduo",
    "其他": "other",
    "其它": "other",
    "other": "other",
}
PLATFORM_HELP = "抖音/抖店、快手、视频号/微信小店、淘宝/天猫、拼多多、其他"
BAD_PLATFORM = N_("{column}“{value}”无法识别，应为 {choices} 之一，该行未导入。")
OTHER_PLATFORM = N_(
    "{column}“{value}”与本文件的平台（{platform}）不一致，该行未导入。"
    "一个文件只能包含一个平台的销售，请按平台分开上传。"
)


def platform_code(text: str | None) -> str | None:
    """平台 cell -> code, None when the text is not a known platform name."""
    if text is None:
        return None
    return PLATFORM_WORDS.get(norm_status_text(text).lower())


class Template(ExportFormat):
    kind = "template"
    platform = "other"
    label = N_("村播销售模板")
    signature = (("平台",), ("订单号",), ("实付金额",), ("支付时间",))
    columns = (
        Column("platform", ("平台",)),
        Column("shop_ref", ("网店编码",)),
        Column("order_id", ("订单号",), "id", required=True),
        Column("line_id", ("子订单号",), "id"),
        Column("merchant_code", ("商品编码",)),
        Column("product_name", ("商品名称",)),
        Column("quantity", ("数量",), "qty"),
        Column("paid", ("实付金额",), "money", required=True),
        Column("refund", ("退款金额",), "money"),
        Column("created_at", ("下单时间",), "date"),
        Column("paid_at", ("支付时间",), "date", required=True),
        Column("status", ("订单状态",)),
        Column("streamer_nickname", ("主播",)),
    )
    id_digits = None
    id_pattern = r"[^\s:]{1,64}"
    id_hint = N_("不含空格、最长 64 个字符的编号")
    id_keys = ("order_id",)
    status_map = {
        "未付款": "unpaid",
        "待付款": "unpaid",
        "待支付": "unpaid",
        "已付款": "paid",
        "已支付": "paid",
        "待发货": "paid",
        "已发货": "shipped",
        "已完成": "completed",
        "交易成功": "completed",
        "已收货": "completed",
        "已退款": "refunded",
        "退款成功": "refunded",
        "已取消": "closed",
        "已关闭": "closed",
        "交易关闭": "closed",
    }

    def __init__(self, file_platform: str = "other") -> None:
        self.file_platform = file_platform

    def line_base(self, c: Cells) -> pd.Series:
        return c.text("line_id").fillna(c.text("order_id"))

    def extra_checks(self, c: Cells) -> list[RowCheck]:
        if not c.has("platform"):
            return []
        text = c.text("platform")
        codes = map_distinct(text, platform_code)
        unknown = text.notna() & codes.isna()
        other = codes.notna() & (codes != self.file_platform)
        label = say(PLATFORMS.get(self.file_platform, self.file_platform))
        return [
            RowCheck(unknown, "platform", BAD_PLATFORM, "bad_platform", {"choices": PLATFORM_HELP}),
            RowCheck(other, "platform", OTHER_PLATFORM, "other_platform", {"platform": label}),
        ]
