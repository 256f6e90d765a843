"""Marshmallow fields the JSON API shares: money, codes, references by code, Beijing times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.codes import code_for
from app.converters import MAX_ID
from app.registry.values import CellError, local_datetime, to_beijing

# The days the API accepts: wide enough for any county's records, narrow enough that a year
# before or after (同比) is still a date.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# A metrics period longer than this is refused, not computed for minutes (RELIABILITY).
MAX_PERIOD_YEARS = 20
MAX_PAGE_SIZE = 500
MONTH_PATTERN = r"^(20\d{2}|2100)-(0[1-9]|1[0-2])$"


def Money(**kwargs: Any) -> fields.Decimal:
    """Money in and out as a string with two decimals ("1234.50"); numbers accepted in."""
    return fields.Decimal(places=2, as_string=True, **kwargs)


class Ref(fields.String):
    """Another registry entity, written by its code (or name, for categories)."""

    def __init__(self, key: str = "code", **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Length(min=1, max=64))
        super().__init__(**kwargs)
        self.key = key

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else getattr(value, self.key)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Coded(fields.String):
    """A code from app.codes; its Chinese name is accepted too (`抖店` → `douyin`)."""

    def __init__(
        self, names: Mapping[str, str], aliases: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        choices = ", ".join(f"{code} ({name})" for code, name in names.items())
        metadata = {"description": f"One of: {choices}", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.names = dict(names)
        self.aliases = dict(aliases or {})

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return code_for(text, self.names, self.aliases)
        except KeyError:
            accepted = "、".join(f"{code}（{name}）" for code, name in self.names.items())
            raise ValidationError(f"“{text}”无法识别，可填：{accepted}") from None


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
            return local_datetime(value.strip())
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


class Refs(fields.List):
    """Several registry entities by code, listed in code order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Ref(), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        codes = super()._serialize(value, attr, obj, **kwargs)
        return None if codes is None else sorted(codes)


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


def Id(**kwargs: Any) -> fields.Integer:
    """The id of a row: a whole number the database's id columns can hold."""
    return fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID, error=f"应为 1 至 {MAX_ID} 之间的编号"),
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
