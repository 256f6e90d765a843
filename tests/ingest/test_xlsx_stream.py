"""Workbooks read streaming: the same text as the whole-sheet reader, only the needed columns
decoded, a title line and a totals row handled, and memory that does not grow with rows."""

from __future__ import annotations

import random
import tracemalloc
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import python_calamine as calamine
import xlsxwriter

from app.ingest import open_export, repeats
from app.ingest.readers import guards, open_sources, sheet_columns, sheet_slow, sheet_xml
from app.ingest.readers.xlsx_source import XlsSource, XlsxSource

from . import bombs
from .files import read_all

CHANNELS = [
    "订单号", "订单下单时间", "订单状态", "商品总价", "订单实际支付金额", "支付时间", "商品名称",
    "商品编码(平台)", "商品价格(单件)", "商品实际价格(单件)", "商品实际价格(总共)", "商品数量",
    "商品售后", "商品已退款金额",
]  # fmt: skip


def channels_row(n: int, paid: str = "19.90") -> list[object]:
    stamp = f"2024-07-{1 + n % 28:02d} 10:{n % 60:02d}:00"
    return [
        str(3_700_000_000_000_000_000 + n), stamp, "已完成", paid, paid, stamp, "许营焖子",
        "15379907511637", paid, paid, paid, 1, "无", "0.00",
    ]  # fmt: skip


def wide_book(
    path: Path,
    rows: list[list[object]],
    *,
    title: str | None = None,
    totals: str | None = None,
    noise: int = 50,
    memory: bool = True,
) -> Path:
    """A 微信小店 XLSX with `noise` unneeded columns between the needed ones."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": memory, "strings_to_numbers": False})
    sheet = book.add_worksheet("快递订单")
    header = [*CHANNELS[:3], *(f"备用{i}" for i in range(noise)), *CHANNELS[3:]]
    top = 0
    if title:
        sheet.write_string(0, 0, title)
        top = 2
    sheet.write_row(top, 0, header)
    for r, values in enumerate(rows, start=top + 1):
        full = [*values[:3], *(f"杂项{r}-{i}" for i in range(noise)), *values[3:]]
        for c, value in enumerate(full):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    if totals:
        last = top + len(rows) + 1
        sheet.write_string(last, 0, totals)
        sheet.write_string(last, 3 + noise, "99.00")
    book.close()
    return path


def test_wide_sheet_with_title_and_totals_streams_right(tmp_path: Path) -> None:
    rows = [channels_row(n, paid=f"{10 + n}.50") for n in range(30)]
    path = wide_book(
        tmp_path / "微信小店订单_wx1_2024年07月31日20时00分00秒_1.xlsx", rows,
        title="微信小店订单导出（2024年7月）", totals="合计",
    )  # fmt: skip
    result = read_all(path, chunk_rows=7)  # several chunks, a piece cut between them
    assert result.reader.kind == "channels"
    assert result.lines["row"].tolist() == list(range(4, 34))  # header on row 3 under the title
    assert result.lines["paid_fen"].tolist() == [1050 + 100 * n for n in range(30)]
    assert result.lines["order_id"].iloc[-1] == "3700000000000000029"
    assert not result.errors
    assert result.reader.notes.has("totals_row_skipped")
    assert result.progress[-1] == 1.0 and result.progress == sorted(result.progress)


def test_unneeded_columns_are_never_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Garbage in a column the format does not read costs nothing and breaks nothing."""
    cells = []
    for r in range(2, 6):
        cells.append(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>OFF000{r}</t></is></c>'
            f'<c r="B{r}" t="s"><v>999999</v></c>'  # a shared string that does not exist
            f'<c r="C{r}" t="d"><v>not a date</v></c>'
            f'<c r="D{r}"><f>SUM(A1:A9)</f><v>oops</v></c>'
            f'<c r="E{r}" t="inlineStr"><is><r><t>rich</t></r><r><t>text</t></r></is></c>'
            f'<c r="F{r}" t="inlineStr"><is><t>P001</t></is></c>'
            f'<c r="G{r}"><v>2</v></c><c r="H{r}" t="inlineStr"><is><t>80.00</t></is></c>'
            f'<c r="I{r}" t="inlineStr"><is><t>2024-07-04 10:30:00</t></is></c></row>'
        )
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip(
            "ABCDEFGHI",
            ["订单号", "乱1", "乱2", "乱3", "乱4", "商家编码", "数量", "实付金额", "支付时间"],
            strict=True,
        )  # fmt: skip
    )
    xml = bombs.sheet(f'<row r="1">{header}</row>' + "".join(cells))
    path = bombs.workbook(tmp_path / "t.xlsx", xml)
    decoded: list[str] = []
    real = sheet_xml.element_value

    def watch(kind: str, content: bytes) -> str | None:
        decoded.append(kind)
        return real(kind, content)

    source = next(open_sources(path))  # the first rows are read whole, for the header
    for module in (sheet_slow, sheet_columns):  # the two ways a cell is read on its own
        monkeypatch.setattr(module, "element_value", watch)
    batch = next(source.batches({"order": 0, "code": 5, "qty": 6, "paid": 7}, 100))
    assert batch.frame["order"].tolist() == ["OFF0002", "OFF0003", "OFF0004", "OFF0005"]
    assert (
        batch.frame["qty"].tolist() == ["2"] * 4 and batch.frame["paid"].tolist() == ["80.00"] * 4
    )
    assert decoded == []  # the formula and rich-text cells were never looked at
    other = next(source.batches({"sum": 3, "rich": 4, "missing": 1, "date": 2}, 100))
    assert other.frame["rich"].tolist() == ["richtext"] * 4  # when asked for, read right
    assert other.frame["sum"].tolist() == ["oops"] * 4
    assert other.frame["missing"].isna().all()
    assert other.frame["date"].tolist() == ["not a date"] * 4
    assert decoded  # the watch sees a cell read on its own


