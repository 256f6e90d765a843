"""The one envelope of every paginated list of the API: items, page, per_page, total, pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from marshmallow import Schema, fields


class Paginated(Protocol):
    """A page of rows as `db.paginate` gives it."""

    @property
    def items(self) -> Any: ...
    @property
    def page(self) -> int: ...
    @property
    def per_page(self) -> int: ...
    @property
    def total(self) -> int | None: ...
    @property
    def pages(self) -> int: ...


def page_json(page: Paginated, dump: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The envelope of one page; `dump` turns each row into its JSON (else the response schema
    does)."""
    items: Iterable[Any] = page.items
    return {
        "items": [dump(item) for item in items] if dump else list(items),
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def page_schema(item: type[Schema] | Schema, name: str, description: str | None = None) -> type:
    """The response schema of a page of `item`s (`name` is its name in the OpenAPI document)."""
    metadata = {"description": description} if description else {}
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), metadata=metadata),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
            "pages": fields.Integer(),
        },
        name=name,
    )
