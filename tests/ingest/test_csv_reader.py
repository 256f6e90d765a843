"""CSV reading: encodings, delimiters, broken rows, chunking and progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ingest import ImportFileError, open_export

from .douyin_rows import HEADER, NAME, row
from .files import read_all, write_csv

IDS = [f"69{n:017d}" for n in range(1, 8)]


def test_utf8_bom_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / NAME, HEADER, [row(i) for i in IDS])
    result = read_all(path)
    assert result.reader.kind == "douyin_orders"
    assert result.lines["line_id"].tolist() == IDS
    assert result.lines["row"].tolist() == list(range(2, 9))


def test_gb18030_csv_resaved_by_wps(tmp_path: Path) -> None:
    path = write_csv(tmp_path / NAME, HEADER, [row(i) for i in IDS], encoding="gb18030")
    result = read_all(path)
    assert result.lines["product_name"].unique().tolist() == ["许营焖子"]
    assert result.lines["province"].unique().tolist() == ["山东省"]


def test_gbk_text_late_in_a_mostly_ascii_file(tmp_path: Path) -> None:
    plain = [row(f"69{n:017d}") for n in range(1, 6000)]
    for r in plain:
        r[2] = r[3] = r[10] = r[12] = r[13] = "x"  # ASCII only
        r[16] = "done"
    last = row("6999999999999999999")
    path = write_csv(tmp_path / NAME, HEADER, [*plain, last], encoding="gb18030")
    result = read_all(path)
    assert result.line("6999999999999999999")["product_name"] == "许营焖子"


def test_tab_delimited_text(tmp_path: Path) -> None:
    path = tmp_path / NAME
    body = ["\t".join(HEADER)] + ["\t".join(c.strip("\t") for c in row(i)) for i in IDS[:2]]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    assert read_all(path).lines["line_id"].tolist() == IDS[:2]


def test_unreadable_rows_are_reported_and_numbering_continues(tmp_path: Path) -> None:
    path = write_csv(tmp_path / NAME, HEADER, [row(i) for i in IDS])
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    lines[3] = '"\t1","broken"'  # data row 3 (spreadsheet row 4) lost its other columns
    path.write_text("\ufeff" + "\r\n".join(lines), encoding="utf-8")
    result = read_all(path, chunk_rows=2)
    assert [e.row for e in result.errors] == [4]
    assert "列数" in result.errors[0].message
    assert result.lines["row"].tolist() == [2, 3, 5, 6, 7, 8]
    assert result.lines["line_id"].tolist() == [IDS[0], IDS[1], *IDS[3:]]
    assert result.rows_read == 7


def test_quoted_newlines_inside_a_cell(tmp_path: Path) -> None:
    rows = [row(i) for i in IDS[:3]]
    rows[1][2] = "许营\n焖子"
    result = read_all(write_csv(tmp_path / NAME, HEADER, rows))
    assert result.lines["product_name"].tolist()[1] == "许营\n焖子"
    assert result.lines["line_id"].tolist() == IDS[:3]


def test_trailing_comma_on_every_data_row(tmp_path: Path) -> None:
    path = tmp_path / NAME
    body = [",".join(HEADER)] + [",".join(c.strip("\t") for c in row(i)) + "," for i in IDS]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    result = read_all(path)
    assert len(result.lines) == len(IDS) and not result.errors


def test_chunks_progress_and_blank_lines(tmp_path: Path) -> None:
    ids = [f"69{n:017d}" for n in range(1, 2001)]
    rows = [row(i) for i in ids] + [[""] * len(HEADER)]
    result = read_all(write_csv(tmp_path / NAME, HEADER, rows), chunk_rows=300)
    assert len(result.progress) == 7
    assert result.progress == sorted(result.progress) and result.progress[-1] == 1.0
    assert result.lines["line_id"].tolist() == ids
    assert result.rows_read == 2000  # the blank spacer row is not a data row


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match="空"):
        open_export(path)


def test_binary_junk_is_not_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    with pytest.raises(ImportFileError):
        open_export(path)


def test_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(",".join(HEADER).encode("utf-8") + b"\n\xff\xfe\xfd\x81\x30" * 3)
    with pytest.raises(ImportFileError):
        read_all(path)


def test_header_noise_bom_spaces_pua_and_full_width(tmp_path: Path) -> None:
    noisy = [f" {h}\ue61a\u3000" if i % 2 else h for i, h in enumerate(HEADER)]
    rows = [[*row(i), "-"] for i in IDS[:2]]
    result = read_all(write_csv(tmp_path / NAME, [*noisy, "建议发货时间（起）"], rows))
    assert result.reader.kind == "douyin_orders"
    assert result.lines["line_id"].tolist() == IDS[:2]  # 子订单编号 came with a glyph
    assert result.lines["platform_product_id"].tolist() == ["3661318609139099603"] * 2
    assert result.reader.headers["line_id"] == "子订单编号"  # shown without the glyph


def test_bytes_outside_the_encoding_past_the_sampled_windows(tmp_path: Path) -> None:
    """pyarrow meets the bad byte while reading: the file is refused for its encoding."""
    plain = [row(f"69{n:017d}") for n in range(1, 20000)]
    for r in plain:
        r[2] = r[3] = r[10] = r[12] = r[13] = "x"  # ASCII only, so the samples decode
        r[16] = "done"
    path = write_csv(tmp_path / NAME, HEADER, plain, encoding="utf-8")
    data = bytearray(path.read_bytes())
    bad = data.index(b"x", int(len(data) * 0.3))  # between the head and the sampled windows
    data[bad : bad + 1] = b"\xff"
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFileError) as refused:
        read_all(path)
    assert refused.value.code == "unknown_encoding"
    assert "CSV UTF-8" in refused.value.message and "CSV UTF-8" in refused.value.message_en


def test_a_cell_the_parser_cannot_hold_is_a_broken_csv_not_an_encoding(tmp_path: Path) -> None:
    path = write_csv(tmp_path / NAME, HEADER, [row(f"69{n:017d}") for n in range(1, 200)])
    path.write_bytes(path.read_bytes() + b'"' + b"x" * 3_000_000 + b"\n" + b"y" * 10 + b"\n")
    with pytest.raises(ImportFileError) as refused:
        read_all(path)
    assert refused.value.code == "bad_csv"
    assert "引号" in refused.value.message and "quote" in refused.value.message_en
