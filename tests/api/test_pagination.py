"""Every paginated list of the API answers one envelope: items, page, per_page, total, pages."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

ENVELOPE = {"items", "page", "per_page", "total", "pages"}


@pytest.mark.parametrize(
    ("path", "total"),
    [("/api/v1/townships", 4), ("/api/v1/villages", 8), ("/api/v1/sessions", None)],
)
def test_registry_and_session_lists_share_the_envelope(
    admin: FlaskClient, registry: None, path: str, total: int | None
) -> None:
    page = admin.get(path, query_string={"per_page": 3, "page": 1}).get_json()
    assert set(page) == ENVELOPE
    assert (page["page"], page["per_page"]) == (1, 3)
    assert len(page["items"]) == min(3, page["total"])
    assert page["pages"] == -(-page["total"] // 3)
    if total is not None:
        assert page["total"] == total


def test_the_import_list_says_its_page_size_too(admin: FlaskClient) -> None:
    page = admin.get("/api/v1/imports", query_string={"per_page": 7}).get_json()
    assert page == {"items": [], "page": 1, "per_page": 7, "total": 0, "pages": 0}
