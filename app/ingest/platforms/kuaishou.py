"""快手小店 order export (XLSX, often encrypted, or CSV): the 61-column header of real files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from app.wording import N_, Wording, say

from .base import Column, ExportFormat
from .refund_notes import refund_in_note

if TYPE_CHECKING:
    from ..batch import Cells

# Who sold a line, in the order FORMATS.md gives: the CPS streamer, else the first promoter.
PROMOTERS = (
    ("streamer_id", "streamer_nickname"),
    ("leader_id", "leader_nickname"),
    ("kzk_id", "kzk_nickname"),
    ("agent_id", "agent_nickname"),
)
NOBODY = ("0",)  # `-` is already empty after cleaning
MAX_LISTED = 10
_PARTIAL_REFUND = N_(
    "售后状态为“退款成功”，但“订单备注”写明只退了部分金额，已按备注中的金额计退款，"
    "请逐单核对：订单号 {orders}。"
)


class Kuaishou(ExportFormat):
    kind = "kuaishou"
    platform = "kuaishou"
    label = N_("快手小店订单导出")
    signature = (
        ("订单号", "订单编号", "快手订单编号"),
        ("实付款", "订单应付金额", "实际付款"),
        ("订单支付时间", "支付完成时间", "支付时间"),
    )
    columns = (
        Column("order_id", ("订单号", "订单编号", "快手订单编号"), "id", required=True),
        Column("sub_order_id", ("子订单号", "子订单编号")),
        Column("product_id", ("商品ID", "商品id"), "id"),
        Column("product_name", ("商品名称", "商品名", "商品标题")),
        Column("sku", ("商品规格", "规格名称")),
        Column("sku_code", ("SKU编码",)),
        Column("merchant_code", ("商家编码", "SKU编码", "商品编码")),
        Column("quantity", ("成交数量", "商品数量", "数量"), "qty"),
        Column("paid", ("实付款", "订单应付金额", "实际付款", "支付金额"), "money", required=True),
        Column("created_at", ("订单创建时间", "下单时间", "创建时间"), "date"),
        Column("paid_at", ("订单支付时间", "支付完成时间", "支付时间"), "date", required=True),
        Column("status", ("订单状态", "交易状态")),
        Column("after_sale", ("售后状态",)),
        Column("order_note", ("订单备注",)),
        Column("streamer_id", ("CPS达人ID", "达人ID", "推广者ID")),
        Column("streamer_nickname", ("CPS达人昵称", "达人昵称", "推广者昵称")),
        Column("leader_id", ("团长ID",)),
        Column("leader_nickname", ("团长昵称",)),
        Column("kzk_id", ("快赚客ID",)),
        Column("kzk_nickname", ("快赚客昵称",)),
        Column("agent_id", ("授权推广者ID",)),
        Column("agent_nickname", ("授权推广者昵称",)),
        Column("province", ("收货地址-省", "省", "收货省份")),
    )
    id_digits = None
    id_pattern = r"[0-9A-Za-z_-]{6,40}"
    id_hint = N_("数字或字母组成的订单号")
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
    after_sale_known = (
        "待买家退货",
        "退款中",
        "售后中",
        "退款关闭",
        "售后关闭",
        "退款失败",
        "待商家收货",
        "待商家处理",
    )
    after_sale_none = ("无", "无售后")
    # An order with several products has several rows with the same 订单号 (FORMATS.md).
    line_parts = ("order_id", "product_id", "sku")
    split_parts = ("sku_code",)

    def line_base(self, c: Cells) -> pd.Series:
        """订单号:商品ID:商品规格 (SKU编码 where 规格 is empty), or the file's 子订单号."""
        if c.has("sub_order_id"):
            sub = c.text("sub_order_id")
            if sub.notna().all():
                return sub
        order = c.text("order_id")
        if not c.has("product_id"):
            return order
        spec = c.text("sku").fillna(c.text("sku_code"))
        composed = order.str.cat([c.text("product_id"), spec], sep=":", na_rep="")
        composed = composed.str.replace(r":+$", "", regex=True)
        return composed.where(order.notna(), order)

    def streamer(self, c: Cells) -> tuple[pd.Series, pd.Series]:
        """CPS达人, else the first filled of 团长, 快赚客, 授权推广者 (`0` means none)."""
        streamer_id = pd.Series(pd.NA, index=c.index, dtype="str")
        nickname = pd.Series(pd.NA, index=c.index, dtype="str")
        chosen = np.zeros(c.n, bool)
        for id_key, name_key in PROMOTERS:
            ids, names = _someone(c.text(id_key)), _someone(c.text(name_key))
            take = ~chosen & (ids.notna() | names.notna()).to_numpy()
            streamer_id = streamer_id.where(~take, ids)
            nickname = nickname.where(~take, names)
            chosen |= take
        return streamer_id, nickname

    def refund_amount(self, c: Cells) -> pd.Series | None:
        """A 退款成功 line whose 订单备注 states a smaller refund: that amount (else none given)."""
        amounts, partial = self._note_refunds(c)
        return amounts.where(partial)

    def notes(self, c: Cells) -> list[tuple[str, Wording, int]]:
        _, partial = self._note_refunds(c)
        partial &= c.date("paid_at").notna().to_numpy()
        count = int(partial.sum())
        if not count:
            return []
        orders = list(dict.fromkeys(c.text("order_id")[partial].dropna()))
        listed = "、".join(orders[:MAX_LISTED]) + (" 等" if len(orders) > MAX_LISTED else "")
        return [("partial_refund_review", say(_PARTIAL_REFUND, orders=listed), count)]

    def _note_refunds(self, c: Cells) -> tuple[pd.Series, np.ndarray]:
        """Refund in fen written in 订单备注, and where it applies (退款成功, below 实付款)."""
        fen = c.distinct("order_note").lookup(refund_in_note, -1, np.int64)
        amounts = pd.Series(pd.array(np.where(fen > 0, fen, 0), dtype="Int64"), index=c.index)
        paid = c.money("paid").fillna(0).to_numpy(dtype=np.int64)
        partial = (fen > 0) & (fen < paid) & self.refunded_after_sale(c)
        return amounts, partial


def _someone(values: pd.Series) -> pd.Series:
    return values.where(~values.isin(NOBODY))
