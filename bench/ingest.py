"""Ingest benchmark (not a test): Cunbo's import against a plain bulk-load baseline, one run.

    createdb -h 127.0.0.1 -U postgres cunbo_ingest_bench   # once; its tables are dropped
    python bench/ingest.py [--lines 1000000] [--xlsx-lines 200000] [--postgres URL]

Writes a 抖店 order CSV and a 微信小店 XLSX, then for SQLite and PostgreSQL measures: the
baseline (pandas' pyarrow reader + sqlite3.executemany / COPY of the same columns), Cunbo's
full import, and a re-import of the same file. Each phase runs in its own process so its peak
memory (max RSS) is its own. Prints lines/s, seconds, ratio to the baseline and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
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
BASELINE_COLUMNS = [
    "主订单编号",
    "子订单编号",
    "商品ID",
    "商家编码",
    "商品数量",
    "订单应付金额",
    "订单状态",
    "售后状态",
    "订单提交时间",
    "支付完成时间",
    "达人ID",
    "达人昵称",
    "流量体裁",
]


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
        values = ["-"] * len(header)
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
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_baseline_sqlite(csv_path: Path, db_path: Path) -> dict[str, float]:
    start = time.perf_counter()
    frame = pd.read_csv(csv_path, engine="pyarrow", dtype=str, usecols=BASELINE_COLUMNS)
    connection = sqlite3.connect(db_path)
    connection.execute(
        f"CREATE TABLE lines ({', '.join(f'c{i} TEXT' for i in range(len(BASELINE_COLUMNS)))},"
        " PRIMARY KEY (c1))"
    )
    marks = ", ".join("?" for _ in BASELINE_COLUMNS)
    connection.executemany(
        f"INSERT INTO lines VALUES ({marks})", frame.itertuples(index=False, name=None)
    )
    connection.commit()
    return {"seconds": time.perf_counter() - start, "rows": len(frame), "peak_mb": peak_mb()}


def phase_baseline_postgres(csv_path: Path, url: str) -> dict[str, float]:
    import io

    import psycopg
    import pyarrow as pa
    import pyarrow.csv as pacsv

    start = time.perf_counter()
    frame = pd.read_csv(csv_path, engine="pyarrow", dtype=str, usecols=BASELINE_COLUMNS)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_baseline")
        columns = ", ".join(f"c{i} text" for i in range(len(BASELINE_COLUMNS)))
        connection.execute(f"CREATE TABLE bench_baseline ({columns}, PRIMARY KEY (c1))")
        buffer = io.BytesIO()
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        with connection.cursor().copy("COPY bench_baseline FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
        connection.execute("DROP TABLE bench_baseline")
    return {"seconds": time.perf_counter() - start, "rows": len(frame), "peak_mb": peak_mb()}


def phase_import(path: Path, url: str, shop: str, fresh: bool, folder: Path) -> dict[str, float]:
    from app import create_app
    from app.extensions import db
    from app.ingest.service import create_import, run_import
    from app.models import LiveRoom, Shop, Township, Village

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(folder / "uploads")})
    with app.app_context():
        if fresh:
            db.drop_all()
            db.create_all()
            township = Township(code="T01", name="许营镇", county="高新区")
            village = Village(code="T01V01", name="汪庄村", township=township)
            shop_row = Shop(code=shop, platform=_platform(path), name="旗舰店", village=village)
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
        start = time.perf_counter()
        record = run_import(create_import(path, shop_code=shop).id)
        seconds = time.perf_counter() - start
        assert record.status == "succeeded", record.message
        return {"seconds": seconds, "rows": record.read, "peak_mb": peak_mb(), **record.counts()}


def phase_parse(path: Path) -> dict[str, float]:
    from app.ingest import open_export

    start = time.perf_counter()
    rows = sum(len(chunk.lines) for chunk in open_export(path).iter_chunks())
    return {"seconds": time.perf_counter() - start, "rows": rows, "peak_mb": peak_mb()}


def _platform(path: Path) -> str:
    return "channels" if path.suffix == ".xlsx" else "douyin"


def run_phase(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--xlsx-lines", type=int, default=200_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/cunbo_ingest_bench"
        ),
    )
    parser.add_argument("--folder", default=os.path.join(tempfile.gettempdir(), "cunbo-bench"))
    parser.add_argument("--phase", nargs="+")
    args = parser.parse_args()
    if args.postgres.startswith("postgresql://"):  # the driver Cunbo uses, as DATABASE_URL is read
        args.postgres = "postgresql+psycopg://" + args.postgres.removeprefix("postgresql://")
    if args.phase:
        print(json.dumps(_dispatch(args.phase)))
        return
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"1735720231_{args.lines:08d}bench0000000000000000.csv"
    xlsx_path = folder / f"微信小店订单_wxbench_2024年12月31日20时00分00秒_{args.xlsx_lines}.xlsx"
    if not csv_path.exists():
        print(f"writing {csv_path.name} …", flush=True)
        write_douyin_csv(csv_path, args.lines)
    if not xlsx_path.exists():
        print(f"writing {xlsx_path.name} …", flush=True)
        write_channels_xlsx(xlsx_path, args.xlsx_lines)
    sqlite_url = f"sqlite:///{folder / 'bench.sqlite'}"
    report = []
    for name, url in (("SQLite", sqlite_url), ("PostgreSQL", args.postgres)):
        if name == "SQLite":
            (folder / "baseline.sqlite").unlink(missing_ok=True)
            base = run_phase("baseline-sqlite", str(csv_path), str(folder / "baseline.sqlite"))
        else:
            base = run_phase("baseline-postgres", str(csv_path), url)
        first = run_phase("import", str(csv_path), url, "S01", "fresh", str(folder))
        again = run_phase("import", str(csv_path), url, "S01", "again", str(folder))
        report.append((name, base, first, again))
    parse = run_phase("parse", str(xlsx_path))
    xlsx = run_phase("import", str(xlsx_path), sqlite_url, "S04", "fresh", str(folder))
    _print(report, parse, xlsx, args)


def _dispatch(phase: list[str]) -> dict[str, float]:
    kind, *rest = phase
    if kind == "baseline-sqlite":
        return phase_baseline_sqlite(Path(rest[0]), Path(rest[1]))
    if kind == "baseline-postgres":
        return phase_baseline_postgres(Path(rest[0]), rest[1])
    if kind == "import":
        return phase_import(Path(rest[0]), rest[1], rest[2], rest[3] == "fresh", Path(rest[4]))
    return phase_parse(Path(rest[0]))


def _print(report: list, parse: dict, xlsx: dict, args: argparse.Namespace) -> None:
    print(f"\n抖店 CSV, {args.lines:,} lines")
    print(
        f"{'database':<11}{'phase':<22}{'seconds':>9}{'lines/s':>12}"
        f"{'× baseline':>12}{'peak MB':>9}"
    )
    for name, base, first, again in report:
        for label, result in (
            ("baseline", base),
            ("cunbo import", first),
            ("cunbo re-import", again),
        ):
            ratio = result["seconds"] / base["seconds"]
            print(
                f"{name:<11}{label:<22}{result['seconds']:>9.2f}"
                f"{result['rows'] / result['seconds']:>12,.0f}{ratio:>12.2f}"
                f"{result['peak_mb']:>9.0f}"
            )
        print(
            f"{'':<11}re-import speed-up: {first['seconds'] / again['seconds']:.2f}× "
            f"(inserted {again['inserted']}, updated {again['updated']}, "
            f"unchanged {again['unchanged']})"
        )
    print(
        f"\n微信小店 XLSX, {args.xlsx_lines:,} lines: parse {parse['seconds']:.2f} s "
        f"({parse['rows'] / parse['seconds']:,.0f} lines/s, peak {parse['peak_mb']:.0f} MB); "
        f"full import on SQLite {xlsx['seconds']:.2f} s"
    )


if __name__ == "__main__":
    main()
