"""Uploading the registry workbook: stored, queued as a job, loaded by a Celery worker."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields
from webargs.flaskparser import abort  # flask-smorest's abort, typed NoReturn

from app.api.errors import add_error_messages
from app.api.fields import BeijingDateTime
from app.auth import api_guard
from app.extensions import db
from app.ingest.storage import store_upload
from app.models import RegistryLoad
from app.registry.reader import WORKBOOK_MAGIC, WORKBOOK_SUFFIXES
from tasks.imports import BROKER_ERRORS
from tasks.registry import enqueue_registry_load

DEFAULT_LIMIT = 50 * 1024 * 1024

log = logging.getLogger(__name__)
blp = Blueprint(
    "registry_workbook",
    __name__,
    url_prefix="/registry",
    description="名录工作簿 (registry workbook) upload and load jobs",
)
add_error_messages(blp)
api_guard(blp, roles=("admin",))


class WorkbookUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "the registry workbook (.xlsx)"})


class RegistryLoadSchema(Schema):
    id = fields.Integer()
    file = fields.String(attribute="file_name")
    status = fields.String(metadata={"description": "queued | running | succeeded | failed"})
    progress = fields.Float(metadata={"description": "0..1"})
    message = fields.String(allow_none=True)
    result = fields.Dict(
        allow_none=True,
        metadata={"description": "{file, sheets: {sheet: counts}, totals, errors: [...]}"},
    )
    created_at = BeijingDateTime()
    started_at = BeijingDateTime(allow_none=True)
    finished_at = BeijingDateTime(allow_none=True)


def _refuse(message: str, status: int = 422) -> None:
    abort(status, message=message, errors={"files": {"file": [message]}})


def _check_upload(upload: Any) -> None:
    """Refuse anything but a workbook of sensible size before storing it."""
    limit = current_app.config.get("REGISTRY_UPLOAD_LIMIT", DEFAULT_LIMIT)
    if request.content_length and request.content_length > limit:
        _refuse(f"文件超过 {limit // 1024 // 1024} MB，名录工作簿不应这么大", 413)
    name = upload.filename or ""
    if not name.lower().endswith(WORKBOOK_SUFFIXES):
        _refuse(f"“{name}”不是 Excel 工作簿，请上传 .xlsx 文件（可先导出一份名录作为模板）")
    head = upload.stream.read(8)
    upload.stream.seek(0)
    if not head:
        _refuse(f"“{name}”是空文件")
    if not head.startswith(WORKBOOK_MAGIC):
        _refuse(f"“{name}”的内容不是 Excel 工作簿，请在 Excel 或 WPS 中另存为 .xlsx 后上传")


@blp.route("/workbook", methods=["POST"])
@blp.arguments(WorkbookUploadSchema, location="files")
@blp.response(202, RegistryLoadSchema)
def upload_workbook(files: dict[str, Any]) -> RegistryLoad:
    """Upload a registry workbook; it is loaded in the background (poll the job)."""
    upload = files["file"]
    _check_upload(upload)
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "registry"
    path, _sha, _size = store_upload(upload.stream, folder, upload.filename)
    job = RegistryLoad(
        file_name=Path(upload.filename).name,
        stored_path=str(path),
        created_by_id=current_user.id,
    )
    db.session.add(job)
    db.session.commit()  # before enqueueing, so the worker finds the row
    try:
        enqueue_registry_load(job.id)
    except BROKER_ERRORS as exc:  # it stays queued: the sweeper sends it once the broker is back
        log.warning("registry load %s stays queued: the broker is unavailable: %s", job.id, exc)
    return job


@blp.route("/workbook/<int:job_id>", methods=["GET"])
@blp.response(200, RegistryLoadSchema)
def workbook_job(job_id: int) -> RegistryLoad:
    """Status, progress and result of a workbook load."""
    job = db.session.get(RegistryLoad, job_id)
    if job is None:
        abort(404, message=f"名录导入任务“{job_id}”不存在")
    return job
