"""The 未登记商品 worklist as a registry workbook, pre-filled for a clerk to complete and load.

Two sheets in the registry's layout (SPEC §5), so the normal registry upload reads them: 商品
(code suggested, name from the export, brand and category left for the clerk) and 平台商品
(platform, platform product id, merchant code, the same product code). The 商品 sheet adds,
after the registry's columns, what the lines add up to (the loader ignores unknown columns).
One product per listing key: the platform product id, else the merchant code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter

from app.metrics.unregistered import UnregisteredRow, Worklist
from app.registry.enrol import ListingKeys, product_codes, suggested_code
from app.registry.sheets import SHEETS_BY_NAME
from app.registry.values import platform_name
from app.spreadsheet import WORKBOOK_OPTIONS, CellStyles, write_text

FORMATS: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "bg_color": "#DDEBF7", "border": 1},
    "hint": {"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_color": "#595959"},
    "text": {"num_format": "@"},
    "date": {"num_format": "yyyy-mm-dd"},
    "money": {"num_format": "#,##0.00"},
    "number": {"num_format": "#,##0"},
}
FIGURE_COLUMNS = ("订单行数", "网络零售额（元）", "首次支付日期", "最近支付日期")


@dataclass
class _Product:
    code: str
    keys: ListingKeys
    name: str | None
    lines: int
    net: Decimal
    first_day: dt.date
    last_day: dt.date


def write_worklist(target: str | BinaryIO, worklist: Worklist) -> int:
    """Write the workbook; returns how many products it proposes."""
    products = _products(worklist.rows)
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, **WORKBOOK_OPTIONS})
    try:
        formats = CellStyles(workbook, FORMATS)
        _product_sheet(workbook.add_worksheet("商品"), formats, products)
        _listing_sheet(workbook.add_worksheet("平台商品"), formats, products)
    finally:
        workbook.close()
    return len(products)


def _products(rows: list[UnregisteredRow]) -> list[_Product]:
    """One product per listing key, named as its best-selling row (rows come net descending)."""
    taken = product_codes()
    found: dict[tuple[str, str, str], _Product] = {}
    for row in rows:
        if row.platform_product_id:
            key = (row.platform, "id", row.platform_product_id)
        elif row.merchant_code:
            key = (row.platform, "merchant", row.merchant_code)
        else:
            continue  # nothing a listing could be found by
        product = found.get(key)
        if product is None:
            keys = ListingKeys(row.platform, row.platform_product_id, row.merchant_code)
            found[key] = _Product(
                suggested_code(keys, taken),
                keys,
                row.name,
                row.lines,
                row.net,
                row.first_day,
                row.last_day,
            )
            continue
        product.lines += row.lines
        product.net += row.net
        product.first_day = min(product.first_day, row.first_day)
        product.last_day = max(product.last_day, row.last_day)
    return list(found.values())


def _headers(sheet: Any, formats: CellStyles, columns: tuple[str, ...], style: str) -> None:
    for col, header in enumerate(columns):
        write_text(sheet, 0, col, header, formats, style)
        sheet.set_column(col, col, max(12, len(header) * 2 + 2))


def _text(sheet: Any, row: int, col: int, value: str | None, formats: CellStyles) -> None:
    if value:
        write_text(sheet, row, col, value, formats, "text")


def _product_sheet(sheet: Any, formats: CellStyles, products: list[_Product]) -> None:
    columns = SHEETS_BY_NAME["商品"].columns
    sheet.freeze_panes(1, 0)
    _headers(sheet, formats, columns, "header")
    for offset, header in enumerate(FIGURE_COLUMNS):
        col = len(columns) + offset
        write_text(sheet, 0, col, header, formats, "hint")
        sheet.set_column(col, col, 16)
    sheet.set_column(1, 1, 36)
    for number, product in enumerate(products, start=1):
        _text(sheet, number, columns.index("商品编码"), product.code, formats)
        _text(sheet, number, columns.index("商品名称"), (product.name or "")[:200], formats)
        first = len(columns)
        sheet.write_number(number, first, product.lines, formats["number"])
        sheet.write_number(number, first + 1, float(product.net), formats["money"])
        for col, day in ((first + 2, product.first_day), (first + 3, product.last_day)):
            sheet.write_datetime(number, col, dt.datetime.combine(day, dt.time()), formats["date"])


def _listing_sheet(sheet: Any, formats: CellStyles, products: list[_Product]) -> None:
    columns = SHEETS_BY_NAME["平台商品"].columns
    sheet.freeze_panes(1, 0)
    _headers(sheet, formats, columns, "header")
    for number, product in enumerate(products, start=1):
        keys = product.keys
        values = (
            platform_name(keys.platform),
            keys.platform_product_id,
            keys.merchant_code,
            product.code,
        )
        for col, value in enumerate(values):
            _text(sheet, number, col, value, formats)
