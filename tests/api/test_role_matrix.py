"""Who may call each /api/v1 endpoint (SPEC §1), and which rows each scope gets back.

`CALLS` names every API route once with the roles allowed to use it. Anonymous callers get 401,
signed-in roles outside `allowed` get `denied` (403, or 404 for an object outside their scope),
and allowed roles get `ok`. A route missing from the table fails
`test_every_api_route_is_in_the_matrix`, so a new endpoint cannot ship without deciding who may
call it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import create_app
from app.beijing import day_of
from app.extensions import db
from app.metrics.rollup_write import rebuild_all
from app.models import (
    BaselinePrice,
    Brand,
    Category,
    ColumnMapping,
    ImportRowError,
    LiveRoom,
    LiveSession,
    OrderLine,
    PlatformListing,
    Product,
    RegistryLoad,
    SalesImport,
    Shop,
    Streamer,
    Target,
    Township,
    User,
    Village,
)
from tests.support import bearer_client, config_for_tests, empty_all_tables

ROLES = ("admin", "officer", "viewer", "township", "brand", "streamer")
# The scoped test users: township T01, brand B01, the streamer of room R01 (in T01, shop P01).
SCOPES: dict[str, dict[str, list[str]]] = {
    "township": {"township": ["T01"]},
    "brand": {"brand": ["B01"]},
    "streamer": {"room": ["R01"]},
}

ALL = frozenset(ROLES)
COUNTY = frozenset({"admin", "officer", "viewer"})
ADMIN = frozenset({"admin"})
# SPEC §1 "does": admin/officer/township run imports, streamers upload exports of their own
# shop/room; brand managers and the read-only viewer do not import.
IMPORTERS = frozenset({"admin", "officer", "township", "streamer"})
MAPPING_DELETERS = frozenset({"admin", "officer"})  # a mapping is shared by the whole county
# SPEC §1: streamers log sessions; the county centre and township officers correct them.
SESSION_LOGGERS = frozenset({"admin", "officer", "township", "streamer"})
# Who sees an object of township T01, of room R01, of brand B01.
SEES_T01 = COUNTY | {"township"}
SEES_R01 = COUNTY | {"township", "streamer"}
SEES_B01 = COUNTY | {"brand"}
# SPEC §1: brand managers keep the baselines of their own brands' products.
BASELINE_WRITERS = ADMIN | {"brand"}

YEAR = "from=2024-01-01&to=2024-12-31"
MAPPING = "market-ledger"
XLSX_HEAD = b"PK\x03\x04" + b"\0" * 60  # passes the workbook upload's magic-number check


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # formatted with the ids of the `county` rows: {session}, {import_}, …
    allowed: frozenset[str]
    ok: int = 200
    denied: int = 403
    json: dict[str, Any] | None = None
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Entity:
    """One registry resource: a row of township T01 / brand B01, bodies that change it, an
    unused row to delete, and the roles that may change it."""

    name: str
    key: str
    sees: frozenset[str]
    create: dict[str, Any]
    replace: dict[str, Any]
    update: dict[str, Any]
    spare: str
    writers: frozenset[str] = ADMIN


REGISTRY = (
    Entity(
        "townships",
        "T01",
        SEES_T01,
        {"code": "T09", "name": "新镇", "county": "示范县"},
        {"code": "T01", "name": "许营镇", "county": "示范县"},
        {"name": "许营新镇"},
        "T03",
    ),
    Entity(
        "villages",
        "V0101",
        SEES_T01,
        {"code": "V0109", "name": "新村", "township": "T01"},
        {"code": "V0101", "name": "东村", "township": "T01"},
        {"name": "东村社区"},
        "V0102",
    ),
    Entity(
        "shops",
        "P01",
        SEES_R01,
        {"code": "P09", "platform": "douyin", "name": "新店", "village": "V0101"},
        {"code": "P01", "platform": "douyin", "name": "东村好物", "village": "V0101"},
        {"name": "东村好物店"},
        "P03",
    ),
    Entity(
        "rooms",
        "R01",
        SEES_R01,
        {"code": "R09", "platform": "douyin", "account_id": "a9", "village": "V0101"},
        {"code": "R01", "platform": "douyin", "account_id": "a1", "village": "V0101"},
        {"nickname": "东村直播间"},
        "R03",
    ),
    Entity(
        "streamers",
        "Z01",
        SEES_R01,
        {"code": "Z09", "name": "新主播"},
        {"code": "Z01", "name": "王小花", "rooms": ["R01"]},
        {"name": "王小花花"},
        "Z03",
    ),
    Entity(
        "brands",
        "B01",
        SEES_B01,
        {"code": "B09", "name": "新品牌", "kind": "企业品牌"},
        {"code": "B01", "name": "许营好品", "kind": "区域公用品牌"},
        {"name": "许营好品牌"},
        "B03",
    ),
    Entity(
        "products",
        "G01",
        SEES_B01,
        {"code": "G09", "name": "新品", "brand": "B01"},
        {"code": "G01", "name": "黑鸡", "brand": "B01", "pricing_unit": "只"},
        {"name": "黑鸡王"},
        "G03",
    ),
    Entity(
        "listings",
        "{listing}",
        SEES_B01,
        {"platform": "douyin", "platform_product_id": "999", "product": "G01"},
        {"platform": "douyin", "platform_product_id": "111", "product": "G01"},
        {"merchant_code": "M1"},
        "{spare_listing}",
    ),
    Entity(
        "baselines",
        "{baseline}",
        SEES_B01,
        {"product": "G01", "kind": "reference", "unit_price": "30.00", "valid_from": "2024-02-01"},
        {"product": "G01", "kind": "pre_brand", "unit_price": "20.00"},
        {"note": "复核"},
        "{spare_baseline}",
        BASELINE_WRITERS,
    ),
    Entity(
        "targets",
        "{target}",
        SEES_T01,
        {
            "year": 2025,
            "scope_type": "township",
            "scope_code": "T01",
            "indicator": "net_retail",
            "value": "100",
        },
        {
            "year": 2024,
            "scope_type": "township",
            "scope_code": "T01",
            "indicator": "net_retail",
            "value": "2000",
        },
        {"value": "3000"},
        "{spare_target}",
    ),
    Entity(
        "categories",
        "{category}",
        ALL,
        {"name": "新品类"},
        {"name": "禽蛋", "agricultural": True},
        {"agricultural": False},
        "{spare_category}",
    ),
)


def registry_calls(entity: Entity) -> list[Call]:
    """SPEC §1: every role reads the registry rows of its own scope; the admin changes them,
    and brand managers the baselines of their own brands."""
    items, item = f"/api/v1/{entity.name}", f"/api/v1/{entity.name}/{entity.key}"
    return [
        Call("GET", items, ALL),
        Call("POST", items, entity.writers, 201, json=entity.create),
        Call("GET", item, entity.sees, denied=404),
        Call("PUT", item, entity.writers, json=entity.replace),
        Call("PATCH", item, entity.writers, json=entity.update),
        Call("DELETE", f"/api/v1/{entity.name}/{entity.spare}", entity.writers, 204),
    ]


SESSION = {"room": "R01", "start": "2024-07-01 20:00", "end": "2024-07-01 21:00", "sales": "10"}

CALLS: tuple[Call, ...] = (
    *(call for entity in REGISTRY for call in registry_calls(entity)),
    Call("POST", "/api/v1/registry/workbook", ADMIN, 202, files={"file": (XLSX_HEAD, "名录.xlsx")}),
    Call("GET", "/api/v1/registry/workbook/{job}", ADMIN),
    # Imports: shop P01 is township T01's and the own shop of room R01.
    Call(
        "POST",
        "/api/v1/imports",
        IMPORTERS,
        202,
        files={"file": (b"a,b\n1,2\n", "orders.csv")},
        form={"shop": "P01"},
    ),
    Call("GET", "/api/v1/imports", IMPORTERS),
    Call("GET", "/api/v1/imports/{import_}", IMPORTERS),
    Call("GET", "/api/v1/imports/{import_}/errors", IMPORTERS),
    Call("GET", "/api/v1/imports/template.csv", IMPORTERS),
    Call("GET", "/api/v1/mappings", IMPORTERS),
    Call(
        "POST",
        "/api/v1/mappings",
        IMPORTERS,
        201,
        json={
            "name": "自建商城",
            "platform": "other",
            "fields": {"order_id": "单号", "paid": "金额", "paid_at": "付款时间"},
        },
    ),
    Call("DELETE", f"/api/v1/mappings/{MAPPING}", MAPPING_DELETERS, 204),
    # Live sessions: everyone reads those in scope; brand managers and viewers do not log.
    Call("GET", "/api/v1/sessions", ALL),
    Call("POST", "/api/v1/sessions", SESSION_LOGGERS, 201, json=SESSION),
    Call("GET", "/api/v1/sessions/{session}", SEES_R01, denied=404),
    Call("PATCH", "/api/v1/sessions/{session}", SESSION_LOGGERS, json={"sales": "99"}),
    Call("DELETE", "/api/v1/sessions/{session}", SESSION_LOGGERS, 204),
    # Figures: each role's own scope by default; county-wide ones for county roles only.
    Call("GET", f"/api/v1/metrics/retail?{YEAR}", ALL),
    Call("GET", "/api/v1/metrics/growth?month=2024-06", ALL),
    Call("GET", f"/api/v1/metrics/premium?brand=B01&{YEAR}", SEES_B01),
    Call("GET", f"/api/v1/metrics/sessions?room=R01&{YEAR}", SEES_R01),
    Call("GET", "/api/v1/metrics/live?year=2024", COUNTY),
    Call("GET", "/api/v1/targets/progress?year=2024", ALL),
    Call("POST", "/api/v1/months/2024-06/close", ADMIN, 201),
    Call("GET", "/api/v1/reports/monthly/2024-06.xlsx", COUNTY),
    # The lines behind figures, in each role's scope; the line is P01's through R01, unregistered.
    Call("GET", f"/api/v1/lines?{YEAR}", ALL),
    Call("GET", "/api/v1/lines/{line}", SEES_R01, denied=404),
    # 未登记商品: everyone reads the worklist of their scope; registering writes products.
    Call("GET", f"/api/v1/unregistered?{YEAR}", ALL),
    Call("GET", f"/api/v1/unregistered/workbook.xlsx?{YEAR}", ALL),
    Call(
        "POST",
        "/api/v1/unregistered/products",
        ADMIN,
        201,
        json={"platform": "抖音", "platform_product_id": "999", "code": "G09", "name": "新货"},
    ),
    Call(
        "POST",
        "/api/v1/unregistered/listings",
        ADMIN,
        201,
        json={"platform": "taobao", "merchant_code": "Y9", "product": "G01"},
    ),
)
# Served to anyone: the API's own description.
PUBLIC = {("/api/v1/openapi.json", "GET")}


@pytest.fixture(scope="module")
def module_app(
    database_url: str, _schema: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One app for this module's ~700 tests: building an app costs more than a call."""
    app = create_app(config_for_tests(database_url, tmp_path_factory.mktemp("matrix")))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(module_app: Flask) -> Iterator[Flask]:
    """The module's app with empty tables, like the `app` of tests/conftest.py."""
    with module_app.app_context():
        empty_all_tables()
    yield module_app
    with module_app.app_context():
        db.session.remove()


