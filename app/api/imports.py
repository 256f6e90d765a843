"""Sales imports: upload a platform export, follow its progress, download its errors."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, current_app, jsonify
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates
from webargs.flaskparser import abort  # flask-smorest's abort, typed NoReturn

from app.api.errors import add_error_messages
from app.api.pagination import page_json, page_schema
from app.auth import api_guard, current_scope, roles_required, rows
from app.auth.scope import IMPORT_ROLES
from app.codes import PLATFORMS
from app.extensions import db
from app.ingest.platforms.mapping import FIELDS as MAPPING_FIELDS
from app.ingest.platforms.mapping import REQUIRED as MAPPING_REQUIRED
from app.ingest.storage import too_large_message
from app.ingest.summary import errors_csv, import_json
from app.models import ColumnMapping, SalesImport
from app.wording import N_, reader_language, say
from tasks.upload_limits import retry_after, too_many_message, upload_limit
from tasks.uploads import UploadError, UploadRequest, UploadResult, receive_upload

blp = Blueprint("imports", __name__, url_prefix="/imports", description="Sales imports 销售导入")
mappings_blp = Blueprint(
    "mappings", __name__, url_prefix="/mappings", description="Saved column mappings 列映射"
)
# Saved mappings belong to the upload workflow (IMPORT_ROLES). A mapping is shared by the
# whole county: only the county centre deletes one or replaces another user's.
MAPPING_DELETE_ROLES = ("admin", "officer")
for _blueprint in (blp, mappings_blp):
    add_error_messages(api_guard(_blueprint, roles=IMPORT_ROLES))

# How a refused upload answers; any other code (a file the ingest layer refuses) is a 400.
UPLOAD_ERROR_STATUS = {
    "unsupported_file_type": 400,
    "macro_workbook": 400,
    "file_name_too_long": 400,
    "empty_file": 400,
    "no_file": 400,
    "upload_not_allowed": 403,
    "shop_out_of_scope": 403,
    "file_too_large": 413,
    "too_many_uploads": 429,
    "shop_required": 422,
    "unknown_shop": 422,
    "unknown_mapping": 422,
    "unknown_platform": 422,
    "database_unavailable": 503,
}
# Each required source key, with every field name that fills it (`paid` ← paid, paid_amount …).
MAPPING_FIELDS_BY_KEY = {
    key: {name for name, (source, _) in MAPPING_FIELDS.items() if source == key}
    for key in MAPPING_REQUIRED
}


class UploadForm(Schema):
    platform = fields.String(validate=validate.OneOf(list(PLATFORMS)), load_default=None)
    shop = fields.String(load_default=None, metadata={"description": "shop code 网店编码"})
    password = fields.String(load_default=None, metadata={"description": "file password"})
    mapping = fields.String(load_default=None, metadata={"description": "saved mapping name"})


class UploadFiles(UploadForm):
    """The whole multipart body as described; only `file` is read from it (the rest: UploadForm).

    An operation has one request body, so the form fields are described here beside the file.
    """

    file = Upload(required=True, metadata={"description": "CSV or XLSX export"})


class ImportList(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class RowErrorSchema(Schema):
    row = fields.Integer(allow_none=True, metadata={"description": "row number in the file"})
    column = fields.String(allow_none=True)
    value = fields.String(allow_none=True)
    code = fields.String(metadata={"description": "stable code to branch on"})
    message = fields.String(metadata={"description": "in the reader's language"})


class NoteSchema(Schema):
    code = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
    count = fields.Integer()


class CountsSchema(Schema):
    read = fields.Integer()
    inserted = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    stale = fields.Integer()
    rejected = fields.Integer()


class ImportSchema(Schema):
    """The import JSON of SPEC §6 (the CLI prints the same with --json)."""

    id = fields.Integer()
    file = fields.String()
    status = fields.String(metadata={"enum": ["queued", "running", "succeeded", "failed"]})
    platform = fields.String(allow_none=True, metadata={"enum": list(PLATFORMS)})
    shop = fields.String(allow_none=True, metadata={"description": "shop code 网店编码"})
    progress = fields.Float(metadata={"minimum": 0, "maximum": 1})
    counts = fields.Nested(CountsSchema)
    errors = fields.List(fields.Nested(RowErrorSchema), metadata={"description": "first 100"})
    code = fields.String(allow_none=True, metadata={"description": "why a failed import failed"})
    message = fields.String(allow_none=True)
    notes = fields.List(fields.Nested(NoteSchema))
    # Already ISO 8601 UTC strings ("…Z") in the import JSON: passed through as they are.
    export_time = fields.String(allow_none=True, metadata={"format": "date-time"})
    created_at = fields.String(allow_none=True, metadata={"format": "date-time"})


ImportPageSchema = page_schema(ImportSchema, "ImportPageSchema", "without errors")


class ShopCandidateSchema(Schema):
    """A shop the upload may be for: send the upload again with `shop` set to its code."""

    code = fields.String(metadata={"description": "shop code 网店编码"})
    name = fields.String(metadata={"description": "shop name 网店名称"})
    platform = fields.String(metadata={"enum": list(PLATFORMS)})


class UploadRefusalSchema(Schema):
    """A refused upload: nothing was stored; `code` says why (`shop_required`: choose a shop)."""

    code = fields.Raw(
        metadata={
            "description": "why: "
            + ", ".join(
                f"`{code}`" for code, status in UPLOAD_ERROR_STATUS.items() if status == 422
            )
            + "; the number 422 when the form cannot be read"
        }
    )
    status = fields.String(metadata={"description": "HTTP status phrase"})
    message = fields.String(metadata={"description": "what to do, in the reader's language"})
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": '`shop_required`: `{"form": {"shop": [message]}}`'},
    )
    candidates = fields.List(
        fields.Nested(ShopCandidateSchema),
        metadata={"description": "`shop_required` only: the shops to choose among"},
    )


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
@upload_limit
@blp.arguments(UploadFiles, location="files")
@blp.ARGUMENTS_PARSER.use_args(UploadForm, location="form")  # described in UploadFiles
@blp.response(202, ImportSchema, description="A new import, queued")
@blp.alt_response(
    200,
    schema=ImportSchema,
    description="These bytes were uploaded before: their import",
    success=True,
)
@blp.alt_response(
    422,
    schema=UploadRefusalSchema,
    description="Refused before anything was stored: the form cannot be read (`errors`), or "
    "the file does not name its shop and more than one fits (`code` `shop_required`, the "
    "shops to choose among in `candidates`; send again with `shop`), or an unknown shop, "
    "mapping or platform",
)
def upload(files: dict[str, Any], form: dict[str, Any]) -> Any:
    """Upload an export; it is imported in the background. Poll GET /imports/<id>.

    The same bytes (for the same shop) uploaded again answer 200 with the existing import.
    """
    try:
        result = receive_upload(
            UploadRequest(
                file_name=files["file"].filename or "",
                stream=files["file"].stream,
                scope=current_scope(),
                platform=form["platform"],
                shop_code=form["shop"],
                password=form["password"],
                mapping_name=form["mapping"],
                user_id=current_user.id,
            )
        )
    except UploadError as exc:
        return upload_error(exc)
    return upload_json(result), 202 if result.created else 200


def upload_json(result: UploadResult) -> dict[str, Any]:
    """The import JSON, with what the uploader should know about this upload in `notes`."""
    language = reader_language()
    body = import_json(result.record, language=language)
    body["notes"] = [*body.get("notes", []), *(note.as_dict(language) for note in result.notes)]
    return body


def upload_error(exc: UploadError) -> Response:
    """A refused upload in the API's error shape, with its stable code."""
    status = UPLOAD_ERROR_STATUS.get(exc.code, 400)
    body: dict[str, Any] = {"code": exc.code, "status": HTTPStatus(status).phrase}
    body["message"] = exc.say(reader_language())
    if exc.code == "shop_required":
        # The shops to choose among, so a client can ask and send the upload again.
        body["errors"] = {"form": {"shop": [body["message"]]}}
        body["candidates"] = [option.as_dict() for option in exc.candidates]
    response = jsonify(body)
    response.status_code = status
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        response.headers["Retry-After"] = "60"
    return response


