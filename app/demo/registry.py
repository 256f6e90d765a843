"""The demo county's registry workbook (SPEC §5): every sheet, exact Chinese headers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import numpy as np

from app.demo.county import BRANDS, COUNTY, PLATFORM_NAMES, TOWNSHIPS, County, Shop
from app.demo.exports import stamp
from app.demo.sales import Sales, Session
from app.demo.xlsx import Cell, write_xlsx
from app.models.catalog import AGRICULTURAL_CATEGORIES

SHEETS: dict[str, tuple[str, ...]] = {
    "乡镇": ("乡镇编码", "乡镇名称", "县区"),
    "村": ("村编码", "村名称", "乡镇编码"),
    "网店": ("网店编码", "平台", "平台店铺ID", "网店名称", "村编码"),
    "直播间": ("直播间编码", "平台", "账号ID", "账号昵称", "村编码", "网店编码"),
    "主播": ("主播编码", "姓名", "直播间编码"),
    "品牌": ("品牌编码", "品牌名称", "品牌类型", "县区"),
    "商品": ("商品编码", "商品名称", "品牌编码", "加入品牌日期", "品类", "计价单位", "规格数量",
             "生产主体"),
    "平台商品": ("平台", "平台商品ID", "商家编码", "商品编码"),
    "基准价": ("商品编码", "基准类型", "单位价格", "生效日期", "失效日期", "说明"),
    "目标": ("年度", "月份", "范围类型", "范围编码", "指标", "目标值"),
    "直播场次": ("直播间编码", "主播编码", "开始时间", "结束时间", "成交金额", "成交件数",
                 "成交人数", "场观人数", "观看次数", "最高在线", "平均在线", "人均观看时长",
                 "新增粉丝"),
}  # fmt: skip

# Explicit baselines for products that had no sales before joining their brand.
BASELINES = (
    ("P003", "参考价", 7.0, "本地商超同类小米零售价"),
    ("P007", "非品牌同类", 236.0, "同产区非品牌毛尖均价"),
)
# Platforms whose lines carry the selling room (streamer id or live flag with one room).
ATTRIBUTED_PLATFORMS = ("douyin", "channels", "pinduoduo")


def platform_label(shop: Shop) -> str:
    """The registry's spelling of a shop's platform (天猫 for a Tmall store)."""
    if shop.platform == "taobao" and "天猫" in shop.name:
        return "天猫"
    return PLATFORM_NAMES[shop.platform]


def write_registry(
    path: Path, county: County, sales: Sales, today: dt.date, rng: np.random.Generator
) -> None:
    """Write the registry workbook; `rng` draws the audience figures of the session log."""
    first_day = dt.date(county.first_year, 1, 1).isoformat()
    sheets: dict[str, list[list[Cell]]] = {
        "乡镇": [[code, name, COUNTY] for code, (name, _) in TOWNSHIPS.items()],
        "村": [
            [f"{code}V{i:02d}", village, code]
            for code, (_, villages) in TOWNSHIPS.items()
            for i, village in enumerate(villages, start=1)
        ],
        "网店": [
            [s.code, platform_label(s), s.shop_id, s.name, s.village] for s in county.shops.values()
        ],
        "直播间": [
            [r.code, PLATFORM_NAMES[r.platform], r.account_id, r.nickname, r.village, r.shop]
            for r in county.rooms.values()
        ],
        "主播": [[code, name, r.code] for r in county.rooms.values() for code, name in r.streamers],
        "品牌": [[b.code, b.name, b.kind, COUNTY] for b in BRANDS],
        "商品": [
            [
                p.code,
                p.name,
                p.brand,
                _iso(county.joined_on(p)),
                p.category,
                p.unit,
                p.units_per_item,
                p.producer,
            ]
            for p in county.products.values()
            if p.registered
        ],
        "平台商品": [
            [platform_label(county.shops[x.shop]), x.product_id, x.merchant_code, x.product]
            for x in county.listings.values()
            if county.products[x.product].registered
        ],
        "基准价": [
            [code, kind, price, first_day, None, note] for code, kind, price, note in BASELINES
        ],
        "目标": targets(county, sales, today.year),
        "直播场次": session_rows(rng, sales.sessions),
    }
    write_xlsx(path, {name: (header, sheets[name]) for name, header in SHEETS.items()})


def session_rows(rng: np.random.Generator, sessions: list[Session]) -> list[list[Cell]]:
    """直播场次 rows as a streamer copies them from the platform's review page (复盘)."""
    rows: list[list[Cell]] = []
    for s in sorted(sessions, key=lambda s: (s.room, s.start)):
        viewers = int(rng.integers(300, 1500) + s.buyers / rng.uniform(0.01, 0.035))
        peak = max(5, int(viewers * rng.uniform(0.04, 0.1)))
        rows.append([
            s.room, s.streamer, stamp(s.start), stamp(s.end), s.amount / 100, s.items, s.buyers,
            viewers,
            int(viewers * rng.uniform(1.4, 2.6)),  # 观看次数: viewers come back
            peak,
            max(1, int(peak * rng.uniform(0.3, 0.6))),
            int(rng.integers(45, 240)),  # 人均观看时长 in seconds
            int(viewers * rng.uniform(0.005, 0.03)),
        ])  # fmt: skip
    return rows


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def targets(county: County, sales: Sales, year: int) -> list[list[Cell]]:
    """This year's targets: last year's actuals plus the growth the county aims for."""
    net: dict[str, int] = defaultdict(int)
    agri: dict[str, int] = defaultdict(int)
    live = 0
    for line in sales.lines:
        if line.paid_at is None or line.paid_at.year != year - 1:
            continue
        shop = county.shops[line.shop]
        amount = line.paid - line.refund
        for scope in (COUNTY, county.township_of(shop)):
            net[scope] += amount
            if county.products[line.product].category in AGRICULTURAL_CATEGORIES:
                agri[scope] += amount
        if line.room and shop.platform in ATTRIBUTED_PLATFORMS:
            live += amount
    sessions = sum(1 for s in sales.sessions if s.start.year == year - 1)
    rows: list[list[Cell]] = [
        [year, None, "县", COUNTY, "网络零售额", _round(net[COUNTY] * 1.4)],
        [year, None, "县", COUNTY, "农产品网络零售额", _round(agri[COUNTY] * 1.4)],
        [year, None, "县", COUNTY, "村播带货额", _round(live * 1.5)],
        [year, None, "县", COUNTY, "直播场次", round(sessions * 1.15, -1)],
    ]
    for i, code in enumerate(TOWNSHIPS):
        aim = 1.3 + 0.04 * i  # townships that lag get a steeper climb
        rows.append([year, None, "乡镇", code, "网络零售额", _round(net[code] * aim)])
        if i % 2 == 0:
            rows.append([year, None, "乡镇", code, "农产品网络零售额", _round(agri[code] * aim)])
    return rows


def _round(fen: float) -> int:
    """元 rounded to the nearest thousand, as targets are set."""
    return int(round(fen / 100_000)) * 1000
