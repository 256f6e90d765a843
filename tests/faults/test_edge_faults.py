"""RELIABILITY.md rows 8, 13, 14 and 15: what arrives at the upload, through a real worker."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.faults.conftest import (
    assert_figures_equal_raw,
    state,
    stored_lines,
    upload,
    wait_final,
)
from tests.faults.exports import douyin_export
from tests.faults.procs import Worker, alive, rss_mb
from tests.ingest import bombs

pytestmark = [pytest.mark.services, pytest.mark.faults]


def test_row08_same_bytes_twice_answer_with_the_existing_import(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    start_worker()
    export = douyin_export(tmp_path, 5_000, seed=60)
    first = upload(admin, export.path)
    done = wait_final(first["id"], 60)

    with export.path.open("rb") as stream:
        again = admin.post(
            "/api/v1/imports",
            data={"file": (stream, export.path.name), "shop": "S01"},
            content_type="multipart/form-data",
        )

    assert again.status_code == 200
    assert (again.get_json()["id"], again.get_json()["status"]) == (first["id"], "succeeded")
    time.sleep(1)
    assert state(first["id"]).attempts == done.attempts == 1  # no second job ran
    assert stored_lines() == export.paid
    assert_figures_equal_raw()


def test_row13_upload_above_the_limit_is_413_and_leaves_nothing(
    fault_app, admin: FlaskClient, tmp_path
) -> None:
    fault_app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    export = douyin_export(tmp_path, 2_000, seed=61)  # ~200 KB

    with export.path.open("rb") as stream:
        response = admin.post(
            "/api/v1/imports",
            data={"file": (stream, export.path.name), "shop": "S01"},
            content_type="multipart/form-data",
        )

    assert response.status_code == 413
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]
    assert stored_lines() == {}


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (bombs.ratio_bomb, "zip_bomb"),
        (bombs.lying_bomb, "zip_bomb"),
        (bombs.far_cell, "sheet_too_large"),
        (lambda path: bombs.far_cell(path, "A1:XFD1048576"), "sheet_too_large"),
    ],
    ids=["ratio-bomb", "lying-sizes", "far-cell", "far-cell-with-dimension"],
)
def test_row14_bombs_are_refused_and_the_worker_lives(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path, build, code
) -> None:
    worker = start_worker()
    child = worker.pool_pids()[0]
    before = rss_mb(child)
    path = build(tmp_path / "订单导出.xlsx")

    done = wait_final(upload(admin, path)["id"], 120)

    assert (done.status, done.code, done.attempts) == ("failed", code, 1)
    assert alive(child), "the pool child died"
    grew = rss_mb(child) - before
    print(f"row 14 {path.name}: code {done.code}, pool child grew {grew:.1f} MB")
    assert grew < 100
    healthy = douyin_export(tmp_path, 500, seed=62)
    assert wait_final(upload(admin, healthy.path)["id"], 60).status == "succeeded"
    assert_figures_equal_raw()


def test_row15_macro_workbook_refused_whatever_its_name(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path
) -> None:
    start_worker()
    named = bombs.workbook(tmp_path / "订单.xlsm", bombs.sheet('<row r="1"><c r="A1"/></row>'))
    with named.open("rb") as stream:
        by_name = admin.post(
            "/api/v1/imports",
            data={"file": (stream, named.name), "shop": "S01"},
            content_type="multipart/form-data",
        )
    assert by_name.status_code == 400 and by_name.get_json()["code"] == "macro_workbook"

    disguised = bombs.workbook(
        tmp_path / "订单.xlsx",
        bombs.sheet('<row r="1"><c r="A1"/></row>'),
        bombs.deflated("xl/vbaProject.bin", b"\x00" * 512),
    )
    done = wait_final(upload(admin, disguised)["id"], 60)
    assert done.status == "failed" and done.code == "macro_workbook"
    assert stored_lines() == {}
    assert_figures_equal_raw()
