"""What is sold: brands (品牌), products (商品), platform listings, baseline prices, categories."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, code, name

UNIT_PRICE = Numeric(14, 4)

AGRICULTURAL_CATEGORIES = (
    "生鲜产品",
    "粮油调味",
    "休闲食品",
    "茶",
    "传统滋补",
    "牛奶乳品",
    "饮料冲调",
    "花卉绿植",
)


class Brand(Base):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[code] = mapped_column(unique=True)
    name: Mapped[name]
    kind: Mapped[str] = mapped_column(String(32))  # 区域公用品牌 / 企业品牌
    county: Mapped[str | None] = mapped_column(String(100))

    products: Mapped[list[Product]] = relationship(back_populates="brand")


class Category(Base):
    """A product category; `agricultural` decides whether it counts in 农产品网络零售额."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    agricultural: Mapped[bool] = mapped_column(Boolean, default=False)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[code] = mapped_column(unique=True)
    name: Mapped[name]
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"), index=True)
    brand_joined_on: Mapped[dt.date | None] = mapped_column(Date)
    category: Mapped[str | None] = mapped_column(String(64), index=True)
    pricing_unit: Mapped[str] = mapped_column(String(16), default="件")
    units_per_item: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal(1))
    producer: Mapped[str | None] = mapped_column(String(200))

    brand: Mapped[Brand | None] = relationship(back_populates="products")


class PlatformListing(Base):
    """(platform, platform product id) or (platform, merchant code 商家编码) → product."""

    __tablename__ = "platform_listings"
    __table_args__ = (
        UniqueConstraint("platform", "platform_product_id"),
        UniqueConstraint("platform", "merchant_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_product_id: Mapped[str | None] = mapped_column(String(64))
    merchant_code: Mapped[str | None] = mapped_column(String(64))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)

    product: Mapped[Product] = relationship()


class BaselinePrice(Base):
    """Reference price per pricing unit: pre_brand, non_brand or reference."""

    __tablename__ = "baseline_prices"
    __table_args__ = (UniqueConstraint("product_id", "kind", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_price: Mapped[Decimal] = mapped_column(UNIT_PRICE)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))

    product: Mapped[Product] = relationship()
