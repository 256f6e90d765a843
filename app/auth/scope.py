"""What the current user may see, as a small value services apply as a filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g
from flask_login import current_user
from sqlalchemy import ColumnElement, false, or_, select, true

from app.extensions import db
from app.models import LiveRoom, Streamer, Township, User, Village, room_streamers

COUNTY_ROLES = frozenset({"admin", "officer", "viewer"})
# Who uploads platform exports (page and API alike): SPEC §1 gives brand managers and viewers none.
IMPORT_ROLES = ("admin", "officer", "township", "streamer")
READ_ONLY_ROLES = frozenset({"viewer"})


@dataclass(frozen=True)
class AccessScope:
    """What one user may see: the county, or township, brand and room codes.

    `county` means everything; otherwise only the listed codes. An anonymous user, or a scoped
    user whose codes are missing, sees nothing rather than everything.
    """

    role: str | None = None
    county: bool = False
    townships: frozenset[str] = field(default_factory=frozenset)
    brands: frozenset[str] = field(default_factory=frozenset)
    rooms: frozenset[str] = field(default_factory=frozenset)
    read_only: bool = True

    @property
    def empty(self) -> bool:
        return not (self.county or self.townships or self.brands or self.rooms)

    def allows(self, kind: str, code: str) -> bool:
        """Whether a township, brand or room code lies in the scope (by code only)."""
        if self.county:
            return True
        codes = {"township": self.townships, "brand": self.brands, "room": self.rooms}
        return code in codes.get(kind, frozenset())

    def where(
        self, *, township: Any = None, brand: Any = None, room: Any = None
    ) -> ColumnElement[bool]:
        """A WHERE clause keeping the rows in scope, given the code columns the query has.

        Pass every code column the query joins, e.g. `scope.where(township=Township.code,
        room=LiveRoom.code)`. A kind of scope with no matching column keeps nothing.
        """
        if self.county:
            return true()
        clauses = [
            column.in_(sorted(codes))
            for codes, column in (
                (self.townships, township),
                (self.brands, brand),
                (self.rooms, room),
            )
            if codes and column is not None
        ]
        return or_(*clauses) if clauses else false()

    def default_param(self) -> str | None:
        """The API `scope=` value for this user's natural view (`county`, `township:T01`, …)."""
        if self.county:
            return "county"
        for kind, codes in (("township", self.townships), ("brand", self.brands)):
            if len(codes) == 1:
                return f"{kind}:{next(iter(codes))}"
        if len(self.rooms) == 1 and not (self.townships or self.brands):
            return f"room:{next(iter(self.rooms))}"
        return None

    def permits(self, param: object) -> bool:
        """Whether a requested scope lies in this one.

        `param` is an API `scope=` value (`county`, `village:V0101`, …) or anything whose
        str() is one, such as `app.metrics.scope.parse_scope(...)`.
        """
        if self.county:
            return True
        kind, _, code = str(param).partition(":")
        if kind in ("township", "brand", "room") and self.allows(kind, code):
            return True
        if kind == "village" and self.townships:
            return _township_of_village(code) in self.townships
        if kind == "room" and self.townships:
            return _township_of_room(code) in self.townships
        return False


NOTHING = AccessScope()


def scope_for(user: User | None) -> AccessScope:
    """Build the scope of a user from their role, UserScope rows and Streamer link."""
    if user is None or not user.is_active:
        return NOTHING
    read_only = user.role in READ_ONLY_ROLES
    if user.role in COUNTY_ROLES:
        return AccessScope(role=user.role, county=True, read_only=read_only)
    if user.role == "township":
        townships = frozenset(user.scope_codes("township"))
        return AccessScope(role=user.role, townships=townships, read_only=False)
    if user.role == "brand":
        return AccessScope(
            role=user.role, brands=frozenset(user.scope_codes("brand")), read_only=False
        )
    if user.role == "streamer":
        rooms = frozenset(user.scope_codes("room") | _linked_rooms(user))
        return AccessScope(role=user.role, rooms=rooms, read_only=False)
    return AccessScope(role=user.role)


def current_scope() -> AccessScope:
    """The scope of the user making this request (session or bearer token); cached per request."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    key = user.id if user is not None else None
    cached = g.get("_cunbo_scope")
    if cached is not None and cached[0] == key:
        return cached[1]
    scope = scope_for(user)
    g._cunbo_scope = (key, scope)
    return scope


def _linked_rooms(user: User) -> set[str]:
    """Room codes of the Streamer records linked to this user account."""
    stmt = (
        select(LiveRoom.code)
        .join(room_streamers, room_streamers.c.room_id == LiveRoom.id)
        .join(Streamer, Streamer.id == room_streamers.c.streamer_id)
        .where(Streamer.user_id == user.id)
    )
    return set(db.session.scalars(stmt))


def _township_of_village(code: str) -> str | None:
    stmt = select(Township.code).join(Village.township).where(Village.code == code)
    return db.session.scalar(stmt)


def _township_of_room(code: str) -> str | None:
    stmt = (
        select(Township.code)
        .join(Village, Village.township_id == Township.id)
        .join(LiveRoom, LiveRoom.village_id == Village.id)
        .where(LiveRoom.code == code)
    )
    return db.session.scalar(stmt)
