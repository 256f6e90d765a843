"""One demo county generated per test session, and readers for what it wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.demo import write_demo_county

from .demo_readers import TODAY, read_export, read_sheets


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, write_demo_county(folder, seed=7, today=TODAY)


@pytest.fixture(scope="session")
def registry(demo: tuple[Path, list[dict]]) -> dict[str, list[dict[str, object]]]:
    """The registry workbook, each sheet as a list of {header: value}."""
    sheets = read_sheets(demo[0] / "registry.xlsx")
    return {
        name: [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        for name, rows in sheets.items()
    }


@pytest.fixture(scope="session")
def exports(demo: tuple[Path, list[dict]]) -> list[tuple[dict, str | None, list[dict]]]:
    """(manifest entry, sheet name, rows) for every export in upload order."""
    folder, manifest = demo
    return [(entry, *read_export(folder, entry)) for entry in manifest]
