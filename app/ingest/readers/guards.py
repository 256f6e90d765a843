"""Checks run on a workbook before any parser sees it: encryption and zip-bomb limits."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import msoffcrypto
from msoffcrypto import exceptions as office_errors

from ..errors import ImportFileError

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"

MAX_UNCOMPRESSED = 1 << 30  # all entries together, bytes
MAX_RATIO = 300  # per entry; real exports compress 10-15x
RATIO_FLOOR = 1 << 20  # entries smaller than this may compress as they like
MAX_ENTRIES = 5_000
# Sheet dimension rows x columns. Calamine holds a whole sheet in memory, about 110 bytes a
# cell (200k rows x 63 columns peaked at 1.4 GB), so a bigger sheet is refused up front.
MAX_CELLS = 16_000_000
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # Excel's own limits
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')

_TOO_BIG = (
    "工作簿解压后异常巨大（{detail}），可能是压缩炸弹或损坏的文件，已拒绝。"
    "请从平台重新导出原始文件，或另存为 CSV 后上传。"
)


def sniff(path: Path) -> str:
    """'zip' (xlsx/xlsm), 'ole2' (encrypted OOXML or legacy xls) or 'text'."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head == OLE2_MAGIC:
        return "ole2"
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
                    "文件已加密（快手等平台导出时会设置密码）。请在上传时填写导出时设置的密码后重试。"
                )
            try:
                office.load_key(password=password)
                out = io.BytesIO()
                office.decrypt(out)
            except (office_errors.InvalidKeyError, office_errors.DecryptionError) as exc:
                raise ImportFileError(
                    "文件密码不正确，无法解密。请核对平台导出时设置的密码（区分大小写）后重新上传。"
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
            "文件无法打开：它既不是正常的 Excel 文件，也不是可识别的加密文件。请重新导出后上传。"
        ) from exc
    return out.getvalue()


def check_zip(source: Path | bytes) -> None:
    """Reject archives whose entries would inflate absurdly, before calamine opens them.

    Declared sizes are checked first; then every entry is inflated in a stream (never held in
    memory) so a header that lies about its size fails its CRC instead of reaching the parser.
    """
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            _check_declared(infos)
            for info in infos:
                _stream_entry(archive, info)
    except zipfile.BadZipFile as exc:
        raise ImportFileError("Excel 文件已损坏（压缩包校验失败），请重新导出后上传。") from exc


def _check_declared(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise ImportFileError(_TOO_BIG.format(detail=f"包含 {len(infos)} 个内部文件"))
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise ImportFileError(_TOO_BIG.format(detail=f"约 {total >> 20} MB"))
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise ImportFileError(_TOO_BIG.format(detail=f"压缩比 {ratio:.0f} 倍"))


def _stream_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    with archive.open(info) as stream:
        first = stream.read(1 << 16)
        if is_sheet:
            check_dimension(first, info.filename)
        while stream.read(1 << 20):
            pass


def check_dimension(head: bytes, name: str = "") -> None:
    """Reject a sheet whose declared cell range is absurd (A1:XFD1048576 and the like)."""
    match = _DIMENSION.search(head)
    if not match or not match.group(3):
        return
    first_col, first_row, last_col, last_row = match.groups()
    rows = int(last_row) - int(first_row) + 1
    cols = _col_number(last_col) - _col_number(first_col) + 1
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS:
        raise ImportFileError(
            f"工作表声明的单元格区域过大（{rows} 行 × {cols} 列），已拒绝以免耗尽内存。"
            "请在平台按较短的时间段分批导出，或另存为 CSV 后上传。"
        )


def _col_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode():
        number = number * 26 + ord(char) - 64
    return number
