"""Small builders of budget records for rule tests.

Each builder takes the figures a test is about and fills the rest with
neutral values, so that a test reads like the table it describes:
``function_table([function_line("201", "10.00", basic="10.00")])``.
Amounts are given as strings and become ``Decimal`` (never float).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gongkai.findings import Finding
from gongkai.model import (
    AssetLine,
    Budget,
    Department,
    EconomicColumns,
    EconomicLine,
    EconomicTable,
    FunctionColumns,
    FunctionLine,
    FunctionTable,
    IncomeByFunction,
    IncomeColumns,
    IncomeExpenditureSummary,
    IncomeLine,
    Indicator,
    NarrativeFigure,
    OperatingExpenses,
    OperatingItem,
    Performance,
    PerformanceCategory,
    PlanPoint,
    Project,
    Region,
    Source,
    Staffing,
    StateAssets,
    SummaryAmount,
    SummaryLine,
    SummarySide,
    ThreePublic,
    ThreePublicRow,
)
from gongkai.rules import run_rules

Amount = str | int | Decimal | None


def D(value: Amount) -> Decimal | None:
    """A Decimal from test text (``"1.20"`` keeps its two decimals), None stays None."""
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --------------------------------------------------------------------------- #
# The record
# --------------------------------------------------------------------------- #


def minimal_budget(
    *,
    fiscal_year: int = 2023,
    amount_unit: str = "万元",
    unit_nature: str | None = "行政",
    staffing: Staffing | None = None,
    **sections: Any,
) -> Budget:
    """A valid record with only the sections a test passes."""
    return Budget(
        schema_version=1,
        fiscal_year=fiscal_year,
        stage="budget",
        amount_unit=amount_unit,  # type: ignore[arg-type]
        source=Source(title="测试部门预算", original_format="docx"),
        department=Department(
            name="测试部门",
            code="203",
            region=Region(province="河北省", admin_code="130532", admin_level="county"),
            org_type="party_committee_department",
            unit_nature=unit_nature,
            staffing=staffing,
        ),
        **sections,
    )


@dataclass(frozen=True)
class Expect:
    """The parts of a finding a test pins down."""

    rule: str
    severity: str
    subject: str
    printed: Decimal | None = None
    computed: Decimal | None = None
    path: str | None = None


def outcome(budget: Budget, rule_id: str) -> list[Finding]:
    """The findings of one rule on ``budget``."""
    return run_rules(budget, only=[rule_id])


# --------------------------------------------------------------------------- #
# Tables by function
# --------------------------------------------------------------------------- #


def function_line(
    code: str, total: Amount, *, name: str | None = None, **columns: Amount
) -> FunctionLine:
    return FunctionLine(
        code=code,
        name=name or f"科目{code}",
        total=D(total),
        **{k: D(v) for k, v in columns.items()},
    )


def function_columns(total: Amount = None, **columns: Amount) -> FunctionColumns:
    return FunctionColumns(total=D(total), **{k: D(v) for k, v in columns.items()})


def function_table(
    lines: list[FunctionLine],
    reported_total: FunctionColumns | None = None,
    *,
    fund_scope: str = "all",
    unit: str | None = None,
) -> FunctionTable:
    return FunctionTable(
        fund_scope=fund_scope,  # type: ignore[arg-type]
        lines=lines,
        reported_total=reported_total,
        unit=unit,  # type: ignore[arg-type]
    )


def income_line(
    code: str, total: Amount, *, name: str | None = None, **columns: Amount
) -> IncomeLine:
    return IncomeLine(
        code=code,
        name=name or f"科目{code}",
        total=D(total),
        **{k: D(v) for k, v in columns.items()},
    )


def income_table(
    lines: list[IncomeLine], reported_total: IncomeColumns | None = None
) -> IncomeByFunction:
    return IncomeByFunction(lines=lines, reported_total=reported_total)


def income_columns(total: Amount = None, **columns: Amount) -> IncomeColumns:
    return IncomeColumns(total=D(total), **{k: D(v) for k, v in columns.items()})


# --------------------------------------------------------------------------- #
# Economic table
# --------------------------------------------------------------------------- #


def economic_line(
    code: str,
    total: Amount,
    personnel: Amount = None,
    public: Amount = None,
    *,
    name: str | None = None,
) -> EconomicLine:
    return EconomicLine(
        code=code,
        name=name or f"科目{code}",
        total=D(total),
        personnel=D(personnel),
        public=D(public),
    )


def economic_table(
    lines: list[EconomicLine],
    total: Amount = None,
    personnel: Amount = None,
    public: Amount = None,
    *,
    fund_scope: str = "general_public_budget",
    with_total: bool = True,
) -> EconomicTable:
    reported = EconomicColumns(total=D(total), personnel=D(personnel), public=D(public))
    return EconomicTable(
        fund_scope=fund_scope,  # type: ignore[arg-type]
        lines=lines,
        reported_total=reported if with_total else None,
    )


# --------------------------------------------------------------------------- #
# Summary tables
# --------------------------------------------------------------------------- #


def amount(value: Amount, **funds: Amount) -> SummaryAmount:
    return SummaryAmount(amount=D(value), **{k: D(v) for k, v in funds.items()})


def summary_line(
    name: str, value: Amount, *, code: str | None = None, item: str | None = None, **funds: Amount
) -> SummaryLine:
    return SummaryLine(
        name=name, amount=D(value), code=code, item=item, **{k: D(v) for k, v in funds.items()}
    )  # type: ignore[arg-type]


def side(
    lines: list[SummaryLine],
    current: SummaryAmount | None = None,
    carryover: SummaryAmount | None = None,
    grand: SummaryAmount | None = None,
    carryover_lines: list[SummaryLine] | None = None,
) -> SummarySide:
    return SummarySide(
        lines=lines,
        current_year_total=current,
        carryover=carryover,
        grand_total=grand,
        carryover_lines=carryover_lines or [],
    )


def summary(income: SummarySide, expenditure: SummarySide) -> IncomeExpenditureSummary:
    return IncomeExpenditureSummary(income=income, expenditure=expenditure)


# --------------------------------------------------------------------------- #
# 三公, running costs, assets, text
# --------------------------------------------------------------------------- #


def tp_row(item: str, value: Amount, **funds: Amount) -> ThreePublicRow:
    return ThreePublicRow(item=item, amount=D(value), **{k: D(v) for k, v in funds.items()})  # type: ignore[arg-type]


def three_public(
    rows: list[ThreePublicRow] | None = None,
    narrative: list[NarrativeFigure] | None = None,
    *,
    unit: str | None = None,
) -> ThreePublic:
    return ThreePublic(rows=rows or [], narrative=narrative or [], unit=unit)  # type: ignore[arg-type]


def figure(
    item: str, value: Amount, unit: str | None = None, label: str | None = None
) -> NarrativeFigure:
    return NarrativeFigure(item=item, amount=D(value), unit=unit, label=label)  # type: ignore[arg-type]


def operating(
    total: Amount, items: list[OperatingItem] | None = None, *, unit: str | None = None
) -> OperatingExpenses:
    return OperatingExpenses(total=D(total), items=items or [], unit=unit)  # type: ignore[arg-type]


def operating_item(
    name: str, value: Amount, econ_code: str | None = None, basis: str | None = None
) -> OperatingItem:
    return OperatingItem(name=name, amount=D(value), econ_code=econ_code, basis=basis)


def assets(
    lines: list[tuple[str, Amount]], *, narrative: list[NarrativeFigure] | None = None
) -> StateAssets:
    return StateAssets(
        lines=[AssetLine(category=c, amount=D(v)) for c, v in lines],  # type: ignore[arg-type]
        narrative=narrative or [],
    )


# --------------------------------------------------------------------------- #
# Performance
# --------------------------------------------------------------------------- #


def indicator(
    value_raw: str | None,
    *,
    level1: str | None = "产出指标",
    level2: str | None = "数量指标",
    level3: str = "指标",
    **fields: Any,
) -> Indicator:
    return Indicator(level1=level1, level2=level2, level3=level3, value_raw=value_raw, **fields)


def satisfaction(value_raw: str | None, **fields: Any) -> Indicator:
    return indicator(
        value_raw, level1="满意度指标", level2="服务对象满意度指标", level3="满意度", **fields
    )


def complete_indicators() -> list[Indicator]:
    """One 产出, one 效益 and one 满意度 indicator, all fine."""
    return [
        indicator("≥10人"),
        indicator("效果显著", level1="效益指标", level2="社会效益指标"),
        satisfaction("≥90%"),
    ]


def project(
    seq: int,
    *,
    amount: Amount = None,
    fiscal: Amount = None,
    other: Amount = None,
    code: str | None = None,
    goal: str | None = None,
    purpose: str | None = None,
    plan: list[tuple[int, Amount]] | None = None,
    indicators: list[Indicator] | None = None,
    category: str | None = None,
    unit: str | None = None,
) -> Project:
    return Project(
        seq=seq,
        name=f"项目{seq}",
        code=code,
        amount=D(amount),
        fiscal_amount=D(fiscal),
        other_amount=D(other),
        goal=goal,
        purpose=purpose,
        spending_plan=[PlanPoint(month=m, percent=D(p)) for m, p in plan or []],  # type: ignore[arg-type]
        indicators=indicators if indicators is not None else [],
        category=category,
        unit=unit,  # type: ignore[arg-type]
    )


def category(
    seq: int, value: Amount, parent: int | None = None, name: str | None = None
) -> PerformanceCategory:
    return PerformanceCategory(
        seq=seq, name=name or f"分类{seq}", amount=D(value), parent_seq=parent
    )


def performance(
    categories: list[PerformanceCategory] | None = None,
    *,
    count: int | None = None,
    stated_total: Amount = None,
) -> Performance:
    return Performance(
        categories=categories or [],
        stated_project_count=count,
        stated_project_total=D(stated_total),
    )


# --------------------------------------------------------------------------- #
# Rule cases
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Case:
    """One rule on one record: the findings expected (none for a passing case)."""

    rule: str
    name: str
    budget: Budget
    expected: tuple[Expect, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.name}"


def passes(rule: str, name: str, budget: Budget) -> Case:
    return Case(rule, name, budget)


def fails(rule: str, name: str, budget: Budget, *expected: Expect) -> Case:
    assert expected, "a failing case names its findings"
    assert all(e.rule == rule for e in expected)
    return Case(rule, name, budget, tuple(expected))


def check_case(case: Case) -> None:
    """Run the case's rule and compare with the expected findings, in order.

    An expectation without a path does not compare paths; printed and
    computed are compared as numbers (``Decimal("6.13") == Decimal("6.130")``).
    """
    found = outcome(case.budget, case.rule)
    got = [
        Expect(
            f.rule,
            f.severity,
            f.subject,
            f.printed,
            f.computed,
            f.path if e.path is not None else None,
        )
        for f, e in zip(found, case.expected, strict=False)
    ]
    assert len(found) == len(case.expected), [f.format() for f in found]
    assert got == list(case.expected)
    for f in found:
        assert f.message_zh and f.message_en and f.path
