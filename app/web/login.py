"""Sign in and out with a login name and password; attempts are rate-limited per address."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from app.auth.accounts import find_user, password_errors, set_password
from app.auth.decorators import password_change_gate
from app.extensions import db, limiter
from app.web.i18n import LANGUAGES

bp = Blueprint("auth", __name__)
# Every request of the app, not only this blueprint's: a password someone else chose is
# changed before anything else is used.
bp.before_app_request(password_change_gate)

# Checked when the login name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("cunbo-no-such-user")


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after sign-in, or None (no open redirects)."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> tuple[str, int] | Response:
    """The sign-in form; on success go to `next` or the user's home page."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("web.home"))
    error = None
    login_name = ""
    if request.method == "POST":
        login_name = request.form.get("login", "").strip()
        password = request.form.get("password", "")
        user = find_user(login_name) if login_name else None
        if user is None:
            check_password_hash(_DUMMY_HASH, password)
            error = _("登录名或密码不正确。")
        elif not user.check_password(password):
            error = _("登录名或密码不正确。")
        elif not user.is_active:
            error = _("此账号已停用，请联系县电商公共服务中心管理员。")
        else:
            login_user(user)
            # A language picked on the sign-in page becomes the user's own choice.
            if session.get("lang") in LANGUAGES and user.locale != session["lang"]:
                user.locale = session["lang"]
                db.session.commit()
            if user.must_change_password:
                flash(_("您的密码是管理员设置的临时密码，请先设置您自己的密码。"), "info")
                return redirect(url_for("auth.change_password"))
            return redirect(next_url or url_for("web.home"))
    status = 401 if error else 200
    return render_template(
        "auth/login.html", error=error, login_name=login_name, next_url=next_url
    ), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    flash(_("您已退出登录。"), "info")
    response = redirect(url_for("auth.login"))
    # The browser's copies of the account's pages go; the service worker's kept pages go
    # when the sign-in page answers (static/sw.js).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> tuple[str, int] | Response:
    """Any signed-in user changes their own password; required after a temporary one."""
    errors: list[str] = []
    forced = current_user.must_change_password
    if request.method == "POST":
        new = request.form.get("new_password", "")
        current = request.form.get("password", "")
        if not current_user.check_password(current):
            errors.append(_("当前密码不正确。"))
        if new != request.form.get("confirm", ""):
            errors.append(_("两次输入的新密码不一致。"))
        elif new and new == current:
            errors.append(_("新密码不能与当前密码相同，请另设一个。"))
        errors += password_errors(new)
        if not errors:
            set_password(current_user, new)
            flash(_("密码已修改。"), "success")
            return redirect(url_for("web.home"))
    page = render_template("auth/password.html", errors=errors, forced=forced)
    return page, (422 if errors else 200)
