"""The demo registry workbook: SPEC §5 sheets and headers, and codes that refer to each other."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .demo_readers import TODAY, read_sheets

SPEC_SHEETS = {
    "乡镇": ["乡镇编码", "乡镇名称", "县区"],
    "村": ["村编码", "村名称", "乡镇编码"],
    "网店": ["网店编码", "平台", "平台店铺ID", "网店名称", "村编码"],
    "直播间": ["直播间编码", "平台", "账号ID", "账号昵称", "村编码", "网店编码"],
    "主播": ["主播编码", "姓名", "直播间编码"],
    "品牌": ["品牌编码", "品牌名称", "品牌类型", "县区"],
    "商品": ["商品编码", "商品名称", "品牌编码", "加入品牌日期", "品类", "计价单位", "规格数量",
             "生产主体"],
    "平台商品": ["平台", "平台商品ID", "商家编码", "商品编码"],
    "基准价": ["商品编码", "基准类型", "单位价格", "生效日期", "失效日期", "说明"],
    "目标": ["年度", "月份", "范围类型", "范围编码", "指标", "目标值"],
    "直播场次": ["直播间编码", "主播编码", "开始时间", "结束时间", "成交金额", "成交件数",
                 "成交人数", "场观人数", "观看次数", "最高在线", "平均在线", "人均观看时长",
                 "新增粉丝"],
}  # fmt: skip
PLATFORM_NAMES = {"抖音", "抖店", "快手", "视频号", "微信小店", "淘宝", "天猫", "拼多多", "其他"}


def codes(rows: list[dict], column: str) -> set:
    return {row[column] for row in rows}


def test_every_sheet_with_the_exact_headers(demo: tuple[Path, list[dict]]) -> None:
    sheets = read_sheets(demo[0] / "registry.xlsx")
    assert list(sheets) == list(SPEC_SHEETS)
    for name, header in SPEC_SHEETS.items():
        assert sheets[name][0] == header, name
        assert len(sheets[name]) > 1, f"{name} is empty"


def test_scale_of_the_county(registry: dict) -> None:
    assert 5 <= len(registry["乡镇"]) <= 6
    assert 15 <= len(registry["村"]) <= 20
    assert 10 <= len(registry["网店"]) <= 14
    assert 8 <= len(registry["直播间"]) <= 12
    assert 8 <= len(registry["主播"]) <= 14
    kinds = [row["品牌类型"] for row in registry["品牌"]]
    assert kinds.count("区域公用品牌") == 3 and kinds.count("企业品牌") == 1
    assert 18 <= len(registry["商品"]) <= 24


def test_codes_refer_to_rows_that_exist(registry: dict) -> None:
    townships = codes(registry["乡镇"], "乡镇编码")
    villages = codes(registry["村"], "村编码")
    shops = codes(registry["网店"], "网店编码")
    rooms = codes(registry["直播间"], "直播间编码")
    streamers = codes(registry["主播"], "主播编码")
    brands = codes(registry["品牌"], "品牌编码")
    products = codes(registry["商品"], "商品编码")

    assert codes(registry["村"], "乡镇编码") <= townships
    assert codes(registry["网店"], "村编码") <= villages
    assert codes(registry["直播间"], "村编码") <= villages
    assert codes(registry["直播间"], "网店编码") - {""} <= shops
    assert codes(registry["主播"], "直播间编码") <= rooms
    assert codes(registry["商品"], "品牌编码") - {""} <= brands
    assert codes(registry["平台商品"], "商品编码") <= products
    assert codes(registry["基准价"], "商品编码") <= products
    assert codes(registry["直播场次"], "直播间编码") <= rooms
    assert codes(registry["直播场次"], "主播编码") <= streamers
    county = {row["县区"] for row in registry["乡镇"]}
    assert len(county) == 1
    scopes = {(row["范围类型"], row["范围编码"]) for row in registry["目标"]}
    assert {code for kind, code in scopes if kind == "乡镇"} <= townships
    assert {code for kind, code in scopes if kind == "县"} == county


def test_every_platform_and_brand_programme_is_represented(registry: dict) -> None:
    assert codes(registry["网店"], "平台") <= PLATFORM_NAMES
    assert len(codes(registry["网店"], "平台")) >= 6
    joined = sorted(row["加入品牌日期"] for row in registry["商品"] if row["加入品牌日期"])
    first = f"{TODAY.year - 2}-01-01"
    assert any(day > first for day in joined), "some products join a brand mid-data"
    categories = codes(registry["商品"], "品类")
    assert "手工艺品" in categories and len(categories) >= 8
    assert codes(registry["基准价"], "基准类型") >= {"参考价", "非品牌同类"}


def test_listings_map_ids_or_merchant_codes_uniquely(registry: dict) -> None:
    by_id = [(r["平台"], r["平台商品ID"]) for r in registry["平台商品"] if r["平台商品ID"]]
    by_code = [(r["平台"], r["商家编码"]) for r in registry["平台商品"] if r["商家编码"]]
    assert len(by_id) == len(set(by_id))
    assert len(by_code) == len(set(by_code))
    assert all(r["平台商品ID"] or r["商家编码"] for r in registry["平台商品"])


def test_targets_for_the_current_year(registry: dict) -> None:
    rows = registry["目标"]
    assert {row["年度"] for row in rows} == {TODAY.year}
    indicators = {row["指标"] for row in rows if row["范围类型"] == "县"}
    assert indicators == {"网络零售额", "农产品网络零售额", "直播场次", "村播带货额"}
    assert sum(row["范围类型"] == "乡镇" for row in rows) >= 6
    assert all(row["目标值"] > 0 for row in rows)


def test_live_sessions_are_evening_broadcasts_with_plausible_figures(registry: dict) -> None:
    sessions = registry["直播场次"]
    for room in codes(sessions, "直播间编码"):
        starts = sorted(s["开始时间"][:10] for s in sessions if s["直播间编码"] == room)
        weeks = (dt.date.fromisoformat(starts[-1]) - dt.date.fromisoformat(starts[0])).days / 7
        assert 1.8 <= len(starts) / weeks <= 4.2, room
    evening = [s for s in sessions if s["开始时间"][11:13] in ("19", "20")]
    assert len(evening) > 0.8 * len(sessions)
    for s in sessions:
        assert s["开始时间"] < s["结束时间"]
        assert s["成交人数"] <= s["场观人数"] <= s["观看次数"]
        assert s["平均在线"] <= s["最高在线"]
        assert (s["成交金额"] > 0) == (s["成交件数"] > 0)