@pytest.fixture
def county(app: Flask) -> dict[str, Any]:
    """T01 (V0101: shop P01, room R01 with streamer Z01; empty V0102, P03, R03), T02 (V0201:
    P02, R02, Z02), empty T03; brands B01 (G01, G03) and B02 (G02), unused B03 and Z03; a
    session, an import and a target on each side; a saved mapping and a registry load.
    Returns the ids the paths of `CALLS` need."""
    with app.app_context():
        t1 = Township(code="T01", name="许营镇", county="示范县")
        t2 = Township(code="T02", name="顾乡镇", county="示范县")
        v1 = Village(code="V0101", name="东村", township=t1)
        v2 = Village(code="V0201", name="西村", township=t2)
        p1 = Shop(code="P01", platform="douyin", name="东村好物", village=v1)
        p2 = Shop(code="P02", platform="kuaishou", name="西村快手店", village=v2)
        r1 = LiveRoom(code="R01", platform="douyin", account_id="a1", village=v1, shop=p1)
        r2 = LiveRoom(code="R02", platform="douyin", account_id="a2", village=v2)
        b1 = Brand(code="B01", name="许营好品", kind="区域公用品牌")
        b2 = Brand(code="B02", name="顾乡有礼", kind="区域公用品牌")
        g1 = Product(code="G01", name="黑鸡", brand=b1, pricing_unit="只")
        g2 = Product(code="G02", name="青茶", brand=b2)
        db.session.add_all(
            [
                Township(code="T03", name="空镇", county="示范县"),
                Village(code="V0102", name="南村", township=t1),
                Shop(code="P03", platform="taobao", name="南村小店", village=v1),
                LiveRoom(code="R03", platform="kuaishou", account_id="a3", village=v1),
                Streamer(code="Z01", name="王小花", rooms=[r1]),
                Streamer(code="Z02", name="李大山", rooms=[r2]),
                Streamer(code="Z03", name="赵新人"),
                Brand(code="B03", name="新品牌", kind="企业品牌"),
                Product(code="G03", name="黑鸡蛋", brand=b1),
                g2,
            ]
        )
        rows = {
            "listing": PlatformListing(platform="douyin", platform_product_id="111", product=g1),
            "spare_listing": PlatformListing(platform="taobao", merchant_code="X1", product=g1),
            "listing_b02": PlatformListing(
                platform="douyin", platform_product_id="222", product=g2
            ),
            "baseline": BaselinePrice(product=g1, kind="pre_brand", unit_price=Decimal(20)),
            "spare_baseline": BaselinePrice(product=g1, kind="non_brand", unit_price=Decimal(18)),
            "baseline_b02": BaselinePrice(product=g2, kind="pre_brand", unit_price=Decimal(50)),
            "target": _target("T01"),
            "spare_target": _target("T01", year=2023),
            "target_t02": _target("T02"),
            "category": Category(name="禽蛋", agricultural=True),
            "spare_category": Category(name="文创"),
            "session": _session(r1, "2024-06-01 12:00"),
            "session_t02": _session(r2, "2024-06-02 12:00"),
            "import_": _import(p1, "东村6月.csv"),
            "import_t02": _import(p2, "西村6月.csv"),
            "job": RegistryLoad(file_name="名录.xlsx", stored_path="名录.xlsx"),
        }
        db.session.add_all(rows.values())
        db.session.add(ColumnMapping(name=MAPPING, platform="other", fields={"order_id": "单号"}))
        db.session.flush()
        ids = {name: row.id for name, row in rows.items()}
        for record in ("import_", "import_t02"):
            db.session.add(ImportRowError(import_id=ids[record], row=3, message="金额不是数字"))
        # One unregistered line of P01 through R01, paid in 2023 (outside the figures' 2024).
        old = {**_line(p1.id, "M1", "10", ids["import_"], r1.id), "first_import_id": ids["import_"]}
        old["paid_at"] = dt.datetime(2023, 3, 1, 4, 0)
        old["pay_day"] = day_of(old["paid_at"])
        ids["line"] = db.session.execute(
            db.insert(OrderLine).returning(OrderLine.id), [old]
        ).scalar()
        db.session.commit()
        return ids


