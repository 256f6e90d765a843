"""The import JSON of SPEC §6, shared by the API and the CLI, and the CSV error report."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import ImportRowError, SalesImport
from app.spreadsheet import csv_value

ERRORS_SHOWN = 100
ERROR_COLUMNS = ("row", "column", "value", "message")
ERROR_HEADERS = ("行号", "列", "值", "原因")
ERROR_FIELDS = ("row", "column", "value", "code", "message")


def import_json(record: SalesImport, errors_shown: int = ERRORS_SHOWN) -> dict[str, Any]:
    errors = db.session.scalars(
        select(ImportRowError)
        .where(ImportRowError.import_id == record.id)
        .order_by(ImportRowError.row, ImportRowError.id)
        .limit(errors_shown)
    )
    return {
        "id": record.id,
        "file": record.file_name,
        "status": record.status,
        "platform": record.platform,
        "shop": record.shop.code if record.shop else None,
        "progress": round(record.progress or 0.0, 4),
        "counts": record.counts(),
        "errors": [{name: getattr(e, name) for name in ERROR_FIELDS} for e in errors],
        "code": record.code,
        "message": record.message,
        "notes": list(record.notes or []),
        "export_time": record.export_time.isoformat() + "Z" if record.export_time else None,
        "created_at": record.created_at.isoformat() + "Z" if record.created_at else None,
    }


def errors_csv(record: SalesImport) -> str:
    """Every rejected row as CSV (UTF-8 with BOM so Excel opens it with the right encoding)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(ERROR_HEADERS)
    rows = db.session.execute(
        select(
            ImportRowError.row, ImportRowError.column, ImportRowError.value, ImportRowError.message
        )
        .where(ImportRowError.import_id == record.id)
        .order_by(ImportRowError.row, ImportRowError.id)
    )
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return out.getvalue()
