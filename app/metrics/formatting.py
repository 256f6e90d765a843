"""The JSON form of figures (SPEC §6): money as strings with two decimals, ratios as rounded
fractions or null. The metrics return typed values; the API and the CLI serialise them here,
once, so both print the same JSON (and a month close stores its figures in the same form)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from app.metrics.facts import Totals
from app.metrics.indicators import MONEY_INDICATORS

if TYPE_CHECKING:
    from app.metrics.growth import Growth
    from app.metrics.live import LiveYear
    from app.metrics.live_sessions import SessionKpis, SessionRow, SessionsReport
    from app.metrics.premium import Premium
    from app.metrics.retail import Retail
    from app.metrics.targets import ProgressRow, TargetProgress

CENT = Decimal("0.01")


def money(value: Decimal | int | None) -> str | None:
    """Decimal 元 → "1234.50" (half up), None stays None."""
    if value is None:
        return None
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def ratio(value: Decimal | Fraction | float | None, places: int = 6) -> float | None:
    """A fraction rounded to `places` decimals, None stays None."""
    if value is None:
        return None
    return round(float(value), places)


def totals_json(totals: Totals) -> dict[str, Any]:
    """{gross, refund, net, orders, units} as SPEC §6 writes them."""
    return {
        "gross": money(totals.gross),
        "refund": money(totals.refund),
        "net": money(totals.net),
        "orders": totals.orders,
        "units": totals.units,
    }


def figure_json(indicator: str, value: Decimal | int | None) -> Any:
    """Money indicators as "1234.50", hours as a number with 2 decimals, counts as ints."""
    if value is None:
        return None
    if indicator in MONEY_INDICATORS:
        return money(value)
    if indicator == "live_hours":
        return round(float(value), 2)
    return int(value)


def retail_json(found: Retail) -> dict[str, Any]:
    """GET /metrics/retail."""
    return {
        "from": found.period.start.isoformat(),
        "to": found.period.end.isoformat(),
        "by": found.by,
        "scope": str(found.scope),
        "agri": found.agri,
        "rows": [
            {"key": row.key, "label": row.label, **totals_json(row.totals)} for row in found.rows
        ],
        "total": totals_json(found.total),
        "unregistered": {
            "net": money(found.unregistered.net),
            "lines": found.unregistered.lines,
        },
    }


def growth_json(found: Growth) -> dict[str, Any]:
    """GET /metrics/growth."""
    code = found.indicator
    return {
        "month": f"{found.month.year:04d}-{found.month.month:02d}",
        "indicator": code,
        "scope": str(found.scope),
        "value": figure_json(code, found.value),
        "last_year": figure_json(code, found.last_year),
        "yoy": ratio(found.yoy),
        "ytd": figure_json(code, found.ytd),
        "last_year_ytd": figure_json(code, found.last_year_ytd),
        "ytd_yoy": ratio(found.ytd_yoy),
        "prev_month": figure_json(code, found.prev_month),
        "mom": ratio(found.mom),
        "reasons": found.reasons,
    }


def premium_json(found: Premium) -> dict[str, Any]:
    """GET /metrics/premium: prices and units to 4 decimals, money to the cent."""
    return {
        "brand": found.brand,
        "from": found.period.start.isoformat(),
        "to": found.period.end.isoformat(),
        "premium": ratio(found.premium),
        "extra_revenue": money(found.extra_revenue),
        "products": [
            {
                "product": row.product,
                "unit_price": ratio(row.unit_price, 4),
                "baseline": ratio(row.baseline, 4),
                "baseline_kind": row.baseline_kind,
                "units": ratio(row.units, 4),
                "net": money(row.net),
                "premium": ratio(row.premium),
                "extra_revenue": money(row.extra_revenue),
                **({"reasons": row.reasons} if row.reasons else {}),
            }
            for row in found.products
        ],
        "without_baseline": found.without_baseline,
        "reasons": found.reasons,
    }


def live_json(found: LiveYear) -> dict[str, Any]:
    """GET /metrics/live."""
    return {
        "year": found.year,
        "months": [
            {
                "month": f"{month.month.year:04d}-{month.month.month:02d}",
                "sessions": month.sessions,
                "active_rooms": month.active_rooms,
                "live_sales": money(month.live_sales),
            }
            for month in found.months
        ],
        "total_sessions": found.total_sessions,
    }


def progress_json(found: TargetProgress) -> dict[str, Any]:
    """GET /targets/progress."""
    return {
        "year": found.year,
        "as_of": found.as_of.isoformat(),
        "rows": [progress_row_json(row) for row in found.rows],
    }


def progress_row_json(row: ProgressRow) -> dict[str, Any]:
    """One target's row: money indicators as money, other targets as written (int when whole),
    projections of counts and hours to 2 decimals; gap in 百分点 to 4 decimals."""
    code = row.indicator
    money_figure = code in MONEY_INDICATORS
    return {
        "scope": row.scope,
        "indicator": code,
        "target": figure_json(code, row.target) if money_figure else _number(row.target),
        "actual": figure_json(code, row.actual),
        "completion": ratio(row.completion),
        "time_progress": ratio(row.time_progress),
        "gap_pp": ratio(row.gap_pp, 4),
        "status": row.status,
        "projection_run_rate": _projection(code, row.projection_run_rate),
        "projection_seasonal": _projection(code, row.projection_seasonal),
        "reasons": row.reasons,
    }


def _projection(code: str, value: Decimal | None) -> Any:
    if value is None:
        return None
    if code in MONEY_INDICATORS:
        return figure_json(code, value)
    return round(float(value), 2)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def sessions_json(found: SessionsReport) -> dict[str, Any]:
    """GET /metrics/sessions: hours to 2 decimals, times in Beijing time (ISO 8601)."""
    return {
        "from": found.period.start.isoformat(),
        "to": found.period.end.isoformat(),
        "room": found.room,
        "sessions": [session_json(row) for row in found.sessions],
        "total": {
            "sessions": found.session_count,
            "hours": round(float(found.hours), 2),
            **kpis_json(found.total),
        },
        "formulas": found.formulas,
    }


def session_json(row: SessionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "room": row.room,
        "room_name": row.room_name,
        "streamer": row.streamer,
        "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat(),
        "hours": round(float(row.hours), 2),
        **kpis_json(row.kpis),
    }


def kpis_json(kpis: SessionKpis) -> dict[str, Any]:
    return {
        "sales": money(kpis.sales),
        "order_sales": money(kpis.order_sales),
        "sales_difference": money(kpis.sales_difference),
        "order_net": money(kpis.order_net),
        "items": kpis.items,
        "buyers": kpis.buyers,
        "viewers": kpis.viewers,
        "views": kpis.views,
        "peak_online": kpis.peak_online,
        "avg_online": kpis.avg_online,
        "avg_watch_seconds": kpis.avg_watch_seconds,
        "new_followers": kpis.new_followers,
        "attributed_lines": kpis.attributed_lines,
        "refunded_lines": kpis.refunded_lines,
        "gpm": money(kpis.gpm),
        "uv_value": money(kpis.uv_value),
        "avg_order_value": money(kpis.avg_order_value),
        "avg_item_price": money(kpis.avg_item_price),
        "conversion": ratio(kpis.conversion),
        "refund_rate": ratio(kpis.refund_rate),
        "reasons": kpis.reasons,
    }
