"""微信小店 / 视频号 order export (XLSX, sheet 快递订单, one row per product of an order)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from app.wording import N_

from ..dates import from_chinese_stamp
from .base import TOKENS, Column, ExportFormat

if TYPE_CHECKING:
    from ..batch import Cells


CLOSED, REFUNDED = TOKENS.index("closed"), TOKENS.index("refunded")


class Channels(ExportFormat):
    kind = "channels"
    platform = "channels"
    label = N_("微信小店（视频号）订单导出")
    signature = (("订单号",), ("订单实际支付金额",), ("带货账号昵称", "商品已退款金额"))
    columns = (
        Column("order_id", ("订单号",), "id", required=True),
        Column("product_id", ("商品编码(平台)",), "id", required=True),
        Column("merchant_code", ("商品编码(自定义)",)),
        Column("sku", ("SKU编码(自定义)", "SKU编码")),
        Column("spec", ("商品属性",)),
        Column("product_name", ("商品名称",)),
        Column("quantity", ("商品数量",), "qty", required=True),
        Column("paid", ("商品实际价格(总共)",), "money"),
        Column("order_paid", ("订单实际支付金额",), "money", required=True),
        Column("refund", ("商品已退款金额",), "money"),
        Column("created_at", ("订单下单时间",), "date"),
        Column("paid_at", ("支付时间",), "date", required=True),
        Column("status", ("订单状态",), required=True),
        Column("after_sale", ("商品售后",)),
        Column("streamer_id", ("带货ID",)),  # not in the 57-column export
        Column("streamer_nickname", ("带货账号昵称",)),
        Column("province", ("省",)),
    )
    id_keys = ("order_id", "product_id")
    status_map = {
        "待付款": "unpaid",
        "待支付": "unpaid",
        "待发货": "paid",
        "已发货": "shipped",
        "已完成": "completed",
        "已取消": "closed",
        "已关闭": "closed",
    }
    # 商品已退款金额 gives the amount: a partial refund stays partial even when 退款完成.
    after_sale_refunded = ("退款完成", "退货退款完成")
    after_sale_known = (
        "用户取消申请",
        "待买家退货",
        "待商家收货",
        "客服介入中",
        "退款中",
        "售后中",
        "商家拒绝退款",
        "退款关闭",
    )
    after_sale_none = ("无",)
    line_parts = ("order_id", "product_id")
    split_parts = ("sku",)

    def export_time(self, filename: str) -> datetime | None:
        return from_chinese_stamp(filename)

    def merchant_code(self, c: Cells) -> pd.Series:
        return c.text("merchant_code").fillna(c.text("sku"))

    def split_key(self, c: Cells) -> pd.Series:
        sku = c.text("sku").fillna(c.text("spec"))
        return self.line_base(c).str.cat([sku], sep=":", na_rep="")

    def prepass_keys(self, c: Cells) -> dict[str, pd.Series]:
        keys = super().prepass_keys(c)
        keys["order"] = c.text("order_id")
        return keys

    def paid_amount(self, c: Cells) -> pd.Series:
        """商品实际价格(总共); the order's 订单实际支付金额 only where the order has one row."""
        line = c.money("paid")
        order = c.money("order_paid")
        single = ~c.text("order_id").isin(c.repeated.get("order", set()))
        return line.where(line.notna() | ~single, order)

    def status_tokens(self, c: Cells) -> np.ndarray:
        """已取消 with a 商品已退款金额 is a paid line refunded, not an unpaid cancellation."""
        tokens = super().status_tokens(c)
        refunded = c.money("refund").fillna(0).to_numpy(dtype=np.int64) > 0
        refunded &= c.date("paid_at").notna().to_numpy()
        return np.where((tokens == CLOSED) & refunded, REFUNDED, tokens).astype(np.int8)
