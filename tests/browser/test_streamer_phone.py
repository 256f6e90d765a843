"""The streamer's phone (390×844): the home compares the last session with the room's own
average; a blank 场观人数 is accepted and shown as —; a session typed without network waits in
the phone as 待同步 1 场 and is stored exactly once when the network returns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import LiveSession
from tests.browser.conftest import shot, sign_in

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}


# Whether the service worker keeps a copy of the page at `path` (for one account only).
KEPT = """path => caches.keys().then(names => {
  const kept = names.filter(name => name.startsWith('cunbo-pages-'));
  return kept.length === 1 && caches.open(kept[0]).then(cache => cache.match(path))
    .then(Boolean);
})"""
PAGE_CACHES = "caches.keys().then(names => names.filter(n => n.startsWith('cunbo-pages')))"


def fits(page: Any) -> bool:
    """Nothing wider than the phone's 390 px (a mobile browser widens its viewport to fit)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= 390"))


def stored_at(app: Flask, start_utc: dt.datetime) -> list[tuple[int | None, str | None]]:
    """(场观人数, client_id) of every session starting at `start_utc` (naive UTC)."""
    with app.app_context():
        rows = db.session.execute(
            select(LiveSession.viewers, LiveSession.client_id).where(
                LiveSession.started_at == start_utc
            )
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def fill_session(page: Any, day: dt.date, viewers: str = "") -> None:
    page.fill("#start", f"{day}T06:00")
    page.fill("#end", f"{day}T07:00")
    page.fill("#sales", "860")
    page.fill("#items", "12")
    page.fill("#buyers", "12")
    page.fill("#viewers", viewers)


def test_streamer_home_compares_the_last_session_with_the_rooms_average(
    new_page: Any, shots: Path
) -> None:
    page = new_page(**PHONE)
    sign_in(page, "streamer1")
    assert page.url.endswith("/me")
    room = page.locator(".room-home").first
    labels = room.locator("table.compare th[scope=row]").all_inner_texts()
    assert [label.split("\n")[0] for label in labels] == [
        "成交金额（填报）",
        "订单成交金额",
        "GPM",
        "UV价值",
        "转化率",
    ]
    assert "上一场" in room.inner_text() and "平均" in room.inner_text()
    assert room.locator("[data-figure=sales] [data-average]").inner_text() != "—"
    page.wait_for_selector("#session-trend canvas")
    series = page.locator("#session-trend").evaluate(
        "el => echarts.getInstanceByDom(el).getOption().series.map(s => s.name)"
    )
    assert series == ["成交金额（填报）", "订单成交金额"]
    assert fits(page)
    shot(page, shots, "streamer-home-phone")
    # The home is installable: a manifest with 村播 and its PNG icons.
    manifest = page.request.get(page.locator("link[rel=manifest]").get_attribute("href")).json()
    assert manifest["name"] == "村播" and {i["sizes"] for i in manifest["icons"]} >= {
        "192x192",
        "512x512",
    }
    assert page.errors == []


def test_a_blank_viewers_field_is_accepted_and_shown_as_a_dash(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    page = new_page(**PHONE)
    sign_in(page, "streamer1")
    page.click("text=记录一场直播")
    page.wait_for_selector("#start")
    day = dt.date(2024, 12, 29)
    fill_session(page, day, viewers="")
    page.click("form.session-form button[type=submit]")
    page.wait_for_url("**/me")
    assert "已保存" in page.locator(".flash").first.inner_text()
    card = page.locator(".card.session", has_text=f"{day} 06:00")
    assert card.locator("[data-viewers]").inner_text() == "—"
    [(viewers, _client_id)] = stored_at(live_app, dt.datetime(2024, 12, 28, 22, 0))
    assert viewers is None  # unknown, not 0
    assert fits(page)
    shot(page, shots, "streamer-blank-viewers-phone")
    assert page.errors == []


def test_a_session_typed_offline_waits_and_is_stored_once(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    page = new_page(**PHONE)
    context = page.context
    sign_in(page, "streamer1")
    page.goto("/sessions/new")
    # The service worker takes the page under its control and keeps a copy of the form.
    page.wait_for_selector("[data-offline][data-worker=ready]", state="attached")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(KEPT, arg="/sessions/new")  # the copy of the form is kept

    context.set_offline(True)
    day = dt.date(2024, 12, 28)
    start_utc = dt.datetime(2024, 12, 27, 22, 0)
    fill_session(page, day, viewers="300")
    page.click("form.session-form button[type=submit]")
    pending = page.locator("[data-pending-count]")
    pending.wait_for()
    assert pending.inner_text() == "待同步 1 场"
    assert "没有网络" in page.locator("[data-offline-note]").inner_text()
    assert stored_at(live_app, start_utc) == []
    assert fits(page)
    shot(page, shots, "streamer-offline-pending-phone")
    # Without network the form opens again from the phone, the entry still waiting.
    page.reload()
    page.wait_for_selector("#start")
    assert page.locator("[data-pending-count]").inner_text() == "待同步 1 场"
    shot(page, shots, "streamer-offline-form-phone")

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-offline-note]:has-text('已同步 1 场')")
    assert page.locator("[data-pending-count]").is_hidden()
    [(viewers, client_id)] = stored_at(live_app, start_utc)
    assert viewers == 300 and client_id
    shot(page, shots, "streamer-synced-phone")

    # The same entry sent again (an answer lost on the way) is still one session.
    page.evaluate(
        """id => localStorage.setItem('cunbo.pending.v1', JSON.stringify([{client_id: id,
        user: 'streamer1', fields: {room: document.querySelector('#room').value,
        start: '2024-12-28T06:00', end: '2024-12-28T07:00', sales: '860', items: '12',
        buyers: '12', viewers: '300', client_id: id}}]))""",
        client_id,
    )
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("localStorage.getItem('cunbo.pending.v1') === '[]'")
    assert stored_at(live_app, start_utc) == [(300, client_id)]
    with live_app.app_context():
        assert (
            db.session.scalar(
                select(func.count(LiveSession.id)).where(LiveSession.client_id == client_id)
            )
            == 1
        )
        db.session.remove()
    assert page.errors == []


def test_the_waiting_count_speaks_english_when_switched(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    page = new_page(**PHONE)
    sign_in(page, "streamer1")
    page.goto("/lang/en?next=/sessions/new")
    page.wait_for_selector("#start")
    page.context.set_offline(True)
    fill_session(page, dt.date(2024, 12, 27), viewers="")
    page.click("form.session-form button[type=submit]")
    pending = page.locator("[data-pending-count]")
    pending.wait_for()
    assert pending.inner_text() == "1 waiting to sync"
    shot(page, shots, "streamer-offline-pending-phone-en")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-offline-note]:has-text('Synced: 1')")
    assert stored_at(live_app, dt.datetime(2024, 12, 26, 22, 0))[0][0] is None
    page.goto("/lang/zh?next=/me")  # the choice is the account's: back to Chinese
    assert page.errors == []


def test_an_entry_the_server_refuses_goes_back_into_the_form(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    """Typed offline with the end before the start: when sent, the reason is shown beside the
    entry and it goes back into the form to be corrected; nothing is stored."""
    page = new_page(**PHONE)
    sign_in(page, "streamer1")
    page.goto("/lang/zh?next=/sessions/new")
    page.wait_for_selector("#start")
    page.context.set_offline(True)
    fill_session(page, dt.date(2024, 12, 26), viewers="100")
    page.fill("#end", "2024-12-26T05:00")
    page.click("form.session-form button[type=submit]")
    page.locator("[data-pending-count]").wait_for()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.locator(".pending-list li.failed")
    refused.wait_for()
    assert "结束时间必须晚于开始时间" in refused.inner_text()
    assert page.locator("[data-pending-count]").is_hidden()
    assert stored_at(live_app, dt.datetime(2024, 12, 25, 22, 0)) == []
    assert fits(page)
    shot(page, shots, "streamer-offline-refused-phone")
    refused.locator("button", has_text="放回表单修改").click()
    assert page.input_value("#end") == "2024-12-26T05:00"
    assert page.input_value("#viewers") == "100"
    assert page.locator(".pending-list li").count() == 0
    page.fill("#end", "2024-12-26T07:00")
    page.click("form.session-form button[type=submit]")
    page.wait_for_url("**/me")
    [(viewers, client_id)] = stored_at(live_app, dt.datetime(2024, 12, 25, 22, 0))
    assert viewers == 100 and client_id  # the entry's own id, kept through the correction
    assert page.errors == []


def test_a_session_sent_on_a_signal_without_data_waits_in_the_phone(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    """The phone thinks it is online but the form's post never arrives: the entry is kept as
    待同步 1 场 instead of being lost, and stored once when the network works again."""
    page = new_page(**PHONE)
    sign_in(page, "streamer1")
    page.goto("/sessions/new")
    page.wait_for_selector("[data-offline][data-worker=ready]", state="attached")
    assert page.evaluate("navigator.onLine") is True

    def no_data(route: Any) -> None:
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/sessions/new*", no_data)
    day = dt.date(2024, 12, 24)
    start_utc = dt.datetime(2024, 12, 23, 22, 0)
    fill_session(page, day, viewers="200")
    page.click("form.session-form button[type=submit]")
    pending = page.locator("[data-pending-count]")
    pending.wait_for()
    assert pending.inner_text() == "待同步 1 场"
    assert page.url.endswith("/sessions/new")
    assert page.input_value("#start") == ""  # a fresh form for the next session
    assert stored_at(live_app, start_utc) == []
    shot(page, shots, "streamer-no-data-pending-phone")

    # A gateway that cannot reach the server answers 502: that entry waits too.
    page.unroute("**/sessions/new*")

    def gateway(route: Any) -> None:
        if route.request.method == "POST":
            route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")
        else:
            route.continue_()

    page.route("**/sessions/new*", gateway)
    fill_session(page, dt.date(2024, 12, 22), viewers="80")
    page.click("form.session-form button[type=submit]")
    page.wait_for_selector("[data-pending-count]:has-text('待同步 2 场')")

    page.unroute("**/sessions/new*")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-offline-note]:has-text('已同步 2 场')")
    [(viewers, client_id)] = stored_at(live_app, start_utc)
    assert viewers == 200 and client_id
    assert [row[0] for row in stored_at(live_app, dt.datetime(2024, 12, 21, 22, 0))] == [80]
    assert page.errors == []


def test_signing_out_from_any_page_leaves_no_pages_in_the_phone(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    """The copies of the form and the home are one account's: signing out from a page that is
    neither of them removes them, and the form cannot be opened offline afterwards."""
    page = new_page(**PHONE)
    context = page.context
    sign_in(page, "streamer1")
    page.goto("/sessions/new")
    page.wait_for_selector("[data-offline][data-worker=ready]", state="attached")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(KEPT, arg="/me")
    page.wait_for_function(KEPT, arg="/sessions/new")

    page.goto("/account/password")
    # The menu's sign-out (folded away on a phone), sent as the browser sends it.
    page.evaluate("document.querySelector(\"form[action$='/logout']\").submit()")
    page.wait_for_url("**/login*")
    page.wait_for_function(PAGE_CACHES + ".then(names => names.length === 0)")
    shot(page, shots, "streamer-signed-out-phone")

    context.set_offline(True)
    opened = True
    try:
        page.goto("/sessions/new")
    except Exception:
        opened = False
    assert not opened or "成交金额" not in page.content()
    context.set_offline(False)


def test_a_mistake_sent_online_is_shown_in_the_form(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    """Online, the form is sent from the page; a refusal comes back as the form with the
    problem marked, and nothing is kept in the phone."""
    page = new_page(**PHONE)
    sign_in(page, "streamer1")
    page.goto("/sessions/new")
    page.wait_for_selector("[data-offline][data-worker=ready]", state="attached")
    fill_session(page, dt.date(2024, 12, 23), viewers="50")
    page.fill("#end", "2024-12-23T05:00")
    page.click("form.session-form button[type=submit]")
    page.wait_for_selector("#end-error")
    assert "结束时间必须晚于开始时间" in page.locator("#end-error").inner_text()
    assert page.input_value("#viewers") == "50"
    assert page.evaluate("localStorage.getItem('cunbo.pending.v1') || '[]'") == "[]"
    assert stored_at(live_app, dt.datetime(2024, 12, 22, 22, 0)) == []
    shot(page, shots, "streamer-online-mistake-phone")
    assert page.errors == []


def test_another_accounts_page_replaces_the_kept_pages(new_page: Any, live_app: Flask) -> None:
    """Even when a second account signs in without the phone showing the sign-in page, the
    first account's kept pages go as soon as a page of the second comes."""
    import re

    from tests.web.county import PASSWORD

    page = new_page(**PHONE)
    sign_in(page, "streamer1")
    page.goto("/sessions/new")
    page.wait_for_selector("[data-offline][data-worker=ready]", state="attached")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(KEPT, arg="/me")
    first = page.evaluate(PAGE_CACHES)

    # streamer1 signs out and another account signs in behind the page's back (not through
    # the worker, so the sign-in page never reaches it).
    mine = page.locator("meta[name=csrf-token]").get_attribute("content")
    out = page.request.post("/logout", form={"csrf_token": mine or ""}, max_redirects=0)
    assert out.status == 302
    form = page.request.get("/login").text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    signed = page.request.post(
        "/login",
        form={"csrf_token": token.group(1), "login": "town1", "password": PASSWORD},
        max_redirects=0,
    )
    assert signed.status == 302
    page.goto("/sessions/new")
    page.wait_for_function(
        f"first => {PAGE_CACHES}.then(names => names.length === 1 && names[0] !== first)",
        arg=first[0],
    )
    assert not page.evaluate(KEPT, "/me")  # streamer1's home is no longer in the phone
    page.wait_for_function(KEPT, arg="/sessions/new")
