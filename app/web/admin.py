"""User administration for the county centre: list, create, edit, reset, disable accounts."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from app.auth import roles_required
from app.auth.accounts import (
    AccountError,
    NewUser,
    UserChanges,
    create_user,
    linked_streamers,
    list_users,
    reset_password,
    role_labels,
    scope_choices,
    set_active,
    update_user,
)
from app.extensions import db
from app.models import ROLES, User
from app.web.i18n import LANGUAGES
from app.web.nav import roles_for

bp = Blueprint("web_admin", __name__, url_prefix="/admin")
ADMIN_ROLES = roles_for("web_admin.users")
SCOPE_FIELDS = ("townships", "brands", "rooms")


@bp.route("/users")
@roles_required(*ADMIN_ROLES)
def users() -> str:
    return render_template("admin/users.html", users=list_users(), role_labels=role_labels())


def _form_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The posted form as the template shows it again: lists for the multi-selects."""
    values: dict[str, Any] = form.to_dict()
    for name in SCOPE_FIELDS:
        values[name] = [code for code in form.getlist(name) if code]
    return values


def _render_form(
    template: str, values: dict[str, Any], errors: list[str], user: User | None = None
) -> tuple[str, int]:
    page = render_template(
        template,
        form=values,
        errors=errors,
        user=user,
        roles=ROLES,
        role_labels=role_labels(),
        choices=scope_choices(user),
        languages=LANGUAGES,
    )
    return page, (422 if errors else 200)


def _shown_once(user: User, password: str | None, title: str) -> Response:
    page = make_response(
        render_template(
            "admin/user_created.html",
            user=user,
            password=password,
            title=title,
            role_labels=role_labels(),
        )
    )
    page.headers["Cache-Control"] = "no-store"  # the page may show a password
    return page


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def new_user() -> tuple[str, int] | Response:
    """The new-user form; a generated password is shown once on the page that follows."""
    if request.method != "POST":
        return _render_form("admin/user_new.html", {"role": "officer"}, [])
    values = _form_values(request.form)
    new = NewUser(
        login=values.get("login", ""),
        role=values.get("role", ""),
        password=values.get("password") or None,
        name=values.get("name") or None,
        townships=values["townships"],
        brands=values["brands"],
        rooms=values["rooms"],
        streamer=(values.get("streamer") or "").strip() or None,
        must_change_password=True,
    )
    try:
        user, generated = create_user(new)
    except AccountError as exc:
        values.pop("password", None)
        return _render_form("admin/user_new.html", values, exc.errors)
    return _shown_once(user, generated, _("用户已创建"))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def edit_user(user_id: int) -> tuple[str, int] | Response:
    """Change an account's name, role, language, status and scope."""
    user = db.get_or_404(User, user_id)
    if request.method != "POST":
        return _render_form("admin/user_edit.html", _edit_values(user), [], user)
    values = _form_values(request.form)
    active = values.get("active") == "1"
    errors: list[str] = []
    if user.id == current_user.id and (not active or values.get("role") != user.role):
        errors.append(_("不能停用自己的账号，也不能改变自己的角色；请让另一位管理员操作。"))
    changes = UserChanges(
        name=values.get("name") or None,
        role=values.get("role", ""),
        active=active,
        locale=values.get("locale") or None,
        townships=values["townships"],
        brands=values["brands"],
        rooms=values["rooms"],
        streamer=(values.get("streamer") or "").strip() or None,
    )
    if not errors:
        try:
            update_user(user, changes)
        except AccountError as exc:
            errors = exc.errors
    if errors:
        db.session.rollback()
        return _render_form("admin/user_edit.html", values, errors, user)
    flash(_("已保存 %(login)s 的修改。", login=user.login), "success")
    return redirect(url_for("web_admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def reset_user_password(user_id: int) -> tuple[str, int] | Response:
    """Give the user a temporary password (typed, or generated and shown once)."""
    user = db.get_or_404(User, user_id)
    try:
        generated = reset_password(user, request.form.get("password") or None)
    except AccountError as exc:
        return _render_form("admin/user_edit.html", _edit_values(user), exc.errors, user)
    return _shown_once(user, generated, _("密码已重置"))


def _edit_values(user: User) -> dict[str, Any]:
    streamers = linked_streamers(user)
    return {
        "name": user.display_name or "",
        "role": user.role,
        "locale": user.locale or "",
        "active": "1" if user.active else "",
        "townships": sorted(user.scope_codes("township")),
        "brands": sorted(user.scope_codes("brand")),
        "rooms": sorted(user.scope_codes("room")),
        "streamer": streamers[0].code if streamers else "",
    }


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def set_user_active(user_id: int) -> Response:
    """Disable (`active=0`) or re-enable (`active=1`) an account."""
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        abort(400, description=_("不能停用自己的账号。"))
    set_active(user, active)
    if active:
        flash(_("已启用 %(login)s。", login=user.login), "success")
    else:
        flash(_("已停用 %(login)s。", login=user.login), "success")
    return redirect(url_for("web_admin.users"))
