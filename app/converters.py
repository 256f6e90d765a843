"""URL converters: `<int:…>` only matches a number the database's id columns can hold."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# Ids are INTEGER columns: 32 bits on PostgreSQL. A larger number in a URL is simply not found.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Flask's `int`, capped at MAX_ID, so `/imports/99999999999999999999` is a 404, not a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
