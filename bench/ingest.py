"""Ingest benchmark (not a test): Cunbo's import against the floor, measured in the same run.

    python bench/ingest.py [--lines 1000000] [--xlsx-lines 200000] [--workers 1,2] [--repeat 2]
        [--postgres postgresql://postgres@127.0.0.1:5432/cunbo_ingest_bench]
        [--floor-postgres postgresql://…/cunbo_ingest_bench_floor]

Both PostgreSQL databases are created when missing and their tables dropped. Writes a 抖店
order CSV and a 微信小店 XLSX, then for SQLite and PostgreSQL measures Cunbo's full import, a
re-import of the same file, and the floor: the very lines that import stored, bulk-loaded
(COPY on PostgreSQL, `executemany` on SQLite) into an empty `order_lines` of the same schema
with all its indexes and foreign keys, plus one `rebuild_all()` of the rollups (bench/floor.py).
With `--workers 1,2` the PostgreSQL import also runs through a real Celery worker (prefork,
private redis-server) at each concurrency. Each phase runs in its own process so its peak memory
(VmHWM) is its own. Prints seconds, lines/s, the ratios the targets of issue 13 name (first
import ≤ 1.3× the floor, re-import ≤ 0.3× the first import, 2 workers ≥ 1.5× faster than 1,
peak < 800 MB), and the load average, which says how much the figures can be trusted: `CPU s`
is the phase's own process (SQLite runs inside it), `DB CPU` PostgreSQL's backends on the
phase's database; wall seconds far above the two together mean waiting for a core or the disk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

DOUYIN_HEADER = (
    "主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价,订单应付金额,运费,"
    "优惠总金额,平台优惠,商家优惠,达人优惠,商家改价,支付优惠,红包抵扣,支付方式,手续费,收件人,"
    "收件人手机号,省,市,区,街道,详细地址,是否修改过地址,地址修改时段,买家留言,订单提交时间,旗帜颜色,"
    "商家备注,订单完成时间,支付完成时间,APP渠道,流量来源,订单状态,承诺发货时间,订单类型,鲁班落地页ID,"
    "达人ID,达人昵称,所属门店ID,售后状态,取消原因,预约发货时间,仓库ID,仓库名称,是否安心购,广告渠道,"
    "流量类型,流量体裁,流量渠道,发货主体,发货主体明细,发货时间,降价类优惠,平台实际承担优惠金额,"
    "商家实际承担优惠金额,达人实际承担优惠金额,预计送达时间"
).split(",")
CHANNELS_HEADER = (
    "订单号,订单下单时间,订单发货时间,订单确认收货时间,订单完成结算时间,订单状态,发货方式,收件人姓名,收件人地址,省,市,区,"
    "收件人手机,买家备注,商家备注,打标颜色,商品总价,订单实际支付金额,订单实际收款金额,订单运费,商品优惠,跨店优惠,商品改价,积分抵扣,"
    "支付方式,支付时间,交易单号,物流公司,快递单号,技术服务费,技术服务费（将以人气卡形式返还）,运费险预计投保费用,带货方式,带货账号类型,"
    "带货账号昵称,带货ID,带货费用渠道,带货费用类型,带货费用,带货佣金率,企微企业ID,企微工号,导购最近分享时间,企业微信加密id,企微备注,礼物单号,"
    "商品名称,商品编码(平台),商品编码(自定义),SKU编码(自定义),商品属性,商品价格(单件),商品实际价格(单件),商品实际价格(总共),是否预售,商品数量,"
    "商品平台券优惠,商品平均运费,活动商家补贴,定制信息,定制预览图,商品发货,商品售后,商品已退款金额"
).split(",")


def write_douyin_csv(path: Path, lines: int, seed: int = 1) -> None:
    """A 抖店 CSV in the real shape: BOM, every cell quoted, TAB before ids, `-` for empty."""
    rng = np.random.default_rng(seed)
    orders = 6_900_000_000_000_000_000 + np.arange(lines, dtype=np.int64) * 7
    paid = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.sort(rng.integers(0, 365 * 86400, lines)), unit="s"
    )
    amount = rng.integers(500, 30000, lines)
    status = np.where(rng.random(lines) < 0.06, "已关闭", "已完成")
    after = np.where(status == "已关闭", "退款成功", "-")
    live = rng.random(lines) < 0.3
    frame = pd.DataFrame({name: "-" for name in DOUYIN_HEADER}, index=range(lines))
    ids = pd.Series(orders).astype(str)
    frame["主订单编号"] = "\t" + ids
    frame["子订单编号"] = "\t" + ids
    frame["选购商品"] = "许营焖子"
    frame["商品规格"] = "2斤装"
    frame["商品数量"] = "1"
    frame["商品ID"] = "\t3661318609139099603"
    frame["商家编码"] = "\tP001-DO"
    frame["订单应付金额"] = (pd.Series(amount) / 100).map("{:.2f}".format)
    frame["商品单价"] = frame["订单应付金额"]
    frame["省"] = "山东省"
    frame["收件人"] = "##密文"
    frame["订单提交时间"] = pd.Series(paid - pd.Timedelta(minutes=2)).dt.strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    frame["支付完成时间"] = pd.Series(paid).dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["订单状态"] = status
    frame["售后状态"] = after
    frame["达人ID"] = np.where(live, "62187499831", "-")
    frame["达人昵称"] = np.where(live, "焖子达人小姚", "-")
    frame["流量体裁"] = np.where(live, "直播", "其他")
    frame.to_csv(path, index=False, encoding="utf-8-sig", quoting=1, chunksize=200_000)


def write_channels_xlsx(path: Path, lines: int, seed: int = 2) -> None:
    """A 微信小店 XLSX (sheet 快递订单), strings everywhere but 商品数量, `-` for empty."""
    import xlsxwriter

    header = CHANNELS_HEADER
    rng = np.random.default_rng(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("快递订单")
    sheet.write_row(0, 0, header)
    index = {name: i for i, name in enumerate(header)}
    base = pd.Timestamp("2024-01-01")
    seconds = np.sort(rng.integers(0, 365 * 86400, lines))
    amounts = rng.integers(500, 30000, lines)
    for row in range(lines):
        values: list[object] = ["-"] * len(header)
        paid = (base + pd.Timedelta(seconds=int(seconds[row]))).strftime("%Y-%m-%d %H:%M:%S")
        money = f"{amounts[row] / 100:.2f}"
        values[index["订单号"]] = str(3_700_000_000_000_000_000 + row)
        values[index["订单下单时间"]] = paid
        values[index["支付时间"]] = paid
        values[index["订单状态"]] = "已完成"
        values[index["商品名称"]] = "许营焖子"
        values[index["商品编码(平台)"]] = "15379907511637"
        for name in ("商品总价", "订单实际支付金额", "商品实际价格(总共)", "商品价格(单件)"):
            values[index[name]] = money
        values[index["商品售后"]] = "无"
        values[index["商品已退款金额"]] = "0.00"
        values[index["商品数量"]] = 1
        sheet.write_row(row + 1, 0, values)
    book.close()


def peak_mb() -> float:
    """This phase's own peak resident memory. `ru_maxrss` survives fork and exec, so a phase
    started by a parent that had grown large would report the parent's peak; the kernel's
    VmHWM belongs to the process's own address space."""
    return _status_mb("self", "VmHWM:") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(pid: int | str, field: str) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (2 cores: above 2, phases wait for a CPU)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """The CPU seconds PostgreSQL's backends on one database spend while the block runs.

    A thread samples the backends (pg_stat_activity, then /proc: a local server) every 0.1 s
    on a connection of its own, so a backend that closes keeps its last reading. Stays 0 on
    SQLite, which runs inside the phase's process (its `CPU s`).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.seconds = 0.0
        self._before: dict[int, float] = {}
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ServerCpu:
        if self.url.startswith("postgresql"):
            import psycopg

            from bench.floor import plain_url

            self._connection = psycopg.connect(plain_url(self.url), autocommit=True)
            self._before = self._sample()
            self._seen = dict(self._before)
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._merge(self._sample())
        self._connection.close()
        self.seconds = sum(v - self._before.get(pid, 0.0) for pid, v in self._seen.items())

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._merge(self._sample())

    def _merge(self, sample: dict[int, float]) -> None:
        for pid, value in sample.items():  # a backend gone meanwhile reads 0: keep its last
            self._seen[pid] = max(self._seen.get(pid, 0.0), value)

    def _sample(self) -> dict[int, float]:
        rows = self._connection.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return {pid: cpu_seconds(pid) for (pid,) in rows}


def seed_registry(shop: str, platform: str) -> None:
    """The county the bench's files sell in: one township, village, shop and live room."""
    from app.extensions import db
    from app.models import LiveRoom, Shop, Township, Village

    township = Township(code="T01", name="许营镇", county="高新区")
    village = Village(code="T01V01", name="汪庄村", township=township)
    shop_row = Shop(code=shop, platform=platform, name="旗舰店", village=village)
    room = LiveRoom(
        code="R01",
        platform="douyin",
        account_id="62187499831",
        nickname="焖子达人小姚",
        village=village,
        shop=shop_row,
    )
    db.session.add_all([township, village, shop_row, room])
    db.session.commit()


