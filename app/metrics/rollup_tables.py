"""What both rollup writers (rollup_write, brand_rollups) do to their tables: empty the rows of
the periods being recomputed, and sum one level's rows into the next (days → months → years)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select

from app.extensions import db
from app.metrics.sql import period_start


def delete_periods(
    tables: Iterable[tuple[Any, Any, Sequence[dt.date]]], shops: Sequence[int] | None
) -> None:
    """Delete the rows of each (model, period column, periods), of these shops (all when None)."""
    for model, column, values in tables:
        stmt = delete(model).where(column.in_(values))
        if shops is not None:
            stmt = stmt.where(model.shop_id.in_(shops))
        db.session.execute(stmt)


def roll_up(
    source: Any,
    target: Any,
    level: str,
    keys: Sequence[str],
    sums: Sequence[str],
    months: Sequence[dt.date] | None,
    shops: Sequence[int] | None,
) -> None:
    """Sum `source` rows of these months (all when None) into `target` rows per `level`."""
    period = period_start(level, source.month) if level == "year" else source.month
    columns = [getattr(source, key) for key in keys]
    stmt = select(period, *columns, *(func.sum(getattr(source, n)) for n in sums)).group_by(
        period, *columns
    )
    if months is not None:
        stmt = stmt.where(source.month.in_(months))
    if shops is not None:
        stmt = stmt.where(source.shop_id.in_(shops))
    names = [level, *keys, *sums]
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], stmt))
