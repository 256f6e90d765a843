"""Platform export files of the demo county, in each platform's real layout (FORMATS.md).

This module holds what every writer shares (money and time text, order state as of the export
moment) and the two CSV formats, 抖店 and 拼多多; `workbooks` holds the XLSX ones.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from app.demo.county import County, Shop
from app.demo.sales import Line

SURNAMES = "王李张刘陈杨赵黄周吴"


def money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def stamp(moment: dt.datetime | None, empty: str = "-") -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else empty


def digit(value: str, position: int = -1) -> int:
    """A digit of an id: a cheap, reproducible source of per-line variety in writers."""
    return int([c for c in value if c.isdigit()][position])


def visible_refund(line: Line, at: dt.datetime) -> int:
    """The refund an export taken at `at` shows for the line."""
    return line.refund if line.refund_at is not None and line.refund_at <= at else 0


def fulfilment(line: Line, at: dt.datetime) -> str:
    """`pending`, `shipped` or `done` as of `at` for a paid line."""
    if line.done_at is not None and line.done_at <= at:
        return "done"
    if line.shipped_at is not None and line.shipped_at <= at:
        return "shipped"
    return "pending"


def refunded_in_full(line: Line, at: dt.datetime) -> bool:
    return line.paid_at is not None and visible_refund(line, at) == line.paid


def refunded_before_shipping(line: Line) -> bool:
    return (
        line.refund_at is not None
        and line.shipped_at is not None
        and (line.refund_at < line.shipped_at)
    )


def masked_name(order_id: str) -> str:
    return SURNAMES[digit(order_id)] + "**"


def masked_phone(order_id: str) -> str:
    return f"1{3 + digit(order_id, -2) % 6}{digit(order_id, -3)}****{order_id[-4:]}"


# 抖店 order export, 商品维度 (one row per 子订单); header as downloaded in 2024-2026.
DOUYIN_HEADER = (
    "主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价,订单应付金额,运费,"
    "优惠总金额,平台优惠,商家优惠,达人优惠,商家改价,支付优惠,红包抵扣,支付方式,手续费,收件人,"
    "收件人手机号,省,市,区,街道,详细地址,是否修改过地址,地址修改时段,买家留言,订单提交时间,旗帜颜色,"
    "商家备注,订单完成时间,支付完成时间,APP渠道,流量来源,订单状态,承诺发货时间,订单类型,鲁班落地页ID,"
    "达人ID,达人昵称,所属门店ID,售后状态,取消原因,预约发货时间,仓库ID,仓库名称,序列号,是否安心购,"
    "广告渠道,流量类型,流量体裁,流量渠道,发货主体,发货主体明细,发货时间,降价类优惠,平台实际承担优惠金额,"
    "商家实际承担优惠金额,达人实际承担优惠金额,预计送达时间"
).split(",")


def write_douyin(
    path: Path, county: County, shop: Shop, lines: list[Line], at: dt.datetime
) -> None:
    """抖店 CSV: UTF-8 with BOM, CRLF, every cell quoted, ids behind a TAB, `-` for empty."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(DOUYIN_HEADER)
        for line in lines:
            writer.writerow(_douyin_row(county, shop, line, at))


def _douyin_row(county: County, shop: Shop, line: Line, at: dt.datetime) -> list[str]:
    product = county.products[line.product]
    listing = county.listings[shop.code, line.product]
    row = dict.fromkeys(DOUYIN_HEADER, "-")
    zero = "0.00"
    row.update({
        "主订单编号": "\t" + line.order_id,
        "子订单编号": "\t" + line.line_id,
        "选购商品": "\t" + product.name,
        "商品规格": "\t" + product.spec,
        "商品数量": str(line.qty),
        "商品ID": "\t" + listing.product_id,
        "商家编码": "\t" + listing.merchant_code,
        "商品单价": money(line.price),
        "订单应付金额": money(line.paid),
        "运费": zero, "优惠总金额": zero, "平台优惠": zero, "商家优惠": zero, "达人优惠": zero,
        "收件人": "##密文", "收件人手机号": "$$密文",
        "省": line.province,
        "订单提交时间": stamp(line.created),
        "支付完成时间": stamp(line.paid_at),
        "APP渠道": "抖音",
        "订单类型": "普通订单",
        "流量类型": "自然流量",
        "流量体裁": "直播" if line.room else "其他",
        "平台实际承担优惠金额": zero, "商家实际承担优惠金额": zero, "达人实际承担优惠金额": zero,
    })  # fmt: skip
    if line.room:
        room = county.rooms[line.room]
        row["达人ID"] = "\t" + room.account_id
        row["达人昵称"] = "\t" + room.nickname
    if line.paid_at is None:
        row.update({"订单状态": "已关闭", "取消原因": "超时未支付"})
        return list(row.values())
    row["支付方式"] = "抖音支付"
    stage = fulfilment(line, at)
    if refunded_in_full(line, at):
        row.update({"订单状态": "已关闭", "售后状态": "退款成功"})
        if not refunded_before_shipping(line):
            row["发货时间"] = stamp(line.shipped_at)
    else:
        row["订单状态"] = {"pending": "待发货", "shipped": "已发货", "done": "已完成"}[stage]
        if stage != "pending":
            row["发货时间"] = stamp(line.shipped_at)
        if stage == "done":
            row["订单完成时间"] = stamp(line.done_at)
            if digit(line.line_id, -2) == 0:  # a complaint that ended without a refund
                row["售后状态"] = "售后关闭"
    return list(row.values())


