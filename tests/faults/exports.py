"""抖店 order exports of any size, in the real shape, with known lines and sums."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

HEADER = (
    "主订单编号,子订单编号,选购商品,商品规格,商品数量,商品ID,商家编码,商品单价,订单应付金额,运费,"
    "收件人,收件人手机号,省,详细地址,订单提交时间,支付完成时间,订单状态,达人ID,达人昵称,售后状态,"
    "流量体裁"
).split(",")
FIRST_ID = 6_900_000_000_000_000_000


@dataclass(frozen=True)
class Export:
    """A written file and what it holds."""

    path: Path
    line_ids: frozenset[str]
    paid: dict[str, Decimal]

    @property
    def gross(self) -> Decimal:
        return sum(self.paid.values(), Decimal("0.00"))


def douyin_frame(lines: int, *, first: int = 0, seed: int = 1, year: int = 2024) -> pd.DataFrame:
    """The rows `douyin_export` writes, as text cells: edit them, then `write_douyin`."""
    rng = np.random.default_rng(seed)
    numbers = np.arange(first, first + lines, dtype=np.int64)
    ids = pd.Series(FIRST_ID + numbers * 7).astype(str)
    paid_at = pd.Timestamp(f"{year}-01-01") + pd.to_timedelta(
        np.sort(rng.integers(0, 365 * 86400, lines)), unit="s"
    )
    cents = rng.integers(500, 30_000, lines)
    live = rng.random(lines) < 0.3
    frame = pd.DataFrame({name: "-" for name in HEADER}, index=range(lines))
    frame["主订单编号"] = "\t" + ids
    frame["子订单编号"] = "\t" + ids
    frame["选购商品"] = "许营焖子"
    frame["商品规格"] = "2斤装"
    frame["商品数量"] = "1"
    frame["商品ID"] = "\t3661318609139099603"
    frame["商家编码"] = "\tP001-DO"
    frame["订单应付金额"] = (pd.Series(cents) / 100).map("{:.2f}".format)
    frame["商品单价"] = frame["订单应付金额"]
    frame["运费"] = "0.00"
    frame["收件人"] = "王**"
    frame["收件人手机号"] = "138****0000"
    frame["省"] = "山东省"
    frame["详细地址"] = "##密文"
    frame["订单提交时间"] = pd.Series(paid_at - pd.Timedelta(minutes=2)).dt.strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    frame["支付完成时间"] = pd.Series(paid_at).dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["订单状态"] = "已完成"
    frame["达人ID"] = np.where(live, "62187499831", "-")
    frame["达人昵称"] = np.where(live, "焖子达人小姚", "-")
    frame["流量体裁"] = np.where(live, "直播", "其他")
    return frame


def line_id(number: int) -> str:
    """The 子订单编号 (without its protecting TAB) of line `number` of the builders."""
    return str(FIRST_ID + number * 7)


def write_douyin(
    folder: Path,
    rows: pd.DataFrame | list[list[str]],
    *,
    exported_at: int,
    tag: str,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    newline: str = "\n",
    header: list[str] = HEADER,
) -> Path:
    """Rows (a frame from `douyin_frame`, or lists of any length) as a 抖店-named file.

    Every cell is quoted, as 抖店 writes them; `encoding`, `delimiter` and `newline` give
    the variants a re-save produces (GB18030, Excel's tab-separated "Unicode text", CRLF).
    """
    records = rows.to_numpy().tolist() if isinstance(rows, pd.DataFrame) else rows
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(records)
    path = folder / f"{exported_at}_{tag}.csv"
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def paid_of(frame: pd.DataFrame) -> dict[str, Decimal]:
    """Line id → 订单应付金额 of the frame's rows (the later row of a repeated id wins)."""
    ids = frame["子订单编号"].str.strip("\t")
    return {line: Decimal(amount) for line, amount in zip(ids, frame["订单应付金额"], strict=True)}


def douyin_export(
    folder: Path,
    lines: int,
    *,
    first: int = 0,
    exported_at: int = 1_735_720_243,
    seed: int = 1,
    year: int = 2024,
) -> Export:
    """Lines `first`…`first + lines - 1`, paid over `year`; amounts depend on `seed`.

    The file is named as 抖店 names its exports (`<unix time>_<hash>.csv`), which is where
    Cunbo reads the export time from: a larger `exported_at` is a newer export.
    """
    frame = douyin_frame(lines, first=first, seed=seed, year=year)
    path = folder / f"{exported_at}_{seed:08x}{first:08x}{lines:016x}.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig", quoting=1, chunksize=100_000)
    paid = paid_of(frame)
    return Export(path, frozenset(paid), paid)
