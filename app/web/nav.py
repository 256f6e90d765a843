"""Which roles may open which page, and the navigation built from the same table.

Views guard themselves with `roles_required(*PAGE_ROLES[endpoint])`, so a menu item is
shown exactly when its page would open. Items whose endpoint is not registered yet are
skipped, so a new page appears in the menu as soon as its blueprint is registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.scope import IMPORT_ROLES

ALL_ROLES = ("admin", "officer", "township", "brand", "streamer", "viewer")

PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "web.dashboard": ("admin", "officer", "township", "viewer"),
    "web.brands": ("admin", "officer", "brand", "viewer"),
    "web.my_rooms": ("streamer",),
    "web_sessions.new": ("admin", "officer", "township", "streamer"),
    "web_imports.index": IMPORT_ROLES,
    "web_registry.index": ("admin",),
    "web_targets.index": ("admin", "officer", "township", "viewer"),
    "web_premium.index": ("admin", "officer", "brand", "viewer"),
    "web_reports.index": ("admin", "officer", "viewer"),
    "web_months.index": ("admin",),
    "web_admin.users": ("admin",),
    # Pages reached from the dashboards rather than the menu; each also checks the scope.
    "web_places.township": ("admin", "officer", "township", "viewer"),
    "web_places.shop": ("admin", "officer", "township", "streamer", "viewer"),
    "web_places.room": ("admin", "officer", "township", "streamer", "viewer"),
    # 未登记商品, reached from the dashboard's note; registering is for who writes products.
    "web_unregistered.index": ("admin", "officer", "township", "viewer"),
    "web_unregistered.workbook": ("admin", "officer", "township", "viewer"),
    "web_unregistered.register": ("admin",),
    "web_lines.index": ("admin", "officer", "viewer", "township", "brand", "streamer"),
}


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str


NAV_ITEMS = (
    NavItem("web.dashboard", _l("看板")),
    NavItem("web.my_rooms", _l("我的直播间")),
    NavItem("web_sessions.new", _l("记录场次")),
    NavItem("web_imports.index", _l("导入数据")),
    NavItem("web_targets.index", _l("目标进度")),
    NavItem("web_lines.index", _l("订单明细")),
    NavItem("web_premium.index", _l("品牌")),
    NavItem("web_reports.index", _l("报表")),
    NavItem("web_registry.index", _l("名录")),
    NavItem("web_months.index", _l("月结")),
    NavItem("web_admin.users", _l("用户")),
)


def roles_for(endpoint: str) -> tuple[str, ...]:
    return PAGE_ROLES[endpoint]


def nav_items() -> list[dict[str, object]]:
    """Menu entries for the signed-in user, with the current one marked."""
    if not current_user.is_authenticated:
        return []
    return [
        {
            "endpoint": item.endpoint,
            "label": item.label,
            "active": request.endpoint == item.endpoint,
        }
        for item in NAV_ITEMS
        if current_user.role in PAGE_ROLES.get(item.endpoint, ())
        and item.endpoint in current_app.view_functions
    ]
