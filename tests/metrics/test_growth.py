"""当月同比, 累计同比, 环比: hand-computed, and null with a reason when the base is empty or 0."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.rollup_write import rebuild_all
from tests.figures_json import growth

if TYPE_CHECKING:
    from .conftest import County

D = dt.date


@pytest.fixture
def history(county: County) -> County:
    c = county
    c.add(
        c.line("S01", "a", "50", day=D(2023, 2, 10)),
        c.line("S01", "b", "100", day=D(2023, 6, 10)),
        c.line("S01", "c", "40", refund="40", status="refunded", day=D(2023, 7, 1)),
        c.line("S01", "d", "100", day=D(2024, 1, 10)),
        c.line("S02", "e", "150", product="P002", day=D(2024, 5, 31)),
        c.line("S01", "f", "300", refund="50", day=D(2024, 6, 1)),
    )
    rebuild_all()
    db.session.commit()
    return c


def test_growth_of_net_retail(history: County) -> None:
    assert growth("2024-06") == {
        "month": "2024-06",
        "indicator": "net_retail",
        "scope": "county",
        "value": "250.00",
        "last_year": "100.00",
        "yoy": 1.5,
        "ytd": "500.00",
        "last_year_ytd": "150.00",
        "ytd_yoy": 2.333333,
        "prev_month": "150.00",
        "mom": 0.666667,
        "reasons": {},
    }


def test_empty_base_is_null_with_reason(history: County) -> None:
    result = growth("2024-03")
    assert (result["value"], result["last_year"], result["yoy"]) == ("0.00", "0.00", None)
    assert "无数据" in result["reasons"]["yoy"]
    assert result["mom"] is None and "上月" in result["reasons"]["mom"]
    assert result["ytd_yoy"] == 1.0  # 100 against 50


def test_zero_base_with_sales_says_zero(history: County) -> None:
    result = growth("2024-07")
    assert result["last_year"] == "0.00" and result["yoy"] is None
    assert "为 0" in result["reasons"]["yoy"]
    assert result["mom"] == -1.0  # 0 against 250


def test_growth_by_scope_and_indicator(history: County) -> None:
    township = growth("2024-06", "net_retail", "township:T02")
    assert township["value"] == "0.00" and township["prev_month"] == "150.00"
    agri = growth("2024-05", "农产品网络零售额")
    assert (agri["indicator"], agri["value"]) == ("agri_net_retail", "150.00")
    brand = growth("2024-06", "brand_sales", "brand:B01")  # P001 counts from 2024-01-15
    assert (brand["value"], brand["last_year"], brand["ytd"]) == ("250.00", "0.00", "400.00")
    with pytest.raises(MetricsError, match="indicator"):
        growth("2024-06", "gmv")
    with pytest.raises(MetricsError, match="YYYY-MM"):
        growth("2024-6")