def _typed_book(path: Path, *, memory: bool) -> Path:
    """Every kind of cell a workbook holds, with the numbers a re-saved export has."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": memory, "strings_to_numbers": False})
    sheet = book.add_worksheet("S")
    formats = [
        book.add_format({"num_format": code})
        for code in ("yyyy-mm-dd", "hh:mm:ss", "yyyy-mm-dd hh:mm:ss", "[h]:mm", "0.00", 14,
                     'yyyy"年"m"月"d"日"', "m/d/yy h:mm", "General")
    ]  # fmt: skip
    bold = book.add_format({"bold": True})
    rng = random.Random(7)
    sheet.write_row(0, 0, [f"列{i}" for i in range(12)])
    for r in range(1, 300):
        sheet.write_number(r, 0, rng.choice([0.1 + 0.2, 1e16, -0.0, 2.0, 45.5, 41.04, 1e-05,
                                             3.71658131906572e18, 1234567890123456,
                                             rng.uniform(1e-4, 1e15), rng.random() * 1000,
                                             float(rng.randrange(10**15))]))  # fmt: skip
        fmt = formats[r % len(formats)]
        sheet.write_number(r, 1, rng.choice([45477, 45477.4375, 0.5, 1.5, 59.25, 61]), fmt)
        sheet.write_datetime(r, 2, datetime(2024, 7, 4, 10, 30, r % 60), formats[2])
        sheet.write_datetime(r, 3, date(2024, 1 + r % 12, 1 + r % 28), formats[0])
        sheet.write_datetime(r, 4, time(r % 24, r % 60, 5), formats[1])
        sheet.write_boolean(r, 5, r % 2 == 0)
        sheet.write_formula(r, 6, "=1/0", None, "#DIV/0!")
        sheet.write_formula(r, 7, '=CONCAT("a","b")', None, f"结果{r}")
        sheet.write_rich_string(r, 8, "ab", bold, f"cd{r}")
        sheet.write_string(r, 9, f'a&b<c>"q" _x000D_ {r}\u3000尾')
        sheet.write_string(r, 10, f"  {r}\t")
        sheet.write_number(r, 11, r * 1.1)
    book.close()
    return path


@pytest.mark.parametrize("memory", [True, False], ids=["inline", "shared"])
def test_streaming_gives_the_text_the_whole_sheet_reader_gave(tmp_path: Path, memory: bool) -> None:
    path = _typed_book(tmp_path / "t.xlsx", memory=memory)
    columns = {f"c{i}": i for i in range(12)}
    streamed = next(open_sources(path))
    assert isinstance(streamed, XlsxSource)
    whole = XlsSource("S", calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0))
    assert streamed.headers == whole.headers and len(streamed.head_rows) == len(whole.head_rows)
    ours = next(streamed.batches(columns, 1000)).frame
    theirs = next(whole.batches(columns, 1000)).frame
    assert ours.shape == theirs.shape == (299, 12)
    for key in columns:
        assert ours[key].fillna("").tolist() == theirs[key].fillna("").tolist(), key


def test_shortest_text_of_numbers_is_pythons() -> None:
    rng = random.Random(3)
    numbers = [rng.uniform(1e-4, 1e15) for _ in range(2000)]
    numbers += [round(rng.uniform(0, 1e6), rng.randrange(1, 6)) for _ in range(2000)]
    text = pa.array([repr(x) for x in numbers], pa.large_string())
    ours = sheet_columns._numbers(text, pa.array([0] * len(numbers)).to_numpy(), sheet_xml.Styles())
    assert ours.to_pylist() == [sheet_xml.cell_text(x) for x in numbers]
    assert pc.all(pc.is_valid(ours)).as_py()


def _narrow_book(path: Path, rows: int) -> Path:
    names = zip("ABCD", ["订单号", "商家编码", "数量", "实付金额"], strict=True)
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>' for col, name in names
    )
    body = [f'<row r="1">{header}</row>']
    for r in range(2, rows + 2):
        body.append(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>OFF{r:08d}</t></is></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>P001</t></is></c><c r="C{r}"><v>1</v></c>'
            f'<c r="D{r}" t="inlineStr"><is><t>{r % 997}.50</t></is></c></row>'
        )
    return bombs.workbook(path, bombs.sheet("".join(body)))


def _reading_peak(path: Path) -> tuple[int, int]:
    source = next(open_sources(path))
    tracemalloc.start()
    count = 0
    for batch in source.batches({"order": 0, "paid": 3}, 5_000):
        count += len(batch.frame)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count, peak


def test_memory_of_reading_does_not_grow_with_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guards, "PIECE", 256 << 10)  # both files span many pieces
    small = _reading_peak(_narrow_book(tmp_path / "small.xlsx", 20_000))
    large = _reading_peak(_narrow_book(tmp_path / "large.xlsx", 80_000))
    assert small[0] == 20_000 and large[0] == 80_000
    print("peak bytes", small[1], large[1])
    assert large[1] < small[1] * 1.5 + (2 << 20)  # four times the rows, not four times the memory


def test_header_only_sheet_and_ids_stored_as_numbers(tmp_path: Path) -> None:
    name = "微信小店订单_wx1_2024年07月31日20时00分00秒_{}.xlsx"
    empty = open_export(wide_book(tmp_path / name.format(1), [], noise=2))
    assert empty.kind == "channels" and empty.total_rows == 0
    assert list(empty.iter_chunks()) == []
    rows = [channels_row(1), [3.71658131906572e18, *channels_row(2)[1:]]]
    result = read_all(wide_book(tmp_path / name.format(2), rows, noise=2))
    assert result.lines["order_id"].tolist() == ["3700000000000000001"]
    assert [error.row for error in result.errors] == [3]  # the id Excel turned into 3.7E+18
    assert any("Excel" in w for w in result.reader.warnings)


@pytest.mark.parametrize("spilled", [False, True])
def test_repeats_across_chunks_split_lines_as_within_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spilled: bool
) -> None:
    """The 微信 whole-file prepass sees a product repeated in an order whatever the chunking,
    and whether its counts stay in memory or go to disk (a file too long for the budget)."""
    went_to_disk: list[bool] = []
    answer = repeats.RepeatCounter.repeated

    def repeated(self: repeats.RepeatCounter) -> dict[str, set[str]]:
        went_to_disk.append(self.spilled)
        return answer(self)

    monkeypatch.setattr(repeats.RepeatCounter, "repeated", repeated)
    if spilled:
        monkeypatch.setattr(repeats, "BUDGET", 0)
    from .files import write_xlsx
    from .test_channels import HEADER, NAME, ORDER, OTHER, P1, P2, row

    rows = [row(ORDER, P1, "40.00", sku="P004-A"), row(OTHER, P2, "9.00", sku="X"),
            row(ORDER, P1, "50.00", sku="P004-B"), row(OTHER, P2, "9.00", sku="X"),
            row(OTHER, P1, "5.00", sku="Y")]  # fmt: skip
    path = write_xlsx(tmp_path / NAME, HEADER, rows, sheet="快递订单")
    whole = read_all(path).lines["line_id"].tolist()
    assert whole == [
        f"{ORDER}:{P1}:P004-A", f"{OTHER}:{P2}:X#1", f"{ORDER}:{P1}:P004-B", f"{OTHER}:{P2}:X#2",
        f"{OTHER}:{P1}",
    ]  # fmt: skip
    assert read_all(path, chunk_rows=1).lines["line_id"].tolist() == whole
    assert went_to_disk and set(went_to_disk) == {spilled}
