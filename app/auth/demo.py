"""Demo accounts for `cunbo demo`: one login per everyday role, scoped to the demo registry."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.accounts import NewUser, create_user, find_user
from app.extensions import db
from app.models import Brand, LiveRoom, Township

DEMO_PASSWORD = "cunbo-demo"


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Create (or reset the password of) the demo logins; returns (login, password, role)."""
    township = db.session.scalars(select(Township.code).order_by(Township.code)).first()
    brand = db.session.scalars(select(Brand.code).order_by(Brand.code)).first()
    room = db.session.scalars(
        select(LiveRoom.code).where(LiveRoom.streamers.any()).order_by(LiveRoom.code)
    ).first()
    wanted = [NewUser("demo-admin", "admin", name="示范县中心管理员")]
    if township:
        wanted.append(NewUser("demo-township", "township", townships=[township]))
    if brand:
        wanted.append(NewUser("demo-brand", "brand", brands=[brand]))
    if room:
        wanted.append(NewUser("demo-streamer", "streamer", rooms=[room]))
    accounts = []
    for new in wanted:
        user = find_user(new.login)
        if user is None:
            create_user(NewUser(**{**vars(new), "password": DEMO_PASSWORD}))
        else:
            user.set_password(DEMO_PASSWORD)
            user.active = True
            db.session.commit()
        accounts.append((new.login, DEMO_PASSWORD, new.role))
    return accounts
