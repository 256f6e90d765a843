"""Uploads through the browser and the real Celery worker, the column-mapping screen, and a
streamer logging a session on a phone."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import shot, sign_in

pytestmark = pytest.mark.browser
FINISHED = "#import-status[data-finished]"
# Dated 2022, before the sample county's years, so no figure another test checks moves.
CUSTOM_CSV = (
    "单号,商品,件数,金额,付款时间\n"
    "W001,手工布老虎,1,58.00,2022-05-01 10:00:00\n"
    "W002,手工布老虎,2,116.00,2022-05-02 11:30:00\n"
    "W003,手工布老虎,1,58.00,2022-05-03 09:15:00\n"
)


def counts(page: Any) -> dict[str, int]:
    cells = page.locator("#import-status [data-count]")
    return {
        cells.nth(i).get_attribute("data-count"): int(cells.nth(i).inner_text())
        for i in range(cells.count())
    }


def test_upload_shows_progress_until_the_counts(new_page: Any, shots: Path, samples: Path) -> None:
    entry = next(e for e in _manifest(samples) if e.get("expect_rejected"))
    page = new_page()
    sign_in(page, "officer1")
    page.goto("/imports")
    imports_before = page.request.get("/api/v1/imports?per_page=1").json()["total"]
    page.set_input_files("#file", str(samples / "exports" / entry["file"]))
    page.select_option("#shop", entry["shop"])
    page.click("#upload-button")
    page.wait_for_selector("#import-status:not([hidden])")
    page.wait_for_selector(FINISHED, timeout=90_000)
    assert page.get_attribute("#import-status", "data-finished") == "succeeded"
    assert page.locator("#import-status .progress-text").inner_text() == "100%"
    found = counts(page)
    # The file was imported when the county was loaded: the same bytes answer with that
    # import (200), whose counts are shown with a note, and nothing is imported twice.
    assert page.get_attribute("#import-status", "data-duplicate")
    assert "此前已上传过" in page.locator("[data-upload-note]").inner_text()
    assert found["rejected"] == entry["expect_rejected"]
    assert found["inserted"] > 0 and found["read"] >= found["inserted"] + found["rejected"]
    link = page.locator("[data-error-link]")
    assert link.is_visible()
    report = page.request.get(link.get_attribute("href"))
    assert report.ok and len(report.text().strip().splitlines()) == 1 + entry["expect_rejected"]
    shot(page, shots, "imports-finished")
    assert page.request.get("/api/v1/imports?per_page=1").json()["total"] == imports_before
    page.goto(f"/imports?watch={page.get_attribute('#import-status', 'data-duplicate')}")
    assert entry["file"][:20] in page.locator("#import-status [data-file]").inner_text()
    assert page.errors == []


def test_dropped_unknown_file_is_mapped_and_imported(new_page: Any, shots: Path) -> None:
    page = new_page()
    sign_in(page, "officer1")
    page.goto("/imports")
    page.select_option("#shop", "S07")
    transfer = page.evaluate_handle(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "text/csv" }));
            return transfer;
        }""",
        ["自建商城订单.csv", base64.b64encode(CUSTOM_CSV.encode()).decode()],
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})
    assert "自建商城订单.csv" in page.locator("#file-name").inner_text()
    page.click("#upload-button")
    page.wait_for_selector(FINISHED, timeout=90_000)
    assert page.get_attribute("#import-status", "data-finished") == "failed"
    page.wait_for_selector("#mapping-panel:not([hidden]) #map-order_id")
    # The first guess already names the right columns; the clerk checks them and saves.
    assert page.input_value("#map-order_id") == "单号"
    assert page.input_value("#map-paid") == "金额"
    assert page.input_value("#map-paid_at") == "付款时间"
    page.select_option("#map-product_name", "商品")
    page.fill("#mapping-name", "自建商城")
    page.select_option("#mapping-platform", "other")
    shot(page, shots, "imports-mapping")
    page.click("#mapping-form button[type=submit]")
    page.wait_for_selector(f"{FINISHED}[data-finished=succeeded]", timeout=90_000)
    assert counts(page)["inserted"] == 3 and counts(page)["rejected"] == 0
    saved = page.request.get("/api/v1/mappings").json()
    assert any(m["name"] == "自建商城" and m["fields"]["paid"] == "金额" for m in saved)
    assert page.errors == []


def test_streamer_logs_a_session_on_a_phone(new_page: Any, shots: Path) -> None:
    page = new_page(width=390, height=844, is_mobile=True, has_touch=True)
    sign_in(page, "streamer1")
    assert page.url.endswith("/me")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, shots, "phone-my-rooms")
    page.click("text=记录一场直播")
    page.wait_for_selector("#start")
    # An early-morning slot of the sample year: no other session of the room overlaps it.
    day = dt.date(2024, 12, 30)
    page.fill("#start", f"{day}T06:00")
    page.fill("#end", f"{day}T07:30")
    page.fill("#sales", "1,288.50")
    page.fill("#items", "23")
    page.fill("#buyers", "19")
    page.fill("#viewers", "1.2万")
    page.fill("#views", "20000")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, shots, "phone-session-form")
    page.click("form.session-form button[type=submit]")
    page.wait_for_url("**/me")
    assert "已保存" in page.locator(".flash").inner_text()
    assert "2024-12-30 06:00" in page.locator("main").inner_text()
    shot(page, shots, "phone-session-saved")
    # The menu folds into a button on a phone and opens on a tap.
    assert not page.locator("nav.nav").is_visible()
    page.click("label.nav-button")
    assert page.locator("nav.nav").is_visible()
    assert page.errors == []


