"""Sales imports: upload a platform export, follow its progress, download its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, request
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates
from webargs.flaskparser import abort  # flask-smorest's abort, typed NoReturn

from app.api.errors import add_error_messages
from app.auth import api_guard, current_scope, roles_required, rows
from app.auth.scope import IMPORT_ROLES
from app.codes import PLATFORMS
from app.extensions import db
from app.ingest import ImportFileError
from app.ingest.platforms.mapping import FIELDS as MAPPING_FIELDS
from app.ingest.platforms.mapping import REQUIRED as MAPPING_REQUIRED
from app.ingest.service import create_import
from app.ingest.storage import store_upload
from app.ingest.summary import errors_csv, import_json
from app.models import ColumnMapping, SalesImport

blp = Blueprint("imports", __name__, url_prefix="/imports", description="Sales imports 销售导入")
mappings_blp = Blueprint(
    "mappings", __name__, url_prefix="/mappings", description="Saved column mappings 列映射"
)
# Saved mappings belong to the upload workflow (IMPORT_ROLES). A mapping is shared by the
# whole county: only the county centre deletes one or replaces another user's.
MAPPING_DELETE_ROLES = ("admin", "officer")
for _blueprint in (blp, mappings_blp):
    add_error_messages(api_guard(_blueprint, roles=IMPORT_ROLES))

ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".xlsm")
# Each required source key, with every field name that fills it (`paid` ← paid, paid_amount …).
MAPPING_FIELDS_BY_KEY = {
    key: {name for name, (source, _) in MAPPING_FIELDS.items() if source == key}
    for key in MAPPING_REQUIRED
}


class UploadFiles(Schema):
    file = Upload(required=True, metadata={"description": "CSV or XLSX export"})


class UploadForm(Schema):
    platform = fields.String(validate=validate.OneOf(list(PLATFORMS)), load_default=None)
    shop = fields.String(load_default=None, metadata={"description": "shop code 网店编码"})
    password = fields.String(load_default=None, metadata={"description": "file password"})
    mapping = fields.String(load_default=None, metadata={"description": "saved mapping name"})


class ImportList(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class MappingSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    platform = fields.String(required=True, validate=validate.OneOf(list(PLATFORMS)))
    fields_ = fields.Dict(
        data_key="fields", keys=fields.String(), values=fields.String(), required=True
    )

    @validates("fields_")
    def _known_fields(self, value: dict[str, str], **_: Any) -> None:
        unknown = sorted(set(value) - set(MAPPING_FIELDS))
        if unknown:
            raise ValidationError(
                f"未知字段: {', '.join(unknown)}; 可用: {', '.join(MAPPING_FIELDS)}"
            )
        missing = [key for key, names in MAPPING_FIELDS_BY_KEY.items() if names.isdisjoint(value)]
        if missing:
            raise ValidationError(f"至少需要映射: {', '.join(missing)}")


@blp.route("", methods=["POST"])
@blp.arguments(UploadFiles, location="files")
@blp.arguments(UploadForm, location="form")
@blp.response(202)
def upload(files: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    """Upload an export; it is imported in the background. Poll GET /imports/<id>."""
    _check_shop(form["shop"])
    upload = files["file"]
    name = Path(upload.filename or "upload").name
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        abort(400, message=f"不支持的文件类型“{name}”：请上传平台导出的 CSV 或 XLSX 文件。")
    stored = store_upload(upload.stream, current_app.config["UPLOAD_FOLDER"], name)
    try:
        record = create_import(
            stored[0],
            file_name=name,
            platform=form["platform"],
            shop_code=form["shop"],
            password=form["password"],
            mapping_name=form["mapping"],
            user_id=current_user.id,
            stored=stored,
        )
    except ImportFileError as exc:
        abort(400, message=str(exc))
    from tasks.imports import enqueue_import

    enqueue_import(record.id)
    return import_json(record)


def _check_shop(code: str | None) -> None:
    """A scoped user uploads for one of their own shops, named, so every line lands in scope."""
    scope = current_scope()
    if scope.county:
        return
    if not code:
        abort(
            422,
            message="请选择网店：上传时须填写 shop（网店编码）。"
            " / Choose the shop: the shop field (shop code) is required.",
            errors={"form": {"shop": ["请选择网店 / shop is required"]}},
        )
    if not rows.may_upload_for(scope, code):
        abort(
            403,
            message=f"网店“{code}”不存在或不在您的管辖范围内，不能为它上传数据。"
            f" / Shop {code} does not exist or is outside your scope.",
        )


def _visible(import_id: int) -> SalesImport:
    """The import, if the caller may see it (else 404, revealing nothing)."""
    record = db.session.get(SalesImport, import_id)
    if record is None or not rows.may_see_import(current_scope(), current_user.id, record):
        abort(404, message=f"导入编号“{import_id}”不存在。 / Import {import_id} not found.")
    return record


@blp.route("", methods=["GET"])
@blp.arguments(ImportList, location="query")
def list_imports(args: dict[str, Any]) -> dict[str, Any]:
    """Import history of the shops in the caller's scope, newest first."""
    page = db.paginate(
        rows.visible_imports(current_scope(), current_user.id),
        page=args["page"],
        per_page=args["per_page"],
        error_out=False,
    )
    return {
        "items": [import_json(record, errors_shown=0) for record in page.items],
        "page": page.page,
        "pages": page.pages,
        "total": page.total,
    }