def _target(township: str, year: int = 2024) -> Target:
    return Target(
        year=year,
        scope_type="township",
        scope_code=township,
        indicator="net_retail",
        value=Decimal(1000),
    )


def _session(room: LiveRoom, start: str) -> LiveSession:
    started = dt.datetime.fromisoformat(start)
    return LiveSession(
        room=room, started_at=started, ended_at=started + dt.timedelta(hours=2), sales=Decimal(5)
    )


def _import(shop: Shop, name: str) -> SalesImport:
    return SalesImport(
        file_name=name, sha256="0" * 64, size=1, stored_path=name, shop=shop, status="succeeded"
    )


@pytest.fixture
def signed_in(app: Flask) -> Callable[..., FlaskClient]:
    """A client of a new user with this role (and the scope of SCOPES), or an anonymous one."""

    def make(role: str, scopes: dict[str, list[str]] | None = None) -> FlaskClient:
        if role == "anonymous":
            return app.test_client()
        if scopes is None:
            scopes = SCOPES.get(role)
        return bearer_client(app, f"{role}-user", role, scopes)

    return make


def send(client: FlaskClient, call: Call, ids: dict[str, Any]) -> TestResponse:
    path = call.path.format(**ids)
    if call.files:
        data: dict[str, Any] = dict(call.form)
        data.update({name: (BytesIO(body), file) for name, (body, file) in call.files.items()})
        return client.open(path, method=call.method, data=data)
    return client.open(path, method=call.method, json=call.json)


