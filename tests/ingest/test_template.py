"""Cunbo's own template: the blank file, reading it back, 平台 and 网店编码 per row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from app.ingest.platforms.template import TEMPLATE_HEADERS
from app.ingest.template import template_csv, template_xlsx, write_template

from .files import read_all, write_csv

EXPECTED = ["平台", "网店编码", "订单号", "子订单号", "商品编码", "商品名称", "数量", "实付金额",
            "退款金额", "支付时间", "订单状态", "主播"]  # fmt: skip


def line(
    platform: str = "其他",
    order: str = "OFF001",
    sub: str = "",
    status: str = "已完成",
    refund: str = "0.00",
    streamer: str = "",
) -> list[str]:
    return [platform, "S07", order, sub, "P001", "许营焖子", "2", "80.00", refund,
            "2024-07-04 10:30:00", status, streamer]  # fmt: skip


def test_blank_csv_template(tmp_path: Path) -> None:
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == EXPECTED
    path = tmp_path / "模板.csv"
    path.write_bytes(data)
    result = read_all(path)
    assert result.reader.kind == "template" and result.lines.empty and not result.errors


def test_blank_xlsx_template(tmp_path: Path) -> None:
    book = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx()))
    assert book.get_sheet_by_index(0).to_python()[0] == EXPECTED
    path = tmp_path / "模板.xlsx"
    write_template(str(path), "xlsx")
    assert read_all(path).reader.kind == "template"
    assert list(TEMPLATE_HEADERS) == EXPECTED


def test_filled_template_rows(tmp_path: Path) -> None:
    rows = [line(order="OFF001", streamer="小姚"), line(order="OFF002", sub="OFF002-2"),
            line(order="OFF003", status="已退款", refund="30.00")]  # fmt: skip
    result = read_all(write_csv(tmp_path / "展销会.csv", EXPECTED, rows))
    assert result.reader.platform == "other"
    assert result.lines["line_id"].tolist() == ["OFF001", "OFF002-2", "OFF003"]
    first = result.line("OFF001")
    assert first["merchant_code"] == "P001" and first["shop_ref"] == "S07"
    assert first["streamer_nickname"] == "小姚" and first["paid_fen"] == 8000
    refunded = result.line("OFF003")
    assert refunded["refund_fen"] == 3000 and refunded["status"] == "refunded"


@pytest.mark.parametrize(
    ("text", "code"),
    [("抖音", "douyin"), ("抖店", "douyin"), ("快手", "kuaishou"), ("视频号", "channels"),
     ("微信小店", "channels"), ("淘宝", "taobao"), ("天猫", "taobao"), ("拼多多", "pinduoduo"),
     ("其他", "other")],
)  # fmt: skip
def test_platform_words(tmp_path: Path, text: str, code: str) -> None:
    result = read_all(write_csv(tmp_path / "t.csv", EXPECTED, [line(text)]))
    assert result.reader.platform == code and len(result.lines) == 1


def test_rows_of_another_platform_are_rejected(tmp_path: Path) -> None:
    rows = [line("快手", "A1"), line("快手小店", "A2"), line("拼多多", "A3"), line("京东", "A4")]
    result = read_all(write_csv(tmp_path / "t.csv", EXPECTED, rows))
    assert result.reader.platform == "kuaishou"
    assert result.lines["order_id"].tolist() == ["A1", "A2"]
    messages = {e.row: e.message for e in result.errors}
    assert "分开上传" in messages[4] and "无法识别" in messages[5]


def test_user_platform_wins_for_a_template(tmp_path: Path) -> None:
    result = read_all(write_csv(tmp_path / "t.csv", EXPECTED, [line("其他")]), platform="other")
    assert result.reader.platform == "other" and len(result.lines) == 1
