"""From the faithful YAML layer to the normalised tables.

One function per resource turns a :class:`~gongkai.model.Budget` into rows
(dicts keyed by the column names of :mod:`gongkai.tables`). Money is
converted to 元 exactly (Decimal × 10000 for 万元) and every money row keeps
the unit the source printed. Printed totals go to ``reported_totals``, never
into the code-keyed fact tables, so that primary and foreign keys stay clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from gongkai.figures import key_figures
from gongkai.indicator_values import effective_value
from gongkai.model import (
    ALL_SECTIONS,
    UNIT_SCALE,
    Budget,
    FunctionTable,
    IncomeExpenditureSummary,
    Indicator,
    NarrativeFigure,
    Section,
    SummaryAmount,
    section_unit,
    to_yuan,
)

#: A row keyed by column name; an optional ``_path`` key (never written)
#: names the model path the row came from, to locate Frictionless errors.
Row = dict[str, Any]

SECTION_TITLES = {
    "income_expenditure_summary": "部门预算收支总表",
    "income_by_function": "部门预算收入总表",
    "expenditure_by_function": "部门预算支出总表",
    "fiscal_appropriation_summary": "财政拨款收支总表",
    "gpb_expenditure_by_function": "一般公共预算财政拨款支出表",
    "gpb_basic_by_economic": "一般公共预算财政拨款基本支出表",
    "government_fund_expenditure": "政府性基金预算财政拨款支出表",
    "soe_capital_expenditure": "国有资本经营预算财政拨款支出表",
    "three_public": "“三公”经费",
    "operating_expenses": "机关运行经费",
    "procurement": "政府采购预算",
    "state_assets": "国有资产占用情况",
    "narrative_figures": "文字说明中的数字",
    "performance": "部门整体绩效目标",
    "projects": "项目绩效目标",
    "glossary": "名词解释",
}

FUNCTION_TABLES = (
    "expenditure_by_function",
    "gpb_expenditure_by_function",
    "government_fund_expenditure",
    "soe_capital_expenditure",
)


def yuan(amount: Decimal | None, unit: str) -> Decimal | None:
    """Exact conversion to 元 (see :func:`gongkai.model.to_yuan`)."""
    return to_yuan(amount, unit)


def to_yuan_in(unit: str) -> Callable[[Decimal | None], Decimal | None]:
    """:func:`yuan` for amounts printed in ``unit``: the same products, one call per cell instead of two.

    A record has a thousand or more money cells, each converted every time
    the tables are built (validation, then export). An unknown unit falls
    back to :func:`gongkai.model.to_yuan`, which fails (``KeyError``) only on
    a cell that holds an amount, as before.
    """
    scale = UNIT_SCALE.get(unit)

    def convert(amount: Decimal | None) -> Decimal | None:
        if scale is None:
            return to_yuan(amount, unit)
        return None if amount is None else amount * scale

    return convert


def func_level(code: str) -> int:
    """类/款/项 = 1/2/3 from the length of a functional code."""
    return {3: 1, 5: 2, 7: 3}[len(code)]


def econ_level(code: str) -> int:
    return {3: 1, 5: 2}[len(code)]


# --------------------------------------------------------------------------- #
# Identity
# --------------------------------------------------------------------------- #


def department_row(budget: Budget) -> Row:
    dept = budget.department
    region = dept.region
    return {
        "department_id": budget.department_id,
        "name": dept.name,
        "canonical_name": dept.canonical_name,
        "dept_code": dept.code,
        "admin_code": region.admin_code,
        "province": region.province,
        "prefecture": region.prefecture,
        "county": region.county,
        "admin_level": region.admin_level,
        "org_type": dept.org_type,
    }


def budget_row(budget: Budget, source_file: str, error_count: int = 0, warning_count: int = 0) -> Row:
    budget_id = budget.budget_id
    figures = key_figures(budget)
    staffing = budget.department.staffing
    projects = budget.projects or []

    def y(name: str) -> Decimal | None:
        figure = getattr(figures, name)
        return figure.yuan if figure is not None else None

    return {
        "budget_id": budget_id,
        "department_id": budget.department_id,
        "department_name": budget.department.name,
        "fiscal_year": budget.fiscal_year,
        "stage": budget.stage,
        "title": budget.source.title,
        "publisher": budget.source.publisher,
        "source_url": budget.source.url,
        "published_date": budget.source.published_date,
        "source_format": budget.source.original_format,
        "source_file": source_file,
        "unit_printed": budget.amount_unit,
        "unit_nature": budget.department.unit_nature,
        "unit_rank": budget.department.unit_rank,
        "funding_form": budget.department.funding_form,
        "staff_establishment": staffing.establishment if staffing else None,
        "staff_actual": staffing.actual if staffing else None,
        "staff_retired": staffing.retired if staffing else None,
        "income_total_yuan": y("income_total"),
        "expenditure_total_yuan": y("expenditure_total"),
        "basic_yuan": y("basic"),
        "project_yuan": y("project"),
        "personnel_yuan": y("personnel"),
        "public_yuan": y("public"),
        "three_public_yuan": y("three_public"),
        "operating_expenses_yuan": y("operating_expenses"),
        "procurement_total_yuan": y("procurement_total"),
        "projects_total_yuan": y("projects_total"),
        "project_count": len(projects),
        "indicator_count": sum(len(p.indicators) for p in projects),
        "error_count": error_count,
        "warning_count": warning_count,
    }


def section_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    for name in ALL_SECTIONS:
        value = getattr(budget, name)
        if value is None:
            status, note = "absent", None
        elif isinstance(value, Section):
            status, note = value.status, value.note
        else:
            status, note = ("disclosed" if value else "disclosed_empty"), None
        yield {
            "budget_id": budget_id,
            "section": name,
            "title": SECTION_TITLES[name],
            "status": status,
            "note": note,
        }


def department_text_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    dept = budget.department
    perf = budget.performance
    lists: list[tuple[str, list[str] | None]] = [
        ("duty", dept.duties),
        ("internal_unit", dept.internal_units),
        ("included_unit", dept.included_units),
        ("department_goal", [perf.department_goal] if perf and perf.department_goal else None),
        ("safeguard", perf.safeguards if perf else None),
    ]
    for kind, texts in lists:
        for seq, text in enumerate(texts or [], start=1):
            yield {"budget_id": budget_id, "kind": kind, "seq": seq, "title": None, "text": text}
    for seq, term in enumerate(budget.glossary or [], start=1):
        yield {
            "budget_id": budget_id,
            "kind": "glossary",
            "seq": seq,
            "title": term.term,
            "text": term.definition,
        }


# --------------------------------------------------------------------------- #
# Standard tables
# --------------------------------------------------------------------------- #


def _fund_split(prefix_row: Row, amounts: SummaryAmount, unit: str, y: Callable[[Decimal | None], Decimal | None]) -> Row:
    """Complete a row with the fund columns of ``amounts`` (``y``: :func:`to_yuan_in` of ``unit``)."""
    prefix_row["amount_yuan"] = y(amounts.amount)
    prefix_row["general_public_budget_yuan"] = y(amounts.general_public_budget)
    prefix_row["government_fund_yuan"] = y(amounts.government_fund)
    prefix_row["soe_capital_yuan"] = y(amounts.soe_capital)
    prefix_row["unit_printed"] = unit
    return prefix_row


def summary_line_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    for table in ("income_expenditure_summary", "fiscal_appropriation_summary"):
        section: IncomeExpenditureSummary | None = getattr(budget, table)
        if section is None:
            continue
        unit = section_unit(budget, section)
        y = to_yuan_in(unit)
        sides = [
            ("income", section.income.lines),
            ("expenditure", section.expenditure.lines),
            ("income_carryover", section.income.carryover_lines),
            ("expenditure_carryover", section.expenditure.carryover_lines),
        ]
        for side, lines in sides:
            path = f"{table}.{side.replace('_carryover', '')}.{'carryover_lines' if 'carryover' in side else 'lines'}"
            for seq, line in enumerate(lines, start=1):
                row = {
                    "_path": f"{path}[{seq - 1}]",
                    "budget_id": budget_id,
                    "table": table,
                    "side": side,
                    "seq": seq,
                    "item": line.item,
                    "func_code": line.code,
                    "name_printed": line.name,
                }
                yield _fund_split(row, line, unit, y)


def income_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    section = budget.income_by_function
    if section is None:
        return
    unit = section_unit(budget, section)
    y = to_yuan_in(unit)
    for index, line in enumerate(section.lines):
        yield {
            "_path": f"income_by_function.lines[{index}]",
            "budget_id": budget_id,
            "func_code": line.code,
            "func_name_printed": line.name,
            "level": func_level(line.code),
            "total_yuan": y(line.total),
            "current_year_yuan": y(line.current_year),
            "fiscal_appropriation_yuan": y(line.fiscal_appropriation),
            "special_account_yuan": y(line.special_account),
            "business_yuan": y(line.business),
            "business_operation_yuan": y(line.business_operation),
            "superior_subsidy_yuan": y(line.superior_subsidy),
            "subsidiary_remittance_yuan": y(line.subsidiary_remittance),
            "other_yuan": y(line.other),
            "carryover_yuan": y(line.carryover),
            "unit_printed": unit,
        }


def expenditure_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    for name in FUNCTION_TABLES:
        section: FunctionTable | None = getattr(budget, name)
        if section is None:
            continue
        unit = section_unit(budget, section)
        y = to_yuan_in(unit)
        for index, line in enumerate(section.lines):
            yield {
                "_path": f"{name}.lines[{index}]",
                "budget_id": budget_id,
                "fund_scope": section.fund_scope,
                "func_code": line.code,
                "func_name_printed": line.name,
                "level": func_level(line.code),
                "total_yuan": y(line.total),
                "basic_yuan": y(line.basic),
                "project_yuan": y(line.project),
                "business_operation_yuan": y(line.business_operation),
                "remit_to_superior_yuan": y(line.remit_to_superior),
                "subsidy_to_subsidiaries_yuan": y(line.subsidy_to_subsidiaries),
                "unit_printed": unit,
                "source_table": name,
            }


def economic_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    section = budget.gpb_basic_by_economic
    if section is None:
        return
    unit = section_unit(budget, section)
    y = to_yuan_in(unit)
    for index, line in enumerate(section.lines):
        yield {
            "_path": f"gpb_basic_by_economic.lines[{index}]",
            "budget_id": budget_id,
            "fund_scope": section.fund_scope,
            "econ_code": line.code,
            "econ_name_printed": line.name,
            "level": econ_level(line.code),
            "total_yuan": y(line.total),
            "personnel_yuan": y(line.personnel),
            "public_yuan": y(line.public),
            "unit_printed": unit,
        }


def reported_total_rows(budget: Budget) -> Iterator[Row]:
    """Every printed total cell, as (table, row label, column, amount)."""
    budget_id = budget.budget_id
    for table, label, column, amount, unit in _printed_totals(budget):
        yield {
            "budget_id": budget_id,
            "table": table,
            "row_label": label,
            "column": column,
            "amount_yuan": yuan(amount, unit),
            "unit_printed": unit,
        }


def _printed_totals(budget: Budget) -> Iterator[tuple[str, str, str, Decimal | None, str]]:
    for table in ("income_expenditure_summary", "fiscal_appropriation_summary"):
        section: IncomeExpenditureSummary | None = getattr(budget, table)
        if section is None:
            continue
        unit = section_unit(budget, section)
        for side_name, side in (("income", section.income), ("expenditure", section.expenditure)):
            for label in ("current_year_total", "carryover", "grand_total"):
                amounts: SummaryAmount | None = getattr(side, label)
                if amounts is None:
                    continue
                for column in ("amount", "general_public_budget", "government_fund", "soe_capital"):
                    value = getattr(amounts, column)
                    if value is not None:
                        yield table, f"{side_name}.{label}", column, value, unit
    for table in ("income_by_function", "gpb_basic_by_economic", *FUNCTION_TABLES):
        section_any = getattr(budget, table)
        if section_any is None or section_any.reported_total is None:
            continue
        unit = section_unit(budget, section_any)
        for column, value in vars(section_any.reported_total).items():
            if value is not None:
                yield table, "合计", column, value, unit


def three_public_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    section = budget.three_public
    if section is None:
        return
    unit = section_unit(budget, section)
    y = to_yuan_in(unit)
    for seq, row in enumerate(section.rows, start=1):
        out = {
            "budget_id": budget_id,
            "source": "table",
            "seq": seq,
            "item": row.item,
            "name_printed": row.name,
            "fund_scope": section.fund_scope,
        }
        amounts = SummaryAmount(
            amount=row.amount,
            general_public_budget=row.general_public_budget,
            government_fund=row.government_fund,
            soe_capital=row.soe_capital,
        )
        yield _fund_split(out, amounts, unit, y)
    for seq, figure in enumerate(section.narrative, start=1):
        figure_unit = figure.unit or unit
        yield {
            "budget_id": budget_id,
            "source": "narrative",
            "seq": seq,
            "item": figure.item,
            "name_printed": figure.label,
            "fund_scope": section.fund_scope,
            "amount_yuan": yuan(figure.amount, figure_unit),
            "general_public_budget_yuan": None,
            "government_fund_yuan": None,
            "soe_capital_yuan": None,
            "unit_printed": figure_unit,
        }


def operating_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    section = budget.operating_expenses
    if section is None:
        return
    unit = section_unit(budget, section)
    for seq, item in enumerate(section.items, start=1):
        yield {
            "_path": f"operating_expenses.items[{seq - 1}]",
            "budget_id": budget_id,
            "seq": seq,
            "item_name": item.name,
            "econ_code": item.econ_code,
            "amount_yuan": yuan(item.amount, unit),
            "basis": item.basis,
            "unit_printed": unit,
        }


def procurement_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    section = budget.procurement
    if section is None:
        return
    unit = section_unit(budget, section)
    for seq, item in enumerate(section.items, start=1):
        yield {
            "budget_id": budget_id,
            "seq": seq,
            "project_name": item.project_name,
            "item_name": item.item_name,
            "catalog_code": item.catalog_code,
            "quantity": item.quantity,
            "quantity_unit": item.quantity_unit,
            "unit_price_yuan": yuan(item.unit_price, unit),
            "amount_yuan": yuan(item.amount, unit),
            "unit_printed": unit,
        }


def asset_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    section = budget.state_assets
    if section is None:
        return
    unit = section_unit(budget, section)
    for seq, line in enumerate(section.lines, start=1):
        yield {
            "budget_id": budget_id,
            "seq": seq,
            "as_of": section.as_of,
            "category": line.category,
            "name_printed": line.name,
            "quantity": line.quantity,
            "quantity_unit": line.quantity_unit,
            "value_yuan": yuan(line.amount, unit),
            "unit_printed": unit,
        }


def narrative_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    groups: list[tuple[str, list[NarrativeFigure], str]] = [
        ("narrative_figures", budget.narrative_figures or [], budget.amount_unit),
    ]
    if budget.state_assets is not None:
        groups.append(("state_assets", budget.state_assets.narrative, section_unit(budget, budget.state_assets)))
    for section, figures, default_unit in groups:
        for seq, figure in enumerate(figures, start=1):
            unit = figure.unit or default_unit
            yield {
                "budget_id": budget_id,
                "section": section,
                "seq": seq,
                "item": figure.item,
                "label": figure.label,
                "amount_yuan": yuan(figure.amount, unit),
                "unit_printed": unit,
                "quote": figure.quote,
            }


# --------------------------------------------------------------------------- #
# Performance
# --------------------------------------------------------------------------- #


def indicator_columns(indicator: Indicator, seq: int, fiscal_year: int) -> Row:
    parsed = effective_value(indicator, fiscal_year)
    return {
        "indicator_seq": seq,
        "level1": indicator.level1,
        "level2": indicator.level2,
        "level3": indicator.level3,
        "description": indicator.description,
        "value_raw": indicator.value_raw,
        "direction_raw": indicator.direction_raw,
        "comparator": parsed.comparator,
        "value": parsed.value,
        "value_max": parsed.value_max,
        "unit": parsed.unit,
        "value_kind": parsed.kind,
        "deadline": parsed.deadline,
        "basis": indicator.basis,
        "nature": indicator.nature,
        "weight": indicator.weight,
        "note": indicator.note,
    }


def category_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    perf = budget.performance
    if perf is None:
        return
    unit = section_unit(budget, perf)
    for category in perf.categories:
        yield {
            "budget_id": budget_id,
            "category_seq": category.seq,
            "parent_seq": category.parent_seq,
            "name": category.name,
            "amount_yuan": yuan(category.amount, unit),
            "duty": category.duty,
            "goal": category.goal,
            "indicators_text": category.indicators_text,
            "unit_printed": unit,
        }


def category_indicator_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    perf = budget.performance
    if perf is None:
        return
    for category in perf.categories:
        for seq, indicator in enumerate(category.indicators, start=1):
            grades = indicator.grades
            yield {
                "budget_id": budget_id,
                "category_seq": category.seq,
                **indicator_columns(indicator, seq, budget.fiscal_year),
                "grade_excellent": grades.excellent if grades else None,
                "grade_good": grades.good if grades else None,
                "grade_fair": grades.fair if grades else None,
                "grade_poor": grades.poor if grades else None,
            }


def project_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    for index, project in enumerate(budget.projects or []):
        unit = section_unit(budget, project)
        yield {
            "_path": f"projects[{index}]",
            "budget_id": budget_id,
            "project_seq": project.seq,
            "project_code": project.code,
            "name": project.name,
            "amount_yuan": yuan(project.amount, unit),
            "fiscal_yuan": yuan(project.fiscal_amount, unit),
            "other_yuan": yuan(project.other_amount, unit),
            "unit_printed": unit,
            "purpose": project.purpose,
            "goal": project.goal,
            "category": project.category,
            "funding_document": project.funding_document,
            "indicator_count": len(project.indicators),
        }


def spending_plan_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    for project in budget.projects or []:
        for point in project.spending_plan:
            yield {
                "budget_id": budget_id,
                "project_seq": project.seq,
                "month": point.month,
                "percent": point.percent,
            }


def project_indicator_rows(budget: Budget) -> Iterator[Row]:
    budget_id = budget.budget_id
    for index, project in enumerate(budget.projects or []):
        for seq, indicator in enumerate(project.indicators, start=1):
            yield {
                "_path": f"projects[{index}].indicators[{seq - 1}]",
                "budget_id": budget_id,
                "project_seq": project.seq,
                **indicator_columns(indicator, seq, budget.fiscal_year),
            }


#: resource name -> row builder, for the per-record resources (budgets,
#: departments and findings need more than the budget and are built apart).
ROW_BUILDERS: dict[str, Callable[[Budget], Iterator[Row]]] = {
    "sections": section_rows,
    "department_texts": department_text_rows,
    "summary_lines": summary_line_rows,
    "income_by_function": income_rows,
    "expenditure_by_function": expenditure_rows,
    "basic_expenditure_by_economic": economic_rows,
    "reported_totals": reported_total_rows,
    "three_public": three_public_rows,
    "operating_expenses": operating_rows,
    "procurement_items": procurement_rows,
    "assets": asset_rows,
    "narrative_figures": narrative_rows,
    "performance_categories": category_rows,
    "category_indicators": category_indicator_rows,
    "projects": project_rows,
    "project_spending_plan": spending_plan_rows,
    "project_indicators": project_indicator_rows,
}
