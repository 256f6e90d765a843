"""ECharts options for the pages, built in Python so templates only place them.

Amount axes and tooltips are formatted in the browser (static/js/charts.js) from the
`format` given to the chart macro: 万/亿 on the axis, the full figure in the tooltip. What a
click on a point opens is given beside the option (the chart macro's `links`), or, for the
platform ring, as each slice's `link`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.codes import PLATFORMS
from app.web.labels import month_name, platform_label

ACCENT = "#c8372d"
LAST_YEAR = "#9aa5b1"
SECOND = "#1c5fa8"
PALETTE = [ACCENT, SECOND, "#e3a21a", "#2f7d32", "#7b5ea7", "#0f8b8d", "#9aa5b1"]


def _number(value: Decimal | int | float | str | None) -> float | None:
    return None if value is None else float(value)


def month_labels(keys: Sequence[str]) -> list[str]:
    """`2024-03` → 3月 (Mar in English)."""
    return [month_name(int(key[5:7])) for key in keys]


def _base(legend: bool = True) -> dict[str, Any]:
    option: dict[str, Any] = {
        "color": PALETTE,
        "grid": {"left": 8, "right": 12, "top": 36 if legend else 16, "bottom": 8},
        "tooltip": {"trigger": "axis"},
        "animation": False,
    }
    option["grid"]["containLabel"] = True
    if legend:
        option["legend"] = {"top": 0}
    return option


def year_on_year(
    months: Sequence[str],
    this: Sequence[Decimal | None],
    last: Sequence[Decimal | None],
    year: int,
) -> dict[str, Any]:
    """This year's months as bars, last year's as a line, on one amount axis."""
    option = _base()
    option["xAxis"] = {"type": "category", "data": month_labels(months)}
    option["yAxis"] = {"type": "value"}
    option["series"] = [
        {
            "name": _("%(year)d年", year=year),
            "type": "bar",
            "data": [_number(v) for v in this],
            "itemStyle": {"color": ACCENT},
            "barMaxWidth": 28,
        },
        {
            "name": _("%(year)d年", year=year - 1),
            "type": "line",
            "data": [_number(v) for v in last],
            "itemStyle": {"color": LAST_YEAR},
            "lineStyle": {"type": "dashed"},
            "symbolSize": 6,
        },
    ]
    return option


def monthly_bars(
    months: Sequence[str], series: Sequence[tuple[str, Sequence[Any], str]]
) -> dict[str, Any]:
    """Several monthly series side by side: (name, values, "bar" | "line")."""
    option = _base(legend=len(series) > 1)
    option["xAxis"] = {"type": "category", "data": month_labels(months)}
    option["yAxis"] = {"type": "value"}
    option["series"] = [
        {"name": name, "type": kind, "data": [_number(v) for v in values], "barMaxWidth": 28}
        for name, values, kind in series
    ]
    return option


def sessions_and_sales(
    months: Sequence[str], sessions: Sequence[int], sales: Sequence[Decimal | None]
) -> dict[str, Any]:
    """Sessions per month (bars, left axis) and 村播带货额 (line, right amount axis)."""
    option = _base()
    option["xAxis"] = {"type": "category", "data": month_labels(months)}
    option["yAxis"] = [
        {"type": "value", "name": _("场次"), "minInterval": 1},
        {"type": "value", "name": _("元"), "splitLine": {"show": False}},
    ]
    option["series"] = [
        {
            "name": _("直播场次"),
            "type": "bar",
            "data": list(sessions),
            "barMaxWidth": 24,
            "cunbo": "count",
        },
        {
            "name": _("村播带货额"),
            "type": "line",
            "yAxisIndex": 1,
            "data": [_number(v) for v in sales],
            "itemStyle": {"color": SECOND},
        },
    ]
    return option


def platform_pie(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Net retail by platform as a ring; a row's `link` (its order lines) opens on a click."""
    data = [
        {
            "name": platform_label(row["key"]) if row["key"] in PLATFORMS else row["label"],
            "value": _number(row["net"]),
            **({"link": row["link"]} if row.get("link") else {}),
        }
        for row in rows
        if row["net"] and Decimal(row["net"]) > 0
    ]
    return {
        "color": PALETTE,
        "animation": False,
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "left": "center", "itemWidth": 12, "itemHeight": 10},
        "series": [
            {
                "type": "pie",
                "radius": ["34%", "56%"],
                "center": ["50%", "42%"],
                "data": data,
                "avoidLabelOverlap": True,
                "label": {"formatter": "{b}\n{d}%", "overflow": "none", "fontSize": 11},
                "labelLine": {"length": 8, "length2": 6},
            }
        ],
    }


def ranking_bars(table: Any) -> dict[str, Any]:
    """A ranking's net retail as horizontal bars, largest on top; a bar opens its order lines."""
    rows = list(reversed(table.rows))
    option = _base(legend=False)
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    option["xAxis"] = {"type": "value"}
    option["yAxis"] = {"type": "category", "data": [row["label"] for row in rows]}
    option["series"] = [
        {
            "name": _("网络零售额"),
            "type": "bar",
            "barMaxWidth": 18,
            "itemStyle": {"color": ACCENT},
            "data": [
                {"value": _number(row["net"]), **({"link": row["link"]} if row["link"] else {})}
                for row in rows
            ],
        }
    ]
    return option
