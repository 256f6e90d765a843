"""The blank Cunbo sales template users fill in for channels without a platform export."""

from __future__ import annotations

import io

import xlsxwriter

from .platforms.template import PLATFORM_HELP, TEMPLATE_HEADERS

EXAMPLE = (
    "其他",
    "S07",
    "OFF0001",
    "OFF0001",
    "P001",
    "许营焖子",
    "2",
    "80.00",
    "0.00",
    "2024-07-04 10:30:00",
    "已完成",
    "",
)
NOTES = {
    "平台": f"{PLATFORM_HELP}；一个文件只填一个平台",
    "网店编码": "名录中的网店编码，如 S07",
    "订单号": "必填",
    "子订单号": "一笔订单有多件商品时每行一个；不填则与订单号相同",
    "商品编码": "名录中的商品编码或商家编码",
    "数量": "整数",
    "实付金额": "必填，单位元，最多两位小数",
    "退款金额": "单位元，没有退款填 0",
    "支付时间": "必填，YYYY-MM-DD HH:MM:SS（北京时间）",
    "订单状态": "已付款、已发货、已完成、已退款、已取消",
    "主播": "带货主播的昵称（可不填）",
}


def template_csv() -> bytes:
    """The blank template as UTF-8 CSV with BOM (opens correctly in Excel and WPS)."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADERS) + "\r\n").encode("utf-8")


def template_xlsx(example: bool = False) -> bytes:
    """The blank template as XLSX: header row, text-formatted columns, notes on the headers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet("销售")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})  # ids stay text when typed in
    for col, name in enumerate(TEMPLATE_HEADERS):
        sheet.write_string(0, col, name, head)
        sheet.set_column(col, col, 20 if name in ("支付时间", "商品名称") else 14, text)
        if name in NOTES:
            sheet.write_comment(0, col, NOTES[name])
    if example:
        for col, value in enumerate(EXAMPLE):
            sheet.write_string(1, col, value)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def write_template(path: str, fmt: str = "xlsx") -> None:
    """Write the blank template to `path` as `xlsx` or `csv`."""
    data = template_csv() if fmt == "csv" else template_xlsx()
    with open(path, "wb") as fh:
        fh.write(data)
