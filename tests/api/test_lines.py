"""GET /api/v1/lines and /api/v1/lines/<id>: filters, pages, scopes, files and line history."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from flask import Flask

from app.extensions import db
from app.ingest.service import create_import, run_import
from app.models import OrderLine, SalesImport
from tests.support import bearer_client

HEADER = (
    "平台,网店编码,订单号,子订单号,商品编码,商品名称,数量,实付金额,退款金额,支付时间,订单状态,主播"
)
LINES = [
    ("抖店", "S01", "A1", "A1-1", "P001", "富硒大米", 2, "40.00", "0", "2024-03-01 10:00:00"),
    ("抖店", "S01", "A1", "A1-2", "P002", "小米", 1, "15.50", "0", "2024-03-01 10:00:00"),
    ("抖店", "S01", "A2", "A2-1", "", "=HYPERLINK(1)", 1, "9.90", "0", "2024-03-02 11:00:00"),
    ("抖店", "S01", "A3", "A3-1", "P001", "富硒大米", 3, "60.00", "0", "2024-04-05 09:30:00"),
]


def template(path: Path, status_of: dict[str, tuple[str, str]] | None = None) -> Path:
    status_of = status_of or {}
    rows = [HEADER]
    for platform, shop, order, line, code, name, qty, paid, refund, paid_at in LINES:
        status, refund = status_of.get(line, ("已支付", refund))
        rows.append(
            f"{platform},{shop},{order},{line},{code},{name},{qty},{paid},{refund},{paid_at},{status},"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> SalesImport:
    record = create_import(path, shop_code="S01")
    return run_import(record.id)


@pytest.fixture
def lines(app: Flask, registry: None, tmp_path: Path) -> Flask:
    with app.app_context():
        result = load(template(tmp_path / "first.csv"))
        assert result.counts()["inserted"] == len(LINES), (result.status, result.message)
    return app


def test_page_total_and_filters(lines, admin):
    body = admin.get("/api/v1/lines?from=2024-03-01&to=2024-03-31").get_json()

    assert [line["line_id"] for line in body["lines"]] == ["A2-1", "A1-2", "A1-1"]
    assert body["total"] == {
        "gross": "65.40",
        "refund": "0.00",
        "net": "65.40",
        "orders": 2,
        "units": 4,
        "lines": 3,
    }
    assert body["next"] is None
    assert body["filters"] == {"from": "2024-03-01", "to": "2024-03-31"}
    first = body["lines"][-1]
    assert first["shop"]["code"] == "S01" and first["product"]["code"] == "P001"
    assert first["paid_at"].startswith("2024-03-01T10:00:00+08:00")
    assert first["import"]["file"] == "first.csv"

    product = admin.get("/api/v1/lines?product=P001").get_json()
    assert [line["line_id"] for line in product["lines"]] == ["A3-1", "A1-1"]
    unregistered = admin.get("/api/v1/lines?unregistered=1").get_json()
    assert [line["line_id"] for line in unregistered["lines"]] == ["A2-1"]
    assert unregistered["lines"][0]["product"] is None


def test_a_walk_through_the_pages_gives_every_line_once(lines, admin):
    seen, after = [], None
    while True:
        url = "/api/v1/lines?limit=1" + (f"&after={after}" if after else "")
        body = admin.get(url).get_json()
        seen += [line["id"] for line in body["lines"]]
        after = body["next"]
        if after is None:
            break
    assert len(seen) == len(set(seen)) == body["total"]["lines"] == len(LINES)


@pytest.mark.parametrize(
    "query, message",
    [
        ("limit=501", "limit"),
        ("shop=S99", "未知网店编码"),
        ("from=2024-05-01&to=2024-04-01", "to 不能早于 from"),
        ("after=garbage", "after 无效"),
        ("status=lost", "status 应为"),
    ],
)
def test_bad_parameters_are_422_in_chinese(lines, admin, query, message):
    response = admin.get(f"/api/v1/lines?{query}")
    assert response.status_code == 422
    assert message in response.get_json()["message"]


def test_scopes_and_lines_outside_them(lines):
    inside = bearer_client(lines, "t01", "township", {"township": ["T01"]})
    outside = bearer_client(lines, "t04", "township", {"township": ["T04"]})
    streamer = bearer_client(lines, "r01", "streamer", {"room": ["R01"]})
    with lines.app_context():
        line_id = db.session.scalar(db.select(OrderLine.id).where(OrderLine.line_id == "A1-1"))
        shop_township = "T01"  # S01 is a shop of 许营镇 in the sample registry

    assert inside.get("/api/v1/lines").get_json()["total"]["lines"] == len(LINES)
    assert outside.get("/api/v1/lines").get_json()["total"]["lines"] == 0
    assert streamer.get("/api/v1/lines").get_json()["total"]["lines"] == 0
    assert inside.get(f"/api/v1/lines/{line_id}").status_code == 200
    assert outside.get(f"/api/v1/lines/{line_id}").status_code == 404
    assert streamer.get(f"/api/v1/lines/{line_id}").status_code == 404
    assert outside.get(f"/api/v1/lines?scope=township:{shop_township}").status_code == 403


def test_csv_and_xlsx_hold_every_line_safely(lines, admin):
    response = admin.get("/api/v1/lines?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["行编号", "平台", "网店编码", "网店名称"]
    assert len(rows) == len(LINES) + 1
    assert "'=HYPERLINK(1)" in [row[8] for row in rows]

    response = admin.get("/api/v1/lines?format=xlsx&product=P001")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    values = list(book["订单明细"].iter_rows(values_only=True))
    assert len(values) == 3 and values[1][10] == 60.0 and values[2][10] == 40.0

    for kind in ("csv", "xlsx"):  # an unknown code is refused before any file is sent
        refused = admin.get(f"/api/v1/lines?format={kind}&shop=NOPE")
        assert refused.status_code == 422, refused.get_data()[:200]
        assert refused.mimetype == "application/json"


def test_history_after_a_newer_export_changes_a_line(lines, admin, tmp_path):
    with lines.app_context():
        result = load(template(tmp_path / "second.csv", {"A1-1": ("已退款", "40.00")}))
        assert result.counts()["updated"] == 1, (result.status, result.message)
        line_id = db.session.scalar(db.select(OrderLine.id).where(OrderLine.line_id == "A1-1"))
        second = result.id

    body = admin.get(f"/api/v1/lines/{line_id}").get_json()
    assert body["status"] == "refunded" and body["refund"] == "40.00"
    kinds = [(entry["kind"], entry["file"]) for entry in body["history"]]
    assert kinds == [("inserted", "first.csv"), ("changed", "second.csv")]
    changes = body["history"][1]["changes"]
    assert changes["status"] == {"before": "paid", "after": "refunded"}
    assert changes["refund_amount"] == {"before": "0.00", "after": "40.00"}

    touched = admin.get(f"/api/v1/lines?import={second}").get_json()
    assert [line["line_id"] for line in touched["lines"]] == ["A1-1"]
    assert touched["total"]["net"] == "0.00"


def test_a_422_names_the_parameter_that_cannot_be_read(lines, admin):
    response = admin.get("/api/v1/lines?from=2024-02-30")
    assert response.status_code == 422
    body = response.get_json()
    assert list(body["errors"]["query"]) == ["from"] and "YYYY-MM-DD" in body["message"]
    assert admin.get("/api/v1/lines?format=pdf").get_json()["errors"]["query"] == {
        "format": ["format 应为 json、csv 或 xlsx"]
    }
