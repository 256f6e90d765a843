"""XLSX reading benchmark (not a test): rows per second and peak memory of parsing a wide export.

    python bench/xlsx.py [--rows 200000 1000000] [--folder DIR] [--no-old]

Writes a 64-column 微信小店 XLSX of each size (bench/ingest.py's writer, inline strings as
platform exports write them), then measures, each in a process of its own so the peak memory
(VmHWM) is the phase's own:

- read: the sheet's needed columns as raw text batches (`Source.batches`), the reader alone;
- parse: `open_export(...).iter_chunks()`, i.e. reading plus cleaning, parsing and the
  normalised lines, as an import sees it (the 微信 whole-file prepass included).

"new" is the streaming reader; "old" is the whole-sheet reader it replaced (the guards' full
scan, then python-calamine loading the sheet), still importable as `XlsSource`. The old reader
is skipped above 200,000 rows: it needs about 7 GB at 1,000,000. The load average is printed
with each figure, and the CPU seconds of the phase (all its threads): on a shared machine the
wall-clock rate follows the load, so compare only figures measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

OLD_LIMIT = 200_000  # rows: beyond this the whole-sheet reader does not fit in memory
# Issue 13's targets: 200,000 rows × 64 columns at 40,000 rows/s or more within 400 MB, and
# memory flat from 200,000 to 1,000,000 rows (here: the peak grows by less than a quarter).
TARGET_ROWS, TARGET_RATE, TARGET_PEAK_MB, FLAT = 200_000, 40_000, 400, 1.25


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _use_old_reader() -> None:
    """Route workbooks through the whole-sheet path: full guard scan, calamine, XlsSource."""
    from app.ingest.readers import guards, xlsx_source

    def whole_sheets(path: Path, password: str | None, kind: str):  # type: ignore[no-untyped-def]
        guards.check_zip(path)
        yield from xlsx_source._calamine_sheets(path)

    xlsx_source.open_workbook_sheets = whole_sheets  # type: ignore[assignment]


def phase(kind: str, reader: str, path: Path) -> dict[str, float]:
    if reader == "old":
        _use_old_reader()
    from app.ingest import open_export

    start, cpu = time.perf_counter(), time.process_time()
    export = open_export(path)
    opened = time.perf_counter() - start
    rows = 0
    if kind == "read":
        for batch in export.source.batches(export.columns, export.chunk_rows):
            rows += len(batch.frame)
    else:
        for chunk in export.iter_chunks():
            rows += chunk.rows_read
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,  # all threads: what the work costs
        "open_seconds": opened,
        "rows": rows,
        "peak_mb": peak_mb(),
    }


def run_phase(kind: str, reader: str, path: Path) -> dict[str, float]:
    load = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, __file__, "--phase", kind, reader, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load"] = load
    return result


def write_large_xlsx(path: Path, lines: int, seed: int = 2) -> None:
    """The cells bench/ingest.py's `write_channels_xlsx` writes (inline strings, as xlsxwriter's
    constant-memory mode does), with the sheet XML streamed into a ZIP64 archive: xlsxwriter
    refuses a sheet past 2 GB without ZIP64 and needs about 25 minutes for a million rows."""
    import zipfile
    from xml.sax.saxutils import escape

    import numpy as np
    import pandas as pd
    from ingest import CHANNELS_HEADER, write_channels_xlsx

    header = CHANNELS_HEADER
    skeleton = path.with_suffix(".skeleton.xlsx")
    write_channels_xlsx(skeleton, 0, seed)  # the workbook's other parts, and the sheet's frame
    letters = [_letters(i) for i in range(len(header))]
    index = {name: i for i, name in enumerate(header)}
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.integers(0, 365 * 86400, lines))
    amounts = rng.integers(500, 30000, lines)
    paid = (pd.Timestamp("2024-01-01") + pd.to_timedelta(seconds, unit="s")).strftime(
        "%Y-%m-%d %H:%M:%S"
    )

    def text(col: int, row: int, value: str) -> str:
        return f'<c r="{letters[col]}{row}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    with zipfile.ZipFile(skeleton) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                          compresslevel=1) as new:  # fmt: skip
        sheet = old.read("xl/worksheets/sheet1.xml").decode()
        head, _, tail = sheet.partition("<sheetData")
        tail = tail[tail.find("</sheetData>") :] if "</sheetData>" in tail else "</sheetData>"
        head = head.replace('<dimension ref="A1"/>', f'<dimension ref="A1:BL{lines + 1}"/>')
        for info in old.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                new.writestr(info, old.read(info))
        with new.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write((head + "<sheetData>").encode())
            top = "".join(text(c, 1, name) for c, name in enumerate(header))
            out.write(f'<row r="1">{top}</row>'.encode())
            block: list[str] = []
            for i in range(lines):
                r = i + 2
                values = ["-"] * len(header)
                money = f"{amounts[i] / 100:.2f}"
                values[index["订单号"]] = str(3_700_000_000_000_000_000 + i)
                values[index["订单下单时间"]] = values[index["支付时间"]] = paid[i]
                values[index["订单状态"]] = "已完成"
                values[index["商品名称"]] = "许营焖子"
                values[index["商品编码(平台)"]] = "15379907511637"
                for name in (
                    "商品总价",
                    "订单实际支付金额",
                    "商品实际价格(总共)",
                    "商品价格(单件)",
                ):
                    values[index[name]] = money
                values[index["商品售后"]] = "无"
                values[index["商品已退款金额"]] = "0.00"
                quantity = index["商品数量"]
                cells = [
                    f'<c r="{letters[c]}{r}"><v>1</v></c>' if c == quantity else text(c, r, v)
                    for c, v in enumerate(values)
                ]
                block.append(f'<row r="{r}">{"".join(cells)}</row>')
                if len(block) == 10_000:
                    out.write("".join(block).encode())
                    block = []
            out.write(("".join(block) + tail).encode())
    skeleton.unlink()


def _letters(index: int) -> str:
    out, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def ensure_file(folder: Path, rows: int) -> Path:
    from ingest import write_channels_xlsx

    path = folder / f"微信小店订单_wxbench_2024年12月31日20时00分00秒_{rows}.xlsx"
    if not path.exists():
        print(f"writing {path.name} …", flush=True)
        start = time.perf_counter()
        if rows > OLD_LIMIT:
            write_large_xlsx(path, rows)
        else:
            write_channels_xlsx(path, rows)
        size = path.stat().st_size >> 20
        print(f"  {size} MB in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "cunbo-bench")
    parser.add_argument("--no-old", action="store_true", help="skip the whole-sheet reader")
    parser.add_argument("--phase", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        kind, reader, path = args.phase
        print(json.dumps(phase(kind, reader, Path(path))))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>9} {'reader':<4} {'phase':<5} {'rows/s':>9} {'seconds':>8} "
          f"{'cpu s':>7} {'rows/cpu s':>10} {'peak MB':>8} {'load':>5}")  # fmt: skip
    new: dict[tuple[int, str], dict[str, float]] = {}
    for rows in args.rows:
        path = ensure_file(args.folder, rows)
        readers = ["new"] if args.no_old or rows > OLD_LIMIT else ["new", "old"]
        for reader in readers:
            for kind in ("read", "parse"):
                r = run_phase(kind, reader, path)
                if reader == "new":
                    new[rows, kind] = r
                print(
                    f"{rows:>9,} {reader:<4} {kind:<5} {r['rows'] / r['seconds']:>9,.0f} "
                    f"{r['seconds']:>8.2f} {r['cpu_seconds']:>7.2f} "
                    f"{r['rows'] / r['cpu_seconds']:>10,.0f} {r['peak_mb']:>8.0f} "
                    f"{r['load']:>5.2f}",
                    flush=True,
                )
        if rows > OLD_LIMIT and not args.no_old:
            print(f"{rows:>9,} old  (not run: the whole sheet would need about 7 GB)")
    print_targets(new)


def print_targets(new: dict[tuple[int, str], dict[str, float]]) -> None:
    """Each target of issue 13 met or not, from the streaming reader's figures above."""
    sizes = sorted({rows for rows, _ in new})
    for kind in ("read", "parse"):
        if (TARGET_ROWS, kind) in new:
            r = new[TARGET_ROWS, kind]
            rate, peak = r["rows"] / r["seconds"], r["peak_mb"]
            print(
                f"target {kind}: {TARGET_ROWS:,} rows at {rate:,.0f} rows/s "
                f"(≥ {TARGET_RATE:,}: {_verdict(rate >= TARGET_RATE)}), "
                f"peak {peak:.0f} MB (< {TARGET_PEAK_MB}: {_verdict(peak < TARGET_PEAK_MB)})"
            )
        if len(sizes) > 1:
            low, high = new[sizes[0], kind]["peak_mb"], new[sizes[-1], kind]["peak_mb"]
            print(
                f"target {kind}: peak {low:.0f} MB at {sizes[0]:,} rows, {high:.0f} MB at "
                f"{sizes[-1]:,}: {high / low:.2f}× (flat, < {FLAT}×: {_verdict(high / low < FLAT)})"
            )


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
