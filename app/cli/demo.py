"""`cunbo demo`: a realistic demo county, built by Cunbo's generator and imported for real."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.auth.demo import ensure_demo_accounts
from app.demo import write_demo_county
from app.ingest.service import create_import, run_import
from app.registry import load_workbook


@click.command("demo")
@click.option("--folder", type=click.Path(file_okay=False), help="Where to write the demo files.")
@click.option("--seed", default=7, show_default=True, help="Random seed of the generator.")
@with_appcontext
def demo_command(folder: str | None, seed: int) -> None:
    """Build the demo county (registry + two years of exports) and import it."""
    from flask_migrate import upgrade

    upgrade()
    target = Path(folder or Path(current_app.instance_path) / "demo")
    click.echo(f"生成示范县数据 / writing the demo county to {target} …")
    manifest = write_demo_county(target, seed=seed, today=dt.date.today())
    registry = load_workbook(target / "registry.xlsx")
    totals = registry.totals()
    click.echo(
        f"名录 registry: 新增 {totals.inserted}, 更新 {totals.updated}, 拒绝 {totals.rejected}"
    )
    lines = 0
    with click.progressbar(manifest, label="导入平台导出 / importing exports") as entries:
        for entry in entries:
            record = create_import(
                target / entry["file"],
                platform=entry["platform"],
                shop_code=entry["shop"],
                password=entry.get("password"),
            )
            record = run_import(record.id)
            if record.status != "succeeded":
                raise click.ClickException(f"{entry['file']}: {record.message}")
            lines += record.inserted + record.updated + record.unchanged
    click.echo(f"完成 / done: {len(manifest)} 个文件, {lines} 条订单行。")
    _demo_accounts()


def _demo_accounts() -> None:
    for login, password, role in ensure_demo_accounts():
        click.echo(f"示范账号 demo account: {login} / {password} ({role})")
