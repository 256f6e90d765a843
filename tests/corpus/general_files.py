"""Files for FORMATS.md general rules 1-18, written from the headers and quirks it describes,
each with the figures worked out by hand (or the code of the refusal)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

# 抖店 商品维度 export: a 25-column subset of the 2026 header, in the export's own order.
DOUYIN = (
    "主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价,订单应付金额,运费,"
    "收件人,收件人手机号,省,市,区,详细地址,订单提交时间,订单完成时间,支付完成时间,流量来源,订单状态,"
    "达人ID,达人昵称,售后状态,流量体裁"
).split(",")
DOUYIN_NAME = "1741140000_9e542baac09785edf8946e70dd1483d0.csv"
# 拼多多 export: a column subset in export order (TAB after numbers and ids).
PDD = (
    "商品,订单号,订单状态,商品数量(件),支付时间,商品id,商品规格,商家编码-规格维度,商家编码-商品维度,"
    "售后状态,订单成交时间,商品总价(元),邮费(元),店铺优惠折扣(元),平台优惠折扣(元),用户实付金额(元),"
    "商家实收金额(元),省,市,区,是否直播间成交, 用户购买手机号"
).split(",")
PDD_NAME = "116ee7c2848e18df9fb31d83540e22d4orders_export2025-03-06-13-20-43.csv"


def douyin(order: str, sub: str | None = None, paid: str = "41.04", **cells: str) -> list[str]:
    """One 抖店 row; ids and text cells carry the leading TAB real exports have."""
    values = {
        "主订单编号": "\t" + order,
        "子订单编号": "\t" + (sub or order),
        "选购商品": "\t许营焖子",
        "商品规格": "\t2斤装",
        "商品数量": "1",
        "商品ID": "\t3661318609139099603",
        "商家编码": "\tP001-DO",
        "商品单价": paid,
        "订单应付金额": paid,
        "运费": "0.00",
        "收件人": "王**",
        "收件人手机号": "138****0000",
        "省": "山东省",
        "市": "菏泽市",
        "区": "牡丹区",
        "详细地址": "##4Ckq1uXb",
        "订单提交时间": "2025-03-05 09:58:10",
        "订单完成时间": "2025-03-09 10:00:00",
        "支付完成时间": "2025-03-05 10:00:00",
        "流量来源": "直播",
        "订单状态": "已完成",
        "达人ID": "-",
        "达人昵称": "-",
        "售后状态": "-",
        "流量体裁": "直播",
    }
    values.update(cells)
    return [values[h] for h in DOUYIN]


def pdd(order: str, paid: str = "29.90", **cells: str) -> list[str]:
    """One 拼多多 row: numbers and ids end with a TAB, empties are a lone TAB."""
    values = {
        "商品": "许营焖子 2斤装",
        "订单号": order + "\t",
        "订单状态": "已收货",
        "商品数量(件)": "1\t",
        "支付时间": "2025-03-05 10:00:00",
        "商品id": "639281234567\t",
        "商品规格": "2斤装",
        "商家编码-规格维度": "P001-2J",
        "商家编码-商品维度": "P001",
        "售后状态": "无售后或售后取消",
        "订单成交时间": "2025-03-05 10:00:05",
        "商品总价(元)": paid + "\t",
        "邮费(元)": "0.00\t",
        "店铺优惠折扣(元)": "0.00\t",
        "平台优惠折扣(元)": "0.00\t",
        "用户实付金额(元)": paid + "\t",
        "商家实收金额(元)": paid + "\t",
        "省": "****",
        "市": "****",
        "区": "****",
        "是否直播间成交": "否",
        " 用户购买手机号": "\t",
    }
    values.update(cells)
    return [values[h] for h in PDD]


def without(header: list[str], rows: list[list[str]], *names: str) -> tuple[list, list]:
    keep = [i for i, h in enumerate(header) if h not in names]
    return [header[i] for i in keep], [[r[i] for i in keep] for r in rows]


def csv_text(header: list[str], rows: list[list[str]], *, quote: bool = True) -> list[str]:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if quote else text

    return [",".join(cell(c) for c in r) for r in [header, *rows]]


def write_lines(path: Path, lines: list[str], encoding: str = "utf-8-sig", nl: str = "\n") -> Path:
    path.write_bytes((nl.join(lines) + nl).encode(encoding))
    return path


def write_book(path: Path, rows: list[list[object]]) -> Path:
    """An .xlsx with the given rows from A1 (strings stay strings)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("Sheet1")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value not in (None, ""):
                sheet.write_string(r, c, str(value))
    book.close()
    return path


