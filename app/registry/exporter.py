"""Writing the registry back to a workbook with the same sheets and headers it loads from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy.orm import aliased

from app.beijing import to_beijing
from app.codes import BASELINE_KINDS, INDICATORS, SCOPE_TYPES
from app.extensions import db
from app.models import (
    BaselinePrice,
    Brand,
    LiveRoom,
    LiveSession,
    PlatformListing,
    Product,
    Shop,
    Streamer,
    Target,
    Township,
    Village,
    room_streamers,
)
from app.registry.live_sessions import FIGURES
from app.registry.sheets import SHEETS
from app.registry.values import platform_name
from app.spreadsheet import WORKBOOK_OPTIONS, CellStyles, write_text

FORMATS: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "bg_color": "#DDEBF7", "border": 1},
    "text": {"num_format": "@"},
    "date": {"num_format": "yyyy-mm-dd"},
    "time": {"num_format": "yyyy-mm-dd hh:mm:ss"},
    "money": {"num_format": "#,##0.00"},
    "number": {"num_format": "General"},
}
Row = tuple[Any, ...]


def export_workbook(path: str | Path) -> dict[str, int]:
    """Write every registry sheet to `path`; returns the number of data rows per sheet."""
    written: dict[str, int] = {}
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    try:
        formats = CellStyles(workbook, FORMATS)
        for spec in SHEETS:
            sheet = workbook.add_worksheet(spec.name)
            sheet.freeze_panes(1, 0)
            for col, header in enumerate(spec.columns):
                write_text(sheet, 0, col, header, formats, "header")
                sheet.set_column(col, col, max(12, len(header) * 2 + 2))
            count = 0
            for count, values in enumerate(ROWS[spec.name](), start=1):
                for col, value in enumerate(values):
                    write_cell(sheet, count, col, value, formats)
            written[spec.name] = count
    finally:
        workbook.close()
    return written


def write_cell(sheet: Any, row: int, col: int, value: Any, formats: CellStyles) -> None:
    """Numbers and dates as such; all text as string cells, never as formulas."""
    if value is None or value == "":
        return
    if isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, formats["time"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats["date"])
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), formats["money"])
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value, formats["number"])
    else:
        write_text(sheet, row, col, str(value), formats, "text")


def _rows(query: Any) -> Iterator[Row]:
    return iter(db.session.execute(query).tuples())


def township_rows() -> Iterator[Row]:
    return _rows(db.select(Township.code, Township.name, Township.county).order_by(Township.code))


def village_rows() -> Iterator[Row]:
    return _rows(
        db.select(Village.code, Village.name, Township.code)
        .join(Village.township)
        .order_by(Village.code)
    )


def shop_rows() -> Iterator[Row]:
    query = (
        db.select(Shop.code, Shop.platform, Shop.platform_shop_id, Shop.name, Village.code)
        .join(Shop.village)
        .order_by(Shop.code)
    )
    for code, platform, shop_id, name, village in _rows(query):
        yield code, platform_name(platform), shop_id, name, village


def room_rows() -> Iterator[Row]:
    query = (
        db.select(
            LiveRoom.code,
            LiveRoom.platform,
            LiveRoom.account_id,
            LiveRoom.nickname,
            Village.code,
            Shop.code,
        )
        .join(LiveRoom.village)
        .outerjoin(LiveRoom.shop)
        .order_by(LiveRoom.code)
    )
    for code, platform, account, nickname, village, shop in _rows(query):
        yield code, platform_name(platform), account, nickname, village, shop


def streamer_rows() -> Iterator[Row]:
    """One row per streamer and room; a streamer without a room still gets a row."""
    query = (
        db.select(Streamer.code, Streamer.name, LiveRoom.code)
        .outerjoin(room_streamers, room_streamers.c.streamer_id == Streamer.id)
        .outerjoin(LiveRoom, LiveRoom.id == room_streamers.c.room_id)
        .order_by(Streamer.code, LiveRoom.code)
    )
    return _rows(query)


def brand_rows() -> Iterator[Row]:
    return _rows(db.select(Brand.code, Brand.name, Brand.kind, Brand.county).order_by(Brand.code))


def product_rows() -> Iterator[Row]:
    query = (
        db.select(
            Product.code,
            Product.name,
            Brand.code,
            Product.brand_joined_on,
            Product.category,
            Product.pricing_unit,
            Product.units_per_item,
            Product.producer,
        )
        .outerjoin(Product.brand)
        .order_by(Product.code)
    )
    for row in _rows(query):
        yield (*row[:6], _plain(row[6]), row[7])


def listing_rows() -> Iterator[Row]:
    query = (
        db.select(
            PlatformListing.platform,
            PlatformListing.platform_product_id,
            PlatformListing.merchant_code,
            Product.code,
        )
        .join(PlatformListing.product)
        .order_by(PlatformListing.id)
    )
    for platform, product_id, merchant, product in _rows(query):
        yield platform_name(platform), product_id, merchant, product


def baseline_rows() -> Iterator[Row]:
    query = (
        db.select(
            Product.code,
            BaselinePrice.kind,
            BaselinePrice.unit_price,
            BaselinePrice.valid_from,
            BaselinePrice.valid_to,
            BaselinePrice.note,
        )
        .join(BaselinePrice.product)
        .order_by(Product.code, BaselinePrice.kind, BaselinePrice.valid_from)
    )
    for product, kind, price, valid_from, valid_to, note in _rows(query):
        yield product, BASELINE_KINDS.get(kind, kind), price, valid_from, valid_to, note


def target_rows() -> Iterator[Row]:
    query = db.select(
        Target.year,
        Target.month,
        Target.scope_type,
        Target.scope_code,
        Target.indicator,
        Target.value,
    ).order_by(Target.year, Target.month, Target.scope_type, Target.scope_code, Target.id)
    for year, month, scope, code, indicator, value in _rows(query):
        yield (
            year,
            month,
            SCOPE_TYPES.get(scope, scope),
            code,
            INDICATORS.get(indicator, indicator),
            value,
        )


def session_rows() -> Iterator[Row]:
    """Times back in Beijing time, as the sheet is written and read."""
    streamer = aliased(Streamer)
    figures = [getattr(LiveSession, name) for name in FIGURES]
    query = (
        db.select(
            LiveRoom.code, streamer.code, LiveSession.started_at, LiveSession.ended_at, *figures
        )
        .join(LiveSession.room)
        .outerjoin(streamer, streamer.id == LiveSession.streamer_id)
        .order_by(LiveRoom.code, LiveSession.started_at)
    )
    for room, streamer_code, start, end, *numbers in _rows(query):
        yield (room, streamer_code, _local(start), _local(end), *numbers)


def _local(moment: dt.datetime) -> dt.datetime:
    return to_beijing(moment).replace(tzinfo=None)


def _plain(number: Decimal | None) -> Decimal | int | float | None:
    """规格数量 as a plain number: 5 not 5.0000."""
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


ROWS: dict[str, Callable[[], Iterator[Row]]] = {
    "乡镇": township_rows,
    "村": village_rows,
    "网店": shop_rows,
    "直播间": room_rows,
    "主播": streamer_rows,
    "品牌": brand_rows,
    "商品": product_rows,
    "平台商品": listing_rows,
    "基准价": baseline_rows,
    "目标": target_rows,
    "直播场次": session_rows,
}
