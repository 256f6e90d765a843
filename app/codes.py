"""Codes and their Chinese names: platforms, baseline kinds, scopes, indicators, statuses."""

from __future__ import annotations

PLATFORMS = {
    "douyin": "抖音",
    "kuaishou": "快手",
    "channels": "视频号",
    "taobao": "淘宝/天猫",
    "pinduoduo": "拼多多",
    "other": "其他",
}
PLATFORM_ALIASES = {
    "抖音": "douyin",
    "抖店": "douyin",
    "快手": "kuaishou",
    "视频号": "channels",
    "微信小店": "channels",
    "淘宝": "taobao",
    "天猫": "taobao",
    "淘宝/天猫": "taobao",
    "拼多多": "pinduoduo",
    "其他": "other",
}

BASELINE_KINDS = {"pre_brand": "品牌前价格", "non_brand": "非品牌同类", "reference": "参考价"}

SCOPE_TYPES = {
    "county": "县",
    "township": "乡镇",
    "village": "村",
    "room": "直播间",
    "brand": "品牌",
    "streamer": "主播",
}

INDICATORS = {
    "net_retail": "网络零售额",
    "agri_net_retail": "农产品网络零售额",
    "live_sales": "村播带货额",
    "brand_sales": "品牌销售额",
    "live_sessions": "直播场次",
    "live_hours": "直播时长",
    "active_rooms": "活跃直播间",
}

LINE_STATUSES = {
    "unpaid": "待支付",
    "paid": "已支付",
    "shipped": "已发货",
    "completed": "已完成",
    "refunded": "已退款",
    "cancelled": "已取消",
    "unknown": "未知状态",
}


def code_for(
    value: str | None, names: dict[str, str], aliases: dict[str, str] | None = None
) -> str:
    """The code for a code or a Chinese name (`抖店` → `douyin`); KeyError when unknown."""
    text = (value or "").strip()
    if text in names:
        return text
    for code, label in names.items():
        if text == label:
            return code
    if aliases and text in aliases:
        return aliases[text]
    raise KeyError(text)


def platform_code(value: str | None) -> str:
    return code_for(value, PLATFORMS, PLATFORM_ALIASES)
