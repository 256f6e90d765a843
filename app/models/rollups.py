"""Rollups of order lines by day, month and year, so county figures need not scan every line.

Derived data only: `app.metrics.rollups` rebuilds them from `order_lines`, the source of truth.
Periods are Beijing payment days; `month` and `year` columns hold the period's first day.

- Shop rollups: per (period, shop) the sums of sale lines (gross, refund, net of lines kept,
  lines, units, fully refunded lines), distinct orders, and the 未登记商品 part. They answer
  every figure that depends only on when and in which shop something sold.
- Item rollups: the same sums per (period, shop, product, room), for figures by product,
  brand, category, agriculture or live room.
- Brand rollups: the same sums and distinct orders per (period, shop, brand), the brand
  judged on each day from the products' join dates. They hold only while the products'
  brands and join dates are those stamped in `rollup_stamps`; otherwise figures are read
  from the item and mix rows, and the next refresh recomputes them.
- Product rollups: distinct orders holding a product per (period, shop, product), for
  figures by product.
- Distinct orders do not add across products or rooms, so for other groupings orders are
  counted per *mix*: the set of (product, room) pairs an order bought on its payment day. An order's
  day in a shop is one row of `rollup_order_*` under its mix; a grouping by product, brand,
  category or room counts the row once in each group its mix touches, which is exact.
- An order whose sale lines were paid on different days would be counted on each day; such
  orders (rare) are left out of the order counts above and kept as fragments in
  `rollup_split_orders`, counted distinctly at query time.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, money
from app.models.sales import OrderLine

ROW_ID = BigInteger().with_variant(Integer, "sqlite")


class _Sums:
    gross: Mapped[money]
    refund: Mapped[money]
    # Σ (paid − refund) over lines not refunded in full: the numerator of unit prices.
    kept_net: Mapped[money]
    lines: Mapped[int] = mapped_column(BigInteger)
    # Σ quantity over lines not refunded in full.
    units: Mapped[int] = mapped_column(BigInteger)
    refunded_lines: Mapped[int] = mapped_column(BigInteger)


class _ShopSums(_Sums):
    # Orders paid on this one day (see rollup_split_orders for the others).
    orders: Mapped[int] = mapped_column(BigInteger)
    unregistered_gross: Mapped[money]
    unregistered_refund: Mapped[money]
    unregistered_lines: Mapped[int] = mapped_column(BigInteger)


class RollupShopDay(_ShopSums, Base):
    """Sale lines and orders per (payment day, shop)."""

    __tablename__ = "rollup_shop_days"
    __table_args__ = (Index("ix_rollup_shop_days_day_shop", "day", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)


class RollupShopMonth(_ShopSums, Base):
    """Sale lines and orders per (payment month, shop)."""

    __tablename__ = "rollup_shop_months"
    __table_args__ = (Index("ix_rollup_shop_months_month_shop", "month", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)


class RollupItemDay(_Sums, Base):
    """Sale lines per (payment day, shop, product, room)."""

    __tablename__ = "rollup_item_days"
    __table_args__ = (
        Index("ix_rollup_item_days_day_shop", "day", "shop_id"),
        Index("ix_rollup_item_days_month_product", "month", "product_id"),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)
    room_id: Mapped[int | None] = mapped_column(Integer)


class RollupItemMonth(_Sums, Base):
    """Sale lines per (payment month, shop, product, room)."""

    __tablename__ = "rollup_item_months"
    __table_args__ = (
        Index("ix_rollup_item_months_month_shop", "month", "shop_id"),
        Index("ix_rollup_item_months_month_product", "month", "product_id"),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)
    room_id: Mapped[int | None] = mapped_column(Integer)


class RollupItemYear(_Sums, Base):
    """Sale lines per (payment year, shop, product, room)."""

    __tablename__ = "rollup_item_years"
    __table_args__ = (Index("ix_rollup_item_years_year_shop", "year", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    year: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)
    room_id: Mapped[int | None] = mapped_column(Integer)


class RollupMix(Base):
    """A set of (product, room) pairs bought together in one order on one day."""

    __tablename__ = "rollup_mixes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sorted `product:room` pairs joined by commas; empty for an unregistered product or no room.
    signature: Mapped[str] = mapped_column(Text, unique=True)


class RollupMixMember(Base):
    """One (product, room) pair of a mix."""

    __tablename__ = "rollup_mix_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    mix_id: Mapped[int] = mapped_column(Integer, index=True)
    product_id: Mapped[int | None] = mapped_column(Integer)
    room_id: Mapped[int | None] = mapped_column(Integer)


class RollupOrderDay(Base):
    """Orders per (payment day, shop, mix), of orders paid on a single day."""

    __tablename__ = "rollup_order_days"
    __table_args__ = (
        Index("ix_rollup_order_days_day_shop", "day", "shop_id"),
        Index("ix_rollup_order_days_month_mix", "month", "mix_id"),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    mix_id: Mapped[int] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(BigInteger)


class RollupOrderMonth(Base):
    """Orders per (payment month, shop, mix), summed from the days."""

    __tablename__ = "rollup_order_months"
    __table_args__ = (
        Index("ix_rollup_order_months_month_shop", "month", "shop_id"),
        Index("ix_rollup_order_months_month_mix", "month", "mix_id"),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    mix_id: Mapped[int] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(BigInteger)


class RollupOrderYear(Base):
    """Orders per (payment year, shop, mix), summed from the months."""

    __tablename__ = "rollup_order_years"
    __table_args__ = (Index("ix_rollup_order_years_year_shop", "year", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    year: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    mix_id: Mapped[int] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(BigInteger)


class RollupProductDay(Base):
    """Orders per (payment day, shop, product): distinct orders holding the product."""

    __tablename__ = "rollup_product_days"
    __table_args__ = (
        Index("ix_rollup_product_days_day_shop", "day", "shop_id"),
        Index("ix_rollup_product_days_month_product", "month", "product_id"),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(BigInteger)


class RollupProductMonth(Base):
    """Orders per (payment month, shop, product), summed from the days."""

    __tablename__ = "rollup_product_months"
    __table_args__ = (
        Index("ix_rollup_product_months_month_shop", "month", "shop_id"),
        Index("ix_rollup_product_months_month_product", "month", "product_id"),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(BigInteger)


class RollupProductYear(Base):
    """Orders per (payment year, shop, product), summed from the months."""

    __tablename__ = "rollup_product_years"
    __table_args__ = (Index("ix_rollup_product_years_year_shop", "year", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    year: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(BigInteger)


class _BrandSums(_Sums):
    # Distinct orders holding a product of the brand (rows of sums carry 0 here, rows of
    # orders carry 0 sums: a query adds both).
    orders: Mapped[int] = mapped_column(BigInteger)


class RollupBrandDay(_BrandSums, Base):
    """Sale lines and orders per (payment day, shop, brand as of that day; NULL: no brand)."""

    __tablename__ = "rollup_brand_days"
    __table_args__ = (Index("ix_rollup_brand_days_day_shop", "day", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    brand_id: Mapped[int | None] = mapped_column(Integer)


class RollupBrandMonth(_BrandSums, Base):
    """Sale lines and orders per (payment month, shop, brand)."""

    __tablename__ = "rollup_brand_months"
    __table_args__ = (Index("ix_rollup_brand_months_month_shop", "month", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    brand_id: Mapped[int | None] = mapped_column(Integer)


class RollupBrandYear(_BrandSums, Base):
    """Sale lines and orders per (payment year, shop, brand)."""

    __tablename__ = "rollup_brand_years"
    __table_args__ = (Index("ix_rollup_brand_years_year_shop", "year", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    year: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    brand_id: Mapped[int | None] = mapped_column(Integer)


class RollupStamp(Base):
    """What a derived table was computed from, e.g. the products' brands and join dates."""

    __tablename__ = "rollup_stamps"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class RollupSplitOrder(Base):
    """A (day, product, room) fragment of an order whose sale lines were paid on several days."""

    __tablename__ = "rollup_split_orders"
    __table_args__ = (Index("ix_rollup_split_orders_day_shop", "day", "shop_id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True)
    order_key: Mapped[str] = mapped_column(String(200))
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    shop_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)
    room_id: Mapped[int | None] = mapped_column(Integer)


ROLLUP_MODELS = (
    RollupShopDay,
    RollupShopMonth,
    RollupItemDay,
    RollupItemMonth,
    RollupItemYear,
    RollupMix,
    RollupMixMember,
    RollupOrderDay,
    RollupOrderMonth,
    RollupOrderYear,
    RollupProductDay,
    RollupProductMonth,
    RollupProductYear,
    RollupBrandDay,
    RollupBrandMonth,
    RollupBrandYear,
    RollupStamp,
    RollupSplitOrder,
)

__all__ = [
    "ROLLUP_MODELS",
    "RollupBrandDay",
    "RollupBrandMonth",
    "RollupBrandYear",
    "RollupItemDay",
    "RollupItemMonth",
    "RollupItemYear",
    "RollupMix",
    "RollupMixMember",
    "RollupOrderDay",
    "RollupOrderMonth",
    "RollupOrderYear",
    "RollupProductDay",
    "RollupProductMonth",
    "RollupProductYear",
    "RollupShopDay",
    "RollupShopMonth",
    "RollupSplitOrder",
    "RollupStamp",
]


# Refreshing a day also refreshes the other payment days of its orders; finding them needs the
# order lines by order. Declared here, beside the rollups that need it.
Index("ix_order_lines_shop_order", OrderLine.shop_id, OrderLine.order_id)
