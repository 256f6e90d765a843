"""RELIABILITY.md rows 16, 23 and 24 on PostgreSQL with the private Redis behind the limits.

Row 23's generated input (schemathesis over the OpenAPI description, admin and streamer) and
the full role × route matrix run in tests/api (test_schemathesis.py, test_role_matrix.py) on
both databases; here every route is called anonymously against the deployment's services.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.auth.accounts import NewUser, create_user
from app.extensions import db
from app.models import Shop, Township, Village
from tests.faults.conftest import assert_figures_equal_raw, config_for, upload, wait_final
from tests.faults.exports import douyin_export
from tests.faults.procs import PrivateRedis, Worker

pytestmark = [pytest.mark.services, pytest.mark.faults]
ATTACKS = ('=HYPERLINK("http://x.example","点我")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)")
PASSWORD = "a-long-password-1"


def _signed_in(app: Flask, login: str, role: str = "admin") -> FlaskClient:
    create_user(NewUser(login, role, password=PASSWORD))
    client = app.test_client()
    assert client.post("/login", data={"login": login, "password": PASSWORD}).status_code == 302
    return client


def test_row16_user_text_in_every_export_is_text_not_a_formula(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    start_worker()
    shop = db.session.query(Shop).one()
    shop.name = ATTACKS[0]
    township = db.session.query(Township).one()
    township.name = ATTACKS[1]
    db.session.query(Village).one().name = ATTACKS[2]
    db.session.commit()
    export = douyin_export(tmp_path, 200, seed=70)
    text = export.path.read_text(encoding="utf-8-sig").splitlines()
    cells = next(csv.reader([text[3]]))
    cells[8] = ATTACKS[3]  # a bad amount: the error report repeats the cell
    text[3] = ",".join(f'"{cell}"' for cell in cells)
    export.path.write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    done = wait_final(upload(admin, export.path)["id"], 60)
    assert done.status == "succeeded" and done.rejected == 1

    report = admin.get("/api/v1/reports/monthly/2024-06.xlsx")
    errors = admin.get(f"/api/v1/imports/{done.id}/errors")
    registry = _signed_in(fault_app, "registrar").get("/registry/export.xlsx")

    assert report.status_code == errors.status_code == registry.status_code == 200
    for body, expected in ((report.data, ATTACKS[1:2]), (registry.data, ATTACKS[:3])):
        book = openpyxl.load_workbook(io.BytesIO(body))
        found = set()
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                    if cell.value in ATTACKS:
                        assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate} may run"
                        found.add(cell.value)
        assert set(expected) <= found  # each attack is there, as text
    rows = list(csv.reader(io.StringIO(errors.data.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["'" + ATTACKS[3]]
    assert_figures_equal_raw()


def test_row23_every_route_refuses_anonymous_callers(fault_app: Flask) -> None:
    client = fault_app.test_client()
    open_routes = {"/api/v1/openapi.json"}
    called = 0
    for rule in fault_app.url_map.iter_rules():
        path = rule.rule
        if not path.startswith("/api/v1") or path in open_routes:
            continue
        url = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", path)  # the first of the choices
        url = re.sub(r"<(?:\w+:)?(\w+)>", "1", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 401, f"{method} {url}: {response.status_code}"
            assert response.get_json()["message"]
            called += 1
    assert called > 50


def test_row24_csrf_and_bursts_get_refusals_with_retry_after(
    fault_app: Flask, broker: PrivateRedis, tmp_path
) -> None:
    """Limits counted in the private Redis, as several web workers share them."""
    settings = config_for(tmp_path, broker.url)
    settings.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=broker.url)
    settings.update(UPLOAD_RATE_LIMIT="3 per minute", LOGIN_RATE_LIMIT="3 per minute")
    app = create_app(settings)
    client = _signed_in(app, "clerk")
    app.config["WTF_CSRF_ENABLED"] = True

    forged = client.post("/api/v1/townships", json={"code": "T09", "name": "新镇"})
    assert forged.status_code in (400, 403) and forged.get_json()["message"]

    page = client.get("/imports").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    statuses = []
    for n in range(5):
        export = douyin_export(tmp_path, 10, first=n * 100, seed=80 + n)
        with export.path.open("rb") as stream:
            answer = client.post(
                "/api/v1/imports",
                data={"file": (stream, export.path.name), "shop": "S01"},
                content_type="multipart/form-data",
                headers={"X-CSRFToken": token},
            )
        statuses.append(answer.status_code)
    assert statuses[:3] == [202, 202, 202] and statuses[3:] == [429, 429]
    assert int(answer.headers["Retry-After"]) > 0

    app.config["WTF_CSRF_ENABLED"] = False  # the login form's own token is not the point
    stranger = app.test_client()
    logins = [
        stranger.post("/login", data={"login": "clerk", "password": "wrong"}) for _ in range(4)
    ]
    assert logins[-1].status_code == 429
    assert int(logins[-1].headers["Retry-After"]) > 0
