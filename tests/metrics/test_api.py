"""The metrics API: SPEC §6 shapes, 400s that say what to fix, scopes enforced."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from app.auth.tokens import issue_token
from app.extensions import db
from app.metrics.rollup_write import rebuild_all
from app.models import Target, User, UserScope

if TYPE_CHECKING:
    from flask.testing import FlaskClient

    from .conftest import County

D = dt.date


def _token(login: str, role: str, scopes: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    user = User(login=login, role=role)
    user.set_password("secret-password")
    user.scopes = [UserScope(kind=kind, code=code) for kind, code in scopes]
    db.session.add(user)
    db.session.commit()
    return {"Authorization": f"Bearer {issue_token(user, 'tests')[1]}"}


@pytest.fixture
def admin(county: County) -> dict[str, str]:
    c = county
    c.add(
        c.line("S01", "a", "100", day=D(2023, 6, 10)),
        c.line("S01", "b", "250", quantity=2, day=D(2024, 6, 1), room="R01"),
        c.line("S02", "c", "70", product="P002", day=D(2024, 6, 2)),
    )
    db.session.add(
        Target(
            year=2024, scope_type="township", scope_code="T01", indicator="net_retail", value=1000
        )
    )
    db.session.add(
        Target(
            year=2024, scope_type="township", scope_code="T02", indicator="net_retail", value=1000
        )
    )
    db.session.commit()
    rebuild_all()
    db.session.commit()
    return _token("admin", "admin")


def test_retail_shape(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.get(
        "/api/v1/metrics/retail?from=2024-06-01&to=2024-06-30&by=township", headers=admin
    )
    assert response.status_code == 200, response.json
    assert response.json == {
        "from": "2024-06-01",
        "to": "2024-06-30",
        "by": "township",
        "scope": "county",
        "agri": False,
        "rows": [
            {
                "key": "T01",
                "label": "许营镇",
                "gross": "250.00",
                "refund": "0.00",
                "net": "250.00",
                "orders": 1,
                "units": 2,
            },
            {
                "key": "T02",
                "label": "顾官屯镇",
                "gross": "70.00",
                "refund": "0.00",
                "net": "70.00",
                "orders": 1,
                "units": 1,
            },
        ],
        "total": {"gross": "320.00", "refund": "0.00", "net": "320.00", "orders": 2, "units": 3},
        "unregistered": {"net": "0.00", "lines": 0},
    }


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=2024-06-31&to=2024-07-01", "YYYY-MM-DD"),
        ("from=2024-06-01", "to"),
        ("from=2024-06-01&to=2024-06-30&by=week", "by"),
        ("from=2024-07-01&to=2024-06-30", "早于"),
        ("from=2024-06-01&to=2024-06-30&scope=township:T99", "T99"),
        ("from=2024-06-01&to=2024-06-30&scope=planet:earth", "scope"),
    ],
)
def test_bad_parameters_are_400(
    client: FlaskClient, admin: dict[str, str], query: str, words: str
) -> None:
    response = client.get(f"/api/v1/metrics/retail?{query}", headers=admin)
    assert response.status_code == 400
    assert words in response.json["message"]


def test_other_endpoints(client: FlaskClient, admin: dict[str, str]) -> None:
    growth = client.get("/api/v1/metrics/growth?month=2024-06", headers=admin).json
    assert (growth["value"], growth["last_year"], growth["yoy"]) == ("320.00", "100.00", 2.2)
    assert client.get("/api/v1/metrics/growth?month=2024-6", headers=admin).status_code == 400
    premium = client.get(
        "/api/v1/metrics/premium?brand=B01&from=2024-01-01&to=2024-12-31", headers=admin
    )
    assert premium.status_code == 200 and premium.json["without_baseline"] == ["P001", "P002"]
    live = client.get("/api/v1/metrics/live?year=2024", headers=admin).json
    assert live["months"][5]["live_sales"] == "250.00" and live["total_sessions"] == 0
    sessions = client.get(
        "/api/v1/metrics/sessions?from=2024-06-01&to=2024-06-30&room=R01", headers=admin
    )
    assert sessions.status_code == 200 and sessions.json["sessions"] == []
    progress = client.get("/api/v1/targets/progress?year=2024&as_of=2024-06-30", headers=admin)
    assert [row["scope"] for row in progress.json["rows"]] == ["township:T01", "township:T02"]
    assert progress.json["rows"][0]["actual"] == "250.00"
    bad = client.get("/api/v1/targets/progress?year=2024&as_of=06/30", headers=admin)
    assert bad.status_code == 400


def test_scopes_are_enforced(client: FlaskClient, admin: dict[str, str]) -> None:
    township = _token("t1", "township", (("township", "T01"),))
    own = client.get("/api/v1/metrics/retail?from=2024-06-01&to=2024-06-30", headers=township)
    assert own.status_code == 200 and own.json["scope"] == "township:T01"
    assert own.json["total"]["net"] == "250.00"
    other = client.get(
        "/api/v1/metrics/retail?from=2024-06-01&to=2024-06-30&scope=township:T02",
        headers=township,
    )
    assert other.status_code == 403
    progress = client.get("/api/v1/targets/progress?year=2024", headers=township).json
    assert [row["scope"] for row in progress["rows"]] == ["township:T01"]
    assert client.get("/api/v1/metrics/live?year=2024", headers=township).status_code == 403


def test_anonymous_callers_are_refused(client: FlaskClient) -> None:
    # No app context held open here: flask-login would otherwise keep the last user in `g`.
    response = client.get("/api/v1/metrics/retail?from=2024-06-01&to=2024-06-30")
    assert response.status_code == 401


def test_openapi_documents_the_endpoints(client: FlaskClient, admin: dict[str, str]) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("retail", "growth", "premium", "sessions", "live"):
        assert f"/api/v1/metrics/{path}" in paths
    assert "/api/v1/targets/progress" in paths
