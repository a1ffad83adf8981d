"""Rules on the basic expenditure table by economic classification (基本支出表).

The table splits basic expenditure into 人员经费 and 公用经费 and by economic
code (301 工资福利支出, 302 商品和服务支出, 303 对个人和家庭的补助 …). Its
合计 row must add up, each 类 must be the sum of its 款, and the two columns
must follow the economic classes (人员经费 = 301 + 303 (+ 304), 公用经费 = 302
(+ 310)). Its 合计 must also be the 基本支出 of the expenditure table of the same
fund scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import partial

from gongkai.findings import Finding
from gongkai.model import Budget, EconomicColumns, EconomicTable, FunctionTable, section_unit
from gongkai.rules import rule
from gongkai.rules._helpers import (
    cell_getter,
    children_indices,
    column_sums,
    compact,
    compare_finding,
    field_label,
    present_columns,
    root_indices,
    sum_finding,
    total,
    unbalanced_rows,
)

COLUMNS = ("total", "personnel", "public")
#: Economic classes whose amounts are 人员经费 / 公用经费 in basic expenditure.
PERSONNEL_CLASSES = ("301", "303", "304")
PUBLIC_CLASSES = ("302", "310")
#: The expenditure table with the same fund scope as the basic expenditure table.
SCOPE_TABLES = {
    "general_public_budget": "gpb_expenditure_by_function",
    "all": "expenditure_by_function",
    "government_fund": "government_fund_expenditure",
    "soe_capital": "soe_capital_expenditure",
}
TITLE = "基本支出表"
SECTION = "gpb_basic_by_economic"


def basic_table(budget: Budget) -> EconomicTable | None:
    """The disclosed, non-empty basic expenditure table, or None."""
    table = budget.gpb_basic_by_economic
    if table is None or table.status != "disclosed" or not table.lines:
        return None
    return table


def _columns(table: EconomicTable) -> list[str]:
    return present_columns([*table.lines, table.reported_total], COLUMNS)


def _label(column: str) -> str:
    return field_label(EconomicColumns, column)


@rule(
    "R-ECO-TOTAL",
    "基本支出表合计 = Σ 类",
    "Basic expenditure total = sum of the 类 rows",
    "一般公共预算财政拨款基本支出表的合计行（合计、人员经费、公用经费各列）等于各经济分类“类”行之和。",
)
def check_economic_total(budget: Budget) -> Iterator[Finding]:
    """The 合计 row against the sum of the top-level rows, per column."""
    table = basic_table(budget)
    if table is None or table.reported_total is None:
        return
    unit = section_unit(budget, table)
    roots = [table.lines[i] for i in root_indices(table.lines)]
    yield from column_sums(
        "R-ECO-TOTAL", table.reported_total, roots, _columns(table), unit, f"{SECTION}.reported_total",
        _total_texts,
    )  # fmt: skip


def _total_texts(column: str) -> tuple[str, str, str]:
    """Subject and identity of R-ECO-TOTAL in ``column``."""
    return (
        f"{TITLE} 合计行 {_label(column)}",
        f"{TITLE}合计行“{_label(column)}” = Σ 类",
        f"basic expenditure table: total row {column} = sum of 类 rows",
    )


@rule(
    "R-ECO-PARENT",
    "基本支出表类 = Σ 款",
    "Each economic 类 = sum of its 款",
    "基本支出表中每个经济分类“类”行等于其下各“款”行之和，合计、人员经费、公用经费各列都如此。",
)
def check_economic_parent(budget: Budget) -> Iterator[Finding]:
    """Every 类 row against its 款 rows, per column."""
    table = basic_table(budget)
    if table is None:
        return
    unit = section_unit(budget, table)
    columns = _columns(table)
    for parent, kids in children_indices(table.lines).items():
        line = table.lines[parent]
        yield from column_sums(
            "R-ECO-PARENT", line, [table.lines[k] for k in kids], columns, unit, f"{SECTION}.lines[{parent}]",
            partial(_parent_texts, line.code),
        )  # fmt: skip


def _parent_texts(code: str, column: str) -> tuple[str, str, str]:
    """Subject and identity of R-ECO-PARENT for the 类 ``code`` in ``column``."""
    return (
        f"{TITLE} {code} {_label(column)}",
        f"{TITLE}类 {code}“{_label(column)}” = Σ 款",
        f"basic expenditure table: {code} {column} = sum of its 款",
    )


@rule(
    "R-ECO-SPLIT",
    "合计 = 人员经费 + 公用经费",
    "Total = personnel + public",
    "基本支出表每一行：合计 = 人员经费 + 公用经费。",
)
def check_economic_split(budget: Budget) -> Iterator[Finding]:
    """Each row's 合计 against 人员经费 + 公用经费."""
    table = basic_table(budget)
    if table is None:
        return
    parts = [c for c in _columns(table) if c != "total"]
    if not parts:
        return
    unit = section_unit(budget, table)
    cells = cell_getter(tuple(parts))
    for row, terms, key, path in unbalanced_rows(table, cells, SECTION):
        yield from compact(
            [
                sum_finding(
                    "R-ECO-SPLIT",
                    f"{TITLE} {key}",
                    row.total,
                    terms,
                    unit,
                    f"{path}.total",
                    f"{TITLE} {key}：合计 = 人员经费 + 公用经费",
                    f"basic expenditure table {key}: total = personnel + public",
                )
            ]
        )


