"""Rollups: refreshing the days an import touched gives what a full rebuild gives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from app.extensions import db
from app.metrics.brand_rollups import (
    brand_digest,
    brand_digest_in_python,
    brand_rollups_current,
)
from app.metrics.rollup_write import rebuild_all, refresh_days
from app.models import ROLLUP_MODELS, OrderLine, Product, RollupMix, RollupMixMember
from tests.figures_json import retail

if TYPE_CHECKING:
    from flask.testing import FlaskCliRunner

    from .conftest import County

D = dt.date


def snapshot() -> dict[str, list[tuple]]:
    """Every rollup row as plain values; mixes by their members, since ids may differ."""
    members: dict[int, tuple] = {}
    for mix_id, product, room in db.session.execute(
        select(RollupMixMember.mix_id, RollupMixMember.product_id, RollupMixMember.room_id)
    ):
        members[mix_id] = tuple(sorted(members.get(mix_id, ()) + ((product or 0, room or 0),)))
    tables: dict[str, list[tuple]] = {}
    for model in ROLLUP_MODELS:
        if model in (RollupMix, RollupMixMember):
            continue
        names = [c.name for c in model.__table__.columns if c.name != "id"]
        rows = []
        for row in db.session.scalars(select(model)):
            values = {name: getattr(row, name) for name in names}
            if "mix_id" in values:
                values["mix_id"] = members[values["mix_id"]]
            rows.append(tuple(str(values[name]) for name in names))
        tables[model.__tablename__] = sorted(rows)
    return tables


def test_refresh_equals_rebuild(county: County) -> None:
    c = county
    c.add(
        c.line("S01", "a", "100", quantity=2, day=D(2024, 3, 5), room="R01"),
        c.line("S01", "a", "30", product="P003", day=D(2024, 3, 5)),
        c.line("S02", "b", "90", product="P002", day=D(2024, 3, 6)),
        c.line("S01", "c", "10", day=D(2024, 4, 1)),
    )
    rebuild_all()
    db.session.commit()
    # A later import: a new order, a late refund on 3-5, and order "c" gains a line on 4-2.
    c.add(
        c.line("S03", "d", "40", product=None, day=D(2024, 3, 6)),
        c.line("S01", "c", "15", product="P003", day=D(2024, 4, 2)),
    )
    db.session.execute(
        update(OrderLine)
        .where(OrderLine.order_id == "a", OrderLine.product_id == c["P003"])
        .values(refund_amount=Decimal("30"), status="refunded")
    )
    db.session.commit()
    refreshed = refresh_days({D(2024, 3, 5), D(2024, 3, 6), D(2024, 4, 2)}, None)
    db.session.commit()
    assert D(2024, 4, 1) in refreshed  # order c's other day
    incremental = snapshot()
    rebuild_all()
    db.session.commit()
    assert incremental == snapshot()
    assert incremental["rollup_split_orders"] and incremental["rollup_order_days"]
    assert incremental["rollup_product_years"] and incremental["rollup_shop_months"]
    april = retail("2024-04-01", "2024-04-30", by="day")
    assert april["total"]["orders"] == 1 and april["total"]["net"] == "25.00"


def test_a_run_of_days_still_finds_an_orders_day_outside_it(county: County) -> None:
    """The shortcut for a run of days with no line outside it never skips an order's other day."""
    c = county
    c.add(
        c.line("S01", "c", "10", day=D(2024, 4, 1)),
        c.line("S01", "c", "15", product="P003", day=D(2024, 4, 3)),
        c.line("S01", "e", "20", day=D(2024, 4, 2)),
    )
    rebuild_all()
    db.session.commit()

    assert refresh_days({D(2024, 4, 2), D(2024, 4, 3)}, {c["S01"]}) == {
        D(2024, 4, 1),
        D(2024, 4, 2),
        D(2024, 4, 3),
    }
    db.session.commit()
    incremental = snapshot()
    rebuild_all()
    db.session.commit()
    assert incremental == snapshot()
    every_day = {D(2024, 4, 1), D(2024, 4, 2), D(2024, 4, 3)}
    assert refresh_days(every_day, {c["S01"]}) == every_day


