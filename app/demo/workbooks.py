"""XLSX exports of the demo county: 微信小店, 天猫, 快手 (encrypted) and Cunbo's template."""

from __future__ import annotations

import datetime as dt
import io
from itertools import groupby
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

from app.demo.county import County, Shop
from app.demo.exports import (
    fulfilment,
    masked_name,
    masked_phone,
    money,
    refunded_before_shipping,
    refunded_in_full,
    stamp,
    visible_refund,
)
from app.demo.sales import Line
from app.demo.xlsx import Cell, write_xlsx

# 微信小店 (视频号) 快递订单 export, 64 columns as downloaded with 带货ID.
CHANNELS_HEADER = (
    "订单号,订单下单时间,订单发货时间,订单确认收货时间,订单完成结算时间,订单状态,发货方式,收件人姓名,"
    "收件人地址,省,市,区,收件人手机,买家备注,商家备注,打标颜色,商品总价,订单实际支付金额,订单实际收款金额,"
    "订单运费,商品优惠,跨店优惠,商品改价,积分抵扣,支付方式,支付时间,交易单号,物流公司,快递单号,技术服务费,"
    "技术服务费（将以人气卡形式返还）,运费险预计投保费用,带货方式,带货账号类型,带货账号昵称,带货ID,"
    "带货费用渠道,带货费用类型,带货费用,带货佣金率,企微企业ID,企微工号,导购最近分享时间,企业微信加密id,"
    "企微备注,礼物单号,商品名称,商品编码(平台),商品编码(自定义),SKU编码(自定义),商品属性,商品价格(单件),"
    "商品实际价格(单件),商品实际价格(总共),是否预售,商品数量,商品平台券优惠,商品平均运费,活动商家补贴,"
    "定制信息,定制预览图,商品发货,商品售后,商品已退款金额"
).split(",")


def write_channels(
    path: Path, county: County, shop: Shop, lines: list[Line], at: dt.datetime
) -> None:
    """微信小店 XLSX, sheet 快递订单: one row per product, order columns repeated, `-` empty."""
    rows = []
    for _, group in groupby(lines, key=lambda line: line.order_id):
        order = list(group)
        rows.extend(_channels_rows(county, shop, order, at))
    write_xlsx(path, {"快递订单": (CHANNELS_HEADER, rows)})


def _channels_rows(county: County, shop: Shop, order: list[Line], at: dt.datetime) -> list:
    first = order[0]
    total = money(sum(line.paid for line in order))
    paid = first.paid_at is not None
    stages = [fulfilment(line, at) for line in order] if paid else []
    cancelled = not paid or all(
        refunded_in_full(line, at) and refunded_before_shipping(line) for line in order
    )
    if cancelled:
        status = "已取消"
    else:
        status = {"pending": "待发货", "shipped": "已发货", "done": "已完成"}[stages[0]]
    base = dict.fromkeys(CHANNELS_HEADER, "-")
    base.update({
        "订单号": first.order_id,
        "订单下单时间": stamp(first.created),
        "订单状态": status,
        "发货方式": "快递",
        "收件人姓名": masked_name(first.order_id),
        "收件人地址": "****",
        "省": first.province,
        "收件人手机": masked_phone(first.order_id),
        "商品总价": total,
        "订单实际支付金额": total,
        "订单实际收款金额": total,
        "订单运费": "0.00",
        "支付方式": "微信支付" if paid else "-",
        "支付时间": stamp(first.paid_at),
        "技术服务费": "0",
        "是否预售": "否",
    })  # fmt: skip
    if paid and stages[0] != "pending" and not cancelled:
        base["订单发货时间"] = stamp(first.shipped_at)
    if paid and stages[0] == "done" and not cancelled:
        base["订单确认收货时间"] = stamp(first.done_at)
    if first.room:
        room = county.rooms[first.room]
        base.update({
            "带货方式": "达人带货", "带货账号类型": "视频号",
            "带货账号昵称": room.nickname, "带货ID": room.account_id,
        })  # fmt: skip
    rows = []
    for line in order:
        product = county.products[line.product]
        listing = county.listings[shop.code, line.product]
        refund = visible_refund(line, at) if paid else 0
        if not refund:
            after_sale = "无"
        elif refund == line.paid and not refunded_before_shipping(line):
            after_sale = "退货退款完成"
        else:
            after_sale = "退款完成"
        held_back = refund == line.paid and refunded_before_shipping(line)
        shipped = paid and not held_back and fulfilment(line, at) != "pending"
        row: dict[str, Cell] = dict(base)
        row.update({
            "商品名称": product.name,
            "商品编码(平台)": listing.product_id,
            "商品编码(自定义)": listing.merchant_code,
            "SKU编码(自定义)": listing.merchant_code,
            "商品属性": product.spec,
            "商品价格(单件)": money(line.price),
            "商品实际价格(单件)": money(line.price),
            "商品实际价格(总共)": money(line.paid),
            "商品数量": line.qty,
            "商品发货": "已发货" if shipped else "未发货",
            "商品售后": after_sale,
            "商品已退款金额": money(refund),
        })  # fmt: skip
        rows.append(list(row.values()))
    return rows


