"""Run one sales import: read the stored file in chunks, match, load, count, report."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.ingest import ImportFileError, open_export
from app.ingest.loader import LoadResult, frame_for_staging, load_chunk
from app.ingest.matching import Matcher, shops_by_reference
from app.ingest.storage import open_password, seal_password, store_path
from app.metrics.rollups import refresh_days
from app.models import ColumnMapping, ImportRowError, SalesImport, Shop, utcnow
from app.models.sales import COUNT_NAMES

log = logging.getLogger(__name__)


class TransientImportError(RuntimeError):
    """The database was briefly unavailable; the import is queued again."""


def create_import(
    path: str | Path,
    *,
    file_name: str | None = None,
    platform: str | None = None,
    shop_code: str | None = None,
    password: str | None = None,
    mapping_name: str | None = None,
    user_id: int | None = None,
    stored: tuple[Path, str, int] | None = None,
) -> SalesImport:
    """Keep the file (content-addressed) and create its import row, committed and `queued`."""
    if stored is None:
        stored = store_path(path, current_app.config["UPLOAD_FOLDER"])
    stored_path, sha, size = stored
    shop = None
    if shop_code:
        shop = db.session.scalar(select(Shop).where(Shop.code == shop_code))
        if shop is None:
            raise ImportFileError(f"网店编码“{shop_code}”不存在，请先在名录中登记该网店。")
    if (
        mapping_name
        and db.session.scalar(select(ColumnMapping.id).where(ColumnMapping.name == mapping_name))
        is None
    ):
        raise ImportFileError(f"列映射“{mapping_name}”不存在。")
    record = SalesImport(
        file_name=file_name or Path(path).name,
        sha256=sha,
        size=size,
        stored_path=str(stored_path),
        platform=platform or (shop.platform if shop else None),
        shop_id=shop.id if shop else None,
        mapping_name=mapping_name,
        sealed_password=seal_password(password, current_app.config["SECRET_KEY"])
        if password
        else None,
        created_by_id=user_id,
        status="queued",
        heartbeat_at=utcnow(),
        warnings=[],
    )
    db.session.add(record)
    db.session.commit()
    return record


def run_import(
    import_id: int, on_chunk: Callable[[SalesImport], None] | None = None
) -> SalesImport:
    """Process a queued import; safe to run twice: only the run that claims it does the work."""
    record = db.session.get(SalesImport, import_id)
    if record is None:
        raise LookupError(f"import {import_id} not found")
    if record.attempts >= current_app.config["IMPORT_MAX_ATTEMPTS"] and record.status == "queued":
        return _fail(record, "多次尝试导入均未完成，已停止。请检查文件后重新上传。")
    if not _claim(record):
        return record
    try:
        _process(record, on_chunk)
    except ImportFileError as exc:
        db.session.rollback()
        return _fail(record, str(exc))
    except OperationalError as exc:
        db.session.rollback()
        record.status = "queued"
        record.message = "数据库暂时不可用，稍后自动重试。"
        db.session.commit()
        raise TransientImportError(str(exc)) from exc
    except Exception:
        db.session.rollback()
        log.exception("import %s crashed", import_id)
        _fail(record, "导入时发生内部错误，已记录；请联系管理员。(internal error)")
        raise
    return record


def _claim(record: SalesImport) -> bool:
    """Move a queued import to running, atomically, so two workers never process one file."""
    now = utcnow()
    claimed = db.session.execute(
        update(SalesImport)
        .where(SalesImport.id == record.id, SalesImport.status == "queued")
        .values(
            status="running",
            attempts=SalesImport.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0.0,
            message=None,
            **dict.fromkeys(COUNT_NAMES, 0),
        )
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
    if claimed:
        db.session.execute(delete(ImportRowError).where(ImportRowError.import_id == record.id))
    db.session.commit()
    db.session.refresh(record)
    return bool(claimed)


def _fail(record: SalesImport, message: str) -> SalesImport:
    record.status = "failed"
    record.message = message
    record.finished_at = utcnow()
    record.sealed_password = None
    db.session.commit()
    return record


def _process(record: SalesImport, on_chunk: Callable[[SalesImport], None] | None) -> None:
    mapping = None
    if record.mapping_name:
        saved = db.session.scalar(
            select(ColumnMapping).where(ColumnMapping.name == record.mapping_name)
        )
        mapping = saved.fields if saved else None
    reader = open_export(
        record.stored_path,
        platform=record.platform,
        password=open_password(record.sealed_password, current_app.config["SECRET_KEY"]),
        mapping=mapping,
        filename=record.file_name,
        chunk_rows=current_app.config["IMPORT_CHUNK_ROWS"],
    )
    record.platform = reader.platform
    record.kind = reader.kind
    record.export_time = reader.export_time or record.created_at
    record.warnings = list(reader.warnings)  # shown while it runs; complete once it is read
    matcher = Matcher.load(db.session, reader.platform, own_codes=reader.kind == "template")
    shops = shops_by_reference(db.session, reader.platform)
    touched: set[tuple[dt.date, int]] = set()
    for chunk in reader.iter_chunks():
        lines, shop_errors = _assign_shops(chunk.lines, record, shops)
        lines, duplicate_errors = _drop_duplicates(lines)
        errors = [*chunk.errors, *shop_errors, *duplicate_errors]
        result = LoadResult()
        if not lines.empty:
            lines["platform"] = reader.platform
            frame = frame_for_staging(matcher.apply(lines), record.id, record.export_time)
            result = load_chunk(db.session.connection(), frame)
        touched |= result.days
        _record_chunk(record, chunk.rows_read, result, errors, chunk.progress)
        db.session.commit()
        if on_chunk is not None:
            on_chunk(record)
    refresh_days({day for day, _ in touched}, {shop for _, shop in touched})
    record.warnings = list(reader.warnings)
    record.status = "succeeded"
    record.progress = 1.0
    record.finished_at = utcnow()
    record.sealed_password = None
    if record.read == 0:
        record.message = "文件中没有订单行。"
    db.session.commit()


def _assign_shops(
    lines: pd.DataFrame, record: SalesImport, shops: dict[str, int]
) -> tuple[pd.DataFrame, list[Any]]:
    """The upload's shop, or the shop each row names; rows naming an unknown shop are errors."""
    from app.ingest import RowError

    if record.shop_id is not None:
        lines["shop_id"] = record.shop_id
        return lines, []
    named = lines["shop_ref"].map(shops)
    if lines["shop_ref"].isna().all():
        raise ImportFileError("文件中没有网店信息，请在上传时选择网店 (choose the shop).")
    unknown = lines[named.isna()]
    errors = [
        RowError(int(row.row), "网店", row.shop_ref, _unknown_shop(row.shop_ref))
        for row in unknown.itertuples()
    ]
    lines = lines[named.notna()].copy()
    lines["shop_id"] = named[named.notna()].astype("int64")
    return lines, errors


