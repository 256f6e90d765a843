"""Which export format a header row belongs to (FORMATS.md "Detecting the platform")."""

from __future__ import annotations

from dataclasses import dataclass

from app.wording import N_, Wording, say

from .errors import ImportFileError
from .platforms import FORMATS, PLATFORMS, ExportFormat, status_words
from .platforms.mapping import Mapping
from .platforms.template import Template
from .text import display_header, norm_header

MAX_LISTED_HEADERS = 40

_DOUYIN_ORDERS = N_("请在抖店后台“订单管理 → 订单导出”下载“商品维度”的订单明细（CSV）后上传。")
_KUAISHOU_ORDERS = N_("请在快手小店后台“订单管理 → 订单导出”下载订单明细后上传。")
_ANY_ORDERS = N_("请在网店后台的订单管理中导出订单明细后上传。")
_NOT_ORDERS = N_("这个文件是{what}，不是订单导出，不能作为销售订单导入。{instead}")
_WRONG_PLATFORM = N_(
    "您选择的平台是“{chosen}”，但文件看起来是“{label}”（{platform}）。"
    "请确认选择的平台和网店，或上传正确的文件。"
)
_NOT_PLATFORM_FORMAT = N_("文件的表头不符合“{platform}”的导出格式。")
_UNRECOGNISED = N_("无法识别文件格式。")
_NEAREST = N_("最接近的已知格式是“{label}”，但缺少列：{missing}。")
_MORE_HEADERS = N_("{listed} 等共 {count} 列")
_NO_HEADERS = N_("（空）")
_UNKNOWN_FORMAT = N_(
    "{intro}文件的表头为：{listed}。{hint}"
    "如果这是新版或其他平台的导出，请在导入页面保存一个列对应关系（列映射）后再上传；"
    "也可以改用村播销售模板整理后上传。"
)


@dataclass(frozen=True)
class OtherDownload:
    """A platform download that is not an order export (FORMATS.md rule 15)."""

    what: str  # what the file is, in a clerk's words
    instead: str  # which export to download instead
    any_of: tuple[tuple[str, ...], ...]  # header sets; the file is this when it has one set
    contains: str | None = None  # or a header containing this text


# Checked only when no order format recognises the file, most specific first.
OTHER_DOWNLOADS = (
    OtherDownload(
        N_("抖店的资金流水（动账明细）"),
        _DOUYIN_ORDERS,
        (("动账时间",), ("动账流水号",), ("账务流水号",), ("动账金额",), ("收支类型", "动账方向")),
    ),
    OtherDownload(
        N_("快手的 GMV/结算数据导出"),
        _KUAISHOU_ORDERS,
        (("订单实付(元)", "订单退款(元)"), ("订单实付(元)", "达人id"), ("订单实付(元)", "团长id")),
    ),
    OtherDownload(
        N_("运费险（保单）明细"),
        _ANY_ORDERS,
        (("保单号",), ("投保单号",), ("运费险保费",), ("运费险状态",)),
        contains="运费险",
    ),
    OtherDownload(N_("BIC 质检单明细"), _ANY_ORDERS, (("质检单号",),), contains="bic"),
    OtherDownload(
        N_("结算单/账单明细"),
        _ANY_ORDERS,
        (
            ("结算单号",),
            ("账单编号",),
            ("账单日期",),
            ("账单类型",),
            ("结算时间", "结算金额"),
            ("结算账户",),
        ),
    ),
)


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


def other_download(headers: list[str], loose: bool = True) -> OtherDownload | None:
    """The kind of non-order download these headers belong to, if any.

    `loose` also counts a header that merely contains a word (运费险, BIC): not for a file the
    user maps by hand, whose order columns may mention them.
    """
    normed = {norm_header(h) for h in headers if h}
    for kind in OTHER_DOWNLOADS:
        if any(all(norm_header(h) in normed for h in group) for group in kind.any_of):
            return kind
        if loose and kind.contains and any(kind.contains in h for h in normed):
            return kind
    return None


def not_an_order_export(kind: OtherDownload) -> ImportFileError:
    """The error for a funds ledger, statement or similar: what it is, what to upload."""
    return ImportFileError(
        say(_NOT_ORDERS, what=say(kind.what), instead=say(kind.instead)), "not_an_order_export"
    )


def check_platform(fmt: ExportFormat, platform: str | None) -> None:
    """Reject a file that is clearly another platform's export than the one the user chose."""
    if platform and fmt.platform != platform and not isinstance(fmt, Template):
        wording = say(
            _WRONG_PLATFORM,
            chosen=say(PLATFORMS.get(platform, platform)),
            label=say(fmt.label),
            platform=say(PLATFORMS[fmt.platform]),
        )
        raise ImportFileError(wording, "platform_mismatch")


def unknown_format(headers: list[str], platform: str | None = None) -> ImportFileError:
    """The error for headers no format recognises: what the file has and what is nearest."""
    normed = {norm_header(h) for h in headers}
    shown = [display_header(h) for h in headers if display_header(h)]
    listed: str | Wording = "、".join(shown[:MAX_LISTED_HEADERS]) or say(_NO_HEADERS)
    if len(shown) > MAX_LISTED_HEADERS:
        listed = say(_MORE_HEADERS, listed=listed, count=len(shown))
    nearest = _nearest(normed, platform)
    if platform and platform not in ("other",):
        intro = say(_NOT_PLATFORM_FORMAT, platform=say(PLATFORMS.get(platform, platform)))
    else:
        intro = say(_UNRECOGNISED)
    hint: str | Wording = ""
    if nearest is not None:
        fmt, missing = nearest
        hint = say(_NEAREST, label=say(fmt.label), missing="、".join(missing))
    return ImportFileError(
        say(_UNKNOWN_FORMAT, intro=intro, listed=listed, hint=hint), "unknown_format"
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
