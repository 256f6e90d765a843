"""GET /api/v1/unregistered (the 未登记商品 worklist), registering from it, and its workbook."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.metrics.rollup_write import rebuild_all
from app.registry.jobs import run_registry_load
from tests.api.conftest import ClientFactory
from tests.api.test_registry_workbook import upload
from tests.ingest.test_rematch import County, county, raw, stored  # noqa: F401 - fixtures

URL = "/api/v1/unregistered?from=2024-01-01&to=2024-12-31"
RETAIL = "/api/v1/metrics/retail?from=2024-01-01&to=2024-12-31"


@pytest.fixture
def more(stored: County) -> County:  # noqa: F811 - the fixture imported above
    """Besides `stored`: the same 抖音 id sold in S02 (township T02) under an older name, and
    a line outside 2024."""
    c = stored
    c.add(
        raw(c, "S02", "w1", "200", raw_product_id="3581", merchant_code="EGG30", name="土鸡蛋"),
        raw(
            c, "S02", "w2", "9.99", raw_product_id="5000", name="旧年的货", day=dt.date(2023, 6, 1)
        ),
    )
    rebuild_all()
    db.session.commit()
    return c


def money(rows: list[dict[str, Any]], key: str) -> dict[Any, str]:
    return {row["key"]: row[key] for row in rows}


def test_the_worklist_groups_lines_as_exported_net_first(more: County, admin: FlaskClient) -> None:
    answer = admin.get(URL)
    assert answer.status_code == 200, answer.json
    rows = answer.json["rows"]
    assert [(r["platform"], r["platform_product_id"], r["name"], r["net"]) for r in rows] == [
        ("douyin", "3581", "土鸡蛋", "200.00"),
        ("douyin", "3581", "农家土鸡蛋 30枚", "71.00"),
        ("kuaishou", None, "手工挂面", "12.30"),
    ]
    eggs = rows[1]
    assert eggs == {
        "platform": "douyin",
        "platform_product_id": "3581",
        "merchant_code": "EGG30",
        "name": "农家土鸡蛋 30枚",
        "lines": 2,
        "gross": "91.00",
        "refund": "20.00",
        "net": "71.00",
        "shops": 1,
        "first_day": "2024-03-05",
        "last_day": "2024-03-09",
    }
    total = answer.json["total"]
    retail = admin.get(f"{RETAIL}&by=month").json["unregistered"]
    assert (total["net"], total["lines"]) == (retail["net"], retail["lines"]) == ("283.30", 4)
    assert total["groups"] == 3
    top = admin.get(f"{URL}&limit=1").json
    assert len(top["rows"]) == 1 and top["total"]["net"] == "283.30"


# One user per test: the county fixture holds an app context open, where flask-login keeps
# the first user it loads in `g`.
def test_a_township_officer_sees_its_own_townships_lines(
    more: County, client_as: ClientFactory
) -> None:
    town = client_as("township", township=["T01"])
    mine = town.get(URL)
    assert mine.status_code == 200 and mine.json["scope"] == "township:T01"
    assert {row["net"] for row in mine.json["rows"]} == {"71.00", "12.30"}  # not S02's
    assert town.get(f"{URL}&scope=township:T02").status_code == 403
    assert town.get(f"{URL}&scope=county").status_code == 403
    village = town.get(f"{URL}&scope=village:V2").json["rows"]
    assert [row["name"] for row in village] == ["手工挂面"]
    body = {"platform": "douyin", "platform_product_id": "3581", "product": "P003"}
    assert town.post("/api/v1/unregistered/listings", json=body).status_code == 403


def test_a_brand_managers_worklist_is_empty(more: County, client_as: ClientFactory) -> None:
    # Unmatched lines have no brand, so none lies in a brand's scope.
    brand = client_as("brand", brand=["B01"]).get(URL)
    assert brand.status_code == 200 and brand.json["rows"] == []
    assert brand.json["scope"] == "brand:B01"


def test_a_viewer_reads_the_whole_county_but_registers_nothing(
    more: County, client_as: ClientFactory
) -> None:
    viewer = client_as("viewer")
    assert len(viewer.get(URL).json["rows"]) == 3
    body = {"platform": "douyin", "platform_product_id": "3581", "product": "P003"}
    assert viewer.post("/api/v1/unregistered/listings", json=body).status_code == 403
    assert viewer.get(f"{URL}&scope=township:T99").status_code == 400
    assert len(viewer.get(URL).json["rows"]) == 3


def test_registering_moves_agri_brand_product_and_category_figures(
    more: County, admin: FlaskClient
) -> None:
    agri_before = admin.get(f"{RETAIL}&by=month&agri=1").json["total"]["net"]
    answer = admin.post(
        "/api/v1/unregistered/products",
        json={
            "platform": "抖音",
            "platform_product_id": "3581",
            "merchant_code": "EGG30",
            "code": "P100",
            "name": "农家土鸡蛋",
            "brand": "B02",
            "category": "生鲜产品",
            "units_per_item": "30",
            "pricing_unit": "枚",
        },
    )
    assert answer.status_code == 201, answer.json
    assert answer.json == {
        "product": "P100",
        "listing_id": answer.json["listing_id"],
        "created_product": True,
        "lines": 4,
        "sale_lines": 3,
        "net": "271.00",
    }
    assert (agri_before, admin.get(f"{RETAIL}&by=month&agri=1").json["total"]["net"]) == (
        "100.00",
        "371.00",
    )
    assert money(admin.get(f"{RETAIL}&by=brand").json["rows"], "net")["B02"] == "271.00"
    assert money(admin.get(f"{RETAIL}&by=product").json["rows"], "net")["P100"] == "271.00"
    assert money(admin.get(f"{RETAIL}&by=category").json["rows"], "net")["生鲜产品"] == "271.00"
    assert [row["name"] for row in admin.get(URL).json["rows"]] == ["手工挂面"]
    product = admin.get("/api/v1/products/P100").json
    assert (product["category"], product["units_per_item"], product["pricing_unit"]) == (
        "生鲜产品",
        "30.0000",
        "枚",
    )

    onto = admin.post(
        "/api/v1/unregistered/listings",
        json={"platform": "kuaishou", "merchant_code": "JD-7", "product": "P004"},
    )
    assert onto.status_code == 201, onto.json
    assert (onto.json["created_product"], onto.json["lines"], onto.json["net"]) == (
        False,
        1,
        "12.30",
    )
    assert money(admin.get(f"{RETAIL}&by=product").json["rows"], "net")["P004"] == "12.30"
    assert admin.get(URL).json["rows"] == []


def test_refusals_name_the_field_and_change_nothing(more: County, admin: FlaskClient) -> None:
    bad = admin.post(
        "/api/v1/unregistered/products",
        json={"platform": "douyin", "code": "P200", "name": "新品", "category": "不存在"},
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"platform_product_id", "category"}
    assert "至少填写一个" in bad.json["message"]
    taken = admin.post(
        "/api/v1/unregistered/products",
        json={"platform": "douyin", "platform_product_id": "3581", "code": "P001", "name": "x"},
    )
    assert taken.status_code == 409 and "P001" in taken.json["message"]
    missing = admin.post(
        "/api/v1/unregistered/listings",
        json={"platform": "douyin", "platform_product_id": "3581", "product": "P999"},
    )
    assert missing.status_code == 422 and "P999" in missing.json["message"]
    assert admin.get(URL).json["total"]["lines"] == 4
    assert admin.get("/api/v1/products/P200").status_code == 404


def test_the_workbook_loads_back_through_the_registry_upload(
    app: Flask, more: County, admin: FlaskClient
) -> None:
    answer = admin.get(URL.replace("?", "/workbook.xlsx?"))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["商品", "平台商品"]
    products, listings = book["商品"], book["平台商品"]
    header = [cell.value for cell in products[1]]
    assert header[:8] == [
        "商品编码",
        "商品名称",
        "品牌编码",
        "加入品牌日期",
        "品类",
        "计价单位",
        "规格数量",
        "生产主体",
    ]
    assert [cell.value for cell in listings[1]] == ["平台", "平台商品ID", "商家编码", "商品编码"]
    # One product per listing key: the two names of 抖音 id 3581 make one row, named as the
    # better seller.
    rows = [[cell.value for cell in row][:2] for row in products.iter_rows(min_row=2)]
    assert rows == [["douyin-3581", "土鸡蛋"], ["kuaishou-JD-7", "手工挂面"]]
    assert [[cell.value for cell in row] for row in listings.iter_rows(min_row=2)] == [
        ["抖音", "3581", "EGG30", "douyin-3581"],
        ["快手", None, "JD-7", "kuaishou-JD-7"],
    ]
    products.cell(2, 5, "生鲜产品")  # the clerk fills in 品类 for the eggs
    filled = io.BytesIO()
    book.save(filled)

    job = upload(admin, filled.getvalue(), "未登记商品.xlsx").json
    with app.app_context():
        run_registry_load(job["id"])
    assert admin.get(f"/api/v1/registry/workbook/{job['id']}").json["status"] == "succeeded"
    assert admin.get(URL).json["rows"] == []
    assert admin.get(f"{RETAIL}&by=month&agri=1").json["total"]["net"] == "371.00"
    assert money(admin.get(f"{RETAIL}&by=product").json["rows"], "net") == {
        "douyin-3581": "271.00",
        "P001": "100.00",
        "kuaishou-JD-7": "12.30",
    }


def test_workbook_text_never_runs_as_a_formula(stored: County, admin: FlaskClient) -> None:  # noqa: F811
    c = stored
    c.add(raw(c, "S01", "f1", "5", raw_product_id="=HYPERLINK(1)", name="=1+2"))
    rebuild_all()
    db.session.commit()
    answer = admin.get(URL.replace("?", "/workbook.xlsx?"))
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    names = [row[1].value for row in book["商品"].iter_rows(min_row=2)]
    assert "=1+2" in names
    cell = next(row[1] for row in book["商品"].iter_rows(min_row=2) if row[1].value == "=1+2")
    assert cell.data_type == "s" and cell.quotePrefix
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_the_openapi_document_describes_the_worklist(app: Flask, admin: FlaskClient) -> None:
    spec = admin.get("/api/v1/openapi.json").json
    rows = spec["components"]["schemas"]["WorklistRow"]["properties"]
    assert {"platform", "platform_product_id", "merchant_code", "name", "net", "shops"} <= set(rows)
    assert "/api/v1/unregistered" in spec["paths"]


def test_a_listing_saved_through_the_registry_api_rematches_at_once(
    more: County, admin: FlaskClient
) -> None:
    """Not only the worklist: a 平台商品 row added or moved in the registry moves its lines."""
    before = admin.get(f"{RETAIL}&by=product").json
    assert before["unregistered"]["net"] == "283.30"
    saved = admin.post(
        "/api/v1/listings",
        json={"platform": "抖音", "platform_product_id": "3581", "product": "P003"},
    )
    assert saved.status_code == 201, saved.json
    after = admin.get(f"{RETAIL}&by=product").json
    assert after["unregistered"]["net"] == "12.30"  # only the 快手 挂面 is left
    assert money(after["rows"], "net")["P003"] == "271.00"
    moved = admin.patch(f"/api/v1/listings/{saved.json['id']}", json={"product": "P004"})
    assert moved.status_code == 200, moved.json
    again = money(admin.get(f"{RETAIL}&by=product").json["rows"], "net")
    assert again["P004"] == "271.00" and "P003" not in again
    # Another product id: the lines it named are unregistered again, nothing is left stale.
    rekeyed = admin.patch(f"/api/v1/listings/{saved.json['id']}", json={"platform_product_id": "9"})
    assert rekeyed.status_code == 200, rekeyed.json
    after_rekey = admin.get(f"{RETAIL}&by=product").json
    assert after_rekey["unregistered"]["net"] == "283.30"
    assert "P004" not in money(after_rekey["rows"], "net")
    admin.patch(f"/api/v1/listings/{saved.json['id']}", json={"platform_product_id": "3581"})
    assert admin.delete(f"/api/v1/listings/{saved.json['id']}").status_code == 204
    assert admin.get(f"{RETAIL}&by=product").json["unregistered"]["net"] == "283.30"
