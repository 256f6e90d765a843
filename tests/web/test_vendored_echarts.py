"""The charting library the pages load is the pinned npm release recorded in SOURCE.txt."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, url_for
from flask.testing import FlaskClient

VENDOR = Path(__file__).resolve().parents[2] / "app" / "web" / "static" / "vendor" / "echarts"


def test_echarts_is_the_recorded_release_and_served_by_the_app(
    app: Flask, client: FlaskClient
) -> None:
    recorded = re.search(
        r"sha256 of echarts.min.js: ([0-9a-f]{64})", (VENDOR / "SOURCE.txt").read_text()
    )
    assert recorded is not None
    body = (VENDOR / "echarts.min.js").read_bytes()
    assert hashlib.sha256(body).hexdigest() == recorded.group(1)

    with app.test_request_context():
        path = url_for("web.static", filename="vendor/echarts/echarts.min.js")
    served = client.get(path)
    assert served.status_code == 200
    assert served.data == body