# 拼多多 order export with the columns a county shop typically ticks.
PINDUODUO_HEADER = (
    "商品,订单号,订单状态,商品数量(件),是否审核中,支付时间,承诺发货时间,发货时间,确认收货时间,商品id,"
    "商品规格,商家编码-规格维度,商家编码-商品维度,商家备注,买家留言,售后状态,订单成交时间,商品总价(元),"
    "邮费(元),店铺优惠折扣(元),平台优惠折扣(元),多多支付立减金额(元),用户实付金额(元),商家实收金额(元),"
    "快递单号,快递公司,省,市,区,街道/镇,是否直播间成交,是否直播间引导成交,支付方式,订单来源"
).split(",")


def _pdd_money(fen: int) -> str:
    # 拼多多 writes money as a float with the shortest decimals (32.8, 0.0) and a trailing TAB.
    return f"{fen / 100!r}\t"


def write_pinduoduo(
    path: Path, county: County, shop: Shop, lines: list[Line], at: dt.datetime
) -> None:
    """拼多多 CSV: UTF-8 with BOM, LF, unquoted, numbers and ids with a trailing TAB."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(",".join(PINDUODUO_HEADER) + "\n")
        for line in lines:
            handle.write(",".join(_pinduoduo_row(county, shop, line, at)) + "\n")


def _pinduoduo_row(county: County, shop: Shop, line: Line, at: dt.datetime) -> list[str]:
    product = county.products[line.product]
    listing = county.listings[shop.code, line.product]
    tab = "\t"
    row = dict.fromkeys(PINDUODUO_HEADER, tab)
    row.update({
        "商品": product.name,
        "订单号": line.order_id,
        "商品数量(件)": f"{line.qty}\t",
        "是否审核中": "正常",
        "商品id": listing.product_id + tab,
        "商品规格": product.spec,
        "商家编码-商品维度": listing.merchant_code + tab,
        "售后状态": "无售后或售后取消",
        "商品总价(元)": _pdd_money(line.paid),
        "邮费(元)": _pdd_money(0), "店铺优惠折扣(元)": _pdd_money(0),
        "平台优惠折扣(元)": _pdd_money(0), "多多支付立减金额(元)": _pdd_money(0),
        "用户实付金额(元)": _pdd_money(line.paid),
        "商家实收金额(元)": _pdd_money(line.paid),
        "省": "****", "市": "****", "区": "****",
        "是否直播间成交": "是" if line.room else "否",
        # Shoppers who came from a broadcast and paid later are flagged separately.
        "是否直播间引导成交": "是" if not line.room and int(line.order_id[-2:]) < 3 else "否",
        "订单来源": "拼多多",
    })  # fmt: skip
    if line.paid_at is None:
        waiting = at - line.created < dt.timedelta(days=1)
        row["订单状态"] = "待付款" if waiting else "已取消"
        return list(row.values())
    row.update({
        "支付时间": stamp(line.paid_at),
        "订单成交时间": stamp(line.paid_at),
        "支付方式": "微信" if digit(line.order_id) % 3 else "支付宝",
    })  # fmt: skip
    stage = fulfilment(line, at)
    if stage != "pending":
        row["发货时间"] = stamp(line.shipped_at)
        row["快递公司"] = "中通快递" if digit(line.order_id) % 2 else "韵达快递"
    if stage == "done":
        row["确认收货时间"] = stamp(line.done_at)
    if refunded_in_full(line, at):
        assert line.refund_at is not None
        if refunded_before_shipping(line):
            row["订单状态"] = "未发货，退款成功"
            row["发货时间"] = row["快递公司"] = row["确认收货时间"] = tab
        elif line.done_at is not None and line.refund_at >= line.done_at:
            row["订单状态"] = "已收货，退款成功"
        else:
            row["订单状态"] = "已发货，退款成功"
        row["售后状态"] = "退款成功"
    else:
        names = {"pending": "待发货", "shipped": "已发货，待收货", "done": "已收货"}
        row["订单状态"] = names[stage]
    return list(row.values())
