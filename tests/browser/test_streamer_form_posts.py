"""Each press of 保存 on the streamer's phone (390×844) is one post to the server: a mistake
sent online is posted once and shown in the form with what was typed, nothing waiting in the
phone; a good entry is posted once and stored once; an entry typed offline is posted once when
the network returns and stored once. The posts are counted where the server receives them.
A fresh token that cannot be had keeps the entry in the phone, and an entry refused again with
a fresh token is marked as not synced without holding up the ones behind it."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import shot, sign_in
from tests.browser.test_streamer_phone import PHONE, fill_session, fits, stored_at

FORM = "/sessions/new"
SETTLE_SECONDS = 1.5  # long enough for a second post, had the page sent one


@pytest.fixture
def posts(live_app: Flask) -> Iterator[list[str]]:
    """The session form's posts as the server receives them (its WSGI entry, counted)."""
    received: list[str] = []
    inner = live_app.wsgi_app

    def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == FORM:
            received.append(environ.get("HTTP_ACCEPT", ""))
        return inner(environ, start_response)

    live_app.wsgi_app = counting  # type: ignore[method-assign]
    yield received
    live_app.wsgi_app = inner  # type: ignore[method-assign]


def sent_by(page: Any) -> list[str]:
    """The form's posts as the page sends them."""
    seen: list[str] = []
    page.on(
        "request",
        lambda request: (
            seen.append(request.url)
            if request.method == "POST" and request.url.endswith(FORM)
            else None
        ),
    )
    return seen


def open_form(page: Any) -> None:
    sign_in(page, "streamer1")
    page.goto(FORM)
    page.wait_for_selector("[data-offline][data-worker=ready]", state="attached")


def test_a_mistake_sent_online_is_posted_once_and_shown_in_the_form(
    new_page: Any, shots: Path, live_app: Flask, posts: list[str]
) -> None:
    page = new_page(**PHONE)
    open_form(page)
    seen = sent_by(page)
    fill_session(page, dt.date(2024, 12, 17), viewers="5")  # 12 buyers, 5 viewers
    page.click("form.session-form button[type=submit]")
    error = page.locator("#buyers-error")
    error.wait_for()
    time.sleep(SETTLE_SECONDS)
    assert len(posts) == 1 and len(seen) == 1
    assert "成交人数（12）不能多于场观人数（5）" in error.inner_text()
    assert page.locator(".field.invalid #buyers").get_attribute("aria-invalid") == "true"
    assert "有 1 处需要修改" in page.locator("[data-form-problems]").inner_text()
    # What was typed stays, on the same page; nothing waits in the phone.
    assert page.url.endswith(FORM)
    assert page.input_value("#viewers") == "5" and page.input_value("#sales") == "860"
    assert page.locator("[data-pending-count]").is_hidden()
    assert "待同步" not in page.inner_text("main")
    assert page.evaluate("localStorage.getItem('cunbo.pending.v1') || '[]'") == "[]"
    assert stored_at(live_app, dt.datetime(2024, 12, 16, 22, 0)) == []
    assert fits(page)
    shot(page, shots, "streamer-online-mistake-once-phone")

    # Corrected and saved: one more post, one session, the problem gone.
    page.fill("#viewers", "300")
    page.click("form.session-form button[type=submit]")
    page.wait_for_url("**/me")
    assert len(posts) == 2
    [(viewers, client_id)] = stored_at(live_app, dt.datetime(2024, 12, 16, 22, 0))
    assert viewers == 300 and client_id
    assert page.errors == []


def test_a_good_entry_sent_online_is_posted_once_and_stored_once(
    new_page: Any, shots: Path, live_app: Flask, posts: list[str]
) -> None:
    page = new_page(**PHONE)
    open_form(page)
    seen = sent_by(page)
    fill_session(page, dt.date(2024, 12, 16), viewers="400")
    page.click("form.session-form button[type=submit]")
    page.wait_for_url("**/me")
    assert "已保存" in page.locator(".flash").first.inner_text()
    time.sleep(SETTLE_SECONDS)
    assert len(posts) == 1 and len(seen) == 1
    assert [row[0] for row in stored_at(live_app, dt.datetime(2024, 12, 15, 22, 0))] == [400]
    shot(page, shots, "streamer-online-saved-once-phone")
    assert page.errors == []


def test_an_entry_typed_offline_is_posted_once_when_the_network_returns(
    new_page: Any, shots: Path, live_app: Flask, posts: list[str]
) -> None:
    page = new_page(**PHONE)
    open_form(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    fill_session(page, dt.date(2024, 12, 15), viewers="250")
    page.click("form.session-form button[type=submit]")
    page.wait_for_selector("[data-pending-count]:has-text('待同步 1 场')")
    assert posts == []
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-offline-note]:has-text('已同步 1 场')")
    # Another chance to sync (the page shown again) sends nothing more.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    time.sleep(SETTLE_SECONDS)
    assert len(posts) == 1
    [(viewers, client_id)] = stored_at(live_app, dt.datetime(2024, 12, 14, 22, 0))
    assert viewers == 250 and client_id
    assert page.locator("[data-pending-count]").is_hidden()
    shot(page, shots, "streamer-offline-posted-once-phone")
    assert page.errors == []


