"""Property tests: whatever a file holds, the reader yields rows or errors, or rejects the file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest import ImportFileError

from .douyin_rows import HEADER, NAME, row
from .files import read_all, write_csv, write_xlsx

TRICKY = st.sampled_from(["", "-", "--", "\t", "null", "#NULL!", "nan", "0", "-1", "1.5",
                          "1e5", "6.91793E+18", "¥1,234.00", "约30元", '="123"', "'",
                          "2024-13-45 25:61:00", "2024/2/30 1:00", "\u3000", "\ue000", "已关闭",
                          "退款成功", '"', ",", "\n", "\r\n", "\x00"])  # fmt: skip
CELL = st.one_of(TRICKY, st.text(max_size=12))
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def _check(path: Path, **kwargs: object) -> None:
    try:
        result = read_all(path, **kwargs)
    except ImportFileError as exc:
        assert exc.message
        return
    rejected = [e.row for e in result.errors]
    assert len(set(rejected)) == len(rejected)  # one error per rejected row
    assert result.rows_read == len(result.lines) + len(rejected)
    if len(result.lines):
        assert not set(rejected) & set(result.lines["row"].tolist())
        assert result.lines["line_id"].notna().all()
        assert (result.lines["refund_fen"] <= result.lines["paid_fen"]).all()
        assert (result.lines["paid_fen"] >= 0).all()


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(HEADER) - 1), CELL), max_size=40),
       st.integers(1, 6))  # fmt: skip
def test_douyin_csv_with_damaged_cells(damage: list[tuple[int, str]], count: int) -> None:
    rows = [row(f"69{n:017d}") for n in range(count)]
    for pos, (column, value) in enumerate(damage):
        rows[pos % count][column] = value
    with tempfile.TemporaryDirectory() as folder:
        _check(write_csv(Path(folder) / NAME, HEADER, rows))


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["x.csv", "x.xlsx", NAME]))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        _check(path)


@SETTINGS
@given(
    st.lists(
        st.lists(
            st.one_of(
                CELL, st.floats(allow_nan=True), st.integers(-(10**20), 10**20), st.booleans()
            ),
            min_size=12,
            max_size=12,
        ),
        max_size=8,
    )
)
def test_template_workbook_with_typed_cells(rows: list[list[object]]) -> None:
    header = ["平台", "网店编码", "订单号", "子订单号", "商品编码", "商品名称", "数量", "实付金额",
              "退款金额", "支付时间", "订单状态", "主播"]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        _check(write_xlsx(Path(folder) / "t.xlsx", header, rows))
