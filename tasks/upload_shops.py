"""Which shop an upload is for when the uploader named none, or named one of their own.

The head of the kept file decides: rows that name their shops need none (the county centre),
one shop that fits is taken, several are offered to choose among (`shop_required` with
`ShopOption`s), and a file naming shops the uploader may not import for is refused. Bytes
already imported for exactly one of the offered shops answer with that import (`_AnswerWith`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.auth.rows import shops_in_scope
from app.codes import PLATFORMS
from app.extensions import db
from app.ingest.shop_choice import FileHead, ShopChoice, choose_shop, others_named, read_head
from app.ingest.storage import StoredFile
from app.models import SalesImport, Shop
from app.wording import N_, say
from tasks.upload_errors import UploadError

if TYPE_CHECKING:
    from tasks.uploads import UploadRequest

# An upload with these bytes (and shop) already imported, or on its way, is not imported again.
# A failed one may be retried by uploading the file again.
LIVE_STATUSES = ("queued", "running", "succeeded")

_CHOOSE_SHOP = N_(
    "请选择网店：这个文件（{platform}）没有写明所属网店，符合的网店有 {count} 个：{shops}。"
    "选定其中一个后再上传。"
)
_NO_SHOP = N_("请选择网店：没有可以为这个文件上传的网店，请先在名录中登记网店。")
_NAMES_OTHER_SHOPS = N_(
    "这个文件写明的网店 {shops} 不存在或不在您的管辖范围内，没有上传："
    "请只上传您管辖的网店的导出（全县的导出由县中心上传）；"
    "如果这是您的网店，请联系县中心在名录中登记它的店铺ID。"
)


@dataclass(frozen=True, slots=True)
class ShopOption:
    """A shop the uploader may choose for a file that does not name its own."""

    code: str
    name: str
    platform: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "platform": self.platform}


class _AnswerWith(Exception):  # noqa: N818 - not an error: the upload answers with this import
    """The bytes were already imported for one of the shops the uploader would be asked for."""

    def __init__(self, record: SalesImport) -> None:
        super().__init__(record.id)
        self.record = record


def _chosen_shop(
    upload: UploadRequest, stored: StoredFile, name: str, mapping: dict[str, str] | None
) -> Shop | None:
    """The shop of an upload that named none, from the head of the kept file: None when the
    rows name theirs; refused when the file names a shop the uploader may not import for
    (`shop_out_of_scope`), or with the shops to choose among when it names none that fits."""
    head = _head(upload, stored, name, mapping)
    choice = choose_shop(head, shops_in_scope(upload.scope), rows_may_name=upload.scope.county)
    if choice.refuses:
        raise names_other_shops(choice.outside)
    if not choice.asks:
        return choice.shop
    earlier = _earlier_import(stored.sha256, choice)
    if earlier is not None:
        raise _AnswerWith(earlier)
    raise shop_required(choice, head.platform)


def _head(
    upload: UploadRequest, stored: StoredFile, name: str, mapping: dict[str, str] | None
) -> FileHead:
    """The first rows of the kept file, read as its import will read them."""
    return read_head(
        stored.path,
        platform=upload.platform,
        password=upload.password,
        mapping=mapping,
        filename=name,
    )


def _check_named_shops(
    upload: UploadRequest, stored: StoredFile, name: str, mapping: dict[str, str] | None
) -> None:
    """A shop chosen by anybody but the county centre: refused when the file's first rows
    name a registered shop that is not theirs (its rows would keep that shop)."""
    head = _head(upload, stored, name, mapping)
    others = others_named(head, shops_in_scope(upload.scope))
    if others:
        raise names_other_shops(others)


def shop_required(choice: ShopChoice, platform: str | None) -> UploadError:
    """`shop_required` with the shops to choose among, named in the message too (CLI)."""
    options = tuple(ShopOption(s.code, s.name, s.platform) for s in choice.candidates)
    if not options:
        return UploadError("shop_required", say(_NO_SHOP))
    listed = "、".join(f"{o.name}（{o.code}）" for o in options[:MAX_LISTED_SHOPS])
    if len(options) > MAX_LISTED_SHOPS:
        listed += "…"
    label = say(PLATFORMS.get(platform or "other", PLATFORMS["other"]))
    message = say(_CHOOSE_SHOP, platform=label, count=len(options), shops=listed)
    return UploadError("shop_required", message, options)


MAX_LISTED_SHOPS = 10


def names_other_shops(references: tuple[str, ...]) -> UploadError:
    """`shop_out_of_scope` for a file whose shop column names shops that are not the uploader's
    (an unknown one answers alike: nothing is revealed), each named as the file writes it."""
    listed = "、".join(f"“{ref}”" for ref in references[:MAX_LISTED_SHOPS])
    if len(references) > MAX_LISTED_SHOPS:
        listed += "…"
    return UploadError("shop_out_of_scope", say(_NAMES_OTHER_SHOPS, shops=listed))


def _earlier_import(sha256: str, choice: ShopChoice) -> SalesImport | None:
    """The one live import of these bytes among the candidate shops, if exactly one."""
    ids = [shop.id for shop in choice.candidates]
    found = db.session.scalars(
        select(SalesImport)
        .where(
            SalesImport.sha256 == sha256,
            SalesImport.shop_id.in_(ids),
            SalesImport.status.in_(LIVE_STATUSES),
        )
        .order_by(SalesImport.id.desc())
    ).all()
    return found[0] if len({record.shop_id for record in found}) == 1 else None
