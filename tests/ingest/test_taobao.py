"""天猫 / 淘宝 exports: refunds added back to 买家实付金额, flags, status commas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app.ingest import ImportFileError

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


# The older 淘宝 order list as downloaded: GBK, quoted headers (some with a trailing space),
# cells wrapped ="…" (FORMATS.md).
OLD_HEADER = (
    "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,"
    "买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,"
    "联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,"
    "宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,天猫卡券抵扣,集分宝抵扣,"
    "退款金额,确认收货时间"
).split(",")


def old_row(order: str, paid: str, refund: str, status: str, close: str = "订单未关闭") -> list:
    values = {
        "订单编号": f'="{order}"', "买家会员名": "t**", "买家应付货款": "40.03",
        "总金额": "40.03", "买家实际支付金额": paid, "订单状态": status,
        "订单创建时间": '="2019-11-02 10:12:31"', "订单付款时间 ": '="2019-11-02 10:12:40"',
        "宝贝标题 ": "许营焖子 500g", "宝贝种类 ": "1", "宝贝总数量": "2", "店铺Id": '="0"',
        "店铺名称": "鲁西特产", "订单关闭原因": close, "退款金额": refund,
        "是否手机订单": "手机订单'",
    }  # fmt: skip
    return [values.get(h, "") for h in OLD_HEADER]


def write_old(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    lines = [",".join(f'"{h}"' for h in header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def test_older_taobao_order_list_csv(tmp_path: Path) -> None:
    rows = [
        old_row("772233445566778899", "0.00", "40.03", "交易关闭", close="退款"),
        old_row("772233445566778900", "40.03", "10.00", "交易成功"),
        old_row("772233445566778901", "40.03", "0.00", "卖家已发货，等待买家确认"),
    ]
    result = read_all(write_old(tmp_path / "ExportOrderList201911021230.csv", OLD_HEADER, rows))
    lines = result.lines
    assert result.reader.kind == "taobao_orders" and not result.errors
    assert lines["order_id"].tolist() == ["772233445566778899", "772233445566778900",
                                          "772233445566778901"]  # fmt: skip
    assert lines["paid_fen"].tolist() == [4003, 4003, 4003]
    assert lines["refund_fen"].tolist() == [4003, 1000, 0]
    assert lines["status"].tolist() == ["refunded", "completed", "shipped"]
    assert lines["product_name"].tolist() == ["许营焖子 500g"] * 3
    assert lines["quantity"].tolist() == [2, 2, 2] and lines["shop_ref"].isna().all()


def test_detail_list_alone_asks_for_the_order_list(tmp_path: Path) -> None:
    header = (
        "订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码".split(
            ","
        )
    )
    rows = [['="772233445566778899"', "许营焖子 500g", "20.00", "2", "", "", "", "", "交易成功",
             "P001-TA"]]  # fmt: skip
    path = write_old(tmp_path / "ExportOrderDetailList201911021230.csv", header, rows)
    with pytest.raises(ImportFileError) as caught:
        read_all(path)
    assert caught.value.code == "detail_list_only"
    assert "ExportOrderList" in caught.value.message


def test_trailing_apostrophe_on_read_cells(tmp_path: Path) -> None:
    rows = [row("4476522950118971995", "57.22'", status="交易成功'", qty="1'")]
    result = read_book(tmp_path, rows)
    line = result.lines.iloc[0]
    assert not result.errors and line["paid_fen"] == 5722 and line["status"] == "completed"
