"""Export formats, one strategy class per format, in detection order (most specific first)."""

from __future__ import annotations

from app.codes import PLATFORMS  # code -> Chinese label, shared with the registry

from .base import ExportFormat
from .channels import Channels
from .douyin import DouyinAlliance, DouyinOrders
from .kuaishou import Kuaishou
from .pinduoduo import Pinduoduo
from .taobao import TaobaoDetailList, TaobaoItems, TaobaoOrders
from .template import Template

# 抖店 before 拼多多 (both have 售后状态); the loose 快手 signature after every confirmed one.
FORMATS: tuple[type[ExportFormat], ...] = (
    DouyinOrders,
    DouyinAlliance,
    Channels,
    TaobaoItems,
    TaobaoOrders,
    TaobaoDetailList,
    Pinduoduo,
    Template,
    Kuaishou,
)


def status_words(platform: str | None = None) -> dict[str, str]:
    """Every known status word (of one platform, or of all) for mapped files."""
    words: dict[str, str] = {}
    for fmt in FORMATS:
        if platform in (None, "other") or fmt.platform == platform:
            words.update(fmt.status_map)
    return words


__all__ = ["FORMATS", "PLATFORMS", "ExportFormat", "status_words"]
