"""Receive one uploaded export: check it, keep it, create its import, queue the job.

The one upload service behind the imports page, `POST /api/v1/imports` and `cunbo import`.
Every check that can refuse a file runs before anything is stored; the same bytes uploaded
again answer with the import they already have; the job is queued after the import row is
committed, and a broker that is down leaves the import `queued` for the sweeper.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import InterfaceError as DatabaseInterfaceError
from sqlalchemy.exc import OperationalError as DatabaseError

from app.auth.rows import may_upload_for
from app.auth.scope import IMPORT_ROLES, AccessScope
from app.codes import PLATFORMS
from app.extensions import db
from app.ingest import ImportFileError
from app.ingest.service import create_import
from app.ingest.storage import StoredFile, keep_stream, too_large_message
from app.models import ColumnMapping, SalesImport, Shop
from app.wording import N_, Wording, say
from tasks.imports import BROKER_ERRORS, enqueue_import
from tasks.upload_errors import UploadError
from tasks.upload_shops import (
    LIVE_STATUSES,
    MAX_LISTED_SHOPS,
    ShopOption,
    _AnswerWith,
    _check_named_shops,
    _chosen_shop,
    names_other_shops,
    shop_required,
)

__all__ = [
    "ACCEPTED_SUFFIXES",
    "DATABASE_ERRORS",
    "LIVE_STATUSES",
    "MACRO_SUFFIXES",
    "MAX_LISTED_SHOPS",
    "MAX_NAME_LENGTH",
    "OPERATOR_SCOPE",
    "UPLOAD_LOCK_SPACE",
    "ShopOption",
    "UploadError",
    "UploadNote",
    "UploadRequest",
    "UploadResult",
    "check_file_name",
    "check_options",
    "check_shop",
    "check_size",
    "existing_import",
    "names_other_shops",
    "receive_upload",
    "shop_required",
    "upload_limit",
    "upload_size",
]

log = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".xls")
# Workbooks that can carry macros; platforms never export them, so one is refused by name.
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xla")
MAX_NAME_LENGTH = 200
# What a broker that is down raises when a job is sent (kombu wraps most; redis-py, sockets).
# A database that is down or dropped the connection: the upload is refused (503), not half kept.
DATABASE_ERRORS = (DatabaseError, DatabaseInterfaceError)
# The command line stands for the county centre: every shop, no user account.
OPERATOR_SCOPE = AccessScope(role="admin", county=True, read_only=False)


_MACRO = N_(
    "“{name}”是带宏的 Excel 工作簿（{suffix}），出于安全不能上传："
    "请上传平台导出的原始 CSV 或 XLSX 文件，或在 Excel 中另存为 .xlsx 后再上传。"
)
_UNSUPPORTED = N_("不支持的文件类型“{name}”：请上传平台导出的 CSV 或 XLSX（或 XLS）文件。")
_ALREADY = N_(
    "这个文件此前已上传过（导入编号 {id}，{state}），"
    "没有重复导入；下面显示的是那次导入的进度和结果。"
)
_QUEUE_DOWN = N_("文件已收到并保存，后台排队服务暂时不可用；几分钟内会自动开始导入，无需重新上传。")


_UNKNOWN_SHOP = N_("网店编码“{code}”不存在：请先在名录中登记该网店，或选择已有的网店。")


@dataclass(frozen=True, slots=True)
class UploadNote:
    """Something the uploader should know about an accepted upload."""

    code: str
    wording: Wording

    @property
    def message(self) -> str:
        return self.wording.zh

    def as_dict(self, language: str = "zh") -> dict[str, object]:
        """A note in the import JSON's `notes` shape (SPEC §6)."""
        return {"code": self.code, "message": self.wording.say(language), "count": 1}


@dataclass(frozen=True, slots=True)
class UploadRequest:
    """One file to import: an open stream (page, API) or a path on disk (CLI)."""

    file_name: str
    scope: AccessScope
    stream: BinaryIO | None = None
    path: Path | None = None
    platform: str | None = None
    shop_code: str | None = None
    password: str | None = None
    mapping_name: str | None = None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class UploadResult:
    """The import the upload answers with; `created` is False for bytes already uploaded."""

    record: SalesImport
    created: bool
    notes: tuple[UploadNote, ...] = field(default=())


