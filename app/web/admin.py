"""User administration for the county centre: list, create, disable and re-enable accounts."""

from __future__ import annotations

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
from werkzeug.wrappers import Response

from app.auth import roles_required
from app.auth.accounts import (
    AccountError,
    NewUser,
    create_user,
    list_users,
    role_labels,
    set_active,
)
from app.extensions import db
from app.models import ROLES, User
from app.web.nav import roles_for

bp = Blueprint("web_admin", __name__, url_prefix="/admin")


@bp.route("/users")
@roles_required(*roles_for("web_admin.users"))
def users() -> str:
    return render_template("admin/users.html", users=list_users(), role_labels=role_labels())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*roles_for("web_admin.users"))
def new_user() -> tuple[str, int] | Response:
    """The new-user form; a generated password is shown once on the page that follows."""
    form = request.form.to_dict() if request.method == "POST" else {"role": "officer"}
    errors: list[str] = []
    if request.method == "POST":
        new = NewUser(
            login=form.get("login", ""),
            role=form.get("role", ""),
            password=form.get("password") or None,
            name=form.get("name") or None,
            townships=[form.get("township", "")],
            brands=[form.get("brands", "")],
            rooms=[form.get("rooms", "")],
            streamer=(form.get("streamer") or "").strip() or None,
        )
        try:
            user, generated = create_user(new)
        except AccountError as exc:
            errors = exc.errors
        else:
            page = make_response(
                render_template(
                    "admin/user_created.html",
                    user=user,
                    password=generated,
                    role_labels=role_labels(),
                )
            )
            page.headers["Cache-Control"] = "no-store"  # the page may show a password
            return page
    return render_template(
        "admin/user_new.html",
        form=form,
        errors=errors,
        roles=ROLES,
        role_labels=role_labels(),
    ), (422 if errors else 200)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(*roles_for("web_admin.users"))
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
