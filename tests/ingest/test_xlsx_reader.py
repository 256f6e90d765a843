"""Workbooks: typed cells to text, sheet choice, encryption and zip-bomb guards."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from app.ingest import ImportFileError, open_export
from app.ingest.platforms.template import TEMPLATE_HEADERS
from app.ingest.readers import guards

from .files import read_all, write_xlsx

ROW = ["其他", "S07", "OFF0001", "", "P001", "许营焖子", 2.0, "80.00", "0.00",
       "2024-07-04 10:30:00", "已完成", ""]  # fmt: skip


def template_book(path: Path, rows: list[list[object]] | None = None) -> Path:
    return write_xlsx(path, TEMPLATE_HEADERS, rows or [ROW], sheet="销售")


def test_numbers_become_clean_text(tmp_path: Path) -> None:
    rows = [ROW, [*ROW[:2], "OFF0002", "", "P001", "许营焖子", 3, 45.5, 0, *ROW[9:]]]
    result = read_all(template_book(tmp_path / "t.xlsx", rows))
    assert result.lines["quantity"].tolist() == [2, 3]
    assert result.lines["paid_fen"].tolist() == [8000, 4550]
    assert not result.errors


def test_date_cells_and_formula_cached_values(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("销售")
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for c, name in enumerate(TEMPLATE_HEADERS):
        sheet.write_string(0, c, name)
    for c, value in enumerate(ROW):
        if c == 9:
            sheet.write_datetime(1, c, datetime(2024, 7, 4, 10, 30), stamp)
        elif c == 7:  # a formula: only its cached result is read, it is never evaluated
            sheet.write_formula(1, c, '=WEBSERVICE("http://example.invalid")', None, "80.00")
        elif isinstance(value, str):
            sheet.write_string(1, c, value)
        else:
            sheet.write_number(1, c, value)
    book.close()
    line = read_all(path).lines.iloc[0]
    assert line["paid_at"] == datetime(2024, 7, 4, 2, 30)
    assert line["paid_fen"] == 8000


def test_id_stored_as_a_number_is_rejected_and_warned(tmp_path: Path) -> None:
    rows = [[*ROW[:2], 3.71658131906572e18, "", *ROW[4:]], [*ROW[:2], "OFF0002", "", *ROW[4:]]]
    result = read_all(template_book(tmp_path / "t.xlsx", rows))
    assert result.lines["order_id"].tolist() == ["OFF0002"]
    assert "科学计数法" in result.errors[0].message and result.errors[0].row == 2
    assert any("Excel" in w for w in result.reader.warnings)


def test_the_matching_sheet_is_chosen_and_xlsm_is_accepted(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "销售.xlsm", TEMPLATE_HEADERS, [ROW], sheet="销售",
        extra_sheets=[("说明", [["请按模板填写"], ["每行一个订单行"]])],
    )  # fmt: skip
    result = read_all(path)
    assert result.reader.kind == "template" and len(result.lines) == 1


def test_header_below_a_title_row(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "2024年7月展销会销售")
    for c, name in enumerate(TEMPLATE_HEADERS):
        sheet.write_string(2, c, name)
    for c, value in enumerate(ROW):
        sheet.write(3, c, value)
    book.close()
    result = read_all(path)
    assert result.lines["row"].tolist() == [4]


# ---- guards -----------------------------------------------------------------------------


def _rewrite(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change.get(info.filename, old.read(info.filename)))
        for name, data in change.items():
            if name not in old.namelist():
                new.writestr(name, data)
    return target


def test_zip_bomb_is_rejected_before_parsing(tmp_path: Path) -> None:
    plain = template_book(tmp_path / "plain.xlsx")
    bomb = _rewrite(plain, tmp_path / "bomb.xlsx", {"xl/media/image1.bin": bytes(40 << 20)})
    with pytest.raises(ImportFileError, match="压缩"):
        open_export(bomb)


def test_too_much_uncompressed_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guards, "MAX_UNCOMPRESSED", 10_000)
    with pytest.raises(ImportFileError, match="MB"):
        open_export(template_book(tmp_path / "t.xlsx"))


def test_absurd_sheet_dimension_is_rejected(tmp_path: Path) -> None:
    plain = template_book(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(plain) as book:
        xml = book.read("xl/worksheets/sheet1.xml")
    xml = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
    huge = _rewrite(plain, tmp_path / "huge.xlsx", {"xl/worksheets/sheet1.xml": xml})
    with pytest.raises(ImportFileError, match="区域过大"):
        open_export(huge)


def test_entry_lying_about_its_size_fails_its_check(tmp_path: Path) -> None:
    plain = template_book(tmp_path / "plain.xlsx")
    data = bytearray(plain.read_bytes())
    with zipfile.ZipFile(plain) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
    small = (info.file_size // 4).to_bytes(4, "little")  # uncompressed size field
    data[info.header_offset + 22 : info.header_offset + 26] = small
    central = data.index(b"PK\x01\x02")
    name = info.filename.encode()
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 24 : central + 28] = small
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(bytes(data))
    with pytest.raises(ImportFileError):
        open_export(liar)


def test_not_a_workbook_at_all(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(ImportFileError):
        open_export(path)


# ---- encryption -------------------------------------------------------------------------


def _encrypt(plain: Path, target: Path, password: str) -> Path:
    out = io.BytesIO()
    with open(plain, "rb") as fh:
        OOXMLFile(fh).encrypt(password, out)
    target.write_bytes(out.getvalue())
    return target


def test_encrypted_workbook_needs_the_password(tmp_path: Path) -> None:
    locked = _encrypt(template_book(tmp_path / "t.xlsx"), tmp_path / "locked.xlsx", "ks2024")
    with pytest.raises(ImportFileError, match="密码"):
        open_export(locked)
    with pytest.raises(ImportFileError, match="密码不正确"):
        open_export(locked, password="wrong")
    assert len(read_all(locked, password="ks2024").lines) == 1


def test_kuaishou_sample_with_without_and_wrong_password(samples: Path, tmp_path: Path) -> None:
    sample = samples / "exports" / "快手小店订单_2023.xlsx"
    path = shutil.copy(sample, tmp_path / sample.name)
    with pytest.raises(ImportFileError, match="加密"):
        open_export(path)
    with pytest.raises(ImportFileError, match="密码不正确"):
        open_export(path, password="ks2025")
    result = read_all(path, password="ks2024")
    assert result.reader.kind == "kuaishou" and len(result.lines) == 453