def test_refresh_of_some_shops_leaves_others(county: County) -> None:
    c = county
    c.add(
        c.line("S01", "a", "100", day=D(2024, 3, 5)),
        c.line("S02", "b", "90", product="P002", day=D(2024, 3, 5)),
    )
    rebuild_all()
    db.session.commit()
    c.add(c.line("S02", "e", "5", product="P002", day=D(2024, 3, 5)))
    refresh_days({D(2024, 3, 5)}, {c["S02"]})
    db.session.commit()
    incremental = snapshot()
    rebuild_all()
    db.session.commit()
    assert incremental == snapshot()
    assert retail("2024-03-01", "2024-03-31")["total"]["net"] == "195.00"


def test_cli_rebuild_gives_the_same_figures(county: County, runner: FlaskCliRunner) -> None:
    c = county
    c.add(
        c.line("S01", "a", "100", day=D(2024, 3, 5)),
        c.line("S01", "b", "20", refund="5", day=D(2024, 5, 5)),
    )
    before = retail("2024-01-01", "2024-12-31", source="raw")
    result = runner.invoke(args=["metrics", "rebuild"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert retail("2024-01-01", "2024-12-31") == before
    assert before["total"]["net"] == "115.00"


def test_brand_rollups_follow_registry_edits(county: County) -> None:
    c = county  # P001 joins B01 on 2024-01-15
    c.add(
        c.line("S01", "a", "10", day=D(2024, 1, 10)),
        c.line("S01", "b", "20", day=D(2024, 2, 10)),
        c.line("S02", "c", "40", product="P002", day=D(2024, 2, 11)),
    )
    rebuild_all()
    db.session.commit()
    assert brand_rollups_current()
    year = ("2024-01-01", "2024-12-31")

    def b01() -> str:
        rows = {row["key"]: row for row in retail(*year, by="brand")["rows"]}
        assert rows == {r["key"]: r for r in retail(*year, by="brand", source="raw")["rows"]}
        return rows["B01"]["net"]

    assert b01() == "60.00"
    # The registry moves P001's join date: the stamped rollups no longer apply...
    product = db.session.get(Product, c["P001"])
    product.brand_joined_on = D(2024, 1, 1)
    db.session.commit()
    assert not brand_rollups_current()
    assert b01() == "70.00"
    # ...until the next refresh recomputes them.
    refresh_days({D(2024, 2, 10)})
    db.session.commit()
    assert brand_rollups_current() and b01() == "70.00"


def test_brand_digest_in_sql_equals_python(county: County) -> None:
    # PostgreSQL computes the digest in SQL; it must stay the one Python computes, or stamps
    # written by one would never match the other. The county has products with and without
    # a brand and a join date.
    assert brand_digest() == brand_digest_in_python()
    product = db.session.get(Product, county["P001"])
    product.brand_joined_on = D(999, 3, 4)
    product = db.session.get(Product, county["P002"])
    product.brand_id, product.brand_joined_on = None, None
    db.session.commit()
    assert brand_digest() == brand_digest_in_python()


def test_ranges_read_as_years_months_and_days(app_ctx: Any) -> None:
    from app.metrics.periods import Period
    from app.metrics.query import Query
    from app.metrics.rollup_read import segments

    def parts(start: dt.date, end: dt.date, by: str | None = None) -> list[tuple[str, str, str]]:
        found = segments(Query(Period(start, end), by))
        return [(level, str(p.start), str(p.end)) for level, p in found]

    assert parts(D(2023, 12, 15), D(2025, 2, 10)) == [
        ("day", "2023-12-15", "2023-12-31"),
        ("day", "2025-02-01", "2025-02-10"),
        ("year", "2024-01-01", "2024-12-31"),
        ("month", "2025-01-01", "2025-01-31"),
    ]
    assert parts(D(2024, 1, 1), D(2024, 12, 31), by="month") == [
        ("month", "2024-01-01", "2024-12-31")
    ]
    assert parts(D(2024, 2, 1), D(2024, 2, 29), by="day") == [("day", "2024-02-01", "2024-02-29")]
