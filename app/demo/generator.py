"""A realistic demo county: registry workbook plus platform exports, ready to upload.

`write_demo_county` covers the two calendar years before `today` and this year up to
yesterday. The output depends only on `seed` and `today`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from itertools import groupby
from pathlib import Path

import numpy as np

from app.beijing import ZONE
from app.demo.county import County, Shop, build_county
from app.demo.exports import write_douyin, write_pinduoduo
from app.demo.registry import write_registry
from app.demo.sales import Line, simulate
from app.demo.workbooks import write_channels, write_kuaishou, write_taobao, write_template

KUAISHOU_PASSWORD = "ks2024"
# Months each export file spans, like the files a shop downloads from its back office.
FILE_MONTHS = {"douyin": 3, "pinduoduo": 3, "channels": 6, "taobao": 6, "kuaishou": 12}

Writer = Callable[[Path, County, Shop, list[Line], dt.datetime], None]
WRITERS: dict[str, Writer] = {
    "douyin": write_douyin,
    "pinduoduo": write_pinduoduo,
    "channels": write_channels,
    "taobao": write_taobao,
    "other": write_template,
}


def write_demo_county(folder: Path, *, seed: int = 7, today: dt.date | None = None) -> list[dict]:
    """Write registry.xlsx, the exports and manifest.json into `folder`; return the manifest.

    The manifest lists the exports in upload order as {"file", "platform", "shop"} plus
    "password" for protected files.
    """
    today = today or dt.date.today()
    first = dt.date(today.year - 2, 1, 1)
    last = today - dt.timedelta(days=1)
    rng = np.random.default_rng(seed)
    county = build_county(rng, first.year)
    sales = simulate(county, rng, first, last)

    folder.mkdir(parents=True, exist_ok=True)
    write_registry(folder / "registry.xlsx", county, sales, today, rng)
    manifest = []
    for shop_code, group in groupby(sales.lines, key=lambda line: line.shop):
        shop = county.shops[shop_code]
        for lines, at in _files(list(group), shop, first, today, rng):
            entry = {"file": _file_name(shop, lines, at, rng), "platform": shop.platform,
                     "shop": shop.code}  # fmt: skip
            path = folder / entry["file"]
            if shop.platform == "kuaishou":
                write_kuaishou(path, county, shop, lines, at, KUAISHOU_PASSWORD)
                entry["password"] = KUAISHOU_PASSWORD
            else:
                WRITERS[shop.platform](path, county, shop, lines, at)
            manifest.append(entry)
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    (folder / "manifest.json").write_text(text + "\n", encoding="utf-8")
    return manifest


def _files(
    lines: list[Line], shop: Shop, first: dt.date, today: dt.date, rng: np.random.Generator
) -> Iterator[tuple[list[Line], dt.datetime]]:
    """(lines, export moment) per file of a shop: lines split by the month they were placed."""
    months = FILE_MONTHS.get(shop.platform)
    if months is None:  # the fair's clerk keeps one running workbook
        yield lines, _export_moment(today, today, rng)
        return
    start = first
    while start < today:
        end = _add_months(start, months)
        chunk = [line for line in lines if start <= line.created.date() < end]
        if chunk:
            yield chunk, _export_moment(end, today, rng)
        start = end


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _export_moment(after_end: dt.date, today: dt.date, rng: np.random.Generator) -> dt.datetime:
    """A morning download the day after a period ends, or this morning for the current one."""
    day = min(after_end, today)
    seconds = int(rng.integers(0, 3 * 3600))
    return dt.datetime.combine(day, dt.time(7)) + dt.timedelta(seconds=seconds)


def _file_name(shop: Shop, lines: list[Line], at: dt.datetime, rng: np.random.Generator) -> str:
    """The name the platform gives its download."""
    if shop.platform == "douyin":
        unix = int(at.replace(tzinfo=ZONE).timestamp())
        return f"{unix}_{rng.bytes(16).hex()}.csv"
    if shop.platform == "pinduoduo":
        return f"{rng.bytes(16).hex()}orders_export{at:%Y-%m-%d-%H-%M-%S}.csv"
    if shop.platform == "channels":
        return f"微信小店订单_{shop.shop_id}_{at:%Y年%m月%d日%H时%M分%S秒}_1.xlsx"
    if shop.platform == "taobao":
        return f"ExportOrderList{int(rng.integers(10**10, 10**11))}.xlsx"
    if shop.platform == "kuaishou":
        return f"快手小店订单_{shop.shop_id}_{lines[0].created.year}.xlsx"
    return f"{shop.name}销售.xlsx"