def _unknown_shop(reference: object) -> str:
    if reference is None or reference != reference:
        return "该行没有网店编码，请补上或在上传时选择网店。"
    return f"网店“{reference}”未在名录中登记，请先登记或在上传时选择网店。"


def _drop_duplicates(lines: pd.DataFrame) -> tuple[pd.DataFrame, list[Any]]:
    """The same line twice in one file: the later row wins, the earlier is reported."""
    from app.ingest import RowError

    repeated = lines.duplicated(["shop_id", "line_id"], keep="last")
    if not repeated.any():
        return lines, []
    errors = [
        RowError(
            int(row.row), "子订单号", row.line_id, "同一文件中重复出现的订单行，以后一行为准。"
        )
        for row in lines[repeated].itertuples()
    ]
    return lines[~repeated].copy(), errors


def _record_chunk(
    record: SalesImport, rows_read: int, result: LoadResult, errors: list[Any], progress: float
) -> None:
    record.read += rows_read
    record.inserted += result.inserted
    record.updated += result.updated
    record.unchanged += result.unchanged
    record.stale += result.stale
    record.rejected += len(errors)
    record.progress = min(max(progress, record.progress), 0.99)
    record.heartbeat_at = utcnow()
    if errors:
        db.session.execute(
            insert(ImportRowError),
            [
                {
                    "import_id": record.id,
                    "row": error.row,
                    "column": error.column,
                    "value": None if error.value is None else str(error.value)[:500],
                    "message": error.message,
                }
                for error in errors
            ],
        )