def class_amount(table: EconomicTable, code: str) -> Decimal | None:
    """合计 of an economic 类: its printed row, else the sum of its 款 rows, else None."""
    for line in table.lines:
        if line.code == code:
            return line.total
    kids = [
        line.total for line in table.lines if len(line.code) == 5 and line.code.startswith(code)
    ]
    return total(kids) if kids else None


@rule(
    "R-ECO-PERS",
    "人员经费 = 301 + 303，公用经费 = 302",
    "Personnel = 301 + 303 (+304), public = 302 (+310)",
    "基本支出表中人员经费合计等于 301 工资福利支出 + 303 对个人和家庭的补助（+ 304）；"
    "公用经费合计等于 302 商品和服务支出（+ 基本支出中的 310 资本性支出）。",
)
def check_economic_personnel(budget: Budget) -> Iterator[Finding]:
    """The 人员经费 / 公用经费 totals against the economic classes they cover."""
    table = basic_table(budget)
    if table is None or table.reported_total is None:
        return
    unit = section_unit(budget, table)
    for column, classes, name in (
        ("personnel", PERSONNEL_CLASSES, "人员经费"),
        ("public", PUBLIC_CLASSES, "公用经费"),
    ):
        amounts = [class_amount(table, code) for code in classes]
        if all(a is None for a in amounts):
            continue
        used = " + ".join(c for c, a in zip(classes, amounts, strict=True) if a is not None)
        yield from compact(
            [
                sum_finding(
                    "R-ECO-PERS",
                    f"{TITLE} {name}",
                    getattr(table.reported_total, column),
                    amounts,
                    unit,
                    f"{SECTION}.reported_total.{column}",
                    f"{TITLE}{name}合计 = {used}",
                    f"basic expenditure table: {column} = {used}",
                )
            ]
        )


@rule(
    "R-XTAB-BASIC",
    "基本支出表合计 = 支出表基本支出",
    "Basic expenditure table total = basic column of the expenditure table",
    "一般公共预算财政拨款基本支出表的合计等于一般公共预算财政拨款支出表合计行的“基本支出”。",
)
def check_cross_table_basic(budget: Budget) -> Iterator[Finding]:
    """The economic table's 合计 against the 基本支出 of the same-scope function table."""
    table = basic_table(budget)
    if table is None or table.reported_total is None:
        return
    name = SCOPE_TABLES.get(table.fund_scope)
    other: FunctionTable | None = getattr(budget, name) if name else None
    if other is None or other.reported_total is None or name is None:
        return
    unit = section_unit(budget, table)
    if unit != section_unit(budget, other):
        return
    yield from compact(
        [
            compare_finding(
                "R-XTAB-BASIC",
                f"{TITLE} 合计",
                table.reported_total.total,
                other.reported_total.basic,
                unit,
                f"{SECTION}.reported_total.total",
                f"{TITLE}合计 = 支出表合计行的基本支出",
                "basic expenditure table total = basic column of the expenditure table",
            )
        ]
    )