def receive_upload(upload: UploadRequest, *, enqueue: bool = True) -> UploadResult:
    """Check, keep and import one upload; raises UploadError when it is refused.

    With `enqueue=False` the caller runs the import itself (the CLI does, in-process).
    """
    name = Path(upload.file_name or "").name
    check_file_name(name)
    check_size(upload_size(upload))
    stored: StoredFile | None = None
    try:
        shop = check_shop(upload.scope, upload.shop_code)
        mapping = check_options(upload.platform, upload.mapping_name)
        stored = _keep(upload, name)
        if shop is None:
            shop = _chosen_shop(upload, stored, name, mapping)
        elif not upload.scope.county:
            _check_named_shops(upload, stored, name, mapping)
        _one_at_a_time(stored.sha256)
        existing = existing_import(stored.sha256, shop)
        if existing is not None:
            return UploadResult(existing, created=False, notes=(_already_uploaded(existing),))
        record = create_import(
            stored.path,
            file_name=name,
            platform=upload.platform,
            shop_code=shop.code if shop else None,
            password=upload.password,
            mapping_name=upload.mapping_name,
            user_id=upload.user_id,
            stored=stored.as_tuple(),
        )
    except _AnswerWith as answer:
        _abandon(stored)
        return UploadResult(answer.record, created=False, notes=(_already_uploaded(answer.record),))
    except ImportFileError as exc:
        _abandon(stored)
        raise UploadError(exc.code, (exc.message, exc.message_en)) from exc
    except DATABASE_ERRORS as exc:
        _abandon(stored)
        log.warning("upload of %s refused: database unavailable: %s", name, exc)
        raise UploadError(
            "database_unavailable", say(N_("系统暂时无法保存上传的文件，请过几分钟再上传一次。"))
        ) from exc
    except Exception:
        _abandon(stored)
        raise
    if not enqueue:
        return UploadResult(record, created=True)
    return UploadResult(record, created=True, notes=_enqueue(record))


def check_file_name(name: str) -> None:
    """CSV and Excel exports only; a macro workbook is refused by its name."""
    suffix = Path(name).suffix.lower()
    if len(name) > MAX_NAME_LENGTH:
        raise UploadError(
            "file_name_too_long",
            say(
                N_("文件名太长（超过 {limit} 个字）：请把文件改个短一些的名字再上传。"),
                limit=MAX_NAME_LENGTH,
            ),
        )
    if suffix in MACRO_SUFFIXES:
        raise UploadError(
            "macro_workbook",
            say(_MACRO, name=name, suffix=suffix),
        )
    if not name or suffix not in ACCEPTED_SUFFIXES:
        raise UploadError(
            "unsupported_file_type",
            say(_UNSUPPORTED, name=name or say(N_("（无文件名）"))),
        )


def upload_limit() -> int | None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return int(limit) if limit else None


def check_size(size: int | None) -> None:
    """Refuse an empty file, or one above the upload limit, before it is copied."""
    if size == 0:
        raise UploadError("empty_file", say(N_("上传的文件是空的：请重新从平台后台导出后再上传。")))
    limit = upload_limit()
    if size is not None and limit is not None and size > limit:
        raise UploadError("file_too_large", too_large_message(limit))


def upload_size(upload: UploadRequest) -> int | None:
    """The size of the upload when it can be known without reading it."""
    if upload.path is not None:
        return Path(upload.path).stat().st_size
    stream = upload.stream
    if stream is None:
        raise UploadError("no_file", say(N_("请选择要上传的文件。")))
    try:
        if not stream.seekable():
            return None
        position = stream.tell()
        size = stream.seek(0, os.SEEK_END) - position
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return size


