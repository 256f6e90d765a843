"""Raw uploads hold buyers' names, phones and addresses: delete them after the retention period.

The file store is content-addressed, so several import rows (sales imports and registry loads)
may point at one file; a file goes only when every row pointing at it finished more than the
retention period ago. The rows stay, with their sha256, counts and row errors.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import case, func, select, union_all

from app.extensions import db
from app.models import RegistryLoad, SalesImport, utcnow

log = logging.getLogger(__name__)

FINISHED = ("succeeded", "failed")


@dataclass
class PurgeResult:
    """What one purge did: files deleted, files already gone, bytes freed."""

    deleted: list[str] = field(default_factory=list)
    missing: int = 0
    orphans: int = 0
    freed: int = 0


def expired_paths(cutoff: dt.datetime) -> list[str]:
    """Stored paths whose every row finished before `cutoff` (naive UTC)."""
    rows = union_all(
        *(
            select(
                model.stored_path.label("path"),
                model.finished_at.label("finished_at"),
                case((model.status.in_(FINISHED), 1), else_=0).label("done"),
            )
            for model in (SalesImport, RegistryLoad)
        )
    ).subquery()
    path = rows.c.path
    query = (
        select(path)
        .group_by(path)
        .having(
            func.count() == func.sum(rows.c.done),
            func.count() == func.count(rows.c.finished_at),
            func.max(rows.c.finished_at) < cutoff,
        )
        .order_by(path)
    )
    return list(db.session.scalars(query))


def referenced_paths() -> set[Path]:
    """Every file some row still names, resolved."""
    names = [
        *db.session.scalars(select(SalesImport.stored_path)),
        *db.session.scalars(select(RegistryLoad.stored_path)),
    ]
    return {Path(name).resolve() for name in names}


def purge_uploads(
    folder: str | Path, retention_days: int, now: dt.datetime | None = None
) -> PurgeResult:
    """Delete stored uploads past `retention_days`; only files inside `folder` are touched.

    `now` is naive UTC (default: now). Files no row names (an upload whose row was never
    written) go once they are as old.
    """
    if retention_days < 0:
        raise ValueError("UPLOAD_RETENTION_DAYS must be 0 or more")
    root = Path(folder).resolve()
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    result = PurgeResult()
    for text in expired_paths(cutoff):
        path = Path(text).resolve()
        if not path.is_relative_to(root):
            continue  # never a file outside the upload store (e.g. one the CLI was given)
        _delete(path, result)
    named = referenced_paths()
    if root.is_dir():
        oldest = cutoff.replace(tzinfo=dt.UTC).timestamp()
        for path in sorted(root.rglob("*")):
            if path.is_file() and path not in named and path.stat().st_mtime < oldest:
                result.orphans += 1
                _delete(path, result)
    log.info(
        "upload retention (%s days): %s files deleted, %s already gone, %s bytes freed",
        retention_days,
        len(result.deleted),
        result.missing,
        result.freed,
    )
    return result


def _delete(path: Path, result: PurgeResult) -> None:
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        result.missing += 1
        return
    result.deleted.append(str(path))
    result.freed += size
