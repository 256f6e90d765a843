"""Registry CRUD under /api/v1: create, list, get, replace, update, delete, and the errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Category, Product

API = "/api/v1"

# (resource, key field, POST body, expected in the answer, PATCH body, expected after it)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    (
        "townships",
        "code",
        {"code": "T05", "name": "新华街道", "county": "高新区"},
        {"code": "T05", "name": "新华街道", "county": "高新区"},
        {"name": "新华镇"},
        {"name": "新华镇"},
    ),
    (
        "villages",
        "code",
        {"code": "T01V09", "name": "新村", "township": "T01"},
        {"township": "T01"},
        {"township": "T02"},
        {"township": "T02"},
    ),
    (
        "shops",
        "code",
        {"code": "S08", "platform": "抖店", "name": "新店", "village": "T01V01"},
        {"platform": "douyin", "platform_shop_id": None, "village": "T01V01"},
        {"platform_shop_id": "88001", "village": "T02V01"},
        {"platform_shop_id": "88001", "village": "T02V01"},
    ),
    (
        "rooms",
        "code",
        {
            "code": "R06",
            "platform": "快手",
            "account_id": "ks-1",
            "nickname": "新直播间",
            "village": "T01V01",
            "shop": "S03",
        },
        {"platform": "kuaishou", "shop": "S03", "streamers": []},
        {"shop": None, "nickname": "改名了"},
        {"shop": None, "nickname": "改名了"},
    ),
    (
        "streamers",
        "code",
        {"code": "Z06", "name": "新主播", "rooms": ["R01", "R02"]},
        {"rooms": ["R01", "R02"]},
        {"rooms": ["R03"]},
        {"rooms": ["R03"], "name": "新主播"},
    ),
    (
        "brands",
        "code",
        {"code": "B04", "name": "巴山青", "kind": "区域公用品牌", "county": "高新区"},
        {"kind": "区域公用品牌"},
        {"kind": "企业品牌"},
        {"kind": "企业品牌"},
    ),
    (
        "products",
        "code",
        {
            "code": "P009",
            "name": "旧院黑鸡",
            "brand": "B01",
            "brand_joined_on": "2024-01-01",
            "category": "生鲜产品",
            "pricing_unit": "只",
            "units_per_item": 1,
        },
        {"brand": "B01", "brand_joined_on": "2024-01-01", "units_per_item": "1.0000"},
        {"units_per_item": "2.5", "producer": "合作社"},
        {"units_per_item": "2.5000", "producer": "合作社"},
    ),
    (
        "listings",
        "id",
        {"platform": "抖音", "platform_product_id": "990001", "product": "P001"},
        {"platform": "douyin", "merchant_code": None, "product": "P001"},
        {"merchant_code": "P001-DY"},
        {"merchant_code": "P001-DY", "platform_product_id": "990001"},
    ),
    (
        "baselines",
        "id",
        {"product": "P001", "kind": "品牌前价格", "unit_price": "12.5", "valid_from": "2023-01-01"},
        {"kind": "pre_brand", "unit_price": "12.50", "valid_to": None},
        {"unit_price": 13, "note": "2022 年集市均价"},
        {"unit_price": "13.00", "note": "2022 年集市均价"},
    ),
    (
        "targets",
        "id",
        {
            "year": 2024,
            "month": 6,
            "scope_type": "乡镇",
            "scope_code": "T03",
            "indicator": "网络零售额",
            "value": "10000",
        },
        {"scope_type": "township", "indicator": "net_retail", "value": "10000.00"},
        {"value": "12000.5"},
        {"value": "12000.50"},
    ),
    (
        "categories",
        "id",
        {"name": "竹木制品", "agricultural": False},
        {"name": "竹木制品", "agricultural": False},
        {"agricultural": True},
        {"agricultural": True},
    ),
]


@pytest.mark.parametrize(
    ("resource", "key", "body", "created", "patch", "patched"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_crud_round(
    admin: FlaskClient,
    registry: None,
    resource: str,
    key: str,
    body: dict[str, Any],
    created: dict[str, Any],
    patch: dict[str, Any],
    patched: dict[str, Any],
) -> None:
    answer = admin.post(f"{API}/{resource}", json=body)
    assert answer.status_code == 201, answer.json
    assert answer.json.items() >= created.items()
    item = f"{API}/{resource}/{answer.json[key]}"

    fetched = admin.get(item)
    assert fetched.status_code == 200
    assert fetched.json == answer.json

    listed = admin.get(f"{API}/{resource}", query_string={"per_page": 500})
    assert listed.status_code == 200
    assert answer.json in listed.json["items"]
    assert listed.json["total"] == len(listed.json["items"])

    updated = admin.patch(item, json=patch)
    assert updated.status_code == 200, updated.json
    assert updated.json.items() >= patched.items()

    replaced = admin.put(item, json=body)
    assert replaced.status_code == 200, replaced.json
    assert replaced.json.items() >= created.items()

    assert admin.delete(item).status_code == 204
    gone = admin.get(item)
    assert gone.status_code == 404
    assert gone.json["message"].endswith("不存在")


def test_unknown_code_is_404_with_a_message(admin: FlaskClient, registry: None) -> None:
    answer = admin.get(f"{API}/townships/T99")

    assert answer.status_code == 404
    assert answer.json == {"code": 404, "status": "Not Found", "message": "乡镇编码“T99”不存在"}
    assert admin.get(f"{API}/baselines/999").json["message"] == "基准价编号“999”不存在"


def test_duplicate_code_is_409(admin: FlaskClient, registry: None) -> None:
    answer = admin.post(
        f"{API}/townships", json={"code": "T01", "name": "重复", "county": "高新区"}
    )

    assert answer.status_code == 409
    assert answer.json["message"] == "乡镇编码“T01”已存在"
    renamed = admin.patch(f"{API}/shops/S01", json={"code": "S02"})
    assert renamed.status_code == 409
    assert renamed.json["message"] == "网店编码“S02”已存在"


def test_other_unique_keys_are_409(admin: FlaskClient, registry: None) -> None:
    room = {"code": "R09", "platform": "抖音", "account_id": "62187499831", "village": "T01V01"}
    baseline = {"product": "P005", "kind": "参考价", "unit_price": 7, "valid_from": "2023-01-01"}
    target = {
        "year": 2024,
        "scope_type": "county",
        "scope_code": "高新区",
        "indicator": "net_retail",
        "value": 1,
    }

    assert admin.post(f"{API}/rooms", json=room).json["message"] == (
        "该平台账号“62187499831”已登记为其他直播间"
    )
    assert admin.post(f"{API}/baselines", json=baseline).status_code == 409
    answer = admin.post(f"{API}/targets", json=target)
    assert answer.status_code == 409
    assert "已有这一指标的目标" in answer.json["message"]


def test_invalid_input_is_422_with_field_errors_and_a_message(
    admin: FlaskClient, registry: None
) -> None:
    answer = admin.post(
        f"{API}/shops",
        json={"code": "S09", "platform": "京东", "name": "", "village": "T01V01", "extra": 1},
    )

    assert answer.status_code == 422
    errors = answer.json["errors"]["json"]
    assert set(errors) == {"platform", "name", "extra"}
    assert "“京东”无法识别" in errors["platform"][0]
    assert answer.json["message"].startswith("输入有误：")
    assert "platform" in answer.json["message"]


def test_a_body_that_is_not_json_is_400(admin: FlaskClient) -> None:
    answer = admin.post(f"{API}/townships", data="{broken", content_type="application/json")

    assert answer.status_code == 400
    assert answer.json["message"] == "输入有误：Invalid JSON body."


def test_unknown_reference_is_422(admin: FlaskClient, registry: None) -> None:
    answer = admin.post(
        f"{API}/villages", json={"code": "T09V01", "name": "错村", "township": "T09"}
    )

    assert answer.status_code == 422
    assert answer.json["errors"]["json"]["township"] == ["乡镇编码“T09”不存在，请先登记该乡镇"]
    assert "T09" in answer.json["message"]


@pytest.mark.parametrize(
    ("resource", "body", "field", "message"),
    [
        (
            "products",
            {"code": "P010", "name": "散装", "brand_joined_on": "2024-01-01"},
            "brand_joined_on",
            "填写了加入品牌日期，但没有填写品牌",
        ),
        (
            "listings",
            {"platform": "拼多多", "product": "P001"},
            "platform_product_id",
            "平台商品ID和商家编码至少填写一个",
        ),
        (
            "baselines",
            {
                "product": "P001",
                "kind": "reference",
                "unit_price": "5",
                "valid_from": "2024-02-01",
                "valid_to": "2024-01-01",
            },
            "valid_to",
            "失效日期不能早于生效日期",
        ),
        (
            "baselines",
            {"product": "P001", "kind": "reference", "unit_price": "-5"},
            "unit_price",
            "必须大于 0",
        ),
        (
            "targets",
            {
                "year": 2024,
                "scope_type": "村",
                "scope_code": "T09V09",
                "indicator": "live_sales",
                "value": 5,
            },
            "scope_code",
            "范围编码“T09V09”不存在，请先在“村”表中登记",
        ),
        (
            "streamers",
            {"code": "Z09", "name": "某主播", "rooms": ["R01", "R99"]},
            "rooms",
            "直播间编码“R99”不存在，请先登记该直播间",
        ),
    ],
    ids=[
        "join-date-without-brand",
        "listing-without-ids",
        "valid-to-before-from",
        "negative-price",
        "unknown-scope",
        "unknown-room",
    ],
)
def test_business_rules_are_422(
    admin: FlaskClient,
    registry: None,
    resource: str,
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    answer = admin.post(f"{API}/{resource}", json=body)

    assert answer.status_code == 422
    assert answer.json["errors"]["json"][field] == [message]


def test_delete_in_use_is_409_naming_the_users(admin: FlaskClient, registry: None) -> None:
    answer = admin.delete(f"{API}/townships/T01")

    assert answer.status_code == 409
    assert answer.json["message"] == (
        "乡镇“T01”仍被使用（3 个村、2 条目标），请先删除或改挂这些记录"
    )
    assert "场直播" in admin.delete(f"{API}/rooms/R01").json["message"]
    assert admin.get(f"{API}/townships/T01").status_code == 200


def test_list_pages_filters_and_search(admin: FlaskClient, registry: None) -> None:
    page = admin.get(f"{API}/villages", query_string={"per_page": 3, "page": 2}).json
    assert (page["total"], page["pages"], page["page"]) == (8, 3, 2)
    assert [v["code"] for v in page["items"]] == ["T02V01", "T02V02", "T03V01"]

    in_t01 = admin.get(f"{API}/villages", query_string={"township": "T01"}).json
    assert [v["code"] for v in in_t01["items"]] == ["T01V01", "T01V02", "T01V03"]
    douyin = admin.get(f"{API}/shops", query_string={"platform": "抖音"}).json
    assert [s["code"] for s in douyin["items"]] == ["S01", "S02"]
    found = admin.get(f"{API}/products", query_string={"q": "焖子"}).json
    assert [p["code"] for p in found["items"]] == ["P001"]
    underscore = admin.get(f"{API}/products", query_string={"q": "_"}).json
    assert underscore["total"] == 0  # `_` is searched literally, not as a wildcard
    listings = admin.get(f"{API}/listings", query_string={"product": "P003"}).json
    assert listings["total"] == 5


def test_money_is_a_two_decimal_string(admin: FlaskClient, registry: None) -> None:
    (baseline,) = admin.get(f"{API}/baselines").json["items"]

    assert baseline["unit_price"] == "6.20"
    assert baseline["kind"] == "reference"
    assert baseline["product"] == "P005"


def test_renaming_a_category_renames_it_on_products(
    app: Flask, admin: FlaskClient, registry: None
) -> None:
    with app.app_context():
        crafts = db.session.scalars(db.select(Category).where(Category.name == "手工艺品")).one()
        crafts_id = crafts.id

    answer = admin.patch(f"{API}/categories/{crafts_id}", json={"name": "手工艺"})

    assert answer.status_code == 200
    with app.app_context():
        product = db.session.scalars(db.select(Product).where(Product.code == "P007")).one()
        assert product.category == "手工艺"
    in_use = admin.delete(f"{API}/categories/{crafts_id}")
    assert in_use.status_code == 409
    assert "1 个商品" in in_use.json["message"]


def test_new_product_category_is_registered(app: Flask, admin: FlaskClient, registry: None) -> None:
    answer = admin.post(
        f"{API}/products", json={"code": "P011", "name": "竹篮", "category": "竹编"}
    )

    assert answer.status_code == 201
    listed = admin.get(f"{API}/categories", query_string={"q": "竹编"}).json["items"]
    assert [(c["name"], c["agricultural"]) for c in listed] == [("竹编", False)]


def test_reading_needs_a_signed_in_user_and_writing_an_admin(
    client: FlaskClient, client_as: Callable[..., FlaskClient], registry: None
) -> None:
    anonymous = client.get(f"{API}/townships")
    assert anonymous.status_code == 401
    viewer = client_as("viewer")
    assert viewer.get(f"{API}/townships").status_code == 200
    refused = viewer.post(f"{API}/townships", json={"code": "T07", "name": "x", "county": "y"})
    assert refused.status_code == 403


def test_a_new_code_carries_targets_along(app: Flask, admin: FlaskClient, registry: None) -> None:
    answer = admin.patch(f"{API}/townships/T02", json={"code": "T20"})

    assert answer.status_code == 200
    assert answer.json["code"] == "T20"
    targets = admin.get(f"{API}/targets", query_string={"scope_type": "township"}).json["items"]
    assert sorted(t["scope_code"] for t in targets) == ["T01", "T01", "T20"]
    assert admin.get(f"{API}/villages/T02V01").json["township"] == "T20"
