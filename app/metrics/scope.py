"""What a figure covers: `scope` (county, township:<code>, …) and the `by` grouping."""

from __future__ import annotations

from dataclasses import dataclass

from app.codes import SCOPE_TYPES
from app.extensions import db
from app.metrics.errors import MetricsError
from app.models import Brand, LiveRoom, Streamer, Township, Village
from app.wording import N_, named, say

BY_VALUES = (
    "day",
    "month",
    "platform",
    "township",
    "village",
    "shop",
    "room",
    "brand",
    "product",
    "category",
)
# The scopes the public `scope` parameter takes; targets may also name a streamer.
SCOPE_KINDS = ("county", "township", "village", "brand", "room")
_MODELS: dict[str, type[Township] | type[Village] | type[Brand] | type[LiveRoom] | type[Streamer]]
_MODELS = {
    "township": Township,
    "village": Village,
    "brand": Brand,
    "room": LiveRoom,
    "streamer": Streamer,
}


@dataclass(frozen=True)
class Scope:
    """A scope kind and, except for the county, a registry code and its row id."""

    kind: str
    code: str | None = None
    id: int | None = None

    def __str__(self) -> str:
        return self.kind if self.kind == "county" else f"{self.kind}:{self.code}"


COUNTY = Scope("county")


def parse_scope(text: str | None, *, allow_streamer: bool = False) -> Scope:
    """`county` | `township:<code>` | `village:<code>` | `brand:<code>` | `room:<code>` → Scope.

    The code must exist in the registry; the scope carries its id.
    """
    value = (text or "county").strip()
    kinds = SCOPE_KINDS + (("streamer",) if allow_streamer else ())
    if value == "county":
        return COUNTY
    kind, _, code = value.partition(":")
    if kind not in kinds or kind == "county" or not code:
        written = ", ".join("county" if k == "county" else f"{k}:<编码>" for k in kinds)
        raise MetricsError(f"scope 应为 {written} 之一, 收到 {value!r}")
    model = _MODELS[kind]
    row_id = db.session.scalar(db.select(model.id).where(model.code == code))
    if row_id is None:
        what = named(SCOPE_TYPES[kind], kind)
        raise MetricsError(say(N_("未知{what}编码“{code}”"), what=what, code=code))
    return Scope(kind, code, row_id)


def validate_by(by: str | None) -> str:
    """`by` must be one of BY_VALUES."""
    value = (by or "month").strip()
    if value not in BY_VALUES:
        raise MetricsError(f"by 应为 {', '.join(BY_VALUES)} 之一, 收到 {value!r}")
    return value
