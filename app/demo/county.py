"""The demo county's register: townships, villages, shops, live rooms, streamers, brands, products.

Identities are fixed so the demo reads the same on every machine; only the platform ids of
listings and orders come from the random generator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

COUNTY = "高新区"

# (code, name) per township, then its villages
TOWNSHIPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "T01": ("许营镇", ("汪庄村", "贾庄村", "许营村")),
    "T02": ("顾官屯镇", ("西程铺村", "顾官屯村", "前屯村")),
    "T03": ("韩集乡", ("韩集村", "前王村", "李堂村")),
    "T04": ("朱老庄镇", ("朱老庄村", "孙庄村", "刘楼村")),
    "T05": ("东城街道", ("东城社区", "杨庄村", "陈庄社区")),
    "T06": ("九州街道", ("九州社区", "北王社区", "后田村")),
}

# Registry spelling of each platform (SPEC §5 accepts these names).
PLATFORM_NAMES = {
    "douyin": "抖音",
    "kuaishou": "快手",
    "channels": "视频号",
    "taobao": "淘宝",
    "pinduoduo": "拼多多",
    "other": "其他",
}


@dataclass(frozen=True)
class Brand:
    code: str
    name: str
    kind: str


BRANDS = (
    Brand("B01", "许营好品", "区域公用品牌"),
    Brand("B02", "顾乡有礼", "区域公用品牌"),
    Brand("B03", "巴山青", "区域公用品牌"),
    Brand("B04", "九州牧场", "企业品牌"),
)


@dataclass(frozen=True)
class Product:
    """A product; `joined` is (years after the first data year, month, day) or None."""

    code: str
    name: str
    brand: str
    joined: tuple[int, int, int] | None
    category: str
    unit: str
    units_per_item: float
    producer: str
    price: float  # 元 per item before any brand premium
    spec: str
    season: str = ""  # a season of seasons.product_season; '' sells evenly
    registered: bool = True


# fmt: off
PRODUCTS = (
    # code, name, brand, joined, category, unit, units per item, producer, price, spec, season
    Product("P001", "许营焖子", "B01", (0, 7, 1), "休闲食品", "斤", 2, "许营镇焖子加工合作社",
            39.9, "2斤装"),
    Product("P002", "许营西瓜", "B01", (1, 5, 1), "生鲜产品", "斤", 10, "许营村瓜菜合作社",
            29.8, "10斤装", "summer"),
    Product("P003", "许营富硒小米", "B01", (0, 1, 1), "粮油调味", "斤", 5, "汪庄村粮食合作社",
            35.0, "5斤装"),
    Product("P004", "顾官屯手撕鹅", "B02", (1, 1, 1), "休闲食品", "斤", 1, "顾官屯禽业合作社",
            59.0, "1斤装"),
    Product("P005", "顾乡五香驴肉", "B02", (1, 1, 1), "休闲食品", "斤", 1, "西程铺食品厂",
            68.0, "1斤装", "winter"),
    Product("P006", "顾乡小磨香油", "B02", (1, 6, 1), "粮油调味", "kg", 0.5, "前屯村油坊",
            32.0, "500ml"),
    Product("P007", "巴山青毛尖", "B03", (0, 1, 1), "茶", "斤", 0.5, "东城茶业有限公司",
            118.0, "250g", "tea"),
    Product("P008", "巴山青红茶礼盒", "B03", (1, 4, 1), "茶", "盒", 1, "东城茶业有限公司",
            98.0, "礼盒装", "tea"),
    Product("P009", "散养黑鸡", "", None, "生鲜产品", "kg", 1.5, "朱老庄养殖合作社",
            128.0, "1.5kg/只", "festival"),
    Product("P010", "林下土鸡蛋", "", None, "生鲜产品", "盒", 1, "孙庄村家庭农场",
            42.0, "30枚/盒"),
    Product("P011", "九州纯牛奶", "B04", (0, 1, 1), "牛奶乳品", "盒", 12, "九州牧场乳业有限公司",
            56.0, "250ml×12盒", "festival"),
    Product("P012", "九州原味酸奶", "B04", (0, 1, 1), "牛奶乳品", "盒", 10, "九州牧场乳业有限公司",
            45.0, "200g×10盒"),
    Product("P013", "阿胶红枣糕", "", None, "传统滋补", "盒", 1, "韩集滋补食品厂",
            88.0, "400g/盒", "winter"),
    Product("P014", "红枣枸杞茶", "", None, "饮料冲调", "盒", 1, "韩集滋补食品厂",
            39.0, "20袋/盒"),
    Product("P015", "许营冬枣", "B01", (1, 8, 15), "生鲜产品", "斤", 5, "贾庄村果品合作社",
            45.0, "5斤装", "autumn"),
    Product("P016", "多肉组合盆栽", "", None, "花卉绿植", "件", 1, "刘楼村花卉基地",
            26.0, "6棵装", "spring"),
    Product("P017", "蝴蝶兰", "", None, "花卉绿植", "件", 1, "刘楼村花卉基地",
            89.0, "2株/盆", "festival"),
    Product("P018", "手工布老虎", "", None, "手工艺品", "件", 1, "东城非遗工坊",
            58.0, "中号"),
    Product("P019", "柳编收纳篮", "", None, "手工艺品", "件", 1, "杨庄村柳编合作社",
            45.0, "三件套"),
    Product("P020", "五香花生米", "", None, "休闲食品", "斤", 2, "李堂村花生合作社",
            25.0, "2斤装"),
    # Sold but never registered, so 未登记商品 has something to show.
    Product("X001", "农家红薯粉皮", "", None, "粮油调味", "斤", 2, "", 28.0, "2斤装",
            registered=False),
    Product("X002", "老粗布鞋垫", "", None, "手工艺品", "件", 1, "", 25.0, "3双装",
            registered=False),
)
# fmt: on


@dataclass(frozen=True)
class Shop:
    """A shop; `rate` is off-live orders a day in the first year, `growth` a yearly factor."""

    code: str
    platform: str
    shop_id: str
    name: str
    village: str
    products: tuple[str, ...]
    rate: float
    growth: float


# fmt: off
SHOPS = (
    Shop("S01", "douyin", "168452301", "许营好品官方旗舰店", "T01V01",
         ("P001", "P002", "P003", "P015", "P020"), 1.5, 1.36),
    Shop("S02", "douyin", "172093354", "顾乡有礼抖音小店", "T02V01",
         ("P004", "P005", "P006", "P010"), 1.05, 1.34),
    Shop("S03", "douyin", "190337712", "朱老庄农家好物", "T04V01",
         ("P009", "P010", "P016", "P017"), 0.7, 1.44),
    Shop("S04", "kuaishou", "2318840571", "韩集农家快手小店", "T03V01",
         ("P013", "P014", "P010", "P020"), 0.45, 1.31),
    Shop("S05", "kuaishou", "2409916273", "九州乡味快手小店", "T06V01",
         ("P011", "P012", "P004"), 0.45, 1.41),
    Shop("S06", "channels", "wx8248933f80e464e7", "许营好物视频号小店", "T01V02",
         ("P001", "P003", "P007", "P008"), 0.7, 1.44),
    Shop("S07", "channels", "wx5d2a17c09be3f416", "东城手艺人视频号小店", "T05V01",
         ("P018", "P019", "P017", "X002"), 0.45, 1.36),
    Shop("S08", "taobao", "2206741395", "鲁西特产天猫店", "T02V02",
         ("P004", "P005", "P003", "P007", "P011"), 1.7, 1.28),
    Shop("S09", "taobao", "1983022647", "巴山青茶叶淘宝店", "T05V02",
         ("P007", "P008", "P014"), 0.85, 1.31),
    Shop("S10", "pinduoduo", "415902283", "韩集农场拼多多店", "T03V02",
         ("P002", "P015", "P020", "P006", "X001"), 1.4, 1.34),
    Shop("S11", "pinduoduo", "508316647", "朱老庄果蔬拼多多店", "T04V02",
         ("P002", "P015", "P016"), 0.95, 1.36),
    Shop("S12", "other", "", "县电商中心线下展销会", "T05V03",
         ("P001", "P004", "P007", "P013", "P018"), 0.4, 1.28),
)
# fmt: on


@dataclass(frozen=True)
class Room:
    """A live room; `sells` are the shops whose goods it sells (its own, or others' as 达人)."""

    code: str
    platform: str
    account_id: str
    nickname: str
    village: str
    shop: str
    sells: tuple[str, ...]
    per_session: float  # orders per session in the first year
    opened: tuple[int, int]  # (years after the first data year, month) of the first broadcast
    streamers: tuple[tuple[str, str], ...]


# fmt: off
ROOMS = (
    Room("R01", "douyin", "62187499831", "许营焖子小姚", "T01V01", "S01", ("S01",), 2.8, (0, 1),
         (("Z01", "姚思华"), ("Z11", "许文静"))),
    Room("R02", "douyin", "17090709584", "顾乡阿鹅", "T02V01", "S02", ("S02",), 2.2, (0, 1),
         (("Z02", "程小鹅"),)),
    Room("R03", "douyin", "40551872316", "朱老庄黑鸡哥", "T04V01", "S03", ("S03",), 1.9, (0, 1),
         (("Z03", "朱建军"),)),
    Room("R04", "douyin", "18750977240", "韩集二妮", "T03V03", "", ("S01", "S02"), 1.7, (0, 4),
         (("Z04", "韩二妮"),)),
    Room("R05", "kuaishou", "1835207716", "韩集老韩农家", "T03V01", "S04", ("S04",), 2.0, (0, 1),
         (("Z05", "韩立新"),)),
    Room("R06", "kuaishou", "2709953184", "九州乡味小美", "T06V01", "S05", ("S05",), 1.7, (0, 2),
         (("Z06", "刘美"),)),
    Room("R07", "channels", "sphc5udnvb8t", "许营好物直播间", "T01V02", "S06", ("S06",), 1.9,
         (0, 1), (("Z07", "汪晓"), ("Z12", "贾浩"))),
    Room("R08", "channels", "sphk2w7rq3mz", "东城手艺人", "T05V01", "S07", ("S07",), 1.2, (0, 3),
         (("Z08", "孙巧云"),)),
    Room("R09", "pinduoduo", "330530419", "韩集农场直播", "T03V02", "S10", ("S10",), 1.5, (0, 1),
         (("Z09", "韩梅"),)),
    Room("R10", "douyin", "29834071655", "九州小陈乡播", "T06V02", "", ("S03", "S01"), 1.6, (1, 3),
         (("Z10", "陈晨"),)),
)
# fmt: on


@dataclass
class Listing:
    """One shop's listing of a product: the ids its export carries."""

    shop: str
    product: str
    product_id: str
    merchant_code: str


@dataclass
class County:
    """The register plus the generated platform ids, keyed for the sales simulation."""

    first_year: int
    shops: dict[str, Shop] = field(default_factory=dict)
    rooms: dict[str, Room] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    listings: dict[tuple[str, str], Listing] = field(default_factory=dict)

    def joined_on(self, product: Product) -> dt.date | None:
        if not product.brand or product.joined is None:
            return None
        years, month, day = product.joined
        return dt.date(self.first_year + years, month, day)

    def room_opened(self, room: Room) -> dt.date:
        years, month = room.opened
        return dt.date(self.first_year + years, month, 1)

    def township_of(self, shop: Shop) -> str:
        return shop.village[:3]


# Platform product id lengths seen in real exports (抖店 19, 快手/微信 14, 拼多多 12 digits).
_PRODUCT_ID_DIGITS = {"douyin": 19, "kuaishou": 14, "channels": 14, "pinduoduo": 12}


def build_county(rng: np.random.Generator, first_year: int) -> County:
    """The fixed register with platform product ids and merchant codes drawn from `rng`."""
    county = County(first_year=first_year)
    county.products = {p.code: p for p in PRODUCTS}
    county.shops = {s.code: s for s in SHOPS}
    county.rooms = {r.code: r for r in ROOMS}
    seen: set[str] = set()
    for shop in SHOPS:
        for code in shop.products:
            digits = _PRODUCT_ID_DIGITS.get(shop.platform)
            if digits is None:  # 天猫 order exports and the template carry merchant codes only
                product_id = code if shop.platform == "other" else ""
            else:
                product_id = random_digits(rng, digits, seen)
            merchant = code if shop.platform == "other" else f"{code}-{shop.code}"
            county.listings[shop.code, code] = Listing(shop.code, code, product_id, merchant)
    return county


def random_digits(rng: np.random.Generator, length: int, seen: set[str]) -> str:
    """A fresh digit string of `length` (first digit non-zero) not yet in `seen`."""
    while True:
        tail = "".join(str(d) for d in rng.integers(0, 10, size=length - 1))
        value = str(rng.integers(1, 10)) + tail
        if value not in seen:
            seen.add(value)
            return value
