"""How each registry entity is listed and edited on the registry pages.

The registry's Resource (app/registry/resources.py) says how an entity is searched, checked
and saved; this module only says which columns a list shows and which inputs a form has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Brand, LiveRoom, Product, Shop, Township, Village
from app.registry.values import BRAND_KINDS
from app.web.labels import BASELINE_LABELS, INDICATOR_LABELS, PLATFORM_LABELS, SCOPE_LABELS


@dataclass(frozen=True)
class Input:
    """One form input: schema field name, label, kind (text, date, number, select, multi)."""

    name: str
    label: Any
    kind: str = "text"
    required: bool = False
    # For selects: a callable giving [(value, label)], or a model whose codes are offered.
    choices: Any = None
    hint: Any = None


@dataclass(frozen=True)
class Kind:
    """A registry entity as the pages show it."""

    name: str  # the registry resource name (app.registry.resources)
    label: Any
    columns: tuple[tuple[Any, str], ...]  # (heading, key in the schema's JSON)
    inputs: tuple[Input, ...] = field(default_factory=tuple)


def _coded(names: dict[str, Any]) -> Any:
    return lambda: [(code, str(label)) for code, label in names.items()]


def _codes(model: Any, label: Any) -> Any:
    def options() -> list[tuple[str, str]]:
        rows = db.session.execute(select(model.code, label).order_by(model.code))
        return [(code, f"{name or code} ({code})") for code, name in rows]

    return options


PLATFORM = Input("platform", _l("平台"), "select", True, _coded(PLATFORM_LABELS))
CODE = Input("code", _l("编码"), required=True)
NAME = Input("name", _l("名称"), required=True)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "townships",
            _l("乡镇"),
            ((_l("编码"), "code"), (_l("名称"), "name"), (_l("县区"), "county")),
            (CODE, NAME, Input("county", _l("县区"), required=True)),
        ),
        Kind(
            "villages",
            _l("村"),
            ((_l("编码"), "code"), (_l("名称"), "name"), (_l("乡镇"), "township")),
            (
                CODE,
                NAME,
                Input("township", _l("乡镇"), "select", True, _codes(Township, Township.name)),
            ),
        ),
        Kind(
            "shops",
            _l("网店"),
            (
                (_l("编码"), "code"),
                (_l("名称"), "name"),
                (_l("平台"), "platform"),
                (_l("平台店铺ID"), "platform_shop_id"),
                (_l("村"), "village"),
            ),
            (
                CODE,
                NAME,
                PLATFORM,
                Input("platform_shop_id", _l("平台店铺ID")),
                Input("village", _l("村"), "select", True, _codes(Village, Village.name)),
            ),
        ),
        Kind(
            "rooms",
            _l("直播间"),
            (
                (_l("编码"), "code"),
                (_l("账号昵称"), "nickname"),
                (_l("平台"), "platform"),
                (_l("账号ID"), "account_id"),
                (_l("村"), "village"),
                (_l("网店"), "shop"),
            ),
            (
                CODE,
                Input("nickname", _l("账号昵称")),
                PLATFORM,
                Input("account_id", _l("账号ID")),
                Input("village", _l("村"), "select", True, _codes(Village, Village.name)),
                Input("shop", _l("网店"), "select", False, _codes(Shop, Shop.name)),
            ),
        ),
        Kind(
            "streamers",
            _l("主播"),
            ((_l("编码"), "code"), (_l("姓名"), "name"), (_l("直播间"), "rooms")),
            (
                CODE,
                Input("name", _l("姓名"), required=True),
                Input("rooms", _l("直播间"), "multi", False, _codes(LiveRoom, LiveRoom.nickname)),
            ),
        ),
        Kind(
            "brands",
            _l("品牌"),
            ((_l("编码"), "code"), (_l("名称"), "name"), (_l("类型"), "kind")),
            (
                CODE,
                NAME,
                Input(
                    "kind", _l("品牌类型"), "select", True, lambda: [(k, k) for k in BRAND_KINDS]
                ),
                Input("county", _l("县区")),
            ),
        ),
        Kind(
            "products",
            _l("商品"),
            (
                (_l("编码"), "code"),
                (_l("名称"), "name"),
                (_l("品牌"), "brand"),
                (_l("品类"), "category"),
                (_l("计价单位"), "pricing_unit"),
                (_l("规格数量"), "units_per_item"),
            ),
            (
                CODE,
                NAME,
                Input("brand", _l("品牌"), "select", False, _codes(Brand, Brand.name)),
                Input("brand_joined_on", _l("加入品牌日期"), "date"),
                Input("category", _l("品类"), hint=_l("如 生鲜产品、粮油调味、茶")),
                Input("pricing_unit", _l("计价单位"), hint=_l("斤、kg、件、盒 …")),
                Input("units_per_item", _l("规格数量"), "number", hint=_l("每件含几个计价单位")),
                Input("producer", _l("生产主体")),
            ),
        ),
        Kind(
            "listings",
            _l("平台商品"),
            (
                (_l("平台"), "platform"),
                (_l("平台商品ID"), "platform_product_id"),
                (_l("商家编码"), "merchant_code"),
                (_l("商品"), "product"),
            ),
            (
                PLATFORM,
                Input("platform_product_id", _l("平台商品ID")),
                Input("merchant_code", _l("商家编码")),
                Input("product", _l("商品"), "select", True, _codes(Product, Product.name)),
            ),
        ),
        Kind(
            "baselines",
            _l("基准价"),
            (
                (_l("商品"), "product"),
                (_l("基准类型"), "kind"),
                (_l("单位价格"), "unit_price"),
                (_l("生效日期"), "valid_from"),
                (_l("失效日期"), "valid_to"),
            ),
            (
                Input("product", _l("商品"), "select", True, _codes(Product, Product.name)),
                Input("kind", _l("基准类型"), "select", True, _coded(BASELINE_LABELS)),
                Input("unit_price", _l("单位价格（元/计价单位）"), "number", True),
                Input("valid_from", _l("生效日期"), "date"),
                Input("valid_to", _l("失效日期"), "date"),
                Input("note", _l("说明")),
            ),
        ),
        Kind(
            "targets",
            _l("目标"),
            (
                (_l("年度"), "year"),
                (_l("月份"), "month"),
                (_l("范围类型"), "scope_type"),
                (_l("范围编码"), "scope_code"),
                (_l("指标"), "indicator"),
                (_l("目标值"), "value"),
            ),
            (
                Input("year", _l("年度"), "number", True),
                Input("month", _l("月份"), "number", hint=_l("空为全年目标")),
                Input("scope_type", _l("范围类型"), "select", True, _coded(SCOPE_LABELS)),
                Input("scope_code", _l("范围编码"), required=True, hint=_l("县级目标填县区名称")),
                Input("indicator", _l("指标"), "select", True, _coded(INDICATOR_LABELS)),
                Input("value", _l("目标值"), "number", True),
            ),
        ),
    )
}
# Code → shown label for coded columns of the lists.
COLUMN_LABELS: dict[str, dict[str, Any]] = {
    "platform": PLATFORM_LABELS,
    "scope_type": SCOPE_LABELS,
    "indicator": INDICATOR_LABELS,
}
KIND_LABELS = {"baselines": BASELINE_LABELS}
