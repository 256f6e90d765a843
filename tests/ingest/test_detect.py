"""Format detection by header signature, the user's platform choice, and unknown files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ingest import ImportFileError, open_export
from app.ingest.detect import match

from .douyin_rows import HEADER as DOUYIN
from .douyin_rows import NAME, row
from .files import write_csv

ALLIANCE = ["订单id", "商品id", "商品名称", "作者账号", "抖音/火山号", "支付金额", "佣金率",
            "预估佣金支出", "订单状态", "付款时间", "店铺id", "商品数量", "流量来源"]  # fmt: skip
TAOBAO_ITEMS = ["子订单编号", "主订单编号", "商品价格", "购买数量", "订单状态", "商家编码",
                "买家应付货款", "买家实付金额", "退款状态", "退款金额", "订单创建时间",
                "订单付款时间", "商品ID", "标题"]  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (DOUYIN, "douyin_orders"),
        (ALLIANCE, "douyin_alliance"),
        (
            ["订单号", "订单实际支付金额", "商品已退款金额", "商品编码（平台）", "支付时间"],
            "channels",
        ),
        (["订单编号", "买家实付金额", "宝贝总数量", "订单状态"], "taobao_orders"),
        (TAOBAO_ITEMS, "taobao_items"),
        (["订单号", "售后状态", "商家实收金额(元)", "用户实付金额(元)"], "pinduoduo"),
        (["订单编号", "交易状态", "成交数量", "实付款", "订单支付时间"], "kuaishou"),
        (["平台", "网店编码", "订单号", "实付金额", "支付时间"], "template"),
    ],
)
def test_signatures(headers: list[str], kind: str) -> None:
    fmt = match(headers)
    assert fmt is not None and fmt.kind == kind


def test_douyin_checked_before_pinduoduo() -> None:
    both = [*DOUYIN, "订单号", "商家实收金额(元)"]
    assert match(both).kind == "douyin_orders"  # type: ignore[union-attr]


def test_user_platform_picks_the_kind_of_that_platform() -> None:
    assert match(ALLIANCE, "douyin").kind == "douyin_alliance"  # type: ignore[union-attr]
    assert match(TAOBAO_ITEMS, "taobao").kind == "taobao_items"  # type: ignore[union-attr]
    assert match(DOUYIN, "kuaishou") is None


def test_wrong_platform_chosen_is_explained(tmp_path: Path) -> None:
    path = write_csv(tmp_path / NAME, DOUYIN, [row("6900000000000000001")])
    with pytest.raises(ImportFileError, match="快手.*抖店订单导出"):
        open_export(path, platform="kuaishou")


def test_unknown_platform_code(tmp_path: Path) -> None:
    path = write_csv(tmp_path / NAME, DOUYIN, [row("6900000000000000001")])
    with pytest.raises(ImportFileError, match="未知的平台代码"):
        open_export(path, platform="jd")


def test_unknown_file_lists_its_headers_and_the_nearest_format(tmp_path: Path) -> None:
    headers = ["主订单编号", "商品数量", "订单应付金额", "订单状态", "自定义列"]
    path = write_csv(tmp_path / "mystery.csv", headers, [["\t1", "1", "9.90", "已完成", "x"]])
    with pytest.raises(ImportFileError) as caught:
        open_export(path)
    message = caught.value.message
    assert "主订单编号、商品数量、订单应付金额、订单状态、自定义列" in message
    assert "抖店订单导出" in message and "子订单编号" in message
    assert "列对应关系" in message


def test_missing_required_column(tmp_path: Path) -> None:
    headers = [h for h in DOUYIN if h != "订单应付金额"]
    rows = [[c for h, c in zip(DOUYIN, row("6900000000000000001"), strict=True)
             if h != "订单应付金额"]]  # fmt: skip
    with pytest.raises(ImportFileError, match="缺少必需的列：订单应付金额"):
        open_export(write_csv(tmp_path / NAME, headers, rows))
