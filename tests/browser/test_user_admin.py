"""An admin creates a township officer from the lists; the officer must change the password,
then sees only its own township."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser

TEMPORARY = "temporary-pass-1"
OWN = "township-own-pass-2"


def test_admin_creates_a_township_officer_who_must_change_the_password(
    new_page: Any, shots: Path
) -> None:
    admin = new_page()
    sign_in(admin, "admin1")
    admin.goto("/admin/users/new")
    admin.fill("#login", "town-new")
    admin.fill("#name", "新乡镇专员")
    admin.select_option("#role", "township")
    admin.fill("#password", TEMPORARY)
    assert "T01 — 许营镇" in admin.locator("#townships").inner_text()
    admin.select_option("#townships", label="T01 — 许营镇")
    shot(admin, shots, "user-new-township")
    admin.click("main form.form button[type=submit]")
    admin.wait_for_selector("h1:has-text('用户已创建')")
    assert admin.errors == []

    officer = new_page()
    officer.goto("/login")
    officer.fill("#login", "town-new")
    officer.fill("#password", TEMPORARY)
    officer.click("main form.form button[type=submit]")
    officer.wait_for_url("**/account/password")
    assert "临时密码" in officer.inner_text("main")
    officer.goto("/dashboard")
    assert officer.url.endswith("/account/password")  # nothing else opens before the change

    officer.fill("#password", TEMPORARY)
    officer.fill("#new_password", OWN)
    officer.fill("#confirm", OWN)
    officer.click("main form.form button[type=submit]")
    officer.wait_for_selector("h1:has-text('乡镇看板')")
    shot(officer, shots, "dashboard-new-township-officer")
    scope_line = officer.locator("main").inner_text()
    assert "许营镇" in scope_line and "全县" not in scope_line
    assert officer.goto("/townships/T02").status == 403
    assert officer.errors == []
