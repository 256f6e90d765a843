"""Marshmallow fields the JSON API shares: Beijing times, days, pages, counts; the registry's
money, codes, references and ids (app.registry.fields) are re-exported here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.beijing import to_beijing
from app.converters import MAX_ID
from app.registry.fields import Coded as Coded
from app.registry.fields import Id as Id
from app.registry.fields import Money as Money
from app.registry.fields import Ref as Ref
from app.registry.fields import Refs as Refs
from app.registry.values import CellError, utc_from_beijing

# The days the API accepts: wide enough for any county's records, narrow enough that a year
# before or after (同比) is still a date.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# A metrics period longer than this is refused, not computed for minutes (RELIABILITY).
MAX_PERIOD_YEARS = 20
MAX_PAGE_SIZE = 500
MONTH_PATTERN = r"^(20\d{2}|2100)-(0[1-9]|1[0-2])$"


class BeijingDateTime(fields.Field):
    """A time shown in Asia/Shanghai with its offset; read as Beijing time unless it has one.

    Accepts ISO 8601 (`2024-03-01T20:00:00+08:00`) and `2024-03-01 20:00`; stores naive UTC.
    """

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return to_beijing(value).isoformat()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError("请填写时间，如 2024-03-01 20:00（北京时间）")
        try:
            return utc_from_beijing(value.strip())
        except CellError:
            raise ValidationError(
                f"时间“{value}”无法识别，请写成 2024-03-01 20:00（北京时间）或 ISO 8601"
            ) from None


def Count(**kwargs: Any) -> fields.Integer:
    """A non-negative whole number (件数, 人数, 秒数)."""
    return fields.Integer(
        strict=False,
        validate=validate.Range(min=0, max=2**31 - 1, error="不能为负数，且须小于 2147483648"),
        **kwargs,
    )


def NonNegativeMoney(**kwargs: Any) -> fields.Decimal:
    return Money(
        validate=validate.Range(min=Decimal(0), max=Decimal(10**12), error="不能为负数"),
        **kwargs,
    )


def Day(**kwargs: Any) -> fields.Date:
    """A calendar day (YYYY-MM-DD) between 2000-01-01 and 2100-12-31."""
    kwargs.setdefault(
        "error_messages", {"invalid": "日期格式应为 YYYY-MM-DD", "required": "必填 (YYYY-MM-DD)"}
    )
    return fields.Date(
        validate=validate.Range(
            min=FIRST_DAY, max=LAST_DAY, error="日期应在 2000-01-01 至 2100-12-31 之间"
        ),
        **kwargs,
    )


def Page() -> fields.Integer:
    return fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_ID, error=f"页码应为 1 至 {MAX_ID} 之间的整数"),
    )


def PageSize(default: int = 50) -> fields.Integer:
    return fields.Integer(
        load_default=default,
        validate=validate.Range(
            min=1, max=MAX_PAGE_SIZE, error=f"每页条数应为 1 至 {MAX_PAGE_SIZE} 之间"
        ),
    )


def period_problem(start: dt.date | None, end: dt.date | None) -> str | None:
    """Why `start`..`end` cannot be a period (ends reversed, longer than 20 years), or None."""
    if start is None or end is None:
        return None
    if end < start:
        return "to 不能早于 from"
    try:
        limit = start.replace(year=start.year + MAX_PERIOD_YEARS)
    except ValueError:  # 29 February
        limit = dt.date(start.year + MAX_PERIOD_YEARS, 3, 1)
    if end >= limit:
        return f"时间段最长 {MAX_PERIOD_YEARS} 年，请缩短 from 至 to 的范围"
    return None
