"""RELIABILITY row 18 at full size (not a test): a supervised worker under a 1.5 GB address-space
limit imports a 10,000,000-line 抖店 CSV through Redis into PostgreSQL.

    createdb -h 127.0.0.1 -U postgres cunbo_large        # once; its tables are dropped
    python bench/large_import.py [--lines 10000000] [--limit-gb 1.5]

Writes the file in pieces (flat memory here too), starts a private redis-server and a worker
exactly as the fault suite does, queues the import, waits, then checks the stored lines and the
county's retail figures (rollups) against the raw lines. Prints seconds, lines/s and the worker's
peak resident memory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cunbo_large"
PIECE = 1_000_000


def write_file(folder: Path, lines: int) -> tuple[Path, Decimal]:
    """The export, a million lines at a time; returns its path and gross."""
    from tests.faults.exports import douyin_export

    target = folder / "1735720243_0000000000000000000000000000large.csv"
    gross = Decimal(0)
    with target.open("wb") as out:
        for first in range(0, lines, PIECE):
            piece = douyin_export(folder, min(PIECE, lines - first), first=first, seed=first + 1)
            data = piece.path.read_bytes()
            if first:  # one header, one BOM
                data = data.split(b"\n", 1)[1]
            out.write(data)
            gross += piece.gross
            piece.path.unlink()
    return target, gross


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--limit-gb", type=float, default=1.5)
    parser.add_argument("--database", default=URL)
    args = parser.parse_args()

    import os

    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.metrics.formatting import retail_json
    from app.metrics.retail import retail as typed_retail

    def retail(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return retail_json(typed_retail(*args, **kwargs))

    from app.models import OrderLine, SalesImport
    from tests.faults.conftest import _county
    from tests.faults.procs import PrivateRedis, Worker, children

    folder = Path(tempfile.mkdtemp(prefix="cunbo-large-"))
    started = time.perf_counter()
    path, gross = write_file(folder, args.lines)
    print(
        f"wrote {args.lines:,} lines ({path.stat().st_size / 2**20:,.0f} MB) "
        f"in {time.perf_counter() - started:.0f} s"
    )
    broker = PrivateRedis(folder)
    broker.start()
    config = {
        "SQLALCHEMY_DATABASE_URI": args.database,
        "REDIS_URL": broker.url,
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "SECRET_KEY": "large",
    }
    app = create_app(config)
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "REDIS_URL": broker.url,
        "SECRET_KEY": "large",
        "UPLOAD_FOLDER": config["UPLOAD_FOLDER"],
    }
    worker = Worker(env, folder / "worker.log", 1, int(args.limit_gb * 2**30))
    with app.app_context():
        db.drop_all()
        db.create_all()
        _county()
        from app.ingest.service import create_import
        from tasks.imports import enqueue_import

        worker.start()
        record = create_import(path, shop_code="S01")
        started = time.perf_counter()
        enqueue_import(record.id)
        peak = 0.0
        while True:
            db.session.rollback()
            state = db.session.get(SalesImport, record.id, populate_existing=True)
            for pid in children(worker.main_pid):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
            if state.status in ("succeeded", "failed"):
                break
            time.sleep(2)
        seconds = time.perf_counter() - started
        worker.stop()
        broker.stop()
        stored, stored_gross = db.session.execute(
            select(func.count(), func.sum(OrderLine.paid_amount))
        ).one()
        print(
            f"import {state.status} ({state.code or '-'}) after {state.attempts} attempt(s): "
            f"{seconds:.0f} s, {args.lines / seconds:,.0f} lines/s, "
            f"worker child peak RSS {peak:,.0f} MB under a {args.limit_gb} GB limit"
        )
        print(
            f"stored {stored:,} lines (file {args.lines:,}); gross {stored_gross} "
            f"(file {gross:.2f})"
        )
        rolled = retail("2024-01-01", "2024-12-31", "month")["total"]
        raw = retail("2024-01-01", "2024-12-31", "month", source="raw")["total"]
        print(
            f"2024 net from rollups {rolled['net']}, from raw lines {raw['net']}, "
            f"equal: {rolled == raw}"
        )
        ok = state.status == "succeeded" and stored == args.lines and rolled == raw
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