def stored_totals() -> dict[str, str]:
    """What the stored lines and rollups add up to, to compare runs (as text: exact)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import OrderLine, RollupShopDay

    lines, paid = db.session.execute(
        select(func.count(), func.sum(OrderLine.paid_amount)).select_from(OrderLine)
    ).one()
    gross, orders = db.session.execute(
        select(func.sum(RollupShopDay.gross), func.sum(RollupShopDay.orders))
    ).one()
    return {"lines": str(lines), "paid": str(paid), "gross": str(gross), "orders": str(orders)}


def phase_import(path: Path, url: str, shop: str, fresh: bool, folder: Path) -> dict[str, object]:
    from app import create_app
    from app.extensions import db
    from app.ingest.service import create_import, run_import

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(folder / "uploads")})
    with app.app_context():
        if fresh:
            db.drop_all()
            db.create_all()
            seed_registry(shop, _platform(path))
        import_id = create_import(path, shop_code=shop).id
        with ServerCpu(url) as server:
            start, cpu = time.perf_counter(), time.process_time()
            record = run_import(import_id)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert record.status == "succeeded", record.message
        peak = peak_mb()
        counts = record.counts()
        return {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "server_cpu": server.seconds,
            "rows": record.read,
            "peak_mb": peak,
            "totals": stored_totals(),
            **counts,
        }


def phase_floor(source_url: str, floor_url: str, dump: str, folder: Path) -> dict[str, object]:
    """Untimed: an empty schema, the registry rows, the lines read in; then the timed floor."""
    from app import create_app
    from app.extensions import db
    from bench.floor import copy_registry, load_floor, read_sqlite_lines

    config = {"SQLALCHEMY_DATABASE_URI": floor_url, "UPLOAD_FOLDER": str(folder / "uploads")}
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        copy_registry(source_url)
        lines = Path(dump) if dump != "-" else read_sqlite_lines(source_url)
        with ServerCpu(floor_url) as server:
            result = load_floor(lines)
        totals = stored_totals()
        return {**result, "server_cpu": server.seconds, "peak_mb": peak_mb(), "totals": totals}


def phase_workers(path: Path, url: str, concurrency: int, folder: Path) -> dict[str, object]:
    """The import as production runs it: queued to a private redis-server, taken by a Celery
    worker (`app.supervisor` → prefork pool of `concurrency` processes), on a fresh database.
    Timed from the enqueue to the import's `succeeded` as the database shows it."""
    from app import create_app
    from app.extensions import db
    from app.ingest.service import create_import
    from app.models import SalesImport
    from tasks.imports import enqueue_import
    from tests.faults.procs import PrivateRedis, Worker

    run_folder = folder / f"workers-{concurrency}"
    shutil.rmtree(run_folder, ignore_errors=True)
    run_folder.mkdir(parents=True)
    broker = PrivateRedis(run_folder)
    broker.start()
    try:
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "REDIS_URL": broker.url,
        }
        app = create_app(config)
        with app.app_context():
            db.drop_all()
            db.create_all()
            seed_registry("S01", _platform(path))
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "REDIS_URL": broker.url,
                "CUNBO_UPLOAD_FOLDER": str(folder / "uploads"),
            }
            worker = Worker(env, run_folder / "worker.log", concurrency)
            worker.start()
            try:
                pool = worker.pool_pids()
                before = {pid: cpu_seconds(pid) for pid in pool}
                import_id = create_import(path, shop_code="S01").id
                db.session.commit()
                with ServerCpu(url) as server:
                    start = time.perf_counter()
                    enqueue_import(import_id)
                    while True:
                        db.session.rollback()  # see what the worker committed
                        record = db.session.get(SalesImport, import_id, populate_existing=True)
                        assert record is not None
                        if record.status in ("succeeded", "failed"):
                            break
                        time.sleep(0.05)
                    seconds = time.perf_counter() - start
                assert record.status == "succeeded", record.message
                cpu = sorted((cpu_seconds(pid) - before[pid] for pid in pool), reverse=True)
                peaks = [_status_mb(pid, "VmHWM:") for pid in pool]
            finally:
                worker.stop()
            return {
                "seconds": seconds,
                "rows": record.read,
                "cpu": cpu,
                "server_cpu": server.seconds,
                "peak_mb": max(peaks),
                "totals": stored_totals(),
            }
    finally:
        broker.stop()