class _AnyId(dict[str, int]):
    def __missing__(self, key: str) -> int:
        return 1


def test_every_api_route_is_in_the_matrix(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    covered = set()
    for call in CALLS:
        rule, _args = adapter.match(
            call.path.format_map(_AnyId()).split("?")[0], method=call.method, return_rule=True
        )
        covered.add((rule.rule, call.method))
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes - covered - PUBLIC == set(), "add these routes to CALLS with their roles"
    assert len(covered) == len(CALLS), "a route is listed twice in CALLS"
    assert PUBLIC <= routes


def test_the_api_description_is_public(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/imports" in response.json["paths"]


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
@pytest.mark.parametrize("call", CALLS, ids=str)
def test_role_matrix(
    call: Call, role: str, county: dict[str, Any], signed_in: Callable[..., FlaskClient]
) -> None:
    if role == "anonymous":
        expected = 401
    else:
        expected = call.ok if role in call.allowed else call.denied
    response = send(signed_in(role), call, county)

    assert response.status_code == expected, response.get_json(silent=True)
    if expected >= 400:
        # A refusal says why and carries none of the data asked for.
        assert set(response.json) <= {"code", "status", "message", "errors"}
        assert response.json["message"]


# -- rows of the caller's scope -------------------------------------------------------------

# (role, list path, field naming each row, the values a role sees)
SCOPED_LISTS = [
    ("admin", "/api/v1/sessions", "room", ["R01", "R02"]),
    ("township", "/api/v1/sessions", "room", ["R01"]),
    ("streamer", "/api/v1/sessions", "room", ["R01"]),
    ("brand", "/api/v1/sessions", "room", []),
    ("officer", "/api/v1/imports", "shop", ["P01", "P02"]),
    ("township", "/api/v1/imports", "shop", ["P01"]),
    ("streamer", "/api/v1/imports", "shop", ["P01"]),
    ("officer", "/api/v1/shops", "code", ["P01", "P02", "P03"]),
    ("township", "/api/v1/shops", "code", ["P01", "P03"]),
    ("streamer", "/api/v1/shops", "code", ["P01"]),
    ("brand", "/api/v1/shops", "code", []),
    ("township", "/api/v1/townships", "code", ["T01"]),
    ("streamer", "/api/v1/townships", "code", []),
    ("township", "/api/v1/villages", "code", ["V0101", "V0102"]),
    ("township", "/api/v1/rooms", "code", ["R01", "R03"]),
    ("streamer", "/api/v1/rooms", "code", ["R01"]),
    ("township", "/api/v1/streamers", "code", ["Z01"]),
    ("streamer", "/api/v1/streamers", "code", ["Z01"]),
    ("township", "/api/v1/targets", "scope_code", ["T01", "T01"]),
    ("admin", "/api/v1/targets", "scope_code", ["T01", "T01", "T02"]),
    ("brand", "/api/v1/targets", "scope_code", []),
    ("brand", "/api/v1/brands", "code", ["B01"]),
    ("brand", "/api/v1/products", "code", ["G01", "G03"]),
    ("brand", "/api/v1/listings", "product", ["G01", "G01"]),
    ("brand", "/api/v1/baselines", "product", ["G01", "G01"]),
    ("township", "/api/v1/products", "code", []),
    ("streamer", "/api/v1/categories", "name", ["禽蛋", "文创"]),
]


@pytest.mark.parametrize(("role", "path", "column", "expected"), SCOPED_LISTS)
def test_lists_show_only_the_rows_of_the_scope(
    role: str,
    path: str,
    column: str,
    expected: list[str],
    county: dict[str, Any],
    signed_in: Callable[..., FlaskClient],
) -> None:
    response = signed_in(role).get(path, query_string={"per_page": 200})

    assert response.status_code == 200, response.json
    assert sorted(row[column] for row in response.json["items"]) == sorted(expected)
    assert response.json["total"] == len(expected)


# (role, method, path, status): another scope's object, by id or code, never comes back.
OTHER_SCOPE = [
    ("township", "GET", "/api/v1/sessions/{session_t02}", 404),
    ("township", "PATCH", "/api/v1/sessions/{session_t02}", 404),
    ("streamer", "DELETE", "/api/v1/sessions/{session_t02}", 404),
    ("township", "GET", "/api/v1/imports/{import_t02}", 404),
    ("township", "GET", "/api/v1/imports/{import_t02}/errors", 404),
    ("streamer", "GET", "/api/v1/imports/{import_t02}?format=json", 404),
    ("township", "GET", "/api/v1/shops/P02", 404),
    ("streamer", "GET", "/api/v1/shops/P03", 404),
    ("township", "GET", "/api/v1/villages/V0201", 404),
    ("township", "GET", "/api/v1/townships/T02", 404),
    ("streamer", "GET", "/api/v1/rooms/R03", 404),
    ("township", "GET", "/api/v1/streamers/Z02", 404),
    ("township", "GET", "/api/v1/targets/{target_t02}", 404),
    ("brand", "GET", "/api/v1/brands/B02", 404),
    ("brand", "GET", "/api/v1/products/G02", 404),
    ("brand", "GET", "/api/v1/listings/{listing_b02}", 404),
    ("brand", "GET", "/api/v1/baselines/{baseline_b02}", 404),
    ("township", "GET", f"/api/v1/metrics/retail?{YEAR}&scope=township:T02", 403),
    ("township", "GET", f"/api/v1/metrics/retail?{YEAR}&scope=village:V0201", 403),
    ("township", "GET", f"/api/v1/metrics/retail?{YEAR}&scope=county", 403),
    ("streamer", "GET", f"/api/v1/metrics/retail?{YEAR}&scope=room:R02", 403),
    ("streamer", "GET", f"/api/v1/metrics/sessions?{YEAR}&room=R02", 403),
    ("streamer", "GET", f"/api/v1/metrics/sessions?{YEAR}", 403),
    ("brand", "GET", f"/api/v1/metrics/premium?brand=B02&{YEAR}", 403),
    ("brand", "GET", "/api/v1/metrics/growth?month=2024-06&scope=township:T01", 403),
]


@pytest.mark.parametrize(("role", "method", "path", "status"), OTHER_SCOPE)
def test_another_scopes_object_is_refused(
    role: str,
    method: str,
    path: str,
    status: int,
    app: Flask,
    county: dict[str, Any],
    signed_in: Callable[..., FlaskClient],
) -> None:
    response = signed_in(role).open(path.format(**county), method=method, json={"sales": "1"})

    assert response.status_code == status, response.get_json(silent=True)
    assert set(response.json) <= {"code", "status", "message", "errors"}
    with app.app_context():  # nothing was changed on the way
        live = db.session.get(LiveSession, county["session_t02"])
        assert live is not None and live.sales == Decimal(5)


def _baselines(app: Flask) -> list[tuple[Any, ...]]:
    """Every baseline as (id, product code, kind, unit price, valid from, note)."""
    with app.app_context():
        query = (
            db.select(
                BaselinePrice.id,
                Product.code,
                BaselinePrice.kind,
                BaselinePrice.unit_price,
                BaselinePrice.valid_from,
                BaselinePrice.note,
            )
            .join(BaselinePrice.product)
            .order_by(BaselinePrice.id)
        )
        return [tuple(row) for row in db.session.execute(query)]


def test_a_brand_manager_keeps_the_baselines_of_own_brands(
    app: Flask, county: dict[str, Any], signed_in: Callable[..., FlaskClient]
) -> None:
    brand = signed_in("brand")
    body = {"product": "G03", "kind": "reference", "unit_price": "12.5", "valid_from": "2024-03-01"}

    created = brand.post("/api/v1/baselines", json=body)
    assert created.status_code == 201, created.json
    assert created.json["product"] == "G03" and created.json["unit_price"] == "12.50"
    edited = brand.patch(f"/api/v1/baselines/{county['baseline']}", json={"unit_price": 21.5})
    assert edited.status_code == 200, edited.json
    assert edited.json["unit_price"] == "21.50"
    assert brand.delete(f"/api/v1/baselines/{county['spare_baseline']}").status_code == 204

    with app.app_context():
        new = db.session.get(BaselinePrice, created.json["id"])
        assert new is not None and new.product.code == "G03"
        assert new.unit_price == Decimal("12.50") and new.valid_from == dt.date(2024, 3, 1)
        old = db.session.get(BaselinePrice, county["baseline"])
        assert old is not None and old.unit_price == Decimal("21.50")
        assert db.session.get(BaselinePrice, county["spare_baseline"]) is None
    listed = brand.get("/api/v1/baselines").json["items"]
    assert sorted((row["product"], row["unit_price"]) for row in listed) == [
        ("G01", "21.50"),
        ("G03", "12.50"),
    ]


B02_PRICE = {"product": "G02", "kind": "reference", "unit_price": "60.00"}


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        # another brand's baseline, by id: as if it did not exist
        ("PATCH", "/api/v1/baselines/{baseline_b02}", {"unit_price": "60.00"}, 404),
        ("PUT", "/api/v1/baselines/{baseline_b02}", B02_PRICE, 404),
        ("DELETE", "/api/v1/baselines/{baseline_b02}", None, 404),
        # another brand's product (or an unknown one), named in the body
        ("POST", "/api/v1/baselines", B02_PRICE, 403),
        ("POST", "/api/v1/baselines", {**B02_PRICE, "product": "G99"}, 403),
        ("PATCH", "/api/v1/baselines/{baseline}", {"product": "G02"}, 403),
        ("PUT", "/api/v1/baselines/{baseline}", B02_PRICE, 403),
    ],
)
def test_a_brand_manager_cannot_change_another_brands_baselines(
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    app: Flask,
    county: dict[str, Any],
    signed_in: Callable[..., FlaskClient],
) -> None:
    before = _baselines(app)

    client = signed_in("brand")
    response = client.open(path.format(**county), method=method, json=body)

    assert response.status_code == status, response.json
    assert set(response.json) <= {"code", "status", "message", "errors"}
    message = response.json["message"]
    assert "不在您的管辖范围内" in message  # in Chinese, with no English mixed in
    assert not re.search("[A-Za-z]{4,}", message.replace("baselines", "")), message
    # The same refusal in English, when the reader reads English.
    client.get("/?lang=en")
    english = client.open(path.format(**county), method=method, json=body).json["message"]
    if status == 404:
        assert english == f"No baselines with id {county['baseline_b02']} in your scope"
    else:
        product = (body or {})["product"]
        assert english.startswith(f"Product {product} does not exist or is outside your scope")
    assert _baselines(app) == before


