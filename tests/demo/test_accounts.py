"""The demo logins `cunbo demo` prints: one per everyday role, scoped, restored on a rerun."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.auth.accounts import find_user, set_active, set_password
from app.auth.demo import DEMO_PASSWORD, ensure_demo_accounts
from app.registry import load_workbook


def test_demo_logins_work_and_a_rerun_restores_them(app_ctx: Flask, samples: Path) -> None:
    load_workbook(samples / "registry.xlsx")
    accounts = ensure_demo_accounts()
    assert [(login, role) for login, _, role in accounts] == [
        ("demo-admin", "admin"),
        ("demo-township", "township"),
        ("demo-brand", "brand"),
        ("demo-streamer", "streamer"),
    ]
    township = find_user("demo-township")
    assert township is not None and township.check_password(DEMO_PASSWORD)
    assert township.scope_codes("township") == {"T01"}
    assert township.must_change_password  # the shared demo password is only a first one

    set_active(township, False)
    set_password(township, "changed by someone")
    assert not township.must_change_password
    assert ensure_demo_accounts() == accounts
    assert township.active and township.check_password(DEMO_PASSWORD)
    assert township.must_change_password
