"""What still uses a registry entity, so it is not deleted from under its records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

from app.extensions import db
from app.models import (
    BaselinePrice,
    Category,
    LiveRoom,
    LiveSession,
    OrderLine,
    PlatformListing,
    Product,
    SalesImport,
    Shop,
    Target,
    UserScope,
    Village,
)


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model).where(*where)) or 0


def _described(counts: list[tuple[int, str]]) -> list[str]:
    """[(2, "个村")] → ["2 个村"], leaving out the zeros."""
    return [f"{number} {noun}" for number, noun in counts if number]


def _targets(scope_type: str, code: str) -> tuple[int, str]:
    where = (Target.scope_type == scope_type, Target.scope_code == code)
    return _count(Target, *where), "条目标"


def _user_scopes(kind: str, code: str) -> tuple[int, str]:
    return _count(UserScope, UserScope.kind == kind, UserScope.code == code), "个用户的权限范围"


def rename_code(scope_type: str, old: str, new: str) -> None:
    """Targets and user scopes name entities by code: a changed code takes them along."""
    db.session.execute(
        db.update(Target)
        .where(Target.scope_type == scope_type, Target.scope_code == old)
        .values(scope_code=new)
    )
    db.session.execute(
        db.update(UserScope)
        .where(UserScope.kind == scope_type, UserScope.code == old)
        .values(code=new)
    )


def township_usage(township: Any) -> list[str]:
    return _described(
        [
            (_count(Village, Village.township_id == township.id), "个村"),
            _targets("township", township.code),
            _user_scopes("township", township.code),
        ]
    )


def village_usage(village: Any) -> list[str]:
    return _described(
        [
            (_count(Shop, Shop.village_id == village.id), "个网店"),
            (_count(LiveRoom, LiveRoom.village_id == village.id), "个直播间"),
            _targets("village", village.code),
        ]
    )


def shop_usage(shop: Any) -> list[str]:
    return _described(
        [
            (_count(LiveRoom, LiveRoom.shop_id == shop.id), "个直播间"),
            (_count(OrderLine, OrderLine.shop_id == shop.id), "条订单行"),
            (_count(SalesImport, SalesImport.shop_id == shop.id), "次销售导入"),
        ]
    )


def room_usage(room: Any) -> list[str]:
    return _described(
        [
            (_count(LiveSession, LiveSession.room_id == room.id), "场直播"),
            (_count(OrderLine, OrderLine.room_id == room.id), "条订单行"),
            _targets("room", room.code),
            _user_scopes("room", room.code),
        ]
    )


def streamer_usage(streamer: Any) -> list[str]:
    return _described(
        [
            (_count(LiveSession, LiveSession.streamer_id == streamer.id), "场直播"),
            _targets("streamer", streamer.code),
        ]
    )


def brand_usage(brand: Any) -> list[str]:
    return _described(
        [
            (_count(Product, Product.brand_id == brand.id), "个商品"),
            _targets("brand", brand.code),
            _user_scopes("brand", brand.code),
        ]
    )


def product_usage(product: Any) -> list[str]:
    return _described(
        [
            (_count(PlatformListing, PlatformListing.product_id == product.id), "条平台商品"),
            (_count(BaselinePrice, BaselinePrice.product_id == product.id), "条基准价"),
            (_count(OrderLine, OrderLine.product_id == product.id), "条订单行"),
        ]
    )


def category_usage(category: Any) -> list[str]:
    return _described(
        [
            (_count(Product, Product.category == category.name), "个商品"),
            (_count(Category, Category.parent_id == category.id), "个子品类"),
        ]
    )
