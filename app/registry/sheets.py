"""The sheets of the registry workbook (SPEC §5), in the order they load."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    # At least one of these must be present (a listing is found by product id or merchant code).
    any_of: tuple[str, ...] = ()

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(column for column in self.columns if column not in self.required)


SESSION_FIGURES = (
    "成交金额",
    "成交件数",
    "成交人数",
    "场观人数",
    "观看次数",
    "最高在线",
    "平均在线",
    "人均观看时长",
    "新增粉丝",
)

SHEETS = (
    SheetSpec("乡镇", ("乡镇编码", "乡镇名称", "县区"), ("乡镇编码", "乡镇名称", "县区")),
    SheetSpec("村", ("村编码", "村名称", "乡镇编码"), ("村编码", "村名称", "乡镇编码")),
    SheetSpec(
        "网店",
        ("网店编码", "平台", "平台店铺ID", "网店名称", "村编码"),
        ("网店编码", "平台", "网店名称", "村编码"),
    ),
    SheetSpec(
        "直播间",
        ("直播间编码", "平台", "账号ID", "账号昵称", "村编码", "网店编码"),
        ("直播间编码", "平台", "村编码"),
    ),
    SheetSpec("主播", ("主播编码", "姓名", "直播间编码"), ("主播编码", "姓名")),
    SheetSpec(
        "品牌", ("品牌编码", "品牌名称", "品牌类型", "县区"), ("品牌编码", "品牌名称", "品牌类型")
    ),
    SheetSpec(
        "商品",
        (
            "商品编码",
            "商品名称",
            "品牌编码",
            "加入品牌日期",
            "品类",
            "计价单位",
            "规格数量",
            "生产主体",
        ),
        ("商品编码", "商品名称"),
    ),
    SheetSpec(
        "平台商品",
        ("平台", "平台商品ID", "商家编码", "商品编码"),
        ("平台", "商品编码"),
        ("平台商品ID", "商家编码"),
    ),
    SheetSpec(
        "基准价",
        ("商品编码", "基准类型", "单位价格", "生效日期", "失效日期", "说明"),
        ("商品编码", "基准类型", "单位价格"),
    ),
    SheetSpec(
        "目标",
        ("年度", "月份", "范围类型", "范围编码", "指标", "目标值"),
        ("年度", "范围类型", "范围编码", "指标", "目标值"),
    ),
    SheetSpec(
        "直播场次",
        ("直播间编码", "主播编码", "开始时间", "结束时间", *SESSION_FIGURES),
        ("直播间编码", "开始时间", "结束时间", "成交金额"),
    ),
)

SHEETS_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
