"""The imports page: upload a platform export, watch its progress, map unknown columns, and
look back at earlier imports.

With JavaScript the page posts to POST /api/v1/imports and polls GET /api/v1/imports/<id>;
without it the form posts here and the page refreshes itself until the import has finished.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.auth import current_scope, roles_required, rows
from app.codes import PLATFORMS
from app.extensions import db
from app.ingest import ImportFileError
from app.ingest.storage import too_large_message
from app.ingest.summary import note_json
from app.models import SalesImport
from app.web import import_data
from app.web.nav import roles_for
from app.wording import in_language, reader_language
from tasks.upload_limits import retry_after, too_many_message, upload_limit
from tasks.uploads import ACCEPTED_SUFFIXES, UploadError, UploadRequest, receive_upload

bp = Blueprint("web_imports", __name__, url_prefix="/imports")
ROLES = roles_for("web_imports.index")
PER_PAGE = 20


@bp.route("", methods=["GET"])
@roles_required(*ROLES)
def index() -> str:
    """Upload form, the import being watched (`?watch=`), and the import history (filtered by
    `?shop=`, `?platform=`, `?status=`)."""
    return _page()


def _page(ask: UploadError | None = None) -> str:
    """The page; `ask` is a refused upload whose shop the uploader must choose."""
    scope = current_scope()
    shops = rows.shops_in_scope(scope)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    filters = import_data.history_filters(request.args, shops)
    history = db.paginate(
        import_data.filtered(rows.visible_imports(scope, current_user.id), filters),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    language = reader_language()
    watched = _visible(request.args.get("watch", type=int))
    remap = _visible(request.args.get("remap", type=int))
    return render_template(
        "imports/index.html",
        shops=shops,
        ask=import_data.shop_question(ask, language) if ask else None,
        platforms=PLATFORMS,
        statuses=import_data.STATUSES,
        filters=filters,
        history=history,
        watched=watched,
        watched_notes=[note_json(n, language) for n in watched.notes or []] if watched else [],
        message_of=lambda record: in_language(record.message, record.message_en, language),
        remap=remap if remap is not None and import_data.unknown_format(remap) else None,
        unknown_format=import_data.unknown_format,
        failure_kind=import_data.failure_kind,
        failure_kinds=import_data.FAILURE_KINDS,
        accept=",".join(ACCEPTED_SUFFIXES),
    )


def _visible(import_id: int | None) -> SalesImport | None:
    if not import_id:
        return None
    record = db.session.get(SalesImport, import_id)
    if record is None or not rows.may_see_import(current_scope(), current_user.id, record):
        return None
    return record


@bp.route("", methods=["POST"])
@upload_limit
@roles_required(*ROLES)
def upload() -> Response:
    """The form without JavaScript: the upload service, then watch the import on the page."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要上传的文件。"), "error")
        return redirect(url_for("web_imports.index"))
    try:
        result = receive_upload(
            UploadRequest(
                file_name=upload.filename,
                stream=upload.stream,  # type: ignore[arg-type]  # a binary file object
                scope=current_scope(),
                platform=_field("platform"),
                shop_code=_chosen_shop(),
                password=request.form.get("password") or None,
                mapping_name=_field("mapping"),
                user_id=current_user.id,
            )
        )
    except UploadError as exc:
        if exc.code == "shop_required":
            return make_response(_page(ask=exc), 422)
        flash(exc.say(reader_language()), "error")
        return redirect(url_for("web_imports.index"))
    for note in result.notes:
        flash(note.wording.say(reader_language()), "info")
    return redirect(url_for("web_imports.index", watch=result.record.id))


# The former choice "the shops the file names": now what no choice at all does.
SHOPS_FROM_FILE = "from-file"


def _chosen_shop() -> str | None:
    """The shop picked among the candidates (a button of the question), else the select's."""
    shop = _field("chosen_shop") or _field("shop")
    return None if shop == SHOPS_FROM_FILE else shop


def _field(name: str) -> str | None:
    return (request.form.get(name) or "").strip() or None


@bp.errorhandler(413)
def _too_large(error: HTTPException) -> tuple[str, int]:
    """A body above MAX_CONTENT_LENGTH, refused from its Content-Length before it is read."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = too_large_message(limit).say(reader_language())
    return render_template("error.html", code=413, message=message), 413


@bp.errorhandler(429)
def _too_many(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    message = too_many_message().say(reader_language())
    page = render_template("error.html", code=429, message=message)
    return page, 429, {"Retry-After": str(retry_after())}


@bp.route("/<int:import_id>/headers", methods=["GET", "POST"])
@roles_required(*ROLES)
def headers(import_id: int) -> Any:
    """The file's headers and a first guess of the mapping, for the column-mapping form.

    POST carries the file password when the file is encrypted (it is not kept after a failure).
    """
    record = _visible(import_id) or abort(404)
    try:
        found = import_data.file_headers(record, request.form.get("password") or None)
    except ImportFileError as exc:
        kind = import_data.failure_kind(exc.code)
        message = exc.message_en if reader_language() == "en" else exc.message
        return jsonify(message=message, code=exc.code, needs_password=kind == "password"), 422
    return jsonify(
        import_id=record.id,
        file=record.file_name,
        platform=record.platform or "other",
        shop=record.shop.code if record.shop else None,
        headers=found,
        guess=import_data.guess_mapping(found),
        name=Path(record.file_name).stem[:60] + " " + _("列映射"),
        fields=[
            {"name": name, "label": str(label), "required": required}
            for name, label, required, _words in import_data.MAPPING_FIELDS
        ],
    )
