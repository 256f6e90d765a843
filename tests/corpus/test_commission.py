"""The 精选联盟 commission file adds who sold a line; it never changes what the order export said.

Upload order does not matter: order export then 联盟, or 联盟 then order export, give the same
lines and the same figures.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.ingest.service import create_import, run_import
from app.models import LiveRoom, OrderLine, Shop, Township, Village
from tests.figures_json import retail
from tests.ingest.douyin_rows import HEADER, row
from tests.ingest.files import write_csv, write_xlsx
from tests.support import empty_all_tables

ALLIANCE_HEADER = (
    "订单id,商品id,商品名称,作者账号,抖音/火山号,支付金额,佣金率,预估佣金支出,结算金额,实际佣金支出,"
    "订单状态,付款时间,收货时间,订单结算时间,店铺id,店铺名称,商品数量,流量来源"
).split(",")
STREAMER = ("62187499831", "焖子达人小姚")
O1, L1, L2, L3, L4 = (f"69170000000000000{n:02d}" for n in range(5))
KEPT = (
    "order_id",
    "line_id",
    "raw_product_id",
    "merchant_code",
    "product_name",
    "quantity",
    "paid_amount",
    "refund_amount",
    "status",
    "raw_status",
    "paid_at",
    "pay_day",
    "streamer_ref",
    "streamer_nickname",
    "live",
    "room_id",
    "province",
    "source",
)


def _alliance_row(line: str, paid: str, status: str, streamer: tuple[str, str]) -> list[str]:
    return [
        line + "\t",
        "3661318609139099603\t",
        "许营焖子",
        streamer[1],
        streamer[0],
        paid,
        "30.00%",
        "12.00",
        paid,
        "12.00",
        status,
        "2024-07-04 00:57:18",
        "",
        "",
        "S01-DOUYIN\t",
        "旗舰店",
        "1",
        "直播",
    ]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    orders = write_csv(
        tmp_path / "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv",
        HEADER,
        [
            row(L1, order=O1, status="已发货"),  # sold in the room, not named here
            row(L2, order=O1, paid="20.00", status="已发货"),
            row(L3, status="已完成", streamer=STREAMER, genre="直播"),
        ],
    )
    alliance = write_xlsx(
        tmp_path / "1735720300_联盟订单.xlsx",
        ALLIANCE_HEADER,
        [
            # The 联盟 says the line was paid 40.00 and only 订单付款: it must not win.
            _alliance_row(L1, "40.00", "订单付款", STREAMER),
            _alliance_row(L3, "41.04", "订单结算", STREAMER),
            _alliance_row(L4, "33.30", "订单付款", STREAMER),  # no order export has it yet
        ],
    )
    return orders, alliance


def _county() -> None:
    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    shop = Shop(code="S01", platform="douyin", name="旗舰店", village=village)
    room = LiveRoom(
        code="R01",
        platform="douyin",
        account_id=STREAMER[0],
        nickname=STREAMER[1],
        village=village,
        shop=shop,
    )
    db.session.add_all([township, village, shop, room])
    db.session.commit()


def _import_in_order(paths: list[Path]) -> tuple[dict[str, tuple], dict[str, object]]:
    empty_all_tables()
    _county()
    for path in paths:
        record = run_import(create_import(path, shop_code="S01").id)
        assert record.status == "succeeded", record.message
    lines = {
        line.line_id: tuple(getattr(line, name) for name in KEPT)
        for line in db.session.scalars(select(OrderLine))
    }
    figures = {
        by: retail("2024-07-01", "2024-07-31", by)["total"] for by in ("month", "room", "shop")
    }
    return lines, figures


def test_upload_order_does_not_matter(app_ctx, files) -> None:
    orders, alliance = files

    order_first = _import_in_order([orders, alliance])
    alliance_first = _import_in_order([alliance, orders])

    assert sorted(order_first[0]) == [L1, L2, L3, L4]
    assert order_first == alliance_first


def test_the_commission_file_adds_who_sold_and_changes_nothing_else(app_ctx, files) -> None:
    orders, alliance = files
    lines, figures = _import_in_order([orders, alliance])
    line = {key: dict(zip(KEPT, values, strict=True)) for key, values in lines.items()}

    assert line[L1]["paid_amount"] == Decimal("41.04")  # the order export's amount
    assert (line[L1]["status"], line[L1]["raw_status"]) == ("shipped", "已发货")
    assert line[L1]["merchant_code"] == "P001-DO" and line[L1]["province"] == "山东省"
    assert line[L1]["order_id"] == O1  # not re-keyed by the 联盟's sub-order id
    assert (line[L1]["streamer_ref"], line[L1]["room_id"]) == (STREAMER[0], 1)
    assert line[L1]["source"] == "order"
    assert line[L4]["source"] == "commission"  # stands in until the order export brings it
    assert line[L4]["paid_amount"] == Decimal("33.30")
    # 村播带货额: L1 (now attributed), L3 and L4; orders: O1, L3's and L4's.
    assert figures["room"]["net"] == "115.38"
    assert figures["month"]["orders"] == 3


def test_importing_the_commission_file_again_changes_nothing(app_ctx, files) -> None:
    orders, alliance = files
    _import_in_order([orders, alliance])

    again = run_import(create_import(alliance, shop_code="S01").id)

    assert (again.inserted, again.updated) == (0, 0)
    assert again.unchanged == 3