@dataclass
class Case:
    """One corpus file and what importing it must give."""

    rule: int
    name: str
    build: Callable[[Path], Path]
    shop: str = "S01"
    lines: int = 0
    gross: str = "0.00"
    refund: str = "0.00"
    code: str | None = None  # the refusal's code, for a file rejected whole
    notes: tuple[str, ...] = ()  # note codes the import must carry
    check: Callable[[list], None] | None = None  # more checks over the stored lines
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def net(self) -> str:
        from decimal import Decimal

        return str(Decimal(self.gross) - Decimal(self.refund))


# ---- rule by rule ------------------------------------------------------------------------


def r01_protected_ids(d: Path) -> Path:
    rows = [
        douyin("6917926768823643751"),
        douyin("6917926768823643752", paid="38.46"),
        douyin("6917926768823643753", paid="20.00"),
    ]
    rows[1][0] = rows[1][1] = "'6917926768823643752"
    rows[2][0] = rows[2][1] = '="6917926768823643753"'
    return write_lines(d / DOUYIN_NAME, csv_text(DOUYIN, rows), nl="\r\n")


def r02_empty_spellings(d: Path) -> Path:
    rows = [
        douyin("6917926768823643751", 达人ID="null", 达人昵称="--", 商家编码="NULL", 省="nan"),
        douyin(
            "6917926768823643752",
            paid="29.90",
            订单状态="已关闭",
            售后状态="退款成功",
            达人ID="\t",
            市="#NULL!",
        ),  # fmt: skip
    ]
    return write_lines(d / DOUYIN_NAME, csv_text(DOUYIN, rows))


def r03_gbk_resave(d: Path) -> Path:
    rows = [
        pdd("250305-123456789012345"),
        pdd("250305-123456789012346", paid="19.90", 订单状态="已发货，退款成功"),
        pdd(
            "250305-123456789012347",
            paid="9.90",
            订单状态="待付款",
            支付时间="\t",
            订单成交时间="\t",
        ),  # fmt: skip
    ]
    # Re-saved by WPS: GB18030, CRLF, the TABs kept.
    return write_lines(d / PDD_NAME, csv_text(PDD, rows, quote=False), "gb18030", "\r\n")


def r04_resaved_dates(d: Path) -> Path:
    times = {"订单提交时间": "2025/3/5 9:58", "支付完成时间": "2025/3/5 10:00",
             "订单完成时间": "2025/3/9 10:00"}  # fmt: skip
    rows = [douyin("6917926768823643751", **times), douyin("6917926768823643752", **times)]
    return write_lines(d / DOUYIN_NAME, csv_text(DOUYIN, rows))


def r05_money(d: Path) -> Path:
    rows = [
        douyin("6917926768823643751", paid="¥41.04"),
        douyin("6917926768823643752", paid="1,234.00"),
        douyin("6917926768823643753", paid="38.46元"),
    ]
    return write_lines(d / DOUYIN_NAME, csv_text(DOUYIN, rows))


def r06_header_noise(d: Path) -> Path:
    header = [
        {
            "商家实收金额(元)": "商家实收金额（元）",
            "订单号": "\ue000订单号 ",
            "商品数量(件)": " 商品数量（件）",
        }.get(h, h)
        for h in PDD
    ]
    rows = [pdd("250305-123456789012345"), pdd("250305-123456789012346", paid="19.90")]
    return write_lines(d / PDD_NAME, csv_text(header, rows, quote=False))


