"""Fixtures for ingest tests (no database needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .files import SAMPLES


@pytest.fixture
def samples() -> Path:
    if not (SAMPLES / "manifest.json").exists():
        pytest.skip("sample exports not available")
    return SAMPLES


@pytest.fixture
def manifest(samples: Path) -> list[dict[str, str]]:
    return json.loads((samples / "manifest.json").read_text(encoding="utf-8"))
