"""Home redirects by role; every menu item shows exactly when its page opens."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from app.web.nav import NAV_ITEMS, PAGE_ROLES

SCOPES: dict[str, dict[str, Any]] = {
    "admin": {},
    "officer": {},
    "viewer": {},
    "township": {"townships": ["T01"]},
    "brand": {"brands": ["B01"]},
    "streamer": {"streamer": "S01"},
}
HOMES = {
    "admin": "/dashboard",
    "officer": "/dashboard",
    "viewer": "/dashboard",
    "township": "/dashboard",
    "brand": "/premium",
    "streamer": "/me",
}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_home_redirects_by_role(role: str, as_user: Callable[..., FlaskClient]) -> None:
    client = as_user(role, **SCOPES[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == HOMES[role]
    assert client.get(HOMES[role]).status_code == 200


@pytest.mark.parametrize("role", sorted(SCOPES))
def test_menu_and_routes_agree_for_each_role(
    role: str, app: Flask, as_user: Callable[..., FlaskClient]
) -> None:
    client = as_user(role, **SCOPES[role])
    page = client.get(HOMES[role]).get_data(as_text=True)
    registered = [item for item in NAV_ITEMS if item.endpoint in app.view_functions]
    assert registered, "no page of the menu is registered"
    with app.test_request_context():
        from flask import url_for

        urls = {item.endpoint: url_for(item.endpoint) for item in registered}
    for item in registered:
        allowed = role in PAGE_ROLES[item.endpoint]
        assert (f'href="{urls[item.endpoint]}"' in page) is allowed, (role, item.endpoint)
        status = client.get(urls[item.endpoint]).status_code
        assert status == (200 if allowed else 403), (role, item.endpoint, status)


def test_forbidden_page_explains_itself(as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("streamer", streamer="S01")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "没有权限" in response.get_data(as_text=True)


def test_json_clients_get_json_errors(as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("streamer", streamer="S01")
    response = client.get("/admin/users", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.json["code"] == 403


def test_unknown_page_is_a_page_for_browsers_and_json_for_the_api(client: FlaskClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "找不到这个页面" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json["code"] == 404


def test_township_dashboard_shows_only_its_township(as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("township", townships=["T01"])
    text = client.get("/dashboard").get_data(as_text=True)
    assert "乡镇看板" in text and "许营镇" in text
    assert "顾乡镇" not in text


def test_county_dashboard_counts_the_registry(as_user: Callable[..., FlaskClient]) -> None:
    text = as_user("viewer").get("/dashboard").get_data(as_text=True)
    assert "县域看板" in text and "只读" in text
    assert "网络零售额" in text  # the empty state says what will appear


def test_brand_manager_sees_own_brands(as_user: Callable[..., FlaskClient]) -> None:
    client = as_user("brand", brands=["B01"])
    assert client.get("/brands").headers["Location"] == "/premium"  # the former address
    text = client.get("/premium").get_data(as_text=True)
    assert "许营好品" in text


def test_streamer_home_lists_own_rooms_only(as_user: Callable[..., FlaskClient]) -> None:
    text = as_user("streamer", streamer="S01").get("/me").get_data(as_text=True)
    assert "东村直播" in text
    assert "西村直播" not in text
    assert "记录一场直播" in text


def test_echarts_is_served_by_the_app(client: FlaskClient) -> None:
    response = client.get("/assets/vendor/echarts/echarts.min.js")
    assert response.status_code == 200
    assert b"echarts" in response.data[:2000]
    response.close()
    assert client.get("/assets/vendor/echarts/LICENSE").status_code == 200


def test_vendored_echarts_matches_its_recorded_checksum() -> None:
    folder = Path(__file__).resolve().parents[2] / "app/web/static/vendor/echarts"
    recorded = (folder / "SOURCE.txt").read_text()
    digest = hashlib.sha256((folder / "echarts.min.js").read_bytes()).hexdigest()
    assert f"sha256 of echarts.min.js: {digest}" in recorded


def test_chart_macro_renders_a_chart_frame(app: Flask) -> None:
    template = (
        '{% from "macros.html" import chart, chart_scripts %}'
        '{{ chart("retail", "网络零售额", {"series": [{"type": "bar", "data": [1, 2]}]}) }}'
        "{{ chart_scripts() }}"
    )
    with app.test_request_context():
        html = render_template_string(template)
    assert 'id="retail" data-chart' in html
    assert 'data-chart-option="retail">{"series": [{"data": [1, 2], "type": "bar"}]}' in html
    assert "/assets/vendor/echarts/echarts.min.js" in html and "/assets/js/charts.js" in html
