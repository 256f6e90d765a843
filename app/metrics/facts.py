"""Sums and distinct orders of sale lines per group, from the rollups or the raw lines.

Every figure in `app.metrics` comes through `line_totals`; both sources apply the same
filters and group keys (app.metrics.query), so they agree to the cent and the order.
"""

from __future__ import annotations

from typing import Any

from app.metrics.query import ZERO, Query, Source, Totals
from app.metrics.raw import raw_totals
from app.metrics.rollup_read import rollup_totals

__all__ = ["ZERO", "Query", "Source", "Totals", "line_totals"]


def line_totals(
    query: Query, source: Source = "rollup", *, orders: bool = True
) -> dict[Any, Totals]:
    """Totals per group key (`None` when `by` is None), from the rollups or the raw lines.

    Streamer scopes are read from the lines: the rollups do not keep sessions.
    `orders=False` skips the distinct-order count where it is not wanted.
    """
    if source == "raw" or query.scope.kind == "streamer":
        return raw_totals(query, orders)
    return rollup_totals(query, orders)
