"""快手小店 export: column aliases, closed statuses, after-sale refunds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .files import read_all, write_csv, write_xlsx

HEADER = ["订单编号", "订单创建时间", "订单支付时间", "交易状态", "商品id", "商品标题", "规格名称",
          "商家编码", "成交数量", "实付款", "售后状态", "收货人", "收货地址"]  # fmt: skip


def row(
    order: str,
    status: str = "交易成功",
    after: str = "",
    paid_at: str = "2023-01-01 16:33:24",
    product: str = "10313721590109",
    qty: float = 1.0,
    spec: str = "10斤装",
) -> list:
    return [order, "2023-01-01 16:25:55", paid_at, status, product, "许营西瓜", spec, "P002-KU",
            qty, "45.89", after, "张**", "山东省****"]  # fmt: skip


def read_book(tmp_path: Path, rows: list[list], **kwargs: object):  # noqa: ANN201
    return read_all(write_xlsx(tmp_path / "快手小店订单.xlsx", HEADER, rows, "订单列表"), **kwargs)


def test_aliases_and_amounts(tmp_path: Path) -> None:
    result = read_book(tmp_path, [row("2796962095970208", qty=3.0)], platform="kuaishou")
    line = result.lines.iloc[0]
    assert result.reader.kind == "kuaishou"
    assert line["order_id"] == "2796962095970208"
    assert line["line_id"] == "2796962095970208:10313721590109:10斤装"
    assert line["quantity"] == 3 and line["paid_fen"] == 4589 and line["status"] == "completed"
    assert line["platform_product_id"] == "10313721590109" and line["product_name"] == "许营西瓜"
    assert not result.reader.notes.as_list()  # nothing to say about a clean file


def test_closed_statuses_refund_in_full_when_paid(tmp_path: Path) -> None:
    rows = [row("2796962095970201", "已关闭"), row("2796962095970202", "交易关闭"),
            row("2796962095970203", "已取消", paid_at="")]  # fmt: skip
    lines = read_book(tmp_path, rows).lines
    assert lines["status"].tolist() == ["refunded", "refunded", "cancelled"]
    assert lines["refund_fen"].tolist() == [4589, 4589, 0]


def test_after_sale_refund_success(tmp_path: Path) -> None:
    line = read_book(tmp_path, [row("2796962095970204", after="退款成功")]).lines.iloc[0]
    assert line["refund_fen"] == 4589 and line["raw_status"] == "交易成功 / 退款成功"


def test_an_order_on_several_rows_keeps_every_line(tmp_path: Path) -> None:
    rows = [row("2796962095970205"), row("2796962095970205", product="14148525388853"),
            row("2796962095970206")]  # fmt: skip
    result = read_book(tmp_path, rows)
    assert result.lines["line_id"].tolist() == [
        "2796962095970205:10313721590109:10斤装", "2796962095970205:14148525388853:10斤装",
        "2796962095970206:10313721590109:10斤装",
    ]  # fmt: skip
    assert not result.errors and pd.isna(result.lines["province"]).all()


# The real 61-column header (FORMATS.md), in export order.
REAL = (
    "订单号,赠品订单号,活动订单编号,订单创建时间,订单支付时间,预售定金支付时间,订单状态,实付款,快递费,"
    "店铺优惠,平台补贴,主播补贴,混资活动优惠,支付优惠,支付方式,成交数量,买家留言,账号类型,账号明细,"
    "订单备注,旗帜颜色,售后状态,活动订单,预售/承诺发货时间,订单载体,商品名称,商品ID,商品规格,SKU编码,"
    "商品单价,渠道,CPS达人ID,CPS达人昵称,预估推广佣金,预估推广者分佣比例,团长ID,团长昵称,快赚客ID,"
    "快赚客昵称,授权推广者ID,授权推广者昵称,收货人姓名,收货人电话,收货地址-省,收货地址-市,收货地址-区,"
    "收货地址-街道,收货地址,发货时间,快递公司,快递单号,物流信息,集运类型,直邮类型,仓库名称,仓库地址,"
    "实名姓名,服务门店ID,服务门店名称,服务门店地址,国补/类国补/消费券"
).split(",")


def real_row(order: str, **cells: str) -> list[str]:
    """One row of the real header; unnamed cells as an export leaves them."""
    values = {
        "订单号": order, "订单创建时间": "2025/03/14 10:00:12",
        "订单支付时间": "2025/03/14 10:01:00",
        "订单状态": "交易成功", "实付款": "59.90", "成交数量": "1", "商品名称": "许营西瓜",
        "商品ID": "22761234567", "商品规格": "5斤装", "SKU编码": "XG-5", "渠道": "自营",
        "收货地址-省": "山东省", "收货地址-市": "菏泽市", "收货人姓名": "张**",
        "收货人电话": "138****0000", "CPS达人ID": "0", "团长ID": "0", "快赚客ID": "0",
        "授权推广者ID": "0",
    }  # fmt: skip
    values.update({k.replace("_", "-"): v for k, v in cells.items()})
    return [values.get(h, "-") for h in REAL]


def read_real(tmp_path: Path, rows: list[list[str]], csv: bool = False) -> object:
    if csv:
        return read_all(write_csv(tmp_path / "快手订单.csv", REAL, rows))
    return read_all(write_xlsx(tmp_path / "快手订单.xlsx", REAL, rows, "订单列表"))


def test_real_header_reads_streamers_provinces_and_line_ids(tmp_path: Path) -> None:
    rows = [
        real_row("2516000000000001", CPS达人ID="887766", CPS达人昵称="汪庄小李"),
        real_row("2516000000000002", 团长ID="-", 快赚客ID="551", 快赚客昵称="快赚王姐"),
        real_row("2516000000000003", 授权推广者昵称="乡村小丽"),
        real_row("2516000000000004"),
        real_row("2516000000000004", 商品ID="22761234568", 商品规格="-", SKU编码="XG-10"),
    ]
    for csv in (False, True):
        result = read_real(tmp_path, rows, csv=csv)
        lines = result.lines
        assert lines["streamer_id"].fillna("").tolist()[:4] == ["887766", "551", "", ""]
        nicknames = lines["streamer_nickname"].fillna("").tolist()
        assert nicknames[:4] == ["汪庄小李", "快赚王姐", "乡村小丽", ""]
        assert lines["province"].tolist() == ["山东省"] * 5
        assert lines["line_id"].tolist()[3:] == [
            "2516000000000004:22761234567:5斤装", "2516000000000004:22761234568:XG-10",
        ]  # fmt: skip
        assert lines["paid_fen"].tolist() == [5990] * 5
        # 2025/03/14 10:01:00 (slashes, seconds) is how 快手 writes dates, not an Excel re-save
        assert result.reader.notes.as_list() == [] and not result.errors


def test_older_naming_of_order_number_and_amount(tmp_path: Path) -> None:
    header = [{"订单号": "订单编号", "实付款": "订单应付金额"}.get(h, h) for h in REAL]
    path = write_xlsx(tmp_path / "快手.xlsx", header, [real_row("2516000000000009")], "订单列表")
    line = read_all(path).lines.iloc[0]
    assert line["order_id"] == "2516000000000009" and line["paid_fen"] == 5990


def test_partial_refund_written_in_the_order_note(tmp_path: Path) -> None:
    rows = [
        real_row("2516000000000011", 售后状态="退款成功", 订单备注="差价十元已退", 实付款="195.80"),
        real_row("2516000000000012", 售后状态="退款成功", 订单备注="小额打款金额¥ 3"),
        real_row("2516000000000013", 售后状态="退款成功", 订单备注="退款100元"),  # not smaller
        real_row("2516000000000014", 售后状态="退款成功", 订单备注="顾客说发黄瓜"),
        real_row("2516000000000015", 订单备注="退款10元"),  # no refund recorded: nothing
    ]
    result = read_real(tmp_path, rows)
    assert result.lines["refund_fen"].tolist() == [1000, 300, 5990, 5990, 0]
    assert result.lines["status"].tolist()[:4] == ["completed", "completed", "refunded", "refunded"]
    notes = result.reader.notes.as_list()
    assert [n["code"] for n in notes] == ["partial_refund_review"] and notes[0]["count"] == 2
    message = notes[0]["message"]
    assert "2516000000000011" in message and "2516000000000013" not in message


def test_statuses_known_and_unknown_are_noted_once_per_import(tmp_path: Path) -> None:
    rows = [real_row(f"25160000000001{i:02}", 售后状态="待买家退货") for i in range(3)]
    rows += [real_row(f"25160000000002{i:02}", 订单状态="风控审核中") for i in range(30)]
    path = write_xlsx(tmp_path / "快手.xlsx", REAL, rows, "订单列表")
    result = read_all(path, chunk_rows=7)
    assert result.lines["refund_fen"].tolist()[:3] == [0, 0, 0]
    assert result.lines["status"].tolist()[3:] == ["unknown"] * 30
    notes = result.reader.notes.as_list()
    assert [n["code"] for n in notes] == ["unknown_status"] and notes[0]["count"] == 1
