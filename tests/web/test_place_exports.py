"""Every table on the township, shop and live room pages exports as XLSX: the same rows and
numbers as the page (and the metrics), money as numbers in 元, text that never runs, and only for
those who may see the page."""

from __future__ import annotations

import datetime as dt
import html as markup
import io
import re
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.metrics.live_sessions import sessions_report
from app.metrics.retail import retail
from app.models import LiveRoom, LiveSession, SalesImport, Shop, Village
from tests.web.county import county_app, signed_in_as

YEAR = "period=year&year=2024"
TOWNSHIP = f"/townships/T01?{YEAR}"
SHOP = f"/shops/S01?{YEAR}"
ROOM = f"/rooms/R01?{YEAR}"


@pytest.fixture(scope="module")
def county(
    database_url: str, _schema: None, samples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from county_app(database_url, samples, tmp_path_factory.mktemp("place_exports"))


@pytest.fixture
def signed_in(county: Flask) -> Callable[[str], FlaskClient]:
    return signed_in_as(county)


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def export_url(html: str, key: str) -> str:
    found = re.search(rf'href="([^"]+)" data-export="{key}"', html)
    assert found, key
    return markup.unescape(found.group(1))


def shown_table(html: str, key: str) -> tuple[list[str], list[list[str]]]:
    """The headings and the rows (each cell as shown in full) of the table under an export."""
    start = html.index(f'data-export="{key}"')
    table = html[start : html.index("</table>", start)]
    heads = [_text(head) for head in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    rows = [
        [_cell(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    ]
    return heads, rows


def _cell(cell: str) -> str:
    """A figure in full (the title of its abbreviated number), a progress bar's 完成率, else the
    cell's text."""
    full = re.search(r'<span class="num" title="([^"]+)"', cell)
    if full:
        return full.group(1)
    bar = re.search(r'class="progress-text num">([^<]+)<', cell)
    return bar.group(1) if bar else _text(cell)


def _text(cell: str) -> str:
    return markup.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def sheet_of(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith("attachment")
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def exported(sheet: Any) -> tuple[list[str], list[list[Any]]]:
    """The headings (row 3) and the data rows of an exported table, cells as openpyxl cells."""
    heads = [cell.value for cell in sheet[3]]
    rows = [list(row) for row in sheet.iter_rows(min_row=4) if any(c.value for c in row)]
    return heads, rows


def as_shown(cell: Any, shown: str) -> str:
    """An exported cell written the way the page writes it, checking it is the right kind."""
    value, form = cell.value, cell.number_format
    if value is None:
        return shown if shown in ("—", "") else "<blank>"
    if isinstance(value, str):
        assert cell.data_type == "s"
        return value
    if cell.is_date:  # a real date-time, read on the county's clock as the page writes it
        assert "yyyy" in form, form
        written = f"{value:%Y-%m-%d %H:%M}"
        return shown if shown.startswith(f"{written}–") else written  # a session's start–end
    assert cell.data_type == "n", (value, shown)
    if "元" in form:
        return f"{Decimal(str(value)):,.2f}"
    if "%" in form:
        places = len(form.rstrip("%").partition(".")[2])  # as the sheet shows it
        return f"{Decimal(str(value)) * 100:.{places}f}%"
    if form == "0.0":  # hours, to one decimal as pages write them (rounded half up, as Excel)
        return str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return f"{int(value):,}"


def same_as_page(client: FlaskClient, url: str, key: str) -> tuple[list[str], list[list[Any]]]:
    """Export `key` from the page at `url`; every exported column the page shows has the page's
    values row by row. Returns the export."""
    html = page(client, url)
    page_heads, page_rows = shown_table(html, key)
    heads, rows = exported(sheet_of(client, export_url(html, key)))
    assert len(rows) == len(page_rows) > 0, key
    shared = [head for head in heads if head in page_heads]
    assert len(shared) >= 3, (key, heads, page_heads)
    for row, shown in zip(rows, page_rows, strict=True):
        for head in shared:
            cell, text = row[heads.index(head)], shown[page_heads.index(head)]
            assert as_shown(cell, text) == text, (key, head, cell.value, text)
    return heads, rows


def column(export: tuple[list[str], list[list[Any]]], head: str) -> list[Any]:
    heads, rows = export
    return [row[heads.index(head)].value for row in rows]


def test_township_page_has_an_export_on_every_table(signed_in) -> None:
    html = page(signed_in("officer1"), TOWNSHIP)
    for key in ("targets", "villages", "shops", "rooms", "sessions"):
        assert f"/townships/T01/tables/{key}.xlsx" in export_url(html, key)
    assert "period=year" in export_url(html, "villages")  # the page's period
    for key in ("village", "shop", "room", "streamer", "product"):  # rankings keep theirs
        assert f'data-export="{key}"' in html
    tables = html.count('<table class="data">') + html.count('class="kpis"')
    assert tables == html.count("data-export="), "a table or cards without their export"


def test_township_exports_are_the_page_and_the_metrics(signed_in, county) -> None:
    client = signed_in("officer1")
    villages = same_as_page(client, TOWNSHIP, "villages")
    shops = same_as_page(client, TOWNSHIP, "shops")
    rooms = same_as_page(client, TOWNSHIP, "rooms")
    sessions = same_as_page(client, TOWNSHIP, "sessions")
    targets = same_as_page(client, TOWNSHIP, "targets")
    with county.app_context():
        by = {
            level: {row.key: row for row in retail(*_year(), level, "township:T01").rows if row.key}
            for level in ("village", "shop", "room")
        }
        names = {v.name: v.code for v in db.session.scalars(db.select(Village))}
        township_net = retail(*_year(), "platform", "township:T01").total.net
    assert {
        names[n]: Decimal(str(v)) for n, v in zip(*_cols(villages, "村", "网络零售额"), strict=True)
    } == {key: row.net for key, row in by["village"].items()}
    assert column(villages, "订单数") == [
        by["village"][names[n]].orders for n in column(villages, "村")
    ]
    shop_net = dict(zip(*_cols(shops, "编码", "网络零售额"), strict=True))
    assert set(shop_net) == {"S01", "S04"}  # every shop of T01, with or without sales
    for code, net in shop_net.items():
        found = by["shop"].get(code)
        assert (Decimal(str(net)) if net is not None else None) == (found.net if found else None)
    room_net = dict(zip(*_cols(rooms, "编码", "村播带货额"), strict=True))
    assert {code: Decimal(str(v)) for code, v in room_net.items()} == {
        code: by["room"][code].net if code in by["room"] else Decimal(0) for code in room_net
    }
    assert len(sessions[1]) == 10 and all(isinstance(v, int) for v in column(sessions, "场观人数"))
    net_target = column(targets, "指标").index("网络零售额")
    assert column(targets, "目标")[net_target] == 116666
    assert Decimal(str(column(targets, "完成")[net_target])) == township_net
    assert 1 < column(targets, "完成率")[net_target] < 1.2  # 111.4% on the page


def _year() -> tuple[Any, Any]:
    return dt.date(2024, 1, 1), dt.date(2024, 12, 31)


def _cols(export: tuple[list[str], list[list[Any]]], *heads: str) -> list[list[Any]]:
    return [column(export, head) for head in heads]


def test_money_is_a_number_in_yuan(signed_in) -> None:
    client = signed_in("officer1")
    sheet = sheet_of(client, f"/townships/T01/tables/villages.xlsx?{YEAR}")
    assert sheet["A1"].value.startswith("许营镇 · 村 · 2024-01-01")
    net = sheet["B4"]
    assert net.data_type == "n" and net.number_format == '#,##0.00" 元"'
    assert sheet["C4"].data_type == "n" and "元" not in sheet["C4"].number_format


def test_shop_and_room_exports_are_their_pages(signed_in, county) -> None:
    client = signed_in("officer1")
    html = page(client, SHOP)
    assert html.count('<table class="data">') + html.count("data-cards=") == 3
    assert html.count('class="kpis"') == 1
    assert html.count("data-export=") == 4, "a table or cards without their export"
    imports = same_as_page(client, SHOP, "imports")
    sessions = same_as_page(client, SHOP, "sessions")
    room = same_as_page(client, ROOM, "sessions")
    for export, head in ((imports, "上传时间"), (sessions, "开播时间"), (room, "开播时间")):
        cells = [row[export[0].index(head)] for row in export[1]]
        assert all(c.is_date and c.number_format == "yyyy-mm-dd hh:mm" for c in cells), head
    started, ended = column(sessions, "开播时间"), column(sessions, "下播时间")
    assert all(start < end for start, end in zip(started, ended, strict=True))
    with county.app_context():
        files = list(
            db.session.scalars(
                db.select(SalesImport.file_name)
                .join(SalesImport.shop)
                .where(Shop.code == "S01")
                .order_by(SalesImport.id.desc())
                .limit(10)
            )
        )
        report = sessions_report(*_year(), "R01")
    assert column(imports, "文件") == files
    newest = list(reversed(report.sessions))[:30]
    assert len(room[1]) == len(newest)
    assert [Decimal(str(v)) for v in column(room, "成交金额")] == [s.kpis.sales for s in newest]
    order_sales = column(room, "订单成交额")
    assert [Decimal(str(v)) if v is not None else None for v in order_sales] == [
        s.kpis.order_sales for s in newest
    ]


FORMULA = '=HYPERLINK("http://x","y")'


def test_exported_text_never_runs_as_a_formula(signed_in, county) -> None:
    with county.app_context():
        village = db.session.scalar(db.select(Village).where(Village.code == "T01V01"))
        shop = db.session.scalar(db.select(Shop).where(Shop.code == "S04"))
        room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == "R01"))
        record = db.session.scalar(
            db.select(SalesImport).join(SalesImport.shop).where(Shop.code == "S01").limit(1)
        )
        saved = (village.name, shop.name, room.nickname, record.file_name)
        record_id = record.id
        village.name = shop.name = room.nickname = FORMULA
        record.file_name = "+cmd|' /C calc'!A0.csv"
        db.session.commit()
    try:
        client = signed_in("officer1")
        for url in (
            f"/townships/T01/tables/villages.xlsx?{YEAR}",
            f"/townships/T01/tables/shops.xlsx?{YEAR}",
            f"/townships/T01/tables/rooms.xlsx?{YEAR}",
            "/townships/T01/tables/sessions.xlsx",
            "/shops/S01/tables/imports.xlsx",
        ):
            cells = [cell for row in exported(sheet_of(client, url))[1] for cell in row]
            bad = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+"]
            assert bad, url
            assert all(c.data_type == "s" and c.quotePrefix for c in bad), url
    finally:
        with county.app_context():
            village = db.session.scalar(db.select(Village).where(Village.code == "T01V01"))
            shop = db.session.scalar(db.select(Shop).where(Shop.code == "S04"))
            room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == "R01"))
            record = db.session.get(SalesImport, record_id)
            village.name, shop.name, room.nickname, record.file_name = saved
            db.session.commit()


def test_exports_are_for_those_who_may_see_the_page(signed_in) -> None:
    town = signed_in("town1")  # township T01
    sheet_of(town, "/townships/T01/tables/shops.xlsx")
    for url in (
        "/townships/T02/tables/shops.xlsx",
        "/shops/S02/tables/imports.xlsx",
        "/rooms/R02/tables/sessions.xlsx",
    ):
        page(town, url, 403)
    page(town, "/townships/T99/tables/shops.xlsx", 404)
    page(town, "/townships/T01/tables/secrets.xlsx", 404)
    page(town, "/shops/S01/tables/villages.xlsx", 404)
    page(town, "/rooms/R01/tables/imports.xlsx", 404)
    streamer = signed_in("streamer1")  # room R01 of shop S01
    page(streamer, "/townships/T01/tables/villages.xlsx", 403)
    sheet_of(streamer, "/rooms/R01/tables/sessions.xlsx")
    page(streamer, "/rooms/R02/tables/sessions.xlsx", 403)
    page(signed_in("brand1"), "/rooms/R01/tables/sessions.xlsx", 403)


def shown_cards(html: str) -> dict[str, dict[str, str]]:
    """The shop page's room cards: by room code, each figure's label and value as shown in full
    (the title of an abbreviated number, without its 元)."""
    start = html.index('data-cards="rooms"')
    block = html[start : html.index("</ul>", start)]
    cards = {}
    for code, body in re.findall(r'<li class="card" data-room="([^"]+)">(.*?)</li>', block, re.S):
        pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", body, re.S)
        cards[code] = {_text(dt): _cell(dd).removesuffix("元").strip() for dt, dd in pairs}
    return cards


def same_as_cards(client: FlaskClient, url: str) -> tuple[list[str], list[list[Any]]]:
    """Export the room cards of the shop page at `url`; every figure on a card is the same
    figure in its row, and a card without figures has a row without them."""
    html = page(client, url)
    cards = shown_cards(html)
    heads, rows = exported(sheet_of(client, export_url(html, "rooms")))
    assert [row[heads.index("编码")].value for row in rows] == list(cards)
    for row in rows:
        shown = cards[row[heads.index("编码")].value]
        for label, text in shown.items():
            cell = row[heads.index(label)]
            assert as_shown(cell, text) == text, (label, cell.value, text)
        if not shown:
            assert all(row[heads.index(h)].value is None for h in heads[3:]), heads
    return heads, rows


def test_shop_room_cards_export_their_figures_for_the_period(signed_in, county) -> None:
    client = signed_in("officer1")
    month = "/shops/S01?period=month&month=2024-05"
    for url, start, end in ((SHOP, *_year()), (month, "2024-05-01", "2024-05-31")):
        export = same_as_cards(client, url)
        with county.app_context():
            report = sessions_report(start, end, "R01")
        (row,) = export[1]
        cell = dict(zip(export[0], row, strict=True))
        assert cell["直播场次"].value == report.session_count > 0
        assert cell["直播场次"].number_format == "#,##0"
        assert Decimal(str(cell["成交金额（主播填报）"].value)) == report.total.sales
        assert cell["成交金额（主播填报）"].number_format == '#,##0.00" 元"'
        assert cell["看播转化率"].number_format == "0.00%"
        assert 0 < cell["看播转化率"].value < 0.01
        latest = report.sessions[-1].started_at.replace(tzinfo=None)
        assert cell["最近开播"].is_date and cell["最近开播"].value == latest
        assert str(start) <= f"{latest:%Y-%m-%d}" <= str(end)
    sheet = sheet_of(client, export_url(page(client, month), "rooms"))
    assert sheet["A1"].value == "许营好品官方旗舰店 · 直播间 · 2024-05-01 — 2024-05-31"


def test_a_streamer_reads_only_their_own_rooms_sessions_on_the_shop_page(signed_in, county) -> None:
    with county.app_context():  # R03 sells through S01 beside streamer1's R01, and went live
        room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == "R03"))
        saved, room.shop_id = (
            room.shop_id,
            db.session.scalar(db.select(Shop.id).where(Shop.code == "S01")),
        )
        live = LiveSession(
            room_id=room.id,
            started_at=dt.datetime(2030, 1, 1, 12, 0),
            ended_at=dt.datetime(2030, 1, 1, 14, 0),
            sales=Decimal("99999.00"),
        )
        db.session.add(live)
        db.session.commit()
        name, live_id = room.nickname, live.id
    try:
        _heads, officer = exported(
            sheet_of(signed_in("officer1"), "/shops/S01/tables/sessions.xlsx")
        )
        assert name in [row[0].value for row in officer]
        streamer = signed_in("streamer1")
        _heads, own = exported(sheet_of(streamer, "/shops/S01/tables/sessions.xlsx"))
        assert own and name not in [row[0].value for row in own]
        assert "99,999.00" not in page(streamer, SHOP)
    finally:
        with county.app_context():
            db.session.delete(db.session.get(LiveSession, live_id))
            room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == "R03"))
            room.shop_id = saved
            db.session.commit()


