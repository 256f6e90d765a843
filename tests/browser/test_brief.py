"""The monthly brief from the reports page, on a desktop and on a phone: the PDF button
downloads one A4 page in the county's words, the picture button shows a phone-wide PNG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser.conftest import shot, sign_in

MONTH = "2024-06"
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_brief_buttons_give_the_pdf_and_the_picture(
    new_page: Any, shots: Path, tmp_path: Path, device: str
) -> None:
    width, height = VIEWPORTS[device]
    page = new_page(width=width, height=height)
    sign_in(page, "officer1" if device == "desktop" else "viewer1")
    page.goto("/reports?year=2024")
    row = page.locator("#reports tbody tr", has_text=MONTH)
    pdf_button, png_button = row.locator("[data-brief=pdf]"), row.locator("[data-brief=png]")
    assert pdf_button.inner_text() == "简报 PDF" and png_button.inner_text() == "简报图片"
    shot(page, shots, f"brief-reports-{device}")

    with page.expect_download() as download:
        pdf_button.click()
    saved = tmp_path / "brief.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"高新区月度简报-{MONTH}.pdf"
    reader = PdfReader(io.BytesIO(saved.read_bytes()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "高新区电商月度简报（2024年6月）" in text and "网络零售额" in text

    with page.expect_response(lambda r: "/reports/brief/" in r.url) as answer:
        png_button.click()
    response = answer.value
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    body = response.body()
    assert int.from_bytes(body[16:20], "big") == 1080
    image = page.locator("img")
    image.wait_for()
    assert image.evaluate("img => img.naturalWidth") == 1080
    assert page.errors == []
    shot(page, shots, f"brief-picture-{device}")
    if device == "phone":
        (shots / f"brief-{MONTH}.png").write_bytes(body)  # the picture itself, as shared
