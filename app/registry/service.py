"""Loading a registry workbook: every sheet optional, idempotent by code, all errors kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import DataError, IntegrityError

from app.extensions import db
from app.ingest.rematch import listing_products, rematch_after_registry_change
from app.models.versions import bump_data_version
from app.registry.categories import ensure_categories
from app.registry.loaders.catalog import (
    load_baselines,
    load_brands,
    load_listings,
    load_products,
)
from app.registry.loaders.commerce import load_rooms, load_shops, load_streamers
from app.registry.loaders.live import load_sessions
from app.registry.loaders.region import load_townships, load_villages
from app.registry.loaders.targets import load_targets
from app.registry.reader import RawSheet, RegistryFileError, read_workbook
from app.registry.result import LoadResult, RowError, SheetCounts
from app.registry.sheets import SHEETS, SHEETS_BY_NAME, SheetSpec

SheetLoader = Callable[[RawSheet, list[RowError]], SheetCounts]

# Dependency order: a sheet may refer to any sheet above it.
LOADERS: dict[str, SheetLoader] = {
    "乡镇": load_townships,
    "村": load_villages,
    "网店": load_shops,
    "直播间": load_rooms,
    "主播": load_streamers,
    "品牌": load_brands,
    "商品": load_products,
    "平台商品": load_listings,
    "基准价": load_baselines,
    "目标": load_targets,
    "直播场次": load_sessions,
}
SHEET_LIST = "、".join(sheet.name for sheet in SHEETS)


def load_workbook(
    path: str | Path,
    *,
    file_name: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> LoadResult:
    """Load every known sheet of the workbook at `path`, committing sheet by sheet.

    Raises RegistryFileError when the file is not a readable workbook or holds no registry
    sheet; otherwise bad rows and bad sheets are reported in the result and the rest loads.
    """
    result = LoadResult(file=file_name or Path(path).name)
    found = _known_sheets(read_workbook(path), result)
    ensure_categories()
    db.session.commit()
    listed = listing_products()
    for index, spec in enumerate(SHEETS, start=1):
        sheet = found.get(spec.name)
        if sheet is not None:
            result.sheets[spec.name] = _load_sheet(spec, sheet, result.errors)
        if progress is not None:
            progress(index / len(SHEETS))
    if "商品" in found or "平台商品" in found:  # stored lines may match new listings now
        rematch_after_registry_change(listed)
        db.session.commit()
    return result


def _known_sheets(sheets: list[RawSheet], result: LoadResult) -> dict[str, RawSheet]:
    found: dict[str, RawSheet] = {}
    for sheet in sheets:
        if sheet.name in SHEETS_BY_NAME:
            found[sheet.name] = sheet
        elif sheet.headers:  # an empty Sheet1 left by Excel is no mistake
            result.errors.append(
                RowError(
                    sheet.name,
                    None,
                    None,
                    None,
                    f"无法识别的工作表“{sheet.name}”，已跳过。名录的工作表名应为：{SHEET_LIST}",
                )
            )
    if not found:
        names = "、".join(sheet.name for sheet in sheets) or "无"
        raise RegistryFileError(
            f"工作簿里没有名录工作表（找到的工作表：{names}）。"
            f"工作表名应为：{SHEET_LIST}；可先导出一份名录作为模板。"
        )
    return found


def _load_sheet(spec: SheetSpec, sheet: RawSheet, errors: list[RowError]) -> SheetCounts:
    missing = [column for column in spec.required if column not in sheet.headers]
    if spec.any_of and not any(column in sheet.headers for column in spec.any_of):
        missing.append("或".join(spec.any_of))
    if missing:
        errors.append(
            RowError(
                spec.name,
                sheet.header_row,
                "、".join(missing),
                None,
                f"“{spec.name}”表缺少必需的列：{'、'.join(missing)}；"
                f"本表第 {sheet.header_row} 行找到的列：{'、'.join(sheet.headers) or '无'}。"
                "请补上这些列名后重新上传，本表未导入。",
            )
        )
        return SheetCounts(rejected=len(sheet.rows))
    try:
        counts = LOADERS[spec.name](sheet, errors)
        bump_data_version(db.session)
        db.session.commit()
    except (IntegrityError, DataError) as exc:
        db.session.rollback()
        errors.append(
            RowError(
                spec.name,
                None,
                None,
                None,
                f"“{spec.name}”表写入数据库时被拒绝，本表未导入：{exc.orig}",
            )
        )
        return SheetCounts(rejected=len(sheet.rows))
    return counts
