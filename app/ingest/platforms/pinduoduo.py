"""拼多多 order export (CSV, one row per order, TAB-suffixed numbers)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from app.beijing import OFFSET
from app.wording import N_

from ..dates import from_dashed_stamp
from .base import Column, ExportFormat

if TYPE_CHECKING:
    from ..batch import Cells


class Pinduoduo(ExportFormat):
    kind = "pinduoduo"
    platform = "pinduoduo"
    label = N_("拼多多订单导出")
    signature = (("订单号",), ("商家实收金额(元)",))
    columns = (
        Column("order_id", ("订单号",), "id", required=True),
        Column("line_id", ("订单号",), "id", required=True),
        Column("product_id", ("商品id",), "id"),
        Column("sku_code", ("商家编码-规格维度",)),
        Column("merchant_code", ("商家编码-商品维度",)),
        Column("product_name", ("商品",)),
        Column("quantity", ("商品数量(件)", "商品数量"), "qty", required=True),
        Column("paid", ("用户实付金额(元)",), "money", required=True),
        Column("created_at", ("订单成交时间",), "date"),
        Column("ordered_at", ("订单创建时间", "下单时间"), "date"),
        Column("grouped_at", ("拼单成功时间",), "date"),
        Column("paid_at", ("支付时间",), "date", required=True),
        Column("status", ("订单状态",), required=True),
        Column("after_sale", ("售后状态",)),
        Column("live", ("是否直播间成交",), "flag"),
        Column("province", ("省",)),
    )
    id_digits = None
    id_pattern = r"\d{6}-\d{6,24}"
    id_hint = N_("“YYMMDD-数字”形式的订单号")
    status_map = {
        "待付款": "unpaid",
        "待支付": "unpaid",
        "待发货": "paid",
        "已发货,待收货": "shipped",
        "已发货": "shipped",
        "已收货": "completed",
        "已签收": "completed",
        "交易成功": "completed",
        "已取消": "closed",
        "交易关闭": "closed",
        "未发货,退款成功": "refunded",
        "已发货,退款成功": "refunded",
        "已收货,退款成功": "refunded",
    }
    after_sale_refunded = ("退款成功",)
    after_sale_known = (
        "无售后或售后取消",
        "退款中",
        "售后处理中",
        "退款关闭",
        "售后关闭",
        "换货成功",
        "补寄成功",
        "待商家处理",
        "待买家退货",
        "待商家收货",
        "驳回",
    )
    live_values = ("是",)
    paid_at_substitutes = ("订单成交时间", "拼单成功时间")

    def export_time(self, filename: str) -> datetime | None:
        return from_dashed_stamp(filename)

    def merchant_code(self, c: Cells) -> pd.Series:
        """The SKU-level code where filled (it names a pack size), else the product-level one."""
        return c.text("sku_code").fillna(c.text("merchant_code"))

    def created_at(self, c: Cells) -> pd.Series:
        """The first time column with a value; the order id's YYMMDD prefix only when none
        has one (it can be the day before 订单成交时间 for orders placed near midnight)."""
        created = c.date("ordered_at").fillna(c.date("created_at"))
        created = created.fillna(c.date("grouped_at")).fillna(c.date("paid_at"))
        prefix = c.text("order_id").str.slice(0, 6)
        from_id = pd.to_datetime("20" + prefix, format="%Y%m%d", errors="coerce") - OFFSET
        return created.fillna(from_id.astype("datetime64[ns]"))
