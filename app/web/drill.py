"""Links from any figure to the order lines behind it: one function builds them all."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

# The contract's order of the /lines query parameters; `import` is a Python keyword, so callers
# pass it as `import_` or through `**{"import": id}`.
LINE_FILTER_KEYS = (
    "from",
    "to",
    "scope",
    "agri",
    "platform",
    "shop",
    "township",
    "village",
    "room",
    "session",
    "brand",
    "product",
    "category",
    "status",
    "unregistered",
    "raw_key",
    "raw_name",
    "import",
    "changed_after",
    "basis",
    "branded",
)
_ALIASES = {"from_": "from", "import_": "import", "date_from": "from", "date_to": "to"}


def lines_url(**filters: Any) -> str:
    """`/lines?<filters>` in the contract's key order, None/False dropped, dates as YYYY-MM-DD."""
    given = {_ALIASES.get(key, key): value for key, value in filters.items()}
    unknown = set(given) - set(LINE_FILTER_KEYS)
    if unknown:
        raise TypeError(f"lines_url: unknown filters {sorted(unknown)}")
    pairs = [
        (key, _text(given[key]))
        for key in LINE_FILTER_KEYS
        if key in given and given[key] is not None and given[key] is not False
    ]
    return "/lines?" + urlencode(pairs) if pairs else "/lines"


def _text(value: Any) -> str:
    if value is True:
        return "1"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
