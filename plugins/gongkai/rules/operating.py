"""Rules on 机关运行经费 (the running costs of an administrative office).

机关运行经费 is the 公用经费 part of basic expenditure for an administrative
unit (GUIDE §1); when itemised (seed 000) the items add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from gongkai.findings import Finding, classify, decimals_of, fmt
from gongkai.model import Budget, OperatingExpenses, section_unit
from gongkai.rules import rule
from gongkai.rules._helpers import (
    compact,
    convert,
    finding,
    first_figure,
    narrative_unit,
    sum_finding,
)

#: Organisations whose 机关运行经费 is their 公用经费 (行政单位 and 参公 units).
ADMINISTRATIVE_TYPES = ("party_committee_department", "government_department")


def operating(budget: Budget) -> OperatingExpenses | None:
    """The disclosed 机关运行经费 section, or None."""
    section = budget.operating_expenses
    if section is None or section.status != "disclosed":
        return None
    return section


@rule(
    "R-RUN-SUM",
    "机关运行经费 = Σ 明细",
    "Office running costs = sum of the items",
    "机关运行经费总额等于所列各项明细之和。",
)
def check_running_sum(budget: Budget) -> Iterator[Finding]:
    """The printed total against its items (when itemised)."""
    section = operating(budget)
    if section is None or not section.items:
        return
    yield from compact(
        [
            sum_finding(
                "R-RUN-SUM",
                "机关运行经费 合计",
                section.total,
                [item.amount for item in section.items],
                section_unit(budget, section),
                "operating_expenses.total",
                "机关运行经费合计 = Σ 各项明细",
                "office running costs = sum of the items",
            )
        ]
    )


def is_administrative(budget: Budget) -> bool:
    """True for an administrative unit (行政 / 参公), where 机关运行经费 = 公用经费."""
    nature = budget.department.unit_nature or ""
    if "行政" in nature or "参公" in nature or "参照公务员" in nature:
        return True
    return not nature and budget.department.org_type in ADMINISTRATIVE_TYPES


def public_expenditure(budget: Budget, unit: str) -> tuple[Decimal, str] | None:
    """公用经费 in ``unit`` and its source: 基本支出表, else the text."""
    table = budget.gpb_basic_by_economic
    if table is not None and table.status == "disclosed":
        table_unit = section_unit(budget, table)
        if table.reported_total is not None and table.reported_total.public is not None:
            return convert(table.reported_total.public, table_unit, unit) or Decimal(
                0
            ), "基本支出表公用经费"
        for line in table.lines:
            if line.code == "302" and line.total is not None:
                return convert(line.total, table_unit, unit) or Decimal(0), "基本支出表 302"
    found = first_figure(budget.narrative_figures or [], ("public",))
    if found is not None:
        figure = found[1]
        amount = convert(figure.amount, narrative_unit(budget, figure), unit)
        return amount or Decimal(0), "文字说明公用经费"
    return None


@rule(
    "R-RUN-PUB",
    "机关运行经费 ≈ 公用经费",
    "Office running costs ≈ public expenditure",
    "行政单位（含参公单位）的机关运行经费等于基本支出中的公用经费（302 商品和服务支出）；"
    "按所印精度四舍五入的差额视为舍入，其他差异提示核对。",
)
def check_running_public(budget: Budget) -> Iterator[Finding]:
    """The 机关运行经费 total against 公用经费, for an administrative unit.

    The identity holds by definition in practice but not by law (the scope
    of 机关运行经费 is set by each finance bureau), so a real difference is a
    warning, not an error.
    """
    section = operating(budget)
    if section is None or section.total is None or not is_administrative(budget):
        return
    unit = section_unit(budget, section)
    found = public_expenditure(budget, unit)
    if found is None:
        return
    public, source = found
    severity = classify(section.total, public, 0, unit, decimals_of(section.total))
    if severity is None:
        return
    rounding = severity == "rounding"
    gap = fmt(abs(section.total - public))
    yield finding(
        "R-RUN-PUB",
        "rounding" if rounding else "warning",
        "机关运行经费 与 公用经费",
        f"机关运行经费与{source}相差 {gap}{unit}"
        + ("，在舍入误差范围内" if rounding else "，请核对"),
        f"office running costs differ from public expenditure by {gap} {unit}",
        path="operating_expenses.total",
        printed=section.total,
        computed=public,
        unit=unit,
    )
