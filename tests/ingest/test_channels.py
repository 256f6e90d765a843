"""微信小店 / 视频号 export: one row per product, line ids, partial and full refunds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from .files import read_all, write_xlsx

HEADER = (
    "订单号,订单下单时间,订单状态,收件人姓名,收件人手机,收件人地址,省,商品总价,订单实际支付金额,"
    "支付时间,带货账号昵称,带货ID,商品名称,商品编码（平台）,商品编码(自定义),SKU编码(自定义),"
    "商品属性,商品实际价格(总共),商品数量,商品售后,商品已退款金额"
).split(",")
NAME = "微信小店订单_wx8248933f80e464e7_2024年06月30日20时12分55秒_1.xlsx"
ORDER, OTHER = "3718738826827147843", "3732850127836284303"
P1, P2 = "11826330434839", "13401878017598"


def row(
    order: str,
    product: str,
    paid: str,
    *,
    status: str = "已完成",
    after: str = "无",
    refund: str = "0.00",
    sku: str = "P004-CH",
    qty: float = 1.0,
    order_paid: str = "179.21",
    paid_at: str = "2023-02-26 23:17:59",
    streamer: tuple[str, str] = ("-", "-"),
) -> list:
    return [order, "2023-02-26 23:10:00", status, "王**", "138****0000", "****", "山东省",
            order_paid, order_paid, paid_at, streamer[0], streamer[1], "富硒绿茶", product,
            sku, sku, "250g", paid, qty, after, refund]  # fmt: skip


def read_book(tmp_path: Path, rows: list[list]):  # noqa: ANN201
    return read_all(write_xlsx(tmp_path / NAME, HEADER, rows, sheet="快递订单"))


def test_multi_product_order_gets_one_line_per_product(tmp_path: Path) -> None:
    result = read_book(tmp_path, [row(ORDER, P1, "91.10"), row(ORDER, P2, "88.11", qty=2.0)])
    assert result.reader.kind == "channels"
    assert result.lines["line_id"].tolist() == [f"{ORDER}:{P1}", f"{ORDER}:{P2}"]
    assert result.lines["order_id"].tolist() == [ORDER, ORDER]
    assert result.lines["paid_fen"].tolist() == [9110, 8811]  # not the order total twice
    assert result.lines["quantity"].tolist() == [1, 2]


def test_same_product_twice_in_an_order_is_told_apart_by_sku(tmp_path: Path) -> None:
    rows = [row(ORDER, P1, "40.00", sku="P004-A"), row(ORDER, P1, "50.00", sku="P004-B"),
            row(OTHER, P1, "40.00", order_paid="40.00")]  # fmt: skip
    result = read_book(tmp_path, rows)
    assert result.lines["line_id"].tolist() == [
        f"{ORDER}:{P1}:P004-A", f"{ORDER}:{P1}:P004-B", f"{OTHER}:{P1}",
    ]  # fmt: skip
    assert not result.errors


def test_partial_refund_is_taken_from_the_line(tmp_path: Path) -> None:
    line = read_book(tmp_path, [row(ORDER, P1, "88.14", after="退款完成", refund="13.99")]).lines
    assert line["refund_fen"].tolist() == [1399]
    assert line["status"].tolist() == ["completed"]
    assert line["raw_status"].tolist() == ["已完成 / 退款完成"]


def test_cancelled_after_payment_is_refunded_in_full(tmp_path: Path) -> None:
    lines = read_book(tmp_path, [row(ORDER, P1, "38.75", status="已取消")]).lines
    assert lines["refund_fen"].tolist() == [3875] and lines["status"].tolist() == ["refunded"]


def test_cancelled_with_a_smaller_refund_amount(tmp_path: Path) -> None:
    rows = [row(ORDER, P1, "38.75", status="已取消", after="退款完成", refund="10.00")]
    lines = read_book(tmp_path, rows).lines
    assert lines["refund_fen"].tolist() == [1000]


def test_order_amount_used_when_the_line_amount_is_missing(tmp_path: Path) -> None:
    rows = [row(OTHER, P1, "-", order_paid="40.97"), row(ORDER, P1, "-"), row(ORDER, P2, "9.00")]
    result = read_book(tmp_path, rows)
    assert result.line(f"{OTHER}:{P1}")["paid_fen"] == 4097
    assert [e.column for e in result.errors] == ["商品实际价格(总共)"]


def test_streamer_dash_empty_and_export_time(tmp_path: Path) -> None:
    rows = [row(ORDER, P1, "91.10", streamer=("许营好物直播间", "sphc5udnvb8t")),
            row(OTHER, P1, "40.00", order_paid="40.00")]  # fmt: skip
    result = read_book(tmp_path, rows)
    assert result.line(f"{ORDER}:{P1}")["streamer_id"] == "sphc5udnvb8t"
    assert result.line(f"{ORDER}:{P1}")["streamer_nickname"] == "许营好物直播间"
    assert pd.isna(result.line(f"{OTHER}:{P1}")["streamer_id"])
    assert result.reader.export_time == datetime(2024, 6, 30, 12, 12, 55)
    assert result.line(f"{ORDER}:{P1}")["merchant_code"] == "P004-CH"


def test_identical_lines_and_long_skus_stay_distinct_and_short(tmp_path: Path) -> None:
    long_sku = "礼盒装-" + "特级" * 80
    rows = [row(ORDER, P1, "40.00", sku=long_sku), row(ORDER, P1, "41.00", sku=long_sku + "B"),
            row(OTHER, P2, "9.00", sku="X", order_paid="18.00"),
            row(OTHER, P2, "9.00", sku="X", order_paid="18.00")]  # fmt: skip
    lines = read_book(tmp_path, rows).lines
    assert lines["line_id"].is_unique and lines["line_id"].str.len().max() <= 128
    assert lines["line_id"].tolist()[2:] == [f"{OTHER}:{P2}:X#1", f"{OTHER}:{P2}:X#2"]


# The columns of the real 63-column export that FORMATS.md names; the 57-column one lacks 带货ID.
REAL = (
    "订单号,订单下单时间,订单发货时间,订单确认收货时间,订单完成结算时间,订单状态,发货方式,收件人姓名,"
    "收件人地址,收件人手机,省,市,区,买家备注,商家备注,打标颜色,商品总价,商品优惠,跨店优惠,商品改价,"
    "积分抵扣,订单实际支付金额,订单实际收款金额,订单运费,支付方式,支付时间,交易单号,物流公司,快递单号,"
    "技术服务费,技术服务费（将以人气卡形式返还）,运费险预计投保费用,带货方式,带货账号类型,带货账号昵称,"
    "带货ID,带货费用,带货佣金率,带货费用渠道,带货费用类型,礼物单号,是否预售,商品名称,商品编码(平台),"
    "商品编码(自定义),SKU编码(自定义),商品属性,商品价格(单件),商品实际价格(单件),商品实际价格(总共),"
    "商品数量,商品发货,商品售后,商品已退款金额,商品平台券优惠,商品平均运费,定制信息,定制预览图"
).split(",")
REAL_57 = [h for h in REAL if h != "带货ID"]


def real_row(header: list[str], order: str, product: str, **cells: object) -> list[object]:
    values: dict[str, object] = {
        "订单号": order, "订单下单时间": "2025-05-02 20:11:03", "支付时间": "2025-05-02 20:11:09",
        "订单状态": "已完成", "省": "山东省", "商品总价": "59.80", "订单实际支付金额": "59.80",
        "订单实际收款金额": "59.80", "带货方式": "直播", "带货账号昵称": "汪庄小李",
        "带货ID": "sphABC123", "商品名称": "富硒绿茶", "商品编码(平台)": product,
        "商品编码(自定义)": "P004-CH", "商品属性": "250g", "商品实际价格(总共)": "59.80",
        "商品数量": 1, "商品发货": "已发货", "商品售后": "无", "商品已退款金额": "0.00",
    }  # fmt: skip
    values.update(cells)
    return [values.get(h, "-") for h in header]


def test_real_63_and_57_column_exports(tmp_path: Path) -> None:
    for header in (REAL, REAL_57):
        rows = [
            real_row(header, ORDER, P1),
            real_row(
                header, OTHER, P2, 订单状态="已取消", 商品售后="退款完成", 商品已退款金额="59.80"
            ),  # fmt: skip
            real_row(
                header,
                "3718738826827140001",
                P2,
                订单状态="已取消",
                商品售后="退款完成",
                商品已退款金额="20.00",
            ),  # fmt: skip
        ]
        result = read_all(write_xlsx(tmp_path / NAME, header, rows, sheet="快递订单"))
        lines = result.lines
        assert result.reader.kind == "channels" and not result.errors
        assert lines["paid_fen"].tolist() == [5980, 5980, 5980]
        assert lines["refund_fen"].tolist() == [0, 5980, 2000]
        assert lines["status"].tolist() == ["completed", "refunded", "refunded"]
        assert lines["streamer_nickname"].tolist() == ["汪庄小李"] * 3
        ids = lines["streamer_id"].fillna("").tolist()
        assert ids == (["sphABC123"] * 3 if header is REAL else [""] * 3)
        assert lines["province"].tolist() == ["山东省"] * 3
