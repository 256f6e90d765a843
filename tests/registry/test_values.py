"""Cell parsing: what python-calamine gives → exact domain values, or a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from app.registry import values
from app.registry.values import CellError


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(41.04, "41.04"), (0.1 + 0.2, "0.30"), ("1,234.5", "1234.50"), ("¥12", "12.00"), (3, "3.00")],
)
def test_decimals_are_exact(cell: Any, expected: str) -> None:
    assert values.decimal(cell) == Decimal(expected)
    assert str(values.decimal(cell)) == expected


@pytest.mark.parametrize(
    ("cell", "expected"), [(2024.0, "2024"), (" T01 ", "T01"), ("62187499831", "62187499831")]
)
def test_codes_lose_excels_point_zero(cell: Any, expected: str) -> None:
    assert values.text(cell) == expected


@pytest.mark.parametrize(
    "cell",
    ["2024-03-01", "2024/3/1", "2024.03.01", "2024年3月1日", dt.date(2024, 3, 1), 45352.0],
)
def test_dates_in_the_forms_clerks_write(cell: Any) -> None:
    assert values.date(cell) == dt.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("cell", "utc"),
    [
        ("2024-03-01 20:00", dt.datetime(2024, 3, 1, 12, 0)),
        ("2024-03-01 20:00:30", dt.datetime(2024, 3, 1, 12, 0, 30)),
        (dt.datetime(2024, 3, 1, 20, 0), dt.datetime(2024, 3, 1, 12, 0)),
        ("2024-03-01T20:00:00+08:00", dt.datetime(2024, 3, 1, 12, 0)),
        ("2024-03-01T12:00:00Z", dt.datetime(2024, 3, 1, 12, 0)),
        ("2024-03-01T07:00:00-05:00", dt.datetime(2024, 3, 1, 12, 0)),
        ("2024-03-01 00:30", dt.datetime(2024, 2, 29, 16, 30)),
    ],
)
def test_times_are_beijing_unless_an_offset_is_given(cell: Any, utc: dt.datetime) -> None:
    assert values.utc_from_beijing(cell) == utc


@pytest.mark.parametrize(
    ("parse", "cell", "reason"),
    [
        (values.date, "2024-02-30", "无法识别，请写成 2024-03-01 的形式"),
        (values.utc_from_beijing, "3月1日晚上", "无法识别"),
        (values.count, 1.5, "必须是整数"),
        (values.count, -2, "不能为负数"),
        (values.positive, 0, "必须大于 0"),
        (values.decimal, "十元", "不是有效的数字"),
        (values.decimal, 1e15, "数值过大"),
        (values.platform, "京东", "无法识别，可填：抖音/抖店"),
        (values.scope_type, "省", "无法识别，可填：县、乡镇、村"),
    ],
)
def test_refusals_say_why(parse: Any, cell: Any, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        parse(cell)


def test_codes_and_names_map_to_codes() -> None:
    assert values.platform("微信小店") == "channels"
    assert values.platform("pinduoduo") == "pinduoduo"
    assert values.baseline_kind("非品牌同类") == "non_brand"
    assert values.indicator("村播带货额") == "live_sales"
    assert values.scope_type("room") == "room"
