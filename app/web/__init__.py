"""Server-rendered pages: sign-in, dashboards per role, the session form, user admin."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import get_babel
from flask_login import current_user

from app.web import labels
from app.web.drill import lines_url
from app.web.i18n import (
    LANGUAGES,
    current_language,
    html_lang,
    language_from_query,
    select_locale,
)


def register_web(app: Flask) -> None:
    """Blueprints, template filters and globals, language choice and error pages."""
    from app.web import (
        admin,
        health,
        imports,
        lines,
        live_sessions,
        login,
        offline,
        pages,
        places,
        premium,
        registry,
        reports,
        targets,
        unregistered,
    )
    from app.web.errors import register_error_pages
    from app.web.formatting import register_filters

    for blueprint in (
        pages.bp,
        login.bp,
        live_sessions.bp,
        offline.bp,
        admin.bp,
        places.bp,
        premium.bp,
        registry.bp,
        imports.bp,
        lines.bp,
        targets.bp,
        reports.reports_bp,
        reports.months_bp,
        unregistered.bp,
        health.bp,
    ):
        app.register_blueprint(blueprint)
    get_babel(app).locale_selector = select_locale  # pages and API answer in the chosen one
    app.before_request(language_from_query)
    register_filters(app)
    app.context_processor(_template_globals)
    app.jinja_env.globals.update(
        lines_url=lines_url,
        platform_label=labels.platform_label,
        month_name=labels.month_name,
        indicator_label=labels.indicator_label,
        status_class=labels.status_class,
        status_label=labels.status_label,
        import_status_labels=labels.IMPORT_STATUS_LABELS,
        count_labels=labels.COUNT_LABELS,
        baseline_labels=labels.BASELINE_LABELS,
        scope_labels=labels.SCOPE_LABELS,
        money_indicators=labels.MONEY_INDICATORS,
    )
    register_error_pages(app)


def _template_globals() -> dict[str, Any]:
    from app.auth.accounts import role_labels
    from app.web.nav import nav_items

    return {
        "nav_items": nav_items(),
        "languages": {code: name for code, (_locale, name) in LANGUAGES.items()},
        "current_language": current_language(),
        "html_lang": html_lang(),
        "current_path": request.full_path if request.query_string else request.path,
        "role_label": role_labels().get(current_user.role, "")
        if current_user.is_authenticated
        else "",
    }
