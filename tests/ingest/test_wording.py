"""Every message people read is said in Chinese and in English (SPEC §6: English switchable)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.ingest import ImportFileError, open_export
from app.ingest.errors import Notes
from app.wording import Wording, english, say

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
HANZI = re.compile(r"[\u4e00-\u9fff]")


def _marked_templates() -> list[tuple[str, str]]:
    """(file, template) for every N_("…") in app/ and tasks/."""
    found = []
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("tasks/**/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "N_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append((str(path.relative_to(ROOT)), node.args[0].value))
    return found


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_marked_message_has_its_english_with_the_same_values() -> None:
    catalog = read_po(CATALOG.open("rb"))
    templates = _marked_templates()
    assert len(templates) > 100  # the ingest, upload and job messages at least
    missing, mismatched = [], []
    for where, template in templates:
        entry = catalog.get(template)
        if entry is None or not entry.string:
            missing.append((where, template))
        elif _fields(entry.string) != _fields(template):
            mismatched.append((where, template, entry.string))
    assert missing == []
    assert mismatched == []


def test_the_compiled_catalog_is_current() -> None:
    """The .mo the app reads holds what the .po says (pybabel compile was run)."""
    catalog = read_po(CATALOG.open("rb"))
    stale = [
        m.id
        for m in catalog
        if isinstance(m.id, str)
        and m.id
        and m.string
        and not m.context  # pgettext entries are looked up with their context
        and english(m.id) != m.string
    ]
    assert stale == []


def test_a_wording_is_said_whole_in_one_language() -> None:
    detail = say("压缩数据无效")
    wording = say("Excel 文件已损坏（{detail}），请重新导出后上传。", detail=detail)
    assert wording.zh == "Excel 文件已损坏（压缩数据无效），请重新导出后上传。"
    assert wording.en == (
        "The Excel file is damaged (invalid compressed data). Export it again and upload it."
    )
    assert str(wording) == wording.zh
    assert isinstance(wording, Wording)


def test_a_refused_file_says_why_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    ledger = "动账时间,动账流水号,动账金额\n2024-06-01 10:00:00,L1,12.00\n"
    path.write_text(ledger, encoding="utf-8")
    with pytest.raises(ImportFileError) as refused:
        open_export(path)
    error = refused.value
    assert error.code == "not_an_order_export"
    assert "资金流水" in error.message and HANZI.search(error.message)
    assert error.message_en.startswith("This file is a Douyin shop funds ledger")
    assert "Order management → Order export" in error.message_en


def test_notes_count_up_and_keep_both_languages() -> None:
    notes = Notes()
    notes.add("blank_rows_skipped", say("文件中的空白行已跳过。"), 2)
    notes.add("blank_rows_skipped", say("文件中的空白行已跳过。"), 3)
    assert notes.as_list() == [
        {
            "code": "blank_rows_skipped",
            "message": "文件中的空白行已跳过。",
            "message_en": "Blank rows in the file were skipped.",
            "count": 5,
        }
    ]
