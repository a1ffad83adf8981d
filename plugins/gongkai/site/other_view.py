"""机关运行经费, 政府采购 and 国有资产 as display tables.

These sections mix a printed total, optional line items and a quoted
sentence; each becomes a :class:`~gongkai.site.table_view.TableView` plus the
total and quote, so the page can show "disclosed but empty" (空表列示, “无”)
as plainly as a full table.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongkai.model import Budget, OperatingExpenses, Procurement, StateAssets, section_unit
from gongkai.site.format import money
from gongkai.site.table_view import Spec, TableView, _attr, build_table, narrative_table

ASSET_NAMES = {
    "total": "资产总额",
    "buildings": "房屋",
    "office_buildings": "其中：办公用房",
    "vehicles": "车辆",
    "equipment_over_200k": "单价20万元以上的设备",
    "general_equipment": "通用设备",
    "furniture": "家具、用具",
    "other_fixed_assets": "其他固定资产",
    "other": "其他",
}


@dataclass
class BlockView:
    """A section with a headline amount, a table and the quoted text."""

    id: str
    title: str
    empty: bool
    total: str | None = None
    total_label: str = "合计"
    table: TableView | None = None
    quote: str | None = None
    note: str | None = None
    extra: list[tuple[str, str]] | None = None
    narrative: TableView | None = None


def operating_block(budget: Budget, section: OperatingExpenses) -> BlockView:
    unit = section_unit(budget, section)
    table = None
    if section.items:
        specs = (
            Spec("项目", _attr("name"), money=False, always=True),
            Spec("经济分类编码", _attr("econ_code"), money=False),
            Spec("金额", _attr("amount"), always=True),
            Spec("安排依据", _attr("basis"), money=False),
        )
        table = build_table(
            "t-operating_items",
            "机关运行经费明细",
            specs,
            [(i, "", None) for i in section.items],
            unit=unit,
        )
    return BlockView(
        "operating-expenses", section.title or "机关运行经费", section.status == "disclosed_empty",
        money(section.total, unit) if section.total is not None else None, "机关运行经费合计",
        table, section.quote, section.note,
    )  # fmt: skip


def procurement_block(budget: Budget, section: Procurement) -> BlockView:
    unit = section_unit(budget, section)
    table = None
    if section.items:
        specs = (
            Spec("采购项目", _attr("project_name"), money=False),
            Spec("采购品目", _attr("item_name"), money=False, always=True),
            Spec("采购目录序号", _attr("catalog_code"), money=False),
            Spec("数量", _attr("quantity")),
            Spec("计量单位", _attr("quantity_unit"), money=False),
            Spec("单价", _attr("unit_price")),
            Spec("金额", _attr("amount"), always=True),
        )
        table = build_table(
            "t-procurement",
            "政府采购预算明细",
            specs,
            [(i, "", None) for i in section.items],
            unit=unit,
        )
    return BlockView(
        "procurement", section.title or "政府采购预算", section.status == "disclosed_empty",
        money(section.total, unit) if section.total is not None else None, "政府采购预算总额",
        table, section.quote, section.note,
    )  # fmt: skip


def assets_block(budget: Budget, section: StateAssets) -> BlockView:
    unit = section_unit(budget, section)
    table = None
    if section.lines:
        specs = (
            Spec(
                "类别",
                lambda line: line.name or ASSET_NAMES.get(line.category, line.category),
                money=False,
                always=True,
            ),
            Spec("数量", _attr("quantity")),
            Spec("数量单位", _attr("quantity_unit"), money=False),
            Spec("金额", _attr("amount"), always=True),
        )
        rows = [
            (
                line,
                "gk-total"
                if line.category == "total"
                else ("gk-l2" if line.category == "office_buildings" else ""),
                None,
            )
            for line in section.lines
        ]
        table = build_table(
            "t-state_assets", section.title or "国有资产占用情况", specs, rows, unit=unit
        )
    extra = []
    if section.as_of is not None:
        extra.append(("截止日期", section.as_of.isoformat()))
    if section.planned_purchases is not None:
        extra.append(("本年度拟购置固定资产", money(section.planned_purchases, unit)))
    narrative = narrative_table(
        budget, "t-assets-narrative", "资产说明中的数字", section.narrative, section
    )
    return BlockView(
        "state-assets", section.title or "国有资产占用情况", section.status == "disclosed_empty",
        None, "", table, section.quote, section.note, extra, narrative,
    )  # fmt: skip
