"""Language choice: 简体中文 by default, English on request, remembered per session and user."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

from app.extensions import db

# Short code in URLs and the session → (catalog locale, name shown in the switch).
LANGUAGES = {"zh": ("zh_Hans_CN", "简体中文"), "en": ("en", "English")}
DEFAULT_LANGUAGE = "zh"


def current_language() -> str:
    """`zh` or `en`: the session's choice, else the user's saved one, else Chinese."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = session.get("lang")
    if chosen not in LANGUAGES and current_user.is_authenticated:
        chosen = current_user.locale
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return LANGUAGES[current_language()][0]


def remember_language(lang: str) -> bool:
    """Store a language choice in the session and on the signed-in user."""
    if lang not in LANGUAGES:
        return False
    session["lang"] = lang
    if current_user.is_authenticated and current_user.locale != lang:
        current_user.locale = lang
        db.session.commit()
    return True


def language_from_query() -> None:
    """`?lang=en` on any page switches the language (before anything is translated)."""
    lang = request.args.get("lang")
    if lang:
        remember_language(lang)


def html_lang() -> str:
    return "zh-CN" if current_language() == "zh" else "en"
