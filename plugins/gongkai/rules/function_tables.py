"""Rules on the tables by functional classification (支出功能分类 类/款/项).

The income table (收入总表) and the four expenditure tables (支出总表,
一般公共预算支出表, 政府性基金 and 国有资本经营 tables) share one shape: code
rows whose hierarchy comes from the code prefix, a printed 合计 row, and
amount columns. Every column of such a table adds up the same way, so the
rules below check every column that the table prints.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from gongkai.findings import Finding
from gongkai.model import (
    Budget,
    FunctionColumns,
    FunctionLine,
    FunctionTable,
    IncomeByFunction,
    IncomeColumns,
    IncomeExpenditureSummary,
    IncomeLine,
    SummaryLine,
    section_unit,
)
from gongkai.rules import rule, shared
from gongkai.rules._helpers import (
    SECTION_LABELS,
    SECTION_LABELS_EN,
    agrees,
    cell_getter,
    children_indices,
    column_names,
    column_sums,
    compact,
    compare_finding,
    field_label,
    present_columns,
    root_indices,
    sum_finding,
    unbalanced_rows,
)

#: Sections classified by function, in the order findings are reported.
FUNCTION_SECTIONS: tuple[str, ...] = (
    "income_by_function",
    "expenditure_by_function",
    "gpb_expenditure_by_function",
    "government_fund_expenditure",
    "soe_capital_expenditure",
)
#: Expenditure columns that add up to 合计 (R-EXP-SPLIT).
SPLIT_COLUMNS: tuple[str, ...] = (
    "basic",
    "project",
    "business_operation",
    "remit_to_superior",
    "subsidy_to_subsidiaries",
)


def function_tables(budget: Budget) -> Iterator[tuple[str, FunctionTable | IncomeByFunction]]:
    """The disclosed, non-empty function-classified tables with their section name."""
    for name in FUNCTION_SECTIONS:
        table = getattr(budget, name)
        if table is not None and table.status == "disclosed" and table.lines:
            yield name, table


@shared
def columns_of(table: FunctionTable | IncomeByFunction) -> tuple[str, ...]:
    """The amount columns the table prints (any figure in a line or the 合计 row).

    Shared by the rules of a run (three of them ask, for every table).
    """
    cls = IncomeColumns if isinstance(table, IncomeByFunction) else FunctionColumns
    return tuple(present_columns([*table.lines, table.reported_total], column_names(cls)))


def label(table: FunctionTable | IncomeByFunction, column: str) -> str:
    """The Chinese name of a column of ``table``."""
    cls = IncomeColumns if isinstance(table, IncomeByFunction) else FunctionColumns
    return field_label(cls, column)


# --------------------------------------------------------------------------- #
# R-FUNC-TOTAL, R-FUNC-PARENT
# --------------------------------------------------------------------------- #


@rule(
    "R-FUNC-TOTAL",
    "合计 = Σ 类",
    "Total = sum of the 类 rows",
    "按功能分类的收入表、支出表中，合计行的每一列等于各“类”行该列之和。",
)
def check_function_total(budget: Budget) -> Iterator[Finding]:
    """The printed 合计 row against the sum of the top-level rows, column by column."""
    for name, table in function_tables(budget):
        if table.reported_total is None:
            continue
        unit = section_unit(budget, table)
        roots = [table.lines[i] for i in root_indices(table.lines)]
        yield from column_sums(
            "R-FUNC-TOTAL", table.reported_total, roots, columns_of(table), unit, f"{name}.reported_total",
            partial(_total_texts, name, table),
        )  # fmt: skip


def _total_texts(name: str, table: Any, column: str) -> tuple[str, str, str]:
    """Subject and identity of R-FUNC-TOTAL for the table ``name`` in ``column``."""
    return (
        f"{SECTION_LABELS[name]} 合计行 {label(table, column)}",
        f"{SECTION_LABELS[name]}合计行“{label(table, column)}” = Σ 类",
        f"{SECTION_LABELS_EN[name]}: total row, column {column} = sum of 类 rows",
    )


@rule(
    "R-FUNC-PARENT",
    "类 = Σ 款，款 = Σ 项",
    "Each 类 = sum of its 款, each 款 = sum of its 项",
    "按功能分类的表中，每个“类”行等于其下各“款”行之和，每个“款”行等于其下各“项”行之和，各列都如此。",
)
def check_function_parent(budget: Budget) -> Iterator[Finding]:
    """Every parent row against the sum of its children, in every printed column."""
    for name, table in function_tables(budget):
        unit = section_unit(budget, table)
        columns = columns_of(table)
        for parent, kids in children_indices(table.lines).items():
            line = table.lines[parent]
            yield from column_sums(
                "R-FUNC-PARENT", line, [table.lines[k] for k in kids], columns, unit, f"{name}.lines[{parent}]",
                partial(_parent_texts, name, table, line.code),
            )  # fmt: skip


def _parent_texts(name: str, table: Any, code: str, column: str) -> tuple[str, str, str]:
    """Subject and identity of R-FUNC-PARENT for the 类 or 款 ``code`` in ``column``."""
    level, child = ("类", "款") if len(code) == 3 else ("款", "项")
    return (
        f"{SECTION_LABELS[name]} {code} {label(table, column)}",
        f"{SECTION_LABELS[name]}{level} {code}“{label(table, column)}” = Σ {child}",
        f"{SECTION_LABELS_EN[name]}: {code} {column} = sum of its children",
    )


# --------------------------------------------------------------------------- #
# R-EXP-SPLIT
# --------------------------------------------------------------------------- #


@rule(
    "R-EXP-SPLIT",
    "合计 = 基本支出 + 项目支出",
    "Total = basic + project (+ other expenditure columns)",
    "支出表每一行：合计 = 基本支出 + 项目支出（+ 经营支出 + 上缴上级支出 + 对附属单位补助支出）。",
)
def check_expenditure_split(budget: Budget) -> Iterator[Finding]:
    """Each row's 合计 against the sum of its expenditure-type columns."""
    for name, table in function_tables(budget):
        if not isinstance(table, FunctionTable):
            continue
        unit = section_unit(budget, table)
        parts = [c for c in columns_of(table) if c in SPLIT_COLUMNS]
        if not parts:
            continue
        cells = cell_getter(tuple(parts))
        for row, terms, key, path in unbalanced_rows(table, cells, name):
            identity = " + ".join(label(table, c) for c in parts)
            finding = sum_finding(
                "R-EXP-SPLIT",
                f"{SECTION_LABELS[name]} {key}",
                row.total,
                terms,
                unit,
                f"{path}.total",
                f"{SECTION_LABELS[name]} {key}：合计 = {identity}",
                f"{SECTION_LABELS_EN[name]} {key}: total = {' + '.join(parts)}",
            )
            if finding is not None:
                yield finding


