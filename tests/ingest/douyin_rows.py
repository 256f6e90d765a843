"""A small 抖店 order export (the 2026 column set, trimmed to what the tests need)."""

from __future__ import annotations

HEADER = (
    "主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价,订单应付金额,运费,"
    "收件人,收件人手机号,省,详细地址,订单提交时间,支付完成时间,订单状态,达人ID,达人昵称,售后状态,"
    "流量体裁"
).split(",")
NAME = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"


def row(
    line: str,
    *,
    order: str | None = None,
    qty: str = "1",
    paid: str = "41.04",
    created: str = "2024-07-04 00:53:50",
    paid_at: str = "2024-07-04 00:57:18",
    status: str = "已完成",
    after: str = "-",
    streamer: tuple[str, str] = ("-", "-"),
    genre: str = "其他",
) -> list[str]:
    ids = ["\t" + (order or line), "\t" + line]
    product = [
        "\t许营焖子",
        "\t2斤装",
        qty,
        "\t3661318609139099603",
        "\tP001-DO",
        paid,
        paid,
        "0.00",
    ]
    personal = ["王**", "138****0000", "山东省", "##密文"]
    rest = [created, paid_at, status, streamer[0], streamer[1], after, genre]
    return ids + product + personal + rest
