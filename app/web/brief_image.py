"""The monthly brief drawn with Matplotlib: a one-page A4 PDF, or a phone-width PNG.

One drawing for both: the page is laid out top-down in inches (title, KPI cards, township
table, the 1–12 month trend), as two columns of cards on a phone and five on A4. Numbers go
through the pages' formatter (app.web.formatting), so the brief reads as the pages do. Chinese
needs a CJK font: the configured file (CUNBO_BRIEF_FONT), else the first one fontconfig knows
for Chinese; without one, `BriefFontMissing` says what to install."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.reports.brief import MonthlyBrief
from app.web.formatting import integer, money, percent, points, quantity, signed_percent

PNG_WIDTH = 1080  # px: a phone screen's width, as WeChat shows a picture full width
PNG_DPI = 200
A4 = (8.27, 11.69)  # inches
PDF_FONTTYPE = 3
# Families tried first, in order; any other font fontconfig lists for Chinese comes after.
PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei")
INK, MUTED, LINE, CARD, ACCENT = "#1f2933", "#616e7c", "#d9dee4", "#f5f6f8", "#c8372d"
STATUS_COLOURS = {"超进度": "#2f7d32", "略慢": "#b7791f", "滞后": "#c8372d"}
UP, DOWN = "#2f7d32", "#c8372d"


class BriefFontMissing(RuntimeError):
    """No font on this machine can write Chinese."""

    code = "brief_font_missing"


@dataclass(frozen=True)
class Layout:
    width: float  # inches
    height: float | None  # None: as tall as the content (the PNG)
    columns: int  # KPI cards per row
    margin: float
    scale: float  # font sizes


A4_LAYOUT = Layout(A4[0], A4[1], 5, 0.55, 1.0)
PHONE_LAYOUT = Layout(PNG_WIDTH / PNG_DPI, None, 2, 0.3, 0.9)


def brief_pdf(brief: MonthlyBrief, font: str | None = None) -> bytes:
    """The brief as a one-page A4 PDF."""
    return _render(brief, A4_LAYOUT, "pdf", font)


def brief_png(brief: MonthlyBrief, font: str | None = None) -> bytes:
    """The brief as a PNG PNG_WIDTH pixels wide, as tall as it needs."""
    return _render(brief, PHONE_LAYOUT, "png", font)


def chinese_font(configured: str | None = None) -> str:
    """The family name of a font that writes Chinese, registered with Matplotlib."""
    from matplotlib import font_manager

    files = [configured] if configured else _fontconfig_files()
    for path in files:
        if path and Path(path).is_file():
            font_manager.fontManager.addfont(path)
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    if configured:
        names = font_manager.FontProperties(fname=configured).get_name()
        if names in known:
            return _prefer_sc(names, known)
    for family in PREFERRED:
        if family in known:
            return family
    for entry in font_manager.fontManager.ttflist:
        if any(path and Path(entry.fname) == Path(path) for path in files):
            return str(entry.name)
    raise BriefFontMissing(
        "没有找到可以显示中文的字体，无法生成简报。请在服务器上安装中文字体"
        "（如 Debian/Ubuntu 的 fonts-noto-cjk），或用 CUNBO_BRIEF_FONT 指定字体文件。"
    )


def _prefer_sc(name: str, known: set[str]) -> str:
    """A collection (.ttc) registers each face: take its Simplified Chinese one."""
    for suffix in (" JP", " KR", " TC", " HK"):
        if name.endswith(suffix) and name[: -len(suffix)] + " SC" in known:
            return name[: -len(suffix)] + " SC"
    return name


@lru_cache(maxsize=1)
def _fontconfig_files() -> tuple[str, ...]:
    """Font files fontconfig lists for Chinese (none where fontconfig is absent)."""
    command = shutil.which("fc-list")
    if command is None:
        return ()
    try:
        found = subprocess.run(
            [command, ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    files = sorted({line.split(":")[0].strip() for line in found.stdout.splitlines() if line})
    # Sans before serif, regular before bold: the first one that has the preferred family wins.
    return tuple(sorted(files, key=lambda f: ("Serif" in f, "Bold" in f, f)))


def _render(brief: MonthlyBrief, layout: Layout, kind: str, font: str | None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    family = chinese_font(font)
    page = _Page(layout, family)
    page.draw(brief)
    height = layout.height or page.y + layout.margin
    figure = Figure(figsize=(layout.width, height), dpi=PNG_DPI)
    page.paint(figure, height)
    buffer = io.BytesIO()
    # One family for every text (tick labels too), glyphs embedded as Type 3: Type 42 subsets
    # each CJK collection with fontTools, seconds per font.
    with matplotlib.rc_context({"pdf.fonttype": PDF_FONTTYPE, "font.family": [family]}):
        if kind == "pdf":
            metadata = {"Title": _title(brief), "Creator": "Cunbo", "Producer": "Cunbo"}
            figure.savefig(buffer, format="pdf", metadata=metadata)
        else:
            figure.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": "Cunbo"})
    return buffer.getvalue()


def _title(brief: MonthlyBrief) -> str:
    year, month = brief.month.split("-")
    return f"{brief.county}电商月度简报（{year}年{int(month)}月）"


Draw = Callable[[Any, float], None]  # (figure, page height in inches)


class _Page:
    """Blocks placed top-down; `y` is the next free height from the top, in inches. Nothing is
    drawn until the page's height is known (`paint`), so a PNG is exactly as tall as its content.
    """

    def __init__(self, layout: Layout, family: str) -> None:
        self.layout = layout
        self.family = family
        self.y = layout.margin
        self.steps: list[Draw] = []
        self.inner = layout.width - 2 * layout.margin

    # -- primitives (inches from the top left) -----------------------------------------------
    def text(self, x: float, y: float, text: str, size: float, **style: Any) -> None:
        size *= self.layout.scale

        def draw(figure: Any, height: float) -> None:
            figure.text(
                x / self.layout.width,
                1 - y / height,
                text,
                fontsize=size,
                family=self.family,
                color=style.pop("color", INK),
                va=style.pop("va", "top"),
                **style,
            )

        self.steps.append(draw)

    def box(self, x: float, y: float, w: float, h: float, colour: str, edge: str = LINE) -> None:
        def draw(figure: Any, height: float) -> None:
            from matplotlib.patches import FancyBboxPatch

            width = self.layout.width
            figure.patches.append(
                FancyBboxPatch(
                    (x / width, 1 - (y + h) / height),
                    w / width,
                    h / height,
                    boxstyle="round,pad=0,rounding_size=0.008",
                    transform=figure.transFigure,
                    facecolor=colour,
                    edgecolor=edge,
                    linewidth=0.6,
                    figure=figure,
                )
            )

        self.steps.append(draw)

    def rule(self, y: float, colour: str = LINE, width: float = 0.6) -> None:
        def draw(figure: Any, height: float) -> None:
            from matplotlib.lines import Line2D

            left = self.layout.margin / self.layout.width
            figure.lines.append(
                Line2D(
                    [left, 1 - left],
                    [1 - y / height] * 2,
                    transform=figure.transFigure,
                    color=colour,
                    linewidth=width,
                    figure=figure,
                )
            )

        self.steps.append(draw)

    def paint(self, figure: Any, height: float) -> None:
        figure.patch.set_facecolor("white")
        for step in self.steps:
            step(figure, height)

    # -- the brief -----------------------------------------------------------------------
    def draw(self, brief: MonthlyBrief) -> None:
        self.heading(brief)
        self.cards(brief)
        if self.layout.height is None:  # on a phone the chart comes before the long table
            self.trend(brief)
            self.townships(brief)
        else:
            self.townships(brief)
            self.trend(brief)
        self.footer(brief)

    def heading(self, brief: MonthlyBrief) -> None:
        m = self.layout.margin
        self.box(0, 0, self.layout.width, 0.09, ACCENT, ACCENT)
        self.y += 0.05
        self.text(m, self.y, _title(brief), 20, weight="bold")
        self.y += 0.45 * self.layout.scale
        state = "已月结，数字为月结时上报值" if brief.closed else "未月结，数字为当前值"
        year, month = brief.month.split("-")
        line = f"统计期：{year}年{int(month)}月 · 时间进度 {percent(brief.time_progress, 1, 'zh')}"
        self.text(m, self.y, f"{line} · {state}", 9.5, color=MUTED)
        self.y += 0.38

    def cards(self, brief: MonthlyBrief) -> None:
        k = brief.kpis
        cards = [
            ("网络零售额", money(k.net_retail, "zh"), f"同比 {signed_percent(k.net_yoy, 1, 'zh')}"),
            (
                "农产品网零额",
                money(k.agri_net_retail, "zh"),
                f"同比 {signed_percent(k.agri_yoy, 1, 'zh')}",
            ),
            ("同比", signed_percent(k.net_yoy, 1, "zh"), "网络零售额比上年同月"),
            ("直播场次", f"{integer(k.live_sessions, 'zh')} 场", "本月开播"),
            ("活跃直播间", f"{integer(k.active_rooms, 'zh')} 个", "本月有成交"),
        ]
        columns, gap = self.layout.columns, 0.12
        width = (self.inner - gap * (columns - 1)) / columns
        height = 0.95 * self.layout.scale + (0.1 if columns == 2 else 0)
        # On a phone the first card takes a row of its own: 1 + 2 + 2.
        places = [divmod(i, columns) for i in range(len(cards))]
        if columns == 2:
            places = [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1)]
        for index, (label, value, hint) in enumerate(cards):
            row, col = places[index]
            x = self.layout.margin + col * (width + gap)
            y = self.y + row * (height + gap)
            wide = columns == 2 and index == 0
            self.box(x, y, self.inner if wide else width, height, CARD)
            self.text(x + 0.1, y + 0.1, label, 9.5, color=MUTED)
            colour = INK
            if label == "同比" and k.net_yoy is not None and k.net_yoy != 0:
                colour = UP if k.net_yoy > 0 else DOWN
            big = 15 if columns > 2 else 17
            self.text(
                x + 0.1, y + 0.33 * self.layout.scale, value, big, weight="bold", color=colour
            )
            self.text(x + 0.1, y + height - 0.1, hint, 8.5, color=MUTED, va="bottom")
        rows = max(row for row, _col in places) + 1
        self.y += rows * (height + gap) + 0.15

    def townships(self, brief: MonthlyBrief) -> None:
        m = self.layout.margin
        self.text(m, self.y, "各乡镇网络零售额与目标完成", 12.5, weight="bold")
        self.y += 0.36 * self.layout.scale
        phone = self.layout.height is None
        # (header, x as a share of the inner width, alignment)
        columns = [("乡镇", 0.0, "left"), ("本月", 0.36, "right"), ("1–本月累计", 0.56, "right")]
        columns += [("完成率", 0.72, "right"), ("序时进度差", 0.88, "right")]
        columns += [("状态", 1.0, "right")]
        if not phone:
            columns = [("乡镇", 0.0, "left"), ("本月", 0.3, "right"), ("1–本月累计", 0.47, "right")]
            columns += [("累计同比", 0.6, "right"), ("完成率", 0.72, "right")]
            columns += [("序时进度差", 0.87, "right"), ("状态", 1.0, "right")]
        available = (self.layout.height or 99) - self.y - 4.4  # the chart and footer below
        row = min(0.3, max(0.16, available / max(len(brief.townships) + 1, 1)))
        if phone:
            row = 0.3
        size = 9 if row >= 0.22 else 7.5
        for header, at, align in columns:
            self.text(m + at * self.inner, self.y, header, size, color=MUTED, ha=align)
        self.y += row
        self.rule(self.y - row * 0.25, INK, 0.8)
        if not brief.townships:
            self.text(m, self.y, "还没有乡镇名录。", size, color=MUTED)
            self.y += row
        for town in brief.townships:
            values = {
                "乡镇": town.name,
                "本月": money(town.month, "zh"),
                "1–本月累计": money(town.ytd, "zh"),
                "累计同比": signed_percent(town.ytd_yoy, 1, "zh"),
                "完成率": percent(town.completion, 1, "zh"),
                "序时进度差": points(town.gap_pp, 1, True, "zh"),
                "状态": town.status or "无目标",
            }
            for header, at, align in columns:
                colour = STATUS_COLOURS.get(values[header], INK) if header == "状态" else INK
                if header == "状态" and town.status is None:
                    colour = MUTED
                self.text(m + at * self.inner, self.y, values[header], size, color=colour, ha=align)
            self.y += row
            self.rule(self.y - row * 0.25)
        self.y += 0.2

    def trend(self, brief: MonthlyBrief) -> None:
        m = self.layout.margin
        year = int(brief.month[:4])
        self.text(
            m, self.y, f"网络零售额月度走势（万元）：{year}年与{year - 1}年", 12.5, weight="bold"
        )
        self.y += 0.4 * self.layout.scale
        top, height = self.y, 3.0
        if self.layout.height is not None:  # on A4 the chart fills the page down to the footer
            height = max(2.9, self.layout.height - self.layout.margin - 0.45 - top)

        def draw(figure: Any, page: float) -> None:
            width = self.layout.width
            axes = figure.add_axes(
                (
                    (m + 0.55) / width,
                    1 - (top + height - 0.3) / page,  # the month labels below, in the page
                    (self.inner - 0.6) / width,
                    (height - 0.7) / page,
                )
            )
            months = [p.month for p in brief.trend]
            this = [
                float(p.this_year) / 1e4 if p.this_year is not None else None for p in brief.trend
            ]
            last = [float(p.last_year) / 1e4 for p in brief.trend]
            axes.bar(
                [x - 0.2 for x in months], last, width=0.4, color="#c9d3dd", label=f"{year - 1}年"
            )
            axes.bar(
                [x + 0.2 for x, v in zip(months, this, strict=True) if v is not None],
                [v for v in this if v is not None],
                width=0.4,
                color=ACCENT,
                label=f"{year}年",
            )
            axes.set_xticks(months, [f"{x}月" for x in months], family=self.family, fontsize=8)
            axes.tick_params(axis="y", labelsize=8, colors=MUTED)
            axes.tick_params(axis="x", colors=MUTED, length=0)
            for side in ("top", "right", "left"):
                axes.spines[side].set_visible(False)
            axes.spines["bottom"].set_color(LINE)
            axes.grid(axis="y", color=LINE, linewidth=0.5)
            axes.set_axisbelow(True)
            axes.yaxis.set_major_formatter(_wan_formatter())
            axes.legend(
                prop={"family": self.family, "size": 8},
                frameon=False,
                loc="lower right",
                bbox_to_anchor=(1, 1),
                ncol=2,
            )

        self.steps.append(draw)
        self.y += height + 0.3

    def footer(self, brief: MonthlyBrief) -> None:
        y = (self.layout.height - self.layout.margin) if self.layout.height else self.y
        self.rule(y - 0.05)
        hint = "口径：网络零售额按网店所在乡镇统计，扣除退款；明细见同月月报工作簿。"
        self.text(self.layout.margin, y, hint, 7.5, color=MUTED)
        self.y = y + 0.25
        del brief


def _wan_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: quantity(float(value), 1, "zh"))
