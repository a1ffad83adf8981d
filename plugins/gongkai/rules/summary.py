"""Rules on the summary tables (收支总表, 财政拨款收支总表) and the income table rows.

A summary table has two sides that must balance; each side is 本年合计 +
结转结余 = 总计, and 本年合计 is the sum of its lines. The 财政拨款收支总表 also
splits each figure by fund (一般公共预算, 政府性基金, 国有资本经营).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from gongkai.findings import Finding
from gongkai.model import (
    Budget,
    IncomeByFunction,
    IncomeColumns,
    IncomeExpenditureSummary,
    SummaryAmount,
    SummarySide,
    section_unit,
)
from gongkai.rules import rule, shared
from gongkai.rules._helpers import (
    adds_up,
    cell_getter,
    compact,
    compare_finding,
    field_label,
    present_columns,
    row_keys,
    sum_finding,
)

SIDE_LABELS = {"income": "收入", "expenditure": "支出"}
CURRENT_LABELS = {"income": "本年收入合计", "expenditure": "本年支出合计"}
CARRYOVER_LABELS = {"income": "上年结转结余", "expenditure": "年终结转结余"}
GRAND_LABELS = {"income": "收入总计", "expenditure": "支出总计"}
FUND_COLUMNS = ("general_public_budget", "government_fund", "soe_capital")
FUND_LABELS = {
    "amount": "合计",
    "general_public_budget": "一般公共预算",
    "government_fund": "政府性基金预算",
    "soe_capital": "国有资本经营预算",
}
#: The seven source columns of 收入总表 that add up to 本年收入小计.
INCOME_SOURCES = (
    "fiscal_appropriation",
    "special_account",
    "business",
    "business_operation",
    "superior_subsidy",
    "subsidiary_remittance",
    "other",
)


def _disclosed(summary: IncomeExpenditureSummary | None) -> IncomeExpenditureSummary | None:
    if summary is None or summary.status != "disclosed":
        return None
    return summary


def _sides(summary: IncomeExpenditureSummary) -> Iterator[tuple[str, SummarySide]]:
    yield "income", summary.income
    yield "expenditure", summary.expenditure


def _amount(row: SummaryAmount | None, column: str = "amount") -> Decimal | None:
    return None if row is None else getattr(row, column)


def _suffix(column: str) -> str:
    """Subject suffix for a fund column (none for the 合计 column)."""
    return "" if column == "amount" else f" {FUND_LABELS[column]}"


@shared
def _side_columns(side: SummarySide) -> tuple[str, ...]:
    """合计 plus the fund columns the side prints (shared by the rules of a run, which all ask)."""
    rows = [
        *side.lines,
        *side.carryover_lines,
        side.current_year_total,
        side.carryover,
        side.grand_total,
    ]
    return ("amount", *present_columns(rows, FUND_COLUMNS))


# --------------------------------------------------------------------------- #
# Identities shared by both summary tables
# --------------------------------------------------------------------------- #


def _balance(
    rule_id: str, budget: Budget, name: str, title: str, summary: IncomeExpenditureSummary
) -> Finding | None:
    """收入总计 = 支出总计 (both must be printed)."""
    income, spending = _amount(summary.income.grand_total), _amount(summary.expenditure.grand_total)
    if income is None or spending is None:
        return None
    return compare_finding(
        rule_id,
        f"{title} 总计",
        spending,
        income,
        section_unit(budget, summary),
        f"{name}.expenditure.grand_total.amount",
        f"{title}：支出总计 = 收入总计",
        f"{title}: total expenditure = total income",
    )


def _grand_totals(
    rule_id: str, budget: Budget, name: str, title: str, summary: IncomeExpenditureSummary
) -> Iterator[Finding]:
    """总计 = 本年合计 + 结转结余, on each side and in each printed column."""
    unit = section_unit(budget, summary)
    for key, side in _sides(summary):
        if side.grand_total is None or (side.current_year_total is None and side.carryover is None):
            continue
        for column in _side_columns(side):
            printed = _amount(side.grand_total, column)
            terms = [_amount(side.current_year_total, column), _amount(side.carryover, column)]
            if adds_up(printed, terms):
                continue  # the usual case: no texts to format
            yield from compact(
                [
                    sum_finding(
                        rule_id,
                        f"{title} {GRAND_LABELS[key]}{_suffix(column)}",
                        printed,
                        terms,
                        unit,
                        f"{name}.{key}.grand_total.{column}",
                        f"{title}：{GRAND_LABELS[key]} = {CURRENT_LABELS[key]} + {CARRYOVER_LABELS[key]}",
                        f"{title}: {key} grand total = current year + carry-over",
                    )
                ]
            )


def _line_totals(
    rule_id: str, budget: Budget, name: str, title: str, summary: IncomeExpenditureSummary
) -> Iterator[Finding]:
    """本年合计 = Σ lines and 结转结余 = Σ its lines, per side and column."""
    unit = section_unit(budget, summary)
    for key, side in _sides(summary):
        parts = (
            (
                "current_year_total",
                CURRENT_LABELS[key],
                side.current_year_total,
                side.lines,
                "lines",
            ),
            (
                "carryover",
                CARRYOVER_LABELS[key],
                side.carryover,
                side.carryover_lines,
                "carryover lines",
            ),
        )
        for attr, label, row, lines, lines_en in parts:
            if row is None or not lines:
                continue
            for column in _side_columns(side):
                printed = _amount(row, column)
                terms = [getattr(line, column) for line in lines]
                if adds_up(printed, terms):
                    continue  # the usual case: no texts to format
                yield from compact(
                    [
                        sum_finding(
                            rule_id,
                            f"{title} {label}{_suffix(column)}",
                            printed,
                            terms,
                            unit,
                            f"{name}.{key}.{attr}.{column}",
                            f"{title}：{label} = Σ {SIDE_LABELS[key]}各行",
                            f"{title}: {key} {attr} = sum of the {lines_en}",
                        )
                    ]
                )


# --------------------------------------------------------------------------- #
# 收支总表
# --------------------------------------------------------------------------- #


@rule(
    "R-BALANCE",
    "收入总计 = 支出总计",
    "Total income = total expenditure",
    "部门预算收支总表的收入总计等于支出总计。",
)
def check_balance(budget: Budget) -> Iterator[Finding]:
    """The two sides of 收支总表 balance."""
    summary = _disclosed(budget.income_expenditure_summary)
    if summary is not None:
        yield from compact(
            [_balance("R-BALANCE", budget, "income_expenditure_summary", "收支总表", summary)]
        )


@rule(
    "R-SZ-BAL",
    "总计 = 本年合计 + 结转结余",
    "Grand total = current year + carry-over",
    "收支总表：收入总计 = 本年收入合计 + 上年结转结余；支出总计 = 本年支出合计 + 年终结转结余。",
)
def check_summary_grand_totals(budget: Budget) -> Iterator[Finding]:
    """Each side of 收支总表 adds up to its 总计."""
    summary = _disclosed(budget.income_expenditure_summary)
    if summary is not None:
        yield from _grand_totals(
            "R-SZ-BAL", budget, "income_expenditure_summary", "收支总表", summary
        )


@rule(
    "R-SZ-LINES",
    "本年合计 = Σ 各行",
    "Current-year total = sum of the lines",
    "收支总表：本年收入合计等于收入各行之和，本年支出合计等于支出各类之和；结转结余等于其明细之和。",
)
def check_summary_lines(budget: Budget) -> Iterator[Finding]:
    """Each side's 本年合计 (and 结转结余) against its lines."""
    summary = _disclosed(budget.income_expenditure_summary)
    if summary is not None:
        yield from _line_totals(
            "R-SZ-LINES", budget, "income_expenditure_summary", "收支总表", summary
        )


