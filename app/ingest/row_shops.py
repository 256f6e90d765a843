"""Which registered shop each row of an import belongs to, and who may import it.

Each row keeps the registered shop it names; a row naming none (or one the registry does not
know) takes the upload's shop. The uploader's scope bounds what a file may name: a row naming a
shop outside it refuses the whole file.
"""

from __future__ import annotations

import pandas as pd

from app.auth.rows import shops_in_scope
from app.auth.scope import scope_for
from app.extensions import db
from app.ingest import ImportFileError
from app.ingest.errors import RowError
from app.models import SalesImport, User
from app.wording import N_, Wording, say

_SHOP_REQUIRED = N_("文件中没有网店信息，请在上传时选择网店。")
_ROW_WITHOUT_SHOP = N_("该行没有网店编码，请补上或在上传时选择网店。")
_ROW_UNKNOWN_SHOP = N_("网店“{shop}”未在名录中登记，请先登记或在上传时选择网店。")
_ROWS_OUTSIDE = N_(
    "文件中有订单行写明的网店 {shops} 不存在或不在上传者的管辖范围内，整个文件没有导入："
    "请只上传管辖网店的导出（全县的导出由县中心上传）。"
)
MAX_NAMED_SHOPS = 10


def uploader_shops(record: SalesImport) -> frozenset[int] | None:
    """The shops whose lines the import's uploader may import, None for any (the county
    centre, the command line): a row naming any other shop refuses the file."""
    if record.created_by_id is None:
        return None
    scope = scope_for(db.session.get(User, record.created_by_id))
    if scope.county:
        return None
    return frozenset(shop.id for shop in shops_in_scope(scope))


def assign_shops(
    lines: pd.DataFrame,
    record: SalesImport,
    shops: dict[str, int],
    allowed: frozenset[int] | None = None,
) -> tuple[pd.DataFrame, list[RowError]]:
    """Each row keeps the registered shop it names; a row naming none (or a shop the registry
    does not know) takes the upload's shop, and without one it is an error. A row naming a
    shop outside `allowed` (an unknown one too, when no shop was chosen) refuses the file."""
    named = lines["shop_ref"].map(shops)
    if allowed is not None:
        foreign = named.notna() & ~named.isin(allowed)
        if record.shop_id is None:
            foreign |= lines["shop_ref"].notna() & named.isna()
        if foreign.any():
            raise _names_other_shops(lines.loc[foreign, "shop_ref"])
    if record.shop_id is not None:
        lines["shop_id"] = named.fillna(record.shop_id).astype("int64")
        return lines, []
    if lines["shop_ref"].isna().all():
        raise ImportFileError(say(_SHOP_REQUIRED), "shop_required")
    unknown = lines[named.isna()]
    errors = [
        RowError.said(
            int(row.row),
            "网店",
            "" if pd.isna(row.shop_ref) else str(row.shop_ref),
            _unknown_shop(row.shop_ref),
            "unknown_shop",
        )
        for row in unknown.itertuples()
    ]
    lines = lines[named.notna()].copy()
    lines["shop_id"] = named[named.notna()].astype("int64")
    return lines, errors


def _names_other_shops(references: pd.Series) -> ImportFileError:
    found = sorted({str(ref) for ref in references})
    listed = "、".join(f"“{ref}”" for ref in found[:MAX_NAMED_SHOPS])
    if len(found) > MAX_NAMED_SHOPS:
        listed += "…"
    return ImportFileError(say(_ROWS_OUTSIDE, shops=listed), "shop_out_of_scope")


def _unknown_shop(reference: object) -> Wording:
    if pd.isna(reference):
        return say(_ROW_WITHOUT_SHOP)
    return say(_ROW_UNKNOWN_SHOP, shop=reference)