def test_a_streamer_exports_only_their_own_rooms_figures(signed_in, county) -> None:
    with county.app_context():  # R03 sells through S01 beside streamer1's R01
        room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == "R03"))
        saved, room.shop_id = (
            room.shop_id,
            db.session.scalar(db.select(Shop.id).where(Shop.code == "S01")),
        )
        db.session.commit()
    try:
        officer = same_as_cards(signed_in("officer1"), SHOP)
        assert all(row[3].value for row in officer[1])  # both rooms with their sessions
        heads, rows = same_as_cards(signed_in("streamer1"), SHOP)
        by_code = {row[0].value: row for row in rows}
        assert by_code["R01"][heads.index("直播场次")].value > 0
        assert by_code["R03"][heads.index("直播间")].value  # its name, no figures
        assert all(cell.value is None for cell in by_code["R03"][3:])
        page(signed_in("town1"), "/shops/S02/tables/rooms.xlsx", 403)
    finally:
        with county.app_context():
            room = db.session.scalar(db.select(LiveRoom).where(LiveRoom.code == "R03"))
            room.shop_id = saved
            db.session.commit()


def test_target_progress_exports_as_percent_numbers(signed_in) -> None:
    """The county's townships and a township's targets write 完成率 and 时间进度 the same way:
    numbers with a percent format, never a fraction as text."""
    client = signed_in("officer1")
    for url, label in (
        ("/dashboard/tables/townships.xlsx?period=year&year=2024", "许营镇"),
        (f"/townships/T01/tables/targets.xlsx?{YEAR}", "网络零售额"),
    ):
        heads, rows = exported(sheet_of(client, url))
        row = next(row for row in rows if row[0].value == label)
        for head in ("完成率", "时间进度"):
            cell = row[heads.index(head)]
            assert cell.data_type == "n" and cell.number_format == "0.0%", (url, head, cell.value)
        assert 1 < row[heads.index("完成率")].value < 1.2, url  # 111.4% on both pages
        assert row[heads.index("状态")].value == "超进度", url


