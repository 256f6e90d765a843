"""The lock every writer of order lines and rollups takes first (PostgreSQL; SQLite has one
writer anyway).

An import's merge locks only the shops its lines belong to: a shared hold of the database-wide
lock, then each shop's own lock, in shop order, so two imports of different shops merge at the
same time and two of the same shop one after the other, never deadlocked. Whatever rewrites
rollups across shops (a full rebuild, a re-match, a product added, the brand rollups recomputed
after a registry change) holds the database-wide lock alone, and waits for the merges under way.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import text

from app.extensions import db

# Any constants: the database-wide lock (one bigint key), and the space of the shops' locks.
_LOCK_KEY = 73_110_402
_SHOP_SPACE = 7_500
_EVERY_SHOP = "cunbo_refresh_lock_every_shop"  # session.info: the transaction that holds it


def lock_refreshes(shop_ids: Collection[int] | None = None) -> None:
    """Take the refresh lock until the transaction ends: of these shops, or of every shop."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    if shop_ids is None:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        db.session.info[_EVERY_SHOP] = db.session().get_transaction()
        return
    db.session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": _LOCK_KEY})
    for shop_id in sorted(set(shop_ids)):
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :shop)"),
            {"space": _SHOP_SPACE, "shop": shop_id},
        )


def holds_every_shop() -> bool:
    """Whether this transaction may rewrite rollup rows of every shop (SQLite: always).

    Never taken on top of a merge's shop locks: two merges waiting for each other to let go of
    the shared hold would deadlock.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    holder = db.session.info.get(_EVERY_SHOP)
    return holder is not None and holder is db.session().get_transaction()
