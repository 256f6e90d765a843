"""current_scope(): what each role may see, as codes and as a SQL filter."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from app.auth import AccessScope, scope_for
from app.extensions import db
from app.models import LiveRoom, Township, User, Village


def scope_of(login: str) -> AccessScope:
    return scope_for(db.session.scalars(db.select(User).where(User.login == login)).one())


def visible_rooms(scope: AccessScope) -> list[str]:
    stmt = (
        db.select(LiveRoom.code)
        .join(LiveRoom.village)
        .join(Village.township)
        .where(scope.where(township=Township.code, room=LiveRoom.code))
        .order_by(LiveRoom.code)
    )
    return list(db.session.scalars(stmt))


def test_scope_per_role(app: Flask, registry: None, make_user: Callable[..., str]) -> None:
    make_user("off", "officer")
    make_user("view", "viewer")
    make_user("town", "township", townships=["T02"])
    make_user("br", "brand", brands=["B01"])
    make_user("st", "streamer", rooms=["R02"], streamer="S01")
    with app.app_context():
        officer, viewer = scope_of("off"), scope_of("view")
        assert officer.county and not officer.read_only
        assert viewer.county and viewer.read_only
        assert visible_rooms(viewer) == ["R01", "R02"]

        town = scope_of("town")
        assert town.townships == {"T02"} and not town.county
        assert visible_rooms(town) == ["R02"]
        assert town.permits("township:T02") and town.permits("village:V0201")
        assert town.permits("room:R02") and not town.permits("room:R01")
        assert not town.permits("county") and not town.permits("village:V0101")
        assert town.default_param() == "township:T02"

        brand = scope_of("br")
        assert brand.brands == {"B01"} and brand.allows("brand", "B01")
        assert visible_rooms(brand) == []  # no brand column in this query: nothing
        assert not brand.permits("county")

        streamer = scope_of("st")
        assert streamer.rooms == {"R01", "R02"}  # UserScope rooms plus the linked streamer's
        assert visible_rooms(streamer) == ["R01", "R02"]
        assert streamer.default_param() is None


def test_anonymous_and_disabled_users_see_nothing(
    app: Flask, registry: None, make_user: Callable[..., str]
) -> None:
    make_user("off", "officer")
    with app.app_context():
        user = db.session.scalars(db.select(User)).one()
        user.active = False
        assert scope_for(user).empty
        assert scope_for(None).empty
        assert visible_rooms(scope_for(None)) == []


def test_user_can_change_own_password(
    app: Flask, as_user: Callable[..., FlaskClient], password: str
) -> None:
    client = as_user("viewer")
    bad = {"password": "nope", "new_password": "abc", "confirm": "abd"}
    text = client.post("/account/password", data=bad).get_data(as_text=True)
    assert "当前密码不正确" in text and "不一致" in text and "至少需要 8 个字符" in text
    good = {"password": password, "new_password": "brand-new-pw", "confirm": "brand-new-pw"}
    assert client.post("/account/password", data=good).status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(User)).one().check_password("brand-new-pw")
