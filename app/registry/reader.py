"""Reading the registry workbook with python-calamine into rows keyed by header."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

# The workbook files the registry reads (the API's upload and the page's file input say the same).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
# An .xlsx/.xlsm/.xlsb/.ods is a zip; an .xls is an OLE compound file.
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# An .xlsx is a zip; refuse ones that would inflate past this (a zip bomb, or not a registry).
MAX_UNPACKED_BYTES = 300 * 1024 * 1024


class RegistryFileError(Exception):
    """The file cannot be read as a workbook at all; the message says what to do."""


@dataclass
class SheetRow:
    number: int  # as Excel shows it: the header is row 1
    values: dict[str, Any]


@dataclass
class RawSheet:
    name: str
    header_row: int = 1
    headers: list[str] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)


def normalise_header(value: Any) -> str:
    """`平台店铺Id ` and `*平台店铺ID` both mean 平台店铺ID."""
    return re.sub(r"\s+", "", str(value)).strip("*").upper()


def read_workbook(path: str | Path) -> list[RawSheet]:
    """Every sheet of the workbook, in workbook order, with its header and non-blank rows."""
    path = Path(path)
    _check_unpacked_size(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = [
            _read_sheet(name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in workbook.sheet_names
        ]
    except (CalamineError, OSError) as exc:
        raise RegistryFileError(
            f"无法读取文件“{path.name}”：它不是有效的 Excel 工作簿（{exc}）。"
            "请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传。"
        ) from exc
    return sheets


def _check_unpacked_size(path: Path) -> None:
    if not zipfile.is_zipfile(path):
        return  # .xls is not a zip; calamine reads it as is
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise RegistryFileError(
            f"文件“{path.name}”已损坏，无法打开。请重新导出或另存为 .xlsx 后再上传。"
        ) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise RegistryFileError(
            f"文件“{path.name}”解压后超过 {MAX_UNPACKED_BYTES // 1024 // 1024} MB，"
            "不像是名录工作簿。请删除多余的工作表或内容后再上传。"
        )


def _read_sheet(name: str, grid: list[list[Any]]) -> RawSheet:
    sheet = RawSheet(name=name.strip())
    header_index = next((i for i, row in enumerate(grid) if not _blank(row)), None)
    if header_index is None:
        return sheet
    sheet.header_row = header_index + 1
    header_cells = grid[header_index]
    positions: dict[str, int] = {}
    for position, cell in enumerate(header_cells):
        header = normalise_header(cell)
        if header and header not in positions:
            positions[header] = position
    sheet.headers = list(positions)
    for index in range(header_index + 1, len(grid)):
        cells = grid[index]
        if _blank(cells):
            continue
        values = {
            header: cells[position] if position < len(cells) else ""
            for header, position in positions.items()
        }
        sheet.rows.append(SheetRow(number=index + 1, values=values))
    return sheet


def _blank(cells: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)