def _manifest(samples: Path) -> list[dict[str, Any]]:
    return json.loads((samples / "manifest.json").read_text())


DOUYIN_SAMPLE = "1735720231_d0365b30f76489df9cf6873e3d5ca53f.csv"


def _douyin_without_shop(
    samples: Path,
    folder: Path,
    mark: str,
    rows: int = 3,
    product: str | None = None,
    shop: str | None = None,
) -> Path:
    """A 抖店 export as the platform writes it (no 店铺ID column: it names no shop), its lines
    moved to 2022, before the sample county's years, with order ids of their own (`mark`) and,
    with `product`, a 商品ID of its own; with `shop`, a 店铺ID column naming that shop."""
    import csv
    import io

    text = (samples / "exports" / DOUYIN_SAMPLE).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([*header, "店铺ID"] if shop else header)
    for number, row in enumerate(reader):
        if number == rows:
            break
        order = f"\t69{mark}{number:016d}"[:20]
        row = [cell.replace("2023-", "2022-") for cell in row]
        row[0] = row[1] = order
        if product is not None:
            row[header.index("商品ID")] = f"\t{product}"
        writer.writerow([*row, shop] if shop else row)
    path = folder / f"抖店订单导出_{mark}.csv"
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


def test_an_export_naming_another_townships_shop_is_refused_on_the_page(
    new_page: Any, shots: Path, samples: Path, tmp_path: Path
) -> None:
    # 许营镇's user sends a file whose 店铺ID names 顾乡镇's 抖音 shop (S02): never booked to S01.
    path = _douyin_without_shop(samples, tmp_path, "3", shop="S02")
    page = new_page(width=1280, height=900)
    sign_in(page, "town1")
    page.goto("/imports")
    before = page.request.get("/api/v1/imports?per_page=1").json()["total"]
    page.set_input_files("#file", str(path))
    page.click("#upload-button")
    status = page.locator("#import-status")
    status.locator("text=不在您的管辖范围内").wait_for(timeout=30_000)
    assert "“S02”" in status.inner_text()
    assert page.locator("#shop-choice").is_hidden()
    assert page.request.get("/api/v1/imports?per_page=1").json()["total"] == before
    shot(page, shots, "upload-other-township-refused-desktop")
    assert page.errors == []


def _import_of(page: Any, import_id: str) -> dict[str, Any]:
    answer = page.request.get(f"/api/v1/imports/{import_id}")
    assert answer.ok
    body: dict[str, Any] = answer.json()
    return body


def test_a_douyin_export_without_a_shop_id_takes_the_users_only_douyin_shop(
    new_page: Any, shots: Path, samples: Path, tmp_path: Path
) -> None:
    # 许营镇's user has one 抖音 shop (S01) beside a 视频号 one: nothing to choose.
    path = _douyin_without_shop(samples, tmp_path, "1")
    page = new_page(width=1280, height=900)
    sign_in(page, "town1")
    page.goto("/imports")
    assert page.input_value("#shop") == ""  # left to Cunbo
    page.set_input_files("#file", str(path))
    page.click("#upload-button")
    page.wait_for_selector(FINISHED, timeout=90_000)
    assert page.get_attribute("#import-status", "data-finished") == "succeeded"
    assert page.locator("#shop-choice").is_hidden()
    assert counts(page)["inserted"] == 3 and counts(page)["rejected"] == 0
    page.goto("/imports?status=succeeded&platform=douyin")
    row = page.locator("#import-history tbody tr").first
    assert path.name in row.locator(".file-cell").get_attribute("title")
    assert "许营好品官方旗舰店" in row.inner_text()
    assert page.locator(".pill.status-failed").count() == 0
    shot(page, shots, "upload-shop-picked-desktop")
    assert page.errors == []


def test_two_douyin_shops_fit_the_county_officer_is_asked_on_a_phone(
    new_page: Any, shots: Path, samples: Path, tmp_path: Path
) -> None:
    # A product no 平台商品 row names: its listings cannot tell S01 from S02.
    path = _douyin_without_shop(samples, tmp_path, "2", product="3999999999999999999")
    page = new_page(width=390, height=844, is_mobile=True, has_touch=True)
    sign_in(page, "officer1")
    page.goto("/imports")
    before = page.request.get("/api/v1/imports?per_page=1").json()["total"]
    page.set_input_files("#file", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#shop-choice:not([hidden]) [data-shop-choices] button")
    choices = page.locator("[data-shop-choices] button[name=chosen_shop]")
    assert [choices.nth(i).get_attribute("value") for i in range(choices.count())] == [
        "S01",
        "S02",
    ]
    assert "没有写明所属网店" in page.locator("[data-shop-question]").inner_text()
    assert page.request.get("/api/v1/imports?per_page=1").json()["total"] == before
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, shots, "upload-shop-asked-phone")
    page.click('[data-shop-choices] button[value="S02"]')
    page.wait_for_selector(FINISHED, timeout=90_000)
    assert page.get_attribute("#import-status", "data-finished") == "succeeded"
    assert page.locator("#shop-choice").is_hidden()
    latest = page.request.get("/api/v1/imports?per_page=1").json()
    assert latest["total"] == before + 1 and latest["items"][0]["shop"] == "S02"
    # The finished import heads the history without a reload.
    first = page.locator("#import-history tbody tr").first
    assert first.get_attribute("data-import") == str(latest["items"][0]["id"])
    assert "顾乡有礼抖音小店" in first.inner_text()
    shot(page, shots, "upload-shop-chosen-phone")
    assert page.errors == []
