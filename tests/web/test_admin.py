"""The admin's user pages: list, create (password shown once), disable and enable."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User


def test_admin_lists_and_creates_users(app: Flask, as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "admin1" in page and "县中心管理员" in page

    form = {"login": "zhang", "name": "张三", "role": "township", "townships": "T01"}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert "用户已创建" in text and "临时密码" in text
    with app.app_context():
        created = db.session.scalars(db.select(User).where(User.login == "zhang")).one()
        assert created.scope_codes("township") == {"T01"}
    assert "T01" in client.get("/admin/users").get_data(as_text=True)


def test_create_form_shows_every_problem(as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("admin")
    form = {"login": "b", "role": "brand", "password": "short", "brands": ["B01", "B77"]}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "登录名须为" in text and "B77" in text and "密码至少需要" in text
    assert '<option value="B01" selected>B01 — 许营好品</option>' in text


def test_disable_and_enable_from_the_list(app: Flask, as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("admin")
    client.post("/admin/users/new", data={"login": "v2", "role": "viewer"})
    with app.app_context():
        target = db.session.scalars(db.select(User).where(User.login == "v2")).one().id
        me = db.session.scalars(db.select(User).where(User.login == "admin1")).one().id
    response = client.post(f"/admin/users/{target}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "已停用 v2" in client.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, target).active is False
    client.post(f"/admin/users/{target}/active", data={"active": "1"})
    with app.app_context():
        assert db.session.get(User, target).active is True
    assert client.post(f"/admin/users/{me}/active", data={"active": "0"}).status_code == 400
    assert client.post("/admin/users/9999/active", data={"active": "0"}).status_code == 404


def test_officer_cannot_manage_users(as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("officer")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/new", data={"login": "x", "role": "admin"}).status_code == 403