# 天猫/淘宝 千牛 order export (one row per 主订单), 54 columns.
TAOBAO_HEADER = (
    "订单编号,支付单号,支付详情,买家应付货款,买家应付邮费,总金额,返点积分,买家实付金额,买家实付积分,订单状态,"
    "买家留言,订单创建时间,订单付款时间,商品标题,宝贝种类,备注标签,商家备注,宝贝总数量,店铺ID,店铺名称,"
    "订单关闭原因,卖家服务费,买家服务费,开票信息,手机订单,分阶段信息,退款金额,是否主动赔付,主动赔付金额,"
    "主动赔付出账时间,预售下沉订单,预售下沉状态,商品属性SKU,安心鉴订单,百亿补贴审核订单,淘特订单,C2B小额收款,"
    "淘鲜达渠道,预售订单,确认收货打款金额,预约发货订单,换新补贴报名信息,换新补贴订单,换新补贴金额,码上收订单,"
    "买家支付积分,是否信用购订单,含应开票给个人红包,总金额(旧版),买家申请退定金,换新补贴支付方式,换新补贴类型,"
    "补贴金额的出资明细,商家编码"
).split(",")


def write_taobao(
    path: Path, county: County, shop: Shop, lines: list[Line], at: dt.datetime
) -> None:
    """天猫 XLSX, sheet export, all cells text; full refunds already taken off 买家实付金额."""
    rows = (_taobao_row(county, shop, line, at) for line in lines)
    write_xlsx(path, {"export": (TAOBAO_HEADER, rows)})


def _taobao_row(county: County, shop: Shop, line: Line, at: dt.datetime) -> list[Cell]:
    product = county.products[line.product]
    listing = county.listings[shop.code, line.product]
    row: dict[str, Cell] = dict.fromkeys(TAOBAO_HEADER)
    row.update({
        "订单编号": line.order_id,
        "买家应付货款": money(line.paid),
        "买家应付邮费": "0.00",
        "总金额": money(round(line.paid * 1.1)),  # list price before the shop's discount
        "返点积分": "0",
        "买家实付金额": "0.00",
        "买家实付积分": "0",
        "订单创建时间": stamp(line.created),
        "宝贝种类": "0",
        "宝贝总数量": "0",
        "店铺ID": shop.shop_id,
        "店铺名称": shop.name,
        "订单关闭原因": "订单未关闭",
        "手机订单": "手机订单",
        "退款金额": "0.00",
        "商品属性SKU": product.spec,
        "预售订单": "否'",
        "确认收货打款金额": "0.00",
        "预约发货订单": "否'",
        "码上收订单": "否'",
        "总金额(旧版)": money(line.paid),
    })  # fmt: skip
    if line.paid_at is None:  # unpaid orders come without title, count or merchant code
        waiting = at - line.created < dt.timedelta(days=1)
        row["订单状态"] = "等待买家付款" if waiting else "交易关闭"
        row["订单关闭原因"] = "订单未关闭" if waiting else "买家未付款"
        return list(row.values())
    pay_no = f"2{line.order_id}88888888"
    refund = visible_refund(line, at)
    row.update({
        "支付单号": pay_no,
        "支付详情": f"支付方式：支付宝，支付单号：{pay_no}，金额：{money(line.paid)}；",
        "买家实付金额": money(line.paid),
        "订单付款时间": stamp(line.paid_at),
        "商品标题": product.name,
        "宝贝种类": "1",
        "宝贝总数量": str(line.qty),
        "退款金额": money(refund),
        "商家编码": listing.merchant_code,
    })  # fmt: skip
    stage = fulfilment(line, at)
    if refund == line.paid:
        row.update({"订单状态": "交易关闭", "订单关闭原因": "退款", "买家实付金额": "0.00"})
    else:
        row["订单状态"] = {
            "pending": "买家已付款,等待卖家发货",
            "shipped": "卖家已发货，等待买家确认",
            "done": "交易成功",
        }[stage]
        if stage == "done":
            row["确认收货打款金额"] = money(line.paid - refund)
    return list(row.values())


