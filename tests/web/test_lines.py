"""The /lines page: chips, totals, rows, next page, export links, and one line's history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask

from app.extensions import db
from app.models import OrderLine, SalesImport, Shop
from app.web.drill import lines_url


@pytest.fixture
def stored(app: Flask, registry: None) -> None:
    with app.app_context():
        record = SalesImport(
            file_name="三月.csv", sha256="0" * 64, size=1, stored_path="/x", status="succeeded"
        )
        db.session.add(record)
        db.session.flush()
        shop = db.session.scalars(db.select(Shop).where(Shop.code == "P01")).one()
        for number in range(3):
            paid_at = dt.datetime(2024, 3, 1 + number, 2, 0)
            db.session.add(
                OrderLine(
                    platform="douyin",
                    shop_id=shop.id,
                    order_id=f"O{number}",
                    line_id=f"L{number}",
                    product_name="散装鸡蛋",
                    quantity=1,
                    paid_amount=Decimal("10.00"),
                    refund_amount=Decimal("0.00"),
                    status="paid",
                    paid_at=paid_at,
                    pay_day=paid_at.date(),
                    import_id=record.id,
                    first_import_id=record.id,
                    row_hash=number,
                )
            )
        db.session.commit()


def test_the_page_shows_chips_totals_rows_and_exports(stored, as_user):
    client = as_user("officer")
    url = lines_url(township="T01", unregistered=True, **{"from": dt.date(2024, 3, 1)})
    page = client.get(url + "&limit=2").get_data(as_text=True)

    assert "乡镇：" in page and "未登记商品：" in page
    assert 'data-total="net">30.00<' in page and 'data-total="orders">3<' in page
    assert page.count("散装鸡蛋") == 2
    assert "加载更多" in page
    assert "format=csv" in page and "format=xlsx" in page and "township=T01" in page

    remove = lines_url(**{"from": "2024-03-01", "unregistered": True})
    assert f'href="{remove}"' in page.replace("&amp;", "&")


def test_a_line_outside_the_scope_is_not_found(stored, as_user, app):
    with app.app_context():
        line_id = db.session.scalar(db.select(OrderLine.id).where(OrderLine.line_id == "L0"))
    client = as_user("township", townships=["T02"])
    assert client.get(f"/lines/{line_id}").status_code == 404
    assert 'data-total="orders">0<' in client.get("/lines").get_data(as_text=True)


def test_a_line_shows_the_import_that_inserted_it(stored, as_user, app):
    with app.app_context():
        line_id = db.session.scalar(db.select(OrderLine.id).where(OrderLine.line_id == "L0"))
    client = as_user("officer")
    detail = client.get(f"/lines/{line_id}")
    assert detail.status_code == 200
    text = detail.get_data(as_text=True)
    assert "三月.csv" in text and "首次导入" in text
    assert client.get("/lines/999999").status_code == 404


def test_each_finished_import_links_to_its_lines(stored, as_user, app):
    with app.app_context():
        import_id = db.session.scalar(db.select(SalesImport.id))
    page = as_user("officer").get("/imports").get_data(as_text=True)
    assert f'href="/lines?import={import_id}"' in page and "查看明细" in page


def _chips(page: str) -> list[str]:
    """The chips' texts (label and value) in page order."""
    import re

    return [
        re.sub(r"\s+", " ", chip).strip()
        for chip in re.findall(r'<span class="chip"[^>]*>(.*?) <a ', page, re.S)
    ]


def test_chips_name_what_the_codes_stand_for(stored, as_user, app):
    with app.app_context():
        import_id = db.session.scalar(db.select(SalesImport.id))
    client = as_user("officer")
    url = lines_url(
        platform="douyin",
        shop="P01",
        township="T01",
        village="V0101",
        room="R01",
        brand="B01",
        product="G01",
        status="refunded",
        **{"import": import_id},
    )
    chips = _chips(client.get(url).get_data(as_text=True))

    assert chips == [
        "平台：抖音",
        "网店：东村好物（P01）",
        "乡镇：许营镇（T01）",
        "村：东村（V0101）",
        "直播间：东村直播（R01）",
        "品牌：许营好品（B01）",
        "商品：黑鸡（G01）",
        "状态：已退款",
        f"导入：#{import_id} 三月.csv",
    ]


def test_chips_in_english_when_the_page_is(stored, as_user):
    client = as_user("officer")
    page = client.get("/lines?township=T01&status=refunded&platform=douyin&lang=en")
    chips = _chips(page.get_data(as_text=True))
    assert chips == ["Platform：Douyin", "Township：许营镇（T01）", "Status：Refunded"]


def test_a_parameter_that_cannot_be_read_is_said_on_the_page(stored, as_user):
    client = as_user("officer")
    response = client.get("/lines?from=2024-13-01")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "from" in text and "YYYY-MM-DD" in text and 'href="/lines"' in text
    assert client.get("/lines?shop=NOPE").status_code == 422


def test_a_scope_outside_the_users_is_refused(stored, as_user):
    client = as_user("township", townships=["T02"])
    assert client.get("/lines?scope=township:T01").status_code == 403
    assert client.get("/lines?scope=township:T02").status_code == 200


def test_the_menu_opens_the_lines_for_who_may_see_them(stored, as_user):
    page = as_user("viewer").get("/lines").get_data(as_text=True)
    assert '<li><a href="/lines" aria-current="page">订单明细</a></li>' in page
