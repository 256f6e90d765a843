"""Marshmallow fields of the registry's records: money, codes, references by code, ids.

The registry's schemas (app.registry.schemas) read entries with them; the JSON API shares them
(app.api.fields re-exports them beside its own query fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.codes import code_for
from app.converters import MAX_ID


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


class Refs(fields.List):
    """Several registry entities by code, listed in code order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Ref(), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        codes = super()._serialize(value, attr, obj, **kwargs)
        return None if codes is None else sorted(codes)


def Id(**kwargs: Any) -> fields.Integer:
    """The id of a row: a whole number the database's id columns can hold."""
    return fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID, error=f"应为 1 至 {MAX_ID} 之间的编号"),
        **kwargs,
    )
