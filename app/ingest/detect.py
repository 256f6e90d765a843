"""Which export format a header row belongs to (FORMATS.md "Detecting the platform")."""

from __future__ import annotations

from .errors import ImportFileError
from .platforms import FORMATS, PLATFORMS, ExportFormat, status_words
from .platforms.mapping import Mapping
from .platforms.template import Template
from .text import display_header, norm_header

MAX_LISTED_HEADERS = 40


def match(headers: list[str], platform: str | None = None) -> ExportFormat | None:
    """The first format (most specific first) whose signature the headers carry.

    With `platform`, only that platform's formats are tried; the template fits every platform.
    """
    normed = {norm_header(h) for h in headers}
    for cls in FORMATS:
        if platform and cls.platform != platform and cls is not Template:
            continue
        fmt = cls()
        if fmt.signature_matches(normed):
            return fmt
    return None


def for_mapping(headers: list[str], mapping: dict[str, str], platform: str | None) -> Mapping:
    """A user's saved column mapping applied to this file (validated against its headers)."""
    return Mapping(mapping, headers, platform, status_words(platform))


def check_platform(fmt: ExportFormat, platform: str | None) -> None:
    """Reject a file that is clearly another platform's export than the one the user chose."""
    if platform and fmt.platform != platform and not isinstance(fmt, Template):
        raise ImportFileError(
            f"您选择的平台是“{PLATFORMS.get(platform, platform)}”，但文件看起来是“{fmt.label}”"
            f"（{PLATFORMS[fmt.platform]}）。请确认选择的平台和网店，或上传正确的文件。"
        )


def unknown_format(headers: list[str], platform: str | None = None) -> ImportFileError:
    """The error for headers no format recognises: what the file has and what is nearest."""
    normed = {norm_header(h) for h in headers}
    shown = [display_header(h) for h in headers if display_header(h)]
    listed = "、".join(shown[:MAX_LISTED_HEADERS])
    if len(shown) > MAX_LISTED_HEADERS:
        listed += f" 等共 {len(shown)} 列"
    nearest = _nearest(normed, platform)
    if platform and platform not in ("other",):
        intro = f"文件的表头不符合“{PLATFORMS.get(platform, platform)}”的导出格式。"
    else:
        intro = "无法识别文件格式。"
    hint = ""
    if nearest is not None:
        fmt, missing = nearest
        hint = f"最接近的已知格式是“{fmt.label}”，但缺少列：{'、'.join(missing)}。"
    return ImportFileError(
        f"{intro}文件的表头为：{listed or '（空）'}。{hint}"
        "如果这是新版或其他平台的导出，请在导入页面保存一个列对应关系（列映射）后再上传；"
        "也可以改用村播销售模板整理后上传。",
        "unknown_format",
    )


def _nearest(normed: set[str], platform: str | None) -> tuple[ExportFormat, list[str]] | None:
    best: tuple[int, ExportFormat] | None = None
    for cls in FORMATS:
        if platform and platform != "other" and cls.platform != platform:
            continue
        fmt = cls()
        score = fmt.overlap(normed)
        if score and (best is None or score > best[0]):
            best = (score, fmt)
    if best is None:
        return None
    fmt = best[1]
    missing = [slot[0] for slot in fmt.signature if not any(norm_header(a) in normed for a in slot)]
    missing += [
        col.aliases[0]
        for col in fmt.columns
        if col.required and not any(a in normed for a in col.normed)
    ]
    return fmt, list(dict.fromkeys(missing)) or ["（无）"]
