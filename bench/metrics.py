"""Benchmark: county figures at 10 million order lines, read from the rollups vs the raw lines.

Generates a synthetic county (18 townships, 300 villages, 600 shops, 300 rooms, 3,000
products, 20 brands) and N order lines over 2023-2024 in PostgreSQL with one
INSERT … SELECT over generate_series, builds the rollups, then times four API calls
(Flask test client) and the same figures computed from the raw lines:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cunbo_bench .venv/bin/python bench/metrics.py

Every rollup answer is compared with the raw lines' answer (whole JSON: rows, total,
未登记商品), also with `--raw-runs 0`, and the run fails if any differs. The database is
emptied first, so its name must end in `_bench`. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import UniqueConstraint, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.auth.tokens import issue_token  # noqa: E402
from app.extensions import db  # noqa: E402
from app.metrics.formatting import retail_json  # noqa: E402
from app.metrics.retail import retail as typed_retail  # noqa: E402
from app.metrics.rollup_write import rebuild_all, refresh_days  # noqa: E402
from app.models import ROLLUP_MODELS, OrderLine, SalesImport, User  # noqa: E402


def retail(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The retail figures in their JSON form (as the API answers)."""
    return retail_json(typed_retail(*args, **kwargs))


PLATFORMS = "ARRAY['douyin','kuaishou','channels','taobao','pinduoduo','other']"
# The eight default agricultural categories, then two others.
CATEGORIES = (
    "ARRAY['生鲜产品','粮油调味','休闲食品','茶','传统滋补','牛奶乳品','饮料冲调','花卉绿植',"
    "'手工艺品','服装']"
)

REGISTRY_SQL = [
    "INSERT INTO townships (id, code, name, county) "
    "SELECT g, 'T' || lpad(g::text, 2, '0'), '乡镇' || g, '基准县' FROM generate_series(1, 18) g",
    "INSERT INTO villages (id, code, name, township_id) "
    "SELECT g, 'V' || lpad(g::text, 3, '0'), '村' || g, 1 + (g - 1) % 18 "
    "FROM generate_series(1, 300) g",
    f"INSERT INTO shops (id, code, platform, name, village_id) "
    f"SELECT g, 'S' || lpad(g::text, 3, '0'), ({PLATFORMS})[1 + g % 6], '网店' || g, "
    f"1 + (g - 1) % 300 FROM generate_series(1, 600) g",
    "INSERT INTO live_rooms (id, code, platform, account_id, nickname, village_id, shop_id) "
    "SELECT g, 'R' || lpad(g::text, 3, '0'), 'douyin', g::text, '主播' || g, "
    "1 + (g * 7) % 300, g FROM generate_series(1, 300) g",
    "INSERT INTO brands (id, code, name, kind) "
    "SELECT g, 'B' || lpad(g::text, 2, '0'), '品牌' || g, '区域公用品牌' "
    "FROM generate_series(1, 20) g",
    f"INSERT INTO products (id, code, name, brand_id, brand_joined_on, category, pricing_unit, "
    f"units_per_item) SELECT g, 'P' || lpad(g::text, 4, '0'), '商品' || g, "
    f"CASE WHEN g % 5 < 3 THEN 1 + g % 20 END, "
    # Branded products mostly joined before 2023; 2 in 25 products join on some day of
    # 2023-2024, inside the benchmark's years.
    f"CASE WHEN g % 5 >= 3 THEN NULL WHEN g % 25 IN (1, 7) "
    f"THEN DATE '2023-01-01' + (g * 13) % 700 ELSE DATE '2021-01-01' + (g * 13) % 700 END, "
    f"({CATEGORIES})[1 + g % 10], '斤', 1 + g % 5 FROM generate_series(1, 3000) g",
    "INSERT INTO categories (name, agricultural) "
    f"SELECT c, i <= 8 FROM unnest({CATEGORIES}) WITH ORDINALITY AS t(c, i)",
]

