"""`cunbo registry load|export`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from python_calamine import CalamineWorkbook


def test_load_prints_a_summary(runner: FlaskCliRunner, samples: Path) -> None:
    result = runner.invoke(args=["registry", "load", str(samples / "registry.xlsx")])

    assert result.exit_code == 0, result.output
    assert "直播场次" in result.output
    assert "1420" in result.output
    assert "合计" in result.output


def test_load_json_reports_rejected_rows_with_exit_0(
    runner: FlaskCliRunner, make_workbook: Callable[..., Path]
) -> None:
    path = make_workbook({"乡镇": [["T01", "许营镇", "高新区"], ["T02", "", "高新区"]]})

    result = runner.invoke(args=["registry", "load", str(path), "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["sheets"]["乡镇"] == {"inserted": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert report["errors"] == [
        {
            "sheet": "乡镇",
            "row": 3,
            "column": "乡镇名称",
            "value": "",
            "message": "“乡镇名称”不能为空",
        }
    ]


def test_unreadable_file_exits_2(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_text("not a workbook", encoding="utf-8")

    result = runner.invoke(args=["registry", "load", str(path)])

    assert result.exit_code == 2
    assert "名录未导入" in result.output


def test_export_writes_the_workbook(runner: FlaskCliRunner, samples: Path, tmp_path: Path) -> None:
    runner.invoke(args=["registry", "load", str(samples / "registry.xlsx")])
    target = tmp_path / "out.xlsx"

    result = runner.invoke(args=["registry", "export", str(target)])

    assert result.exit_code == 0, result.output
    assert "直播场次 1420 行" in result.output
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("乡镇").to_python()
    assert sheet[0] == ["乡镇编码", "乡镇名称", "县区"]
    assert len(sheet) == 5


def test_a_load_from_the_command_line_is_in_the_loads_history(
    app: Flask, runner: FlaskCliRunner, samples: Path, tmp_path: Path
) -> None:
    """The workbook page lists it like an upload: 已完成 with its counts, the file kept."""
    from app.extensions import db
    from app.models import RegistryLoad

    runner.invoke(args=["registry", "load", str(samples / "registry.xlsx")])
    broken = tmp_path / "坏名录.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    runner.invoke(args=["registry", "load", str(broken)])

    with app.app_context():
        loads = db.session.scalars(db.select(RegistryLoad).order_by(RegistryLoad.id)).all()
    assert [(job.file_name, job.status) for job in loads] == [
        ("registry.xlsx", "succeeded"),
        ("坏名录.xlsx", "failed"),
    ]
    assert loads[0].result["sheets"]["直播场次"]["inserted"] == 1420
    assert Path(loads[0].stored_path).is_file()  # a copy, under the upload folder
    assert loads[1].code == "registry_rejected" and loads[1].message
