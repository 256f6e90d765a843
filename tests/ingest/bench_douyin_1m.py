"""Throughput check: build a large 抖店 CSV and time reading it (not collected by pytest).

Usage: .venv/bin/python tests/ingest/bench_douyin_1m.py [rows] [path]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

# The 62 columns of the sample exports plus 12 more seen in 2026 exports: 74 in all.
HEADER = [
    "主订单编号",
    "子订单编号",
    "选购商品",
    "商品规格",
    "商品数量",
    "商品ID",
    "商家编码",
    "商品单价",
    "订单应付金额",
    "运费",
    "优惠总金额",
    "平台优惠",
    "商家优惠",
    "达人优惠",
    "商家改价",
    "支付优惠",
    "红包抵扣",
    "支付方式",
    "手续费",
    "收件人",
    "收件人手机号",
    "省",
    "市",
    "区",
    "街道",
    "详细地址",
    "是否修改过地址",
    "地址修改时段",
    "买家留言",
    "订单提交时间",
    "旗帜颜色",
    "商家备注",
    "订单完成时间",
    "支付完成时间",
    "APP渠道",
    "流量来源",
    "订单状态",
    "承诺发货时间",
    "订单类型",
    "鲁班落地页ID",
    "达人ID",
    "达人昵称",
    "所属门店ID",
    "售后状态",
    "取消原因",
    "预约发货时间",
    "仓库ID",
    "仓库名称",
    "序列号",
    "是否安心购",
    "广告渠道",
    "流量类型",
    "流量体裁",
    "流量渠道",
    "发货主体",
    "发货主体明细",
    "发货时间",
    "降价类优惠",
    "平台实际承担优惠金额",
    "商家实际承担优惠金额",
    "达人实际承担优惠金额",
    "预计送达时间",
    "店铺ID",
    "店铺名称",
    "商品类型",
    "订单标签",
    "买家ID",
    "预售类型",
    "定金金额",
    "尾款金额",
    "运费险",
    "是否赠品",
    "商品活动",
    "直播间ID",
]


def build(path: Path, rows: int, seed: int = 7) -> None:
    """Write `rows` lines shaped like a real 抖店 export (BOM, all quoted, tab-protected ids)."""
    rng = np.random.default_rng(seed)
    block = 200_000
    with open(path, "wb") as out:
        out.write(b"\xef\xbb\xbf")
        out.write((",".join(f'"{h}"' for h in HEADER) + "\r\n").encode())
        for start in range(0, rows, block):
            n = min(block, rows - start)
            out.write(_block(rng, start, n))


def _block(rng: np.random.Generator, start: int, n: int) -> bytes:
    ids = 6_900_000_000_000_000_000 + np.arange(start, start + n, dtype=np.int64) * 7919
    sub = pa.array(np.char.add("\t", ids.astype(str)))
    base = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 365 * 86400, n).astype(
        "timedelta64[s]"
    )
    created = pa.array(np.datetime_as_string(base).astype("U19")).cast(pa.string())
    created = pa.compute.replace_substring(created, "T", " ")
    paid = pa.array(np.datetime_as_string(base + np.timedelta64(300, "s")))
    paid = pa.compute.replace_substring(paid.cast(pa.string()), "T", " ")
    amount = pa.array(np.char.mod("%.2f", rng.integers(100, 50_000, n) / 100))
    qty = pa.array(rng.integers(1, 4, n).astype(str))
    status = pa.array(np.array(["已完成", "已发货", "待发货", "已关闭"])[rng.integers(0, 4, n)])
    after = pa.array(np.array(["-", "-", "-", "退款成功"])[rng.integers(0, 4, n)])
    genre = pa.array(np.array(["直播", "其他"])[rng.integers(0, 2, n)])
    fill = {
        "主订单编号": sub,
        "子订单编号": sub,
        "选购商品": pa.array(["\t许营焖子"] * n),
        "商品规格": pa.array(["\t2斤装"] * n),
        "商品数量": qty,
        "商品ID": pa.array(["\t3661318609139099603"] * n),
        "商家编码": pa.array(["\tP001-DO"] * n),
        "商品单价": amount,
        "订单应付金额": amount,
        "省": pa.array(["山东省"] * n),
        "收件人": pa.array(["##密文"] * n),
        "收件人手机号": pa.array(["$$密文"] * n),
        "订单提交时间": created,
        "支付完成时间": paid,
        "订单完成时间": paid,
        "订单状态": status,
        "售后状态": after,
        "流量体裁": genre,
        "达人ID": pa.array(["\t62187499831"] * n),
        "达人昵称": pa.array(["\t焖子达人小姚"] * n),
        "支付方式": pa.array(["抖音支付"] * n),
    }
    dash = pa.array(["-"] * n)
    table = pa.table({h: fill.get(h, dash) for h in HEADER})
    sink = pa.BufferOutputStream()
    opts = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    pacsv.write_csv(table, sink, opts)
    return sink.getvalue().to_pybytes().replace(b"\n", b"\r\n")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    path = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/1735720299_bench_douyin.csv")
    if not path.exists():
        t0 = time.perf_counter()
        build(path, rows)
        print(
            f"built {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s"
        )
    from app.ingest import open_export

    t0, cpu0 = time.perf_counter(), time.process_time()
    reader = open_export(path)
    lines = errors = 0
    for chunk in reader.iter_chunks():
        lines += len(chunk.lines)
        errors += len(chunk.errors)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{lines} lines, {errors} errors in {elapsed:.2f}s wall = {lines / elapsed:,.0f} rows/s "
        f"(CPU {cpu:.2f}s = {lines / cpu:,.0f} rows/s); peak RSS {peak:.0f} MB; "
        f"load {os.getloadavg()[0]:.1f}; warnings {reader.warnings}"
    )


if __name__ == "__main__":
    main()
