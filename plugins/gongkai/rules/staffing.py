"""Rules on staffing (人员编制) and per-head spending standards.

Seed 000 states 编制 47 and 实际在编 31, and budgets 工会经费 “按在职职工每人每年
100元” (3,100 元 = 31 people) and 福利费 “在职每人每年150元，退休人员每人每年
20元” (4,790 元 = 31 × 150 + 7 × 20). A standard times a headcount must give the
printed amount, and the headcounts must be whole and agree with the staffing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from gongkai.findings import Finding
from gongkai.model import Budget, OperatingItem, Staffing, section_unit, to_yuan
from gongkai.rules import rule
from gongkai.rules._helpers import finding

_RATE = re.compile(r"每人每年\s*(\d+(?:\.\d+)?)\s*元")
_ACTIVE = re.compile(r"在职|在编")
_RETIRED = re.compile(r"退休|离退休")


def _staff_levels(staffing: Staffing) -> Iterator[Finding]:
    """实际在编 ≤ 编制: more staff than posts is possible (超编) but needs a look."""
    if staffing.actual is None or staffing.establishment is None:
        return
    if staffing.actual > staffing.establishment:
        yield finding(
            "R-STAFF",
            "warning",
            "人员编制 实有人数",
            f"实际在编人数 {staffing.actual} 超过编制数 {staffing.establishment}",
            f"actual staff {staffing.actual} exceeds the establishment {staffing.establishment}",
            path="department.staffing.actual",
            printed=Decimal(staffing.actual),
            computed=Decimal(staffing.establishment),
            unit="人",
        )


def rates(basis: str) -> list[tuple[Decimal, str]]:
    """Per-head yearly rates in a basis text with the group each applies to.

    ``按在职职工每人每年150元安排，退休人员每人每年20元安排`` →
    ``[(150, "active"), (20, "retired")]``; the group is read from the clause
    the rate is in (the text between the previous rate and this one).
    """
    found: list[tuple[Decimal, str]] = []
    start = 0
    for match in _RATE.finditer(basis):
        clause = basis[start : match.start()]
        group = (
            "retired" if _RETIRED.search(clause) else "active" if _ACTIVE.search(clause) else "any"
        )
        found.append((Decimal(match.group(1)), group))
        start = match.end()
    return found


def _headcount_check(
    index: int, item: OperatingItem, staffing: Staffing | None, unit: str, repeated: bool = False
) -> Finding | None:
    """A per-head item's amount (rates are in 元) against the headcounts it implies."""
    amount = to_yuan(item.amount, unit)
    if item.basis is None or amount is None:
        return None
    found = rates(item.basis)
    if not found:
        return None
    actual = staffing.actual if staffing else None
    retired = staffing.retired if staffing else None
    subject = (
        f"机关运行经费 {item.name} 人数（第{index + 1}项）"
        if repeated
        else f"机关运行经费 {item.name} 人数"
    )
    path = f"operating_expenses.items[{index}].amount"
    if len(found) == 1:
        rate = found[0][0]
        heads = amount / rate
        expected = actual if found[0][1] in ("active", "any") else retired
        if heads != heads.to_integral_value():
            return _headcount(subject, path, item, heads, None, "不是整数")
        if expected is not None and heads != expected:
            return _headcount(subject, path, item, heads, Decimal(expected), "与人员编制不符")
        return None
    active_rate = next((r for r, g in found if g != "retired"), None)
    retired_rate = next((r for r, g in found if g == "retired"), None)
    if active_rate is None or retired_rate is None or actual is None:
        return None
    rest = amount - active_rate * actual
    retirees = rest / retired_rate
    if rest < 0 or retirees != retirees.to_integral_value():
        return _headcount(subject, path, item, retirees, None, "推算的退休人数不是非负整数")
    if retired is not None and retirees != retired:
        return _headcount(
            subject, path, item, retirees, Decimal(retired), "推算的退休人数与所述不符"
        )
    return None


def _headcount(
    subject: str,
    path: str,
    item: OperatingItem,
    heads: Decimal,
    expected: Decimal | None,
    problem: str,
) -> Finding:
    return finding(
        "R-STAFF",
        "warning",
        subject,
        f"“{item.name}”按人均标准（{item.basis}）推算的人数 {heads.normalize():f} {problem}",
        f"{item.name}: the per-head standard implies {heads.normalize():f} people",
        path=path,
        printed=heads,
        computed=expected,
        unit="人",
    )


@rule(
    "R-STAFF",
    "人员编制与人均标准",
    "Staffing and per-head standards",
    "实际在编人数不超过编制数；按“每人每年X元”安排的经费除以标准得到整数人数，且与实际在编（及离退休）人数一致。",
)
def check_staffing(budget: Budget) -> Iterator[Finding]:
    """Staffing levels and headcounts implied by per-head standards."""
    staffing = budget.department.staffing
    if staffing is not None:
        yield from _staff_levels(staffing)
    running = budget.operating_expenses
    if running is None:
        return
    names = [item.name for item in running.items]
    for index, item in enumerate(running.items):
        repeated = names.count(item.name) > 1
        result = _headcount_check(index, item, staffing, section_unit(budget, running), repeated)
        if result is not None:
            yield result