def phase_parse(path: Path) -> dict[str, float]:
    from app.ingest import open_export

    start = time.perf_counter()
    rows = sum(len(chunk.lines) for chunk in open_export(path).iter_chunks())
    return {"seconds": time.perf_counter() - start, "rows": rows, "peak_mb": peak_mb()}


def _platform(path: Path) -> str:
    return "channels" if path.suffix == ".xlsx" else "douyin"


def run_phase(*args: str) -> dict:
    """Run one phase in a process of its own; its result, with the load when it started."""
    load = load_average()
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(f"phase {' '.join(args)} failed:\n{out.stderr[-4000:]}")
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "load": load}


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` as DATABASE_URL is read: with the driver Cunbo uses."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--xlsx-lines", type=int, default=200_000, help="0: no XLSX phases")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/cunbo_ingest_bench"
        ),
    )
    parser.add_argument(
        "--floor-postgres", help="the floor's database (default: --postgres + _floor)"
    )
    parser.add_argument("--workers", default="", help="e.g. 1,2: Celery concurrencies to run")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each phase this many times, keep the fastest"
    )
    parser.add_argument("--folder", default=os.path.join(tempfile.gettempdir(), "cunbo-bench"))
    parser.add_argument("--phase", nargs="+")
    args = parser.parse_args()
    args.postgres = sqlalchemy_url(args.postgres)
    args.floor_postgres = sqlalchemy_url(args.floor_postgres or args.postgres + "_floor")
    if args.phase:
        print(json.dumps(_dispatch(args.phase)))
        return
    from bench.floor import dump_lines, ensure_database

    started = load_average()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"1735720231_{args.lines:08d}bench0000000000000000.csv"
    xlsx_path = folder / f"微信小店订单_wxbench_2024年12月31日20时00分00秒_{args.xlsx_lines}.xlsx"
    if not csv_path.exists():
        print(f"writing {csv_path.name} …", flush=True)
        write_douyin_csv(csv_path, args.lines)
    if args.xlsx_lines and not xlsx_path.exists():
        print(f"writing {xlsx_path.name} …", flush=True)
        write_channels_xlsx(xlsx_path, args.xlsx_lines)
    sqlite_url = f"sqlite:///{folder / 'bench.sqlite'}"
    floor_sqlite_url = f"sqlite:///{folder / 'floor.sqlite'}"
    for url in (args.postgres, args.floor_postgres):
        ensure_database(url)
    report = []
    for name, url, floor_url in (
        ("SQLite", sqlite_url, floor_sqlite_url),
        ("PostgreSQL", args.postgres, args.floor_postgres),
    ):
        runs = []
        for run in range(1, args.repeat + 1):
            print(f"{name}: import, re-import, floor (run {run}) …", flush=True)
            first = run_phase("import", str(csv_path), url, "S01", "fresh", str(folder))
            again = run_phase("import", str(csv_path), url, "S01", "again", str(folder))
            dump = folder / "floor-lines.copy"
            stored = dump_lines(url, dump)  # untimed; the re-import of the same file changed none
            floor = run_phase(
                "floor", url, floor_url, str(dump) if name == "PostgreSQL" else "-", str(folder)
            )
            assert floor["rows"] == stored, (floor["rows"], stored)
            # The same lines and the same figures, or the floor would measure something else.
            assert floor["totals"] == again["totals"], (floor["totals"], again["totals"])
            runs.append((floor, first, again))
        report.append((name, *(fastest([run[i] for run in runs]) for i in range(3))))
    concurrencies = [int(n) for n in args.workers.split(",") if n.strip()]
    worker_runs: dict[int, list[dict]] = {n: [] for n in concurrencies}
    for run in range(1, args.repeat + 1):
        for concurrency in concurrencies:  # interleaved, so a change of load hits each alike
            print(f"PostgreSQL: Celery worker, concurrency {concurrency} (run {run}) …", flush=True)
            worker_runs[concurrency].append(
                run_phase("workers", str(csv_path), args.postgres, str(concurrency), str(folder))
            )
    workers = [(n, fastest(results)) for n, results in worker_runs.items()]
    parse = xlsx = None
    if args.xlsx_lines:
        parse = run_phase("parse", str(xlsx_path))
        xlsx = run_phase("import", str(xlsx_path), sqlite_url, "S04", "fresh", str(folder))
    _print(report, workers, parse, xlsx, args, started, load_average())


def fastest(results: list[dict]) -> dict:
    """The fastest of repeated runs of a phase, with the highest peak memory of them all."""
    best = min(results, key=lambda result: result["seconds"])
    return {**best, "peak_mb": max(result["peak_mb"] for result in results)}


def _dispatch(phase: list[str]) -> dict:
    kind, *rest = phase
    if kind == "import":
        return phase_import(Path(rest[0]), rest[1], rest[2], rest[3] == "fresh", Path(rest[4]))
    if kind == "floor":
        return phase_floor(rest[0], rest[1], rest[2], Path(rest[3]))
    if kind == "workers":
        return phase_workers(Path(rest[0]), rest[1], int(rest[2]), Path(rest[3]))
    return phase_parse(Path(rest[0]))


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _print(
    report: list,
    workers: list,
    parse: dict | None,
    xlsx: dict | None,
    args: argparse.Namespace,
    started: str,
    ended: str,
) -> None:
    print(f"\nload average at the start: {started}   at the end: {ended}   ({os.cpu_count()} CPUs)")
    runs = f", fastest of {args.repeat} runs (peak: the highest)" if args.repeat > 1 else ""
    print(f"\n抖店 CSV, {args.lines:,} lines{runs}")
    print(
        f"{'database':<11}{'phase':<26}{'seconds':>9}{'lines/s':>11}"
        f"{'× floor':>9}{'× first':>9}{'peak MB':>9}{'CPU s':>7}{'DB CPU':>8}  load at start"
    )
    for name, floor, first, again in report:
        rows: list[tuple[str, dict, bool]] = [
            ("floor: load lines", {**floor, "seconds": floor["load_seconds"]}, False),
            ("floor: rollup rebuild", {**floor, "seconds": floor["rollup_seconds"]}, False),
            ("floor", floor, True),
            ("cunbo import", first, True),
            ("cunbo re-import", again, True),
        ]
        for label, result, full in rows:
            seconds = result["seconds"]
            lines = f"{result['rows'] / seconds:>11,.0f}" if seconds else f"{'':>11}"
            ratio = f"{seconds / floor['seconds']:>9.2f}" if full else f"{'':>9}"
            again_row = label == "cunbo re-import"
            versus = f"{seconds / first['seconds']:>9.2f}" if again_row else f"{'':>9}"
            peak = f"{result['peak_mb']:>9.0f}" if full else f"{'':>9}"
            cpu = f"{result['cpu_seconds']:>7.1f}{result['server_cpu']:>8.1f}"
            load = f"{cpu}  {result['load']}" if full else ""
            print(f"{name:<11}{label:<26}{seconds:>9.2f}{lines}{ratio}{versus}{peak}{load}")
        to_floor = first["seconds"] / floor["seconds"]
        to_first = again["seconds"] / first["seconds"]
        peak = max(first["peak_mb"], again["peak_mb"])
        print(
            f"{'':<11}targets: import {to_floor:.2f}× the floor "
            f"(≤ 1.3: {_verdict(to_floor <= 1.3)}); "
            f"re-import {to_first:.2f}× the import (≤ 0.3: {_verdict(to_first <= 0.3)}); "
            f"peak {peak:.0f} MB (< 800: {_verdict(peak < 800)})"
        )
        work = {
            key: r["cpu_seconds"] + r["server_cpu"]
            for key, r in (("floor", floor), ("first", first), ("again", again))
        }
        if work["floor"] and work["first"]:  # CPU spent, which waiting for a core does not inflate
            print(
                f"{'':<11}by CPU seconds (process + PostgreSQL): import "
                f"{work['first'] / work['floor']:.2f}× the floor, re-import "
                f"{work['again'] / work['first']:.2f}× the import"
            )
        print(
            f"{'':<11}re-import: inserted {again['inserted']}, updated {again['updated']}, "
            f"unchanged {again['unchanged']}; the floor loaded the {floor['rows']:,} lines the "
            "import stored and its rollups add up to the import's"
        )
    print(
        "(the SQLite floor's peak MB holds the lines read out before its clock starts; its "
        "wall seconds, like every other, include waiting for a core: see CPU s)"
    )
    if workers:
        print(f"\nPostgreSQL import through a Celery worker (prefork), {args.lines:,} lines{runs}")
        print(
            f"{'workers':<9}{'seconds':>9}{'lines/s':>11}{'speed-up':>10}{'peak MB':>9}"
            "  CPU s: pool processes | PostgreSQL   load at start"
        )
        single = workers[0][1]["seconds"]
        for concurrency, result in workers:
            cpu = " ".join(f"{value:.1f}" for value in result["cpu"])
            cpu = f"{cpu} | {result['server_cpu']:.1f}"
            rate = result["rows"] / result["seconds"]
            print(
                f"{concurrency:<9}{result['seconds']:>9.2f}{rate:>11,.0f}"
                f"{single / result['seconds']:>9.2f}×{result['peak_mb']:>9.0f}  {cpu:<37}"
                f"{result['load']}"
            )
        if len(workers) > 1:
            speedup = single / workers[-1][1]["seconds"]
            same = len({json.dumps(result["totals"], sort_keys=True) for _, result in workers}) == 1
            print(
                f"target: {workers[-1][0]} workers ≥ 1.5× faster than {workers[0][0]}: "
                f"{speedup:.2f}× ({_verdict(speedup >= 1.5)}); stored lines and rollup totals "
                f"identical for every worker count: {'yes' if same else 'NO'} "
                f"({workers[0][1]['totals']})"
            )
    if parse is not None and xlsx is not None:
        print(
            f"\n微信小店 XLSX, {args.xlsx_lines:,} lines: parse {parse['seconds']:.2f} s "
            f"({parse['rows'] / parse['seconds']:,.0f} lines/s, peak {parse['peak_mb']:.0f} MB); "
            f"full import on SQLite {xlsx['seconds']:.2f} s"
        )


if __name__ == "__main__":
    main()
