"""What makes the streamer's pages work on a phone without network: the web app manifest
(installable as 村播) and the service worker, served from the site's root so that it controls
the session form and the streamer's home. Entries typed offline wait in the phone
(static/js/offline.js) and are sent to the form again, once each, by their client id."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, url_for
from flask_babel import gettext as _

bp = Blueprint("web_offline", __name__)

STATIC = Path(__file__).parent / "static"
# Kept in the phone when the service worker installs: what the form and the home need.
ASSETS = (
    "css/cunbo.css",
    "css/phone.css",
    "js/cunbo.js",
    "js/offline.js",
    "js/periods.js",
    "js/charts.js",
    "vendor/echarts/echarts.min.js",
    "favicon.svg",
    "icons/cunbo-192.png",
    "icons/cunbo-512.png",
)
# Pages kept (the last copy fetched) for reading offline; the form first.
PAGES = ("web_sessions.new", "web.my_rooms")


@bp.route("/sw.js")
def service_worker() -> Response:
    """The service worker, at the root so its scope is the whole site."""
    assets = [url_for("web.static", filename=name) for name in ASSETS]
    pages = [url_for(endpoint) for endpoint in PAGES]
    text = (
        _worker_source()
        .replace("__VERSION__", _version())
        .replace("__ASSETS__", current_app.json.dumps(assets))
        .replace("__PAGES__", current_app.json.dumps(pages))
        .replace("__LOGIN__", current_app.json.dumps(url_for("auth.login")))
    )
    response = Response(text, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: 村播 on the home screen, opening on the streamer's home."""
    icons = [
        {
            "src": url_for("web.static", filename=f"icons/cunbo-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": url_for("web.static", filename="favicon.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
        }
    )
    body = {
        "name": _("村播"),
        "short_name": _("村播"),
        "description": _("县域电商公共服务中心 · 村播销售台账"),
        "lang": "zh-CN",
        "start_url": url_for("web.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c8372d",
        "icons": icons,
    }
    response = Response(current_app.json.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@cache
def _worker_source() -> str:
    return (STATIC / "sw.js").read_text(encoding="utf-8")


@cache
def _version() -> str:
    """Changes when the worker or a kept file changes, so phones fetch the new copies."""
    digest = hashlib.sha256(_worker_source().encode())
    for name in ASSETS:
        path = STATIC / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
