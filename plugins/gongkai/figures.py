"""Key figures of a budget, in 元, with where each came from.

Pages, indexes, comparisons and the ``budgets`` resource all show the same
handful of numbers (total, basic vs project, personnel vs public, 三公,
机关运行经费). Disclosures state them in different places — a printed table
total, or only a sentence of the narrative — so the choice of source is made
here once, preferring printed table totals over narrative figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from gongkai.model import Budget, NarrativeFigure, Section, section_unit, to_yuan


@dataclass(frozen=True)
class Figure:
    """An amount in 元 and the part of the document it was read from."""

    yuan: Decimal
    source: str  # table | narrative | projects
    printed: Decimal
    unit: str


@dataclass(frozen=True)
class KeyFigures:
    income_total: Figure | None
    expenditure_total: Figure | None
    basic: Figure | None
    project: Figure | None
    personnel: Figure | None
    public: Figure | None
    three_public: Figure | None
    operating_expenses: Figure | None
    procurement_total: Figure | None
    projects_total: Figure | None


def _from(budget: Budget, section: Section | None, value: Decimal | None, source: str) -> Figure | None:
    if value is None:
        return None
    unit = section_unit(budget, section)
    yuan = to_yuan(value, unit)
    assert yuan is not None
    return Figure(yuan, source, value, unit)


def narrative(budget: Budget, item: str) -> Figure | None:
    """The first narrative figure with key ``item``, in 元."""
    for figure in budget.narrative_figures or []:
        if figure.item == item and figure.amount is not None:
            return _narrative_figure(budget, figure)
    return None


def _narrative_figure(budget: Budget, figure: NarrativeFigure) -> Figure:
    unit = figure.unit or budget.amount_unit
    assert figure.amount is not None
    yuan = to_yuan(figure.amount, unit)
    assert yuan is not None
    return Figure(yuan, "narrative", figure.amount, unit)


def _first(*candidates: Callable[[], Figure | None]) -> Figure | None:
    for candidate in candidates:
        value = candidate()
        if value is not None:
            return value
    return None


def key_figures(budget: Budget) -> KeyFigures:
    """Compute the key figures, preferring printed table totals."""
    exp = budget.expenditure_by_function
    exp_total = exp.reported_total if exp else None
    eco = budget.gpb_basic_by_economic
    eco_total = eco.reported_total if eco else None
    summary = budget.income_expenditure_summary
    return KeyFigures(
        income_total=_first(
            lambda: _from(budget, summary, summary.income.grand_total.amount, "table")
            if summary and summary.income.grand_total
            else None,
            lambda: narrative(budget, "income_total"),
        ),
        expenditure_total=_first(
            lambda: _from(budget, exp, exp_total.total, "table") if exp_total else None,
            lambda: _from(budget, summary, summary.expenditure.grand_total.amount, "table")
            if summary and summary.expenditure.grand_total
            else None,
            lambda: narrative(budget, "expenditure_total"),
        ),
        basic=_first(
            lambda: _from(budget, exp, exp_total.basic, "table") if exp_total else None,
            lambda: narrative(budget, "basic"),
        ),
        project=_first(
            lambda: _from(budget, exp, exp_total.project, "table") if exp_total else None,
            lambda: narrative(budget, "project"),
        ),
        personnel=_first(
            lambda: _from(budget, eco, eco_total.personnel, "table") if eco_total else None,
            lambda: narrative(budget, "personnel"),
        ),
        public=_first(
            lambda: _from(budget, eco, eco_total.public, "table") if eco_total else None,
            lambda: narrative(budget, "public"),
        ),
        three_public=_first(lambda: _three_public(budget)),
        operating_expenses=_first(
            lambda: _from(budget, budget.operating_expenses, budget.operating_expenses.total, "table")
            if budget.operating_expenses
            else None,
            lambda: narrative(budget, "operating_expenses"),
        ),
        procurement_total=_first(
            lambda: _from(budget, budget.procurement, budget.procurement.total, "table")
            if budget.procurement
            else None,
        ),
        projects_total=_projects_total(budget),
    )


def _three_public(budget: Budget) -> Figure | None:
    section = budget.three_public
    if section is None:
        return narrative(budget, "three_public_total")
    for item in ("total", "subtotal"):
        for row in section.rows:
            if row.item == item and row.amount is not None:
                return _from(budget, section, row.amount, "table")
    for figure in section.narrative:
        if figure.item in ("total", "three_public_total") and figure.amount is not None:
            unit = figure.unit or section_unit(budget, section)
            yuan = to_yuan(figure.amount, unit)
            assert yuan is not None
            return Figure(yuan, "narrative", figure.amount, unit)
    return None


def _projects_total(budget: Budget) -> Figure | None:
    """Σ of the project amounts that are printed (None if none is)."""
    total = Decimal(0)
    seen = False
    for project in budget.projects or []:
        yuan = to_yuan(project.amount, section_unit(budget, project))
        if yuan is not None:
            total += yuan
            seen = True
    if not seen:
        return None
    return Figure(total, "projects", total, "元")
