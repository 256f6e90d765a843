"""抖店 order export (CSV, one row per 子订单) and 精选联盟 commission export (XLSX)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from app.wording import N_, say

from ..dates import from_unix_prefix
from ..errors import ImportFileError
from ..text import norm_header
from .base import TOKENS, Column, ExportFormat

if TYPE_CHECKING:
    from ..batch import Cells

ORDER_LEVEL = N_(
    "这是抖店的“订单维度”导出：一个订单的多件商品合在一行（子订单编号用“;”连接），"
    "拿不到每件商品的金额，整个文件未导入。请在抖店后台“订单管理 → 批量导出”时选择"
    "“商品维度”导出，再上传。"
)
_PAID_TOKENS = [TOKENS.index(t) for t in ("paid", "shipped", "completed", "refunded")]

AFTER_SALE_OTHER = (
    "售后关闭",
    "售后已拒绝",
    "换货成功",
    "补寄成功",
    "待收退货",
    "待退货",
    "售后待处理",
    "换货待收货",  # an exchange under way: not a refund
    "退款中",
    "售后处理中",
    "退货中",
)


class DouyinOrders(ExportFormat):
    kind = "douyin_orders"
    platform = "douyin"
    label = N_("抖店订单导出")
    signature = (("主订单编号",), ("子订单编号",), ("选购商品",))
    columns = (
        Column("order_id", ("主订单编号",), "id", required=True),
        Column("line_id", ("子订单编号",), "id", required=True),
        Column("product_id", ("商品ID",), "id"),
        Column("merchant_code", ("商家编码", "货号")),
        Column("product_name", ("选购商品", "商品名称")),
        Column("quantity", ("商品数量",), "qty", required=True),
        Column("paid", ("订单应付金额",), "money", required=True),
        Column("created_at", ("订单提交时间",), "date"),
        Column("paid_at", ("支付完成时间",), "date", required=True),
        Column("status", ("订单状态",), required=True),
        Column("after_sale", ("售后状态",)),
        Column("streamer_id", ("达人ID",), "id"),
        Column("streamer_nickname", ("达人昵称",)),
        Column("live", ("流量体裁",), "flag"),
        Column("province", ("省",)),
        Column("shop_ref", ("店铺ID",)),
    )
    status_map = {
        "待支付": "unpaid",
        "待付款": "unpaid",
        "待发货": "paid",
        "备货中": "paid",
        "已发货": "shipped",
        "已完成": "completed",
        "已关闭": "closed",
    }
    # No refund-amount column: 退款成功 means the line was refunded in full (FORMATS.md).
    after_sale_refunded = ("退款成功",)
    after_sale_known = AFTER_SALE_OTHER
    # 订单提交时间 stands in only for lines whose status shows payment (see `adjust`).
    paid_at_substitutes = ("订单提交时间",)

    def export_time(self, filename: str) -> datetime | None:
        return from_unix_prefix(filename)

    def resolve(self, headers: list[str]) -> dict[str, int]:
        if norm_header("商家收入金额") in {norm_header(h) for h in headers}:
            raise ImportFileError(say(ORDER_LEVEL), "order_level_export")
        return super().resolve(headers)

    def check_chunk(self, c: Cells) -> None:
        """A `;` in 子订单编号: the 订单维度 export, per-line amounts lost (FORMATS.md)."""
        if c.has("line_id") and c.text("line_id").str.contains(";", regex=False).any():
            raise ImportFileError(say(ORDER_LEVEL), "order_level_export")

    def adjust(self, c: Cells) -> None:
        """With 订单提交时间 standing in, only lines whose status shows payment were paid:
        not 待支付, not closed before payment (已关闭 without any after-sale)."""
        if self.substitute is None:
            return
        token = self.status_tokens(c)
        shown = np.isin(token, _PAID_TOKENS) | self.refunded_after_sale(c)
        closed_after_sale = (token == TOKENS.index("closed")) & c.text("after_sale").notna()
        paid = shown | closed_after_sale.to_numpy()
        c.set_date("paid_at", c.date("paid_at").where(paid))


class DouyinAlliance(ExportFormat):
    kind = "douyin_alliance"
    platform = "douyin"
    source = "commission"
    label = N_("抖店精选联盟订单导出")
    signature = (("订单id",), ("作者账号",), ("预估佣金支出",))
    columns = (
        Column("line_id", ("订单id",), "id", required=True),
        Column("order_id", ("订单id",), "id", required=True),
        Column("product_id", ("商品id",), "id"),
        Column("product_name", ("商品名称",)),
        Column("quantity", ("商品数量",), "qty"),
        Column("paid", ("支付金额",), "money", required=True),
        Column("paid_at", ("付款时间",), "date", required=True),
        Column("status", ("订单状态",), required=True),
        Column("streamer_nickname", ("作者账号",)),
        Column("streamer_id", ("抖音/火山号", "抖音号")),
        Column("live", ("流量来源",), "flag"),
        Column("shop_ref", ("店铺id",)),
    )
    status_map = {
        "订单付款": "paid",
        "订单收货": "completed",
        "订单结算": "completed",
        "订单退货退款": "refunded",
    }

    def export_time(self, filename: str) -> datetime | None:
        return from_unix_prefix(filename)
