"""Benchmark: registering one product re-matches 10,000 stored lines among a million others.

Generates the synthetic county of bench/metrics.py with N other order lines (1 in 50 of them
unregistered, with no raw id) and builds the rollups, then stores M unregistered lines of one
抖音 product (raw id BENCH-EGG) over 2024 in a dozen shops. Timed: `register_product` as the
worklist page calls it, in one transaction: the product and listing, the set-based UPDATE of
the lines, the rollup refresh of the touched (day, shop) pairs, and the commit:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cunbo_rematch_bench \\
        .venv/bin/python bench/rematch.py

Afterwards the product's figures from the rollups must equal those from the raw lines, the
county's 未登记商品 must have dropped by exactly the lines' net, and a second re-match must
change nothing; the run fails otherwise. The database is emptied first, so its name must end
in `_bench`. Not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from metrics import generate  # noqa: E402  (bench/metrics.py: the synthetic county)

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.ingest.rematch import rematch_lines  # noqa: E402
from app.metrics.formatting import retail_json  # noqa: E402
from app.metrics.retail import retail as typed_retail  # noqa: E402
from app.metrics.rollup_write import rebuild_all  # noqa: E402
from app.registry.enrol import ListingKeys, NewProduct, register_product  # noqa: E402


def retail(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The retail figures in their JSON form (as the API answers)."""
    return retail_json(typed_retail(*args, **kwargs))


LIMIT_SECONDS = 5.0
YEAR = ("2024-01-01", "2024-12-31")
# M lines of one product: shops 6, 12, … (抖音 shops of the synthetic county), days of 2024.
TARGET_SQL = """
INSERT INTO order_lines (platform, shop_id, order_id, line_id, product_id, raw_product_id,
    merchant_code, product_name, quantity, paid_amount, refund_amount, status, paid_at,
    pay_day, live, import_id, row_hash, zero_value)
SELECT 'douyin', 6 * (1 + n % :shops), 'egg-' || n, 'egg-' || n, NULL, 'BENCH-EGG', 'EGG30',
    '农家土鸡蛋 30枚', 1 + n % 2, 45.50, CASE WHEN n % 25 = 0 THEN 45.50 ELSE 0 END,
    CASE WHEN n % 25 = 0 THEN 'refunded' ELSE 'completed' END,
    (DATE '2024-01-01' + (n * 7) % 366)::timestamp + interval '2 hours',
    DATE '2024-01-01' + (n * 7) % 366, false, :import_id, n, false
FROM generate_series(1, :count) AS n
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="other order lines")
    parser.add_argument("--target", type=int, default=10_000, help="lines of the product")
    parser.add_argument("--shops", type=int, default=12, help="shops selling the product")
    parser.add_argument("--reuse", action="store_true", help="keep the generated other lines")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not (make_url(url).database or "").endswith("_bench"):
        sys.exit("set DATABASE_URL to a PostgreSQL database whose name ends in _bench")
    app = create_app({"TESTING": True})
    with app.app_context():
        if not args.reuse:
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            print(f"generating {args.lines:,} order lines …", flush=True)
            generate(args.lines, 2_000_000)
            print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.execute(
            text("DELETE FROM platform_listings WHERE platform_product_id = 'BENCH-EGG'")
        )
        db.session.execute(text("DELETE FROM order_lines WHERE raw_product_id = 'BENCH-EGG'"))
        db.session.execute(text("DELETE FROM products WHERE code = 'BENCH-EGG'"))
        for table in ("products", "platform_listings", "categories"):  # generated with ids
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
            )
        import_id = db.session.scalar(text("SELECT min(id) FROM sales_imports"))
        params = {"count": args.target, "shops": args.shops, "import_id": import_id}
        db.session.execute(text(TARGET_SQL), params)
        db.session.commit()
        started = time.perf_counter()
        rebuild_all()
        db.session.commit()
        print(f"rollups built in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        total = db.session.scalar(text("SELECT count(*) FROM order_lines"))
        print(f"order lines: {total:,} ({args.target:,} of the product)", flush=True)
        before = retail(*YEAR, by="month")["unregistered"]

        started = time.perf_counter()
        done = register_product(
            NewProduct(code="BENCH-EGG", name="农家土鸡蛋", category="生鲜产品"),
            ListingKeys("douyin", "BENCH-EGG", "EGG30"),
        )
        seconds = time.perf_counter() - started
        moved = done.rematched
        print(
            f"registered and re-matched {moved.lines:,} lines ({len(moved.pairs):,} day-shop "
            f"pairs, {moved.net} 元) in {seconds:.2f} s (limit {LIMIT_SECONDS:.0f} s)",
            flush=True,
        )

        after = retail(*YEAR, by="month")["unregistered"]
        rolled = retail(*YEAR, by="product")
        raw = retail(*YEAR, by="product", source="raw")
        problems = []
        if moved.lines != args.target:
            problems.append(f"matched {moved.lines} lines, expected {args.target}")
        if Decimal(before["net"]) - Decimal(after["net"]) != moved.net:
            problems.append(f"未登记商品 went from {before} to {after}, moved {moved.net}")
        if rolled != raw:
            problems.append("by=product from the rollups differs from the raw lines")
        again = rematch_lines()
        db.session.commit()
        if again.lines:
            problems.append(f"a second re-match changed {again.lines} lines")
        if seconds >= LIMIT_SECONDS:
            problems.append(f"took {seconds:.2f} s, limit {LIMIT_SECONDS} s")
    if problems:
        sys.exit("FAILED: " + "; ".join(problems))
    print("ok: figures from the rollups equal the raw lines'; a second re-match changes nothing")


if __name__ == "__main__":
    main()
