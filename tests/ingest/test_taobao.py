"""天猫 / 淘宝 exports: refunds added back to 买家实付金额, flags, status commas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .files import read_all, write_xlsx

HEADER = (
    "订单编号,支付单号,买家应付货款,总金额,买家实付金额,订单状态,订单创建时间,订单付款时间,商品标题,"
    "宝贝种类,宝贝总数量,店铺ID,店铺名称,订单关闭原因,退款金额,预售订单,商家编码"
).split(",")
NAME = "ExportOrderList26594517441.xlsx"


def row(
    order: str,
    paid: str,
    refund: str = "0.00",
    status: str = "交易成功",
    paid_at: str = "2023-01-01 06:00:57",
    qty: str = "1",
    title: str = "许营焖子",
    close: str = "订单未关闭",
) -> list[str]:
    return [order, "2447652295011897199588888888", "57.22", "62.94", paid, status,
            "2023-01-01 05:59:23", paid_at, title, "1", qty, "0", "鲁西特产天猫店", close, refund,
            "否'", "P001-TA"]  # fmt: skip


def read_book(tmp_path: Path, rows: list[list[str]]):  # noqa: ANN201
    return read_all(write_xlsx(tmp_path / NAME, HEADER, rows, sheet="export"))


def test_full_refund_is_added_back_to_the_gross(tmp_path: Path) -> None:
    rows = [row("4476522950118971995", "0.00", "40.03", "交易关闭", close="退款")]
    line = read_book(tmp_path, rows).lines.iloc[0]
    assert line["paid_fen"] == 4003 and line["refund_fen"] == 4003
    assert line["status"] == "refunded"


def test_partial_refund_keeps_the_paid_amount(tmp_path: Path) -> None:
    line = read_book(tmp_path, [row("4476522950118971996", "173.85", "25.82")]).lines.iloc[0]
    assert line["paid_fen"] == 17385 and line["refund_fen"] == 2582
    assert line["status"] == "completed"


def test_unpaid_closed_order(tmp_path: Path) -> None:
    rows = [row("4476522950118971997", "0.00", status="交易关闭", paid_at="", qty="0", title="",
                close="买家未付款")]  # fmt: skip
    line = read_book(tmp_path, rows).lines.iloc[0]
    assert line["status"] == "cancelled" and pd.isna(line["paid_at"])
    assert line["quantity"] == 0 and pd.isna(line["product_name"])


def test_status_with_either_comma(tmp_path: Path) -> None:
    rows = [row("4476522950118971998", "10.00", status="买家已付款，等待卖家发货"),
            row("4476522950118971999", "10.00", status="卖家已发货,等待买家确认")]  # fmt: skip
    result = read_book(tmp_path, rows)
    assert result.lines["status"].tolist() == ["paid", "shipped"]
    assert not result.reader.warnings


def test_placeholder_shop_id_and_flags_do_not_leak(tmp_path: Path) -> None:
    line = read_book(tmp_path, [row("4476522950118971995", "57.22")]).lines.iloc[0]
    assert pd.isna(line["shop_ref"]) and pd.isna(line["platform_product_id"])
    assert line["merchant_code"] == "P001-TA" and line["line_id"] == line["order_id"]


def test_item_level_export(tmp_path: Path) -> None:
    header = (
        "子订单编号,主订单编号,商品价格,购买数量,订单状态,商家编码,买家应付货款,买家实付金额,"
        "退款状态,退款金额,订单创建时间,订单付款时间,商品ID,标题"
    ).split(",")
    rows = [
        ["4476522950118971001", "4476522950118971000", "20.00", "1", "交易成功", "P001-TA",
         "20.00", "20.00", "没有申请退款", "0.00", "2023-01-01 05:59:23", "2023-01-01 06:00:57",
         "6543210987", "许营焖子"],
        ["4476522950118971002", "4476522950118971000", "30.00", "1", "交易成功", "P003-TA",
         "30.00", "30.00", "退款成功", "30.00", "2023-01-01 05:59:23", "2023-01-01 06:00:57",
         "6543210988", "手撕鹅"],
    ]  # fmt: skip
    result = read_all(write_xlsx(tmp_path / "items.xlsx", header, rows))
    assert result.reader.kind == "taobao_items"
    assert result.lines["order_id"].unique().tolist() == ["4476522950118971000"]
    assert result.line("4476522950118971002")["refund_fen"] == 3000
    assert result.line("4476522950118971002")["status"] == "refunded"
    assert result.line("4476522950118971001")["platform_product_id"] == "6543210987"
