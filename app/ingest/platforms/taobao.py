"""天猫 / 淘宝 (千牛) exports: the order-level ExportOrderList and the item-level variant."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from app.wording import N_, say

from ..errors import ImportFileError
from .base import Column, ExportFormat

if TYPE_CHECKING:
    from ..batch import Cells

STATUS = {
    "等待买家付款": "unpaid",
    "买家已付款,等待卖家发货": "paid",
    "等待卖家发货": "paid",
    "卖家已发货,等待买家确认": "shipped",
    "交易成功": "completed",
    "交易关闭": "closed",
    "交易已关闭": "closed",
}


class TaobaoOrders(ExportFormat):
    kind = "taobao_orders"
    platform = "taobao"
    label = N_("天猫/淘宝订单导出（订单维度）")
    signature: ClassVar[tuple[tuple[str, ...], ...]] = (
        ("订单编号",),
        ("买家实付金额", "买家实际支付金额"),  # the older 淘宝 CSV says 买家实际支付金额
        ("宝贝总数量",),
    )
    columns: ClassVar[tuple[Column, ...]] = (
        Column("order_id", ("订单编号",), "id", required=True),
        Column("line_id", ("订单编号",), "id", required=True),
        Column("product_id", ("商品ID", "宝贝ID"), "id"),
        Column("merchant_code", ("商家编码",)),
        Column("product_name", ("商品标题", "宝贝标题")),
        Column("quantity", ("宝贝总数量",), "qty", required=True),
        Column("paid", ("买家实付金额", "买家实际支付金额"), "money", required=True),
        Column("refund", ("退款金额",), "money"),
        Column("created_at", ("订单创建时间",), "date"),
        Column("paid_at", ("订单付款时间",), "date", required=True),
        Column("status", ("订单状态",), required=True),
        Column("shop_ref", ("店铺ID",)),  # 店铺Id in the older CSV (headers compare lower-case)
    )
    status_map = STATUS

    def paid_amount(self, c: Cells) -> pd.Series:
        """买家实付金额 is net of refunds: add the refund back when it exceeds it (FORMATS.md)."""
        paid = c.money("paid")
        refund = c.money("refund").fillna(0)
        return paid.where(~(refund > paid.fillna(0)), paid.fillna(0) + refund)

    def shop_ref(self, c: Cells) -> pd.Series:
        shop = c.text("shop_ref")
        return shop.where(shop != "0")  # exports write 0 when the id is not filled in


class TaobaoItems(TaobaoOrders):
    kind = "taobao_items"
    label = N_("天猫/淘宝订单导出（宝贝维度）")
    signature = (("子订单编号",), ("主订单编号",), ("购买数量",), ("买家实付金额",))
    columns = (
        Column("order_id", ("主订单编号",), "id", required=True),
        Column("line_id", ("子订单编号",), "id", required=True),
        Column("product_id", ("商品ID", "宝贝ID"), "id"),
        Column("merchant_code", ("商家编码", "商家编码(SKU)")),
        Column("product_name", ("标题", "商品标题", "宝贝标题")),
        Column("quantity", ("购买数量",), "qty", required=True),
        Column("paid", ("买家实付金额",), "money", required=True),
        Column("refund", ("退款金额",), "money"),
        Column("created_at", ("订单创建时间",), "date"),
        Column("paid_at", ("订单付款时间",), "date", required=True),
        Column("status", ("订单状态",), required=True),
        Column("after_sale", ("退款状态",)),
        Column("shop_ref", ("店铺ID",)),
    )
    after_sale_refunded = ("退款成功",)
    after_sale_known = (
        "退款关闭",
        "买家已经申请退款,等待卖家同意",
        "卖家已经同意退款,等待买家退货",
        "买家已经退货,等待卖家确认收货",
        "卖家拒绝退款",
        "退款中",
    )
    after_sale_none = ("没有申请退款", "无退款")


_DETAIL_LIST_ONLY = N_(
    "这是淘宝导出的宝贝明细表（ExportOrderDetailList），里面没有买家付款金额和付款时间，"
    "不能单独导入。请上传同一次导出的订单列表文件（文件名以 ExportOrderList 开头）。"
)


class TaobaoDetailList(ExportFormat):
    """The older 淘宝 ExportOrderDetailList: items without any payment, never imported alone."""

    kind = "taobao_detail_list"
    platform = "taobao"
    label = N_("淘宝宝贝明细（ExportOrderDetailList）")
    signature = (("订单编号",), ("标题",), ("价格",), ("购买数量",), ("外部系统编号", "套餐信息"))
    columns = (Column("order_id", ("订单编号",), "id"),)

    def resolve(self, headers: list[str]) -> dict[str, int]:
        raise ImportFileError(say(_DETAIL_LIST_ONLY), "detail_list_only")
