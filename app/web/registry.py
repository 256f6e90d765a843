"""Registry pages for the county administrator: list, search, add, edit and delete entries,
and load or download the whole registry workbook (名录)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import current_scope, roles_required
from app.extensions import db
from app.models import RegistryLoad
from app.registry import export_workbook, records
from app.registry.reader import WORKBOOK_SUFFIXES
from app.registry.records import RegistryError
from app.registry.resources import resource as resource_named
from app.web import registry_forms
from app.web.nav import roles_for
from app.web.registry_fields import COLUMN_LABELS, KIND_LABELS, KINDS, Kind

bp = Blueprint("web_registry", __name__, url_prefix="/registry")
ROLES = roles_for("web_registry.index")
PER_PAGE = 50
RECENT_LOADS = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind(name: str | None) -> Kind:
    if name not in KINDS:
        abort(404)
    return KINDS[name]


def _find(kind: Kind, key: str) -> Any:
    resource = resource_named(kind.name)
    value: Any = key
    if resource.key == "id":
        if not key.isdigit():
            abort(404)
        value = int(key)
    try:
        return records.find(resource, value, scope=current_scope())
    except RegistryError:
        abort(404)


@bp.route("")
@roles_required(*ROLES)
def index() -> str:
    """One kind of entry (townships by default), searched by `q`, a page at a time."""
    kind = _kind(request.args.get("kind", "townships"))
    resource = resource_named(kind.name)
    query = (request.args.get("q") or "").strip()
    page = request.args.get("page", 1, type=int) or 1
    found = records.listing(
        resource, scope=current_scope(), page=max(page, 1), per_page=PER_PAGE, q=query
    )
    schema = resource.schema()
    rows = [(item, schema.dump(item)) for item in found.items]
    return render_template(
        "registry/index.html",
        kinds=KINDS,
        kind=kind,
        key=resource.key,
        rows=rows,
        query=query,
        pagination=found,
        labels=_labels(kind),
    )


def _labels(kind: Kind) -> dict[str, dict[str, Any]]:
    labels = dict(COLUMN_LABELS)
    if kind.name in KIND_LABELS:
        labels["kind"] = KIND_LABELS[kind.name]
    return labels


@bp.route("/<kind_name>/new", methods=["GET", "POST"])
@bp.route("/<kind_name>/<key>/edit", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit(kind_name: str, key: str | None = None) -> Any:
    """The form for a new entry or an existing one; saved with the registry's own checks."""
    kind = _kind(kind_name)
    resource = resource_named(kind.name)
    obj = _find(kind, key) if key is not None else None
    errors: dict[str, str] = {}
    message = None
    if request.method == "POST":
        outcome = registry_forms.save(kind.name, obj, request.form)
        if outcome.ok:
            flash(_("已保存。"), "success")
            return redirect(
                url_for(
                    "web_registry.index", kind=kind.name, q=_key_of(outcome.saved, resource.key)
                )
            )
        errors, message = outcome.errors, outcome.message
        values: dict[str, Any] = request.form.to_dict()
        values.update(
            {name: request.form.getlist(name) for name in request.form if _multi(kind, name)}
        )
    else:
        # A new entry may come filled in from the link that sent the reader (?product=…).
        values = resource.schema().dump(obj) if obj is not None else request.args.to_dict()
    return render_template(
        "registry/edit.html",
        kinds=KINDS,
        kind=kind,
        obj=obj,
        key=key,
        values=values,
        errors=errors,
        message=message,
    ), (422 if errors or message else 200)


def _multi(kind: Kind, name: str) -> bool:
    return any(item.name == name and item.kind == "multi" for item in kind.inputs)


def _key_of(saved: Any, key: str) -> str:
    return "" if key == "id" else str(getattr(saved, key))


@bp.route("/<kind_name>/<key>/delete", methods=["POST"])
@roles_required(*ROLES)
def delete(kind_name: str, key: str) -> Response:
    """Delete an entry unless other records still use it."""
    kind = _kind(kind_name)
    obj = _find(kind, key)
    outcome = registry_forms.delete(kind.name, obj, key)
    if outcome.ok:
        flash(_("已删除 %(key)s。", key=key), "success")
    else:
        flash(outcome.message or _("无法删除。"), "error")
    return redirect(url_for("web_registry.index", kind=kind.name))


@bp.route("/workbook")
@roles_required(*ROLES)
def workbook() -> str:
    """Upload the registry workbook (loaded in the background) or download the current one."""
    loads = list(
        db.session.scalars(
            select(RegistryLoad).order_by(RegistryLoad.id.desc()).limit(RECENT_LOADS)
        )
    )
    return render_template(
        "registry/workbook.html", kinds=KINDS, loads=loads, accept=",".join(WORKBOOK_SUFFIXES)
    )


@bp.route("/export.xlsx")
@roles_required(*ROLES)
def export() -> Response:
    """The whole registry as a workbook with the sheets and headers it is loaded from."""
    with tempfile.TemporaryDirectory(prefix="cunbo-registry-") as folder:
        path = Path(folder) / "registry.xlsx"
        export_workbook(path)
        content = io.BytesIO(path.read_bytes())
    return send_file(content, mimetype=XLSX, as_attachment=True, download_name="名录.xlsx")
