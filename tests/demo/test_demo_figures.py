"""What the demo's orders add up to (volume, growth, refunds, brand premium), and determinism."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

import msoffcrypto
import pytest

from app.demo import write_demo_county

from .demo_readers import TODAY


def _fen(value: object) -> int:
    text = str(value).strip().strip("\t")
    return round(float(text) * 100) if text not in ("", "-") else 0


def _time(value: object) -> str:
    text = str(value).strip()
    return "" if text in ("", "-") else text


def normalise(platform: str, row: dict) -> tuple[str, int, int, int, str]:
    """(product id or merchant code, quantity, gross paid, refund, paid at) as FORMATS.md reads."""
    if platform == "douyin":
        gross = _fen(row["订单应付金额"])
        refund = gross if row["售后状态"] == "退款成功" else 0
        qty = int(row["商品数量"])
        return row["商品ID"].strip(), qty, gross, refund, _time(row["支付完成时间"])
    if platform == "pinduoduo":
        gross = _fen(row["用户实付金额(元)"])
        refund = gross if "退款成功" in row["订单状态"] else 0
        qty = int(row["商品数量(件)"].strip())
        return row["商品id"].strip(), qty, gross, refund, _time(row["支付时间"])
    if platform == "kuaishou":
        gross = _fen(row["实付款"])
        refund = gross if row["售后状态"] == "退款成功" else 0
        return row["商品ID"], int(row["成交数量"]), gross, refund, _time(row["订单支付时间"])
    if platform == "channels":
        gross, refund = _fen(row["商品实际价格(总共)"]), _fen(row["商品已退款金额"])
        return row["商品编码(平台)"], int(row["商品数量"]), gross, refund, _time(row["支付时间"])
    if platform == "taobao":
        paid, refund = _fen(row["买家实付金额"]), _fen(row["退款金额"])
        gross = paid + refund if refund > paid else paid  # the refund add-back rule
        return row["商家编码"], int(row["宝贝总数量"]), gross, refund, _time(row["订单付款时间"])
    gross, refund = _fen(row["实付金额"]), _fen(row["退款金额"])
    return row["商品编码"], int(row["数量"]), gross, refund, _time(row["支付时间"])


@pytest.fixture(scope="session")
def lines(exports: list, registry: dict) -> list[tuple[str | None, int, int, int, str]]:
    """(registered product or None, quantity, gross, refund, paid at) of every exported line."""
    label = {row["网店编码"]: row["平台"] for row in registry["网店"]}
    listing = {}
    for row in registry["平台商品"]:
        for key in (row["平台商品ID"], row["商家编码"]):
            if key:
                listing[row["平台"], key] = row["商品编码"]
    out = []
    for entry, _, rows in exports:
        for row in rows:
            key, qty, gross, refund, paid_at = normalise(entry["platform"], row)
            out.append((listing.get((label[entry["shop"]], key)), qty, gross, refund, paid_at))
    return out


def test_volume_and_date_range(lines: list) -> None:
    assert 25_000 <= len(lines) <= 40_000
    paid = sorted(line[4] for line in lines if line[4])
    assert paid[0] >= f"{TODAY.year - 2}-01-01" and paid[-1] < TODAY.isoformat()
    assert 0.01 < 1 - len(paid) / len(lines) < 0.05, "a few unpaid or cancelled orders"


def test_growth_refunds_and_seasons(lines: list) -> None:
    gross: dict[str, int] = defaultdict(int)
    refund: dict[str, int] = defaultdict(int)
    for _, _, amount, back, paid_at in lines:
        if paid_at:
            gross[paid_at[:7]] += amount
            refund[paid_at[:7]] += back

    def total(year: int, months: range = range(1, 13)) -> int:
        return sum(gross[f"{year}-{m:02d}"] for m in months)

    last, before = TODAY.year - 1, TODAY.year - 2
    assert 1.3 <= total(last) / total(before) <= 1.6
    to_date = range(1, TODAY.month)
    assert 1.25 <= total(TODAY.year, to_date) / total(last, to_date) <= 1.6
    for year in (before, last):
        share = sum(refund[f"{year}-{m:02d}"] for m in range(1, 13)) / total(year)
        assert 0.05 <= share <= 0.08
        average = total(year) / 12
        assert gross[f"{year}-11"] > 1.2 * average, "双11"
    assert gross[f"{last}-01"] > 1.2 * gross[f"{last}-03"], "年货 before 春节 (2024-02-10)"


def test_unregistered_products_show_up_in_small_amounts(lines: list) -> None:
    net = sum(gross - back for _, _, gross, back, paid_at in lines if paid_at)
    unmatched = [line for line in lines if line[0] is None and line[4]]
    assert unmatched
    assert 0 < sum(gross - back for _, _, gross, back, _ in unmatched) < 0.02 * net


def test_brand_products_sell_about_ten_percent_dearer_after_joining(
    lines: list, registry: dict
) -> None:
    checked = 0
    for product in registry["商品"]:
        joined = product["加入品牌日期"]
        if not joined or joined <= f"{TODAY.year - 2}-01-01":
            continue
        year_before = f"{int(joined[:4]) - 1}{joined[4:]}"
        before, after = [0, 0], [0, 0]
        for code, qty, gross, back, paid_at in lines:
            if code != product["商品编码"] or not paid_at or back == gross:
                continue
            side = before if year_before <= paid_at[:10] < joined else after
            side[0] += gross - back
            side[1] += qty
        assert before[1] >= 20, f"{product['商品编码']} needs a pre-brand baseline"
        premium = (after[0] / after[1]) / (before[0] / before[1]) - 1
        assert 0.05 < premium < 0.15, product["商品编码"]
        checked += 1
    assert checked >= 4


def _contents(folder: Path, manifest: list[dict]) -> dict[str, bytes]:
    out = {"registry.xlsx": (folder / "registry.xlsx").read_bytes()}
    for entry in manifest:
        with (folder / entry["file"]).open("rb") as handle:
            if "password" in entry:  # encryption salts differ per run; the workbook must not
                office = msoffcrypto.OfficeFile(handle)
                office.load_key(password=entry["password"])
                plain = io.BytesIO()
                office.decrypt(plain)
                out[entry["file"]] = plain.getvalue()
            else:
                out[entry["file"]] = handle.read()
    return out


def test_same_seed_and_day_give_the_same_files(
    demo: tuple[Path, list[dict]], tmp_path: Path
) -> None:
    again = write_demo_county(tmp_path / "again", seed=7, today=TODAY)
    assert again == demo[1]
    assert _contents(tmp_path / "again", again) == _contents(*demo)


def test_another_seed_gives_another_county(demo: tuple[Path, list[dict]], tmp_path: Path) -> None:
    other = write_demo_county(tmp_path / "other", seed=8, today=TODAY)
    assert other != demo[1]
    assert (tmp_path / "other" / "registry.xlsx").read_bytes() != (
        demo[0] / "registry.xlsx"
    ).read_bytes()