def test_a_form_left_open_past_its_token_is_still_saved_once(
    new_page: Any, live_app: Flask, posts: list[str]
) -> None:
    """The security token expired while the form was open (a long live): the server refuses
    that post unread, the page fetches a fresh token and the entry is stored, once."""
    page = new_page(**PHONE)
    open_form(page)
    page.evaluate(
        "document.querySelector('form.session-form input[name=csrf_token]').value = 'expired'"
    )
    fill_session(page, dt.date(2024, 12, 14), viewers="90")
    page.click("form.session-form button[type=submit]")
    page.wait_for_url("**/me")
    assert len(posts) == 2  # the refused token, then the entry
    assert [row[0] for row in stored_at(live_app, dt.datetime(2024, 12, 13, 22, 0))] == [90]
    assert page.errors == []


@pytest.mark.parametrize("token_page", ["fails", "hangs"])
def test_a_fresh_token_that_cannot_be_had_keeps_the_entry_in_the_phone(
    new_page: Any, shots: Path, live_app: Flask, posts: list[str], token_page: str
) -> None:
    """The token expired while the form was open, and the phone loses its data while fetching
    a fresh form page: the fetch fails at once, or hangs and is given up after 20 s. The entry
    waits in the phone as 待同步 1 场 (no network, not signed out), 保存 works again, and the
    entry is stored once when the network returns."""
    page = new_page(**PHONE)
    page.clock.install()  # the 20 s the phone waits for the page pass at once
    open_form(page)
    page.evaluate(
        "document.querySelector('form.session-form input[name=csrf_token]').value = 'expired'"
    )
    held: list[Any] = []

    def no_page(route: Any) -> None:
        if route.request.method != "GET":
            route.continue_()
        elif token_page == "fails":
            route.abort("internetdisconnected")
        else:
            held.append(route)  # never answered

    page.route("**/sessions/new*", no_page)
    day = dt.date(2024, 12, 12) if token_page == "fails" else dt.date(2024, 12, 11)
    start_utc = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(22, 0))
    fill_session(page, day, viewers="70")
    with page.expect_request(lambda request: request.method == "GET" and FORM in request.url):
        page.click("form.session-form button[type=submit]")
    if token_page == "hangs":
        page.clock.run_for(21_000)  # past the 20 s the phone waits for an answer
    pending = page.locator("[data-pending-count]")
    pending.wait_for()
    assert pending.inner_text() == "待同步 1 场"
    note = page.locator("[data-offline-note]").inner_text()
    assert "已存在手机里" in note and "请重新登录" not in note
    assert page.locator("form.session-form button[type=submit]").is_enabled()
    assert page.input_value("#start") == ""  # a fresh form for the next session
    assert len(posts) == 1 and stored_at(live_app, start_utc) == []
    assert fits(page)
    shot(page, shots, f"streamer-token-page-{token_page}-pending-phone")

    page.unroute_all(behavior="ignoreErrors")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-offline-note]:has-text('已同步 1 场')")
    assert [row[0] for row in stored_at(live_app, start_utc)] == [70]
    assert page.errors == []


def test_an_entry_refused_after_a_fresh_token_is_marked_and_the_next_is_sent(
    new_page: Any, shots: Path, live_app: Flask
) -> None:
    """Two entries wait in the phone; the server answers the first one's post with a 400
    that names no field, and again with a fresh token: that entry is marked as not synced
    (with a reason, to put back into the form) and the one behind it is still sent."""
    page = new_page(**PHONE)
    open_form(page)
    refused_id, next_id = str(uuid.uuid4()), str(uuid.uuid4())
    refused: list[str] = []

    def bad_request(route: Any) -> None:
        if route.request.method == "POST" and refused_id in (route.request.post_data or ""):
            refused.append(route.request.url)
            route.fulfill(status=400, json={"code": 400, "status": "Bad Request"})
        else:
            route.continue_()

    page.route("**/sessions/new*", bad_request)
    page.evaluate(
        """ids => localStorage.setItem('cunbo.pending.v1', JSON.stringify(ids.map(
          ([id, day]) => ({client_id: id, user: 'streamer1', fields: {
            room: document.querySelector('#room').value, start: day + 'T06:00',
            end: day + 'T07:00', sales: '860', items: '12', buyers: '12', viewers: '40',
            client_id: id}}))))""",
        [[refused_id, "2024-12-10"], [next_id, "2024-12-09"]],
    )
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-offline-note]:has-text('已同步 1 场')")
    assert stored_at(live_app, dt.datetime(2024, 12, 8, 22, 0)) == [(40, next_id)]
    assert stored_at(live_app, dt.datetime(2024, 12, 9, 22, 0)) == []
    assert len(refused) == 2  # once, then once more with a fresh token
    failed = page.locator(f".pending-list li.failed[data-client-id='{refused_id}']")
    assert "没有保存成功（错误 400）" in failed.inner_text()
    assert failed.locator("button", has_text="放回表单修改").is_visible()
    assert page.locator("[data-pending-count]").is_hidden()
    assert "请重新登录" not in page.inner_text("main")
    assert fits(page)
    shot(page, shots, "streamer-refused-again-marked-phone")

    # Another chance to sync sends nothing more: the marked entry waits for the streamer.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    time.sleep(SETTLE_SECONDS)
    assert len(refused) == 2
    assert page.errors == []
