"""The sample county with one user per role, for page tests that need real figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.auth.accounts import NewUser, create_user
from tests.support import empty_all_tables, import_samples

PASSWORD = "sample-county-9"
# login → (role, scope)
USERS: dict[str, tuple[str, dict[str, Any]]] = {
    "admin1": ("admin", {}),
    "officer1": ("officer", {}),
    "viewer1": ("viewer", {}),
    "town1": ("township", {"townships": ["T01"]}),
    "brand1": ("brand", {"brands": ["B01"]}),
    "streamer1": ("streamer", {"streamer": "Z01"}),
}


def seed_county(samples: Path) -> list[dict[str, Any]]:
    """Empty the database, load the registry, import every export, add the users."""
    empty_all_tables()
    manifest = import_samples(samples)
    for login, (role, scope) in USERS.items():
        create_user(NewUser(login=login, role=role, password=PASSWORD, **scope))
    return manifest
