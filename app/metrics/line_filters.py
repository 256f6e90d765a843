"""Which order lines are asked for: `LineFilters` and its vocabulary, and the query parameters
of `/api/v1/lines` and `/lines` read into it.

The JSON API and the page take the same parameters, so both read them here; a parameter that
cannot be read is a `LineFilterError` naming the parameter, with a message in Chinese saying
what to write instead. Each caller turns it into its own answer (a 422, an error on the page).
`filter_names` gives the registry names of the codes a set of filters names, for its chips.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from app.codes import LINE_STATUSES, PLATFORMS
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.periods import Period
from app.models import Brand, LiveRoom, Product, SalesImport, Shop, Township, Village

if TYPE_CHECKING:
    from app.auth.scope import AccessScope

MAX_LIMIT = 500
# The days a period without `from` / `to` runs from and to (the API accepts no others).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# The `by` keys a filter may name, in the contract's order (`session` is no `by` key).
BY_FILTERS = ("platform", "shop", "township", "village", "room", "brand", "product", "category")
# The filters that name a registry record by its code, and the record's model.
CODED: dict[str, Any] = {
    "shop": Shop,
    "township": Township,
    "village": Village,
    "room": LiveRoom,
    "brand": Brand,
    "product": Product,
}
CODE_NAMES = {
    "shop": "网店",
    "township": "乡镇",
    "village": "村",
    "room": "直播间",
    "brand": "品牌",
    "product": "商品",
}


class LineFilterError(MetricsError):
    """A filter that cannot be applied: `field` is its query parameter, the message what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LineFilters:
    """Which order lines: the query parameters of `/api/v1/lines` and `/lines`, typed."""

    start: dt.date | None = None
    end: dt.date | None = None
    scope: str = "county"
    agri: bool = False
    platform: str | None = None
    shop: str | None = None
    township: str | None = None
    village: str | None = None
    room: str | None = None
    session: int | None = None
    brand: str | None = None
    product: str | None = None
    category: str | None = None
    status: str | None = None
    unregistered: bool = False
    # As the 未登记商品 worklist groups lines: the exported platform product id, or the merchant
    # code of a line without one; and the exported product name.
    raw_key: str | None = None
    raw_name: str | None = None
    import_id: int | None = None
    changed_after: dt.datetime | None = None  # naive UTC
    basis: Literal["shop", "room"] = "shop"
    branded: bool = False

    def params(self) -> dict[str, Any]:
        """The filters as the contract names them (`from`, `import`, …), unset ones left out."""
        names = {"start": "from", "end": "to", "import_id": "import"}
        given: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value in (None, False) or (item.name, value) in (("scope", "county"),):
                continue
            if item.name == "basis" and value == "shop":
                continue
            given[names.get(item.name, item.name)] = value
        return given

    @property
    def period(self) -> Period:
        return Period(self.start or FIRST_DAY, self.end or LAST_DAY)

    @property
    def room_basis(self) -> bool:
        # A room filter asks what `by=room` counts: lines attributed to rooms, by their village.
        return self.basis == "room" or self.room is not None


# The largest id the database's id columns hold (app.converters.MAX_ID).
MAX_ID = 2**31 - 1
MAX_PERIOD_YEARS = 20
DEFAULT_LIMIT = 50
EARLIEST = dt.datetime(2000, 1, 1)
LATEST = dt.datetime(2101, 1, 1)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


__all__ = ["LineFilterError", "LineQuery", "LineScopeDenied", "filter_names", "parse_line_query"]


class LineScopeDenied(LineFilterError):
    """The `scope` asked for lies outside what the user may see."""


@dataclass(frozen=True)
class LineQuery:
    """What a request for lines asks: the filters (scope as asked), a page cursor and size."""

    filters: LineFilters
    scope: str | None  # None: the user's own view
    after: str | None = None
    limit: int = DEFAULT_LIMIT

    def for_access(self, access: AccessScope) -> LineFilters:
        """The filters with the scope filled in: as asked if `access` permits it, else its own."""
        if self.scope is None:
            return replace(self.filters, scope=access.default_param() or "county")
        if not access.permits(self.scope):
            raise LineScopeDenied("scope", f"您无权查看 {self.scope} 的数据")
        return replace(self.filters, scope=self.scope)


