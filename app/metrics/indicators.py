"""The indicators of SPEC §4 for one scope and period: the numbers growth and targets compare."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.codes import INDICATORS
from app.metrics.errors import MetricsError
from app.metrics.facts import Query, Source, line_totals
from app.metrics.live import session_counts
from app.metrics.periods import Period
from app.metrics.scope import Scope
from app.wording import N_, named, say

MONEY_INDICATORS = ("net_retail", "agri_net_retail", "live_sales", "brand_sales")
SESSION_INDICATORS = ("live_sessions", "live_hours", "active_rooms")
LINE_QUERIES: dict[str, dict[str, Any]] = {
    "net_retail": {},
    "agri_net_retail": {"agri": True},
    "live_sales": {"basis": "room"},
    "brand_sales": {"branded": True},
}


@dataclass
class Figure:
    """An indicator's value, and whether anything at all was recorded behind it."""

    value: Decimal | int
    recorded: bool


def indicator_code(text: str) -> str:
    """An indicator code, or its Chinese name (网络零售额 → net_retail)."""
    value = (text or "").strip()
    for code, name in INDICATORS.items():
        if value in (code, name):
            return code
    raise MetricsError(f"indicator 应为 {', '.join(INDICATORS)} 之一, 收到 {value!r}")


def indicator_value(
    indicator: str, scope: Scope, period: Period, source: Source = "rollup"
) -> Figure:
    """net_retail = Σ net by shop location; agri_net_retail = same over agricultural products;
    live_sales = Σ net of room-attributed lines by room location; brand_sales = Σ net of brand
    products from their join date; live_sessions / live_hours / active_rooms from sessions."""
    if indicator in LINE_QUERIES:
        if scope.kind == "streamer" and indicator != "live_sales":
            what = named(INDICATORS[indicator], indicator)
            raise MetricsError(say(N_("{what}不按主播统计"), what=what))
        query = Query(period, None, scope, **LINE_QUERIES[indicator])
        totals = line_totals(query, source, orders=False).get(None)
        if totals is None:
            return Figure(Decimal("0.00"), False)
        return Figure(totals.net, totals.lines > 0)
    if indicator in SESSION_INDICATORS:
        counts = session_counts(period, scope)
        values: dict[str, Decimal | int] = {
            "live_sessions": counts.sessions,
            "live_hours": counts.hours,
            "active_rooms": counts.active_rooms,
        }
        value = values[indicator]
        return Figure(value, counts.sessions > 0)
    raise MetricsError(say(N_("未知指标“{indicator}”"), indicator=indicator))
