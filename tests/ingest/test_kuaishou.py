"""快手小店 export: column aliases, closed statuses, after-sale refunds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .files import read_all, write_xlsx

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
    assert line["line_id"] == line["order_id"] == "2796962095970208"
    assert line["quantity"] == 3 and line["paid_fen"] == 4589 and line["status"] == "completed"
    assert line["platform_product_id"] == "10313721590109" and line["product_name"] == "许营西瓜"
    assert any("快手" in w for w in result.reader.warnings)  # unconfirmed column names


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
        "2796962095970206",
    ]  # fmt: skip
    assert not result.errors and pd.isna(result.lines["province"]).all()