@blp.errorhandler(413)
def _too_large(error: Exception) -> Response:
    """A body above MAX_CONTENT_LENGTH, refused from its Content-Length before it is read."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return upload_error(UploadError("file_too_large", too_large_message(limit)))


@blp.errorhandler(429)
def _too_many(error: Exception) -> Response:
    """Uploads beyond the per-user rate, refused before the body is read."""
    response = upload_error(UploadError("too_many_uploads", too_many_message()))
    response.headers["Retry-After"] = str(retry_after())
    return response


def _visible(import_id: int) -> SalesImport:
    """The import, if the caller may see it (else 404, revealing nothing)."""
    record = db.session.get(SalesImport, import_id)
    if record is None or not rows.may_see_import(current_scope(), current_user.id, record):
        missing = say(N_("导入编号“{number}”不存在。"), number=import_id)
        abort(404, message=missing.say(reader_language()))
    return record


@blp.route("", methods=["GET"])
@blp.arguments(ImportList, location="query")
@blp.response(200, ImportPageSchema)
def list_imports(args: dict[str, Any]) -> dict[str, Any]:
    """Import history of the shops in the caller's scope, newest first."""
    page = db.paginate(
        rows.visible_imports(current_scope(), current_user.id),
        page=args["page"],
        per_page=args["per_page"],
        error_out=False,
    )
    language = reader_language()
    return page_json(page, lambda record: import_json(record, errors_shown=0, language=language))


