"""Bad rows are reported with sheet, row and a reason a clerk can act on; good rows load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from flask import Flask

from app.extensions import db
from app.models import (
    BaselinePrice,
    LiveRoom,
    LiveSession,
    PlatformListing,
    Product,
    Shop,
    Target,
    Village,
)
from app.registry import RegistryFileError, RowError, load_workbook

WorkbookMaker = Callable[..., Path]
Sheets = dict[str, list[list[Any]]]


def errors_by_row(errors: list[RowError], sheet: str) -> dict[int | None, RowError]:
    return {error.row: error for error in errors if error.sheet == sheet}


def test_bad_rows_are_reported_and_good_rows_load(
    app_ctx: Flask, make_workbook: WorkbookMaker, base_sheets: Sheets
) -> None:
    path = make_workbook(
        {
            **base_sheets,
            "网店": [
                ["S01", "抖音", "", "许营好品官方旗舰店", "T01V01"],  # row 2
                ["S02", "抖音", "", "错村小店", "T09V01"],  # row 3: unknown village
                ["S03", "京东", "", "京东小店", "T01V02"],  # row 4: unknown platform
                ["S04", "快手", "", "于集农家快手小店", "T01V02"],  # row 5
            ],
            "商品": [
                ["P001", "许营焖子", "B01", "2023-07-01", "休闲食品", "斤", 2.0, "合作社"],
                ["P002", "许营西瓜", "B01", "2023-13-45", "生鲜产品", "斤", 10.0, ""],  # row 3
            ],
            "基准价": [
                ["P001", "品牌前价格", 12.5, "2023-01-01", "", ""],
                ["P001", "参考价", -3, "2023-01-01", "", "负数"],  # row 3: negative price
            ],
        }
    )

    result = load_workbook(path)

    shops = errors_by_row(result.errors, "网店")
    assert set(shops) == {3, 4}
    assert shops[3].column == "村编码"
    assert shops[3].value == "T09V01"
    assert shops[3].message == "村编码“T09V01”不存在，请先在“村”表中登记"
    assert shops[4].column == "平台"
    assert shops[4].message.startswith("平台“京东”无法识别，可填：抖音/抖店")
    assert result.sheets["网店"].inserted == 2
    assert result.sheets["网店"].rejected == 2
    assert sorted(db.session.scalars(db.select(Shop.code))) == ["S01", "S04"]

    products = errors_by_row(result.errors, "商品")
    assert products[3].column == "加入品牌日期"
    assert "2023-13-45" in products[3].message
    assert "请写成 2024-03-01 的形式" in products[3].message
    assert db.session.scalars(db.select(Product.code)).all() == ["P001"]

    baselines = errors_by_row(result.errors, "基准价")
    assert baselines[3].column == "单位价格"
    assert baselines[3].message == "单位价格“-3”必须大于 0"
    price = db.session.scalars(db.select(BaselinePrice)).one()
    assert (price.kind, price.unit_price) == ("pre_brand", Decimal("12.5"))
    assert result.rejected == 4


def test_every_error_of_a_row_is_reported(app_ctx: Flask, make_workbook: WorkbookMaker) -> None:
    path = make_workbook({"乡镇": [["T01", "", ""]]})

    result = load_workbook(path)

    assert [(e.row, e.column) for e in result.errors] == [(2, "乡镇名称"), (2, "县区")]
    assert result.errors[0].message == "“乡镇名称”不能为空"


def test_missing_required_column_names_missing_and_found(
    app_ctx: Flask, make_workbook: WorkbookMaker
) -> None:
    path = make_workbook(
        {
            "乡镇": [["T01", "许营镇", "高新区"]],
            "村": [["HEADER", "村编码", "名称"], ["T01V01", "汪庄村"]],
        }
    )

    result = load_workbook(path)

    (error,) = result.errors
    assert (error.sheet, error.row, error.column) == ("村", 1, "村名称、乡镇编码")
    assert "缺少必需的列：村名称、乡镇编码" in error.message
    assert "找到的列：村编码、名称" in error.message
    assert result.sheets["村"].rejected == 1
    assert result.sheets["乡镇"].inserted == 1  # the other sheets still load
    assert db.session.scalars(db.select(Village)).all() == []


def test_unknown_sheet_is_reported_and_skipped(
    app_ctx: Flask, make_workbook: WorkbookMaker
) -> None:
    path = make_workbook(
        {"乡镇": [["T01", "许营镇", "高新区"]], "店铺": [["HEADER", "编码"], ["X"]]}
    )

    result = load_workbook(path)

    (error,) = result.errors
    assert error.sheet == "店铺"
    assert "无法识别的工作表“店铺”" in error.message
    assert "乡镇、村、网店" in error.message
    assert result.sheets["乡镇"].inserted == 1


def test_unreadable_file_is_a_file_error(app_ctx: Flask, tmp_path: Path) -> None:
    path = tmp_path / "not-a-workbook.xlsx"
    path.write_text("订单号,金额\n1,2\n", encoding="utf-8")

    with pytest.raises(RegistryFileError, match="不是有效的 Excel 工作簿"):
        load_workbook(path)


def test_workbook_without_registry_sheets_is_a_file_error(
    app_ctx: Flask, make_workbook: WorkbookMaker
) -> None:
    path = make_workbook({"订单": [["HEADER", "订单号"], ["1"]]})

    with pytest.raises(RegistryFileError, match="没有名录工作表.*订单"):
        load_workbook(path)


def test_duplicate_code_in_a_sheet_is_rejected(
    app_ctx: Flask, make_workbook: WorkbookMaker
) -> None:
    path = make_workbook({"乡镇": [["T01", "许营镇", "高新区"], ["T01", "许营乡", "高新区"]]})

    result = load_workbook(path)

    (error,) = result.errors
    assert (error.row, error.column) == (3, "乡镇编码")
    assert "与本表第 2 行重复" in error.message
    assert result.sheets["乡镇"].inserted == 1


def test_changed_rows_update_and_absent_columns_are_left_alone(
    app_ctx: Flask, make_workbook: WorkbookMaker, base_sheets: Sheets
) -> None:
    load_workbook(make_workbook(base_sheets))
    path = make_workbook(
        {
            "网店": [["HEADER", "网店编码", "平台", "网店名称", "村编码"]]
            + [["S01", "抖店", "许营好品旗舰店", "T01V02"]],
            "商品": [["HEADER", "商品编码", "商品名称"], ["P001", "许营焖子"]],
        }
    )

    result = load_workbook(path)

    assert result.sheets["网店"].updated == 1
    assert result.sheets["商品"].unchanged == 1  # 品牌, 规格数量 … not in the sheet: kept
    shop = db.session.scalars(db.select(Shop)).one()
    assert (shop.name, shop.village.code) == ("许营好品旗舰店", "T01V02")
    product = db.session.scalars(db.select(Product)).one()
    assert product.units_per_item == Decimal(2)
    assert product.brand is not None


def test_session_rules_reject_impossible_sessions(
    app_ctx: Flask, make_workbook: WorkbookMaker, base_sheets: Sheets
) -> None:
    start = dt.datetime(2024, 3, 1, 20, 0)
    figures = [100.5, 3, 3, 500, 900, 40, 20, 60, 5]
    path = make_workbook(
        {
            **base_sheets,
            "直播场次": [
                ["R01", "Z01", start, start + dt.timedelta(hours=2), *figures],  # good
                ["R01", "Z01", "2024-03-02 20:00", "2024-03-02 19:00", *figures],  # end < start
                ["R01", "Z01", "2024-03-03 20:00", "2024-03-05 20:00", *figures],  # 48 h
                ["R01", "Z01", "2024-03-04 20:00", "2024-03-04 22:00", 9, 3, 8, 5, 9],  # buyers
                ["R09", "Z01", "2024-03-05 20:00", "2024-03-05 22:00", *figures],  # room
                ["R01", "Z01", "2024-03-06 20:00", "2024-03-06 22:00", -1, 1.5],  # numbers
            ],
        }
    )

    result = load_workbook(path)

    errors = [(e.row, e.column, e.message) for e in result.errors]
    assert (3, "结束时间", "结束时间必须晚于开始时间") in errors
    assert any(row == 4 and "超过 24 小时" in message for row, _col, message in errors)
    assert any(
        row == 5 and col == "成交人数" and "不能多于场观人数" in message
        for row, col, message in errors
    )
    assert (6, "直播间编码", "直播间编码“R09”不存在，请先在“直播间”表中登记") in errors
    assert (7, "成交金额", "成交金额“-1”不能为负数") in errors
    assert (7, "成交件数", "成交件数“1.5”必须是整数") in errors
    assert result.sheets["直播场次"].inserted == 1
    assert result.sheets["直播场次"].rejected == 5
    session = db.session.scalars(db.select(LiveSession)).one()
    assert session.started_at == dt.datetime(2024, 3, 1, 12, 0)  # Beijing 20:00 → UTC
    assert session.sales == Decimal("100.50")


def test_targets_check_their_scope(
    app_ctx: Flask, make_workbook: WorkbookMaker, base_sheets: Sheets
) -> None:
    path = make_workbook(
        {
            **base_sheets,
            "目标": [
                [2024, "", "县", "高新区", "网络零售额", 300000],
                [2024, 3, "township", "T01", "live_sessions", 30],
                [2024, "", "县", "低新区", "网络零售额", 1],
                [2024, "", "乡镇", "T09", "网络零售额", 1],
                [2024, 13, "村", "T01V01", "毛利", 1],
            ],
        }
    )

    result = load_workbook(path)

    by_row = errors_by_row(result.errors, "目标")
    assert "县区“低新区”不存在" in by_row[4].message
    assert by_row[5].message == "范围编码“T09”不存在，请先在“乡镇”表中登记"
    assert {e.column for e in result.errors if e.row == 6} == {"月份", "指标"}
    targets = db.session.scalars(db.select(Target).order_by(Target.id)).all()
    assert [(t.scope_type, t.indicator, t.month) for t in targets] == [
        ("county", "net_retail", None),
        ("township", "live_sessions", 3),
    ]


def test_streamer_rooms_and_account_uniqueness(
    app_ctx: Flask, make_workbook: WorkbookMaker, base_sheets: Sheets
) -> None:
    base_sheets["直播间"] += [
        ["R02", "抖音", "17090709584", "顾乡阿鹅", "T01V02", ""],
        ["R03", "抖音", "17090709584", "重复账号", "T01V02", ""],  # row 4: R02's account
    ]
    base_sheets["主播"] = [
        ["Z01", "姚思华", "R01"],
        ["Z01", "姚思华", "R02"],  # a second room for the same streamer
        ["Z02", "程小鹅", "R01、R02"],
        ["Z03", "汪晓", "R07"],  # row 5: unknown room
    ]

    result = load_workbook(make_workbook(base_sheets))

    (room_error,) = [e for e in result.errors if e.sheet == "直播间"]
    assert room_error.row == 4
    assert room_error.message.startswith("账号ID“17090709584”已登记为直播间“R02”")
    (streamer_error,) = [e for e in result.errors if e.sheet == "主播"]
    assert (streamer_error.row, streamer_error.column) == (5, "直播间编码")
    counts = result.sheets["主播"]
    assert (counts.inserted, counts.updated, counts.rejected) == (2, 1, 1)
    room = db.session.scalars(db.select(LiveRoom).where(LiveRoom.code == "R02")).one()
    assert sorted(s.code for s in room.streamers) == ["Z01", "Z02"]

    again = load_workbook(make_workbook(base_sheets))
    assert (again.sheets["主播"].unchanged, again.sheets["主播"].updated) == (3, 0)


def test_listings_by_product_id_or_merchant_code(
    app_ctx: Flask, make_workbook: WorkbookMaker, base_sheets: Sheets
) -> None:
    base_sheets["平台商品"] = [
        ["抖音", "3661318609139099603", "", "P001"],
        ["天猫", "", "P001-TA", "P001"],
        ["拼多多", "", "", "P001"],  # row 4: neither id nor merchant code
        ["抖音", "3661318609139099603", "", "P001"],  # row 5: duplicate
        ["快手", "12890786666176", "", "P404"],  # row 6: unknown product
    ]

    result = load_workbook(make_workbook(base_sheets))

    by_row = errors_by_row(result.errors, "平台商品")
    assert by_row[4].message == "平台商品ID和商家编码至少填写一个"
    assert "与本表第 2 行重复" in by_row[5].message
    assert by_row[6].message == "商品编码“P404”不存在，请先在“商品”表中登记"
    listings = db.session.scalars(db.select(PlatformListing).order_by(PlatformListing.id)).all()
    assert [(x.platform, x.platform_product_id, x.merchant_code) for x in listings] == [
        ("douyin", "3661318609139099603", None),
        ("taobao", None, "P001-TA"),
    ]


def test_row_numbers_are_excels_even_below_blank_rows(app_ctx: Flask, tmp_path: Path) -> None:
    path = tmp_path / "offset.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("乡镇")
    sheet.write_row(2, 0, ["乡镇编码", "乡镇名称", "县区"])  # header on row 3
    sheet.write_row(3, 0, ["T01", "许营镇", "高新区"])
    sheet.write_row(5, 0, ["T02", "顾官屯镇"])  # row 6, after a blank row
    workbook.close()

    result = load_workbook(path)

    assert [(e.row, e.column) for e in result.errors] == [(6, "县区")]
    assert result.sheets["乡镇"].inserted == 1
