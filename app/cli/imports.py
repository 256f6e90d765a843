"""`cunbo import FILE…`: the upload service, the import run in-process, its JSON printed."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli.output import echo_json
from app.codes import PLATFORMS
from app.ingest.service import run_import
from app.ingest.summary import import_json
from app.models import SalesImport
from tasks.uploads import OPERATOR_SCOPE, UploadError, UploadRequest, receive_upload


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--platform", type=click.Choice(list(PLATFORMS)), help="Platform, if not detected.")
@click.option("--shop", help="Shop code 网店编码 the file belongs to.")
@click.option("--password", help="Password of an encrypted export (快手).")
@click.option("--mapping", help="Name of a saved column mapping.")
@click.option("--json", "as_json", is_flag=True, help="Print the import JSON.")
@with_appcontext
def import_command(
    files: tuple[str, ...],
    platform: str | None,
    shop: str | None,
    password: str | None,
    mapping: str | None,
    as_json: bool,
) -> None:
    """Import platform exports (CSV/XLSX) and print what landed."""
    results = []
    for path in files:
        try:
            received = receive_upload(
                UploadRequest(
                    file_name=Path(path).name,
                    path=Path(path),
                    scope=OPERATOR_SCOPE,
                    platform=platform,
                    shop_code=shop,
                    password=password,
                    mapping_name=mapping,
                ),
                enqueue=False,  # run here, in-process, and wait for it
            )
        except UploadError as exc:
            raise click.UsageError(f"{Path(path).name}: {exc.message} [{exc.code}]") from exc
        for note in received.notes:
            click.echo(f"  {Path(path).name}: {note.message}", err=True)
        # A new import is run here; one of the same bytes already finished is left as it is.
        record = run_import(received.record.id, on_chunk=None if as_json else _show_progress)
        result = import_json(record)
        result["notes"] = [*result.get("notes", []), *(n.as_dict() for n in received.notes)]
        results.append(result)
        if not as_json:
            _print_summary(record)
    if as_json:
        echo_json(results[0] if len(results) == 1 else results)
    if any(result["status"] == "failed" for result in results):
        sys.exit(1)


def _show_progress(record: SalesImport) -> None:
    click.echo(f"  {record.file_name}: {record.progress:.0%} ({record.read} 行)", err=True)


def _print_summary(record: SalesImport) -> None:
    counts = record.counts()
    click.echo(
        f"{record.file_name} [{record.status}] 平台 {record.platform} · 读取 {counts['read']} · "
        f"新增 {counts['inserted']} · 更新 {counts['updated']} · 未变 {counts['unchanged']} · "
        f"过期 {counts['stale']} · 拒绝 {counts['rejected']}"
    )
    if record.message:
        click.echo(f"  {record.message}")
    for note in record.notes or []:
        times = f"（{note['count']} 处）" if note.get("count", 1) > 1 else ""
        click.echo(f"  提示: {note['message']}{times}")
    if counts["rejected"]:
        click.echo(f"  被拒绝的行见 GET /api/v1/imports/{record.id}/errors")
