"""The shapes of the registry's records, read and written by the JSON API and the registry pages
alike; other entities are referred to by code."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from app.codes import BASELINE_KINDS, INDICATORS, PLATFORM_ALIASES, PLATFORMS, SCOPE_TYPES
from app.registry.fields import Coded, Id, Money, Ref, Refs
from app.registry.values import BRAND_KINDS

CODE = validate.Length(min=1, max=64)
NAME = validate.Length(min=1, max=200)


def code_field() -> fields.String:
    return fields.String(required=True, validate=CODE, metadata={"description": "编码"})


def optional_text(length: int) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=length))


def platform_field() -> Coded:
    return Coded(PLATFORMS, PLATFORM_ALIASES, required=True)


class TownshipSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field()
    name = fields.String(required=True, validate=NAME)
    county = fields.String(required=True, validate=validate.Length(min=1, max=100))


class VillageSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field()
    name = fields.String(required=True, validate=NAME)
    township = Ref(required=True, metadata={"description": "乡镇编码"})


class ShopSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field()
    platform = platform_field()
    platform_shop_id = optional_text(64)
    name = fields.String(required=True, validate=NAME)
    village = Ref(required=True, metadata={"description": "村编码"})


class RoomSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field()
    platform = platform_field()
    account_id = optional_text(64)
    nickname = optional_text(200)
    village = Ref(required=True, metadata={"description": "村编码"})
    shop = Ref(allow_none=True, metadata={"description": "网店编码 (the room's own shop)"})
    streamers = Refs(dump_only=True, metadata={"description": "主播编码"})


class StreamerSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field()
    name = fields.String(required=True, validate=NAME)
    rooms = Refs(load_default=list, metadata={"description": "直播间编码; replaces the links"})


class BrandSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field()
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(BRAND_KINDS, error="品牌类型可填：" + "、".join(BRAND_KINDS)),
    )
    county = optional_text(100)


class ProductSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = code_field()
    name = fields.String(required=True, validate=NAME)
    brand = Ref(allow_none=True, metadata={"description": "品牌编码"})
    brand_joined_on = fields.Date(allow_none=True, metadata={"description": "加入品牌日期"})
    category = optional_text(64)
    pricing_unit = fields.String(load_default="件", validate=validate.Length(min=1, max=16))
    units_per_item = fields.Decimal(
        load_default=Decimal(1),
        places=4,
        as_string=True,
        validate=validate.Range(min=Decimal("0.0001"), max=Decimal(10**8), error="必须大于 0"),
        metadata={"description": "规格数量: pricing units per item (a 5-斤 box is 5)"},
    )
    producer = optional_text(200)


class ListingSchema(Schema):
    id = fields.Integer(dump_only=True)
    platform = platform_field()
    platform_product_id = optional_text(64)
    merchant_code = optional_text(64)
    product = Ref(required=True, metadata={"description": "商品编码"})


class BaselineSchema(Schema):
    id = fields.Integer(dump_only=True)
    product = Ref(required=True, metadata={"description": "商品编码"})
    kind = Coded(BASELINE_KINDS, required=True)
    unit_price = Money(
        required=True,
        validate=validate.Range(min=Decimal("0.01"), max=Decimal(10**10), error="必须大于 0"),
        metadata={"description": "元 per pricing unit"},
    )
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    note = optional_text(500)


class TargetSchema(Schema):
    id = fields.Integer(dump_only=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    month = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=12))
    scope_type = Coded(SCOPE_TYPES, required=True)
    scope_code = fields.String(
        required=True, validate=CODE, metadata={"description": "县 scope: the county name"}
    )
    indicator = Coded(INDICATORS, required=True)
    value = fields.Decimal(
        places=2,
        as_string=True,
        required=True,
        validate=validate.Range(min=Decimal(0), max=Decimal(10**14), error="不能为负数"),
    )


class CategorySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    agricultural = fields.Boolean(
        load_default=False, metadata={"description": "counts in 农产品网络零售额"}
    )
    parent_id = Id(allow_none=True)
