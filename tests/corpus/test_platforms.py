"""One file per platform paragraph of FORMATS.md, written with the real headers, imported
through the service; lines, money, attribution and refusals checked against figures worked out
by hand, and a second import of the same file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.ingest.service import create_import, run_import
from app.models import LiveRoom, OrderLine, Shop, Township, Village
from tests.figures_json import retail
from tests.ingest.files import write_csv, write_xlsx

# ---- headers as FORMATS.md gives them ------------------------------------------------------

DOUYIN_74 = (
    "主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价,订单应付金额,运费,"
    "优惠总金额,平台优惠,商家优惠,达人优惠,商家改价,支付优惠,红包抵扣,手续费,支付方式,收件人,"
    "收件人手机号,省,市,区,街道,详细地址,是否修改过地址,地址修改时段,买家留言,订单提交时间,"
    "订单完成时间,支付完成时间,旗帜颜色,商家备注,APP渠道,流量来源,订单状态,订单类型,承诺发货时间,"
    "鲁班落地页ID,达人ID,达人昵称,所属门店ID,售后状态,取消原因,预约发货时间,仓库ID,仓库名称,序列号,"
    "是否安心购,广告渠道,流量类型,流量体裁,流量渠道,发货主体,发货主体明细,发货时间,降价类优惠,"
    "平台实际承担优惠金额,商家实际承担优惠金额,达人实际承担优惠金额,预计送达时间,是否平台仓自流转,车型,"
    "商品69码,发货SN码,发货IMEI码1,发货IMEI码2,物流IMEI码1,物流IMEI码2,预约送达时间,"
    "建议发货时间（起）,建议发货时间（止）,物流SN码"
).split(",")
# The other 2026 variant: 商品金额 and 货号 instead of 商品单价 and 商品规格.
DOUYIN_VARIANT = [{"商品单价": "商品金额", "商品规格": "货号"}.get(h, h) for h in DOUYIN_74]

KUAISHOU_61 = (
    "订单号,赠品订单号,活动订单编号,订单创建时间,订单支付时间,预售定金支付时间,订单状态,实付款,快递费,"
    "店铺优惠,平台补贴,主播补贴,混资活动优惠,支付优惠,支付方式,成交数量,买家留言,账号类型,账号明细,"
    "订单备注,旗帜颜色,售后状态,活动订单,预售/承诺发货时间,订单载体,商品名称,商品ID,商品规格,SKU编码,"
    "商品单价,渠道,CPS达人ID,CPS达人昵称,预估推广佣金,预估推广者分佣比例,团长ID,团长昵称,快赚客ID,"
    "快赚客昵称,授权推广者ID,授权推广者昵称,收货人姓名,收货人电话,收货地址-省,收货地址-市,收货地址-区,"
    "收货地址-街道,收货地址,发货时间,快递公司,快递单号,物流信息,集运类型,直邮类型,仓库名称,仓库地址,"
    "实名姓名,服务门店ID,服务门店名称,服务门店地址,国补/类国补/消费券"
).split(",")

CHANNELS_63 = (
    "订单号,订单下单时间,订单发货时间,订单确认收货时间,订单完成结算时间,订单状态,发货方式,收件人姓名,"
    "收件人地址,收件人手机,省,市,区,买家备注,商家备注,打标颜色,商品总价,商品优惠,跨店优惠,商品改价,"
    "积分抵扣,订单实际支付金额,订单实际收款金额,订单运费,支付方式,支付时间,交易单号,物流公司,快递单号,"
    "技术服务费,技术服务费（将以人气卡形式返还）,运费险预计投保费用,带货方式,带货账号类型,带货账号昵称,"
    "带货ID,带货费用,带货佣金率,带货费用渠道,带货费用类型,礼物单号,是否预售,商品名称,商品编码(平台),"
    "商品编码(自定义),SKU编码(自定义),商品属性,商品价格(单件),商品实际价格(单件),商品实际价格(总共),"
    "商品数量,商品发货,商品售后,商品已退款金额,商品平台券优惠,商品平均运费,定制信息,定制预览图"
).split(",")
CHANNELS_57 = [h for h in CHANNELS_63 if h != "带货ID"]

TMALL_54 = (
    "订单编号,支付单号,支付详情,买家应付货款,买家应付邮费,总金额,买家实付金额,订单状态,订单创建时间,"
    "订单付款时间,商品标题,宝贝种类,宝贝总数量,店铺ID,店铺名称,订单关闭原因,退款金额,商品属性SKU,"
    "总金额(旧版),商家编码,是否主动赔付,主动赔付金额,主动赔付出账时间,C2B小额收款,确认收货打款金额,"
    "含应开票给个人红包"
).split(",")
TMALL_ITEMS = (
    "子订单编号,主订单编号,商品价格,购买数量,订单状态,商家编码,买家应付货款,买家实付金额,退款状态,"
    "退款金额,订单创建时间,订单付款时间,商品ID,商品标题"
).split(",")
TAOBAO_OLD_LIST = (
    "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,"
    "买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,"
    "联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,"
    "宝贝总数量,店铺Id,店铺名称,订单关闭原因,天猫卡券抵扣,集分宝抵扣,退款金额,确认收货时间"
).split(",")
TAOBAO_OLD_DETAIL = (
    "订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码"
).split(",")

PDD_FULL = (
    "商品,订单号,订单状态,商品总价(元),店铺优惠折扣(元),平台优惠折扣(元),多多支付立减金额(元),邮费(元),"
    "用户实付金额(元),商家实收金额(元),商品数量(件),是否审核中,支付时间,订单成交时间,承诺发货时间,"
    "发货时间,确认收货时间,商品id,商品规格,样式ID,商家编码-规格维度,商家编码-商品维度,商品一级类目,"
    "商品二级类目,商品三级类目,商品四级类目,商家备注,买家留言,售后状态,赠品名称,赠品id,赠品规格,赠品数量,"
    "团ID,团身份,快递单号,快递公司,是否抽奖或0元试用,是否顺丰加价, 用户购买手机号,是否门店自提,"
    "省,市,区,街道/镇,支付ID,支付方式,是否分期,分期期数,手续费承担方,分期方式,是否无痕发货,订单来源,"
    "是否社区团购,是否直播间成交,是否直播间引导成交"
).split(",")
PDD_SUBSET = (
    "订单号,商品,订单状态,商品数量(件),支付时间,订单成交时间,商品id,商家编码-商品维度,用户实付金额(元),"
    "商家实收金额(元),售后状态,省,是否直播间成交"
).split(",")
# A subset without 支付时间, starting with 订单成交时间 (rule 18: it stands in, with a note).
PDD_NO_PAY_TIME = [
    "订单成交时间",
    *(h for h in PDD_SUBSET if h not in ("支付时间", "订单成交时间")),
]

# ---- the county: one shop per platform, live rooms with their accounts -----------------------

SHOPS = {"douyin": "S-DY", "kuaishou": "S-KS", "channels": "S-WX", "taobao": "S-TB",
         "pinduoduo": "S-PD"}  # fmt: skip
ROOMS = (  # code, platform, account id, nickname
    ("R-DY", "douyin", "3842510937", "汪庄小李直播间"),
    ("R-KS", "kuaishou", "887766", "汪庄小李"),
    ("R-KS2", "kuaishou", "551", "快赚王姐"),
    ("R-WX", "channels", "sphABC123", "汪庄小李视频号"),
    ("R-PD", "pinduoduo", None, None),
)


def _county() -> None:
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    shops = {p: Shop(code=c, platform=p, name=c, village=village) for p, c in SHOPS.items()}
    rooms = [
        LiveRoom(code=code, platform=p, account_id=a, nickname=n, village=village, shop=shops[p])
        for code, p, a, n in ROOMS
    ]
    db.session.add_all([township, village, *shops.values(), *rooms])
    db.session.commit()


def _row(header: list[str], values: dict[str, object], empty: object = "") -> list:
    unknown = set(values) - set(header)
    assert not unknown, unknown
    return [values.get(h, empty) for h in header]


# ---- 抖店 ---------------------------------------------------------------------------------


def _douyin(header: list[str], order: str, sub: str, paid: str, **cells: str) -> list:
    tab = "\t"
    values = {
        "主订单编号": tab + order, "子订单编号": tab + sub, "选购商品": tab + "许营焖子 500g",
        "商品数量": "1", "商品ID": tab + "3652187490124", "商家编码": tab + "P001-DY",
        "订单应付金额": paid, "运费": "0.00", "支付方式": "抖音支付", "收件人": "王**",
        "收件人手机号": "138****0000", "省": "山东省", "市": "菏泽市", "区": "牡丹区",
        "订单提交时间": "2026-03-14 20:01:10", "支付完成时间": "2026-03-14 20:01:30",
        "流量来源": "直播", "订单状态": "已完成", "订单类型": "普通订单", "达人ID": "-",
        "达人昵称": "-", "售后状态": "-", "流量体裁": "其他",
    }  # fmt: skip
    if "商品单价" in header:
        values |= {"商品单价": paid, "商品规格": tab + "500g"}
    else:
        values |= {"商品金额": paid, "货号": tab + "HH-500"}
    values.update(cells)
    return _row(header, values, "-")


def douyin_74(directory: Path) -> Path:
    h = DOUYIN_74
    rows = [
        _douyin(h, "6917926768823643751", "6917926768823643751", "59.90", 达人ID="3842510937",
                达人昵称="汪庄小李直播间", 流量体裁="直播"),
        _douyin(h, "6917926768823643752", "6917926768823643761", "29.90", 订单状态="已发货"),
        _douyin(h, "6917926768823643752", "6917926768823643762", "19.90", 售后状态="退款成功"),
        _douyin(h, "6917926768823643753", "6917926768823643753", "39.90", 达人ID="71234",
                达人昵称="别村主播"),
        _douyin(h, "6917926768823643754", "6917926768823643754", "49.90", 订单状态="已发货",
                售后状态="换货待收货", 流量体裁="直播"),
        _douyin(h, "6917926768823643755", "6917926768823643755", "9.90", 订单状态="待支付",
                支付完成时间="-"),
    ]  # fmt: skip
    name = "1773490000_2b746495c20c70f5d5fed5f104585d9a.csv"
    return write_csv(directory / name, h, rows)


def douyin_variant(directory: Path) -> Path:
    h = DOUYIN_VARIANT
    rows = [
        _douyin(h, "6917926768823640001", "6917926768823640001", "25.00", 流量体裁="直播"),
        _douyin(h, "6917926768823640002", "6917926768823640002", "35.50", 售后状态="退款成功",
                订单状态="已关闭", 商品数量="2"),
    ]  # fmt: skip
    name = "1773490500_5c20c70f5d5fed5f104585d9a2b74649.csv"
    return write_csv(directory / name, h, rows)


# ---- 快手 ---------------------------------------------------------------------------------


def _kuaishou(order: str, paid: str, **cells: str) -> list:
    values = {
        "订单号": order, "订单创建时间": "2025-03-14 10:00:12",
        "订单支付时间": "2025-03-14 10:01:00", "订单状态": "交易成功", "实付款": paid,
        "快递费": "0", "成交数量": "1",
        "商品名称": "许营西瓜", "商品ID": "22761234567", "商品规格": "5斤装", "SKU编码": "XG-5",
        "商品单价": paid, "渠道": "分销", "CPS达人ID": "0", "团长ID": "0", "快赚客ID": "0",
        "授权推广者ID": "0", "收货人姓名": "张**", "收货人电话": "138****0000",
        "收货地址-省": "山东省", "收货地址-市": "菏泽市", "收货地址": "****",
    }  # fmt: skip
    values.update({key.replace("_", "-"): value for key, value in cells.items()})
    return _row(KUAISHOU_61, values, "-")


def kuaishou_xlsx(directory: Path) -> Path:
    rows = [
        _kuaishou("2516000000000001", "59.90", CPS达人ID="887766", CPS达人昵称="汪庄小李"),
        _kuaishou("2516000000000002", "39.90", 团长ID="-", 快赚客ID="551", 快赚客昵称="快赚王姐"),
        _kuaishou("2516000000000003", "195.80", 授权推广者昵称="乡村小丽", 售后状态="退款成功",
                  订单备注="差价十元已退"),
        _kuaishou("2516000000000004", "29.90", 渠道="自营"),
        _kuaishou("2516000000000004", "29.90", 渠道="自营", 商品ID="22761234568",
                  商品规格="10斤装", 售后状态="退款成功"),
        _kuaishou("2516000000000005", "19.90", 订单状态="已发货", 售后状态="待买家退货"),
    ]  # fmt: skip
    return write_xlsx(directory / "快手小店订单.xlsx", KUAISHOU_61, rows, "订单列表")


def kuaishou_csv(directory: Path) -> Path:
    slash = {"订单创建时间": "2025/03/15 09:10:02", "订单支付时间": "2025/03/15 09:10:30"}
    rows = [
        _kuaishou("2516000000000101", "88.00", CPS达人ID="887766", CPS达人昵称="汪庄小李",
                  售后状态="退款成功", 订单备注="小额打款金额¥ 3", **slash),
        _kuaishou("2516000000000102", "45.00", 售后状态="退款成功", 订单备注="退款10元", **slash),
        _kuaishou("2516000000000103", "45.00", 售后状态="退款成功", 订单备注="退款100元", **slash),
        _kuaishou("2516000000000104", "12.00", 订单状态="交易关闭", **slash),
    ]  # fmt: skip
    return write_csv(directory / "快手订单导出.csv", KUAISHOU_61, rows)


# ---- 微信小店 ------------------------------------------------------------------------------


def _channels(header: list[str], order: str, product: str, paid: str, **cells: object) -> list:
    values: dict[str, object] = {
        "订单号": order, "订单下单时间": "2025-05-02 20:11:03", "支付时间": "2025-05-02 20:11:09",
        "订单状态": "已完成", "收件人姓名": "王**", "省": "山东省", "市": "菏泽市",
        "商品总价": paid, "订单实际支付金额": paid, "订单实际收款金额": paid, "订单运费": "0.00",
        "带货方式": "直播", "带货账号类型": "视频号", "带货账号昵称": "汪庄小李视频号",
        "带货ID": "sphABC123", "商品名称": "富硒绿茶", "商品编码(平台)": product,
        "商品编码(自定义)": "P004-CH", "商品属性": "250g", "商品实际价格(总共)": paid,
        "商品数量": 1, "商品发货": "已发货", "商品售后": "无", "商品已退款金额": "0.00",
        "是否预售": "现货",
    }  # fmt: skip
    if "带货ID" not in header:
        values.pop("带货ID")
    values.update(cells)
    return _row(header, values, "-")


def _channels_rows(header: list[str]) -> list[list]:
    two = {"商品总价": "179.21", "订单实际支付金额": "179.21", "订单实际收款金额": "179.21"}
    none = {"带货方式": "-", "带货账号类型": "-", "带货账号昵称": "-", "带货ID": "-"}
    if "带货ID" not in header:
        none.pop("带货ID")
    return [
        _channels(header, "3718738826827147843", "11826330434839", "91.10", **two),
        _channels(header, "3718738826827147843", "13401878017598", "88.11", 商品数量=2, **two),
        _channels(header, "3732850127836284303", "11826330434839", "38.75", 订单状态="已取消",
                  商品售后="退款完成", 商品已退款金额="38.75", **none),
        _channels(header, "3732850127836284304", "11826330434839", "88.14", 商品售后="退款完成",
                  商品已退款金额="13.99"),
        _channels(header, "3732850127836284305", "11826330434839", "20.00", 订单状态="已取消",
                  支付时间="-", 商品售后="-", **none),
    ]  # fmt: skip


def channels_63(directory: Path) -> Path:
    name = "微信小店订单_wx8248933f80e464e7_2025年05月03日08时00分00秒_1.xlsx"
    return write_xlsx(directory / name, CHANNELS_63, _channels_rows(CHANNELS_63), "快递订单")


def channels_57(directory: Path) -> Path:
    name = "微信小店订单_wx8248933f80e464e7_2025年05月03日09时00分00秒_1.xlsx"
    return write_xlsx(directory / name, CHANNELS_57, _channels_rows(CHANNELS_57), "快递订单")


# ---- 天猫 / 淘宝 ---------------------------------------------------------------------------


def _tmall(order: str, paid: str, refund: str, status: str, **cells: str) -> list:
    values = {
        "订单编号": order, "支付单号": "2447652295011897199588888888", "买家应付货款": "173.85",
        "买家应付邮费": "0.00", "总金额": "173.85", "买家实付金额": paid, "订单状态": status,
        "订单创建时间": "2025-01-01 05:59:23", "订单付款时间": "2025-01-01 06:00:57",
        "商品标题": "许营焖子", "宝贝种类": "1", "宝贝总数量": "1", "店铺ID": "0",
        "店铺名称": "鲁西特产天猫店", "订单关闭原因": "订单未关闭", "退款金额": refund,
        "商家编码": "P001-TA", "是否主动赔付": "否'", "主动赔付金额": "0.00",
    }  # fmt: skip
    values.update(cells)
    return _row(TMALL_54, values)


def tmall_xlsx(directory: Path) -> Path:
    rows = [
        _tmall("4476522950118971995", "0.00", "169.00", "交易关闭", 订单关闭原因="退款"),
        _tmall("4476522950118971996", "173.85", "25.82", "交易成功"),
        _tmall("4476522950118971997", "0.00", "0.00", "交易关闭", 订单付款时间="", 商品标题="",
               宝贝总数量="0", 订单关闭原因="买家未付款"),
        _tmall("4476522950118971998", "57.22", "0.00", "卖家已发货，等待买家确认"),
    ]  # fmt: skip
    return write_xlsx(directory / "ExportOrderList26594517441.xlsx", TMALL_54, rows, "export")


def tmall_items(directory: Path) -> Path:
    def item(sub: str, price: str, paid: str, after: str, refund: str, product: str) -> list:
        return [sub, "4476522950118971000", price, "1", "交易成功", "P001-TA", price, paid,
                after, refund, "2025-01-01 05:59:23", "2025-01-01 06:00:57", product,
                "许营焖子"]  # fmt: skip

    rows = [
        item("4476522950118971001", "20.00", "20.00", "没有申请退款", "0.00", "6543210987"),
        item("4476522950118971002", "30.00", "0.00", "退款成功", "30.00", "6543210988"),
        item("4476522950118971003", "15.00", "15.00", "退款成功", "5.00", "6543210989"),
    ]
    return write_xlsx(directory / "ExportOrderDetail26594517442.xlsx", TMALL_ITEMS, rows, "export")


def _gbk_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """The older 淘宝 CSV: GBK, headers quoted, cells ="…" where they hold ids and times."""
    lines = [",".join(f'"{h}"' for h in header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def _taobao_old(order: str, paid: str, refund: str, status: str, close: str = "订单未关闭"):  # noqa: ANN202
    values = {
        "订单编号": f'="{order}"', "买家会员名": "t**", "买家应付货款": "40.03",
        "总金额": "40.03", "买家实际支付金额": paid, "订单状态": status,
        "订单创建时间": '="2019-11-02 10:12:31"', "订单付款时间 ": '="2019-11-02 10:12:40"',
        "宝贝标题 ": "许营焖子 500g", "宝贝种类 ": "1", "宝贝总数量": "2", "店铺Id": '="0"',
        "店铺名称": "鲁西特产", "订单关闭原因": close, "退款金额": refund,
    }  # fmt: skip
    return _row(TAOBAO_OLD_LIST, values)


def taobao_old_list(directory: Path) -> Path:
    rows = [
        _taobao_old("772233445566778899", "0.00", "40.03", "交易关闭", close="退款"),
        _taobao_old("772233445566778900", "40.03", "10.00", "交易成功"),
        _taobao_old("772233445566778901", "40.03", "0.00", "买家已付款，等待卖家发货"),
    ]
    return _gbk_csv(directory / "ExportOrderList201911021230.csv", TAOBAO_OLD_LIST, rows)


def taobao_old_detail(directory: Path) -> Path:
    rows = [['="772233445566778899"', "许营焖子 500g", "20.00", "2", "", "", "", "", "交易成功",
             "P001-TA"]]  # fmt: skip
    return _gbk_csv(directory / "ExportOrderDetailList201911021230.csv", TAOBAO_OLD_DETAIL, rows)


# ---- 拼多多 --------------------------------------------------------------------------------


def _pdd(header: list[str], order: str, paid: str, **cells: str) -> list:
    t = "\t"
    values = {
        "商品": "许营焖子 500g", "订单号": order, "订单状态": "已收货", "商品总价(元)": paid + t,
        "店铺优惠折扣(元)": "0.00" + t, "平台优惠折扣(元)": "0.00" + t, "邮费(元)": "0.00" + t,
        "用户实付金额(元)": paid + t, "商家实收金额(元)": paid + t, "商品数量(件)": "1" + t,
        "支付时间": "2025-03-14 21:00:05", "订单成交时间": "2025-03-14 21:00:05",
        "商品id": "560012345678" + t, "商品规格": "500g", "商家编码-商品维度": "P001-PD",
        "售后状态": "无售后或售后取消", "省": "****", "是否直播间成交": "否",
        "是否直播间引导成交": "否",
    }  # fmt: skip
    values.update(cells)
    return _row(header, {k: v for k, v in values.items() if k in header}, t)


def _pdd_rows(header: list[str]) -> list[list]:
    return [
        _pdd(header, "250314-123456789012345", "19.90", 是否直播间成交="是"),
        _pdd(header, "250314-123456789012346", "29.90", 订单状态="已发货，退款成功"),
        _pdd(header, "250314-123456789012347", "9.90", 订单状态="已取消", 支付时间="\t",
             订单成交时间="\t"),
        _pdd(header, "250314-123456789012348", "9.90", 订单状态="待发货", 售后状态="退款成功"),
    ]  # fmt: skip


def pdd_full(directory: Path) -> Path:
    name = "2b746495c20c70f5d5fed5f104585d9aorders_export2025-03-15-08-00-00.csv"
    return write_csv(directory / name, PDD_FULL, _pdd_rows(PDD_FULL), quote=False, newline="\n")


def pdd_subset(directory: Path) -> Path:
    name = "5d5fed5f104585d9a2b746495c20c70forders_export2025-03-15-09-00-00.csv"
    return write_csv(directory / name, PDD_SUBSET, _pdd_rows(PDD_SUBSET), quote=False, newline="\n")


def pdd_no_pay_time(directory: Path) -> Path:
    name = "9a2b746495c20c70f5d5fed5f104585dorders_export2025-03-15-10-00-00.csv"
    rows = _pdd_rows(PDD_NO_PAY_TIME)
    return write_csv(directory / name, PDD_NO_PAY_TIME, rows, quote=False, newline="\n")


# ---- the cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    write: Callable[[Path], Path]
    platform: str
    lines: int = 0
    gross: str = "0.00"
    refund: str = "0.00"
    rooms: dict[str, str] = field(default_factory=dict)  # line id -> room code
    notes: tuple[str, ...] = ()  # note codes the import must carry (and no others)
    code: str | None = None  # a refused file: its code
    refunds: dict[str, str] = field(default_factory=dict)  # line id -> refund, where partial
    streamers: dict[str, str] = field(default_factory=dict)  # line id -> exported nickname


CASES = {
    # 59.90 + 29.90 + 19.90 + 39.90 + 49.90 paid (9.90 unpaid); 19.90 refunded (退款成功);
    # 换货待收货 is an exchange. R-DY: its 达人ID, and the live line of its single-room shop.
    "douyin_74": Case(
        douyin_74, "douyin", 6, "199.50", "19.90",
        rooms={"6917926768823643751": "R-DY", "6917926768823643754": "R-DY"},
        streamers={"6917926768823643753": "别村主播"},
    ),
    "douyin_variant": Case(
        douyin_variant, "douyin", 2, "60.50", "35.50", rooms={"6917926768823640001": "R-DY"}
    ),
    # 59.90 + 39.90 + 195.80 + 29.90 + 29.90 + 19.90; refunds 10.00 (备注 差价十元) + 29.90.
    "kuaishou_xlsx": Case(
        kuaishou_xlsx, "kuaishou", 6, "375.30", "39.90",
        rooms={"2516000000000001:22761234567:5斤装": "R-KS",
               "2516000000000002:22761234567:5斤装": "R-KS2"},
        notes=("partial_refund_review",),
        refunds={"2516000000000003:22761234567:5斤装": "10.00",
                 "2516000000000004:22761234568:10斤装": "29.90"},
        streamers={"2516000000000003:22761234567:5斤装": "乡村小丽"},
    ),
    # 88 + 45 + 45 + 12; refunds 3 (小额打款) + 10 (退款10元) + 45 (100 is not smaller) + 12.
    "kuaishou_csv": Case(
        kuaishou_csv, "kuaishou", 4, "190.00", "70.00",
        rooms={"2516000000000101:22761234567:5斤装": "R-KS"},
        notes=("partial_refund_review",),
        refunds={"2516000000000101:22761234567:5斤装": "3.00",
                 "2516000000000102:22761234567:5斤装": "10.00"},
    ),
    # 91.10 + 88.11 (one order, two lines) + 38.75 + 88.14 paid; refunds 38.75 + 13.99.
    "channels_63": Case(
        channels_63, "channels", 5, "306.10", "52.74",
        rooms={"3718738826827147843:11826330434839": "R-WX",
               "3718738826827147843:13401878017598": "R-WX",
               "3732850127836284304:11826330434839": "R-WX"},
    ),
    "channels_57": Case(  # no 带货ID: the room is found by 带货账号昵称
        channels_57, "channels", 5, "306.10", "52.74",
        rooms={"3718738826827147843:11826330434839": "R-WX",
               "3718738826827147843:13401878017598": "R-WX",
               "3732850127836284304:11826330434839": "R-WX"},
    ),
    # 0.00 + 169.00 (added back) + 173.85 + 57.22; refunds 169.00 + 25.82.
    "tmall_xlsx": Case(tmall_xlsx, "taobao", 4, "400.07", "194.82"),
    # 20.00 + 30.00 (0.00 paid, refund added back) + 15.00; refunds 30.00 + 5.00 (partial).
    "tmall_items": Case(
        tmall_items, "taobao", 3, "65.00", "35.00", refunds={"4476522950118971003": "5.00"}
    ),
    # 0.00 + 40.03 (added back) + 40.03 + 40.03; refunds 40.03 + 10.00.
    "taobao_old_list": Case(taobao_old_list, "taobao", 3, "120.09", "50.03"),
    "taobao_old_detail": Case(taobao_old_detail, "taobao", code="detail_list_only"),
    # 19.90 + 29.90 + 9.90 paid (the cancelled one unpaid); 29.90 + 9.90 refunded in full.
    "pdd_full": Case(pdd_full, "pinduoduo", 4, "59.70", "39.80",
                     rooms={"250314-123456789012345": "R-PD"}),  # fmt: skip
    "pdd_subset": Case(pdd_subset, "pinduoduo", 4, "59.70", "39.80",
                       rooms={"250314-123456789012345": "R-PD"}),  # fmt: skip
    "pdd_no_pay_time": Case(pdd_no_pay_time, "pinduoduo", 4, "59.70", "39.80",
                            rooms={"250314-123456789012345": "R-PD"},
                            notes=("payment_time_substitute",)),  # fmt: skip
}  # fmt: skip


def _state() -> dict[str, tuple]:
    lines = db.session.scalars(select(OrderLine)).all()
    rooms = {room.id: room.code for room in db.session.scalars(select(LiveRoom))}
    return {
        line.line_id: (
            line.paid_amount, line.refund_amount, line.status, line.quantity,
            rooms.get(line.room_id), line.streamer_nickname, line.paid_at,
        )
        for line in lines
    }  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_platform_file(app_ctx, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    _county()
    path = case.write(tmp_path)
    record = run_import(create_import(path, shop_code=SHOPS[case.platform]).id)

    if case.code:
        assert record.status == "failed" and record.code == case.code, record.message
        assert not db.session.scalars(select(OrderLine)).all()
        return
    assert record.status == "succeeded", record.message
    assert (record.inserted, record.rejected) == (case.lines, 0), record.errors
    assert sorted(n["code"] for n in record.notes or []) == sorted(case.notes), record.notes
    state = _state()
    assert len(state) == case.lines
    gross = sum((v[0] for v in state.values()), Decimal(0))
    refund = sum((v[1] for v in state.values()), Decimal(0))
    assert (gross, refund) == (Decimal(case.gross), Decimal(case.refund))
    assert {line: v[4] for line, v in state.items() if v[4]} == case.rooms
    for line, amount in case.refunds.items():
        assert state[line][1] == Decimal(amount), line
    for line, nickname in case.streamers.items():
        assert state[line][5] == nickname and state[line][4] is None, line

    # 村播带货额: the net of the attributed lines, as the metrics report it.
    room_net = sum((v[0] - v[1] for v in state.values() if v[4]), Decimal(0))
    by_room = retail("2019-01-01", "2026-12-31", "room")["total"]["net"]
    assert Decimal(str(by_room)) == room_net
    net = retail("2019-01-01", "2026-12-31", "platform")["total"]["net"]
    assert Decimal(str(net)) == gross - refund

    again = run_import(create_import(path, shop_code=SHOPS[case.platform]).id)
    assert again.status == "succeeded", again.message
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, case.lines)
    assert _state() == state
