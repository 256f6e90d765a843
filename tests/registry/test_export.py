"""Exporting the registry: the same sheets and headers, loadable again without changes."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from flask import Flask
from python_calamine import CalamineWorkbook

from app.extensions import db
from app.models import Township
from app.registry import export_workbook, load_workbook
from app.registry.sheets import SHEETS


def read_back(path: Path) -> dict[str, list[list[Any]]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def empty_database() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_export_has_every_sheet_with_its_headers(
    app_ctx: Flask, samples: Path, tmp_path: Path
) -> None:
    load_workbook(samples / "registry.xlsx")

    written = export_workbook(tmp_path / "export.xlsx")

    sheets = read_back(tmp_path / "export.xlsx")
    assert list(sheets) == [spec.name for spec in SHEETS]
    for spec in SHEETS:
        assert sheets[spec.name][0] == list(spec.columns)
    assert written["直播场次"] == 1420
    assert written["平台商品"] == 40
    assert sheets["网店"][5][:2] == ["S05", "淘宝/天猫"]
    # Times go back out in Beijing time, as they came in.
    assert sheets["直播场次"][1][:2] == ["R01", "Z01"]
    assert str(sheets["直播场次"][1][2]) == "2023-01-01 20:19:00"
    assert sheets["目标"][1] == [2024.0, "", "县", "高新区", "网络零售额", 308333.0]


def test_round_trip_changes_nothing(app_ctx: Flask, samples: Path, tmp_path: Path) -> None:
    first = load_workbook(samples / "registry.xlsx")
    export_workbook(tmp_path / "one.xlsx")

    reloaded = load_workbook(tmp_path / "one.xlsx")
    totals = reloaded.totals()
    assert (totals.inserted, totals.updated, totals.rejected) == (0, 0, 0)
    assert totals.unchanged == first.totals().inserted

    empty_database()
    fresh = load_workbook(tmp_path / "one.xlsx")
    assert fresh.errors == []
    assert {name: c.inserted for name, c in fresh.sheets.items()} == {
        name: c.inserted for name, c in first.sheets.items()
    }
    export_workbook(tmp_path / "two.xlsx")
    assert read_back(tmp_path / "two.xlsx") == read_back(tmp_path / "one.xlsx")


def test_text_that_looks_like_a_formula_stays_text(app_ctx: Flask, tmp_path: Path) -> None:
    db.session.add(Township(code="T01", name='=HYPERLINK("http://x","点我")', county="+高新区"))
    db.session.commit()

    export_workbook(tmp_path / "export.xlsx")

    with zipfile.ZipFile(tmp_path / "export.xlsx") as archive:
        sheet_xml = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
        styles = archive.read("xl/styles.xml").decode()
    assert not any(b"<f>" in xml for xml in sheet_xml)
    assert 'quotePrefix="1"' in styles
    row = read_back(tmp_path / "export.xlsx")["乡镇"][1]
    assert row == ["T01", '=HYPERLINK("http://x","点我")', "+高新区"]
