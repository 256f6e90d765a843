"""The KPI cards of a dashboard, township, shop or live room page as one rankings.Table, for
their XLSX export: one row a figure, with its period, value, 同比 and 环比 as the cards show them.

Each builder takes what the page renders its cards from, so the file holds the cards' numbers;
app.web.table_export writes them (money in 元, counts as integers, rates as percents).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _

from app.metrics.facts import Totals
from app.metrics.live_sessions import SessionsReport
from app.metrics.periods import Period
from app.metrics.targets import ProgressRow
from app.web.periods import PeriodChoice
from app.web.rankings import Column, Table


@dataclass
class Kpi:
    """One card: a figure with its kind (amount, count, percent), the change on the same days
    last year (同比) and on the period before (环比)."""

    key: str
    label: str
    value: Any
    kind: str = "amount"
    change: Decimal | None = None
    note: str | None = None
    link: str | None = None  # the order lines (or sessions) behind the figure
    mom: Decimal | None = None
    mom_label: str | None = None  # what 环比 compares with; None: no 环比 on this card
    parts: list[tuple[str, Any, str]] = field(default_factory=list)  # (label, value, kind) in
    # its note: the net retail's 成交额 and 退款, the premium's 溢价额, for the export


@dataclass
class KpiRow:
    """One row of cards: a title (本月, 本年累计, or the chosen period) and its period."""

    key: str
    title: str
    period: Period
    kpis: list[Kpi]
    target: bool = False  # the year's target progress goes beneath its net retail


@dataclass(frozen=True)
class Figure:
    """One card's figure (or a figure its card shows beneath the main one)."""

    period: str  # the row of cards it stands in: 本月, 本年累计 or the chosen period
    dates: Period
    label: str
    value: Any
    kind: str = "amount"  # amount (元), count, hours, percent, rate (two places)
    yoy: Decimal | None = None
    mom: Decimal | None = None


def kpi_table(figures: list[Figure]) -> Table:
    """主要指标: each figure with its period, value (as its card reads it), 同比 and 环比."""
    table = Table(
        key="kpis",
        title=_("主要指标"),
        columns=[
            Column("period", _("期间")),
            Column("start", _("开始日期"), "date"),
            Column("end", _("截止日期"), "date"),
            Column("label", _("指标")),
            Column("value", _("数值"), "amount"),
            Column("yoy", _("同比"), "change"),
            Column("mom", _("环比"), "change"),
        ],
    )
    for found in figures:
        table.rows.append(
            {
                "period": found.period,
                "start": found.dates.start,
                "end": found.dates.end,
                "label": found.label,
                "value": found.value,
                "yoy": found.yoy,
                "mom": found.mom,
                "kinds": {"value": found.kind},
            }
        )
    return table


def board_figures(rows: list[KpiRow], target: ProgressRow | None = None) -> list[Figure]:
    """The cards of a dashboard or township page, row by row; a card's sub-figures (成交额,
    退款, 溢价额) after it, and the year's target beneath the net retail of a row that shows it."""
    found = []
    for row in rows:
        for kpi in row.kpis:
            card = (row.title, row.period)
            found.append(Figure(*card, kpi.label, kpi.value, kpi.kind, kpi.change, kpi.mom))
            found += [Figure(*card, label, value, kind) for label, value, kind in kpi.parts]
            if row.target and target is not None and kpi.key == "net_retail":
                found += [
                    Figure(*card, _("年度目标"), target.target),
                    Figure(*card, _("年度完成率"), target.completion, "percent"),
                ]
    return found


def shop_figures(
    span: PeriodChoice, totals: Totals, growth: Decimal | None, mom: Decimal | None
) -> list[Figure]:
    """The shop page's cards: net retail with 同比 and 环比, gross, refunds, orders, units."""
    card = (_period_name(span), span.period)
    return [
        Figure(*card, _("网络零售额"), totals.net, yoy=growth, mom=mom),
        Figure(*card, _("成交额"), totals.gross),
        Figure(*card, _("退款"), totals.refund),
        Figure(*card, _("订单数"), totals.orders, "count"),
        Figure(*card, _("件数"), totals.units, "count"),
    ]


def room_figures(span: PeriodChoice, report: SessionsReport) -> list[Figure]:
    """The room page's cards: sessions and hours, 成交金额 as typed and by the orders (with the
    difference), GPM, 客单价 and 看播转化率."""
    card, total = (_period_name(span), span.period), report.total
    found = [
        Figure(*card, _("直播场次"), report.session_count, "count"),
        Figure(*card, _("时长（小时）"), _cents(report.hours), "hours"),
        Figure(*card, _("成交金额（主播填报）"), _cents(total.sales)),
    ]
    if total.order_sales is not None:
        found += [
            Figure(*card, _("成交金额（按订单）"), _cents(total.order_sales)),
            Figure(*card, _("差额"), _cents(total.sales_difference)),
        ]
    return found + [
        Figure(*card, "GPM", _cents(total.gpm)),
        Figure(*card, _("客单价"), _cents(total.avg_order_value)),
        Figure(*card, _("看播转化率"), total.conversion, "rate"),
    ]


def _period_name(span: PeriodChoice) -> str:
    return span.label if span.kind != "custom" else _("所选时段")


def _cents(value: Decimal | None) -> Decimal | None:
    """A figure to the fen as its card rounds it (hours to two places)."""
    return (
        None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )
