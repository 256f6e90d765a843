"""What each kind of registry record is: how it is searched, checked, referred to and saved.

`RESOURCES` is read by the JSON API (one set of endpoints per resource) and the registry pages
alike; `resource(name)` finds one by its name (the URL segment, e.g. "townships").
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from app.auth import rows
from app.codes import BASELINE_KINDS, INDICATORS, PLATFORM_ALIASES, PLATFORMS, SCOPE_TYPES
from app.extensions import db
from app.ingest.rematch import rematch_lines, resync_lines
from app.models import (
    BaselinePrice,
    Brand,
    Category,
    LiveRoom,
    PlatformListing,
    Product,
    Shop,
    Streamer,
    Target,
    Township,
    Village,
)
from app.registry import usage
from app.registry.categories import ensure_categories
from app.registry.fields import Coded, Ref
from app.registry.loaders.targets import scope_code_known, scope_message
from app.registry.records import Changes, RegistryError, Resource, Unique
from app.registry.schemas import (
    BaselineSchema,
    BrandSchema,
    CategorySchema,
    ListingSchema,
    ProductSchema,
    RoomSchema,
    ShopSchema,
    StreamerSchema,
    TargetSchema,
    TownshipSchema,
    VillageSchema,
)


def _id_of(model: Any, code: str) -> Any:
    """A scalar subquery: the id of the `model` row with this code (NULL when none)."""
    return db.select(model.id).where(model.code == code).scalar_subquery()


def _by_code(column: Any, model: Any) -> tuple[fields.Field, Any]:
    return Ref(), lambda code: column == _id_of(model, code)


def _platform(column: Any) -> tuple[fields.Field, Any]:
    return Coded(PLATFORMS, PLATFORM_ALIASES), lambda code: column == code


def check_product(product: Product) -> dict[str, str]:
    if product.brand_joined_on is not None and product.brand_id is None:
        return {"brand_joined_on": "填写了加入品牌日期，但没有填写品牌"}
    return {}


def after_product(product: Product, _extra: dict[str, Any], changes: Changes) -> None:
    if product.category and "category" in changes:
        ensure_categories([product.category])


def check_listing(listing: PlatformListing) -> dict[str, str]:
    if not listing.platform_product_id and not listing.merchant_code:
        return {"platform_product_id": "平台商品ID和商家编码至少填写一个"}
    return {}


def after_listing(listing: PlatformListing, _extra: dict[str, Any], changes: Changes) -> None:
    """Stored lines follow the listing at once, with their figures: lines it named before
    (other keys, platform or product) are matched again, and the lines it names now get its
    product."""
    keys = ("platform", "platform_product_id", "merchant_code", "product_id")
    was = {key: changes[key][0] if key in changes else getattr(listing, key) for key in keys}
    if was["product_id"] is not None and any(key in changes for key in keys):
        resync_lines({was["platform"], listing.platform}, {was["product_id"]})
    rematch_lines(platforms=[listing.platform])


def removed_listing(listing: PlatformListing) -> None:
    """Lines the deleted listing matched are matched again (未登记商品 when nothing names them)."""
    resync_lines({listing.platform}, {listing.product_id})


def check_baseline(baseline: BaselinePrice) -> dict[str, str]:
    if baseline.valid_from and baseline.valid_to and baseline.valid_to < baseline.valid_from:
        return {"valid_to": "失效日期不能早于生效日期"}
    return {}


def check_target(target: Target) -> dict[str, str]:
    if not scope_code_known(target.scope_type, target.scope_code):
        return {"scope_code": scope_message(target.scope_type, target.scope_code)}
    return {}


def after_streamer(streamer: Streamer, extra: dict[str, Any], _changes: Changes) -> None:
    """`rooms`, when given, replaces the streamer's room links."""
    if "rooms" not in extra:
        return
    codes = list(dict.fromkeys(extra["rooms"] or []))
    rooms = list(db.session.scalars(db.select(LiveRoom).where(LiveRoom.code.in_(codes))))
    unknown = sorted(set(codes) - {room.code for room in rooms})
    if unknown:
        message = f"直播间编码“{'、'.join(unknown)}”不存在，请先登记该直播间"
        raise RegistryError.invalid({"rooms": [message]})
    streamer.rooms = rooms


def check_category(category: Category) -> dict[str, str]:
    if category.parent_id is None:
        return {}
    if category.parent_id == category.id:
        return {"parent_id": "上级品类不能是它自己"}
    if db.session.get(Category, category.parent_id) is None:
        return {"parent_id": f"上级品类编号“{category.parent_id}”不存在"}
    return {}


def after_category(category: Category, _extra: dict[str, Any], changes: Changes) -> None:
    """Products name their category: a renamed category takes its products along."""
    if "name" in changes:
        old, new = changes["name"]
        db.session.execute(db.update(Product).where(Product.category == old).values(category=new))


