"""RELIABILITY #23: generated input on every operation of /api/v1/openapi.json, never a 5xx.

Schemathesis reads the app's own OpenAPI description through its WSGI interface and calls every
operation with an administrator's and a streamer's bearer token. Only server errors fail the
test: a 400, 403, 404 or 422 for odd input is the answer wanted. The sample registry is loaded
so that generated codes and ids sometimes hit real rows.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from app import create_app
from app.extensions import db
from app.registry import load_workbook
from tests.support import bearer_client, config_for_tests, empty_all_tables

# Examples per operation, role and mode (valid, invalid input): a couple of minutes in all.
# CUNBO_FUZZ_EXAMPLES=100 digs deeper before a release.
EXAMPLES = int(os.environ.get("CUNBO_FUZZ_EXAMPLES", "8"))
ROLES = {"admin": {}, "streamer": {"room": ["R01"]}}


@pytest.fixture(scope="module")
def api_app(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    app = create_app(config_for_tests(database_url, tmp_path_factory.mktemp("schemathesis")))
    with app.app_context():
        empty_all_tables()
        assert load_workbook(samples / "registry.xlsx").rejected == 0
    yield app
    with app.app_context():
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def tokens(api_app: Flask) -> dict[str, str]:
    found = {}
    for role, scopes in ROLES.items():
        client = bearer_client(api_app, f"fuzz-{role}", role, scopes)
        found[role] = client.environ_base["HTTP_AUTHORIZATION"]
    return found


@pytest.fixture(scope="module")
def api_schema(api_app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


def _where(exc: BaseException) -> str:
    """The exception and the last line of Cunbo's code it passed through."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/site-packages/" not in f.filename] or frames
    return f"({type(exc).__name__}: {str(exc)[:200]} at {ours[-1].filename}:{ours[-1].lineno})"


def fuzz(operation: Any, mode: GenerationMode, token: str) -> tuple[list[str], int]:
    """Up to EXAMPLES generated calls of one operation: (the first 5xx, if any; calls made)."""
    found: list[str] = []
    calls = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        nonlocal calls
        calls += 1
        try:
            # Schemathesis re-raises what the app did not handle (a 500 for a client).
            status, cause = case.call(headers={"Authorization": token}).status_code, ""
        except Exception as exc:
            status, cause = 500, _where(exc)
        if status >= 500 and not found:
            found.append(
                f"{operation.label} [{mode.value}] → {status} {cause}: {case.as_curl_command()}"
            )

    try:
        call()
    except Unsatisfiable:
        pass  # nothing to make invalid: an operation without parameters or body
    return found, calls


def server_errors(schema: Any, token: str) -> tuple[list[str], int, int]:
    """Fuzz every operation with valid and invalid input; (5xx found, operations, calls)."""
    found: list[str] = []
    operations = calls = 0
    for result in schema.get_all_operations():
        operations += 1
        for mode in GenerationMode:
            failures, made = fuzz(result.ok(), mode, token)
            found += failures
            calls += made
    return found, operations, calls


@pytest.mark.parametrize("role", sorted(ROLES))
def test_generated_input_never_gets_a_server_error(
    api_schema: Any, tokens: dict[str, str], role: str
) -> None:
    started = time.monotonic()
    found, operations, calls = server_errors(api_schema, tokens[role])
    seconds = time.monotonic() - started
    print(f"schemathesis as {role}: {operations} operations, {calls} calls, {seconds:.0f} s")
    assert operations > 50  # the whole description was read
    assert found == [], "\n".join(found)
