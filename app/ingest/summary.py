"""The import JSON of SPEC §6, shared by the API and the CLI, and the CSV error report.

Messages are stored in Chinese and English; `language` (`zh` or `en`) picks the reader's.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import ImportRowError, SalesImport
from app.spreadsheet import csv_value
from app.wording import in_language

ERRORS_SHOWN = 100
ERROR_HEADERS = {"zh": ("行号", "列", "值", "原因"), "en": ("Row", "Column", "Value", "Reason")}


def error_json(error: ImportRowError, language: str = "zh") -> dict[str, Any]:
    return {
        "row": error.row,
        "column": error.column,
        "value": error.value,
        "code": error.code,
        "message": in_language(error.message, error.message_en, language),
    }


def note_json(note: dict[str, Any], language: str = "zh") -> dict[str, Any]:
    """A stored note as the JSON gives it: code, message in the reader's language, count."""
    return {
        "code": note.get("code"),
        "message": in_language(note.get("message"), note.get("message_en"), language),
        "count": note.get("count", 1),
    }


def import_json(
    record: SalesImport, errors_shown: int = ERRORS_SHOWN, language: str = "zh"
) -> dict[str, Any]:
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
        "errors": [error_json(error, language) for error in errors],
        "code": record.code,
        "message": in_language(record.message, record.message_en, language),
        "notes": [note_json(note, language) for note in record.notes or []],
        "export_time": record.export_time.isoformat() + "Z" if record.export_time else None,
        "created_at": record.created_at.isoformat() + "Z" if record.created_at else None,
    }


def errors_csv(record: SalesImport, language: str = "zh") -> str:
    """Every rejected row as CSV (UTF-8 with BOM so Excel opens it with the right encoding)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(ERROR_HEADERS.get(language, ERROR_HEADERS["zh"]))
    rows = db.session.execute(
        select(
            ImportRowError.row,
            ImportRowError.column,
            ImportRowError.value,
            ImportRowError.message,
            ImportRowError.message_en,
        )
        .where(ImportRowError.import_id == record.id)
        .order_by(ImportRowError.row, ImportRowError.id)
    )
    for number, column, value, chinese, english in rows:
        message = in_language(chinese, english, language)
        writer.writerow([csv_value(cell) for cell in (number, column, value, message)])
    return out.getvalue()
