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
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.api.imports import ACCEPTED_SUFFIXES
from app.auth import current_scope, roles_required, rows
from app.codes import PLATFORMS
from app.extensions import db
from app.ingest import ImportFileError
from app.ingest.service import create_import
from app.ingest.storage import store_upload
from app.models import SalesImport
from app.web import import_data
from app.web.nav import roles_for

bp = Blueprint("web_imports", __name__, url_prefix="/imports")
ROLES = roles_for("web_imports.index")
PER_PAGE = 20


@bp.route("", methods=["GET"])
@roles_required(*ROLES)
def index() -> str:
    """Upload form, the import being watched (`?watch=`), and the import history."""
    scope = current_scope()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    history = db.paginate(
        rows.visible_imports(scope, current_user.id),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    watched = _visible(request.args.get("watch", type=int))
    remap = _visible(request.args.get("remap", type=int))
    return render_template(
        "imports/index.html",
        shops=rows.shops_in_scope(scope),
        shop_required=not scope.county,
        platforms=PLATFORMS,
        history=history,
        watched=watched,
        remap=remap if remap is not None and import_data.unknown_format(remap) else None,
        unknown_format=import_data.unknown_format,
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
@roles_required(*ROLES)
def upload() -> Response:
    """The form without JavaScript: store the file, queue the import, watch it on the page."""
    scope = current_scope()
    upload = request.files.get("file")
    shop = (request.form.get("shop") or "").strip() or None
    platform = (request.form.get("platform") or "").strip() or None
    if shop is not None and not rows.may_upload_for(scope, shop):
        abort(403)
    if upload is None or not upload.filename:
        flash(_("请选择要上传的文件。"), "error")
        return redirect(url_for("web_imports.index"))
    if shop is None and not scope.county:
        flash(_("请选择网店。"), "error")
        return redirect(url_for("web_imports.index"))
    name = Path(upload.filename).name
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        flash(
            _("不支持的文件类型“%(name)s”：请上传平台导出的 CSV 或 XLSX 文件。", name=name), "error"
        )
        return redirect(url_for("web_imports.index"))
    if platform is not None and platform not in PLATFORMS:
        abort(400)
    stored = store_upload(upload.stream, current_app.config["UPLOAD_FOLDER"], name)  # type: ignore[arg-type]
    try:
        record = create_import(
            stored[0],
            file_name=name,
            platform=platform,
            shop_code=shop,
            password=request.form.get("password") or None,
            mapping_name=(request.form.get("mapping") or "").strip() or None,
            user_id=current_user.id,
            stored=stored,
        )
    except ImportFileError as exc:
        flash(str(exc), "error")
        return redirect(url_for("web_imports.index"))
    from tasks.imports import enqueue_import

    enqueue_import(record.id)
    return redirect(url_for("web_imports.index", watch=record.id))


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
        return jsonify(message=str(exc), needs_password="密码" in str(exc)), 422
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
