"""Demo accounts for `cunbo demo`: one login per everyday role, scoped to the demo registry."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.accounts import NewUser, create_user, find_user, reset_password, set_active
from app.extensions import db
from app.models import Brand, LiveRoom, Township

DEMO_PASSWORD = "cunbo-demo"


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Create (or reset the password of) the demo logins; returns (login, password, role).

    The shared demo password is a temporary one: whoever signs in must choose their own.
    """
    township = db.session.scalars(select(Township.code).order_by(Township.code)).first()
    brand = db.session.scalars(select(Brand.code).order_by(Brand.code)).first()
    room = db.session.scalars(
        select(LiveRoom.code).where(LiveRoom.streamers.any()).order_by(LiveRoom.code)
    ).first()
    password = DEMO_PASSWORD
    wanted = [NewUser("demo-admin", "admin", password, name="示范县中心管理员")]
    if township:
        wanted.append(NewUser("demo-township", "township", password, townships=[township]))
    if brand:
        wanted.append(NewUser("demo-brand", "brand", password, brands=[brand]))
    if room:
        wanted.append(NewUser("demo-streamer", "streamer", password, rooms=[room]))
    for new in wanted:
        new.must_change_password = True
        user = find_user(new.login)
        if user is None:
            create_user(new)
        else:
            reset_password(user, password)
            set_active(user, True)
    return [(new.login, password, new.role) for new in wanted]