# --------------------------------------------------------------------------- #
# R-XTAB-FUNC, R-XTAB-LEI
# --------------------------------------------------------------------------- #


def _code_totals(table: FunctionTable | IncomeByFunction) -> dict[str, tuple[int, Decimal | None]]:
    """Code → (index, 合计) for the first row of each code."""
    found: dict[str, tuple[int, Decimal | None]] = {}
    lines: Sequence[FunctionLine | IncomeLine] = table.lines
    for index, line in enumerate(lines):
        found.setdefault(line.code, (index, line.total))
    return found


def _same_totals(
    rule_id: str,
    budget: Budget,
    name: str,
    table: FunctionTable | IncomeByFunction,
    reference: FunctionTable,
) -> Iterator[Finding]:
    """Every code of ``table`` has the 合计 of the same code in ``reference`` (支出总表)."""
    unit = section_unit(budget, table)
    ref_unit = section_unit(budget, reference)
    if unit != ref_unit:
        return
    mine, theirs = _code_totals(table), _code_totals(reference)
    for code, (index, amount) in mine.items():
        other = theirs.get(code, (None, None))[1]
        if agrees(amount, other):
            continue  # the usual case: no texts to format
        yield from compact(
            [
                compare_finding(
                    rule_id,
                    f"{SECTION_LABELS[name]} {code}",
                    amount,
                    other,
                    unit,
                    f"{name}.lines[{index}].total",
                    f"{SECTION_LABELS[name]}与支出总表科目 {code} 的合计一致",
                    f"code {code}: {SECTION_LABELS_EN[name]} total = expenditure table total",
                )
            ]
        )
    for code, (index, amount) in theirs.items():
        if code not in mine and amount:
            yield compare_finding(  # type: ignore[misc]
                rule_id,
                f"{SECTION_LABELS[name]} 缺 {code}",
                None,
                amount,
                unit,
                f"expenditure_by_function.lines[{index}].total",
                f"支出总表科目 {code} 在{SECTION_LABELS[name]}中没有对应行",
                f"code {code} of the expenditure table is missing from the {SECTION_LABELS_EN[name]}",
            )


def _all_general_public_budget(budget: Budget, reference: FunctionTable) -> bool:
    """True when the 一般公共预算 table covers all the money of 支出总表.

    Only then must each code have the same 合计 in both tables (GUIDE R-XTAB-FUNC);
    the printed 合计 rows being equal is what shows it.
    """
    gpb = budget.gpb_expenditure_by_function
    if gpb is None or gpb.reported_total is None or reference.reported_total is None:
        return False
    return (
        gpb.reported_total.total is not None
        and gpb.reported_total.total == reference.reported_total.total
    )


