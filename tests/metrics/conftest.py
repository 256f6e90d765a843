"""A tiny hand-made county and a helper that stores order lines for it."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from app.beijing import day_of
from app.extensions import db
from app.models import (
    Brand,
    LiveRoom,
    LiveSession,
    OrderLine,
    Product,
    SalesImport,
    Shop,
    Streamer,
    Township,
    Village,
)


@dataclass
class County:
    """Ids of the test county's registry rows, by code."""

    ids: dict[str, int] = field(default_factory=dict)
    import_id: int = 0
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def __getitem__(self, code: str) -> int:
        return self.ids[code]

    def line(
        self,
        shop: str,
        order: str,
        paid: str,
        *,
        product: str | None = "P001",
        quantity: int = 1,
        refund: str = "0",
        paid_at: dt.datetime | None = None,
        day: dt.date | None = None,
        status: str = "completed",
        room: str | None = None,
        session: int | None = None,
        line_id: str | None = None,
    ) -> dict[str, Any]:
        """One order line; `day` means paid at noon Beijing time (04:00 UTC) that day."""
        if paid_at is None and day is not None:
            paid_at = dt.datetime.combine(day, dt.time(4, 0))
        number = next(self.counter)
        return {
            "platform": "douyin",
            "shop_id": self[shop],
            "order_id": order,
            "line_id": line_id or f"{order}-{number}",
            "product_id": self[product] if product else None,
            "raw_product_id": product or "X",
            "product_name": product or "无名商品",
            "quantity": quantity,
            "paid_amount": Decimal(paid),
            "refund_amount": Decimal(refund),
            "status": status,
            "paid_at": paid_at,
            "pay_day": day_of(paid_at) if paid_at else None,
            "room_id": self[room] if room else None,
            "session_id": session,
            "import_id": self.import_id,
            "row_hash": number,
        }

    def add(self, *lines: dict[str, Any]) -> None:
        db.session.execute(db.insert(OrderLine), list(lines))
        db.session.commit()

    def session(self, room: str, start: dt.datetime, hours: float, **figures: Any) -> int:
        """Store a live session of `room` (streamer Z01 for R01, else Z02) starting at naive-UTC
        `start`; returns its id."""
        return _session(self, room, start, hours, **figures)


@pytest.fixture
def county(app_ctx: Flask) -> County:
    """Townships T01 (villages V1, V2) and T02 (V3); shops S01 (抖音, V1), S02 (天猫, V3),
    S03 (快手, V2); rooms R01 (V1, shop S01) and R02 (V3); brands B01, B02; products
    P001 (B01 from 2024-01-15, 休闲食品, 2 斤 per item), P002 (B01 from 2023-01-01, 生鲜产品,
    10 斤), P003 (no brand, 手工艺品), P004 (B02, no join date, 茶), P005 (no brand but a join
    date), P006 (B02 from 2024-02-01)."""
    c = County()
    add = db.session.add
    t1 = Township(code="T01", name="许营镇", county="高新区")
    t2 = Township(code="T02", name="顾官屯镇", county="高新区")
    v1 = Village(code="V1", name="汪庄村", township=t1)
    v2 = Village(code="V2", name="贾庄村", township=t1)
    v3 = Village(code="V3", name="西程铺村", township=t2)
    s1 = Shop(code="S01", platform="douyin", name="许营好品旗舰店", village=v1)
    s2 = Shop(code="S02", platform="taobao", name="鲁西特产天猫店", village=v3)
    s3 = Shop(code="S03", platform="kuaishou", name="贾庄快手小店", village=v2)
    r1 = LiveRoom(
        code="R01", platform="douyin", account_id="1", nickname="小姚", village=v1, shop=s1
    )
    r2 = LiveRoom(code="R02", platform="douyin", account_id="2", nickname="阿鹅", village=v3)
    z1 = Streamer(code="Z01", name="姚思华", rooms=[r1])
    z2 = Streamer(code="Z02", name="程小鹅", rooms=[r2])
    b1 = Brand(code="B01", name="许营好品", kind="区域公用品牌")
    b2 = Brand(code="B02", name="顾乡有礼", kind="区域公用品牌")
    products = [
        Product(
            code="P001",
            name="许营焖子",
            brand=b1,
            brand_joined_on=dt.date(2024, 1, 15),
            category="休闲食品",
            pricing_unit="斤",
            units_per_item=Decimal(2),
        ),
        Product(
            code="P002",
            name="许营西瓜",
            brand=b1,
            brand_joined_on=dt.date(2023, 1, 1),
            category="生鲜产品",
            pricing_unit="斤",
            units_per_item=Decimal(10),
        ),
        Product(code="P003", name="手工布老虎", category="手工艺品"),
        Product(
            code="P004",
            name="富硒绿茶",
            brand=b2,
            category="茶",
            pricing_unit="斤",
            units_per_item=Decimal("0.5"),
        ),
        # A join date without a brand (a registry slip) must not make it branded.
        Product(
            code="P005", name="小米", brand_joined_on=dt.date(2024, 1, 20), category="粮油调味"
        ),
        Product(code="P006", name="黑鸡蛋", brand=b2, brand_joined_on=dt.date(2024, 2, 1)),
    ]
    for row in (t1, t2, v1, v2, v3, s1, s2, s3, r1, r2, z1, z2, b1, b2, *products):
        add(row)
    upload = SalesImport(file_name="t.csv", sha256="0" * 64, size=1, stored_path="t.csv")
    add(upload)
    db.session.commit()
    for row in (t1, t2, v1, v2, v3, s1, s2, s3, r1, r2, z1, z2, b1, b2, *products):
        c.ids[row.code] = row.id
    c.import_id = upload.id
    return c


def _session(county: County, room: str, start: dt.datetime, hours: float, **figures: Any) -> int:
    row = LiveSession(
        room_id=county[room],
        streamer_id=county["Z01" if room == "R01" else "Z02"],
        started_at=start,
        ended_at=start + dt.timedelta(hours=hours),
        sales=Decimal(figures.pop("sales", "0")),
        **figures,
    )
    db.session.add(row)
    db.session.commit()
    return row.id
