"""抖店 order and 精选联盟 exports: FORMATS.md rules, one test each."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from app.ingest import LINE_COLUMNS

from .douyin_rows import HEADER, NAME, row
from .files import read_all, write_csv, write_xlsx

A, B, C = "6921514350766333428", "6941502557380528699", "6927907645362856157"


def read_rows(tmp_path: Path, rows: list[list[str]], **kwargs: object):  # noqa: ANN201
    return read_all(write_csv(tmp_path / NAME, HEADER, rows), **kwargs)


def test_lines_keyed_by_sub_order_and_contract_columns(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [row(A, order=C), row(B, order=C)])
    assert list(result.lines.columns) == list(LINE_COLUMNS)
    assert result.lines["line_id"].tolist() == [A, B]
    assert result.lines["order_id"].tolist() == [C, C]
    line = result.line(A)
    assert line["platform_product_id"] == "3661318609139099603"
    assert line["merchant_code"] == "P001-DO" and line["product_name"] == "许营焖子"
    assert line["paid_fen"] == 4104 and line["refund_fen"] == 0 and line["quantity"] == 1
    assert line["status"] == "completed" and line["raw_status"] == "已完成"
    assert line["created_at"] == datetime(2024, 7, 3, 16, 53, 50)
    assert line["paid_at"] == datetime(2024, 7, 3, 16, 57, 18)
    assert result.reader.platform == "douyin" and result.reader.kind == "douyin_orders"


def test_dtypes(tmp_path: Path) -> None:
    lines = read_rows(tmp_path, [row(A)]).lines
    assert lines["paid_fen"].dtype == "int64" and lines["quantity"].dtype == "int64"
    assert lines["paid_at"].dtype == "datetime64[ns]" and lines["live"].dtype == bool
    assert lines["line_id"].dtype == "str"


def test_export_time_from_unix_prefix(tmp_path: Path) -> None:
    reader = read_rows(tmp_path, [row(A)]).reader
    assert reader.export_time == datetime(2025, 1, 1, 8, 30, 43)


def test_after_sale_refund_success_refunds_the_line_in_full(tmp_path: Path) -> None:
    line = read_rows(tmp_path, [row(A, paid="65.60", after="退款成功")]).line(A)
    assert line["refund_fen"] == 6560 and line["status"] == "refunded"
    assert line["raw_status"] == "已完成 / 退款成功"


def test_closed_after_payment_is_a_full_refund(tmp_path: Path) -> None:
    line = read_rows(tmp_path, [row(A, status="已关闭")]).line(A)
    assert line["paid_fen"] == 4104 and line["refund_fen"] == 4104
    assert line["status"] == "refunded"


def test_closed_without_payment_is_cancelled_and_unpaid(tmp_path: Path) -> None:
    line = read_rows(tmp_path, [row(A, status="已关闭", paid_at="-")]).line(A)
    assert pd.isna(line["paid_at"]) and line["status"] == "cancelled"
    assert line["paid_fen"] == 0 and line["refund_fen"] == 0 and not line["zero_value"]


def test_other_after_sale_states_change_nothing(tmp_path: Path) -> None:
    line = read_rows(tmp_path, [row(A, after="售后关闭")]).line(A)
    assert line["refund_fen"] == 0 and line["status"] == "completed"


def test_streamer_and_live_flag(tmp_path: Path) -> None:
    rows = [row(A, streamer=("\t62187499831", "\t焖子达人小姚"), genre="直播"), row(B)]
    result = read_rows(tmp_path, rows)
    live = result.line(A)
    assert live["streamer_id"] == "62187499831" and live["streamer_nickname"] == "焖子达人小姚"
    assert live["live"]
    own = result.line(B)
    assert pd.isna(own["streamer_id"]) and pd.isna(own["streamer_nickname"]) and not own["live"]


def test_personal_data_never_reaches_the_output(tmp_path: Path) -> None:
    lines = read_rows(tmp_path, [row(A)]).lines
    text = [str(v) for v in lines.to_numpy().ravel()]
    assert not any(s in t for t in text for s in ("王**", "138****0000", "##密文"))
    assert lines["province"].tolist() == ["山东省"]


def test_zero_value_gift_line_is_flagged(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [row(A, paid="0.00"), row(B)])
    assert result.line(A)["zero_value"] and not result.line(B)["zero_value"]


def test_unknown_status_is_kept_raw_and_warned(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [row(A, status="部分发货"), row(B, status="部分发货")])
    assert result.lines["status"].tolist() == ["unknown", "unknown"]
    assert result.line(A)["raw_status"] == "部分发货"
    assert sum("部分发货" in w for w in result.reader.warnings) == 1


def test_malformed_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    rows = [row(A), row(B, qty="-2"), row("", order=C), row(C, paid="约30元"),
            row("6900000000000000005", paid_at="2024-13-45 25:00:00")]  # fmt: skip
    result = read_rows(tmp_path, rows)
    assert result.lines["line_id"].tolist() == [A]
    found = {(e.row, e.column, e.value) for e in result.errors}
    assert found == {(3, "商品数量", "-2"), (4, "子订单编号", ""), (5, "订单应付金额", "约30元"),
                     (6, "支付完成时间", "2024-13-45 25:00:00")}  # fmt: skip
    date_error = next(e for e in result.errors if e.row == 6)
    assert date_error.message.startswith(
        "支付完成时间“2024-13-45 25:00:00”无法识别，应为 YYYY-MM-DD HH:MM:SS"
    )
    assert result.rows_read == 5


def test_repeated_sub_order_keeps_the_later_row(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [row(A, paid="1.00"), row(B), row(A, paid="2.00")])
    assert result.line(A)["paid_fen"] == 200
    assert [(e.row, e.value) for e in result.errors] == [(2, A)]


def test_resaved_file_dates_and_damaged_ids_warn(tmp_path: Path) -> None:
    # Half the ids damaged: a warning. Every id damaged rejects the file (test_general_rules).
    rows = [row(i, created="2024/7/4 0:53", paid_at="2024/7/4 0:57")
            for i in ("6921514350766330000", "6941502557380523751")]  # fmt: skip
    result = read_rows(tmp_path, rows)
    assert result.lines["paid_at"].tolist() == [datetime(2024, 7, 3, 16, 57)] * 2
    assert any("另存" in w for w in result.reader.warnings)
    assert any("编号疑似被 Excel 改动" in w for w in result.reader.warnings)


def test_alliance_refund_and_streamer(tmp_path: Path) -> None:
    header = ["订单id", "商品id", "商品名称", "作者账号", "抖音/火山号", "支付金额", "佣金率",
              "预估佣金支出", "订单状态", "付款时间", "店铺id", "商品数量", "流量来源"]  # fmt: skip
    rows = [
        [A + "\t", "3661318609139099603\t", "许营焖子", "焖子达人小姚", "mz_xiaoyao", "41.04",
         "30.00%", "12.31", "订单退货退款", "2024-07-04 00:57:18", "12345\t", "1", "直播"],
        [B + "\t", "3661318609139099603\t", "许营焖子", "于集二妮", "yjen", "38.46", "30.00%",
         "11.54", "订单结算", "2024-07-05 10:00:00", "12345\t", "1", "视频"],
    ]  # fmt: skip
    result = read_all(write_xlsx(tmp_path / "联盟订单.xlsx", header, rows))
    assert result.reader.kind == "douyin_alliance"
    refunded = result.line(A)
    assert refunded["refund_fen"] == 4104 and refunded["status"] == "refunded"
    assert refunded["streamer_nickname"] == "焖子达人小姚" and refunded["live"]
    assert refunded["shop_ref"] == "12345"
    settled = result.line(B)
    assert settled["status"] == "completed" and not settled["live"]