def r07_status_text(d: Path) -> Path:
    rows = [
        pdd("250305-123456789012345", 订单状态="已发货,待收货"),
        pdd("250305-123456789012346", 订单状态="已发货，待收货"),
        pdd("250305-123456789012347", 订单状态="待成团"),  # not in the status table
    ]
    # An ASCII comma inside a status needs the cell quoted (a re-save quotes every cell).
    return write_lines(d / PDD_NAME, csv_text(PDD, rows))


def r08_newer_export(d: Path) -> Path:
    row = douyin("6917926768823643751", 订单状态="已关闭", 售后状态="退款成功")
    return write_lines(
        d / "1741190000_aa42baac09785edf8946e70dd1483d0a.csv", csv_text(DOUYIN, [row])
    )


def r08_older_export(d: Path) -> Path:
    row = douyin("6917926768823643751")  # still 已完成 when this older export was taken
    return write_lines(
        d / "1741150000_bb42baac09785edf8946e70dd1483d0b.csv", csv_text(DOUYIN, [row])
    )


def r09_lines_not_orders(d: Path) -> Path:
    rows = [
        douyin("6917926768823643750", "6917926768823643751"),
        douyin("6917926768823643750", "6917926768823643752", paid="38.46"),
        douyin("6917926768823643760", paid="20.00"),
    ]
    return write_lines(d / DOUYIN_NAME, csv_text(DOUYIN, rows))


def r10_pii(d: Path) -> Path:
    rows = [pdd("250305-123456789012345"), pdd("250305-123456789012346", 省="山东省")]
    return write_lines(d / PDD_NAME, csv_text(PDD, rows, quote=False))


def r11_zero_value(d: Path) -> Path:
    rows = [
        pdd("250305-123456789012345"),
        pdd("250305-123456789012346", paid="0.00", 商品="赠品 焖子试吃装"),
    ]
    return write_lines(d / PDD_NAME, csv_text(PDD, rows, quote=False))


def r12_title_csv(d: Path) -> Path:
    rows = [pdd("250305-123456789012345"), pdd("250305-123456789012346", paid="19.90")]
    lines = ["2025年3月订单明细", "导出时间：2025-03-06 13:20:43"] + csv_text(
        PDD, rows, quote=False
    )
    return write_lines(d / PDD_NAME, lines)


def r12_banner_xlsx(d: Path) -> Path:
    rows = [douyin("6917926768823643751"), douyin("6917926768823643752", paid="38.46")]
    return write_book(d / "抖店订单明细.xlsx", [["2025年3月订单明细"], [], DOUYIN, *rows])


def r13_totals_csv(d: Path) -> Path:
    rows = [pdd("250305-123456789012345"), pdd("250305-123456789012346", paid="19.90")]
    lines = ["2025年3月推广订单"] + csv_text(PDD, rows, quote=False)
    lines += [",,,", "总计,,,2,,,,,,,,49.80,0.00,0.00,0.00,49.80,49.80"]
    return write_lines(d / PDD_NAME, lines)


def r13_totals_xlsx(d: Path) -> Path:
    rows: list[list[object]] = [douyin("6917926768823643751"), douyin("6917926768823643752")]
    totals = [""] * len(DOUYIN)
    totals[0], totals[DOUYIN.index("订单应付金额")] = "合计", "82.08"
    totals[DOUYIN.index("订单状态")] = "合计"
    return write_book(d / "抖店订单.xlsx", [DOUYIN, *rows, [], totals])


def _html(header: list[str], rows: list[list[str]]) -> str:
    def tr(cells: list[str]) -> str:
        return "<tr>" + "".join(f"<td>{c.strip()}</td>" for c in cells) + "</tr>"

    return (
        "\ufeff<!DOCTYPE html>\n<HTML><head><meta http-equiv='Content-Type' "
        "content='text/html; charset=utf-8'></head><body><table border='1'>"
        + tr(header) + "".join(tr(r) for r in rows) + "</table></body></HTML>"
    )  # fmt: skip


def r14_html_xls(d: Path) -> Path:
    rows = [douyin("6917926768823643751"), douyin("6917926768823643752", paid="38.46")]
    path = d / "订单导出.xls"
    path.write_text(_html(DOUYIN, rows), encoding="utf-8")
    return path


