"""Orders counted once per rollup row: split orders, the product mixes of single-day orders.

An order paid on one day is one (shop, day, mix) count, where its mix is the sorted set of
(product, room) pairs it bought; an order paid over several days is kept apart as fragments
(`rollup_split_orders`), so no figure counts it twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    cast,
    distinct,
    exists,
    func,
    insert,
    literal,
    not_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.metrics.sql import month_start, order_key
from app.models import OrderLine, RollupMix, RollupMixMember, RollupOrderDay, RollupSplitOrder

# Scratch tables for one refresh, outside the models' metadata so create_all never makes them.
_SCRATCH = MetaData()
_SPLIT = Table(
    "rollup_scratch_split",
    _SCRATCH,
    Column("shop_id", Integer, primary_key=True),
    Column("order_id", String(64), primary_key=True),
    prefixes=["TEMPORARY"],
)
_SIGNATURES = Table(
    "rollup_scratch_signatures",
    _SCRATCH,
    Column("shop_id", Integer),
    Column("order_id", String(64)),
    Column("day", Date),
    Column("signature", Text),
    prefixes=["TEMPORARY"],
)


def insert_order_rollups(line_filter: list[ColumnElement[bool]]) -> None:
    """Split-order fragments, new mixes and order-day rows of the lines `line_filter` picks."""
    connection = db.session.connection()
    for table in (_SPLIT, _SIGNATURES):
        table.drop(connection, checkfirst=True)
        table.create(connection)
    try:
        _insert_split(line_filter)
        _insert_signatures(line_filter)
        _insert_mixes()
        _insert_order_days()
    finally:
        for table in (_SPLIT, _SIGNATURES):
            table.drop(connection, checkfirst=True)


def _insert_split(line_filter: list[ColumnElement[bool]]) -> None:
    """Orders with sale lines on more than one payment day, and their fragments."""
    line = OrderLine
    split = (
        select(line.shop_id, line.order_id)
        .where(*line_filter)
        .group_by(line.shop_id, line.order_id)
        .having(func.count(distinct(line.pay_day)) > 1)
    )
    db.session.execute(insert(_SPLIT).from_select(["shop_id", "order_id"], split))
    fragments = (
        select(
            order_key(line.shop_id, line.order_id),
            line.pay_day,
            month_start(line.pay_day),
            line.shop_id,
            line.product_id,
            line.room_id,
        )
        .where(*line_filter, _is_split(line))
        .distinct()
    )
    target = RollupSplitOrder
    names = ("order_key", "day", "month", "shop_id", "product_id", "room_id")
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], fragments))


def _is_split(line: Any) -> ColumnElement[bool]:
    return exists(
        select(_SPLIT.c.shop_id).where(
            _SPLIT.c.shop_id == line.shop_id, _SPLIT.c.order_id == line.order_id
        )
    )


def _insert_signatures(line_filter: list[ColumnElement[bool]]) -> None:
    """One row per (shop, order, day) of single-day orders: the sorted pairs it bought."""
    line = OrderLine
    member = (
        func.coalesce(cast(line.product_id, String), "")
        + ":"
        + func.coalesce(cast(line.room_id, String), "")
    )
    members = (
        select(line.shop_id, line.order_id, line.pay_day.label("day"), member.label("member"))
        .where(*line_filter, not_(_is_split(line)))
        .distinct()
        .subquery()
    )
    keys = (members.c.shop_id, members.c.order_id, members.c.day)
    stmt: Select[Any]
    if db.session.get_bind().dialect.name == "postgresql":
        ordered = aggregate_order_by(literal(","), members.c.member)
        stmt = select(*keys, func.string_agg(members.c.member, ordered)).group_by(*keys)
    else:
        # SQLite before 3.44 has no ORDER BY inside aggregates; a window's ORDER BY is honoured.
        window = func.group_concat(members.c.member, ",").over(
            partition_by=keys, order_by=members.c.member, rows=(None, None)
        )
        stmt = select(*keys, window).distinct()
    columns = ["shop_id", "order_id", "day", "signature"]
    db.session.execute(insert(_SIGNATURES).from_select(columns, stmt))


def _insert_mixes() -> None:
    """New signatures become mixes; their members are read off the signature text."""
    known = select(RollupMix.signature)
    new = select(distinct(_SIGNATURES.c.signature)).where(_SIGNATURES.c.signature.not_in(known))
    if db.session.get_bind().dialect.name == "postgresql":
        # Merges of other shops may add the same mix meanwhile: the first to commit adds it.
        # In signature order, so two merges never wait for each other's rows in a circle.
        ordered = new.order_by(_SIGNATURES.c.signature)
        add = postgresql.insert(RollupMix).from_select([RollupMix.signature], ordered)
        db.session.execute(add.on_conflict_do_nothing(index_elements=[RollupMix.signature]))
    else:
        db.session.execute(insert(RollupMix).from_select([RollupMix.signature], new))
    bare = db.session.execute(
        select(RollupMix.id, RollupMix.signature).where(
            RollupMix.id.not_in(select(RollupMixMember.mix_id))
        )
    ).all()
    # A loop over distinct mixes (a dictionary of product sets), never over lines.
    members = [
        {"mix_id": mix_id, "product_id": _int(product), "room_id": _int(room)}
        for mix_id, signature in bare
        for product, _, room in (pair.partition(":") for pair in signature.split(","))
    ]
    if members:
        db.session.execute(insert(RollupMixMember), members)


def _int(text: str) -> int | None:
    return int(text) if text else None


def _insert_order_days() -> None:
    sig = _SIGNATURES.c
    stmt = (
        select(sig.day, month_start(sig.day), sig.shop_id, RollupMix.id, func.count())
        .join(RollupMix, RollupMix.signature == sig.signature)
        .group_by(sig.day, sig.shop_id, RollupMix.id)
    )
    target = RollupOrderDay
    names = ("day", "month", "shop_id", "mix_id", "orders")
    db.session.execute(insert(target).from_select([getattr(target, n) for n in names], stmt))
