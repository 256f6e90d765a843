"""The CSV of /api/v1/lines cell by cell: the same file on SQLite (written by Cunbo) and on
PostgreSQL (written by the database's COPY), checked against the stored lines themselves."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Flask

from app.beijing import to_beijing
from app.codes import LINE_STATUSES, PLATFORMS
from app.extensions import db
from app.ingest.service import create_import, run_import
from app.models import OrderLine, Product, SalesImport

HEADER = (
    "平台,网店编码,订单号,子订单号,商品编码,商品名称,数量,实付金额,退款金额,支付时间,订单状态,主播"
)
ROWS = [
    "抖店,S01,B1,B1-1,P001,富硒大米,2,40.00,0,2024-03-01 10:00:00,已支付,",
    "抖店,S01,B1,B1-2,,=HYPERLINK(1),1,9.90,0,2024-03-01 10:00:00,已支付,",
    "抖店,S01,B2,B2-1,,-12.5,1,5.00,0,2024-03-02 08:00:00,已支付,@某主播",
    '抖店,S01,B3,B3-1,,"逗号,和""引号""",1,7.10,2.10,2024-03-03 23:59:59,部分退款,',
    "抖店,S01,B4,B4-1,,+86 腊肉,1,12.00,12.00,2024-03-04 00:00:01,已退款,",
]


def expected_rows(import_id: int) -> list[list[str]]:
    """What a clerk must find in the file, built from the stored lines one by one."""
    lines = db.session.scalars(
        db.select(OrderLine).order_by(
            OrderLine.pay_day.desc(), OrderLine.paid_at.desc(), OrderLine.id.desc()
        )
    )
    upload = db.session.get(SalesImport, import_id)
    assert upload is not None

    def cell(text: str | None) -> str:
        if not text:
            return ""
        number = text.lstrip("+-").replace(".", "", 1).isdigit()
        return "'" + text if text[0] in "=+-@" and not number else text

    rows = []
    for line in lines:
        product = db.session.get(Product, line.product_id) if line.product_id else None
        assert line.paid_at is not None
        rows.append(
            [
                str(line.id),
                PLATFORMS[line.platform],
                line.shop.code,
                cell(line.shop.name),
                line.order_id,
                line.line_id,
                product.code if product else "",
                cell(product.name if product else line.product_name),
                cell(line.product_name),
                str(line.quantity),
                f"{line.paid_amount:.2f}",
                f"{line.refund_amount:.2f}",
                f"{line.paid_amount - line.refund_amount:.2f}",
                LINE_STATUSES[line.status],
                cell(line.raw_status),
                to_beijing(line.paid_at).strftime("%Y-%m-%d %H:%M:%S"),
                "",
                cell(line.streamer_nickname),
                "",
                line.source,
                str(import_id),
                upload.file_name,
            ]
        )
    return rows


def test_the_csv_holds_each_stored_line_cell_by_cell(
    app: Flask, registry: None, tmp_path: Path, admin
) -> None:
    path = tmp_path / "三月.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    with app.app_context():
        result = run_import(create_import(path, shop_code="S01").id)
        assert result.counts()["inserted"] == len(ROWS), (result.status, result.message)
        expected = expected_rows(result.id)

    body = admin.get("/api/v1/lines?format=csv").get_data()

    assert body.startswith("\ufeff行编号,平台,".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))
    assert rows[1:] == expected
    names = [row[8] for row in rows[1:]]  # the exported names, made safe where they would run
    assert sorted(names) == sorted(
        ["富硒大米", "'=HYPERLINK(1)", "-12.5", '逗号,和"引号"', "'+86 腊肉"]
    )
    assert [row[17] for row in rows[1:]].count("'@某主播") == 1
    assert b"\r" not in body  # one line end, whichever database wrote the rows


def test_the_csv_holds_the_lines_each_filter_chooses(
    app: Flask, registry: None, tmp_path: Path, admin
) -> None:
    path = tmp_path / "三月.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    with app.app_context():
        run_import(create_import(path, shop_code="S01").id)
    for query in (
        "from=2024-03-02&to=2024-03-03",
        "status=refunded",
        "product=P001",
        "unregistered=1",
        "changed_after=2000-01-01T00:00:00",
        "changed_after=2099-01-01T00:00:00",
    ):
        answer = admin.get(f"/api/v1/lines?{query}")
        assert answer.status_code == 200, (query, answer.get_json())
        total = answer.get_json()["total"]["lines"]
        body = admin.get(f"/api/v1/lines?{query}&format=csv").get_data().decode("utf-8")
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
        assert len(rows) == total, query
        assert total or query.startswith("changed_after=2099"), query