def parse_line_query(args: Mapping[str, str]) -> LineQuery:
    """`args` (query parameters as text; unknown ones ignored) read into a LineQuery."""
    start = _day(args, "from")
    end = _day(args, "to")
    _period(start, end)
    codes = {key: _code(args, key) for key in (*BY_FILTERS, "scope")}
    platform = codes["platform"]
    if platform is not None and platform not in PLATFORMS:
        raise LineFilterError("platform", f"platform 应为 {', '.join(PLATFORMS)} 之一")
    status = _code(args, "status")
    if status is not None and status not in LINE_STATUSES:
        raise LineFilterError("status", f"status 应为 {', '.join(LINE_STATUSES)} 之一")
    basis = args.get("basis") or "shop"
    if basis not in ("shop", "room"):
        raise LineFilterError("basis", "basis 应为 shop 或 room")
    filters = LineFilters(
        start=start,
        end=end,
        agri=_flag(args, "agri"),
        platform=platform,
        shop=codes["shop"],
        township=codes["township"],
        village=codes["village"],
        room=codes["room"],
        session=_id(args, "session"),
        brand=codes["brand"],
        product=codes["product"],
        category=codes["category"],
        status=status,
        unregistered=_flag(args, "unregistered"),
        raw_key=_code(args, "raw_key"),
        raw_name=_name(args, "raw_name"),
        import_id=_id(args, "import"),
        changed_after=_moment(args, "changed_after"),
        basis="room" if basis == "room" else "shop",
        branded=_flag(args, "branded"),
    )
    after = args.get("after")
    if after is not None and not 1 <= len(after) <= 200:
        raise LineFilterError("after", "after 无效：请使用上一页返回的 next 值")
    return LineQuery(filters, codes["scope"], after or None, _limit(args))


def filter_names(filters: LineFilters) -> dict[str, str]:
    """Registry names of the codes `filters` names (`township` → 许营镇), and the import's file.

    One query per kind of filter given; a code without a registry row has no name here.
    """
    names: dict[str, str] = {}
    for key, model in CODED.items():
        code = getattr(filters, key)
        if code is None:
            continue
        label = model.nickname if model is LiveRoom else model.name
        name = db.session.scalar(select(label).where(model.code == code))
        if name:
            names[key] = name
    if filters.import_id is not None:
        file_name = db.session.scalar(
            select(SalesImport.file_name).where(SalesImport.id == filters.import_id)
        )
        if file_name:
            names["import"] = file_name
    return names


def _text(args: Mapping[str, str], key: str) -> str | None:
    value = args.get(key)
    return None if value is None or value == "" else value


def _code(args: Mapping[str, str], key: str) -> str | None:
    value = _text(args, key)
    if value is None:
        return None
    longest = 80 if key == "scope" else 64
    if len(value) > longest:
        raise LineFilterError(key, f"{key} 应为 1 至 {longest} 个字符")
    if _CONTROL.search(value):
        raise LineFilterError(key, f"{key} 不能含控制字符")
    return value


def _name(args: Mapping[str, str], key: str) -> str | None:
    """A product name as exported (up to the 300 characters a line keeps)."""
    value = _text(args, key)
    if value is not None and (len(value) > 300 or _CONTROL.search(value)):
        raise LineFilterError(key, f"{key} 应为不含控制字符、最长 300 个字的商品名称")
    return value


def _day(args: Mapping[str, str], key: str) -> dt.date | None:
    value = _text(args, key)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise LineFilterError(key, f"{key}：日期格式应为 YYYY-MM-DD")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise LineFilterError(key, f"{key}：日期应在 2000-01-01 至 2100-12-31 之间")
    return day


def _period(start: dt.date | None, end: dt.date | None) -> None:
    if start is None or end is None:
        return
    if end < start:
        raise LineFilterError("to", "to 不能早于 from")
    try:
        limit = start.replace(year=start.year + MAX_PERIOD_YEARS)
    except ValueError:  # 29 February
        limit = dt.date(start.year + MAX_PERIOD_YEARS, 3, 1)
    if end >= limit:
        raise LineFilterError("to", f"时间段最长 {MAX_PERIOD_YEARS} 年，请缩短 from 至 to 的范围")


def _flag(args: Mapping[str, str], key: str) -> bool:
    value = (args.get(key) or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise LineFilterError(key, f"{key} 应为 1 或 0")


def _whole(args: Mapping[str, str], key: str) -> int | None:
    value = _text(args, key)
    if value is None:
        return None
    if not re.fullmatch(r"[+]?\d{1,12}", value.strip()):
        raise LineFilterError(key, f"{key} 应为整数")
    return int(value)


def _id(args: Mapping[str, str], key: str) -> int | None:
    number = _whole(args, key)
    if number is not None and not 1 <= number <= MAX_ID:
        raise LineFilterError(key, f"{key} 应为 1 至 {MAX_ID} 之间的编号")
    return number


def _limit(args: Mapping[str, str]) -> int:
    try:
        number = _whole(args, "limit")
    except LineFilterError:
        number = 0
    if number is None:
        return DEFAULT_LIMIT
    if not 1 <= number <= MAX_LIMIT:
        raise LineFilterError("limit", f"limit 应为 1 至 {MAX_LIMIT} 之间的整数")
    return number


def _moment(args: Mapping[str, str], key: str) -> dt.datetime | None:
    """An ISO 8601 time (UTC unless it carries an offset) as naive UTC."""
    value = _text(args, key)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise LineFilterError(key, f"{key} 应为 ISO 8601 时间，如 2024-04-01T00:00:00Z") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    if not EARLIEST <= moment < LATEST:
        raise LineFilterError(key, f"{key} 应在 2000 年至 2100 年之间")
    return moment
