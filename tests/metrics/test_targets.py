"""Target progress as of a date: 完成率, 时间进度 (366 days in 2024), gap, status, projections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from app.extensions import db
from app.metrics.rollup_write import rebuild_all
from app.metrics.targets import status_for
from app.models import Target
from tests.figures_json import target_progress

if TYPE_CHECKING:
    from .conftest import County

D = dt.date
UTC = dt.datetime


@pytest.fixture
def targets(county: County) -> County:
    c = county
    c.add(
        c.line("S01", "a", "100", day=D(2023, 1, 10)),
        c.line("S02", "b", "300", product="P002", day=D(2023, 6, 10)),
        c.line("S01", "c", "200", day=D(2024, 1, 10)),
        c.line("S02", "d", "60", product="P003", day=D(2024, 2, 29)),
    )
    c.session("R01", UTC(2023, 1, 5, 12), 2, sales="0")
    c.session("R01", UTC(2023, 6, 5, 12), 2, sales="10")
    c.session("R01", UTC(2024, 1, 5, 12), 2, sales="50")
    c.session("R02", UTC(2024, 1, 6, 12), 1, sales="0")
    rows = [
        ("county", "高新区", "网络零售额", None, "1000"),
        ("township", "T01", "net_retail", None, "500"),
        ("township", "T02", "agri_net_retail", None, "100"),
        ("county", "高新区", "live_sessions", None, "13"),
        ("county", "高新区", "active_rooms", None, "2"),
        ("county", "高新区", "net_retail", 2, "100"),
    ]
    for scope_type, code, indicator, month, value in rows:
        db.session.add(
            Target(
                year=2024,
                month=month,
                scope_type=scope_type,
                scope_code=code,
                indicator=indicator,
                value=Decimal(value),
            )
        )
    db.session.commit()
    rebuild_all()
    db.session.commit()
    return c


def test_progress_on_leap_day(targets: County) -> None:
    result = target_progress(2024, "2024-02-29")
    assert (result["year"], result["as_of"]) == (2024, "2024-02-29")
    rows = result["rows"]
    assert rows[0] == {
        "scope": "county",
        "indicator": "net_retail",
        "target": "1000.00",
        "actual": "260.00",
        "completion": 0.26,
        "time_progress": 0.163934,  # 60 / 366
        "gap_pp": 9.6066,
        "status": "超进度",
        "projection_run_rate": "1586.00",  # 260 × 366 / 60
        "projection_seasonal": "1040.00",  # 260 × 400 / 100
        "reasons": {},
    }
    t01 = rows[1]
    assert (t01["scope"], t01["actual"], t01["gap_pp"], t01["status"]) == (
        "township:T01",
        "200.00",
        23.6066,
        "超进度",
    )
    assert (t01["projection_run_rate"], t01["projection_seasonal"]) == ("1220.00", "200.00")


def test_progress_is_as_of_today_in_beijing(
    targets: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import beijing
    from app.metrics.targets import target_progress as progress

    # 01:00 on 29 February in Beijing is still the 28th on a UTC server's clock.
    monkeypatch.setattr(beijing, "today", lambda: D(2024, 2, 29))
    found = progress(2024)
    assert found.as_of == D(2024, 2, 29)
    assert target_progress(2024) == target_progress(2024, "2024-02-29")
    assert progress(2023).as_of == D(2023, 12, 31)  # a past year runs to its end


def test_lagging_and_missing_last_year(targets: County) -> None:
    t02 = target_progress(2024, "2024-02-29")["rows"][2]
    assert (t02["actual"], t02["completion"], t02["gap_pp"], t02["status"]) == (
        "0.00",
        0.0,
        -16.3934,
        "滞后",
    )
    assert t02["projection_run_rate"] == "0.00" and t02["projection_seasonal"] is None
    assert "上年同期无数据" in t02["reasons"]["projection_seasonal"]


def test_counts_and_slightly_slow(targets: County) -> None:
    rows = target_progress(2024, "2024-02-29")["rows"]
    sessions = rows[3]
    assert (sessions["target"], sessions["actual"], sessions["completion"]) == (13, 2, 0.153846)
    assert (sessions["gap_pp"], sessions["status"]) == (-1.0088, "略慢")
    assert sessions["projection_run_rate"] == 12.2 and sessions["projection_seasonal"] == 4.0
    active = rows[4]
    assert (active["actual"], active["completion"], active["time_progress"]) == (1, 0.5, None)
    assert active["status"] is None and "time_progress" in active["reasons"]


def test_monthly_target_uses_the_month(targets: County) -> None:
    february = target_progress(2024, "2024-02-29")["rows"][5]
    assert (february["actual"], february["time_progress"], february["gap_pp"]) == (
        "60.00",
        1.0,
        -40.0,
    )
    assert february["status"] == "滞后"
    early = target_progress(2024, "2024-01-31")["rows"][5]
    assert (early["actual"], early["time_progress"], early["projection_run_rate"]) == (
        "0.00",
        0.0,
        None,
    )


def test_status_thresholds() -> None:
    assert status_for(Decimal(0)) == "超进度"
    assert status_for(Decimal("-0.01")) == "略慢"
    assert status_for(Decimal("-4.99")) == "略慢"
    assert status_for(Decimal(-5)) == "滞后"


def test_zero_target_has_no_completion(county: County) -> None:
    db.session.add(
        Target(
            year=2024,
            scope_type="village",
            scope_code="V1",
            indicator="net_retail",
            value=Decimal(0),
        )
    )
    db.session.commit()
    row = target_progress(2024, "2024-06-30")["rows"][0]
    assert (row["scope"], row["actual"], row["completion"], row["gap_pp"]) == (
        "village:V1",
        "0.00",
        None,
        None,
    )
    assert "目标值为 0" in row["reasons"]["completion"]
    assert row["time_progress"] == 0.497268  # 182 / 366