# Lines n = 0..N-1 in orders o = floor(0.8 n): every 5 lines make one 2-line order and three
# 1-line orders. An order has one shop and one Beijing payment day in 2023-2024, hashed from
# its number; each line is one of its shop's 5 products, hashed from the line number. 1 line
# in 50 is unregistered, 1 order in 5 is attributed to its shop's room, 1 line in 20 is
# refunded in full and 1 in 100 partly.
LINES_SQL = f"""
INSERT INTO order_lines (platform, shop_id, order_id, line_id, product_id, quantity,
    paid_amount, refund_amount, status, paid_at, pay_day, live, room_id, import_id,
    first_import_id, row_hash, zero_value)
SELECT ({PLATFORMS})[1 + shop % 6], shop, o::text, n::text,
    CASE WHEN n % 50 = 0 THEN NULL ELSE 1 + ((shop - 1) * 5 + pick) % 3000 END,
    1 + n % 3, paid,
    CASE WHEN n % 20 = 0 THEN paid WHEN n % 100 = 7 THEN 5.00 ELSE 0 END,
    CASE WHEN n % 20 = 0 THEN 'refunded' ELSE 'completed' END,
    (DATE '2023-01-01' + day_offset)::timestamp - interval '8 hours' + secs * interval '1 second',
    DATE '2023-01-01' + day_offset,
    o % 5 = 0,
    CASE WHEN o % 5 = 0 THEN 1 + (shop - 1) % 300 END,
    :import_id, :import_id, n, false
FROM (
    SELECT n, o,
        1 + ((hashtext(o::text) % 600) + 600) % 600 AS shop,
        ((hashtext('day' || o) % 731) + 731) % 731 AS day_offset,
        ((hashtext('second' || o) % 86400) + 86400) % 86400 AS secs,
        ((hashtext('product' || n) % 5) + 5) % 5 AS pick,
        round(10 + ((n * 37) % 9000) / 100.0, 2) AS paid
    FROM (
        SELECT n, (n * 4) / 5 AS o
        FROM generate_series(CAST(:start AS bigint), CAST(:stop AS bigint)) AS n
    ) AS numbered
) AS generated
"""

YEAR = {"from": "2024-01-01", "to": "2024-12-31"}
LAST_YEAR = {"from": "2023-01-01", "to": "2023-12-31"}


def queries() -> list[tuple[str, list[dict[str, Any]]]]:
    """(name, the retail calls one screen needs)."""
    return [
        ("county monthly trend, 2024", [{**YEAR, "by": "month"}]),
        ("township table, 2024", [{**YEAR, "by": "township"}]),
        ("brand YoY table, 2024 vs 2023", [{**YEAR, "by": "brand"}, {**LAST_YEAR, "by": "brand"}]),
        ("top-50 products, 2024", [{**YEAR, "by": "product", "limit": 50}]),
    ]