def r14_biff8_xls(d: Path) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, values in enumerate([DOUYIN, douyin("6917926768823643751")]):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    path = d / "订单导出.xls"
    book.save(str(path))
    return path


def r14_xltx(d: Path) -> Path:
    plain = write_book(d / "plain.xlsx", [DOUYIN, douyin("6917926768823643751")])
    path = d / "订单导出.xltx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"template.main+xml")
            out.writestr(info, data)
    plain.unlink()
    return path


def r15_funds_ledger(d: Path) -> Path:
    header = [
        "动账时间",
        "动账流水号",
        "账务流水号",
        "收支类型",
        "动账金额",
        "动账账户",
        "订单号",
        "备注",
    ]
    row = ["2025-03-05 10:00:00", "\t202503051000001", "\t88120001", "收入", "41.04", "货款",
           "\t6917926768823643751", "订单收入"]  # fmt: skip
    return write_lines(d / "资金流水_20250305.csv", csv_text(header, [row]))


def r15_kuaishou_gmv(d: Path) -> Path:
    header = ["订单号", "订单实付(元)", "订单退款(元)", "达人ID", "团长id", "商品名称", "结算时间"]
    return write_book(
        d / "GMV明细.xlsx", [header, ["2412051234567890", "29.90", "0", "1", "0", "焖子", ""]]
    )


def r16_header_and_dates(d: Path) -> Path:
    header = [
        {
            "主订单编号": "\u200b主订单编号",
            "子订单编号": "子订单\u3000编号",
            "订单应付金额": " 订单应付金额",
        }.get(h, h)  # fmt: skip
        for h in DOUYIN
    ]
    rows = [
        douyin("6917926768823643751", 支付完成时间="2025年3月5日 10:00:00"),
        douyin("6917926768823643752", paid="38.46", 支付完成时间="2025.03.05 10:00"),
    ]
    return write_lines(d / DOUYIN_NAME, csv_text(header, rows))


def r17_ids_damaged(d: Path) -> Path:
    rows = [douyin("6.91793E+18", paid="41.04"), douyin("6.91793E+18", paid="38.46")]
    for r in rows:
        r[0] = r[1] = "6.91793E+18"
    return write_lines(d / DOUYIN_NAME, csv_text(DOUYIN, rows))


def r17_ids_zeroed(d: Path) -> Path:
    rows = [douyin("6917926768823640000"), douyin("6917926768823650000", paid="38.46")]
    return write_lines(d / DOUYIN_NAME, csv_text(DOUYIN, rows))


def r18_pdd_deal_time(d: Path) -> Path:
    rows = [
        pdd("250305-123456789012345"),
        pdd("250305-123456789012346", 订单状态="已取消", 订单成交时间="\t"),
    ]
    header, rows = without(PDD, rows, "支付时间")
    return write_lines(d / PDD_NAME, csv_text(header, rows, quote=False))


def r18_douyin_submit_time(d: Path) -> Path:
    rows = [
        douyin("6917926768823643751"),
        douyin("6917926768823643752", 订单状态="待支付", 支付完成时间=""),
        douyin("6917926768823643753", 订单状态="已关闭", 支付完成时间=""),
        douyin("6917926768823643754", 订单状态="已关闭", 售后状态="退款成功"),
    ]
    header, rows = without(DOUYIN, rows, "支付完成时间")
    return write_lines(d / DOUYIN_NAME, csv_text(header, rows))


def r18_no_payment_time(d: Path) -> Path:
    header, rows = without(DOUYIN, [douyin("6917926768823643751")], "支付完成时间", "订单提交时间")
    return write_lines(d / DOUYIN_NAME, csv_text(header, rows))


def douyin_order_level(d: Path) -> Path:
    joined = douyin("6917926768823643750", paid="108.90")
    joined[1] = "\t6917926768823643751;6917926768823643752"
    joined[DOUYIN.index("选购商品")] = "许营焖子-(A01);于集粉条-(B02)"
    rows = [douyin("6917926768823643760", paid="69.00"), joined]
    return write_lines(d / DOUYIN_NAME, csv_text(DOUYIN, rows))


