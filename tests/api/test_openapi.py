"""The OpenAPI description is valid and describes what the import endpoints answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import validate as validate_json
from openapi_spec_validator import validate

from app.extensions import db
from app.ingest.service import create_import, run_import
from app.ingest.summary import import_json
from app.models import SalesImport
from tests.uploads.test_shop_choice import douyin_csv, post

WITH_ERRORS = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"  # 4 rows rejected
JSON = "application/json"


@pytest.fixture
def description(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.get_json()
    return found


def _schema(description: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    """The JSON schema of one response, with its $ref followed."""
    content = description["paths"][path][method]["responses"][status]["content"]
    schema: dict[str, Any] = content[JSON]["schema"]
    if "items" in schema:
        schema = schema["items"]
    ref = schema["$ref"].rsplit("/", 1)[-1]
    found: dict[str, Any] = description["components"]["schemas"][ref]
    return found


def test_the_whole_description_is_valid_openapi(description: dict[str, Any]) -> None:
    validate(description)
    assert description["openapi"] == "3.0.3"


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/api/v1/imports", "post", "202"),
        ("/api/v1/imports", "post", "200"),
        ("/api/v1/imports", "get", "200"),
        ("/api/v1/imports/{import_id}", "get", "200"),
        ("/api/v1/imports/{import_id}/errors", "get", "200"),
        ("/api/v1/mappings", "get", "200"),
        ("/api/v1/mappings", "post", "201"),
    ],
)
def test_every_import_endpoint_describes_its_answer(
    description: dict[str, Any], path: str, method: str, status: str
) -> None:
    assert _schema(description, path, method, status)["properties"]


def test_the_import_json_is_described_field_by_field(description: dict[str, Any]) -> None:
    schema = _schema(description, "/api/v1/imports/{import_id}", "get", "200")
    spec_fields = {"id", "file", "status", "platform", "shop", "progress", "counts", "errors"}
    assert spec_fields | {"code", "message", "notes"} <= set(schema["properties"])
    assert schema["properties"]["status"]["enum"] == ["queued", "running", "succeeded", "failed"]
    errors = _schema(description, "/api/v1/imports/{import_id}/errors", "get", "200")
    assert set(errors["properties"]) == {"row", "column", "value", "code", "message"}
    csv = description["paths"]["/api/v1/imports/{import_id}/errors"]["get"]["responses"]["200"]
    assert "text/csv" in csv["content"]


@pytest.fixture
def finished(app: Flask, registry: None, samples: Path) -> int:
    """The sample export with rejected rows, imported (synchronously) into shop S01."""
    with app.app_context():
        record = create_import(
            samples / "exports" / WITH_ERRORS, platform="douyin", shop_code="S01"
        )
        run_import(record.id)
        return record.id


def test_the_answers_carry_the_whole_import_json(
    app: Flask, admin: FlaskClient, finished: int
) -> None:
    """The response schemas leave nothing out of what the service says about an import."""
    with app.app_context():
        record = db.session.get(SalesImport, finished)
        assert record is not None
        whole = import_json(record)
        every_error = import_json(record, errors_shown=1_000_000)["errors"]
    assert whole["counts"]["rejected"] == 4
    assert admin.get(f"/api/v1/imports/{finished}").get_json() == whole
    listed = admin.get("/api/v1/imports").get_json()
    assert listed["total"] == 1 and listed["page"] == 1 and listed["pages"] == 1
    assert listed["items"] == [{**whole, "errors": []}]
    errors = admin.get(f"/api/v1/imports/{finished}/errors?format=json")
    assert errors.get_json() == every_error
    assert len(every_error) == 4 and all(error["message"] for error in every_error)
    report = admin.get(f"/api/v1/imports/{finished}/errors")
    assert report.mimetype == "text/csv"
    assert len(report.get_data(as_text=True).strip().splitlines()) == 1 + 4
    assert admin.get(f"/api/v1/imports/{finished}/errors?format=pdf").status_code == 422


def test_the_mappings_answer_as_saved(admin: FlaskClient) -> None:
    mapping = {
        "name": "村里的表格",
        "platform": "other",
        "fields": {"order_id": "订单号", "paid_at": "下单时间", "paid": "实付"},
    }
    saved = admin.post("/api/v1/mappings", json=mapping)
    assert saved.status_code == 201, saved.get_json()
    assert saved.get_json() == mapping
    assert admin.get("/api/v1/mappings").get_json() == [mapping]


def test_an_upload_that_needs_its_shop_answers_as_described(
    description: dict[str, Any], admin: FlaskClient, registry: None
) -> None:
    """The 422 of a file that names no shop while several fit: the shops to choose among."""
    schema = _schema(description, "/api/v1/imports", "post", "422")
    candidate = description["components"]["schemas"]["ShopCandidate"]
    assert set(candidate["properties"]) == {"code", "name", "platform"}
    assert "shop_required" in schema["properties"]["code"]["description"]
    assert schema["properties"]["candidates"]["items"]["$ref"].endswith("/ShopCandidate")

    answer = post(admin, douyin_csv("O"))

    assert answer.status_code == 422, answer.get_json()
    body = answer.get_json()
    assert body["code"] == "shop_required" and len(body["candidates"]) > 1
    # The answer holds to the described schema, its candidates to theirs.
    validate_json(body, {**schema, "properties": {**schema["properties"], "candidates": {}}})
    for shop in body["candidates"]:
        validate_json(shop, candidate)
    # A form that cannot be read answers 422 in the same described shape.
    unread = admin.post("/api/v1/imports", data={}, content_type="multipart/form-data")
    assert unread.status_code == 422
    validate_json(unread.get_json(), schema)
