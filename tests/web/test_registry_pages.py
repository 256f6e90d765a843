"""Registry pages: the administrator lists, searches, adds, edits and deletes entries with
the API's own checks, and downloads the workbook; nobody else opens them."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import load_workbook

from app.extensions import db
from app.models import LiveRoom, Shop, Streamer


@pytest.fixture
def admin(as_user: Callable[..., FlaskClient]) -> FlaskClient:
    return as_user("admin")


def text(response) -> str:
    return response.get_data(as_text=True)


def test_every_kind_lists_its_entries(admin: FlaskClient) -> None:
    expected = {
        "townships": "许营镇",
        "villages": "东村",
        "shops": "东村好物",
        "rooms": "东村直播",
        "streamers": "王小花",
        "brands": "许营好品",
        "products": "黑鸡",
        "listings": "平台商品",
        "baselines": "基准价",
        "targets": "目标",
    }
    for kind, shown in expected.items():
        response = admin.get(f"/registry?kind={kind}")
        assert response.status_code == 200, kind
        assert shown in text(response), kind
    assert admin.get("/registry?kind=users").status_code == 404


def test_search_narrows_the_list(admin: FlaskClient) -> None:
    html = text(admin.get("/registry?kind=rooms&q=西村"))
    assert "西村直播" in html and "东村直播" not in html and "共 1 条" in html


def test_add_edit_and_delete_a_shop(app: Flask, admin: FlaskClient) -> None:
    form = {"code": "P09", "name": "新店", "platform": "拼多多", "village": "V0201"}
    response = admin.post("/registry/shops/new", data=form)
    assert response.status_code == 302
    assert "新店" in text(admin.get(response.headers["Location"]))
    edit = admin.get("/registry/shops/P09/edit")
    assert 'value="P09"' in text(edit) and '<option value="pinduoduo" selected>' in text(edit)
    changed = admin.post("/registry/shops/P09/edit", data={**form, "name": "新店二号"})
    assert changed.status_code == 302
    with app.app_context():
        shop = db.session.scalars(db.select(Shop).where(Shop.code == "P09")).one()
        assert (shop.name, shop.platform, shop.village.code) == ("新店二号", "pinduoduo", "V0201")
    assert admin.post("/registry/shops/P09/delete").status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(Shop).where(Shop.code == "P09")).first() is None


def test_problems_are_shown_on_the_form_and_nothing_is_saved(
    app: Flask, admin: FlaskClient
) -> None:
    duplicate = admin.post(
        "/registry/shops/new",
        data={"code": "P01", "name": "重复", "platform": "douyin", "village": "V0101"},
    )
    assert duplicate.status_code == 422 and "已存在" in text(duplicate)
    missing = admin.post("/registry/shops/new", data={"code": "P10", "platform": "douyin"})
    assert missing.status_code == 422
    assert text(missing).count('class="field-error"') >= 2 and "必填" in text(missing)
    unknown = admin.post(
        "/registry/villages/new", data={"code": "V9", "name": "新村", "township": "T99"}
    )
    assert unknown.status_code == 422 and "T99" in text(unknown)
    with app.app_context():
        assert db.session.scalars(db.select(Shop).where(Shop.code == "P10")).first() is None


def test_used_entries_are_not_deleted(app: Flask, admin: FlaskClient) -> None:
    response = admin.post("/registry/townships/T01/delete", follow_redirects=True)
    assert "仍被使用" in text(response)
    with app.app_context():
        assert db.session.scalars(db.select(LiveRoom).where(LiveRoom.code == "R01")).one()


def test_streamer_rooms_are_chosen_from_a_list(app: Flask, admin: FlaskClient) -> None:
    form = {"code": "S01", "name": "王小花", "rooms": ["R01", "R02"]}
    assert admin.post("/registry/streamers/S01/edit", data=form).status_code == 302
    with app.app_context():
        streamer = db.session.scalars(db.select(Streamer).where(Streamer.code == "S01")).one()
        assert sorted(room.code for room in streamer.rooms) == ["R01", "R02"]


def test_targets_use_ids_and_coded_choices(admin: FlaskClient) -> None:
    form = {
        "year": "2024",
        "month": "",
        "scope_type": "township",
        "scope_code": "T01",
        "indicator": "net_retail",
        "value": "100000",
    }
    assert admin.post("/registry/targets/new", data=form).status_code == 302
    html = text(admin.get("/registry?kind=targets"))
    assert "T01" in html and "网络零售额" in html and "/registry/targets/1/edit" in html
    assert admin.get("/registry/targets/abc/edit").status_code == 404


def test_workbook_page_and_download(admin: FlaskClient) -> None:
    page = text(admin.get("/registry/workbook"))
    assert 'data-upload-url="/api/v1/registry/workbook"' in page
    response = admin.get("/registry/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert "乡镇" in book.sheetnames and "直播间" in book.sheetnames
    codes = [row[0] for row in book["乡镇"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["T01", "T02"]


def test_the_file_chooser_offers_every_workbook_the_upload_accepts(admin: FlaskClient) -> None:
    page = text(admin.get("/registry/workbook"))
    assert 'accept=".xlsx,.xlsm,.xlsb,.xls,.ods"' in page


@pytest.mark.parametrize("role", ["officer", "township", "viewer", "brand", "streamer"])
def test_only_the_administrator_opens_the_registry(
    role: str, as_user: Callable[..., FlaskClient]
) -> None:
    scope = {
        "township": {"townships": ["T01"]},
        "brand": {"brands": ["B01"]},
        "streamer": {"streamer": "S01"},
    }.get(role, {})
    client = as_user(role, **scope)
    for url in ("/registry", "/registry/shops/P01/edit", "/registry/export.xlsx"):
        assert client.get(url).status_code == 403, url
    assert client.post("/registry/shops/P01/delete").status_code == 403


def test_a_load_from_the_command_line_is_listed_on_the_workbook_page(
    admin: FlaskClient, runner: FlaskCliRunner, samples: Path, tmp_path: Path
) -> None:
    """The page lists every load, whichever way it came: here `cunbo registry load`."""
    broken = tmp_path / "坏名录.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    runner.invoke(args=["registry", "load", str(samples / "registry.xlsx")])
    runner.invoke(args=["registry", "load", str(broken)])

    page = text(admin.get("/registry/workbook"))
    assert "还没有上传过名录" not in page
    done = page[page.index("registry.xlsx") :]
    assert "已完成" in done[:600] and "新增" in done[:600]
    failed = page[page.index("坏名录.xlsx") :]
    assert "失败" in failed[:400]
