"""FORMATS.md general rules 12-18 at the reader: title lines, totals rows, HTML .xls, …"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app.ingest import ImportFileError, open_export
from app.ingest.dates import parse_datetimes
from app.ingest.text import norm_header

from .douyin_rows import HEADER, NAME, row
from .files import read_all, write_csv, write_xlsx


def _lines(rows: list[list[str]]) -> list[str]:
    return [",".join(f'"{c}"' for c in r) for r in rows]


def test_csv_header_below_a_title_line(tmp_path: Path) -> None:
    body = ["2025年3月订单明细", "导出时间：2025-03-31 10:00:00"]
    body += _lines([list(HEADER), row("6917926768823643751"), row("6917926768823643752")])
    path = tmp_path / NAME
    path.write_text("\r\n".join(body) + "\r\n", encoding="utf-8-sig")

    result = read_all(path)

    assert result.reader.kind == "douyin_orders"
    assert list(result.lines["row"]) == [4, 5]
    assert result.lines["paid_fen"].sum() == 8208
    assert not result.errors


def test_xlsx_header_below_a_banner(tmp_path: Path) -> None:
    path = tmp_path / "订单.xlsx"
    data = [list(HEADER), row("6917926768823643751")]
    write_xlsx(path, ["2025年3月订单明细"], [[], *data])

    result = read_all(path)

    assert result.reader.kind == "douyin_orders"
    assert list(result.lines["row"]) == [4]
    assert not result.errors


def test_unknown_file_with_a_title_lists_the_real_header(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("2025年3月订单明细\n日期,金额,备注\n2024-01-01,12.00,赶集\n", encoding="utf-8")

    with pytest.raises(ImportFileError) as info:
        open_export(path)

    assert info.value.code == "unknown_format"
    assert "日期、金额、备注" in info.value.message
    assert "2025年3月订单明细" not in info.value.message


def test_short_totals_row_and_blank_rows_are_skipped_with_notes(tmp_path: Path) -> None:
    path = tmp_path / NAME
    width = len(HEADER)
    body = _lines([list(HEADER), row("6917926768823643751"), row("6917926768823643752")])
    body += [",".join([""] * width), '"合计",,,,,,,,"82.08"']
    path.write_text("\r\n".join(body) + "\r\n", encoding="utf-8-sig")

    result = read_all(path)

    assert len(result.lines) == 2 and not result.errors
    assert result.rows_read == 2
    notes = {n["code"]: n["count"] for n in result.reader.notes.as_list()}
    assert notes == {"totals_row_skipped": 1, "blank_rows_skipped": 1}


def test_xlsx_totals_row_in_the_id_column_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "订单.xlsx"
    totals = [""] * len(HEADER)
    totals[0] = "合计"
    totals[HEADER.index("订单应付金额")] = "82.08"
    totals[HEADER.index("商品数量")] = "2"
    write_xlsx(path, HEADER, [row("6917926768823643751"), row("6917926768823643752"), totals])

    result = read_all(path)

    assert len(result.lines) == 2 and not result.errors
    assert not result.reader.notes.has("unknown_status")
    assert result.reader.notes.has("totals_row_skipped")


def test_sum_row_without_a_label_is_a_totals_row(tmp_path: Path) -> None:
    path = tmp_path / NAME
    totals = [""] * len(HEADER)
    totals[HEADER.index("订单应付金额")] = "82.08"
    write_csv(path, HEADER, [row("6917926768823643751"), row("6917926768823643752"), totals])

    result = read_all(path)

    assert len(result.lines) == 2 and not result.errors
    assert result.reader.notes.has("totals_row_skipped")


def test_a_row_missing_only_its_id_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / NAME
    bad = row("6917926768823643752")
    bad[0] = bad[1] = ""
    write_csv(path, HEADER, [row("6917926768823643751"), bad])

    result = read_all(path)

    assert len(result.lines) == 1 and len(result.errors) == 1
    assert not result.reader.notes.has("totals_row_skipped")


def _html_table(header: list[str], rows: list[list[str]], *, title: str | None = None) -> str:
    def tr(cells: list[str], tag: str = "td") -> str:
        return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"

    banner = f'<tr><td colspan="{len(header)}">{title}</td></tr>' if title else ""
    body = "".join(tr(r) for r in rows)
    return (
        "<html><head><meta charset='utf-8'><title>订单</title></head><body>"
        f"<table border=1>{banner}{tr(header, 'th')}{body}</table></body></html>"
    )


@pytest.mark.parametrize("prefix", ["", "\ufeff  \r\n", "<!DOCTYPE html>\n"])
def test_html_table_saved_as_xls(tmp_path: Path, prefix: str) -> None:
    rows = [
        [c.strip() for c in row("6917926768823643751")],
        [c.strip() for c in row("6917926768823643752", paid="10.00")],
    ]
    html = _html_table(list(HEADER), rows, title="2025年3月订单明细")
    path = tmp_path / "ExportOrderList.xls"
    path.write_text(prefix + html.replace("<html>", "<HTML>"), encoding="utf-8")

    result = read_all(path)

    assert result.reader.kind == "douyin_orders"
    assert sorted(result.lines["paid_fen"]) == [1000, 4104]
    assert list(result.lines["row"]) == [3, 4]


def test_html_table_in_gbk(tmp_path: Path) -> None:
    html = _html_table(list(HEADER), [[c.strip() for c in row("6917926768823643751")]])
    path = tmp_path / "orders.xls"
    path.write_bytes(html.replace("utf-8", "gbk").encode("gbk"))

    result = read_all(path)

    assert result.lines.iloc[0]["product_name"] == "许营焖子"


def test_biff8_xls_is_read(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for c, name in enumerate(HEADER):
        sheet.write(0, c, name)
    for c, value in enumerate(row("6917926768823643751")):
        sheet.write(1, c, value)
    path = tmp_path / "订单.xls"
    book.save(str(path))

    result = read_all(path)

    assert result.reader.kind == "douyin_orders"
    assert result.line("6917926768823643751")["paid_fen"] == 4104


def test_xltx_template_workbook_is_read(tmp_path: Path) -> None:
    import zipfile

    plain = write_xlsx(tmp_path / "plain.xlsx", HEADER, [row("6917926768823643751")])
    path = tmp_path / "订单.xltx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"template.main+xml")
            out.writestr(info, data)

    result = read_all(path)

    assert result.line("6917926768823643751")["paid_fen"] == 4104


LEDGER = ["动账时间", "动账流水号", "账务流水号", "收支类型", "动账金额", "订单号", "备注"]
KS_GMV = ["订单号", "订单实付(元)", "订单退款(元)", "达人ID", "团长id", "商品名称"]


@pytest.mark.parametrize(
    ("header", "what"),
    [
        (LEDGER, "资金流水"),
        (KS_GMV, "快手"),
        (["结算单号", "结算时间", "结算金额", "订单号"], "结算"),
        (["保单号", "订单号", "运费险保费", "投保时间"], "运费险"),
        (["BIC质检码", "订单号", "质检结果"], "BIC"),
    ],
)
@pytest.mark.parametrize("title", [False, True])
def test_non_order_downloads_are_named(
    tmp_path: Path, header: list[str], what: str, title: bool
) -> None:
    path = tmp_path / "download.csv"
    lines = (["抖店资金流水 2025-03"] if title else []) + [",".join(header)]
    lines.append(",".join(["1"] * len(header)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    with pytest.raises(ImportFileError) as info:
        open_export(path)

    assert info.value.code == "not_an_order_export"
    assert what in info.value.message and "不是订单导出" in info.value.message
    assert "列映射" not in info.value.message


def test_a_mapping_is_never_applied_to_a_funds_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(",".join(LEDGER) + "\n" + ",".join(["1"] * len(LEDGER)) + "\n", "utf-8")
    mapping = {"order_id": "订单号", "paid": "动账金额", "paid_at": "动账时间"}

    with pytest.raises(ImportFileError) as info:
        open_export(path, mapping=mapping)

    assert info.value.code == "not_an_order_export"


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024年6月7日 14:32:00", "2024-06-07 06:32:00"),
        ("2024年6月7日 14:32", "2024-06-07 06:32:00"),
        ("2024.06.07 14:32", "2024-06-07 06:32:00"),
        ("2024.6.7 14:32:05", "2024-06-07 06:32:05"),
        ("2024-06-07 14:32:00", "2024-06-07 06:32:00"),
    ],
)
def test_date_spellings(text: str, utc: str) -> None:
    parsed, bad, _ = parse_datetimes(pd.Series([text, "2024.06.07/14:32"], dtype="str"))

    assert str(parsed.iloc[0]) == utc and not bad.iloc[0]
    assert bad.iloc[1]


def test_header_noise_variant_characters_and_invisible_spaces(tmp_path: Path) -> None:
    noisy = list(HEADER)
    noisy[0] = "\u200b主订单编号"
    noisy[1] = "子订单\u3000编号"
    noisy[2] = " 选购商品"
    noisy[HEADER.index("订单应付金额")] = "订单应付金额\u200b"
    path = tmp_path / NAME
    write_csv(path, noisy, [row("6917926768823643751")])

    result = read_all(path)

    assert result.line("6917926768823643751")["paid_fen"] == 4104
    assert norm_header("帐号类型") == norm_header("账号类型")
    assert norm_header('" 用户购买手机号"'.strip('"')) == norm_header("用户购买手机号")


@pytest.mark.parametrize(
    "ids",
    [
        ["6.91793E+18", "6.91793E+18"],
        ["6917926768823640000", "6917926768823650000"],
    ],
)
def test_a_file_whose_every_id_excel_damaged_is_rejected_whole(
    tmp_path: Path, ids: list[str]
) -> None:
    path = tmp_path / NAME
    write_csv(path, HEADER, [row(i, created="2024/7/4 0:53", paid_at="2024/7/4 0:57") for i in ids])

    with pytest.raises(ImportFileError) as info:
        read_all(path)

    assert info.value.code == "ids_damaged"
    assert "不要打开后另存" in info.value.message


def test_one_id_ending_in_zeros_among_good_ones_is_kept(tmp_path: Path) -> None:
    path = tmp_path / NAME
    write_csv(path, HEADER, [row("6917926768823640000"), row("6917926768823643751")])

    result = read_all(path)

    assert len(result.lines) == 2


def test_douyin_order_level_export_is_rejected_whole(tmp_path: Path) -> None:
    path = tmp_path / NAME
    joined = row("6917926768823643751;6917926768823643752", order="6917926768823643750")
    joined[1] = "\t6917926768823643751;6917926768823643752"
    write_csv(path, HEADER, [row("6917926768823643760"), joined])

    with pytest.raises(ImportFileError) as info:
        read_all(path)

    assert info.value.code == "order_level_export"
    assert "商品维度" in info.value.message


def test_douyin_export_with_merchant_income_is_the_order_level_one(tmp_path: Path) -> None:
    path = tmp_path / NAME
    write_csv(path, [*HEADER, "商家收入金额"], [[*row("6917926768823643760"), "41.04"]])

    with pytest.raises(ImportFileError) as info:
        open_export(path)

    assert info.value.code == "order_level_export"


def _without(header: list[str], rows: list[list[str]], *names: str) -> tuple[list, list]:
    keep = [i for i, h in enumerate(header) if h not in names]
    return [header[i] for i in keep], [[r[i] for i in keep] for r in rows]


def test_douyin_submit_time_stands_in_for_lines_that_show_payment(tmp_path: Path) -> None:
    rows = [
        row("6917926768823643751", status="已完成"),
        row("6917926768823643752", status="待支付", paid_at=""),
        row("6917926768823643753", status="已关闭", paid_at=""),  # closed before payment
        row("6917926768823643754", status="已关闭", after="退款成功"),
    ]
    header, rows = _without(list(HEADER), rows, "支付完成时间")
    path = write_csv(tmp_path / NAME, header, rows)

    result = read_all(path)

    paid = result.lines.set_index("line_id")["paid_fen"].to_dict()
    assert paid == {
        "6917926768823643751": 4104,
        "6917926768823643752": 0,
        "6917926768823643753": 0,
        "6917926768823643754": 4104,
    }
    assert result.line("6917926768823643754")["refund_fen"] == 4104
    notes = [n for n in result.reader.notes.as_list() if n["code"] == "payment_time_substitute"]
    assert len(notes) == 1 and "订单提交时间" in str(notes[0]["message"])


def test_douyin_without_any_payment_time_names_the_column_to_tick(tmp_path: Path) -> None:
    header, rows = _without(
        list(HEADER), [row("6917926768823643751")], "支付完成时间", "订单提交时间"
    )
    path = write_csv(tmp_path / NAME, header, rows)

    with pytest.raises(ImportFileError) as info:
        open_export(path)

    assert info.value.code == "missing_column"
    assert "支付完成时间" in info.value.message


PDD = ["商品", "订单号", "订单状态", "商品数量(件)", "支付时间", "订单成交时间", "拼单成功时间",
       "商品总价(元)", "用户实付金额(元)", "商家实收金额(元)", "售后状态"]  # fmt: skip


def _pdd(order: str, status: str, times: tuple[str, str, str], paid: str = "29.90") -> list[str]:
    return [
        "许营焖子",
        order,
        status,
        "1\t",
        *times,
        paid + "\t",
        paid + "\t",
        paid + "\t",
        "无售后或售后取消",
    ]


@pytest.mark.parametrize(
    ("dropped", "used"),
    [(("支付时间",), "订单成交时间"), (("支付时间", "订单成交时间"), "拼单成功时间")],
)
def test_pinduoduo_payment_time_substitutes(
    tmp_path: Path, dropped: tuple[str, ...], used: str
) -> None:
    rows = [
        _pdd("240607-123456789012345", "已收货", ("2024-06-07 14:32:00",) * 3),
        _pdd("240607-123456789012346", "已取消", ("", "", "")),
    ]
    header, rows = _without(PDD, rows, *dropped)
    path = write_csv(tmp_path / "x_orders_export2024-06-08-10-00-00.csv", header, rows, quote=False)

    result = read_all(path)

    paid = result.line("240607-123456789012345")
    assert paid["paid_fen"] == 2990 and str(paid["paid_at"]) == "2024-06-07 06:32:00"
    cancelled = result.line("240607-123456789012346")
    assert cancelled["paid_fen"] == 0 and str(cancelled["created_at"]) == "2024-06-06 16:00:00"
    notes = [n for n in result.reader.notes.as_list() if n["code"] == "payment_time_substitute"]
    assert len(notes) == 1 and used in str(notes[0]["message"])


def test_pinduoduo_id_date_only_when_no_time_column_has_a_value(tmp_path: Path) -> None:
    late = _pdd("240606-123456789012345", "已收货", ("2024-06-07 00:01:00",) * 3)
    header, rows = _without(PDD, [late], "支付时间", "订单成交时间")
    path = write_csv(tmp_path / "x_orders_export2024-06-08-10-00-00.csv", header, rows, quote=False)

    result = read_all(path)

    assert str(result.lines.iloc[0]["created_at"]) == "2024-06-06 16:01:00"


def test_pinduoduo_without_any_payment_time_names_the_column(tmp_path: Path) -> None:
    header, rows = _without(PDD, [], "支付时间", "订单成交时间", "拼单成功时间")
    path = write_csv(tmp_path / "x.csv", header, [["a"] * len(header)])

    with pytest.raises(ImportFileError) as info:
        open_export(path)

    assert info.value.code == "missing_column" and "支付时间" in info.value.message
