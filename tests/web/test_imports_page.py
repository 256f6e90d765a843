"""The imports page: shops and history limited to the user's scope, the upload without
JavaScript, and the column mapping of a file no known format matches."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.ingest.service import create_import, run_import
from app.models import SalesImport, Shop, Village

UNKNOWN_CSV = (
    "单号,商品,件数,金额,付款时间,店铺备注\n"
    "A001,黑鸡,1,99.50,2024-05-01 10:00:00,\n"
    "A002,黑鸡,2,199.00,2024-05-02 11:30:00,\n"
).encode()


def _west_shop(app: Flask) -> None:
    """A second shop, in T02, that a T01 user must not see."""
    with app.app_context():
        village = db.session.scalars(db.select(Village).where(Village.code == "V0201")).one()
        db.session.add(Shop(code="P02", platform="kuaishou", name="西村快手店", village=village))
        db.session.commit()


def _upload(client: FlaskClient, content: bytes, name: str, **form: str) -> str:
    response = client.post(
        "/imports",
        data={"file": (BytesIO(content), name), **form},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_page_offers_only_the_shops_in_scope(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    _west_shop(app)
    client = as_user("township", townships=["T01"])
    html = client.get("/imports").get_data(as_text=True)
    assert 'value="P01"' in html and 'value="P02"' not in html
    # No shop is required: Cunbo takes the file's own, the only one that fits, or asks.
    assert '<select id="shop" name="shop">' in html
    client.post("/logout")
    officer = as_user("officer", login="officer2")
    assert 'value="P02"' in officer.get("/imports").get_data(as_text=True)


def test_upload_without_javascript_queues_and_shows_the_import(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("township", townships=["T01"])
    location = _upload(client, UNKNOWN_CSV, "orders.csv", shop="P01")
    assert location.startswith("/imports?watch=")
    import_id = int(location.rsplit("=", 1)[1])
    with app.app_context():
        record = db.session.get(SalesImport, import_id)
        assert record.status == "queued" and record.shop.code == "P01"
        assert record.created_by_id is not None
    html = client.get(location).get_data(as_text=True)
    assert f'data-watch="{import_id}"' in html and "orders.csv" in html
    assert 'http-equiv="refresh"' in html  # without JavaScript the page refreshes itself


def test_upload_for_a_shop_outside_the_scope_is_refused(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    _west_shop(app)
    client = as_user("township", townships=["T01"])
    response = client.post(
        "/imports",
        data={"file": (BytesIO(UNKNOWN_CSV), "x.csv"), "shop": "P02"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "网店“P02”不存在或不在您的管辖范围内" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(SalesImport)).all() == []
    assert [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()] == []
    # No shop chosen: the user's only shop takes the file.
    location = _upload(client, UNKNOWN_CSV, "x.csv")
    with app.app_context():
        record = db.session.get(SalesImport, int(location.rsplit("=", 1)[1]))
        assert record.shop.code == "P01"


def test_history_is_limited_to_the_scope(
    app: Flask, as_user: Callable[..., FlaskClient], tmp_path: Path
) -> None:
    _west_shop(app)
    path = tmp_path / "west.csv"
    path.write_bytes(UNKNOWN_CSV)
    with app.app_context():
        other = create_import(path, shop_code="P02").id
    client = as_user("township", townships=["T01"])
    _upload(client, UNKNOWN_CSV, "own.csv", shop="P01")
    html = client.get("/imports").get_data(as_text=True)
    assert "own.csv" in html and "west.csv" not in html
    assert f'data-watch="{other}"' not in client.get(f"/imports?watch={other}").get_data(
        as_text=True
    )
    assert client.get(f"/imports/{other}/headers").status_code == 404


def test_unknown_file_gets_a_mapping_and_imports_with_it(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("officer")
    location = _upload(client, UNKNOWN_CSV, "custom.csv", shop="P01")
    import_id = int(location.rsplit("=", 1)[1])
    with app.app_context():
        failed = run_import(import_id)
        assert failed.status == "failed" and "列对应关系" in failed.message
    page = client.get(f"/imports?watch={import_id}").get_data(as_text=True)
    assert f"/imports?remap={import_id}" in page
    assert f'data-remap="{import_id}"' in client.get(f"/imports?remap={import_id}").get_data(
        as_text=True
    )
    info = client.get(f"/imports/{import_id}/headers").get_json()
    assert info["headers"] == ["单号", "商品", "件数", "金额", "付款时间", "店铺备注"]
    assert info["guess"]["order_id"] == "单号" and info["guess"]["paid_at"] == "付款时间"
    assert info["guess"]["quantity"] == "件数" and info["shop"] == "P01"
    # The page saves the mapping through the API with its session cookie, then uploads again.
    fields = {"order_id": "单号", "product_name": "商品", "quantity": "件数", "paid": "金额"}
    fields["paid_at"] = "付款时间"
    saved = client.post(
        "/api/v1/mappings", json={"name": "自建商城", "platform": "other", "fields": fields}
    )
    assert saved.status_code == 201, saved.get_json()
    again = _upload(client, UNKNOWN_CSV, "custom.csv", shop="P01", mapping="自建商城")
    with app.app_context():
        done = run_import(int(again.rsplit("=", 1)[1]))
        assert done.status == "succeeded", done.message
        assert (done.read, done.inserted, done.rejected) == (2, 2, 0)


def test_json_upload_through_the_api_accepts_the_session(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("officer")
    response = client.post(
        "/api/v1/imports",
        data={"file": (BytesIO(UNKNOWN_CSV), "api.csv"), "shop": "P01"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    status = client.get(f"/api/v1/imports/{response.get_json()['id']}")
    assert status.status_code == 200 and status.get_json()["status"] == "queued"


def test_brand_managers_have_no_imports_page(as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("brand", brands=["B01"])
    assert client.get("/imports").status_code == 403
    assert client.get("/imports/1/headers").status_code == 403


def test_scopes_choose_their_shops(app: Flask, registry: None) -> None:
    from app.auth import AccessScope
    from app.auth.rows import shops_in_scope

    _west_shop(app)
    with app.app_context():
        scope = AccessScope(role="township", townships=frozenset({"T01"}), read_only=False)
        assert [shop.code for shop in shops_in_scope(scope)] == ["P01"]
        rooms = AccessScope(role="streamer", rooms=frozenset({"R01"}), read_only=False)
        assert [shop.code for shop in shops_in_scope(rooms)] == ["P01"]
        nobody = AccessScope(role="streamer", rooms=frozenset({"R02"}), read_only=False)
        assert shops_in_scope(nobody) == []


def test_a_county_user_chooses_a_shop_or_says_the_file_names_its_shops(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    """The first upload never fails for a missing choice: the first option lets Cunbo decide
    (the file's own shops, the only one that fits, or a question); the former "from-file" value
    still means the file's own."""
    client = as_user("officer")
    html = client.get("/imports").get_data(as_text=True)
    assert '<select id="shop" name="shop">\n        <option value="">自动识别</option>' in html
    location = _upload(client, UNKNOWN_CSV, "template.csv", shop="from-file")
    with app.app_context():
        record = db.session.get(SalesImport, int(location.rsplit("=", 1)[1]))
        assert record.shop_id is None  # each row's own shop, as the file says


def test_history_filters_by_shop_platform_and_status_in_the_url(
    app: Flask, as_user: Callable[..., FlaskClient], tmp_path: Path
) -> None:
    _west_shop(app)
    long_name = "抖店订单导出_2024年第四季度_许营好品官方旗舰店_商品维度_第一批.csv"
    east, west = tmp_path / long_name, tmp_path / "快手订单.csv"
    east.write_bytes(UNKNOWN_CSV)
    west.write_bytes(UNKNOWN_CSV + b"A003,x,1,1.00,2024-05-03 10:00:00,\n")
    with app.app_context():
        failed = create_import(east, shop_code="P01", platform="douyin").id
        run_import(failed)  # an unknown format: failed
        queued = create_import(west, shop_code="P02", platform="kuaishou").id
    client = as_user("officer")

    def rows(query: str) -> set[int]:
        html = client.get(f"/imports?{query}").get_data(as_text=True)
        return {int(n) for n in re.findall(r'<tr data-import="(\d+)">', html)}

    assert rows("") == {failed, queued}
    assert rows("status=failed") == {failed}
    assert rows("shop=P02") == {queued}
    assert rows("platform=douyin&status=queued") == set()
    assert rows("platform=nonsense") == {failed, queued}  # an unknown value filters nothing
    html = client.get("/imports?status=failed").get_data(as_text=True)
    assert '<option value="failed" selected>' in html
    # The whole file name on hover, the counts right-aligned.
    assert f'<td class="file-cell" title="{long_name}">' in html
    assert re.search(r'<td class="num" data-count="read">\d+</td>', html)
