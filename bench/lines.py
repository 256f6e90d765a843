"""Benchmark: the order-line explorer at 10 million order lines on PostgreSQL.

Generates the synthetic county of bench/metrics.py (18 townships, 600 shops, N lines over
2023-2024, one INSERT … SELECT over generate_series; no files are imported), then measures
through the API (Flask test client):

- the first page (50 lines) with its total for one month and one township: p50 / p95;
- a CSV export of 1,000,000 lines (`format=csv`, streamed; from 2024-01-01 to the day the
  sale lines reach a million): lines per second and the process's peak RSS before and after
  (flat memory: the export must not hold the lines).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cunbo_lines_bench \
        .venv/bin/python bench/lines.py

The database is emptied first, so its name must end in `_bench`; drop it afterwards. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import resource
import sys
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.auth.tokens import issue_token  # noqa: E402
from app.extensions import db  # noqa: E402
from app.metrics.sql import is_sale  # noqa: E402
from app.models import OrderLine, User  # noqa: E402


def _county_generator() -> object:
    spec = importlib.util.spec_from_file_location("bench_metrics", ROOT / "bench" / "metrics.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def last_day(app: Flask, first: dt.date, wanted: int) -> str:
    """The day on which the sale lines paid from `first` on reach `wanted`, as YYYY-MM-DD."""
    with app.app_context():
        days = db.session.execute(
            select(OrderLine.pay_day, func.count())
            .where(is_sale(), OrderLine.pay_day >= first)
            .group_by(OrderLine.pay_day)
            .order_by(OrderLine.pay_day)
        ).all()
        db.session.remove()
    seen = 0
    for day, count in days:
        seen += count
        if seen >= wanted:
            return day.isoformat()
    sys.exit(f"only {seen:,} sale lines from {first}: generate more (--lines)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep the generated lines")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not (make_url(url).database or "").endswith("_bench"):
        sys.exit("set DATABASE_URL to a PostgreSQL database whose name ends in _bench")
    county = _county_generator()
    app = create_app({"TESTING": True})
    with app.app_context():
        if not args.reuse:
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            print(f"generating {args.lines:,} order lines …", flush=True)
            county.generate(args.lines, args.batch)  # type: ignore[attr-defined]
            db.session.commit()
            print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
            db.session.remove()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        user = User(login=f"bench-{time.time_ns()}", role="admin")
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()
        token = issue_token(user, "bench")[1]
        db.session.remove()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    page = {"from": "2024-06-01", "to": "2024-06-30", "township": "T05", "limit": 50}
    samples = []
    body = None
    for run in range(args.runs + 1):
        started = time.perf_counter()
        response = client.get("/api/v1/lines", query_string=page, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.json
        body = response.json
        if run:  # the first call warms the caches
            samples.append(elapsed)
    samples.sort()
    p95 = samples[max(0, -(-95 * len(samples) // 100) - 1)]
    assert body is not None
    print(
        f"first page, one month x one township ({body['total']['orders']:,} orders, "
        f"{len(body['lines'])} lines shown): p50 {samples[len(samples) // 2]:.1f} ms, "
        f"p95 {p95:.1f} ms",
        flush=True,
    )

    # From 2024-01-01, as many days as hold 1,000,000 sale lines (counted, not estimated).
    export = {
        "from": "2024-01-01",
        "to": last_day(app, dt.date(2024, 1, 1), 1_000_000),
        "format": "csv",
    }
    before = peak_rss_mb()
    started = time.perf_counter()
    response = client.get("/api/v1/lines", query_string=export, headers=headers, buffered=False)
    rows = 0
    size = 0
    for chunk in response.response:
        size += len(chunk)
        rows += chunk.count(b"\n")
    response.close()
    elapsed = time.perf_counter() - started
    lines = rows - 1
    print(
        f"CSV export {export['from']}..{export['to']}: {lines:,} lines, {size / 1e6:.0f} MB in "
        f"{elapsed:.1f} s = {lines / elapsed:,.0f} lines/s; peak RSS {before:.0f} MB before, "
        f"{peak_rss_mb():.0f} MB after",
        flush=True,
    )


if __name__ == "__main__":
    main()
