"""RELIABILITY.md rows 9, 10, 11, 12 and 21: what the files themselves do wrong.

Every file goes through the upload API to a real worker; each test then looks at what a user
sees (counts, row errors, the error report, stored lines, figures) and ends with every figure
checked against the raw lines.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import OrderLine
from tests.faults.conftest import (
    assert_figures_equal_raw,
    county_net,
    stored_lines,
    upload,
    wait_final,
)
from tests.faults.exports import HEADER, douyin_frame, line_id, paid_of, write_douyin
from tests.faults.procs import Worker

pytestmark = [pytest.mark.services, pytest.mark.faults]

OLDER, NEWER = 1_735_720_243, 1_736_325_043  # 抖店 export times (file-name prefixes), a week apart
SNAKE = re.compile(r"[a-z]+(_[a-z]+)*")


def lines() -> dict[str, OrderLine]:
    """Every stored line by line id, as the worker committed it."""
    db.session.rollback()
    return {line.line_id: line for line in db.session.scalars(select(OrderLine))}


def row_errors(client: FlaskClient, import_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/imports/{import_id}/errors?format=json")
    assert response.status_code == 200
    return list(response.get_json())


def error_report(client: FlaskClient, import_id: int) -> list[dict[str, str]]:
    """The downloadable error CSV (行号, 列, 值, 原因), as a clerk opens it."""
    response = client.get(f"/api/v1/imports/{import_id}/errors")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def retail(client: FlaskClient, start: str, end: str, by: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/metrics/retail?from={start}&to={end}&by={by}")
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def nets(answer: dict[str, Any]) -> dict[str, str]:
    return {row["key"]: row["net"] for row in answer["rows"]}


def expected_totals(frame: pd.DataFrame) -> tuple[Decimal, Decimal]:
    """(gross, refund) of a frame's lines: 退款成功 is a full refund (FORMATS.md 抖店)."""
    paid = frame["订单应付金额"].map(Decimal)
    refunded = frame["售后状态"] == "退款成功"
    return sum(paid, Decimal("0.00")), sum(paid[refunded], Decimal("0.00"))


def refund(frame: pd.DataFrame, at: pd.Index) -> None:
    """Lines closed after payment with the refund done: 已关闭 + 退款成功."""
    frame.loc[at, "订单状态"] = "已关闭"
    frame.loc[at, "售后状态"] = "退款成功"


# ---------------------------------------------------------------- row 9


