"""`cunbo users create|list|disable|enable|password|token|revoke`."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db
from app.models import ApiToken, Streamer, User


def user(login: str) -> User:
    return db.session.scalars(db.select(User).where(User.login == login)).one()


def test_create_with_scope_and_list_json(
    app: Flask, runner: FlaskCliRunner, registry: None
) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "wang",
            "--role",
            "streamer",
            "--room",
            "R01",
            "--streamer",
            "S01",
            "--name",
            "王小花",
            "--password",
            "long-enough-1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "已创建用户 wang" in result.output
    assert "初始密码" not in result.output
    runner.invoke(args=["users", "create", "t1", "--role", "township", "--township", "T01"])
    result = runner.invoke(args=["users", "list", "--json"])
    rows = {row["login"]: row for row in json.loads(result.output)}
    assert rows["wang"]["role"] == "streamer"
    assert rows["wang"]["rooms"] == ["R01"]
    assert rows["wang"]["streamers"] == ["S01"]
    assert rows["wang"]["name"] == "王小花"
    assert rows["t1"]["townships"] == ["T01"] and rows["t1"]["active"] is True
    assert rows["t1"]["must_change_password"] is True  # changed at first sign-in
    with app.app_context():
        linked = db.session.scalars(db.select(Streamer).where(Streamer.code == "S01")).one()
        assert linked.user_id == user("wang").id
        assert user("wang").check_password("long-enough-1")
    text = runner.invoke(args=["users", "list"]).output
    assert "wang" in text and "rooms:R01" in text


def test_generated_password_is_printed_once_and_works(
    runner: FlaskCliRunner, client: FlaskClient
) -> None:
    result = runner.invoke(args=["users", "create", "boss", "--role", "admin"])
    assert result.exit_code == 0, result.output
    password = result.output.split("初始密码（只显示这一次）: ", 1)[1].strip()
    response = client.post("/login", data={"login": "boss", "password": password})
    assert response.status_code == 302


def test_create_refuses_bad_input_with_every_reason(runner: FlaskCliRunner, registry: None) -> None:
    result = runner.invoke(
        args=["users", "create", "x", "--role", "township", "--brand", "B01", "--password", "short"]
    )
    assert result.exit_code == 2
    assert "登录名须为" in result.output
    assert "不使用这些范围" in result.output
    assert "乡镇账号至少需要一个乡镇" in result.output
    assert "密码至少需要 8 个字符" in result.output
    result = runner.invoke(args=["users", "create", "b1", "--role", "brand", "--brand", "B99"])
    assert "名录中没有品牌编码：B99" in result.output
    result = runner.invoke(args=["users", "create", "s9", "--role", "streamer"])
    assert "主播账号需要直播间编码" in result.output
    runner.invoke(args=["users", "create", "dup", "--role", "viewer"])
    result = runner.invoke(args=["users", "create", "DUP", "--role", "viewer"])
    assert "已被使用" in result.output


def test_disable_and_enable(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["users", "create", "v1", "--role", "viewer"])
    assert runner.invoke(args=["users", "disable", "v1"]).exit_code == 0
    with app.app_context():
        assert user("v1").active is False
    assert "已停用" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "enable", "v1"]).exit_code == 0
    with app.app_context():
        assert user("v1").active is True
    result = runner.invoke(args=["users", "disable", "nobody"])
    assert result.exit_code == 2 and "没有登录名为 nobody 的用户" in result.output


def test_password_command(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["users", "create", "v1", "--role", "viewer"])
    result = runner.invoke(args=["users", "password", "v1"], input="new-secret-1\nnew-secret-1\n")
    assert result.exit_code == 0, result.output
    assert "下次登录时须修改" in result.output
    with app.app_context():
        assert user("v1").check_password("new-secret-1")
        assert user("v1").must_change_password
    args = ["users", "password", "v1", "--keep-password"]
    result = runner.invoke(args=args, input="new-secret-2\nnew-secret-2\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert user("v1").check_password("new-secret-2")
        assert not user("v1").must_change_password


def test_create_may_keep_the_password(app: Flask, runner: FlaskCliRunner) -> None:
    args = ["users", "create", "boss2", "--role", "admin", "--keep-password"]
    assert runner.invoke(args=[*args, "--password", "long-enough-2"]).exit_code == 0
    with app.app_context():
        assert not user("boss2").must_change_password


def test_token_is_printed_once_and_revocable(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    runner.invoke(args=["users", "create", "o1", "--role", "officer"])
    result = runner.invoke(args=["users", "token", "o1", "--name", "报表脚本"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("cbt_") and len(token) > 40
    with app.app_context():
        stored = db.session.scalars(db.select(ApiToken)).one()
        assert stored.name == "报表脚本" and token not in stored.token_hash
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/dashboard", headers=headers).status_code == 200
    assert runner.invoke(args=["users", "revoke", "o1", "--name", "报表脚本"]).exit_code == 0
    assert client.get("/dashboard", headers=headers).status_code == 302
    result = runner.invoke(args=["users", "revoke", "o1", "--name", "报表脚本"])
    assert result.exit_code == 2
