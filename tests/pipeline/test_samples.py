"""End to end: the sample county's registry, then every export in manifest order."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.extensions import db
from app.ingest.service import create_import, run_import
from app.models import ImportRowError, OrderLine
from tests.support import import_samples


def test_every_sample_imports_with_the_counts_its_readme_implies(app_ctx, samples):
    expected_total = json.loads((samples / "expected.json").read_text())["lines_total"]

    manifest = import_samples(samples)

    for entry in manifest:
        record = entry["result"]
        assert record.status == "succeeded", (entry["file"], record.message)
        assert record.rejected == entry.get("expect_rejected", 0), entry["file"]
        assert record.inserted + record.rejected == record.read, entry["file"]
    stored = db.session.scalar(select(func.count()).select_from(OrderLine))
    assert stored == expected_total == sum(e["result"].inserted for e in manifest)
    bad = [e for e in manifest if e.get("expect_rejected")][0]["result"]
    reasons = db.session.scalars(
        select(ImportRowError.message).where(ImportRowError.import_id == bad.id)
    ).all()
    assert len(reasons) == 4 and all(reasons)

    again = [
        run_import(
            create_import(
                samples / "exports" / e["file"],
                platform=e["platform"],
                shop_code=e["shop"],
                password=e.get("password"),
            ).id
        )
        for e in manifest
    ]

    assert sum(r.inserted for r in again) == 0
    assert sum(r.updated for r in again) == 0
    assert sum(r.unchanged for r in again) == expected_total
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == expected_total
