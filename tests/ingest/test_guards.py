"""Workbooks that would hurt the worker are refused before calamine expands them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from app.ingest import ImportFileError, open_export
from app.ingest.readers import guards, open_sources, sheet_extent

from . import bombs

ROOT = Path(__file__).resolve().parents[2]


def refusal(path: Path) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        guards.check_zip(path)
    return caught.value


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("hostile")
    return {
        "ratio_bomb": bombs.ratio_bomb(d / "ratio.xlsx"),
        "lying_bomb": bombs.lying_bomb(d / "liar.xlsx"),
        "far_cell": bombs.far_cell(d / "far.xlsx"),
        "far_cell_small_dimension": bombs.far_cell(d / "far_dim.xlsx", dimension="A1:C2"),
    }


# ---- zip bombs ------------------------------------------------------------------------------


def test_bomb_under_the_old_ratio_limit_is_refused(hostile: dict[str, Path]) -> None:
    path = hostile["ratio_bomb"]
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert 200 < info.file_size / info.compress_size < 300 and path.stat().st_size < 3 << 20
    assert refusal(path).code == "zip_bomb"


def test_headers_lying_about_the_size_change_nothing(hostile: dict[str, Path]) -> None:
    path = hostile["lying_bomb"]
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size == 64 << 10  # what the archive claims; it really holds 1 GB
    assert refusal(path).code == "zip_bomb"


def test_total_across_entries_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guards, "MAX_UNCOMPRESSED", 3 << 20)
    noise = [bombs.deflated(f"xl/media/image{i}.bin", bytes(range(256)) * 4096) for i in range(4)]
    path = bombs.workbook(tmp_path / "t.xlsx", bombs.sheet(bombs.HEADER_ROW), *noise)
    assert refusal(path).code == "workbook_too_large"


def test_many_small_entries_cannot_add_up_to_a_bomb(tmp_path: Path) -> None:
    part = b"<x/>" * (1 << 18)  # 1 MB each, 1000:1, each below the per-entry floor
    many = [bombs.deflated(f"xl/customXml/item{i}.xml", part) for i in range(8)]
    path = bombs.workbook(tmp_path / "t.xlsx", bombs.sheet(bombs.HEADER_ROW), *many)
    assert refusal(path).code == "zip_bomb"


def test_unusual_compression_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as book:
        book.writestr("xl/worksheets/sheet1.xml", bombs.sheet(bombs.HEADER_ROW))
    assert refusal(path).code == "unsupported_compression"


def test_a_real_export_inflates_well_within_the_limits(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    rows = book.add_worksheet()
    for r in range(3000):
        for c in range(64):
            rows.write_string(r, c, f"{(r * 64 + c) % 100000:06d}\t")
    book.close()
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size / info.compress_size < guards.MAX_RATIO / 4
    guards.check_zip(path)


def test_exported_samples_pass(samples: Path) -> None:
    for path in sorted((samples / "exports").glob("*.xlsx")):
        if guards.sniff(path) == "zip":
            guards.check_zip(path)


# ---- far cells ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["far_cell", "far_cell_small_dimension"])
def test_far_cell_is_refused_whatever_the_dimension_says(
    hostile: dict[str, Path], name: str
) -> None:
    error = refusal(hostile[name])
    assert error.code == "sheet_too_large" and "1048576 行" in error.message


@pytest.mark.parametrize(
    "cell",
    [
        "<c r='XFD1048576'>",  # single quotes
        '<c t="n" r="XFD1048576">',  # r not the first attribute
        '<c\nr="XFD1048576">',
        '<c r="xfd1048576">',  # calamine reads lower case too
        '<c r="AAAA1">',  # past Excel's last column
    ],
)
def test_far_cell_written_unusually_is_found(tmp_path: Path, cell: str) -> None:
    assert refusal(bombs.far_cell(tmp_path / "t.xlsx", cell=cell)).code == "sheet_too_large"


def test_prefixed_cells_are_counted(tmp_path: Path) -> None:
    rows = bombs.HEADER_ROW + '<x:row r="900000"><x:c r="ZZ900000"><x:v>1</x:v></x:c></x:row>'
    xml = bombs.sheet(rows, ns=f'xmlns:x="{bombs.NS}"')
    assert refusal(bombs.workbook(tmp_path / "t.xlsx", xml)).code == "sheet_too_large"


def test_cells_without_references_follow_each_other(tmp_path: Path) -> None:
    rows = bombs.HEADER_ROW + '<row r="1048576">' + "<c/>" * 17_000 + "</row>"
    assert refusal(bombs.workbook(tmp_path / "t.xlsx", bombs.sheet(rows))).code == "sheet_too_large"


def test_many_cells_in_one_place_are_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_extent, "MAX_CELLS", 1000)
    rows = '<row r="1">' + '<c r="A1"><v>1</v></c>' * 1001 + "</row>"
    error = refusal(bombs.workbook(tmp_path / "t.xlsx", bombs.sheet(rows)))
    assert error.code == "sheet_too_large" and "1001 个单元格" in error.message


@pytest.mark.parametrize("piece", [7, 64, 1000])
def test_a_tag_cut_between_pieces_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    monkeypatch.setattr(guards, "PIECE", piece)
    assert refusal(bombs.far_cell(tmp_path / "t.xlsx")).code == "sheet_too_large"


def test_a_greater_than_sign_inside_a_tag_is_not_a_hiding_place(tmp_path: Path) -> None:
    path = bombs.far_cell(tmp_path / "t.xlsx", cell='<c foo=">" r="XFD1048576">')
    assert refusal(path).code == "sheet_malformed"


def test_utf16_sheet_is_refused(tmp_path: Path) -> None:
    xml = bombs.sheet(bombs.HEADER_ROW).decode().replace("UTF-8", "UTF-16").encode("utf-16")
    assert refusal(bombs.workbook(tmp_path / "t.xlsx", xml)).code == "sheet_malformed"


def test_a_normal_sheet_measures_its_real_extent(tmp_path: Path) -> None:
    budget = guards._Budget()
    scan = sheet_extent.CellScan(budget)
    rows = bombs.HEADER_ROW + '<row r="7"><c r="BL7" t="s"><v>0</v></c></row>'
    scan.feed(bombs.sheet(rows))
    scan.finish()
    assert (scan.rows, scan.cols, scan.cells, budget.cells) == (7, 64, 4, 7 * 64)


# ---- macros, formulas, external links ------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        bombs.MACRO_TYPE,
        "application/vnd.ms-excel.template.macroEnabled.main+xml",  # .xltm
        "application/vnd.ms-excel.addin.macroEnabled.main+xml",  # .xlam
    ],
)
def test_macro_content_types_are_refused_whatever_the_name(
    tmp_path: Path, content_type: str
) -> None:
    path = bombs.workbook(
        tmp_path / "订单.xlsx", bombs.sheet(bombs.HEADER_ROW), content_type=content_type
    )
    error = refusal(path)
    assert error.code == "macro_workbook" and ".xlsx" in error.message


@pytest.mark.parametrize("name", ["xl/vbaProject.bin", "xl/macrosheets/sheet1.xml"])
def test_macro_parts_are_refused(tmp_path: Path, name: str) -> None:
    macro = bombs.deflated(name, b"\x00" * 100)
    path = bombs.workbook(tmp_path / "book.xlsx", bombs.sheet(bombs.HEADER_ROW), macro)
    with pytest.raises(ImportFileError) as caught:
        open_export(path)
    assert caught.value.code == "macro_workbook"


def test_external_link_is_never_fetched_and_the_cached_value_is_read(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/prices.xlsx"
    link = bombs.deflated(
        "xl/externalLinks/externalLink1.xml",
        f'<externalLink xmlns="{bombs.NS}"><externalBook xmlns:r="{bombs.REL}" r:id="rId1">'
        '<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'.encode(),
    )
    link_rels = bombs.deflated(
        "xl/externalLinks/_rels/externalLink1.xml.rels",
        f'<Relationships xmlns="{bombs.PKG_REL}"><Relationship Id="rId1" '
        f'Type="{bombs.REL}/externalLinkPath" Target="{url}" TargetMode="External"/>'
        "</Relationships>".encode(),
    )
    rels = (
        f'<Relationship Id="rId9" Type="{bombs.REL}/externalLink" '
        'Target="externalLinks/externalLink1.xml"/>'
    )
    rows = (
        bombs.HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>P001</t></is></c>'
        '<c r="B2"><f>[1]Sheet1!A1*2</f><v>42</v></c>'
        '<c r="C2" t="str"><f>WEBSERVICE("' + url + '")</f><v>缓存</v></c></row>'
    )
    path = bombs.workbook(tmp_path / "t.xlsx", bombs.sheet(rows), link, link_rels, rels=rels)
    source = next(open_sources(path))
    batch = next(source.batches({"a": 0, "b": 1, "c": 2}, 10))
    assert batch.frame.iloc[0].tolist() == ["P001", "42", "缓存"]
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody knocked
    listener.close()


# ---- the worker survives, and its memory stays flat ----------------------------------------

_CHILD = """
import json, resource, sys
from app.ingest import ImportFileError, open_export

def address_space():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmSize:"))

limit = address_space() + (1536 << 20)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
code = None
try:
    for _ in open_export(sys.argv[1]).iter_chunks():
        pass
except ImportFileError as exc:
    code = exc.code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"code": code, "growth_kb": after - before}))
"""


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ratio_bomb", "zip_bomb"),
        ("lying_bomb", "zip_bomb"),
        ("far_cell", "sheet_too_large"),
        ("far_cell_small_dimension", "sheet_too_large"),
    ],
)
def test_worker_survives_with_flat_memory(hostile: dict[str, Path], name: str, code: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(hostile[name])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(name, report)
    assert report["code"] == code
    assert report["growth_kb"] < 100 * 1024
