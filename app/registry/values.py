"""Cell values → Python values: text, codes, decimals, dates and Beijing times.

Every parser takes what python-calamine gives (str, float, int, bool, date, datetime) and
raises `CellError` with a Chinese reason that reads on after the value: 单位价格“-3”必须大于 0.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.beijing import ZONE
from app.codes import BASELINE_KINDS, INDICATORS, PLATFORMS, SCOPE_TYPES, code_for, platform_code

CENT = Decimal("0.01")

PLATFORM_HINT = "抖音/抖店、快手、视频号/微信小店、淘宝/天猫、拼多多、其他"
TIME_HINT = "无法识别，请写成 2024-03-01 20:00 的形式（北京时间）"


class CellError(ValueError):
    """A cell whose value cannot be used; the message says why, in Chinese."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """Cell text; whole numbers typed into a text column lose Excel's `.0` (2024.0 → "2024")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def limited(length: int) -> Any:
    """A `text` parser that refuses values longer than the column holds."""

    def parse(value: Any) -> str:
        result = text(value)
        if len(result) > length:
            raise CellError(f"过长（{len(result)} 个字），最多 {length} 个字")
        return result

    return parse


def decimal(value: Any, places: Decimal = CENT, limit: int = 10**12) -> Decimal:
    """An exact decimal; floats go through repr so 41.04 stays 41.04, not 41.039999…."""
    if isinstance(value, bool):
        raise CellError("不是有效的数字")
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        cleaned = re.sub(r"[,，\s¥￥元]", "", str(value))
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise CellError("不是有效的数字") from None
    if not number.is_finite():
        raise CellError("不是有效的数字")
    if abs(number) >= limit:
        raise CellError("数值过大，请检查单位（应以元、件、人、秒计）")
    return number.quantize(places)


def non_negative(value: Any) -> Decimal:
    number = decimal(value)
    if number < 0:
        raise CellError("不能为负数")
    return number


def positive(value: Any, places: Decimal = CENT, limit: int = 10**12) -> Decimal:
    number = decimal(value, places, limit)
    if number <= 0:
        raise CellError("必须大于 0")
    return number


def count(value: Any) -> int:
    """A non-negative whole number (件数, 人数, 秒数)."""
    number = decimal(value, Decimal("0.000001"), limit=2**31)  # an INTEGER column
    if number != number.to_integral_value():
        raise CellError("必须是整数")
    if number < 0:
        raise CellError("不能为负数")
    return int(number)


def integer_between(low: int, high: int) -> Any:
    def parse(value: Any) -> int:
        number = count(value)
        if not low <= number <= high:
            raise CellError(f"应在 {low} 到 {high} 之间")
        return number

    return parse


DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
DATETIME_PATTERN = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Day numbers 20000–80000 are 1954–2119: a date cell whose format was lost, not a quantity.
EXCEL_SERIALS = (20000, 80000)


def _excel_serial(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIALS[0] <= value <= EXCEL_SERIALS[1]:
            moment = EXCEL_EPOCH + dt.timedelta(days=float(value))
            return moment.replace(microsecond=0)
    return None


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    serial = _excel_serial(value)
    if serial is not None:
        return serial.date()
    raw = text(value)
    match = DATE_PATTERN.match(raw)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    elif DATETIME_PATTERN.match(raw):
        return _parse_datetime(raw).date()
    raise CellError("无法识别，请写成 2024-03-01 的形式")


def utc_from_beijing(value: Any) -> dt.datetime:
    """A time written in Beijing time (or with an explicit offset) → naive UTC."""
    serial = _excel_serial(value)
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif serial is not None:
        moment = serial
    else:
        moment = _parse_datetime(text(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _parse_datetime(raw: str) -> dt.datetime:
    match = DATETIME_PATTERN.match(raw)
    if not match:
        raise CellError(TIME_HINT)
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
        )
    except ValueError:
        raise CellError(TIME_HINT) from None
    if offset:
        if offset == "Z":
            return moment.replace(tzinfo=dt.UTC)
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return moment.replace(tzinfo=dt.timezone(sign * delta))
    return moment


def _coded(names: dict[str, str], aliases: dict[str, str] | None = None) -> Any:
    def parse(value: Any) -> str:
        try:
            return code_for(text(value), names, aliases)
        except KeyError:
            accepted = "、".join(names.values())
            raise CellError(f"无法识别，可填：{accepted}") from None

    return parse


def platform(value: Any) -> str:
    try:
        return platform_code(text(value))
    except KeyError:
        raise CellError(f"无法识别，可填：{PLATFORM_HINT}") from None


baseline_kind = _coded(BASELINE_KINDS)
scope_type = _coded(SCOPE_TYPES)
indicator = _coded(INDICATORS)

BRAND_KINDS = ("区域公用品牌", "企业品牌")


def brand_kind(value: Any) -> str:
    kind = text(value)
    if kind not in BRAND_KINDS:
        raise CellError("无法识别，可填：" + "、".join(BRAND_KINDS))
    return kind


def platform_name(code: str) -> str:
    return PLATFORMS.get(code, code)
