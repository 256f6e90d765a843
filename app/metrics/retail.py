"""网络零售额 by any grouping: gross, refund, net (gross − refund), orders, units; 未登记商品."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from app.metrics.facts import Query, Source, Totals, line_totals
from app.metrics.labels import labels
from app.metrics.periods import Period, days_in, months_in, parse_date
from app.metrics.scope import Scope, parse_scope, validate_by

TIME_GROUPS = ("day", "month")


@dataclass(frozen=True)
class RetailRow:
    """One group: its key as written (a code, a day, a month; None for the 未… group), its label
    and its sums (gross, refund, net in 元; orders and units as counts)."""

    key: str | None
    label: str
    totals: Totals

    @property
    def gross(self) -> Decimal:
        return self.totals.gross

    @property
    def refund(self) -> Decimal:
        return self.totals.refund

    @property
    def net(self) -> Decimal:
        return self.totals.net

    @property
    def orders(self) -> int:
        return self.totals.orders

    @property
    def units(self) -> int:
        return self.totals.units


@dataclass(frozen=True)
class Retail:
    """网络零售额 of a period grouped `by`, its total over all groups, and its 未登记商品 part."""

    period: Period
    by: str
    scope: Scope
    agri: bool
    rows: list[RetailRow]
    total: Totals
    unregistered: Totals

    def row(self, key: str | None) -> RetailRow | None:
        """The row of one group key, None when the group sold nothing."""
        return next((row for row in self.rows if row.key == key), None)


def retail(
    start: str | dt.date,
    end: str | dt.date,
    by: str = "month",
    scope: str = "county",
    agri: bool = False,
    limit: int | None = None,
    source: Source = "rollup",
) -> Retail:
    """网络零售额 (SPEC §6 retail, typed) of sale lines paid from `start` to `end` (Beijing days).

    Rows are in time order for `day`/`month` (every day or month of the range, zeros
    included), otherwise by net descending; `limit` keeps the first rows, the total covers all.
    `by=room` counts only lines attributed to a live room (村播带货额), by the room's village.
    """
    period = Period(parse_date(start), parse_date(end))
    by = validate_by(by)
    where = parse_scope(scope)
    query = Query(period, by, where, agri, top=limit if by == "product" else None)
    groups = line_totals(query, source)
    if by == "day":
        for day in days_in(period):
            groups.setdefault(day, Totals())
    elif by == "month":
        for month in months_in(period):
            groups.setdefault(month, Totals())
    ordered = list(groups.items())
    if by not in TIME_GROUPS:
        # Rank before labelling, so a top-N list looks up N labels, not every product's.
        ordered.sort(key=lambda item: (-item[1].net, item[0] is None, item[0] or 0))
        ordered = ordered[:limit] if limit is not None else ordered
    names = labels(by, [key for key, _ in ordered])
    rows = [RetailRow(names[key][0], names[key][1], totals) for key, totals in ordered]
    if by in TIME_GROUPS:
        rows.sort(key=lambda row: row.key or "")
        rows = rows[:limit] if limit is not None else rows
    else:
        rows.sort(key=lambda row: (-row.net, row.key is None, str(row.key)))
    # Orders do not add across groups (one order, two products), so the total is counted apart.
    basis: Literal["shop", "room"] = "room" if by == "room" else "shop"
    total = line_totals(Query(period, None, where, agri, basis=basis), source)
    unregistered = line_totals(
        Query(period, None, where, basis=basis, unregistered=True),
        source,
        orders=False,
    ).get(None, Totals())
    return Retail(period, by, where, agri, rows, total.get(None, Totals()), unregistered)