# --------------------------------------------------------------------------- #
# 收入总表 rows
# --------------------------------------------------------------------------- #


def _income_rows(table: IncomeByFunction) -> Iterator[tuple[int | None, IncomeColumns]]:
    """(line index, or None for the 合计 row; row) for the 合计 row and every code row."""
    if table.reported_total is not None:
        yield None, table.reported_total
    yield from enumerate(table.lines)


@rule(
    "R-INC-ROW",
    "收入总表行：合计 = 本年小计 + 上年结转",
    "Income row: total = current year + carry-over",
    "部门预算收入总表每一行：合计 = 本年收入小计 + 上年结转；本年收入小计 = 财政拨款、财政专户、"
    "事业、经营、上级补助、附属单位上缴、其他收入七列之和。",
)
def check_income_rows(budget: Budget) -> Iterator[Finding]:
    """Row identities of 收入总表; without a 本年小计 column, 合计 = sources + 结转."""
    table = budget.income_by_function
    if table is None or table.status != "disclosed" or not table.lines:
        return
    unit = section_unit(budget, table)
    has_subtotal = bool(present_columns([*table.lines, table.reported_total], ["current_year"]))
    sources = cell_getter(INCOME_SOURCES)
    keys: list[str] | None = None
    for index, row in _income_rows(table):
        source_terms = list(sources(row))
        if has_subtotal:
            total_terms = [row.current_year, row.carryover]
            total_zh = "合计 = 本年收入小计 + 上年结转"
            if adds_up(row.total, total_terms) and adds_up(row.current_year, source_terms):
                continue  # the usual case: no texts to format
        else:
            total_terms = [*source_terms, row.carryover]
            total_zh = "合计 = 各收入来源 + 上年结转"
            if adds_up(row.total, total_terms):
                continue
        if index is None:
            key, path = "合计行", "income_by_function.reported_total"
        else:
            keys = keys if keys is not None else row_keys(table.lines)
            key, path = keys[index], f"income_by_function.lines[{index}]"
        sources_zh = "、".join(field_label(IncomeColumns, c) for c in INCOME_SOURCES)
        checks = [
            sum_finding(
                "R-INC-ROW",
                f"收入总表 {key} 合计",
                row.total,
                total_terms,
                unit,
                f"{path}.total",
                f"收入总表 {key}：{total_zh}",
                f"income table {key}: total = current year + carry-over",
            )
        ]
        if has_subtotal:
            checks.append(
                sum_finding(
                    "R-INC-ROW",
                    f"收入总表 {key} 本年收入小计",
                    row.current_year,
                    source_terms,
                    unit,
                    f"{path}.current_year",
                    f"收入总表 {key}：本年收入小计 = {sources_zh}之和",
                    f"income table {key}: current year = sum of the seven sources",
                )
            )
        yield from compact(checks)