def test_row09_newer_export_wins_and_the_older_again_is_stale(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    """Row 9: older export, an overlapping newer one, then the older one again."""
    start_worker()
    # The older snapshot: lines 0..1999; lines 1000..1999 were still on their way (已发货).
    older = douyin_frame(2000, seed=91)
    older.loc[1000:, "订单状态"] = "已发货"
    # The newer snapshot a week later covers lines 1000..2999. Every shared line moved on:
    # delivered (已完成), every 4th closed and refunded, every 3rd repriced (商家改价).
    newer = pd.concat([older.iloc[1000:], douyin_frame(1000, first=2000, seed=92)])
    newer = newer.reset_index(drop=True)
    newer.loc[:999, "订单状态"] = "已完成"
    refund(newer, newer.index[:1000:4])
    repriced = newer.index[1:1000:3]
    newer.loc[repriced, "订单应付金额"] = [
        f"{Decimal(v) + Decimal('1.25')}" for v in newer.loc[repriced, "订单应付金额"]
    ]
    shared = {line_id(n) for n in range(1000, 2000)}

    a = upload(admin, write_douyin(tmp_path, older, exported_at=OLDER, tag="older"))
    done_a = wait_final(a["id"], 60)
    assert done_a.status == "succeeded", done_a.message
    assert (done_a.inserted, done_a.updated, done_a.stale) == (2000, 0, 0)

    b = upload(admin, write_douyin(tmp_path, newer, exported_at=NEWER, tag="newer"))
    done_b = wait_final(b["id"], 60)
    assert done_b.status == "succeeded", done_b.message
    assert done_b.export_time > done_a.export_time  # read from the 抖店 file names
    assert (done_b.inserted, done_b.updated, done_b.unchanged, done_b.stale) == (1000, 1000, 0, 0)

    union = {**paid_of(older), **paid_of(newer)}
    assert stored_lines() == union  # lines = union; shared lines carry the newer amounts
    stored = lines()
    newest = newer.assign(line=newer["子订单编号"].str.strip("\t")).set_index("line")
    for key in shared:
        line, row = stored[key], newest.loc[key]
        assert line.paid_amount == Decimal(row["订单应付金额"]), key
        if row["售后状态"] == "退款成功":
            assert (line.status, line.refund_amount) == ("refunded", line.paid_amount), key
            assert line.raw_status == "已关闭 / 退款成功"
        else:
            assert (line.status, line.refund_amount) == ("completed", 0), key
        assert line.import_id == b["id"]
    gross_old, refund_old = expected_totals(older.iloc[:1000])
    gross_new, refund_new = expected_totals(newer)
    net = gross_old + gross_new - refund_old - refund_new
    assert county_net() == f"{net:.2f}"
    before = {by: retail(admin, "2024-01-01", "2024-12-31", by) for by in ("day", "month")}
    assert before["month"]["total"]["net"] == f"{net:.2f}"
    assert before["month"]["total"]["refund"] == f"{refund_old + refund_new:.2f}"

    # The older export again: a re-download (CRLF line ends), so its bytes are new.
    again = write_douyin(tmp_path, older, exported_at=OLDER, tag="older-again", newline="\r\n")
    assert again.read_bytes() != (tmp_path / f"{OLDER}_older.csv").read_bytes()
    c = upload(admin, again)
    assert c["id"] not in (a["id"], b["id"])
    done_c = wait_final(c["id"], 60)
    print(f"row 9: older again counts {done_c.counts()}")
    assert done_c.status == "succeeded", done_c.message
    assert done_c.export_time == done_a.export_time
    # Every line the newer export changed is stale; the older-only lines, which this same
    # export wrote last, are unchanged (SPEC §3). Nothing is inserted or updated.
    assert done_c.counts() == {
        "read": 2000,
        "inserted": 0,
        "updated": 0,
        "unchanged": 1000,
        "stale": 1000,
        "rejected": 0,
    }
    assert stored_lines() == union
    assert {key for key, line in lines().items() if line.import_id == b["id"]} == shared | {
        line_id(n) for n in range(2000, 3000)
    }
    after = {by: retail(admin, "2024-01-01", "2024-12-31", by) for by in ("day", "month")}
    assert after == before  # the older export changed no figure
    assert county_net() == f"{net:.2f}"
    assert_figures_equal_raw()


# ---------------------------------------------------------------- row 10


def test_row10_same_line_twice_in_one_file(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    """Row 10: a line repeated within a chunk and across chunks (worker chunks 20,000 rows)."""
    start_worker()
    frame = douyin_frame(21_000, seed=101)
    # Within the first chunk: data row 5000 repeats line 100 with a corrected amount.
    # Across chunks: data row 20,500 (second chunk) repeats line 300, now closed and refunded.
    for earlier, later in ((100, 5000), (300, 20_500)):
        for column in ("主订单编号", "子订单编号"):
            frame.loc[later, column] = frame.loc[earlier, column]
    frame.loc[5000, "订单应付金额"] = "88.80"
    refund(frame, pd.Index([20_500]))
    expected = paid_of(frame)  # the later row of each repeated id wins
    assert len(expected) == 20_998

    queued = upload(admin, write_douyin(tmp_path, frame, exported_at=OLDER, tag="repeats"))
    done = wait_final(queued["id"], 90)

    assert done.status == "succeeded", done.message  # no unique-key error from the database
    assert done.code is None
    assert done.counts() == {
        "read": 21_000,
        "inserted": 20_998,
        "updated": 0,
        "unchanged": 0,
        "stale": 0,
        "rejected": 2,
    }
    assert stored_lines() == expected
    stored = lines()
    assert stored[line_id(100)].paid_amount == Decimal("88.80")
    assert stored[line_id(300)].status == "refunded"
    assert stored[line_id(300)].refund_amount == stored[line_id(300)].paid_amount
    gross, refunded = expected_totals(frame.drop(index=[100, 300]))
    assert county_net() == f"{gross - refunded:.2f}"
    assert_figures_equal_raw()
    errors = row_errors(admin, queued["id"])
    print(f"row 10: errors {errors}")
    assert all(e["message"] for e in errors)
    # The earlier copies (spreadsheet rows 102 and 302: the header is row 1) are reported,
    # under the file's own column name, with the code SPEC §6 gives a repeated line.
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        (102, "子订单编号", line_id(100), "duplicate_line"),
        (302, "子订单编号", line_id(300), "duplicate_line"),
    ]
    assert_figures_equal_raw()


# ---------------------------------------------------------------- row 11

BUYER = ("赵**", "139****1234")  # the malformed row's masked buyer: never in an error record


def test_row11_malformed_rows_in_the_middle(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    """Row 11: bad amount, bad date, empty id and a short row amid good rows."""
    start_worker()
    frame = douyin_frame(3000, seed=111)
    frame.loc[1000, "订单应付金额"] = "12.5.0"
    frame.loc[1200, "支付完成时间"] = "2024-02-30 10:00:00"
    frame.loc[1400, "子订单编号"] = "\t"  # a lone TAB: the id cell is empty
    frame.loc[1600, ["收件人", "收件人手机号"]] = BUYER
    rows = frame.to_numpy().tolist()
    del rows[1600][HEADER.index("运费")]  # one cell short: 20 columns under a 21-column header
    good = frame.drop(index=[1000, 1200, 1400, 1600])

    queued = upload(admin, write_douyin(tmp_path, rows, exported_at=OLDER, tag="malformed"))
    done = wait_final(queued["id"], 60)

    assert done.status == "succeeded", done.message
    assert done.counts() == {
        "read": 3000,
        "inserted": 2996,
        "updated": 0,
        "unchanged": 0,
        "stale": 0,
        "rejected": 4,
    }
    assert stored_lines() == paid_of(good)
    errors = row_errors(admin, queued["id"])
    print(f"row 11: errors {errors}")
    found = {e["row"]: e for e in errors}
    assert sorted(found) == [1002, 1202, 1402, 1602]  # spreadsheet rows: the header is row 1
    assert (found[1002]["column"], found[1002]["value"]) == ("订单应付金额", "12.5.0")
    assert (found[1202]["column"], found[1202]["value"]) == ("支付完成时间", "2024-02-30 10:00:00")
    assert (found[1402]["column"], found[1402]["value"]) == ("子订单编号", "")
    assert found[1602]["code"] == "wrong_column_count"
    assert "20" in found[1602]["value"] and "21" in found[1602]["value"]
    assert "有效金额" in found[1002]["message"]
    assert "YYYY-MM-DD" in found[1202]["message"]
    assert "为空" in found[1402]["message"]
    assert "列数" in found[1602]["message"]
    for error in errors:
        assert SNAKE.fullmatch(error["code"]), error

    report = error_report(admin, queued["id"])
    assert list(report[0]) == ["行号", "列", "值", "原因"]
    assert [(int(r["行号"]), r["列"], r["值"], r["原因"]) for r in report] == [
        (e["row"], e["column"] or "", e["value"] or "", e["message"]) for e in errors
    ]
    shown = repr(errors) + repr(report)
    assert not any(cell in shown for cell in BUYER)  # the offending cell, never the row
    gross, refunded = expected_totals(good)
    assert county_net() == f"{gross - refunded:.2f}"
    assert_figures_equal_raw()
    # SPEC §6 names these codes: scripts branch on them, never on the message.
    assert (found[1002]["code"], found[1202]["code"]) == ("bad_amount", "bad_date")
    assert found[1402]["code"] not in ("bad_amount", "bad_date", "wrong_column_count")
    assert_figures_equal_raw()


# ---------------------------------------------------------------- row 12

# Outside GBK, inside GB18030: 𠮷 (U+20BB7, 4 bytes in GB18030), 㐀 䶮 (CJK Ext. A), 鿏 (U+9FCF),
# an emoji with its variation selector.
PRODUCT = "𠮷野家许营焖子🌶️（㐀䶮鿏）"
NICKNAME = "𠮷祥小姚䶮"
SPECIAL_ROWS = [10, 500, 999]
TRADITIONAL = (
    "主訂單編號,子訂單編號,選購商品,商品規格,商品數量,商品ID,商家編碼,商品單價,訂單應付金額,運費,"
    "收件人,收件人手機號,省,詳細地址,訂單提交時間,支付完成時間,訂單狀態,達人ID,達人暱稱,售後狀態,"
    "流量體裁"
).split(",")


def special_frame(first: int, seed: int) -> pd.DataFrame:
    frame = douyin_frame(1000, first=first, seed=seed)
    frame.loc[SPECIAL_ROWS, "选购商品"] = PRODUCT
    frame.loc[SPECIAL_ROWS, "达人ID"] = "62187499831"
    frame.loc[SPECIAL_ROWS, "达人昵称"] = NICKNAME
    return frame


def test_row12_encodings_decoded_exactly_and_a_wrong_guess_refused(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    """Row 12: GB18030 with characters outside GBK, UTF-8 with and without BOM, UTF-16."""
    start_worker()
    # FORMATS.md: UTF-8 with BOM is normal, GB18030 seen in older files (try utf-8-sig, then
    # gb18030); RELIABILITY row 12 adds UTF-16 text (Excel's "Unicode text": LE with BOM, TAB).
    variants = {
        "gb18030": dict(encoding="gb18030"),
        "utf8-bom": dict(encoding="utf-8-sig"),
        "utf8": dict(encoding="utf-8", newline="\r\n"),
        "utf16": dict(encoding="utf-16", delimiter="\t", newline="\r\n"),
    }
    with pytest.raises(UnicodeEncodeError):
        PRODUCT.encode("gbk")  # truly outside GBK
    with pytest.raises(UnicodeEncodeError):
        NICKNAME.encode("gbk")
    union: dict[str, Decimal] = {}
    for number, (tag, options) in enumerate(variants.items()):
        frame = special_frame(100_000 * (number + 1), seed=120 + number)
        path = write_douyin(tmp_path, frame, exported_at=OLDER, tag=tag, **options)
        if tag == "utf16":
            assert path.read_bytes()[:2] == b"\xff\xfe"  # little-endian, with its BOM
        done = wait_final(upload(admin, path)["id"], 60)
        assert done.status == "succeeded", (tag, done.code, done.message)
        assert (done.read, done.inserted, done.rejected) == (1000, 1000, 0), tag
        stored = lines()
        ids = frame["子订单编号"].str.strip("\t")
        for row, key in enumerate(ids):
            line = stored[key]
            if row in SPECIAL_ROWS:
                assert (line.product_name, line.streamer_nickname) == (PRODUCT, NICKNAME), tag
            else:
                assert line.product_name == "许营焖子", (tag, row)
                assert line.streamer_nickname in (None, "焖子达人小姚"), (tag, row)
        assert all(stored[ids[row]].room_id is not None for row in SPECIAL_ROWS), tag
        union |= paid_of(frame)
    assert stored_lines() == union

    # Wrong guesses: neither decoded into rows of mojibake, each a whole-file error.
    # A Traditional-Chinese (Big5) re-save decodes as GB18030 into nonsense headers.
    big5 = write_douyin(
        tmp_path,
        douyin_frame(200, first=900_000),
        exported_at=OLDER,
        tag="big5",
        encoding="utf-8",
        header=TRADITIONAL,
    )
    big5.write_bytes(big5.read_text(encoding="utf-8").encode("big5", errors="replace"))
    # A UTF-8 export with a GB18030 row pasted in past the first megabyte: UTF-8 is guessed
    # from the head and samples, and the row is found only while streaming.
    mixed = write_douyin(
        tmp_path, douyin_frame(12_000, first=1_000_000), exported_at=OLDER, tag="mixed"
    )
    data = mixed.read_bytes()
    start = data.index(b"\n", int(len(data) * 0.4)) + 1
    end = data.index(b"\n", start) + 1
    assert 1 << 20 < start < len(data) // 2
    mixed.write_bytes(data[:start] + data[start:end].decode().encode("gb18030") + data[end:])
    outcomes = {}
    for path in (big5, mixed):
        queued = upload(admin, path)
        done = wait_final(queued["id"], 60)
        outcomes[path.name] = (done.status, done.code, done.message)
        assert done.status == "failed", outcomes
        assert (done.inserted, done.rejected) == (0, 0)
        assert row_errors(admin, queued["id"]) == []
    print(f"row 12: wrong guesses {outcomes}")
    assert stored_lines() == union  # nothing of either file was stored
    status, code, message = outcomes[mixed.name]
    assert code == "unknown_encoding" and "编码" in message
    assert_figures_equal_raw()
    status, code, message = outcomes[big5.name]
    assert "表头" in message  # a header error: says what the file's headers are
    assert code == "unknown_format"  # SPEC §6: the code of an unrecognised file
    assert_figures_equal_raw()


# ---------------------------------------------------------------- row 21

# (支付完成时间 in Beijing time as 抖店 writes it, 订单应付金额): the last and first second of
# a day, of months, of a year, and 29 February 2024, with the Februaries either side.
MOMENTS = [
    ("2023-01-31 23:59:59", "7.00"),
    ("2023-02-01 00:00:00", "50.00"),
    ("2023-02-28 23:59:59", "100.00"),  # the last second of a 28-day February
    ("2023-03-01 00:00:00", "1000.00"),
    ("2023-12-31 23:59:59", "11.00"),  # year end
    ("2024-01-01 00:00:00", "13.00"),
    ("2024-01-31 23:59:59", "17.00"),
    ("2024-02-01 00:00:00", "19.00"),
    ("2024-02-28 23:59:59", "23.00"),
    ("2024-02-29 00:00:00", "29.00"),
    ("2024-02-29 12:00:00", "61.00"),  # refunded in full: counts on its payment day, net 0
    ("2024-02-29 23:59:59", "31.00"),
    ("2024-03-01 00:00:00", "37.00"),
    ("2024-06-15 23:59:59", "41.00"),  # an ordinary midnight
    ("2024-06-16 00:00:00", "43.00"),
    ("2025-02-01 00:00:00", "59.00"),
    ("2025-02-28 23:59:59", "47.00"),
    ("2025-03-01 00:00:00", "53.00"),
]
REFUNDED_AT = "2024-02-29 12:00:00"


def test_row21_midnights_month_and_year_ends_and_29_february(
    fault_app, admin: FlaskClient, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    """Row 21: each line on its Beijing day; 同比 of February follows periods.py's rule."""
    start_worker()
    frame = douyin_frame(len(MOMENTS), first=2_000_000, seed=211)
    frame["支付完成时间"] = [moment for moment, _ in MOMENTS]
    frame["订单提交时间"] = [moment for moment, _ in MOMENTS]
    frame["订单应付金额"] = [amount for _, amount in MOMENTS]
    refund(frame, frame.index[frame["支付完成时间"] == REFUNDED_AT])
    done = wait_final(
        upload(admin, write_douyin(tmp_path, frame, exported_at=NEWER, tag="midnights"))["id"], 60
    )
    assert done.status == "succeeded", done.message
    assert (done.inserted, done.rejected) == (len(MOMENTS), 0)

    # Stored in UTC; 00:00:00 Beijing is 16:00 UTC of the day before, yet lands on its own day.
    stored = lines()
    for key, moment in zip(frame["子订单编号"].str.strip("\t"), frame["支付完成时间"], strict=True):
        assert stored[key].pay_day.isoformat() == moment[:10], (moment, stored[key].paid_at)
        local = pd.Timestamp(stored[key].paid_at) + pd.Timedelta(hours=8)
        assert local.strftime("%Y-%m-%d %H:%M:%S") == moment

    net_by_day: dict[str, Decimal] = {}
    for moment, amount in MOMENTS:
        if moment != REFUNDED_AT:
            net_by_day[moment[:10]] = net_by_day.get(moment[:10], Decimal("0")) + Decimal(amount)
    days = retail(admin, "2023-01-31", "2025-03-01", "day")
    assert {key: net for key, net in nets(days).items() if net != "0.00"} == {
        day: f"{net:.2f}" for day, net in net_by_day.items()
    }
    # Each side of each midnight, as a user reads the day figures:
    pairs = {
        ("2023-12-31", "2024-01-01"): ("11.00", "13.00"),  # year end
        ("2024-01-31", "2024-02-01"): ("17.00", "19.00"),  # month end
        ("2024-02-28", "2024-02-29"): ("23.00", "60.00"),
        ("2024-02-29", "2024-03-01"): ("60.00", "37.00"),
        ("2024-06-15", "2024-06-16"): ("41.00", "43.00"),
        ("2025-02-28", "2025-03-01"): ("47.00", "53.00"),
        ("2023-02-28", "2023-03-01"): ("100.00", "1000.00"),
    }
    for (first, second), expected in pairs.items():
        answer = retail(admin, first, second, "day")
        assert tuple(nets(answer).values()) == expected, (first, second)
    leap = retail(admin, "2024-02-29", "2024-02-29", "day")["rows"][0]
    assert (leap["gross"], leap["refund"], leap["net"]) == ("121.00", "61.00", "60.00")
    months = nets(retail(admin, "2023-01-01", "2025-03-31", "month"))
    assert (months["2023-02"], months["2024-02"], months["2025-02"]) == (
        "150.00",
        "102.00",
        "106.00",
    )

    # periods.py: Period.last_year() shifts by 12 months and "month ends stay month ends"
    # (2024-02-29 → 2023-02-28), so 同比 compares whole calendar Februaries: 29 days of 2024
    # against 28 of 2023 and of 2025, with no adjustment for the extra day.
    def growth(month: str) -> dict[str, Any]:
        response = admin.get(f"/api/v1/metrics/growth?month={month}&indicator=net_retail")
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    def change(now: str, base: str) -> float:
        return round(float(Decimal(now) / Decimal(base) - 1), 6)

    feb24 = growth("2024-02")
    assert (feb24["value"], feb24["last_year"]) == ("102.00", "150.00")
    assert feb24["yoy"] == change("102", "150")
    # 累计同比: 1 January to 29 February 2024 against 1 January to 28 February 2023.
    assert (feb24["ytd"], feb24["last_year_ytd"]) == ("132.00", "157.00")
    assert feb24["ytd_yoy"] == change("132", "157")
    assert (feb24["prev_month"], feb24["mom"]) == ("30.00", change("102", "30"))
    feb25 = growth("2025-02")
    # 2025-02 against all of February 2024, 29 February included (42.00 without it).
    assert (feb25["value"], feb25["last_year"]) == ("106.00", "102.00")
    assert feb25["yoy"] == change("106", "102")
    assert (feb25["ytd"], feb25["last_year_ytd"]) == ("106.00", "132.00")
    assert feb25["ytd_yoy"] == change("106", "132")
    mar24 = growth("2024-03")  # March starts at 00:00:00 on 1 March, after 29 February
    assert (mar24["value"], mar24["last_year"], mar24["prev_month"]) == (
        "37.00",
        "1000.00",
        "102.00",
    )
    assert_figures_equal_raw()