# 快手小店 order list as downloaded (password-protected workbook, sheet 订单列表).
KUAISHOU_HEADER = (
    "订单号,订单创建时间,订单支付时间,订单状态,商品ID,商品名称,商品规格,商家编码,商品单价,成交数量,实付款,"
    "售后状态,收货人,收货地址,买家留言,商家备注,快递公司,快递单号"
).split(",")


def write_kuaishou(
    path: Path, county: County, shop: Shop, lines: list[Line], at: dt.datetime, password: str
) -> None:
    """快手 XLSX encrypted with ECMA-376 Agile encryption under `password`."""
    plain = io.BytesIO()
    rows = (_kuaishou_row(county, shop, line, at) for line in lines)
    write_xlsx(plain, {"订单列表": (KUAISHOU_HEADER, rows)})
    plain.seek(0)
    with path.open("wb") as handle:
        OOXMLFile(plain).encrypt(password, handle)


def _kuaishou_row(county: County, shop: Shop, line: Line, at: dt.datetime) -> list[Cell]:
    product = county.products[line.product]
    listing = county.listings[shop.code, line.product]
    status, after_sale, courier = "", None, None
    if line.paid_at is None:
        status = "已取消" if int(line.order_id[-1]) % 2 else "已关闭"
    elif refunded_in_full(line, at):
        status, after_sale = "交易关闭", "退款成功"
    else:
        stage = fulfilment(line, at)
        status = {"pending": "待发货", "shipped": "已发货", "done": "交易成功"}[stage]
        courier = None if stage == "pending" else "中通快递"
    return [
        line.order_id, stamp(line.created), stamp(line.paid_at, ""), status,
        listing.product_id, product.name, product.spec, listing.merchant_code,
        money(line.price), line.qty, money(line.paid), after_sale,
        masked_name(line.order_id), f"{line.province}****", None, None, courier, None,
    ]  # fmt: skip


# Cunbo's own sales template (SPEC §5), for channels that have no export.
TEMPLATE_HEADER = (
    "平台", "网店编码", "订单号", "子订单号", "商品编码", "商品名称", "数量", "实付金额",
    "退款金额", "支付时间", "订单状态", "主播",
)  # fmt: skip


def write_template(
    path: Path, county: County, shop: Shop, lines: list[Line], at: dt.datetime
) -> None:
    """The template as a fair's clerk fills it in: sheet 销售, one row per sale."""
    rows: list[list[Cell]] = []
    for line in lines:
        refund = visible_refund(line, at)
        status = "已退款" if refund and refund == line.paid else "已完成"
        product = county.products[line.product]
        rows.append([
            "其他", shop.code, line.order_id, line.line_id, product.code, product.name, line.qty,
            money(line.paid), money(refund), stamp(line.paid_at, ""), status, None,
        ])  # fmt: skip
    write_xlsx(path, {"销售": (TEMPLATE_HEADER, rows)})