# --------------------------------------------------------------------------- #
# 财政拨款收支总表
# --------------------------------------------------------------------------- #


def _fund_split_rows(
    summary: IncomeExpenditureSummary,
) -> Iterator[tuple[str, str, tuple[str, int | None], SummaryAmount]]:
    """(side, row label, (attribute, index) of the row on its side, row) for every row of the fiscal summary."""
    for key, side in _sides(summary):
        for index, line in enumerate(side.lines):
            yield key, line.name, ("lines", index), line
        for attr, label in (
            ("current_year_total", CURRENT_LABELS[key]),
            ("carryover", CARRYOVER_LABELS[key]),
            ("grand_total", GRAND_LABELS[key]),
        ):
            row = getattr(side, attr)
            if row is not None:
                yield key, label, (attr, None), row
        for index, line in enumerate(side.carryover_lines):
            yield key, f"结转 {line.name}", ("carryover_lines", index), line


def _fund_splits(budget: Budget, summary: IncomeExpenditureSummary) -> Iterator[Finding]:
    """Per row: 合计 = 一般公共预算 + 政府性基金 + 国有资本经营 (where the side prints funds)."""
    unit = section_unit(budget, summary)
    split_sides = {key for key, side in _sides(summary) if len(_side_columns(side)) > 1}
    funds = cell_getter(FUND_COLUMNS)
    for key, label, (attr, index), row in _fund_split_rows(summary):
        if key not in split_sides:
            continue
        terms = list(funds(row))
        if adds_up(row.amount, terms):
            continue  # the usual case: no texts to format
        where = attr if index is None else f"{attr}[{index}]"
        path = f"fiscal_appropriation_summary.{key}.{where}"
        yield from compact(
            [
                sum_finding(
                    "R-CZ",
                    f"财政拨款收支总表 {SIDE_LABELS[key]} {label}",
                    row.amount,
                    terms,
                    unit,
                    f"{path}.amount",
                    f"财政拨款收支总表“{label}”：合计 = 一般公共预算 + 政府性基金 + 国有资本经营",
                    f"fiscal summary {label}: total = sum of the three funds",
                )
            ]
        )


@rule(
    "R-CZ",
    "财政拨款收支总表平衡",
    "Fiscal appropriation summary balances",
    "财政拨款收支总表：收入总计 = 支出总计；总计 = 本年合计 + 结转；本年合计 = Σ 各行；"
    "每行合计 = 一般公共预算 + 政府性基金 + 国有资本经营。",
)
def check_fiscal_summary(budget: Budget) -> Iterator[Finding]:
    """All identities of 财政拨款收支总表."""
    summary = _disclosed(budget.fiscal_appropriation_summary)
    if summary is None:
        return
    name, title = "fiscal_appropriation_summary", "财政拨款收支总表"
    yield from compact([_balance("R-CZ", budget, name, title, summary)])
    yield from _grand_totals("R-CZ", budget, name, title, summary)
    yield from _line_totals("R-CZ", budget, name, title, summary)
    yield from _fund_splits(budget, summary)
