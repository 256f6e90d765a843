"""Checks run on a workbook before any parser sees it: encryption, macros, zip bombs, far cells.

calamine builds every cell of a sheet in memory, and a dense range from the first to the last
cell, so what a workbook would cost is measured here first, on the bytes really inflated: the
sizes an archive declares are never trusted.
"""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import msoffcrypto
from msoffcrypto import exceptions as office_errors

from app.wording import N_, say

from ..errors import ImportFileError
from .sheet_extent import _MALFORMED, CellScan

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"

# A 200,000-row x 64-column export of inline strings is about 0.7-1.3 GB of sheet XML and
# compresses 10-17x; a bomb needs far more than 100x to be small. Both limits count real inflated
# bytes. Sheets are read streaming (memory flat), so the total bounds time, not memory: a
# 1,000,000-row export is about 3.5-6.5 GB.
MAX_UNCOMPRESSED = 8 << 30  # all entries together
MAX_RATIO = 100  # inflated / compressed, per entry and over the whole archive
RATIO_FLOOR = 4 << 20  # until this much is inflated any ratio is allowed (tiny parts)
MAX_ENTRIES = 5_000
PIECE = 4 << 20  # inflated bytes handled per step: memory stays flat whatever the entry holds
READ = 1 << 18  # compressed bytes read per step (real exports inflate 10-17x)
_MACRO_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")

_TOO_BIG = N_(
    "工作簿解压后异常巨大（{detail}），可能是压缩炸弹或损坏的文件，已拒绝。"
    "请从平台重新导出原始文件，或另存为 CSV 后上传。"
)
_CORRUPT = N_("Excel 文件已损坏（{detail}），请重新导出后上传。")
_MACRO = N_(
    "这是启用宏的工作簿（如 .xlsm/.xltm/.xlam），为安全起见不予导入。"
    "请用 Excel 或 WPS 打开后另存为“Excel 工作簿（.xlsx）”或 CSV，再上传。"
)


_HTML_STARTS = (b"<html", b"<table", b"<!doctype")


