"""RELIABILITY #16: every file Cunbo writes keeps user text from running as a formula.

The monthly report has its own test in tests/metrics/test_reports.py; here the registry
workbook export and the error report CSV, through the one helper in app.spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from flask import Flask

from app.extensions import db
from app.ingest.summary import errors_csv
from app.models import (
    BaselinePrice,
    Brand,
    ImportRowError,
    Product,
    SalesImport,
    Shop,
    Township,
    Village,
)
from app.registry.exporter import export_workbook
from app.spreadsheet import csv_value, runs_as_formula
from tests.spreadsheets import ATTACKS, cell_values, csv_formula_fields, formula_cells


def test_the_rule() -> None:
    for text in (*ATTACKS, "\r=1+1", "=", "-", "+-1", "-Infinity", "- 5"):
        assert runs_as_formula(text), text
        assert csv_value(text) == "'" + text
    for text in ("-12.50", "+3", "-1e5", "许营镇", "a=b", "", "1-1"):
        assert not runs_as_formula(text), text
        assert csv_value(text) == text
    assert csv_value(Decimal("-3.50")) == Decimal("-3.50")
    assert csv_value(-7) == -7


def test_registry_export_writes_attacks_as_text_and_amounts_as_numbers(
    app_ctx: Flask, tmp_path: Path
) -> None:
    hyperlink, command, arithmetic, at_sum, tab = ATTACKS
    township = Township(code="T01", name=hyperlink, county=command)
    village = Village(code="V01", name=at_sum, township=township)
    shop = Shop(code="P01", platform="douyin", name=tab, platform_shop_id="\r=2+2", village=village)
    brand = Brand(code="B01", name=arithmetic, kind="区域公用品牌")
    product = Product(code="G01", name=hyperlink, brand=brand, producer="-合作社")
    baseline = BaselinePrice(
        product=product,
        kind="reference",
        unit_price=Decimal("12.50"),
        valid_from=dt.date(2024, 1, 1),
        note="@备注",
    )
    db.session.add_all([township, village, shop, brand, product, baseline])
    db.session.commit()
    path = tmp_path / "registry.xlsx"
    export_workbook(path)
    data = path.read_bytes()

    assert formula_cells(data) == []
    assert cell_values(data, "乡镇")[1] == ("T01", hyperlink, command)
    shop_row = cell_values(data, "网店")[1]
    assert shop_row[0] == "P01" and shop_row[3] == tab
    price = cell_values(data, "基准价")[1][2]
    assert price == 12.5 and isinstance(price, float)


def test_error_report_csv_neutralises_text_but_not_numbers(app_ctx: Flask) -> None:
    record = SalesImport(
        file_name="orders.csv", sha256="0" * 64, size=1, stored_path="/nowhere", status="succeeded"
    )
    values = [*ATTACKS, "\r=1+1", "-12.50", "1,5"]
    record.errors = [
        ImportRowError(row=row, column="实付金额", value=value, message="金额无法识别")
        for row, value in enumerate(values, start=2)
    ]
    db.session.add(record)
    db.session.commit()

    text = errors_csv(record)

    assert csv_formula_fields(text) == []
    shown = {int(row[0]): row[2] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert shown[2] == "'" + ATTACKS[0]
    assert shown[len(values) + 1] == "1,5"
    assert shown[len(values)] == "-12.50"  # a negative amount is left as it is
