"""Session KPIs and the live-room year: GPM, UV价值, 客单价, 件均价, 转化率, 退款率, 活跃直播间."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from app.extensions import db
from app.metrics.rollup_write import rebuild_all
from tests.figures_json import live_year, sessions_report

if TYPE_CHECKING:
    from flask import Flask

    from .conftest import County

D = dt.date
UTC = dt.datetime


def test_session_kpis_typed_beside_order_based(county: County) -> None:
    c = county
    first = c.session(
        "R01", UTC(2024, 3, 5, 12), 2, sales="300", items=6, buyers=4, viewers=1000, views=2500
    )
    c.session("R02", UTC(2024, 3, 6, 12), 1.5)
    c.add(
        c.line("S01", "a", "100", day=D(2024, 3, 5), room="R01", session=first),
        c.line(
            "S01",
            "b",
            "150",
            refund="150",
            status="refunded",
            day=D(2024, 3, 5),
            room="R01",
            session=first,
        ),
    )
    result = sessions_report("2024-03-01", "2024-03-31")
    one, two = result["sessions"]
    assert (one["room"], one["streamer"], one["started_at"], one["hours"]) == (
        "R01",
        "Z01",
        "2024-03-05T20:00:00+08:00",
        2.0,
    )
    assert {k: one[k] for k in ("sales", "order_sales", "sales_difference", "order_net")} == {
        "sales": "300.00",
        "order_sales": "250.00",
        "sales_difference": "50.00",
        "order_net": "100.00",
    }
    assert {k: one[k] for k in ("gpm", "uv_value", "avg_order_value", "avg_item_price")} == {
        "gpm": "120.00",
        "uv_value": "0.30",
        "avg_order_value": "75.00",
        "avg_item_price": "50.00",
    }
    assert (one["conversion"], one["refund_rate"], one["attributed_lines"]) == (0.004, 0.5, 2)
    assert one["reasons"] == {}
    assert two["gpm"] is None and "观看次数" in two["reasons"]["gpm"]
    assert two["order_sales"] is None and two["refund_rate"] is None
    assert result["total"]["sessions"] == 2 and result["total"]["hours"] == 3.5
    assert result["total"]["sales"] == "300.00" and result["total"]["order_sales"] == "250.00"
    assert "GPM" in result["formulas"]["gpm"]
    only = sessions_report("2024-03-01", "2024-03-31", room="R02")
    assert [row["room"] for row in only["sessions"]] == ["R02"]


def test_live_year(county: County, app: Flask) -> None:
    c = county
    c.session("R01", UTC(2024, 1, 5, 12), 2, sales="50")
    c.session("R02", UTC(2024, 1, 6, 12), 1, sales="0")
    # 17:00 UTC on 31 January is 1 February in Beijing.
    c.session("R02", UTC(2024, 1, 31, 17), 1, sales="10")
    c.add(c.line("S01", "a", "100", day=D(2024, 1, 5), room="R01"))
    rebuild_all()
    db.session.commit()
    result = live_year(2024)
    assert result["year"] == 2024 and result["total_sessions"] == 3
    assert result["months"][0] == {
        "month": "2024-01",
        "sessions": 2,
        "active_rooms": 1,
        "live_sales": "100.00",
    }
    assert result["months"][1] == {
        "month": "2024-02",
        "sessions": 1,
        "active_rooms": 1,
        "live_sales": "0.00",
    }
    app.config["ACTIVE_ROOM_MIN_SALES"] = "20"
    assert live_year(2024)["months"][1]["active_rooms"] == 0


def test_unknown_counts_are_left_out_of_the_kpis_never_read_as_zero(county: County) -> None:
    """A blank 场观人数 is unknown: that session's UV价值 and 转化率 are None with a reason, and
    the totals are over the sessions that know it, saying how many were left out."""
    c = county
    c.session("R01", UTC(2024, 3, 5, 12), 2, sales="300", buyers=3, viewers=100, views=200)
    c.session("R01", UTC(2024, 3, 6, 12), 2, sales="500", buyers=5, viewers=None, views=400)
    c.session("R01", UTC(2024, 3, 7, 12), 2, sales="100", buyers=1, viewers=100, views=None)
    result = sessions_report("2024-03-01", "2024-03-31")
    blank = result["sessions"][1]
    assert blank["viewers"] is None and blank["buyers"] == 5
    assert blank["uv_value"] is None and blank["reasons"]["uv_value"] == "场观人数未填"
    assert blank["conversion"] is None and "场观人数" in blank["reasons"]["conversion"]
    assert blank["gpm"] == "1250.00"  # 500 × 1000 / 400: views are known
    total = result["total"]
    # UV价值 = (300 + 100) / (100 + 100); the 500 of the blank session is not spread over 0.
    assert total["uv_value"] == "2.00"
    assert total["reasons"]["uv_value"] == "1 场缺场观人数，未计入"
    assert total["conversion"] == 0.02  # (3 + 1) / 200
    assert total["gpm"] == "1333.33"  # (300 + 500) × 1000 / 600
    assert total["reasons"]["gpm"] == "1 场缺观看次数，未计入"
    assert total["viewers"] == 200 and total["buyers"] == 9
    assert "avg_order_value" not in total["reasons"]


def test_a_kpi_no_session_can_compute_is_none_with_the_count_of_sessions(county: County) -> None:
    c = county
    c.session("R01", UTC(2024, 3, 5, 12), 2, sales="300")
    c.session("R02", UTC(2024, 3, 6, 12), 2, sales="200", viewers=0)
    total = sessions_report("2024-03-01", "2024-03-31")["total"]
    assert total["viewers"] == 0 and total["items"] is None
    assert total["uv_value"] is None
    assert total["reasons"]["uv_value"] == "1 场缺场观人数，未计入；场观人数为 0"
    assert total["reasons"]["avg_item_price"] == "2 场缺成交件数"