@pytest.fixture
def sales(app: Flask, county: dict[str, Any]) -> Iterator[None]:
    """June 2024: 100.00 sold by shop P01 (T01) through room R01, 250.00 by shop P02 (T02)."""
    with app.app_context():
        shops = dict(db.session.execute(db.select(Shop.code, Shop.id)).tuples().all())
        room = db.session.scalars(db.select(LiveRoom.id).where(LiveRoom.code == "R01")).one()
        lines = [
            _line(shops["P01"], "A1", "100", county["import_"], room),
            _line(shops["P02"], "B1", "250", county["import_t02"], None),
        ]
        db.session.execute(db.insert(OrderLine), lines)
        db.session.commit()
        rebuild_all()
        db.session.commit()
    yield


def _line(shop: int, order: str, paid: str, import_id: int, room: int | None) -> dict[str, Any]:
    paid_at = dt.datetime(2024, 6, 10, 4, 0)
    return {
        "platform": "douyin",
        "shop_id": shop,
        "order_id": order,
        "line_id": f"{order}-1",
        "raw_product_id": "X",
        "product_name": "黑鸡",
        "quantity": 1,
        "paid_amount": Decimal(paid),
        "refund_amount": Decimal(0),
        "status": "completed",
        "paid_at": paid_at,
        "pay_day": day_of(paid_at),
        "room_id": room,
        "import_id": import_id,
        "row_hash": sum(map(ord, order)),
    }


