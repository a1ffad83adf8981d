"""Rules on 政府采购预算 (the government procurement table).

The table lists what the department will buy (品目, 数量, 单价, 金额); its
采购预算总额 is the sum of the rows' amounts, and a row's amount is its
quantity times its unit price.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

from gongkai.findings import Finding, decimals_of
from gongkai.model import Budget, Procurement, section_unit
from gongkai.rules import rule
from gongkai.rules._helpers import compact, compare_finding, printed_count, sum_finding


def procurement(budget: Budget) -> Procurement | None:
    """The 政府采购预算 section when it is disclosed (as a table or as an empty one), or None."""
    section = budget.procurement
    if section is None or section.status not in ("disclosed", "disclosed_empty"):
        return None
    return section


@rule(
    "R-PROC-SUM",
    "采购预算合计 = Σ 明细金额",
    "Procurement total = sum of the item amounts",
    "政府采购预算总额等于政府采购预算表各行金额之和；空表（disclosed_empty）的总额为 0。",
)
def check_procurement_sum(budget: Budget) -> Iterator[Finding]:
    """The printed 采购预算总额 against the amounts of the table's rows.

    A disclosed table without rows (only the total, from the text) or whose
    rows print no amount has nothing to add up; an empty table
    (``disclosed_empty``) adds up to 0. A total left blank is not compared:
    the table may print no total row.
    """
    section = procurement(budget)
    if section is None or section.total is None:
        return
    amounts = [item.amount for item in section.items]
    if section.status == "disclosed" and not printed_count(amounts):
        return
    yield from compact(
        [
            sum_finding(
                "R-PROC-SUM",
                "政府采购预算 合计",
                section.total,
                amounts,
                section_unit(budget, section),
                "procurement.total",
                "政府采购预算合计 = Σ 各行金额",
                "procurement total = sum of the item amounts",
            )
        ]
    )


@rule(
    "R-PROC-PRICE",
    "采购金额 = 单价 × 数量",
    "Procurement amount = unit price × quantity",
    "政府采购预算表中印有单价和数量的行，金额等于单价乘以数量；按所印精度舍入的差额视为舍入，"
    "其他差异提示核对（单价可能是平均价）。",
)
def check_procurement_price(budget: Budget) -> Iterator[Finding]:
    """Each row's amount against its unit price times its quantity.

    The unit price is printed rounded, and each unit carries its rounding,
    so the tolerance grows with the quantity. The identity is how the table
    is built rather than a rule of law (a unit price may be an average), so
    a real difference is a warning.
    """
    section = procurement(budget)
    if section is None:
        return
    unit = section_unit(budget, section)
    for index, item in enumerate(section.items):
        if item.amount is None or item.unit_price is None or item.quantity is None:
            continue
        found = compare_finding(
            "R-PROC-PRICE",
            f"政府采购 第{index + 1}行",
            item.amount,
            item.unit_price * item.quantity,
            unit,
            f"procurement.items[{index}].amount",
            f"政府采购第{index + 1}行“{item.item_name}”：金额 = 单价 × 数量",
            f"procurement row {index + 1}: amount = unit price × quantity",
            terms=max(1, math.ceil(abs(item.quantity))),
            decimals=decimals_of(item.amount, item.unit_price),
        )
        if found is not None:
            yield replace(found, severity="warning") if found.severity == "error" else found