MINUS = "\u2212"


def shown_kpis(html: str) -> list[dict[str, Any]]:
    """Every KPI card of a page in order: its label, its figure in full, its 同比 and 环比 as
    shown (None where the card shows none), and the full figures in its first note."""
    cards = []
    for body in re.split(r'<div class="stat kpi"', html)[1:]:
        label = _text(re.search(r'<span class="label">(.*?)</span>', body, re.S).group(1))
        changes = {
            title: _text(text).removeprefix(title).strip()
            for title, text in re.findall(
                r'class="change [^"]*" title="([^"]+)">(.*?)</span>', body
            )
        }
        cards.append(
            {
                "label": label,
                "value": _cell(_part(body, "value")).removesuffix("元").strip(),
                "yoy": changes.get("同比"),
                "mom": changes.get("环比"),
                "note": re.findall(r'class="num" title="([^"]+)"', _part(body, "hint")),
            }
        )
    return cards


def _part(card: str, name: str) -> str:
    """A card's `<span class="{name}">` up to what follows it (another part, or the card's end)."""
    found = re.split(rf'<span class="{name}(?: num)?">', card, maxsplit=1)
    if len(found) == 1:
        return ""
    return re.split(r'<span class="(?:changes|hint)"|<div|</div>', found[1], maxsplit=1)[0]