@pytest.mark.parametrize(
    ("role", "scope", "shops", "net"),
    [
        ("admin", "county", ["P01", "P02"], "350.00"),
        ("viewer", "county", ["P01", "P02"], "350.00"),
        ("township", "township:T01", ["P01"], "100.00"),
        ("streamer", "room:R01", ["P01"], "100.00"),
    ],
)
def test_retail_figures_cover_only_the_scope(
    role: str,
    scope: str,
    shops: list[str],
    net: str,
    sales: None,
    signed_in: Callable[..., FlaskClient],
) -> None:
    response = signed_in(role).get(f"/api/v1/metrics/retail?{YEAR}&by=shop")

    assert response.status_code == 200, response.json
    assert response.json["scope"] == scope
    assert sorted(row["key"] for row in response.json["rows"]) == shops
    assert response.json["total"]["net"] == net


def test_target_progress_shows_only_the_townships_rows(
    county: dict[str, Any], signed_in: Callable[..., FlaskClient]
) -> None:
    township = signed_in("township").get("/api/v1/targets/progress?year=2024").json
    officer = signed_in("officer").get("/api/v1/targets/progress?year=2024").json

    assert [row["scope"] for row in township["rows"]] == ["township:T01"]
    assert [row["scope"] for row in officer["rows"]] == ["township:T01", "township:T02"]


