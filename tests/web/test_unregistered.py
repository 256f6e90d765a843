"""The 未登记商品 page: the worklist, registering a row in one step, the workbook, the link.

One signed-in user per test: the county fixture holds an app context open, where flask-login
keeps the first user it loads.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import openpyxl
from flask.testing import FlaskClient

from tests.ingest.test_rematch import County, county, raw, stored  # noqa: F401 - fixtures

PAGE = "/unregistered?from=2024-01-01&to=2024-12-31"
RETAIL = "/api/v1/metrics/retail?from=2024-01-01&to=2024-12-31"


def signed_in(client: FlaskClient, make_user: Callable[..., str], sign_in: Any, role: str) -> None:
    assert sign_in(client, make_user(f"{role}-clerk", role)).status_code == 302


def text(response: Any) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def test_an_officer_reads_the_worklist_but_cannot_register(
    stored: County,  # noqa: F811
    client: FlaskClient,
    make_user: Callable[..., str],
    sign_in: Any,
) -> None:
    signed_in(client, make_user, sign_in, "officer")
    page = client.get(PAGE)
    assert page.status_code == 200
    body = text(page)
    assert body.index("农家土鸡蛋 30枚") < body.index("手工挂面")  # net first
    assert "共 2 种商品、3 条订单行，网络零售额 83.30 元" in body
    assert "只读" in body and "data-register" not in body
    links = [
        unescape(link)
        for link in re.findall(r'href="(/lines\?[^"]+)"', page.get_data(as_text=True))
    ]
    assert links[0].startswith(
        "/lines?from=2024-01-01&to=2024-12-31&platform=douyin&unregistered=1"
    )
    # Each row's link holds exactly its lines: the explorer's total is the row's.
    eggs = client.get("/api/v1" + links[0]).get_json()["total"]
    assert (eggs["lines"], eggs["net"]) == (2, "71.00")
    register = "/unregistered/register?platform=douyin&product_id=3581"
    assert client.get(register).status_code == 403
    assert client.post(register, data={"code": "X", "name": "x"}).status_code == 403
    book = client.get("/unregistered/workbook.xlsx?from=2024-01-01&to=2024-12-31")
    assert book.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(book.data))
    assert [row[0].value for row in sheets["平台商品"].iter_rows(min_row=2)] == ["抖音", "快手"]


def test_a_streamer_cannot_open_the_page(
    stored: County,  # noqa: F811
    client: FlaskClient,
    make_user: Callable[..., str],
    sign_in: Any,
) -> None:
    assert sign_in(client, make_user("streamer-x", "streamer", rooms=["R01"])).status_code == 302
    assert client.get(PAGE).status_code == 403


def test_an_admin_registers_a_new_agricultural_product_in_one_step(
    stored: County,  # noqa: F811
    client: FlaskClient,
    make_user: Callable[..., str],
    sign_in: Any,
) -> None:
    signed_in(client, make_user, sign_in, "admin")
    page = client.get(PAGE).get_data(as_text=True)
    link = unescape(re.findall(r'href="(/unregistered/register\?[^"]+)"', page)[0])
    form = client.get(link)
    assert form.status_code == 200
    body = text(form)
    assert 'value="douyin-3581"' in body and 'value="农家土鸡蛋 30枚"' in body  # pre-filled
    assert "生鲜产品（农产品）" in body and "顾乡有礼 (B02)" in body  # lists to choose from
    agri = client.get(f"{RETAIL}&by=month&agri=1").json["total"]["net"]
    done = client.post(
        link,
        data={
            "mode": "new",
            "platform": "douyin",
            "product_id": "3581",
            "merchant_code": "EGG30",
            "code": "douyin-3581",
            "name": "农家土鸡蛋",
            "category": "生鲜产品",
            "brand": "",
            "pricing_unit": "",
            "units_per_item": "",
        },
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "已登记到商品 douyin-3581：2 条订单行已匹配，71.00 元从未登记商品转入已登记" in text(
        done
    )
    assert "农家土鸡蛋 30枚" not in text(done)  # gone from the worklist
    assert (agri, client.get(f"{RETAIL}&by=month&agri=1").json["total"]["net"]) == (
        "100.00",
        "171.00",
    )


def test_registering_onto_an_existing_product_and_fixing_mistakes(
    stored: County,  # noqa: F811
    client: FlaskClient,
    make_user: Callable[..., str],
    sign_in: Any,
) -> None:
    signed_in(client, make_user, sign_in, "admin")
    link = (
        "/unregistered/register?platform=kuaishou&merchant_code=JD-7&from=2024-01-01&to=2024-12-31"
    )
    form = client.get(link)
    assert 'value="P004 富硒绿茶"' in text(form)  # the searchable list of products
    wrong = client.post(
        link,
        data={
            "mode": "existing",
            "platform": "kuaishou",
            "merchant_code": "JD-7",
            "existing": "P404",
        },
    )
    assert wrong.status_code == 422 and "商品编码“P404”不存在" in text(wrong)
    blank = client.post(
        link,
        data={
            "mode": "new",
            "platform": "kuaishou",
            "merchant_code": "JD-7",
            "code": "",
            "name": "",
        },
    )
    assert blank.status_code == 422 and "有 2 处需要修改" in text(blank)
    done = client.post(
        link,
        data={
            "mode": "existing",
            "platform": "kuaishou",
            "merchant_code": "JD-7",
            "existing": "P004 富硒绿茶",
            "from": "2024-01-01",
            "to": "2024-12-31",
        },
    )
    assert done.status_code == 302 and "from=2024-01-01" in done.headers["Location"]
    page = text(client.get(done.headers["Location"]))
    assert "已登记到商品 P004：1 条订单行已匹配，12.30 元" in page
    assert "手工挂面" not in page


def test_the_dashboard_note_links_to_the_worklist_with_its_period(
    stored: County,  # noqa: F811
    client: FlaskClient,
    make_user: Callable[..., str],
    sign_in: Any,
) -> None:
    signed_in(client, make_user, sign_in, "viewer")
    page = client.get("/dashboard?year=2024").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" data-unregistered-link>([^<]+)</a>', page)
    assert link is not None
    assert unescape(link.group(1)) == "/unregistered?from=2024-01-01&to=2024-12-31"
    assert link.group(2) == "查看未登记商品"
    assert "农家土鸡蛋 30枚" in text(client.get(unescape(link.group(1))))


def test_a_month_lists_that_months_groups_and_its_links_keep_the_month(
    stored: County,  # noqa: F811
    client: FlaskClient,
    make_user: Callable[..., str],
    sign_in: Any,
) -> None:
    import datetime as dt

    from app.extensions import db
    from app.metrics.rollup_write import rebuild_all

    stored.add(
        raw(
            stored,
            "S01",
            "j1",
            "88",
            raw_product_id="7710",
            name="六月蜂蜜",
            day=dt.date(2024, 6, 12),
        )
    )
    rebuild_all()
    db.session.commit()
    signed_in(client, make_user, sign_in, "admin")
    june = client.get("/unregistered?period=month&month=2024-06")
    body = text(june)
    assert "2024年6月" in body and "2024-06-01 至 2024-06-30" in body
    assert "六月蜂蜜" in body and "农家土鸡蛋 30枚" not in body and "手工挂面" not in body
    assert "共 1 种商品、1 条订单行，网络零售额 88.00 元" in body
    raw_page = june.get_data(as_text=True)
    link = unescape(re.search(r'href="(/lines\?[^"]+)"', raw_page).group(1))
    assert link.startswith("/lines?from=2024-06-01&to=2024-06-30&")
    total = client.get("/api/v1" + link).get_json()["total"]
    assert (total["lines"], total["net"]) == (1, "88.00")
    # The workbook, the 登记 form and its return keep the month.
    workbook = unescape(re.search(r'href="([^"]+)" data-workbook', raw_page).group(1))
    assert workbook == "/unregistered/workbook.xlsx?period=month&month=2024-06"
    sheets = openpyxl.load_workbook(io.BytesIO(client.get(workbook).data))
    assert [row[0].value for row in sheets["平台商品"].iter_rows(min_row=2)] == ["抖音"]
    register = unescape(re.search(r'href="([^"]+)" data-register', raw_page).group(1))
    assert "period=month" in register and "month=2024-06" in register
    form = text(client.get(register))
    assert '<input type="hidden" name="period" value="month">' in form
    assert '<input type="hidden" name="month" value="2024-06">' in form
    done = client.post(
        "/unregistered/register",
        data={
            "mode": "existing",
            "platform": "douyin",
            "product_id": "7710",
            "existing": "P004 富硒绿茶",
            "period": "month",
            "month": "2024-06",
        },
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/unregistered?period=month&month=2024-06"
    # March, the month of the other lines, lists those two and no longer the registered one.
    march = text(client.get("/unregistered?period=month&month=2024-03"))
    assert "共 2 种商品、3 条订单行，网络零售额 83.30 元" in march and "六月蜂蜜" not in march