def signed(cell: Any) -> str:
    """A change cell as a card writes it: +90.6% / −10.1% / 0.0%, — when blank."""
    if cell.value is None:
        return "—"
    assert cell.data_type == "n" and cell.number_format.startswith("+0.0%"), cell.number_format
    shown = (Decimal(str(cell.value)) * 100).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")
    sign = "+" if shown > 0 else (MINUS if shown < 0 else "")
    return f"{sign}{abs(shown)}%"


def kpis_as_page(client: FlaskClient, url: str) -> tuple[list[str], list[list[Any]]]:
    """Export the KPI cards of the page at `url`: one row a card in the page's order (each
    card's note figures in the rows after it), each with the card's figure, 同比 and 环比."""
    html = page(client, url)
    cards = shown_kpis(html)
    heads, rows = exported(sheet_of(client, export_url(html, "kpis")))
    label, value = heads.index("指标"), heads.index("数值")
    labels = [card["label"] for card in cards]
    main = [row for row in rows if row[label].value in labels]
    assert [row[label].value for row in main] == labels > []
    for card, row in zip(cards, main, strict=True):
        assert as_shown(row[value], card["value"]) == card["value"], (card, row[value].value)
        if card["yoy"] is not None:
            assert signed(row[heads.index("同比")]) == card["yoy"], card
        if card["mom"] is not None:
            assert signed(row[heads.index("环比")]) == card["mom"], card
        if card["label"] == "网络零售额" and "data-kpis=" in html:  # kpi_card pages
            assert len(card["note"]) == 2, card  # 成交额 and 退款 beneath it
        after = rows[rows.index(row) + 1 : rows.index(row) + 1 + len(card["note"])]
        for full, part in zip(card["note"], after, strict=True):
            assert as_shown(part[value], full) == full, (card, part[label].value)
    return heads, rows


