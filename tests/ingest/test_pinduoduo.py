"""拼多多 CSV: TAB-suffixed cells, refund statuses, live flag, masked province."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from .files import read_all

HEADER = ["商品", "订单号", "订单状态", "商品数量(件)", "支付时间", "商品id", "商品规格",
          "商家编码-规格维度", "商家编码-商品维度", "售后状态", "订单成交时间", "商品总价(元)",
          "邮费(元)", "用户实付金额(元)", "商家实收金额(元)", "省", "市", "是否直播间成交",
          "是否直播间引导成交"]  # fmt: skip
NAME = "022888ddbf0fed433e28f2795b826b5borders_export2024-09-28-13-20-43.csv"


def row(
    order: str,
    status: str = "已收货",
    after: str = "无售后或售后取消",
    paid_at: str = "2024-07-01 08:21:15",
    live: str = "否",
    paid: str = "31.71",
) -> str:
    cells = ["许营西瓜", order, status, "1\t", paid_at or "\t", "170586492083\t", "10斤装", "\t",
             "P002-PI\t", after, paid_at or "\t", paid + "\t", "0.0\t", paid + "\t",
             paid + "\t", "****", "****", live, "否"]  # fmt: skip
    return ",".join(cells)


def read_csv(tmp_path: Path, rows: list[str]):  # noqa: ANN201
    path = tmp_path / NAME
    path.write_bytes(("\ufeff" + ",".join(HEADER) + "\n" + "\n".join(rows) + "\n").encode())
    return read_all(path)


def test_trailing_tabs_and_lone_tabs(tmp_path: Path) -> None:
    result = read_csv(tmp_path, [row("240701-585730267069847")])
    line = result.lines.iloc[0]
    assert result.reader.kind == "pinduoduo"
    assert line["line_id"] == "240701-585730267069847" == line["order_id"]
    assert line["quantity"] == 1 and line["paid_fen"] == 3171
    assert line["platform_product_id"] == "170586492083" and line["merchant_code"] == "P002-PI"
    assert pd.isna(line["province"])  # **** is masked, not a province
    assert result.reader.export_time == datetime(2024, 9, 28, 5, 20, 43)


def test_refund_statuses_are_full_refunds(tmp_path: Path) -> None:
    rows = [row("240701-000000000000001", "未发货，退款成功"),
            row("240701-000000000000002", "已发货，退款成功"),
            row("240701-000000000000003", "已收货，退款成功"),
            row("240701-000000000000004", "已收货", after="退款成功"),
            row("240701-000000000000005", "已发货，待收货")]  # fmt: skip
    lines = read_csv(tmp_path, rows).lines
    assert lines["refund_fen"].tolist() == [3171, 3171, 3171, 3171, 0]
    assert lines["status"].tolist() == ["refunded"] * 4 + ["shipped"]


def test_cancelled_unpaid_row_dates_from_the_order_id(tmp_path: Path) -> None:
    line = read_csv(tmp_path, [row("240702-506206857850749", "已取消", paid_at="")]).lines.iloc[0]
    assert line["status"] == "cancelled" and pd.isna(line["paid_at"])
    assert line["created_at"] == datetime(2024, 7, 1, 16, 0)
    assert line["paid_fen"] == 0


def test_live_flag(tmp_path: Path) -> None:
    rows = [row("240701-000000000000001", live="是"), row("240701-000000000000002")]
    assert read_csv(tmp_path, rows).lines["live"].tolist() == [True, False]


def test_order_id_shape_is_checked(tmp_path: Path) -> None:
    result = read_csv(tmp_path, [row("240701-585730267069847"), row("订单240701")])
    assert len(result.lines) == 1
    assert result.errors[0].column == "订单号" and "YYMMDD" in result.errors[0].message
