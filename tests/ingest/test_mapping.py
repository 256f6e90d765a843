"""A file no format recognises, read through a saved column mapping."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.ingest import ImportFileError

from .files import read_all, write_csv

HEADER = ["单号", "货品", "件数", "成交额", "付款时刻", "状态", "主播号"]
ROWS = [["K001", "黑鸡蛋", "2", "58.00", "2024-05-01 12:00:00", "交易成功", "村播小李"],
        ["K002", "黑鸡蛋", "1", "29.00", "2024-05-01 13:00:00", "已关闭", ""]]  # fmt: skip
MAPPING = {"order_id": "单号", "product_name": "货品", "quantity": "件数", "paid": "成交额",
           "paid_at": "付款时刻", "status": "状态", "streamer_nickname": "主播号"}  # fmt: skip


def test_mapping_reads_an_unknown_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", HEADER, ROWS)
    result = read_all(path, mapping=MAPPING, platform="kuaishou")
    assert result.reader.kind == "mapping" and result.reader.platform == "kuaishou"
    assert result.lines["line_id"].tolist() == ["K001", "K002"]
    assert result.lines["status"].tolist() == ["completed", "refunded"]
    assert result.lines["refund_fen"].tolist() == [0, 2900]
    assert result.line("K001")["paid_at"] == datetime(2024, 5, 1, 4, 0)
    assert result.line("K001")["streamer_nickname"] == "村播小李"


def test_mapping_naming_a_missing_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", HEADER, ROWS)
    with pytest.raises(ImportFileError, match="找不到：下单号"):
        read_all(path, mapping={**MAPPING, "order_id": "下单号"})


def test_mapping_without_required_fields(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", HEADER, ROWS)
    with pytest.raises(ImportFileError, match="缺少必需的字段"):
        read_all(path, mapping={"order_id": "单号", "paid": "成交额"})
    with pytest.raises(ImportFileError, match="无法识别的字段"):
        read_all(path, mapping={**MAPPING, "buyer_phone": "主播号"})
