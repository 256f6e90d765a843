"""What the imports page offers: the headers of a stored file and a first guess of their mapping.

Which shops and imports a user may see is decided in `app.auth.rows`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from app.codes import PLATFORMS
from app.ingest import ImportFileError
from app.ingest.readers import open_sources
from app.ingest.text import display_header
from app.models import SalesImport, Shop
from app.wording import N_, say
from tasks.uploads import UploadError

# The history's status filter, in the order an import passes through them.
STATUSES = ("queued", "running", "succeeded", "failed")


@dataclass(frozen=True)
class HistoryFilters:
    """The import history's filters as read from the URL; unknown values are dropped."""

    shop: Shop | None = None
    platform: str | None = None
    status: str | None = None

    @property
    def args(self) -> dict[str, str]:
        """The filters as URL arguments (for the pager)."""
        found = {
            "shop": self.shop.code if self.shop else None,
            "platform": self.platform,
            "status": self.status,
        }
        return {key: value for key, value in found.items() if value}


def history_filters(args: Mapping[str, str], shops: Sequence[Shop]) -> HistoryFilters:
    """`?shop=`, `?platform=`, `?status=`: a shop among those in scope, a known platform and
    status; anything else is ignored rather than refused."""
    code = (args.get("shop") or "").strip()
    platform = (args.get("platform") or "").strip()
    status = (args.get("status") or "").strip()
    return HistoryFilters(
        shop=next((shop for shop in shops if shop.code == code), None),
        platform=platform if platform in PLATFORMS else None,
        status=status if status in STATUSES else None,
    )


def filtered(query: Select[tuple[SalesImport]], filters: HistoryFilters) -> Select[Any]:
    """The visible imports narrowed to the chosen shop, platform and status."""
    if filters.shop is not None:
        query = query.where(SalesImport.shop_id == filters.shop.id)
    if filters.platform:
        query = query.where(SalesImport.platform == filters.platform)
    if filters.status:
        query = query.where(SalesImport.status == filters.status)
    return query


def shop_question(error: UploadError, language: str) -> dict[str, Any]:
    """What the form asks when an upload needs its shop: the message and the candidates."""
    return {
        "message": error.say(language),
        "codes": [option.code for option in error.candidates],
        "candidates": [option.as_dict() for option in error.candidates],
    }


# Cunbo's line fields a mapping fills, with what a clerk calls them and header words that
# usually name them (for the first guess of the mapping form).
MAPPING_FIELDS: tuple[tuple[str, Any, bool, tuple[str, ...]], ...] = (
    ("order_id", _l("订单号"), True, ("订单号", "订单编号", "订单id", "主订单", "单号")),
    ("line_id", _l("子订单号"), False, ("子订单", "订单明细", "商品订单号")),
    (
        "paid",
        _l("实付金额（元）"),
        True,
        ("实付", "实收", "支付金额", "付款金额", "成交金额", "金额"),
    ),
    ("paid_at", _l("支付时间"), True, ("支付时间", "付款时间", "成交时间")),
    ("created_at", _l("下单时间"), False, ("下单时间", "创建时间")),
    ("quantity", _l("数量"), False, ("数量", "件数", "购买数")),
    ("refund", _l("退款金额（元）"), False, ("退款金额", "退款额")),
    ("status", _l("订单状态"), False, ("订单状态", "状态")),
    ("after_sale", _l("售后状态"), False, ("售后", "退款状态")),
    ("product_id", _l("平台商品ID"), False, ("商品id", "商品编号")),
    ("merchant_code", _l("商家编码"), False, ("商家编码", "货号", "外部编码")),
    ("product_name", _l("商品名称"), False, ("商品名称", "商品标题", "宝贝名称", "商品")),
    ("streamer_id", _l("主播/达人ID"), False, ("达人id", "主播id", "作者id", "带货id")),
    ("streamer_nickname", _l("主播/达人昵称"), False, ("达人昵称", "主播昵称", "作者昵称")),
    ("live", _l("是否直播成交"), False, ("是否直播", "直播")),
    ("province", _l("省份"), False, ("省份", "省")),
)


# What the page offers after a failure, by the import's code (never by its message).
PASSWORD_CODES = ("encrypted_no_password", "wrong_password")
MAPPING_CODES = (
    "unknown_format",
    "mapping_unknown_field",
    "mapping_column_missing",
    "mapping_incomplete",
)
REEXPORT_CODES = (
    "ids_damaged",
    "order_level_export",
    "corrupt_file",
    "corrupt_workbook",
    "unreadable_workbook",
    "sheet_malformed",
)
FAILURE_KINDS = {"password": PASSWORD_CODES, "mapping": MAPPING_CODES, "reexport": REEXPORT_CODES}


def failure_kind(code: str | None) -> str | None:
    """`password`, `mapping` or `reexport`: what a failure with this code asks of the clerk."""
    return next((kind for kind, codes in FAILURE_KINDS.items() if code in codes), None)


def unknown_format(record: SalesImport) -> bool:
    """Whether the import failed because no known export format matched its headers."""
    return record.status == "failed" and failure_kind(record.code) == "mapping"


def file_headers(record: SalesImport, password: str | None = None) -> list[str]:
    """The header row of the stored file's first table (raises ImportFileError)."""
    path = Path(record.stored_path)
    if not path.is_file():
        raise ImportFileError(say(N_("上传的文件已不在服务器上，请重新上传。")), "file_gone")
    for source in open_sources(path, password):
        return [display_header(h) for h in source.headers if display_header(h)]
    raise ImportFileError(say(N_("文件中没有找到任何表头。")), "empty_file")


# Narrow fields guess first, so 子订单号 is not taken for 订单号 nor 售后状态 for 订单状态.
GUESS_FIRST = ("line_id", "after_sale", "refund", "streamer_id", "streamer_nickname")


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """A first guess of which header fills each field; each header is used at most once."""
    used: set[str] = set()
    guesses: dict[str, str] = {}
    ordered = sorted(
        MAPPING_FIELDS, key=lambda f: (f[0] not in GUESS_FIRST, MAPPING_FIELDS.index(f))
    )
    for name, _label, _required, words in ordered:
        for word in words:
            found = next((h for h in headers if h not in used and word.lower() in h.lower()), None)
            if found:
                guesses[name] = found
                used.add(found)
                break
    return guesses
