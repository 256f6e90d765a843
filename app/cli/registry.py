"""`cunbo registry load|export`: the registry workbook, in-process."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.output import echo_json
from app.registry import LoadResult, RegistryFileError, export_workbook, load_workbook
from app.registry.jobs import record_load

registry = AppGroup("registry", help="名录 (registry) workbook: load and export.")


@registry.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def load_command(file: Path, as_json: bool) -> None:
    """Load FILE (.xlsx); rejected rows are reported, the others load.

    Exit status 0 with the report (even when rows were rejected); 2 when the file itself
    cannot be read. Either way the load is kept in the history the workbook page shows.
    """
    try:
        result = load_workbook(file)
    except RegistryFileError as exc:
        _keep_in_history(file, None, str(exc))
        if as_json:
            echo_json({"file": file.name, "status": "failed", "message": str(exc)})
        else:
            click.echo(f"名录未导入：{exc}", err=True)
        raise SystemExit(2) from exc
    _keep_in_history(file, result)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(summary(result))


def _keep_in_history(file: Path, result: LoadResult | None, refusal: str | None = None) -> None:
    """Record the load for the workbook page; a failure to record never hides the outcome."""
    if not file.is_file():
        return
    try:
        record_load(file, result, refusal)
    except Exception as exc:  # the load itself is done (or refused): say so, then go on
        click.echo(f"提示：未能记入名录导入记录（{exc}）", err=True)


def _pad(text: str, width: int) -> str:
    """Left-align for a terminal, where a Chinese character takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - used, 0)


def summary(result: LoadResult) -> str:
    """A table of counts per sheet, then one line per rejected row."""
    lines = [f"名录 {result.file}", _pad("工作表", 10) + "   新增   更新   未变   拒绝"]
    rows = [*result.sheets.items(), ("合计", result.totals())]
    for name, counts in rows:
        lines.append(
            _pad(name, 10)
            + f"{counts.inserted:>7}{counts.updated:>7}{counts.unchanged:>7}{counts.rejected:>7}"
        )
    if result.errors:
        lines.append(f"\n{len(result.errors)} 处错误：")
        for error in result.errors:
            where = f"第 {error.row} 行" if error.row else "整表"
            column = f"“{error.column}”" if error.column else ""
            lines.append(f"  {error.sheet} {where} {column}：{error.message}")
    return "\n".join(lines)


@registry.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    """Write the whole registry to FILE (.xlsx), in the sheets `load` reads."""
    written = export_workbook(file)
    click.echo(f"已导出 {file}：" + "，".join(f"{name} {n} 行" for name, n in written.items()))