def sniff(path: Path) -> str:
    """'zip' (xlsx/xlsm/xltx), 'ole2' (encrypted OOXML or BIFF8 xls), 'html' (a web page
    table saved as .xls, FORMATS.md rule 14) or 'text'."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head[:8] == OLE2_MAGIC:
        return "ole2"
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c").lower()
    if start.startswith(_HTML_STARTS):
        return "html"
    return "text"


def decrypt(path: Path, password: str | None) -> bytes | None:
    """Decrypted workbook bytes for an encrypted OLE2 file, None when it is not encrypted."""
    try:
        with open(path, "rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            if not office.is_encrypted():
                return None
            if not password:
                raise ImportFileError(
                    say(
                        N_(
                            "文件已加密（快手等平台导出时会设置密码）。"
                            "请在上传时填写导出时设置的密码后重试。"
                        )
                    ),
                    code="encrypted_no_password",
                )
            try:
                office.load_key(password=password)
                out = io.BytesIO()
                office.decrypt(out)
            except (office_errors.InvalidKeyError, office_errors.DecryptionError) as exc:
                raise ImportFileError(
                    say(
                        N_(
                            "文件密码不正确，无法解密。"
                            "请核对平台导出时设置的密码（区分大小写）后重新上传。"
                        )
                    ),
                    code="wrong_password",
                ) from exc
    except ImportFileError:
        raise
    except (
        office_errors.FileFormatError,
        office_errors.ParseError,
        OSError,
        ValueError,
        KeyError,
    ) as exc:
        raise ImportFileError(
            say(
                N_(
                    "文件无法打开：它既不是正常的 Excel 文件，也不是可识别的加密文件。"
                    "请重新导出后上传。"
                )
            ),
            code="unreadable_workbook",
        ) from exc
    return out.getvalue()


def check_zip(source: Path | bytes, sheets: bool = True) -> None:
    """Refuse a workbook archive that would hurt the worker, before any parser opens it.

    Every entry is inflated once, in pieces, counting the bytes really produced (a header may
    lie) against a total and a ratio; sheet XML is scanned on the way for its real extent.
    With `sheets=False` worksheet parts are left out: the streaming reader inflates them
    through `stream_entry`, under the same limits, and measures their extent as it reads.
    """
    with _binary(source) as fh:
        try:
            infos = zipfile.ZipFile(fh).infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise ImportFileError(
                say(_CORRUPT, detail=say(N_("压缩包结构无效"))), code="corrupt_workbook"
            ) from exc
        _check_names(infos)
        size = fh.seek(0, io.SEEK_END)
        budget = _Budget()
        for info in sorted(infos, key=lambda i: i.filename != "[Content_Types].xml"):
            if not sheets and is_worksheet(info.filename):
                continue
            budget.start_entry()
            scan = CellScan(budget)
            types = info.filename == "[Content_Types].xml"
            for piece in _inflate(fh, info, size, budget):
                if types and any(t in piece.lower() for t in _MACRO_TYPES):
                    raise ImportFileError(say(_MACRO), code="macro_workbook")
                scan.feed(piece)
            scan.finish()


def is_worksheet(name: str) -> bool:
    """A worksheet part by its conventional place (xl/worksheets/…xml)."""
    lowered = name.lower()
    return lowered.startswith("xl/worksheets/") and lowered.endswith(".xml")


def stream_entry(fh: BinaryIO, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, float]]:
    """An entry's inflated bytes in pieces, each with the share of the entry read so far,
    refused as a bomb or as too large on the real bytes, as `check_zip` would."""
    size = fh.seek(0, io.SEEK_END)
    budget = _Budget()
    whole = max(info.compress_size, 1)
    for piece in _inflate(fh, info, size, budget):
        yield piece, min(budget.entry_read / whole, 1.0)
    if budget.entry_inflated != info.file_size:  # a lying size: what zipfile refuses too
        raise ImportFileError(
            say(_CORRUPT, detail=say(N_("压缩数据无效"))), code="corrupt_workbook"
        )


@contextlib.contextmanager
def _binary(source: Path | bytes) -> Iterator[BinaryIO]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
        return
    with open(source, "rb") as fh:
        yield fh


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    """What the central directory alone tells: entry count, macros, compression methods."""
    if len(infos) > MAX_ENTRIES:
        detail = say(N_("包含 {count} 个内部文件"), count=len(infos))
        raise ImportFileError(say(_TOO_BIG, detail=detail), code="workbook_too_large")
    for info in infos:
        name = info.filename.lower()
        if name.endswith("vbaproject.bin") or name.startswith("xl/macrosheets/"):
            raise ImportFileError(say(_MACRO), code="macro_workbook")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportFileError(
                say(
                    _MALFORMED,
                    detail=say(N_("使用了不常见的压缩方式 {kind}"), kind=info.compress_type),
                ),
                code="unsupported_compression",
            )


class _Budget:
    """Real bytes read and inflated so far, per entry and in all, and the cells seen."""

    def __init__(self) -> None:
        self.read = self.inflated = self.entry_read = self.entry_inflated = self.cells = 0

    def start_entry(self) -> None:
        self.entry_read = self.entry_inflated = 0

    def add(self, read: int, inflated: int) -> None:
        self.read += read
        self.inflated += inflated
        self.entry_read += read
        self.entry_inflated += inflated
        if self.inflated > MAX_UNCOMPRESSED:
            detail = say(N_("超过 {size} MB"), size=MAX_UNCOMPRESSED >> 20)
            raise ImportFileError(say(_TOO_BIG, detail=detail), code="workbook_too_large")
        for out, into in ((self.entry_inflated, self.entry_read), (self.inflated, self.read)):
            if out > RATIO_FLOOR and out > MAX_RATIO * into:
                detail = say(N_("压缩比超过 {ratio} 倍"), ratio=out // max(into, 1))
                raise ImportFileError(say(_TOO_BIG, detail=detail), code="zip_bomb")


def _inflate(fh: BinaryIO, info: zipfile.ZipInfo, size: int, budget: _Budget) -> Iterator[bytes]:
    """The entry's bytes as a parser would get them, in pieces, whatever its header says.

    A deflate stream is inflated until it ends by itself (or the file does), so a lying size
    changes nothing; each piece is counted in the budget before it is handed on.
    """
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) < 30 or not local.startswith(ZIP_MAGIC):
        raise ImportFileError(
            say(_CORRUPT, detail=say(N_("内部文件头无效"))), code="corrupt_workbook"
        )
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    if info.compress_type == zipfile.ZIP_STORED:
        left = max(0, min(info.compress_size, size - fh.tell()))
        while left and (data := fh.read(min(PIECE, left))):
            left -= len(data)
            budget.add(len(data), len(data))
            yield data
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        while not inflater.eof:
            pending = inflater.unconsumed_tail or fh.read(READ)
            if not pending:
                return  # truncated: calamine reports the damage
            out = inflater.decompress(pending, PIECE)
            budget.add(
                len(pending) - len(inflater.unconsumed_tail) - len(inflater.unused_data), len(out)
            )
            if out:
                yield out
    except zlib.error as exc:
        raise ImportFileError(
            say(_CORRUPT, detail=say(N_("压缩数据无效"))), code="corrupt_workbook"
        ) from exc
