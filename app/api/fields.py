"""Marshmallow fields the JSON API shares: money, codes, references by code, Beijing times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.codes import code_for
from app.registry.values import CellError, local_datetime, to_beijing


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