def test_a_scoped_upload_names_a_shop_of_the_scope_and_records_the_uploader(
    app: Flask, county: dict[str, Any], signed_in: Callable[..., FlaskClient]
) -> None:
    township = signed_in("township")

    def upload(**form: str) -> TestResponse:
        data: dict[str, Any] = {"file": (BytesIO(b"a,b\n1,2\n"), "orders.csv"), **form}
        return township.post("/api/v1/imports", data=data)

    other = upload(shop="P02")
    assert other.status_code == 403
    assert other.json["code"] == "shop_out_of_scope"
    assert "P02" in other.json["message"] and "不在您的管辖范围内" in other.json["message"]
    unknown = upload(shop="P99")
    assert unknown.status_code == 403
    missing = upload()
    assert missing.status_code == 422
    assert "shop" in missing.json["errors"]["form"] and "请选择网店" in missing.json["message"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SalesImport)) == 2

    own = upload(shop="P01")
    assert own.status_code == 202, own.json
    with app.app_context():
        record = db.session.get(SalesImport, own.json["id"])
        assert record is not None and record.created_by_id is not None
        uploader = db.session.get(User, record.created_by_id)
        assert uploader is not None and uploader.login == "township-user"
    listed = township.get("/api/v1/imports").json["items"]
    assert [item["id"] for item in listed] == [own.json["id"], county["import_"]]


