"""`/healthz` for process managers and load balancers: 200 when the database and the broker
answer, 503 (saying which does not) otherwise. No sign-in, no personal data."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from tasks.health import service_health

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    checks = service_health()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body |= {name: "ok" if up else "down" for name, up in checks.items()}
    return jsonify(body), 200 if healthy else 503
