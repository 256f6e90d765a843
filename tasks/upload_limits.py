"""The per-user upload rate limit, one counter shared by the imports page and the API."""

from __future__ import annotations

import math
import time

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse

from app.extensions import limiter
from app.wording import N_, Wording, say

DEFAULT_UPLOAD_RATE = "30 per minute"
UNITS = {
    "second": N_("秒"),
    "minute": N_("分钟"),
    "hour": N_("小时"),
    "day": N_("天"),
    "month": N_("月"),
    "year": N_("年"),
}


def upload_rate() -> str:
    return current_app.config.get("UPLOAD_RATE_LIMIT") or DEFAULT_UPLOAD_RATE


def uploader_key() -> str:
    """Counted per signed-in user (a shared office address is many clerks)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


# Checked before the request body is parsed, so a refused upload stores nothing.
upload_limit = limiter.shared_limit(upload_rate, scope="uploads", key_func=uploader_key)


def retry_after() -> int:
    """Seconds until the breached upload limit lets the next upload through."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.window[0] - time.time()))


def too_many_message() -> Wording:
    item = parse(upload_rate())
    name = item.GRANULARITY.name
    unit = say(UNITS[name]) if name in UNITS else name
    every = unit
    if item.multiples > 1:
        every = say(N_("{count} {unit}"), count=item.multiples, unit=unit)
    return say(_TOO_MANY, every=every, amount=item.amount, seconds=retry_after())


_TOO_MANY = N_("上传过于频繁：每个账号每{every}最多上传 {amount} 个文件。请 {seconds} 秒后再上传。")
