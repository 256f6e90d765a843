"""Names of codes as a page shows them, in the interface language (the codes stay as stored)."""

from __future__ import annotations

import datetime as dt

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

PLATFORM_LABELS = {
    "douyin": _l("抖音"),
    "kuaishou": _l("快手"),
    "channels": _l("视频号"),
    "taobao": _l("淘宝/天猫"),
    "pinduoduo": _l("拼多多"),
    "other": _l("其他"),
}
INDICATOR_LABELS = {
    "net_retail": _l("网络零售额"),
    "agri_net_retail": _l("农产品网络零售额"),
    "live_sales": _l("村播带货额"),
    "brand_sales": _l("品牌销售额"),
    "live_sessions": _l("直播场次"),
    "live_hours": _l("直播时长"),
    "active_rooms": _l("活跃直播间"),
}
MONEY_INDICATORS = ("net_retail", "agri_net_retail", "live_sales", "brand_sales")
SCOPE_LABELS = {
    "county": _l("县"),
    "township": _l("乡镇"),
    "village": _l("村"),
    "room": _l("直播间"),
    "brand": _l("品牌"),
    "streamer": _l("主播"),
}
BASELINE_LABELS = {
    "pre_brand": _l("品牌前价格"),
    "non_brand": _l("非品牌同类"),
    "reference": _l("参考价"),
}
# Target status as the metrics write it → (CSS class, label).
STATUS_LABELS = {
    "超进度": ("ahead", _l("超进度")),
    "略慢": ("slow", _l("略慢")),
    "滞后": ("behind", _l("滞后")),
}
IMPORT_STATUS_LABELS = {
    "queued": _l("排队中"),
    "running": _l("导入中"),
    "succeeded": _l("已完成"),
    "failed": _l("失败"),
}
COUNT_LABELS = {
    "read": _l("读取"),
    "inserted": _l("新增"),
    "updated": _l("更新"),
    "unchanged": _l("未变"),
    "stale": _l("过期"),
    "rejected": _l("拒绝"),
}


def platform_label(code: str | None) -> str:
    return str(PLATFORM_LABELS.get(code or "", code or "—"))


def indicator_label(code: str) -> str:
    return str(INDICATOR_LABELS.get(code, code))


def status_class(status: str | None) -> str:
    return STATUS_LABELS[status][0] if status in STATUS_LABELS else "none"


def status_label(status: str | None) -> str:
    return str(STATUS_LABELS[status][1]) if status in STATUS_LABELS else "—"


def month_name(number: int) -> str:
    """3 → 3月 (Mar in English), from the locale's abbreviated month names."""
    return format_date(dt.date(2000, int(number), 1), "MMM")