@blp.route("/<int:import_id>", methods=["GET"])
def get_import(import_id: int) -> dict[str, Any]:
    """Status, progress (0..1) and counts of one import."""
    return import_json(_visible(import_id))


@blp.route("/<int:import_id>/errors", methods=["GET"])
def get_errors(import_id: int) -> Any:
    """The rejected rows: CSV (row, column, value, reason), or JSON with ?format=json."""
    record = _visible(import_id)
    if request.args.get("format") == "json":
        return import_json(record, errors_shown=1_000_000)["errors"]
    return Response(
        errors_csv(record),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=import-{import_id}-errors.csv"},
    )


@blp.route("/template.<any(csv, xlsx):kind>", methods=["GET"])
def template(kind: str) -> Response:
    """Cunbo's own blank sales template, for channels without an export."""
    from app.ingest.template import template_csv, template_xlsx

    mimetype = {
        "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[kind]
    return Response(
        template_csv() if kind == "csv" else template_xlsx(),
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=cunbo-template.{kind}"},
    )


@mappings_blp.route("", methods=["GET"])
def list_mappings() -> list[dict[str, Any]]:
    """Saved column mappings."""
    mappings = db.session.scalars(db.select(ColumnMapping).order_by(ColumnMapping.name))
    return [{"name": m.name, "platform": m.platform, "fields": m.fields} for m in mappings]


@mappings_blp.route("", methods=["POST"])
@mappings_blp.arguments(MappingSchema)
@mappings_blp.response(201)
def save_mapping(data: dict[str, Any]) -> dict[str, Any]:
    """Save (or replace) a mapping of a file's headers onto Cunbo's line fields."""
    mapping = db.session.scalar(db.select(ColumnMapping).where(ColumnMapping.name == data["name"]))
    if mapping is None:
        mapping = ColumnMapping(name=data["name"], created_by_id=current_user.id)
        db.session.add(mapping)
    elif not _may_replace(mapping):
        abort(
            409,
            message=f"列映射“{mapping.name}”已由其他用户保存，请换一个名称。"
            f" / A mapping named {mapping.name} was saved by another user; choose another name.",
        )
    mapping.platform = data["platform"]
    mapping.fields = data["fields_"]
    db.session.commit()
    return {"name": mapping.name, "platform": mapping.platform, "fields": mapping.fields}


def _may_replace(mapping: ColumnMapping) -> bool:
    """The county centre replaces any mapping; others only the ones they saved."""
    return current_user.role in MAPPING_DELETE_ROLES or mapping.created_by_id == current_user.id


@mappings_blp.route("/<name>", methods=["DELETE"])
@mappings_blp.response(204)
@roles_required(*MAPPING_DELETE_ROLES)
def delete_mapping(name: str) -> None:
    """Delete a saved mapping (county centre only: other uploads may rely on it)."""
    mapping = db.session.scalar(db.select(ColumnMapping).where(ColumnMapping.name == name))
    if mapping is None:
        abort(404, message=f"列映射“{name}”不存在。")
    db.session.delete(mapping)
    db.session.commit()


blueprints = [blp, mappings_blp]
