"""The sample county's exports, read in manifest order (samples/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from .files import read_all

Q3_S01 = "1735720243_2b746495c20c70f5d5fed5f104585d9a.csv"


def read_manifest(samples: Path, manifest: list[dict[str, str]]):  # noqa: ANN201
    for entry in manifest:
        path = samples / "exports" / entry["file"]
        yield entry, read_all(path, platform=entry["platform"], password=entry.get("password"))


def test_every_sample_file_reads_to_the_expected_line_count(
    samples: Path, manifest: list[dict[str, str]]
) -> None:
    total = 0
    for entry, result in read_manifest(samples, manifest):
        assert result.reader.platform == entry["platform"]
        assert len(result.errors) == int(entry.get("expect_rejected", 0)), entry["file"]
        assert result.rows_read == len(result.lines) + len(result.errors)
        assert result.progress[-1] == 1.0
        total += len(result.lines)
    expected = json.loads((samples / "expected.json").read_text(encoding="utf-8"))
    assert total == expected["lines_total"] == 8018


def test_the_four_malformed_rows_of_s01_q3(samples: Path) -> None:
    result = read_all(samples / "exports" / Q3_S01, platform="douyin")
    found = [(e.row, e.column, e.value) for e in result.errors]
    assert found == [(20, "子订单编号", ""), (175, "商品数量", "-2"),
                     (301, "支付完成时间", "2024-13-45 25:61:00"),
                     (307, "订单应付金额", "约30元")]  # fmt: skip
    assert all(e.message.endswith("未导入。") or "未导入" in e.message for e in result.errors)


def test_2024_platform_totals_match_the_expected_figures(
    samples: Path, manifest: list[dict[str, str]]
) -> None:
    """Amount rules end to end: newest export of each line wins, then 2024 by platform."""
    frames = []
    for order, (entry, result) in enumerate(read_manifest(samples, manifest)):
        lines = result.lines.assign(
            platform=result.reader.platform, shop=entry["shop"], order=order,
            export_time=result.reader.export_time or pd.Timestamp(2000, 1, 1),
        )  # fmt: skip
        frames.append(lines)
    lines = pd.concat(frames).sort_values(["export_time", "order"])
    lines = lines.drop_duplicates(["platform", "shop", "line_id"], keep="last")
    paid = lines[lines["paid_at"].notna()]
    paid = paid[(paid["paid_at"] + pd.Timedelta(hours=8)).dt.year == 2024]
    got = paid.groupby("platform")[["paid_fen", "refund_fen"]].sum()
    expected = json.loads((samples / "expected.json").read_text(encoding="utf-8"))
    for platform, figures in expected["retail_2024_by_platform"].items():
        assert got.loc[platform, "paid_fen"] == round(float(figures["gross"]) * 100), platform
        assert got.loc[platform, "refund_fen"] == round(float(figures["refund"]) * 100), platform


@pytest.mark.parametrize("chunk_rows", [5, 100_000])
def test_chunk_size_does_not_change_the_result(samples: Path, chunk_rows: int) -> None:
    path = samples / "exports" / "微信小店订单_wx8248933f80e464e7_2023年06月30日20时12分55秒_1.xlsx"
    result = read_all(path, chunk_rows=chunk_rows)
    assert len(result.lines) == 251 and result.lines["line_id"].is_unique
    assert result.lines["row"].tolist() == list(range(2, 253))