@rule(
    "R-XTAB-FUNC",
    "同一科目各表合计一致",
    "A functional code has the same total in every table",
    "同一功能分类科目在收入总表和支出总表中的合计相同；当全部资金都是一般公共预算时，"
    "在一般公共预算财政拨款支出表中也相同。",
)
def check_cross_table_function(budget: Budget) -> Iterator[Finding]:
    """收入总表 and 一般公共预算支出表 rows against the 支出总表 rows of the same code."""
    reference = budget.expenditure_by_function
    if reference is None or reference.status != "disclosed" or not reference.lines:
        return
    income = budget.income_by_function
    if income is not None and income.status == "disclosed" and income.lines:
        yield from _same_totals("R-XTAB-FUNC", budget, "income_by_function", income, reference)
    gpb = budget.gpb_expenditure_by_function
    if gpb is not None and gpb.lines and _all_general_public_budget(budget, reference):
        yield from _same_totals(
            "R-XTAB-FUNC", budget, "gpb_expenditure_by_function", gpb, reference
        )


def _lei_rows(table: FunctionTable) -> dict[str, tuple[int, Decimal | None]]:
    """类 code → (index, 合计) of a function table."""
    return {
        line.code: (index, line.total)
        for index, line in reversed(list(enumerate(table.lines)))
        if len(line.code) == 3
    }


def _summary_code(line: SummaryLine, by_name: dict[str, str]) -> str | None:
    """The 类 code of a summary line: as given, else by its printed name."""
    if line.code is not None:
        return line.code
    return by_name.get(line.name.replace(" ", ""))


def _summary_against_table(
    budget: Budget,
    summary_name: str,
    summary: IncomeExpenditureSummary,
    column: str,
    table_name: str,
    table: FunctionTable,
) -> Iterator[Finding]:
    """Each 类 line of a summary's expenditure side against the 类 row of ``table``."""
    unit = section_unit(budget, summary)
    if unit != section_unit(budget, table):
        return
    rows = _lei_rows(table)
    by_name = {line.name.replace(" ", ""): line.code for line in table.lines if len(line.code) == 3}
    seen: set[str] = set()
    for index, line in enumerate(summary.expenditure.lines):
        code = _summary_code(line, by_name)
        amount = getattr(line, column)
        if code is None:
            if amount:
                yield compare_finding(  # type: ignore[misc]
                    "R-XTAB-LEI",
                    f"{SECTION_LABELS[summary_name]} {line.name}",
                    amount,
                    None,
                    unit,
                    f"{summary_name}.expenditure.lines[{index}].{column}",
                    f"{SECTION_LABELS[summary_name]}的“{line.name}”在{SECTION_LABELS[table_name]}中没有对应的类",
                    f"{line.name} of the summary has no 类 row in the {SECTION_LABELS_EN[table_name]}",
                )
            continue
        key = code if code not in seen else f"{code}（第{index + 1}行）"
        seen.add(code)
        other = rows.get(code, (None, None))[1]
        if agrees(amount, other):
            continue  # the usual case: no texts to format
        yield from compact(
            [
                compare_finding(
                    "R-XTAB-LEI",
                    f"{SECTION_LABELS[summary_name]} {key}",
                    amount,
                    other,
                    unit,
                    f"{summary_name}.expenditure.lines[{index}].{column}",
                    f"{SECTION_LABELS[summary_name]}支出方类 {code} = {SECTION_LABELS[table_name]}类 {code} 合计",
                    f"class {code}: summary = {SECTION_LABELS_EN[table_name]}",
                )
            ]
        )
    for code, (index, amount) in rows.items():
        if code not in seen and amount:
            yield compare_finding(  # type: ignore[misc]
                "R-XTAB-LEI",
                f"{SECTION_LABELS[summary_name]} 缺 {code}",
                None,
                amount,
                unit,
                f"{table_name}.lines[{index}].total",
                f"{SECTION_LABELS[table_name]}的类 {code} 在{SECTION_LABELS[summary_name]}支出方中没有对应行",
                f"class {code} of the {SECTION_LABELS_EN[table_name]} is missing from the summary",
            )


@rule(
    "R-XTAB-LEI",
    "收支总表类 = 支出表类",
    "Summary 类 lines = expenditure table 类 rows",
    "收支总表支出方各类的金额等于部门预算支出总表相应“类”行的合计；"
    "财政拨款收支总表的一般公共预算列等于一般公共预算财政拨款支出表的“类”行。",
)
def check_cross_table_lei(budget: Budget) -> Iterator[Finding]:
    """The summaries' expenditure sides against the 类 rows of the matching table."""
    summary, table = budget.income_expenditure_summary, budget.expenditure_by_function
    if summary is not None and table is not None and table.lines and summary.expenditure.lines:
        yield from _summary_against_table(
            budget,
            "income_expenditure_summary",
            summary,
            "amount",
            "expenditure_by_function",
            table,
        )
    fiscal, gpb = budget.fiscal_appropriation_summary, budget.gpb_expenditure_by_function
    if fiscal is not None and gpb is not None and gpb.lines and fiscal.expenditure.lines:
        lines = fiscal.expenditure.lines
        column = (
            "general_public_budget"
            if present_columns(lines, ["general_public_budget"])
            else "amount"
        )
        yield from _summary_against_table(
            budget,
            "fiscal_appropriation_summary",
            fiscal,
            column,
            "gpb_expenditure_by_function",
            gpb,
        )
