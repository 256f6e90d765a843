"""Keys and Chinese labels for the groups a figure is broken down by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from app.codes import PLATFORMS
from app.extensions import db
from app.metrics.periods import month_key
from app.models import Brand, LiveRoom, Product, Shop, Township, Village

# What a missing key means under each `by`.
NONE_LABELS = {
    "product": "未登记商品",
    "brand": "无品牌",
    "category": "未分类",
    "room": "无直播间",
    "platform": "未知平台",
}
_MODELS: dict[str, Any] = {
    "township": (Township, Township.name),
    "village": (Village, Village.name),
    "shop": (Shop, Shop.name),
    "room": (LiveRoom, LiveRoom.nickname),
    "brand": (Brand, Brand.name),
    "product": (Product, Product.name),
}


def labels(by: str, keys: Iterable[Any]) -> dict[Any, tuple[str | None, str]]:
    """{group key: (key as written in JSON, label)} for the keys `line_totals` returned."""
    wanted = set(keys)
    found: dict[Any, tuple[str | None, str]] = {}
    if by in _MODELS:
        model, name = _MODELS[by]
        ids = [key for key in wanted if key is not None]
        rows = db.session.execute(db.select(model.id, model.code, name).where(model.id.in_(ids)))
        found = {row_id: (code, label or code) for row_id, code, label in rows}
    for key in wanted:
        if key in found:
            continue
        if key is None:
            found[key] = (None, NONE_LABELS.get(by, "—"))
        elif by == "day":
            found[key] = (_day(key).isoformat(), _day(key).isoformat())
        elif by == "month":
            found[key] = (month_key(_day(key)), month_key(_day(key)))
        elif by == "platform":
            found[key] = (key, PLATFORMS.get(key, key))
        else:
            found[key] = (str(key), str(key))
    return found


def _day(value: Any) -> dt.date:
    # Raw month keys come back as dates; guard the odd driver returning text.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
