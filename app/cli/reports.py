"""`cunbo month close YYYY-MM` and `cunbo report monthly YYYY-MM -o FILE.xlsx`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.output import echo_json
from app.metrics.errors import MetricsError
from app.reports import CloseNeedsConfirmation, close_month, close_warnings, write_monthly_report

month = AppGroup("month", help="月结 (month close).")
report = AppGroup("report", help="月报 (monthly report).")


@month.command("close")
@click.argument("month_text", metavar="YYYY-MM")
@click.option("--json", "as_json", is_flag=True, help="Print the frozen figures as JSON.")
@click.option(
    "--yes",
    "--force",
    "confirm",
    is_flag=True,
    help="Close even if the month has not ended or the month before is still open.",
)
def close_command(month_text: str, as_json: bool, confirm: bool) -> None:
    """Freeze the month's whole report; later changes appear as adjustments in the next report."""
    try:
        warnings = close_warnings(month_text)
        if warnings and not confirm:
            raise _needs_confirmation(warnings)
        record = close_month(month_text, confirm=True)
    except MetricsError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        echo_json({"month": record.month, "snapshot": record.snapshot})
    else:
        county = record.snapshot["figures"]["county"]
        click.echo(f"{record.month} 已月结: 网络零售额 {county['net_retail']} 元")


def _needs_confirmation(warnings: list[CloseNeedsConfirmation]) -> click.ClickException:
    reasons = "\n".join(f"- {warning.message} [{warning.code}]" for warning in warnings)
    return click.ClickException(
        f"未月结 {warnings[0].month}：\n{reasons}\n确认要月结，请加 --yes 重新运行。"
    )


@report.command("monthly")
@click.argument("month_text", metavar="YYYY-MM")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Workbook to write (.xlsx).",
)
def monthly_command(month_text: str, output: Path) -> None:
    """Write the monthly report workbook (乡镇月报, 直播台账, 品牌溢价, 平台分布)."""
    try:
        write_monthly_report(month_text, str(output))
    except MetricsError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"月报已写入 {output}")
