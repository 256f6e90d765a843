"""The domain model of SPEC §2."""

from app.models.base import Base, Money, UTCDateTime, utcnow
from app.models.catalog import (
    AGRICULTURAL_CATEGORIES,
    BaselinePrice,
    Brand,
    Category,
    PlatformListing,
    Product,
)
from app.models.commerce import LiveRoom, LiveSession, Shop, Streamer, room_streamers
from app.models.jobs import RegistryLoad
from app.models.region import Township, Village
from app.models.rollups import (
    ROLLUP_MODELS,
    RollupBrandDay,
    RollupBrandMonth,
    RollupBrandYear,
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
    RollupShopDay,
    RollupShopMonth,
    RollupSplitOrder,
    RollupStamp,
)
from app.models.sales import ColumnMapping, ImportRowError, OrderLine, SalesImport
from app.models.staging import StagedLine
from app.models.targets import MonthClose, Target
from app.models.users import ROLES, ApiToken, User, UserScope
from app.models.versions import DataVersion, bump_data_version, data_version

__all__ = [
    "AGRICULTURAL_CATEGORIES",
    "ROLES",
    "ROLLUP_MODELS",
    "ApiToken",
    "Base",
    "BaselinePrice",
    "Brand",
    "Category",
    "ColumnMapping",
    "DataVersion",
    "ImportRowError",
    "LiveRoom",
    "LiveSession",
    "MonthClose",
    "Money",
    "OrderLine",
    "PlatformListing",
    "Product",
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
    "RegistryLoad",
    "SalesImport",
    "Shop",
    "StagedLine",
    "Streamer",
    "Target",
    "Township",
    "UTCDateTime",
    "User",
    "UserScope",
    "Village",
    "room_streamers",
    "bump_data_version",
    "data_version",
    "utcnow",
]
