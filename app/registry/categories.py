"""Product categories: the agricultural defaults of SPEC §4, plus any category products use."""

from __future__ import annotations

from collections.abc import Iterable

from app.extensions import db
from app.models import AGRICULTURAL_CATEGORIES, Category


def ensure_categories(names: Iterable[str] = ()) -> int:
    """Seed the defaults into an empty table and add unknown `names` as non-agricultural.

    Returns how many categories were added. A later admin decides whether a new one counts
    in 农产品网络零售额; until then it does not.
    """
    known = set(db.session.scalars(db.select(Category.name)))
    added = 0
    if not known:
        for name in AGRICULTURAL_CATEGORIES:
            db.session.add(Category(name=name, agricultural=True))
            known.add(name)
            added += 1
    for name in sorted(set(names) - known):
        db.session.add(Category(name=name, agricultural=False))
        added += 1
    if added:
        db.session.flush()
    return added
