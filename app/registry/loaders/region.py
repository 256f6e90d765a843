"""乡镇 and 村 sheets."""

from __future__ import annotations

from typing import Any

from app.models import Township, Village
from app.registry.cells import Cells
from app.registry.loaders.common import NAME, code_map, upsert_by_code
from app.registry.reader import RawSheet
from app.registry.result import RowError, SheetCounts
from app.registry.values import limited


def load_townships(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    def build(cells: Cells) -> dict[str, Any]:
        return {
            "name": cells.get("乡镇名称", NAME, required=True),
            "county": cells.get("县区", limited(100), required=True),
        }

    return upsert_by_code(sheet, errors, Township, "乡镇编码", build)


def load_villages(sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    townships = code_map(Township)

    def build(cells: Cells) -> dict[str, Any]:
        return {
            "name": cells.get("村名称", NAME, required=True),
            "township_id": cells.ref("乡镇编码", townships, "乡镇", required=True),
        }

    return upsert_by_code(sheet, errors, Village, "村编码", build)