def test_errors_of_an_import_in_scope_are_served(
    county: dict[str, Any], signed_in: Callable[..., FlaskClient]
) -> None:
    streamer = signed_in("streamer")
    report = streamer.get(f"/api/v1/imports/{county['import_']}/errors?format=json")

    assert report.status_code == 200
    assert [error["message"] for error in report.json] == ["金额不是数字"]


def test_a_streamer_linked_to_a_streamer_record_sees_its_rooms(
    app: Flask, county: dict[str, Any], signed_in: Callable[..., FlaskClient]
) -> None:
    """Streamer accounts usually get their rooms through the 主播 record, not a user scope."""
    client = signed_in("streamer", scopes={})
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.login == "streamer-user")).one()
        linked = db.session.scalars(db.select(Streamer).where(Streamer.code == "Z01")).one()
        linked.user_id = user.id
        db.session.commit()

    sessions = client.get("/api/v1/sessions").json["items"]
    shops = client.get("/api/v1/shops").json["items"]

    assert [item["room"] for item in sessions] == ["R01"]
    assert [item["code"] for item in shops] == ["P01"]
    assert client.get(f"/api/v1/sessions/{county['session_t02']}").status_code == 404


def test_a_saved_mapping_is_replaced_only_by_its_owner_or_the_county_centre(
    county: dict[str, Any], signed_in: Callable[..., FlaskClient]
) -> None:
    owner, other, officer = signed_in("township"), signed_in("streamer"), signed_in("officer")

    def save(client: FlaskClient, amount_column: str) -> TestResponse:
        fields = {"order_id": "单号", "paid": amount_column, "paid_at": "付款时间"}
        return client.post(
            "/api/v1/mappings", json={"name": "乡镇台账", "platform": "other", "fields": fields}
        )

    def stored_amount_column() -> str:
        mappings = owner.get("/api/v1/mappings").get_json()
        return next(m["fields"]["paid"] for m in mappings if m["name"] == "乡镇台账")

    assert save(owner, "金额").status_code == 201
    assert save(owner, "实付").status_code == 201
    refused = save(other, "应付")
    assert refused.status_code == 409
    assert "乡镇台账" in refused.get_json()["message"]
    assert stored_amount_column() == "实付"
    assert save(officer, "应付").status_code == 201
    assert stored_amount_column() == "应付"