@blp.route("/<int:import_id>", methods=["GET"])
@blp.response(200, ImportSchema)
def get_import(import_id: int) -> dict[str, Any]:
    """Status, progress (0..1) and counts of one import."""
    return import_json(_visible(import_id), language=reader_language())


class ErrorsFormat(Schema):
    format = fields.String(
        validate=validate.OneOf(["csv", "json"]),
        load_default="csv",
        metadata={"description": "csv (the error report) or json"},
    )


@blp.route("/<int:import_id>/errors", methods=["GET"])
@blp.arguments(ErrorsFormat, location="query", as_kwargs=True)
@blp.response(
    200,
    RowErrorSchema(many=True),
    description="Every rejected row: JSON with ?format=json, else CSV (row, column, value, reason)",
)
@blp.doc(responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def get_errors(import_id: int, format: str) -> Any:
    """The rejected rows: CSV (row, column, value, reason), or JSON with ?format=json."""
    record = _visible(import_id)
    if format == "json":
        return import_json(record, errors_shown=1_000_000, language=reader_language())["errors"]
    return Response(
        errors_csv(record, reader_language()),
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


class SavedMappingSchema(Schema):
    name = fields.String()
    platform = fields.String(metadata={"enum": list(PLATFORMS)})
    fields_ = fields.Dict(
        attribute="fields", data_key="fields", keys=fields.String(), values=fields.String()
    )


@mappings_blp.route("", methods=["GET"])
@mappings_blp.response(200, SavedMappingSchema(many=True))
def list_mappings() -> list[dict[str, Any]]:
    """Saved column mappings."""
    mappings = db.session.scalars(db.select(ColumnMapping).order_by(ColumnMapping.name))
    return [{"name": m.name, "platform": m.platform, "fields": m.fields} for m in mappings]


@mappings_blp.route("", methods=["POST"])
@mappings_blp.arguments(MappingSchema)
@mappings_blp.response(201, SavedMappingSchema)
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
