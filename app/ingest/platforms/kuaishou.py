"""快手小店 order export (encrypted XLSX). Column names unconfirmed: aliases from public tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .base import Column, ExportFormat

if TYPE_CHECKING:
    from ..normalise import Cells


class Kuaishou(ExportFormat):
    kind = "kuaishou"
    platform = "kuaishou"
    label = "快手小店订单导出"
    signature = (
        ("订单号", "订单编号", "快手订单编号"),
        ("实付款", "实际付款"),
        ("支付完成时间", "订单支付时间", "支付时间"),
    )
    columns = (
        Column("order_id", ("订单号", "订单编号", "快手订单编号"), "id", required=True),
        Column("sub_order_id", ("子订单号", "子订单编号")),
        Column("product_id", ("商品ID", "商品id"), "id"),
        Column("product_name", ("商品名称", "商品名", "商品标题")),
        Column("sku", ("商品规格", "规格名称", "SKU编码")),
        Column("merchant_code", ("商家编码", "SKU编码", "商品编码")),
        Column("quantity", ("商品数量", "成交数量", "数量"), "qty"),
        Column("paid", ("实付款", "实际付款", "订单金额", "支付金额"), "money", required=True),
        Column("created_at", ("订单创建时间", "下单时间", "创建时间"), "date"),
        Column("paid_at", ("支付完成时间", "订单支付时间", "支付时间"), "date", required=True),
        Column("status", ("订单状态", "交易状态")),
        Column("after_sale", ("售后状态",)),
        Column("streamer_id", ("达人ID", "推广者ID")),
        Column("streamer_nickname", ("达人昵称", "推广者昵称")),
        Column("province", ("省", "收货省份")),
    )
    id_digits = None
    id_pattern = r"[0-9A-Za-z_-]{6,40}"
    id_hint = "数字或字母组成的订单号"
    id_keys = ("order_id",)
    status_map = {
        "待付款": "unpaid",
        "待支付": "unpaid",
        "未付款": "unpaid",
        "已付款": "paid",
        "待发货": "paid",
        "买家已付款": "paid",
        "已发货": "shipped",
        "待收货": "shipped",
        "卖家已发货": "shipped",
        "已收货": "completed",
        "交易成功": "completed",
        "已完成": "completed",
        "已关闭": "closed",
        "交易关闭": "closed",
        "已取消": "closed",
    }
    after_sale_refunded = ("退款成功", "退货退款成功", "已退款")
    after_sale_known = ("退款中", "售后中", "退款关闭", "售后关闭", "退款失败")
    after_sale_none = ("无", "无售后")
    # One row per order as far as is known; an order on several rows gets 订单号:商品ID:规格.
    line_parts = ("order_id",)
    split_parts = ("product_id", "sku")

    def line_base(self, c: Cells) -> pd.Series:
        if c.has("sub_order_id"):
            return c.text("sub_order_id").fillna(c.text("order_id"))
        return c.text("order_id")
