"""Cell-level rules of FORMATS.md: protection stripping, empties, money, quantity, dates, text."""

from __future__ import annotations

import pandas as pd
import pytest

from app.ingest import cells
from app.ingest.dates import parse_datetimes
from app.ingest.text import display_header, norm_header, norm_status

EMPTY_SPELLINGS = ["-", "--", "\t", "null", "NULL", "#NULL!", "nan", "", " ", "\t-\t", None]


def col(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def test_protection_characters_are_stripped() -> None:
    raw = col("\t6917926768823643751", "169.0\t", "'123456789", "`987654", '="4567890"', "否'")
    assert cells.clean(raw).tolist() == [
        "6917926768823643751", "169.0", "123456789", "987654", "4567890", "否",
    ]  # fmt: skip


@pytest.mark.parametrize("spelling", EMPTY_SPELLINGS)
def test_every_empty_spelling_is_missing(spelling: str | None) -> None:
    assert cells.clean(col(spelling, "x")).isna().tolist() == [True, False]


def test_money_to_fen_accepts_signs_units_and_separators() -> None:
    fen, bad = cells.parse_money(col("41.04", "¥1,234.00", "￥12元", "0.29", ".5", "12", None))
    assert fen.tolist()[:6] == [4104, 123400, 1200, 29, 50, 1200]
    assert pd.isna(fen.iloc[6])
    assert not bad.any()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("约30元", "不是有效金额"),
        ("1.234", "超过两位小数"),
        ("-3.00", "不能为负数"),
        ("1,23.00", ""),
    ],
)
def test_bad_money_is_flagged_with_a_reason(text: str, reason: str) -> None:
    fen, bad = cells.parse_money(col(text))
    assert bad.tolist() == [True] and pd.isna(fen.iloc[0])
    assert reason in cells.money_problem(text).zh


def test_quantity_whole_numbers_only() -> None:
    qty, bad = cells.parse_quantity(col("1", "3.0", "-2", "x", None, "1.5", "0"))
    assert bad.tolist() == [False, False, True, True, False, True, False]
    assert qty.iloc[0] == 1 and qty.iloc[1] == 3 and qty.iloc[6] == 0


def test_dates_beijing_to_utc_including_excel_resave() -> None:
    stamps, bad, resaved = parse_datetimes(col("2024-07-04 00:57:18", "2026/6/7 14:32", None))
    assert stamps.iloc[0] == pd.Timestamp("2024-07-03 16:57:18")
    assert stamps.iloc[1] == pd.Timestamp("2026-06-07 06:32:00")
    assert pd.isna(stamps.iloc[2]) and not bad.any() and resaved
    assert stamps.dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    "text", ["2024-13-45 25:61:00", "2024-02-30 10:00:00", "2023-02-29 10:00:00", "45123.5", "明天"]
)
def test_impossible_dates_are_bad(text: str) -> None:
    stamps, bad, _ = parse_datetimes(col("2024-02-29 10:00:00", text))
    assert bad.tolist() == [False, True]
    assert pd.isna(stamps.iloc[1])


def test_excel_damaged_ids_are_recognised() -> None:
    assert cells.looks_resaved(col("6.91793E+18", "6917926768823643751"))
    assert cells.looks_resaved(col("6917926768823640000", "6917926768823650000"))
    assert not cells.looks_resaved(col("6917926768823643751", "6917926768823643000", *["1"] * 3))
    many = col(*[f"69179267688236{i:05d}" for i in range(1, 2000)])  # ~0.1 % end in 000
    assert not cells.looks_resaved(many)


def test_header_normalisation() -> None:
    assert norm_header("\ufeff 商品编码（平台）") == norm_header("商品编码(平台)")
    assert norm_header("建议发货时间（起）\ue61a") == "建议发货时间(起)"
    assert norm_header("商品ID") == norm_header("商品id")
    assert display_header("\ufeff订单号\ue001 ") == "订单号"


def test_status_commas_fold() -> None:
    out = norm_status(col("买家已付款，等待卖家发货", "买家已付款,等待卖家发货", " 已完成 ", None))
    assert out.tolist()[:3] == ["买家已付款,等待卖家发货", "买家已付款,等待卖家发货", "已完成"]
    assert pd.isna(out.iloc[3])


def test_masked_text_is_dropped() -> None:
    assert cells.masked_to_na(col("****", "山东省****", "山东省")).isna().tolist() == [
        True, True, False,
    ]  # fmt: skip


def test_a_money_cell_of_other_digits_is_rejected_with_a_reason() -> None:
    """'²' reads as a digit to str.isdigit but is no number: the row is refused, not the file."""
    assert "不是有效金额" in cells.money_problem("²").zh
