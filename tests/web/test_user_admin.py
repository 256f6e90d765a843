"""User administration: scopes picked from the registry, edits, resets, forced password change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.auth.tokens import issue_token
from app.extensions import db
from app.models import Streamer, User

SignIn = Callable[..., Any]
NEW_PASSWORD = "my-own-secret-9"


def user_id(app: Flask, login: str) -> int:
    with app.app_context():
        return db.session.scalars(db.select(User).where(User.login == login)).one().id


def test_new_user_form_lists_the_registry_with_names(as_user: Callable[..., FlaskClient]) -> None:
    page = as_user("admin").get("/admin/users/new").get_data(as_text=True)
    assert '<select id="townships" name="townships" multiple' in page
    for option in (
        "T01 — 许营镇",
        "T02 — 顾乡镇",
        "B01 — 许营好品",
        "R01 — 东村直播",
        "S02 — 李大山",
    ):
        assert option in page


def test_township_officer_with_two_townships_from_the_lists(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("admin")
    form = {"login": "zhou", "role": "township", "townships": ["T01", "T02"], "password": ""}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 200
    with app.app_context():
        created = db.session.scalars(db.select(User).where(User.login == "zhou")).one()
        assert created.scope_codes("township") == {"T01", "T02"}
        assert created.must_change_password is True


def test_codes_are_checked_against_the_registry_and_the_role(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("admin")
    form = {"login": "wu", "role": "township", "townships": ["T99"], "brands": ["B01"]}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "名录中没有乡镇编码：T99" in text
    assert "不使用这些范围：brand" in text
    response = client.post("/admin/users/new", data={"login": "wu", "role": "township"})
    assert "乡镇账号至少需要一个乡镇" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(User).where(User.login == "wu")).first() is None

    client.get("/lang/en")
    response = client.post("/admin/users/new", data=form)
    assert "code in the registry: T99 (load the registry first)" in response.get_data(as_text=True)


def test_edit_changes_role_scope_language_and_streamer(
    app: Flask, as_user: Callable[..., FlaskClient], make_user: Callable[..., str]
) -> None:
    client = as_user("admin")
    make_user("li", "township", townships=["T01"])
    target = user_id(app, "li")
    page = client.get(f"/admin/users/{target}/edit").get_data(as_text=True)
    assert '<option value="T01" selected>T01 — 许营镇</option>' in page

    form = {"name": "李四", "role": "streamer", "locale": "en", "active": "1", "streamer": "S02"}
    response = client.post(f"/admin/users/{target}/edit", data={**form, "rooms": ["R01"]})
    assert response.status_code == 302
    assert "已保存 li 的修改" in client.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, target)
        assert (user.role, user.display_name, user.locale) == ("streamer", "李四", "en")
        assert user.scope_codes("township") == set() and user.scope_codes("room") == {"R01"}
        s2 = db.session.scalars(db.select(Streamer).where(Streamer.code == "S02")).one()
        assert s2.user_id == target

    response = client.post(f"/admin/users/{target}/edit", data={**form, "role": "brand"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "品牌账号至少需要一个品牌编码" in text and "只有主播账号可以关联主播编码" in text
    with app.app_context():
        assert db.session.get(User, target).role == "streamer"  # nothing was saved

    response = client.post(f"/admin/users/{target}/edit", data={**form, "streamer": ""})
    assert response.status_code == 422  # a streamer needs rooms or its streamer record
    client.post(f"/admin/users/{target}/edit", data={**form, "streamer": "", "rooms": "R02"})
    with app.app_context():
        s2 = db.session.scalars(db.select(Streamer).where(Streamer.code == "S02")).one()
        assert s2.user_id is None  # the link is dropped when no streamer is picked


def test_admin_cannot_demote_or_disable_themselves(
    app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user("admin")
    me = user_id(app, "admin1")
    response = client.post(f"/admin/users/{me}/edit", data={"role": "officer", "active": "1"})
    assert response.status_code == 422
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, me).role == "admin"


def test_reset_password_forces_a_change_at_next_sign_in(
    app: Flask,
    client: FlaskClient,
    registry: None,
    make_user: Callable[..., str],
    sign_in: SignIn,
    password: str,
) -> None:
    make_user("admin1", "admin")
    make_user("zhao", "officer")
    assert sign_in(client, "admin1").status_code == 302
    response = client.post(f"/admin/users/{user_id(app, 'zhao')}/password", data={})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    temporary = text.split('<p class="secret"><code>', 1)[1].split("</code>", 1)[0]
    assert "待改密码" in client.get("/admin/users").get_data(as_text=True)
    client.post("/logout")

    assert sign_in(client, "zhao", password).status_code == 401  # the old password is gone
    response = sign_in(client, "zhao", temporary)
    assert response.headers["Location"] == "/account/password"
    for path in ("/dashboard", "/", "/admin/users"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"] == "/account/password"
    assert client.get("/assets/js/cunbo.js").status_code == 200  # the form's own files load
    api = client.get("/api/v1/townships/T01")
    assert api.status_code == 403 and api.json["code"] == "password_change_required"
    form = client.get("/account/password").get_data(as_text=True)
    assert "临时密码" in form

    same = {"password": temporary, "new_password": temporary, "confirm": temporary}
    assert client.post("/account/password", data=same).status_code == 422
    new = {"password": temporary, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/account/password", data=new).status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert client.get("/api/v1/townships/T01").status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id(app, "zhao")).must_change_password is False


def test_admin_may_type_the_temporary_password(
    app: Flask, as_user: Callable[..., FlaskClient], make_user: Callable[..., str]
) -> None:
    client = as_user("admin")
    make_user("qian", "viewer")
    target = user_id(app, "qian")
    response = client.post(f"/admin/users/{target}/password", data={"password": "short"})
    assert response.status_code == 422 and "密码至少需要" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{target}/password", data={"password": "temp-pass-1"})
    assert response.status_code == 200
    with app.app_context():
        user = db.session.get(User, target)
        assert user.check_password("temp-pass-1") and user.must_change_password


def test_bearer_tokens_are_not_held_back_by_a_pending_change(
    app: Flask, client: FlaskClient, registry: None, make_user: Callable[..., str]
) -> None:
    make_user("script", "officer")
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.login == "script")).one()
        user.must_change_password = True
        plain = issue_token(user, "报表脚本")[1]
    response = client.get("/api/v1/townships/T01", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200


def test_deactivated_user_cannot_sign_in_and_loses_the_session(
    app: Flask,
    client: FlaskClient,
    registry: None,
    make_user: Callable[..., str],
    sign_in: SignIn,
) -> None:
    make_user("admin1", "admin")
    make_user("sun", "officer")
    target = user_id(app, "sun")
    other = app.test_client()
    assert sign_in(other, "sun").status_code == 302
    assert other.get("/dashboard").status_code == 200

    assert sign_in(client, "admin1").status_code == 302
    form = {"role": "officer", "name": "孙"}  # the "active" box left unticked
    assert client.post(f"/admin/users/{target}/edit", data=form).status_code == 302
    assert "已停用" in client.get("/admin/users").get_data(as_text=True)
    assert other.get("/dashboard").status_code == 302
    response = sign_in(app.test_client(), "sun")
    assert response.status_code == 401 and "此账号已停用" in response.get_data(as_text=True)

    client.post(f"/admin/users/{target}/edit", data={**form, "active": "1"})
    assert sign_in(app.test_client(), "sun").status_code == 302
