"""API writes signed in by the session cookie need the page's CSRF token; bearer calls do not."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import bearer_client

TOWNSHIP = {"code": "T09", "name": "新设镇", "county": "示范县"}


@pytest.fixture
def cookie_admin(app: Flask, as_user: Callable[..., FlaskClient]) -> tuple[FlaskClient, str]:
    """An admin signed in through the login form, CSRF checks on, and the token of a page."""
    client = as_user("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/account/password").get_data(as_text=True)
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert found, "pages carry the CSRF token for their scripts"
    return client, found.group(1)


def test_cookie_write_without_token_is_refused_with_a_message(
    cookie_admin: tuple[FlaskClient, str],
) -> None:
    client, _token = cookie_admin
    response = client.post("/api/v1/townships", json=TOWNSHIP)
    assert response.status_code == 400
    assert "安全令牌" in response.get_json()["message"]
    assert client.get("/api/v1/townships/T09").status_code == 404  # nothing was written
    for method in ("put", "patch", "delete"):
        answer = getattr(client, method)("/api/v1/townships/T01", json=TOWNSHIP)
        assert answer.status_code == 400, method
    wrong = client.post("/api/v1/townships", json=TOWNSHIP, headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400


def test_cookie_write_with_the_page_token_goes_through(
    cookie_admin: tuple[FlaskClient, str],
) -> None:
    client, token = cookie_admin
    response = client.post("/api/v1/townships", json=TOWNSHIP, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()
    assert client.get("/api/v1/townships/T09").status_code == 200  # reads need no token


def test_cookie_upload_without_token_is_refused(cookie_admin: tuple[FlaskClient, str]) -> None:
    client, _token = cookie_admin
    data = {"file": (BytesIO(b"a,b\n1,2\n"), "orders.csv")}
    response = client.post("/api/v1/imports", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "安全令牌" in response.get_json()["message"]


def test_bearer_write_needs_no_csrf_token(app: Flask, registry: None) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = bearer_client(app, "script", "admin")
    response = client.post("/api/v1/townships", json=TOWNSHIP)
    assert response.status_code == 201, response.get_json()