def _provinces(lines: list) -> None:
    assert sorted(str(line.province) for line in lines) == ["None", "山东省"]


def _zero_value(lines: list) -> None:
    assert [line.zero_value for line in sorted(lines, key=lambda x: x.line_id)] == [False, True]


def _unknown_status(lines: list) -> None:
    statuses = sorted(line.status for line in lines)
    assert statuses == ["shipped", "shipped", "unknown"]
    assert any((line.raw_status or "").startswith("待成团") for line in lines)


def _substitute_paid(lines: list) -> None:
    paid = {line.line_id: str(line.paid_amount) for line in lines}
    assert paid == {"6917926768823643751": "41.04", "6917926768823643752": "0.00",
                    "6917926768823643753": "0.00", "6917926768823643754": "41.04"}  # fmt: skip


CASES = [
    Case(1, "protected_ids", r01_protected_ids, lines=3, gross="99.50"),
    Case(2, "empty_spellings", r02_empty_spellings, lines=2, gross="70.94", refund="29.90"),
    Case(3, "gbk_resave", r03_gbk_resave, "S02", lines=3, gross="49.80", refund="19.90"),
    Case(4, "resaved_dates", r04_resaved_dates, lines=2, gross="82.08", notes=("resaved_dates",)),
    Case(5, "money_spellings", r05_money, lines=3, gross="1313.50"),
    Case(6, "header_noise", r06_header_noise, "S02", lines=2, gross="49.80"),
    Case(
        7,
        "status_text",
        r07_status_text,
        "S02",
        lines=3,
        gross="89.70",
        notes=("unknown_status",),
        check=_unknown_status,
    ),  # fmt: skip
    Case(9, "lines_not_orders", r09_lines_not_orders, lines=3, gross="99.50"),
    Case(10, "pii_masked", r10_pii, "S02", lines=2, gross="59.80", check=_provinces),
    Case(11, "zero_value", r11_zero_value, "S02", lines=2, gross="29.90", check=_zero_value),
    Case(12, "title_csv", r12_title_csv, "S02", lines=2, gross="49.80"),
    Case(12, "banner_xlsx", r12_banner_xlsx, lines=2, gross="79.50"),
    Case(
        13,
        "totals_csv",
        r13_totals_csv,
        "S02",
        lines=2,
        gross="49.80",
        notes=("totals_row_skipped", "blank_rows_skipped"),
    ),  # fmt: skip
    Case(13, "totals_xlsx", r13_totals_xlsx, lines=2, gross="82.08", notes=("totals_row_skipped",)),
    Case(14, "html_xls", r14_html_xls, lines=2, gross="79.50"),
    Case(14, "biff8_xls", r14_biff8_xls, lines=1, gross="41.04"),
    Case(14, "xltx", r14_xltx, lines=1, gross="41.04"),
    Case(15, "funds_ledger", r15_funds_ledger, code="not_an_order_export"),
    Case(15, "kuaishou_gmv", r15_kuaishou_gmv, code="not_an_order_export"),
    Case(16, "header_and_dates", r16_header_and_dates, lines=2, gross="79.50"),
    Case(17, "ids_scientific", r17_ids_damaged, code="ids_damaged"),
    Case(17, "ids_zeroed", r17_ids_zeroed, code="ids_damaged"),
    Case(
        18,
        "pdd_deal_time",
        r18_pdd_deal_time,
        "S02",
        lines=2,
        gross="29.90",
        notes=("payment_time_substitute",),
    ),  # fmt: skip
    Case(
        18,
        "douyin_submit_time",
        r18_douyin_submit_time,
        lines=4,
        gross="82.08",
        refund="41.04",
        notes=("payment_time_substitute",),
        check=_substitute_paid,
    ),  # fmt: skip
    Case(18, "no_payment_time", r18_no_payment_time, code="missing_column"),
    Case(9, "douyin_order_level", douyin_order_level, code="order_level_export"),
]