RESOURCES = (
    Resource(
        "townships",
        "乡镇",
        Township,
        TownshipSchema,
        search=(Township.code, Township.name, Township.county),
        order=(Township.code,),
        usage=usage.township_usage,
        scope_type="township",
        visible=rows.township_clause,
    ),
    Resource(
        "villages",
        "村",
        Village,
        VillageSchema,
        search=(Village.code, Village.name),
        order=(Village.code,),
        refs={"township": (Township, "township_id", "乡镇")},
        filters={"township": _by_code(Village.township_id, Township)},
        usage=usage.village_usage,
        scope_type="village",
        visible=rows.village_clause,
    ),
    Resource(
        "shops",
        "网店",
        Shop,
        ShopSchema,
        search=(Shop.code, Shop.name, Shop.platform_shop_id),
        order=(Shop.code,),
        refs={"village": (Village, "village_id", "村")},
        filters={
            "village": _by_code(Shop.village_id, Village),
            "platform": _platform(Shop.platform),
        },
        usage=usage.shop_usage,
        visible=rows.shop_clause,
    ),
    Resource(
        "rooms",
        "直播间",
        LiveRoom,
        RoomSchema,
        search=(LiveRoom.code, LiveRoom.nickname, LiveRoom.account_id),
        order=(LiveRoom.code,),
        refs={"village": (Village, "village_id", "村"), "shop": (Shop, "shop_id", "网店")},
        unique=(Unique(("platform", "account_id"), "该平台账号“{account_id}”已登记为其他直播间"),),
        filters={
            "village": _by_code(LiveRoom.village_id, Village),
            "shop": _by_code(LiveRoom.shop_id, Shop),
            "platform": _platform(LiveRoom.platform),
        },
        usage=usage.room_usage,
        scope_type="room",
        visible=rows.room_clause,
    ),
    Resource(
        "streamers",
        "主播",
        Streamer,
        StreamerSchema,
        search=(Streamer.code, Streamer.name),
        order=(Streamer.code,),
        extra=("rooms",),
        after=after_streamer,
        usage=usage.streamer_usage,
        scope_type="streamer",
        visible=rows.streamer_clause,
    ),
    Resource(
        "brands",
        "品牌",
        Brand,
        BrandSchema,
        search=(Brand.code, Brand.name),
        order=(Brand.code,),
        usage=usage.brand_usage,
        scope_type="brand",
        visible=rows.brand_clause,
    ),
    Resource(
        "products",
        "商品",
        Product,
        ProductSchema,
        search=(Product.code, Product.name, Product.category, Product.producer),
        order=(Product.code,),
        refs={"brand": (Brand, "brand_id", "品牌")},
        filters={
            "brand": _by_code(Product.brand_id, Brand),
            "category": (fields.String(), lambda name: Product.category == name),
        },
        check=check_product,
        after=after_product,
        usage=usage.product_usage,
        visible=rows.product_clause,
    ),
    Resource(
        "listings",
        "平台商品",
        PlatformListing,
        ListingSchema,
        key="id",
        search=(PlatformListing.platform_product_id, PlatformListing.merchant_code),
        order=(PlatformListing.id,),
        refs={"product": (Product, "product_id", "商品")},
        unique=(
            Unique(
                ("platform", "platform_product_id"),
                "平台商品ID“{platform_product_id}”在该平台已登记",
            ),
            Unique(("platform", "merchant_code"), "商家编码“{merchant_code}”在该平台已登记"),
        ),
        filters={
            "product": _by_code(PlatformListing.product_id, Product),
            "platform": _platform(PlatformListing.platform),
        },
        check=check_listing,
        after=after_listing,
        removed=removed_listing,
        visible=rows.listing_clause,
    ),
    Resource(
        "baselines",
        "基准价",
        BaselinePrice,
        BaselineSchema,
        key="id",
        search=(BaselinePrice.note,),
        order=(BaselinePrice.id,),
        refs={"product": (Product, "product_id", "商品")},
        unique=(
            Unique(
                ("product_id", "kind", "valid_from"),
                "该商品已有同一基准类型、同一生效日期的基准价",
                nulls_distinct=False,
            ),
        ),
        filters={
            "product": _by_code(BaselinePrice.product_id, Product),
            "kind": (Coded(BASELINE_KINDS), lambda kind: BaselinePrice.kind == kind),
        },
        check=check_baseline,
        visible=rows.baseline_clause,
        # SPEC §1: brand managers keep the baselines of their own brands' products.
        write_roles=("admin", "brand"),
        scoped_refs={"product": rows.product_clause},
    ),
    Resource(
        "targets",
        "目标",
        Target,
        TargetSchema,
        key="id",
        search=(Target.scope_code,),
        order=(Target.year, Target.month, Target.scope_type, Target.scope_code, Target.id),
        unique=(
            Unique(
                ("year", "month", "scope_type", "scope_code", "indicator"),
                "“{scope_code}”在该年度（月份）已有这一指标的目标，请修改原目标",
                nulls_distinct=False,
            ),
        ),
        filters={
            "year": (
                fields.Integer(validate=validate.Range(min=2000, max=2100)),
                lambda year: Target.year == year,
            ),
            "scope_type": (Coded(SCOPE_TYPES), lambda scope: Target.scope_type == scope),
            "indicator": (Coded(INDICATORS), lambda code: Target.indicator == code),
        },
        check=check_target,
        visible=rows.target_clause,
    ),
    Resource(
        "categories",
        "品类",
        Category,
        CategorySchema,
        key="id",
        search=(Category.name,),
        order=(Category.id,),
        unique=(Unique(("name",), "品类“{name}”已存在"),),
        filters={
            "agricultural": (fields.Boolean(), lambda flag: Category.agricultural.is_(flag)),
        },
        check=check_category,
        after=after_category,
        usage=usage.category_usage,
    ),
)

BY_NAME = {resource.name: resource for resource in RESOURCES}


def resource(name: str) -> Resource:
    """The resource called `name`; KeyError for none."""
    return BY_NAME[name]
