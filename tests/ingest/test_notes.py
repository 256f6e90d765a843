"""app/ingest/errors.py Notes: what the parts of one file said, added up as one file's."""

from __future__ import annotations

from app.ingest.errors import Notes


def test_the_parts_notes_add_up_and_a_once_per_file_note_stays_once() -> None:
    first, second = Notes(), Notes()
    for notes in (first, second):
        notes.add("unknown_status", "订单状态“待核销”未识别。", once=True)
        notes.add("totals_row_skipped", "合计行已跳过。", 2)
    second.add("blank_rows_skipped", "空白行已跳过。", 3)

    whole = Notes()
    whole.add_part(first.of_part())
    whole.add_part(second.of_part())

    assert [(n["code"], n["count"]) for n in whole.as_list()] == [
        ("unknown_status", 1),
        ("totals_row_skipped", 4),
        ("blank_rows_skipped", 3),
    ]
    assert "once" not in whole.as_list()[0]  # what an import keeps is as before
