"""网络零售额 by any grouping: gross, refund, net (gross − refund), orders, units; 未登记商品."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from app.metrics.facts import Query, Source, Totals, line_totals
from app.metrics.formatting import money, totals_json
from app.metrics.labels import labels
from app.metrics.periods import Period, days_in, months_in, parse_date
from app.metrics.scope import parse_scope, validate_by

TIME_GROUPS = ("day", "month")


def retail(
    start: str | dt.date,
    end: str | dt.date,
    by: str = "month",
    scope: str = "county",
    agri: bool = False,
    limit: int | None = None,
    source: Source = "rollup",
) -> dict[str, Any]:
    """The retail JSON of SPEC §6 for sale lines paid from `start` to `end` (Beijing days).

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
    rows = [
        {"key": names[key][0], "label": names[key][1], **totals_json(totals)}
        for key, totals in ordered
    ]
    if by in TIME_GROUPS:
        rows.sort(key=lambda row: row["key"])
        rows = rows[:limit] if limit is not None else rows
    else:
        rows.sort(key=lambda row: (-float(row["net"]), row["key"] is None, str(row["key"])))
    # Orders do not add across groups (one order, two products), so the total is counted apart.
    basis: Literal["shop", "room"] = "room" if by == "room" else "shop"
    total = line_totals(Query(period, None, where, agri, basis=basis), source)
    unregistered = line_totals(
        Query(period, None, where, basis=basis, unregistered=True),
        source,
        orders=False,
    ).get(None, Totals())
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "by": by,
        "scope": str(where),
        "agri": agri,
        "rows": rows,
        "total": totals_json(total.get(None, Totals())),
        "unregistered": {"net": money(unregistered.net), "lines": unregistered.lines},
    }
