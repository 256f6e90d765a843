"""The registry's write service refuses with stable codes and leaves nothing half-saved."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask

from app.auth import AccessScope
from app.extensions import db
from app.models import BaselinePrice, Brand, Product, Township, Village
from app.registry import load_workbook, records
from app.registry.records import RegistryError
from app.registry.resources import resource

COUNTY = AccessScope(role="admin", county=True, read_only=False)


@pytest.fixture
def county(app: Flask, samples: Path) -> None:
    with app.app_context():
        assert load_workbook(samples / "registry.xlsx").rejected == 0


def refusal(call: object, *args: object, **kwargs: object) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


def test_a_new_village_is_saved_and_found_by_code(app: Flask, county: None) -> None:
    villages = resource("villages")
    with app.app_context():
        data = records.load(villages, {"code": "T01V99", "name": "新村", "township": "T01"})
        records.write(villages, None, data, scope=COUNTY)
        found = records.find(villages, "T01V99", scope=COUNTY)
        assert (found.name, found.township.code) == ("新村", "T01")


def test_bad_values_are_invalid_by_field_and_nothing_is_stored(app: Flask, county: None) -> None:
    villages = resource("villages")
    with app.app_context():
        error = refusal(records.load, villages, {"code": "", "name": "新村"})
        assert error.code == "invalid"
        assert set(error.field_errors) == {"code", "township"}
        data = records.load(villages, {"code": "T01V99", "name": "新村", "township": "T99"})
        error = refusal(records.write, villages, None, data, scope=COUNTY)
        assert error.code == "invalid"
        assert error.field_errors == {"township": ["乡镇编码“T99”不存在，请先登记该乡镇"]}
        assert db.session.scalar(db.select(Village).where(Village.code == "T01V99")) is None


def test_a_taken_code_is_a_conflict_and_the_row_keeps_its_values(app: Flask, county: None) -> None:
    townships = resource("townships")
    with app.app_context():
        before = db.session.scalar(db.select(Township.name).where(Township.code == "T02"))
        error = refusal(records.write, townships, "T02", {"code": "T01"}, scope=COUNTY)
        assert (error.code, error.message) == ("conflict", "乡镇编码“T01”已存在")
        assert db.session.scalar(db.select(Township.name).where(Township.code == "T02")) == before
        assert db.session.scalar(db.select(Township).where(Township.code == "T02")) is not None


def test_a_township_in_use_is_not_removed(app: Flask, county: None) -> None:
    townships = resource("townships")
    with app.app_context():
        error = refusal(records.remove, townships, "T01", scope=COUNTY)
        assert error.code == "in_use" and "T01" in error.message
        assert records.find(townships, "T01", scope=COUNTY).code == "T01"
        assert refusal(records.find, townships, "T99", scope=COUNTY).code == "not_found"


def test_a_brand_manager_writes_baselines_of_its_own_products_only(
    app: Flask, county: None
) -> None:
    baselines = resource("baselines")
    with app.app_context():
        brand = db.session.scalars(db.select(Brand).order_by(Brand.code)).first()
        assert brand is not None
        own = db.session.scalars(db.select(Product).where(Product.brand_id == brand.id)).first()
        other = db.session.scalars(
            db.select(Product).where((Product.brand_id != brand.id) | Product.brand_id.is_(None))
        ).first()
        assert own is not None and other is not None
        scope = AccessScope(role="brand", brands=frozenset({brand.code}), read_only=False)
        values = {"kind": "reference", "unit_price": "9.50"}
        data = records.load(baselines, {**values, "product": other.code})
        error = refusal(records.write, baselines, None, data, scope=scope)
        assert error.code == "out_of_scope"
        saved = records.write(
            baselines, None, records.load(baselines, {**values, "product": own.code}), scope=scope
        )
        assert db.session.get(BaselinePrice, saved.id).unit_price == Decimal("9.50")