def check_shop(scope: AccessScope, code: str | None) -> Shop | None:
    """The shop the lines belong to: any (or none, rows naming theirs) for the county centre,
    one of their own, named, for everybody else."""
    if scope.role not in IMPORT_ROLES:
        raise UploadError(
            "upload_not_allowed", say(N_("您的角色不能上传销售数据；如需上传请联系县中心。"))
        )
    if not code:
        return None  # chosen from the file's head once it is kept (`_chosen_shop`)
    if not scope.county and not may_upload_for(scope, code):
        # An unknown code and a shop outside the scope answer alike: nothing is revealed.
        raise UploadError(
            "shop_out_of_scope",
            say(N_("网店“{code}”不存在或不在您的管辖范围内，不能为它上传数据。"), code=code),
        )
    shop = db.session.scalar(select(Shop).where(Shop.code == code))
    if shop is None:
        raise UploadError(
            "unknown_shop",
            say(_UNKNOWN_SHOP, code=code),
        )
    return shop


def check_options(platform: str | None, mapping_name: str | None) -> dict[str, str] | None:
    """Refuse an unknown platform or mapping; the fields of the named mapping."""
    if platform and platform not in PLATFORMS:
        raise UploadError(
            "unknown_platform",
            say(
                N_("未知平台“{platform}”：请选择 {choices} 之一，或留空自动识别。"),
                platform=platform,
                choices="、".join(PLATFORMS),
            ),
        )
    if not mapping_name:
        return None
    saved = db.session.scalar(select(ColumnMapping).where(ColumnMapping.name == mapping_name))
    if saved is None:
        raise UploadError(
            "unknown_mapping",
            say(N_("列映射“{name}”不存在：请重新选择或先保存该列映射。"), name=mapping_name),
        )
    return dict(saved.fields)


def _one_at_a_time(sha256: str) -> None:
    """Until this transaction commits, no other upload of the same bytes looks or creates.

    Two uploads of one file at the same moment: the second waits here, then finds the first's
    import. PostgreSQL: an advisory lock on the digest; SQLite: the database's write lock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            {"space": UPLOAD_LOCK_SPACE, "key": int(sha256[:7], 16)},
        )
    else:
        db.session.execute(text("UPDATE sales_imports SET id = id WHERE 1 = 0"))


UPLOAD_LOCK_SPACE = 7_313


def existing_import(sha256: str, shop: Shop | None) -> SalesImport | None:
    """The newest live import of these bytes for this shop (or without a shop)."""
    same_shop = SalesImport.shop_id.is_(None) if shop is None else SalesImport.shop_id == shop.id
    return db.session.scalar(
        select(SalesImport)
        .where(SalesImport.sha256 == sha256, same_shop, SalesImport.status.in_(LIVE_STATUSES))
        .order_by(SalesImport.id.desc())
        .limit(1)
    )


def _keep(upload: UploadRequest, name: str) -> StoredFile:
    folder = current_app.config["UPLOAD_FOLDER"]
    try:
        if upload.path is not None:
            with Path(upload.path).open("rb") as stream:
                return keep_stream(stream, folder, name, limit=upload_limit())
        assert upload.stream is not None  # upload_size refused a missing file
        return keep_stream(upload.stream, folder, name, limit=upload_limit())
    except ImportFileError as exc:
        raise UploadError(exc.code, (exc.message, exc.message_en)) from exc


def _abandon(stored: StoredFile | None) -> None:
    """Roll back, and remove a file this upload added, when its import could not be created."""
    db.session.rollback()
    if stored is not None and stored.created:
        stored.path.unlink(missing_ok=True)


def _already_uploaded(record: SalesImport) -> UploadNote:
    when = {"queued": N_("正在排队"), "running": N_("正在导入"), "succeeded": N_("已导入完成")}
    state = say(when[record.status]) if record.status in when else record.status
    return UploadNote("already_uploaded", say(_ALREADY, id=record.id, state=state))


def _enqueue(record: SalesImport) -> tuple[UploadNote, ...]:
    """Queue the job of a committed import; a broker that is down leaves it to the sweeper."""
    try:
        enqueue_import(record.id)
    except BROKER_ERRORS as exc:
        log.warning("import %s stays queued: the broker is unavailable: %s", record.id, exc)
        return (
            UploadNote(
                "queue_unavailable",
                say(_QUEUE_DOWN),
            ),
        )
    return ()
