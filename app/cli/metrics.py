"""`cunbo metrics retail|growth|premium|sessions|live|targets|rebuild`: the API's figures."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

import click
from flask.cli import AppGroup

from app.cli.output import echo_json
from app.extensions import db
from app.metrics.errors import MetricsError
from app.metrics.formatting import (
    growth_json,
    live_json,
    premium_json,
    progress_json,
    retail_json,
    sessions_json,
)
from app.metrics.growth import growth
from app.metrics.live import live_year
from app.metrics.live_sessions import sessions_report
from app.metrics.premium import premium
from app.metrics.retail import retail
from app.metrics.rollup_write import rebuild_all
from app.metrics.scope import BY_VALUES
from app.metrics.targets import target_progress
from app.models import bump_data_version

metrics = AppGroup("metrics", help="统计指标: the figures a county reports (same JSON as the API).")

as_json = click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
period = [
    click.option("--from", "start", required=True, help="First Beijing day, YYYY-MM-DD."),
    click.option("--to", "end", required=True, help="Last Beijing day (inclusive), YYYY-MM-DD."),
]
scope_option = click.option(
    "--scope", default="county", show_default=True, help="county | township:<code> | …"
)


def _with(options: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def decorate(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _run(
    serialise: Callable[[Any], dict[str, Any]], compute: Callable[..., Any], *args: Any
) -> dict[str, Any]:
    """The figure's JSON form (the API's); a usage error with the metrics' message."""
    try:
        found = compute(*args)
    except MetricsError as exc:
        raise click.UsageError(str(exc)) from exc
    return serialise(found)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as aligned text columns (a Chinese character takes two cells)."""
    cells = [[("" if row.get(c) is None else str(row.get(c))) for c in columns] for row in rows]
    widths = [max([_width(c)] + [_width(line[i]) for line in cells]) for i, c in enumerate(columns)]
    return "\n".join(
        "  ".join(text + " " * (w - _width(text)) for text, w in zip(line, widths, strict=True))
        for line in [columns, *cells]
    )


def _show(
    payload: dict[str, Any], json_wanted: bool, text: Callable[[dict[str, Any]], str]
) -> None:
    if json_wanted:
        echo_json(payload)
    else:
        click.echo(text(payload))


@metrics.command("retail")
@_with(period)
@click.option("--by", type=click.Choice(BY_VALUES), default="month", show_default=True)
@scope_option
@click.option("--agri", is_flag=True, help="农产品网络零售额 only.")
@click.option("--limit", type=click.IntRange(min=1), help="Keep the first rows.")
@as_json
def retail_command(
    start: str, end: str, by: str, scope: str, agri: bool, limit: int | None, as_json: bool
) -> None:
    """网络零售额 grouped by day, month, platform, township, … (GET /metrics/retail)."""
    payload = _run(retail_json, retail, start, end, by, scope, agri, limit)

    def text(data: dict[str, Any]) -> str:
        rows = [*data["rows"], {"key": "合计", **data["total"]}]
        unregistered = data["unregistered"]
        return (
            f"{data['from']} – {data['to']}  {data['scope']}{'  农产品' if data['agri'] else ''}\n"
            + _table(rows, ["key", "label", "gross", "refund", "net", "orders", "units"])
            + f"\n未登记商品: {unregistered['net']} 元, {unregistered['lines']} 行"
        )

    _show(payload, as_json, text)


@metrics.command("growth")
@click.option("--month", required=True, help="YYYY-MM.")
@click.option("--indicator", default="net_retail", show_default=True)
@scope_option
@as_json
def growth_command(month: str, indicator: str, scope: str, as_json: bool) -> None:
    """当月同比, 累计同比, 环比 (GET /metrics/growth)."""
    payload = _run(growth_json, growth, month, indicator, scope)
    _show(payload, as_json, _lines)


@metrics.command("premium")
@click.option("--brand", required=True, help="品牌编码.")
@_with(period)
@as_json
def premium_command(brand: str, start: str, end: str, as_json: bool) -> None:
    """品牌溢价 of a brand (GET /metrics/premium)."""
    payload = _run(premium_json, premium, brand, start, end)

    def text(data: dict[str, Any]) -> str:
        columns = ["product", "unit_price", "baseline", "baseline_kind", "units", "net", "premium"]
        return (
            f"{data['brand']}  {data['from']} – {data['to']}  溢价 {data['premium']}  "
            f"溢价额 {data['extra_revenue']}\n"
            + _table(data["products"], columns)
            + f"\n无基准价: {', '.join(data['without_baseline']) or '—'}"
        )

    _show(payload, as_json, text)


@metrics.command("sessions")
@_with(period)
@click.option("--room", help="直播间编码.")
@as_json
def sessions_command(start: str, end: str, room: str | None, as_json: bool) -> None:
    """Session KPIs (GET /metrics/sessions)."""
    payload = _run(sessions_json, sessions_report, start, end, room)

    def text(data: dict[str, Any]) -> str:
        columns = ["room", "started_at", "hours", "sales", "order_sales", "sales_difference"]
        columns += ["gpm", "uv_value", "avg_order_value", "conversion", "refund_rate"]
        return _table(data["sessions"], columns) + "\n" + "\n".join(data["formulas"].values())

    _show(payload, as_json, text)


@metrics.command("live")
@click.option("--year", type=int, required=True)
@as_json
def live_command(year: int, as_json: bool) -> None:
    """Sessions, active rooms and 村播带货额 per month (GET /metrics/live)."""
    payload = _run(live_json, live_year, year)

    def text(data: dict[str, Any]) -> str:
        table = _table(data["months"], ["month", "sessions", "active_rooms", "live_sales"])
        return table + f"\n全年场次 {data['total_sessions']}"

    _show(payload, as_json, text)


@metrics.command("targets")
@click.option("--year", type=int, required=True)
@click.option("--as-of", "as_of", help="YYYY-MM-DD (default today).")
@as_json
def targets_command(year: int, as_of: str | None, as_json: bool) -> None:
    """Target progress as of a day (GET /targets/progress)."""
    payload = _run(progress_json, target_progress, year, as_of)

    def text(data: dict[str, Any]) -> str:
        columns = ["scope", "indicator", "target", "actual", "completion", "time_progress"]
        columns += ["gap_pp", "status", "projection_run_rate", "projection_seasonal"]
        return f"{data['year']} 截至 {data['as_of']}\n" + _table(data["rows"], columns)

    _show(payload, as_json, text)


@metrics.command("rebuild")
def rebuild_command() -> None:
    """Recompute every rollup table from the order lines."""
    started = dt.datetime.now()
    rebuild_all()
    bump_data_version(db.session)
    db.session.commit()
    seconds = (dt.datetime.now() - started).total_seconds()
    click.echo(f"汇总表已重建 (rollups rebuilt) in {seconds:.1f} s")


def _lines(data: dict[str, Any]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in data.items())
