"""The demo exports: each platform's file names, headers and cell quirks (FORMATS.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msoffcrypto
import pytest

from .demo_readers import read_sheets

SIGNATURES = {
    "douyin": {"主订单编号", "子订单编号", "选购商品", "订单应付金额", "达人ID", "流量体裁"},
    "kuaishou": {"订单号", "订单支付时间", "商品ID", "成交数量", "实付款", "售后状态"},
    "channels": {"订单号", "订单实际支付金额", "带货账号昵称", "带货ID", "商品已退款金额"},
    "taobao": {"订单编号", "买家实付金额", "宝贝总数量", "退款金额", "商家编码"},
    "pinduoduo": {"订单号", "商家实收金额(元)", "用户实付金额(元)", "是否直播间成交"},
    "other": {"平台", "网店编码", "订单号", "子订单号", "商品编码", "商品名称", "数量", "实付金额",
              "退款金额", "支付时间", "订单状态", "主播"},
}  # fmt: skip
SHEETS = {"kuaishou": "订单列表", "channels": "快递订单", "taobao": "export", "other": "销售"}
FILE_NAMES = {
    "douyin": r"\d{10}_[0-9a-f]{32}\.csv",
    "pinduoduo": r"[0-9a-f]{32}orders_export\d{4}(-\d\d){5}\.csv",
    "channels": r"微信小店订单_wx[0-9a-f]{16}_\d{4}年\d\d月\d\d日\d\d时\d\d分\d\d秒_1\.xlsx",
    "taobao": r"ExportOrderList\d+\.xlsx",
    "kuaishou": r"快手小店订单_.+\.xlsx",
    "other": r".+\.xlsx",
}
MONEY = re.compile(r"\d+\.\d\d")
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def rows_of(exports: list, platform: str) -> list[dict]:
    return [row for entry, _, rows in exports if entry["platform"] == platform for row in rows]


def test_manifest_lists_every_export_in_upload_order(demo: tuple[Path, list[dict]]) -> None:
    folder, manifest = demo
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert {entry["platform"] for entry in manifest} == set(SIGNATURES)
    assert [entry["shop"] for entry in manifest] == sorted(entry["shop"] for entry in manifest)
    for entry in manifest:
        assert (folder / entry["file"]).is_file()
        assert re.fullmatch(FILE_NAMES[entry["platform"]], entry["file"]), entry["file"]
        assert ("password" in entry) == (entry["platform"] == "kuaishou")
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted([e["file"] for e in manifest] + ["manifest.json", "registry.xlsx"])


def test_every_export_has_its_format_signature(exports: list) -> None:
    for entry, sheet, rows in exports:
        assert rows, entry["file"]
        assert SIGNATURES[entry["platform"]] <= set(rows[0]), entry["file"]
        assert sheet == SHEETS.get(entry["platform"]), entry["file"]


def test_shops_and_files_match_the_registry(exports: list, registry: dict) -> None:
    shops = {row["网店编码"]: row for row in registry["网店"]}
    codes = {"抖音": "douyin", "快手": "kuaishou", "视频号": "channels", "天猫": "taobao",
             "淘宝": "taobao", "拼多多": "pinduoduo", "其他": "other"}  # fmt: skip
    for entry, _, rows in exports:
        assert codes[shops[entry["shop"]]["平台"]] == entry["platform"]
        if entry["platform"] == "taobao":
            assert {row["店铺ID"] for row in rows} == {shops[entry["shop"]]["平台店铺ID"]}
        if entry["platform"] == "channels":
            assert shops[entry["shop"]]["平台店铺ID"] in entry["file"]
        if entry["platform"] == "other":
            assert {row["网店编码"] for row in rows} == {entry["shop"]}
    assert {entry["shop"] for entry, _, _ in exports} == set(shops)


def test_douyin_csv_quirks(demo: tuple[Path, list[dict]], exports: list, registry: dict) -> None:
    folder, manifest = demo
    raw = (folder / next(e["file"] for e in manifest if e["platform"] == "douyin")).read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"') and b"\r\n" in raw
    assert b'"\t' in raw and b'"-"' in raw
    rows = rows_of(exports, "douyin")
    assert all(row["子订单编号"].startswith("\t") and len(row["子订单编号"]) == 20 for row in rows)
    assert all(MONEY.fullmatch(row["订单应付金额"]) for row in rows)
    orders = {}
    for row in rows:
        orders.setdefault(row["主订单编号"], set()).add(row["子订单编号"])
    assert any(len(lines) > 1 for lines in orders.values()), "multi-item orders"
    rooms = {(r["账号ID"], r["账号昵称"]) for r in registry["直播间"] if r["平台"] == "抖音"}
    live = [row for row in rows if row["达人ID"] != "-"]
    assert live and all(row["流量体裁"] == "直播" for row in live)
    assert {(row["达人ID"].strip(), row["达人昵称"].strip()) for row in live} <= rooms
    assert {row["售后状态"] for row in rows} >= {"-", "退款成功"}
    unpaid = [row for row in rows if row["支付完成时间"] == "-"]
    assert unpaid and all(row["取消原因"] == "超时未支付" for row in unpaid)


def test_pinduoduo_csv_quirks(demo: tuple[Path, list[dict]], exports: list) -> None:
    folder, manifest = demo
    raw = (folder / next(e["file"] for e in manifest if e["platform"] == "pinduoduo")).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw and b'"' not in raw
    rows = rows_of(exports, "pinduoduo")
    assert all(row["用户实付金额(元)"].endswith("\t") for row in rows)
    assert all(re.fullmatch(r"\d{6}-\d{15}", row["订单号"]) for row in rows)
    assert {row["是否直播间成交"] for row in rows} == {"是", "否"}
    statuses = {row["订单状态"] for row in rows}
    assert {"已收货", "已取消"} <= statuses and any("退款成功" in s for s in statuses)
    assert all(row["支付时间"] == "\t" for row in rows if row["订单状态"] in ("已取消", "待付款"))


def test_channels_rows_per_product_with_room_sales_and_partial_refunds(
    exports: list, registry: dict
) -> None:
    rows = rows_of(exports, "channels")
    rooms = {(r["账号ID"], r["账号昵称"]) for r in registry["直播间"] if r["平台"] == "视频号"}
    live = [row for row in rows if row["带货ID"] != "-"]
    assert live and {(row["带货ID"], row["带货账号昵称"]) for row in live} <= rooms
    per_order: dict[str, list[dict]] = {}
    for row in rows:
        per_order.setdefault(row["订单号"], []).append(row)
    multi = [lines for lines in per_order.values() if len(lines) > 1]
    assert multi
    for lines in multi:  # order-level columns repeat on each product row
        assert len({line["订单实际支付金额"] for line in lines}) == 1
        total = sum(float(line["商品实际价格(总共)"]) for line in lines)
        assert float(lines[0]["订单实际支付金额"]) == pytest.approx(total)
    partial = [
        row for row in rows
        if 0 < float(row["商品已退款金额"]) < float(row["商品实际价格(总共)"])
    ]  # fmt: skip
    assert partial
    assert all(isinstance(row["商品数量"], float) for row in rows)  # a number cell, not text


def test_taobao_full_refunds_are_taken_off_the_paid_amount(exports: list) -> None:
    rows = rows_of(exports, "taobao")
    refunded = [row for row in rows if row["订单关闭原因"] == "退款"]
    assert refunded
    for row in refunded:
        assert row["买家实付金额"] == "0.00"
        assert row["退款金额"] == row["买家应付货款"]
    unpaid = [row for row in rows if row["订单关闭原因"] == "买家未付款"]
    assert unpaid and all(row["宝贝总数量"] == "0" and row["商品标题"] == "" for row in unpaid)
    assert {row["预售订单"] for row in rows} == {"否'"}


def test_kuaishou_files_are_encrypted_and_open_with_the_password(
    demo: tuple[Path, list[dict]],
) -> None:
    folder, manifest = demo
    protected = [entry for entry in manifest if entry["platform"] == "kuaishou"]
    assert protected
    for entry in protected:
        data = (folder / entry["file"]).read_bytes()
        assert data.startswith(bytes.fromhex("D0CF11E0A1B11AE1"))
        with (folder / entry["file"]).open("rb") as handle:
            assert msoffcrypto.OfficeFile(handle).is_encrypted()
        sheets = read_sheets(data, entry["password"])
        assert list(sheets) == ["订单列表"] and len(sheets["订单列表"]) > 1
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        read_sheets(folder / protected[0]["file"], "wrong-password")


def test_template_file_in_cunbo_format(exports: list) -> None:
    rows = rows_of(exports, "other")
    assert list(rows[0]) == [
        "平台", "网店编码", "订单号", "子订单号", "商品编码", "商品名称", "数量", "实付金额",
        "退款金额", "支付时间", "订单状态", "主播",
    ]  # fmt: skip
    assert {row["平台"] for row in rows} == {"其他"}
    assert {row["订单状态"] for row in rows} == {"已完成", "已退款"}


def test_money_time_and_masked_personal_data(exports: list) -> None:
    money_columns = {
        "douyin": "商品单价", "kuaishou": "实付款", "channels": "商品实际价格(总共)",
        "taobao": "买家应付货款", "other": "实付金额",
    }  # fmt: skip
    time_columns = {
        "douyin": "订单提交时间", "kuaishou": "订单创建时间", "channels": "订单下单时间",
        "taobao": "订单创建时间", "pinduoduo": "支付时间", "other": "支付时间",
    }  # fmt: skip
    for entry, _, rows in exports:
        platform = entry["platform"]
        for row in rows:
            if platform in money_columns:
                assert MONEY.fullmatch(row[money_columns[platform]]), (entry["file"], row)
            value = row[time_columns[platform]]
            assert value == "\t" or TIME.fullmatch(value), (entry["file"], value)
    for row in rows_of(exports, "channels"):
        assert re.fullmatch(r".\*\*", row["收件人姓名"])
        assert re.fullmatch(r"1\d\d\*{4}\d{4}", row["收件人手机"])
    assert {row["收件人"] for row in rows_of(exports, "douyin")} == {"##密文"}