def test_kpi_cards_export_with_their_figures(signed_in, county) -> None:
    client = signed_in("officer1")
    board = kpis_as_page(client, "/dashboard?period=year&year=2024")
    township = kpis_as_page(client, TOWNSHIP)
    kpis_as_page(client, "/dashboard")  # 本月 and 本年累计, each with its rows
    kpis_as_page(client, "/townships/T01?period=month&month=2024-05")
    shop = kpis_as_page(client, "/shops/S01?period=month&month=2024-05")
    room = kpis_as_page(client, ROOM)
    with county.app_context():
        county_net = retail(*_year(), "platform", "county").total.net
        township_net = retail(*_year(), "platform", "township:T01").total.net
        report = sessions_report(*_year(), "R01")

    def value(export: tuple[list[str], list[list[Any]]], label: str) -> Any:
        return column(export, "数值")[column(export, "指标").index(label)]

    assert Decimal(str(value(board, "网络零售额"))) == county_net
    gross, refund = (Decimal(str(value(board, label))) for label in ("成交额", "退款"))
    assert gross - refund == county_net
    assert 0 < value(board, "年度完成率") < 2 and value(board, "年度目标") > 0
    assert Decimal(str(value(township, "网络零售额"))) == township_net
    assert value(room, "直播场次") == report.session_count
    assert Decimal(str(value(room, "成交金额（主播填报）"))) == report.total.sales
    assert column(shop, "开始日期")[0].date().isoformat() == "2024-05-01"
    assert column(shop, "期间")[0] == "2024年5月"
    sheet = sheet_of(client, "/shops/S01/tables/kpis.xlsx?period=month&month=2024-05")
    assert sheet["C4"].is_date and sheet["C4"].number_format == "yyyy-mm-dd"
    assert sheet["E4"].number_format == '#,##0.00" 元"'  # 网络零售额
    assert sheet["E7"].number_format == "#,##0" and sheet["E7"].value > 0  # 订单数


def test_kpi_exports_are_for_those_who_may_see_the_page(signed_in) -> None:
    town = signed_in("town1")
    sheet_of(town, "/townships/T01/tables/kpis.xlsx")
    page(town, "/townships/T02/tables/kpis.xlsx", 403)
    page(town, "/dashboard/tables/kpis.xlsx?scope=township:T02", 403)
    heads, rows = exported(sheet_of(town, "/dashboard/tables/kpis.xlsx"))
    assert "村播带货额" in [row[heads.index("指标")].value for row in rows]  # a township's cards
    page(signed_in("streamer1"), "/shops/S02/tables/kpis.xlsx", 403)
    page(signed_in("brand1"), "/rooms/R01/tables/kpis.xlsx", 403)
