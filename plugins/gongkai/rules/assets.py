"""Rules on 国有资产占用情况 (the fixed-asset table).

The 资产总额 line is the sum of the category lines (房屋, 车辆, 单价20万元以上
设备, 其他固定资产, …); 其中办公用房 is part of 房屋 and is not added again.
"""

from __future__ import annotations

from collections.abc import Iterator

from gongkai.findings import Finding
from gongkai.model import Budget, section_unit
from gongkai.rules import rule
from gongkai.rules._helpers import compact, sum_finding

#: Categories that are a part of another line (其中), so not terms of the total.
NESTED = frozenset({"total", "office_buildings"})


@rule(
    "R-ASSET-SUM",
    "资产总额 = Σ 类别",
    "Total assets = sum of the categories",
    "国有资产占用情况表中资产总额等于房屋、车辆、单价20万元以上设备、其他固定资产等各类之和"
    "（“其中：办公用房”不重复计入）。",
)
def check_asset_sum(budget: Budget) -> Iterator[Finding]:
    """The 资产总额 line against the category lines."""
    section = budget.state_assets
    if section is None or section.status != "disclosed":
        return
    totals = [(i, line) for i, line in enumerate(section.lines) if line.category == "total"]
    parts = [line.amount for line in section.lines if line.category not in NESTED]
    if not totals or not parts:
        return
    index, line = totals[0]
    yield from compact(
        [
            sum_finding(
                "R-ASSET-SUM",
                "资产表 资产总额",
                line.amount,
                parts,
                section_unit(budget, section),
                f"state_assets.lines[{index}].amount",
                "资产总额 = 各类资产之和",
                "total assets = sum of the categories",
            )
        ]
    )
