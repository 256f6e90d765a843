"""Upload limits: a body above MAX_CONTENT_LENGTH is refused before it is read (RELIABILITY
#13), and a burst of uploads beyond the per-user rate gets 429 with Retry-After (#24)."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from tests.support import bearer_client
from tests.uploads.conftest import ORDERS_CSV, imports_count, stored_files

LIMIT = 4096
BOUNDARY = "cunbo-boundary"


class CountingBody(BytesIO):
    """A request body that counts how much of it the server read."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        block = super().read(size)
        self.taken += len(block)
        return block

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.taken += len(line)
        return line


def _multipart(content: bytes, name: str = "orders.csv", shop: str = "P01") -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="shop"\r\n\r\n{shop}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


@pytest.mark.parametrize("path", ["/api/v1/imports", "/imports"])
def test_a_body_above_the_limit_is_refused_unread_and_leaves_nothing(
    app: Flask, officer: FlaskClient, path: str
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    payload = _multipart(b"A001,99.50\n" * 1000)
    body = CountingBody(payload)

    response = officer.post(
        path,
        input_stream=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        content_length=len(payload),
    )

    assert response.status_code == 413
    assert body.taken == 0  # refused from the Content-Length, before the body is read
    if path.startswith("/api/"):
        assert response.json["code"] == "file_too_large"
        text = response.json["message"]
    else:
        text = response.get_data(as_text=True)
    assert "4 KB 的上传上限" in text and "分几次导出" in text
    assert imports_count(app) == 0 and stored_files(app) == []


def test_a_file_under_the_limit_still_goes_through(app: Flask, officer: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    data = {"file": (BytesIO(ORDERS_CSV), "orders.csv"), "shop": "P01"}
    assert officer.post("/api/v1/imports", data=data).status_code == 202


@pytest.fixture
def limited_app(app: Flask, shops: None) -> Iterator[Flask]:
    """The test app's settings with rate limiting on (memory storage), two uploads a minute."""
    names = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER")
    limited = create_app(
        {
            **{name: app.config[name] for name in names},
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "UPLOAD_RATE_LIMIT": "2 per minute",
        }
    )
    yield limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_uploads_beyond_the_rate_get_429_with_retry_after(limited_app: Flask) -> None:
    clerk = bearer_client(limited_app, "township1", "township", {"township": ["T01"]})

    def api(content: bytes) -> object:
        data = {"file": (BytesIO(content), "orders.csv"), "shop": "P01"}
        return clerk.post("/api/v1/imports", data=data)

    assert api(ORDERS_CSV).status_code == 202
    page = clerk.post("/imports", data={"file": (BytesIO(b"a,b\n1,2\n"), "o.csv"), "shop": "P01"})
    assert page.status_code == 302  # the page and the API share one count per user
    stored = stored_files(limited_app)

    refused = api(b"another,file\n1,2\n")
    refused_page = clerk.post(
        "/imports", data={"file": (BytesIO(b"third\n"), "o.csv"), "shop": "P01"}
    )

    assert refused.status_code == 429 and refused_page.status_code == 429
    for response in (refused, refused_page):
        assert 0 < int(response.headers["Retry-After"]) <= 60
    assert refused.json["code"] == "too_many_uploads"
    assert "上传过于频繁：每个账号每分钟最多上传 2 个文件" in refused.json["message"]
    assert "上传过于频繁" in refused_page.get_data(as_text=True)
    assert imports_count(limited_app) == 2 and stored_files(limited_app) == stored

    other = bearer_client(limited_app, "officer1", "officer")  # counted per user
    data = {"file": (BytesIO(b"x,y\n1,2\n"), "orders.csv"), "shop": "P01"}
    assert other.post("/api/v1/imports", data=data).status_code == 202