def timed(action: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """(p50 ms, p95 ms, last result) over `runs` runs after one warm-up."""
    result = action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    # Nearest rank: the smallest sample with at least 95 % of the samples at or below it.
    p95 = samples[max(0, math.ceil(0.95 * len(samples)) - 1)]
    return statistics.median(samples), p95, result


def _days(first: str, count: int) -> set[dt.date]:
    start = dt.date.fromisoformat(first)
    return {start + dt.timedelta(days=n) for n in range(count)}


def generate(lines: int, batch: int) -> None:
    for statement in REGISTRY_SQL:
        db.session.execute(text(statement))
    upload = SalesImport(file_name="bench", sha256="0" * 64, size=0, stored_path="bench")
    db.session.add(upload)
    # Bulk-load practice: load without the secondary indexes, build them once at the end.
    table = OrderLine.__table__
    for index in table.indexes:
        db.session.execute(text(f"DROP INDEX {index.name}"))
    unique = next(c for c in table.constraints if isinstance(c, UniqueConstraint))
    db.session.execute(text(f"ALTER TABLE order_lines DROP CONSTRAINT {unique.name}"))
    db.session.commit()
    for start in range(0, lines, batch):
        stop = min(start + batch, lines) - 1
        begun = time.perf_counter()
        params = {"start": start, "stop": stop, "import_id": upload.id}
        db.session.execute(text(LINES_SQL), params)
        db.session.commit()
        print(f"  lines {start:>10,}-{stop:>10,}  {time.perf_counter() - begun:6.1f} s", flush=True)
    begun = time.perf_counter()
    connection = db.session.connection()
    for index in table.indexes:
        index.create(connection)
    columns = ", ".join(column.name for column in unique.columns)
    connection.execute(
        text(f"ALTER TABLE order_lines ADD CONSTRAINT {unique.name} UNIQUE ({columns})")
    )
    db.session.commit()
    print(f"  indexes built in {time.perf_counter() - begun:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=100, help="timed runs per rollup query")
    parser.add_argument("--raw-runs", type=int, default=20, help="timed runs per raw query")
    parser.add_argument("--reuse", action="store_true", help="keep the generated lines")
    parser.add_argument(
        "--rebuild", action="store_true", help="with --reuse: recreate and rebuild the rollups"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not (make_url(url).database or "").endswith("_bench"):
        sys.exit("set DATABASE_URL to a PostgreSQL database whose name ends in _bench")
    # The figures cache off: each run must compute the figure from the rollups, not repeat it.
    app = create_app({"TESTING": True, "FIGURES_CACHE": False})
    with app.app_context():
        if not args.reuse:
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            print(f"generating {args.lines:,} order lines …", flush=True)
            generate(args.lines, args.batch)
            print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
        elif args.rebuild:
            tables = [model.__table__ for model in ROLLUP_MODELS]
            db.metadata.drop_all(db.engine, tables=tables)
            db.metadata.create_all(db.engine, tables=tables)
            db.session.commit()
        if not args.reuse or args.rebuild:
            started = time.perf_counter()
            rebuild_all()
            db.session.commit()
            print(f"rollups built in {time.perf_counter() - started:.0f} s", flush=True)
            db.session.remove()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        counts = {
            table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in (
                "order_lines",
                *(model.__tablename__ for model in ROLLUP_MODELS),
            )
        }
        print("rows:", ", ".join(f"{name} {count:,}" for name, count in counts.items()))
        user = db.session.scalar(db.select(User).where(User.login == "bench"))
        if user is None:
            user = User(login="bench", role="admin")
            user.set_password("bench-password")
            db.session.add(user)
            db.session.commit()
        token = issue_token(user, f"bench-{time.time_ns()}")[1]
        db.session.remove()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    table = []
    for name, calls in queries():

        def via_api(calls: list[dict[str, Any]] = calls) -> list[dict[str, Any]]:
            answers = []
            for call in calls:
                response = client.get("/api/v1/metrics/retail", query_string=call, headers=headers)
                assert response.status_code == 200, response.json
                answers.append(response.json)
            return answers

        def on_raw(calls: list[dict[str, Any]] = calls) -> list[dict[str, Any]]:
            with app.app_context():
                return [
                    retail(c["from"], c["to"], c["by"], limit=c.get("limit"), source="raw")
                    for c in calls
                ]

        fast50, fast95, fast = timed(via_api, args.runs)
        raw50, raw95 = float("nan"), float("nan")
        if args.raw_runs:
            raw50, raw95, raw = timed(on_raw, args.raw_runs)
        else:
            raw = on_raw()  # not timed, but the figures are still checked
        # The whole answers (every row, total and 未登记商品), rollups through the API vs the
        # raw lines: a speed measured on wrong figures is worthless.
        same = fast == raw
        table.append((name, fast50, fast95, raw50, raw95, same))
        print(
            f"  {name}: rollups p95 {fast95:.1f} ms, raw p95 {raw95:.0f} ms, equal={same}",
            flush=True,
        )
    with app.app_context():
        # What an import costs afterwards: one shop's quarter, and one day of every shop.
        for label, days, shops in (
            ("refresh 1 shop x 92 days", _days("2024-07-01", 92), {1}),
            ("refresh all shops x 1 day", _days("2024-07-01", 1), None),
        ):
            begun = time.perf_counter()
            refresh_days(days, shops)
            db.session.commit()
            print(f"  {label}: {time.perf_counter() - begun:.2f} s")
    print()
    print(
        f"{args.lines:,} order lines; {args.runs} runs (rollups, through the API), "
        f"{args.raw_runs} runs (raw lines, same service without HTTP); "
        f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    header = (
        f"{'query':<32}{'rollup p50':>12}{'rollup p95':>12}{'raw p50':>12}{'raw p95':>12}"
        f"{'raw/rollup':>12}  same"
    )
    print(header)
    print("-" * len(header))
    for name, fast50, fast95, raw50, raw95, same in table:
        print(
            f"{name:<32}{fast50:>9.1f} ms{fast95:>9.1f} ms{raw50:>9.0f} ms{raw95:>9.0f} ms"
            f"{raw50 / fast50:>10.0f} x  {'yes' if same else 'NO'}"
        )
    slow = [name for name, _, fast95, *_ in table if fast95 >= 100]
    wrong = [name for name, *_, same in table if not same]
    if wrong:
        sys.exit(f"rollup figures differ from the raw lines: {', '.join(wrong)}")
    worst = max(fast95 for _, _, fast95, *_ in table)
    print(
        f"target: p95 < 100 ms for the {len(table)} dashboard queries through the API: "
        f"{'met' if not slow else 'NOT met'} (slowest p95 {worst:.1f} ms"
        + (f"; at or over 100 ms: {', '.join(slow)})" if slow else ")")
    )


if __name__ == "__main__":
    main()
