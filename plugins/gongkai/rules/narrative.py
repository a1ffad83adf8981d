"""Rules on figures stated in the text (总体情况说明, 资产说明).

The text restates table figures, often rounded (001 says “2279万元” for
2279.15): a narrative figure may differ from its table by half the grain it
is printed with, which is reported as rounding; a larger difference is an
error. The text's own breakdowns (支出 = 基本 + 项目, 增减额) must add up too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal

from gongkai.findings import Finding, decimals_of
from gongkai.model import Budget, NarrativeFigure, section_unit
from gongkai.rules import rule
from gongkai.rules._helpers import (
    compact,
    compare_finding,
    convert,
    first_figure,
    narrative_unit,
    sum_finding,
)

#: (printed amount, unit, table label) of the table figure a narrative item restates.
Lookup = Callable[[Budget], tuple[Decimal | None, str, str] | None]


def _summary_grand(side: str) -> Lookup:
    def lookup(budget: Budget) -> tuple[Decimal | None, str, str] | None:
        summary = budget.income_expenditure_summary
        if summary is None or getattr(summary, side).grand_total is None:
            return None
        label = "收支总表收入总计" if side == "income" else "收支总表支出总计"
        return getattr(summary, side).grand_total.amount, section_unit(budget, summary), label

    return lookup


def _gpb_income(budget: Budget) -> tuple[Decimal | None, str, str] | None:
    summary = budget.income_expenditure_summary
    if summary is None:
        return None
    for line in summary.income.lines:
        if line.item == "general_public_budget":
            return line.amount, section_unit(budget, summary), "收支总表一般公共预算拨款收入"
    return None


def _expenditure_column(column: str, label: str) -> Lookup:
    def lookup(budget: Budget) -> tuple[Decimal | None, str, str] | None:
        table = budget.expenditure_by_function
        if table is None or table.reported_total is None:
            return None
        return getattr(table.reported_total, column), section_unit(budget, table), label

    return lookup


def _economic_column(column: str, label: str) -> Lookup:
    def lookup(budget: Budget) -> tuple[Decimal | None, str, str] | None:
        table = budget.gpb_basic_by_economic
        if table is None or table.reported_total is None:
            return None
        return getattr(table.reported_total, column), section_unit(budget, table), label

    return lookup


def _expenditure_total(budget: Budget) -> tuple[Decimal | None, str, str] | None:
    return _summary_grand("expenditure")(budget) or _expenditure_column("total", "支出总表合计")(
        budget
    )


def _procurement(budget: Budget) -> tuple[Decimal | None, str, str] | None:
    section = budget.procurement
    if section is None or section.total is None:
        return None
    return section.total, section_unit(budget, section), "政府采购预算表"


def _assets(budget: Budget) -> tuple[Decimal | None, str, str] | None:
    section = budget.state_assets
    if section is None:
        return None
    for line in section.lines:
        if line.category == "total":
            return line.amount, section_unit(budget, section), "资产表资产总额"
    return None


LOOKUPS: dict[str, Lookup] = {
    "income_total": _summary_grand("income"),
    "general_public_budget_income": _gpb_income,
    "expenditure_total": _expenditure_total,
    "basic": _expenditure_column("basic", "支出总表基本支出"),
    "project": _expenditure_column("project", "支出总表项目支出"),
    "personnel": _economic_column("personnel", "基本支出表人员经费"),
    "public": _economic_column("public", "基本支出表公用经费"),
    "procurement_total": _procurement,
    "assets_total": _assets,
}


ITEM_LABELS = {
    "income_total": "收入总计",
    "general_public_budget_income": "一般公共预算收入",
    "expenditure_total": "支出总计",
    "basic": "基本支出",
    "project": "项目支出",
    "personnel": "人员经费",
    "public": "公用经费",
    "procurement_total": "政府采购预算",
    "assets_total": "资产总额",
}


def _figures(budget: Budget) -> Iterator[tuple[str, str, NarrativeFigure, str | None]]:
    """(subject, path, figure, section unit) of every narrative figure outside the 三公 section.

    Subjects name the figure by its meaning (``文字说明 基本支出``); a figure
    stated twice gets its rank (``文字说明 基本支出（2）``) so subjects stay unique.
    """
    seen: dict[str, int] = {}
    sources: list[tuple[str, str, NarrativeFigure, str | None]] = [
        ("文字说明", f"narrative_figures[{i}].amount", f, None)
        for i, f in enumerate(budget.narrative_figures or [])
    ]
    assets = budget.state_assets
    if assets is not None:
        assets_unit = section_unit(budget, assets)
        sources.extend(
            ("资产说明", f"state_assets.narrative[{i}].amount", f, assets_unit)
            for i, f in enumerate(assets.narrative)
        )
    for where, path, figure, unit in sources:
        base = f"{where} {ITEM_LABELS.get(figure.item, figure.item)}"
        seen[base] = seen.get(base, 0) + 1
        yield (base if seen[base] == 1 else f"{base}（{seen[base]}）"), path, figure, unit


@rule(
    "R-NARR-ROUND",
    "文字说明与表一致（允许四舍五入）",
    "Narrative figures agree with the tables (rounding allowed)",
    "文字说明中的收入、支出、基本支出、项目支出、人员经费、公用经费、采购、资产等数字与相应的表一致；"
    "按所印精度四舍五入的差额（不超过末位的一半）为舍入，更大的差额为错误。",
)
def check_narrative_rounding(budget: Budget) -> Iterator[Finding]:
    """Each narrative figure against the table figure it restates, ± half its printed grain."""
    for subject, path, figure, own_unit in _figures(budget):
        lookup = LOOKUPS.get(figure.item)
        if lookup is None or figure.amount is None:
            continue
        found = lookup(budget)
        if found is None:
            continue
        table_amount, table_unit, label = found
        unit = narrative_unit(budget, figure, own_unit)
        converted = convert(table_amount, table_unit, unit)
        yield from compact(
            [
                compare_finding(
                    "R-NARR-ROUND",
                    subject,
                    figure.amount,
                    converted if converted is not None else Decimal(0),
                    unit,
                    path,
                    f"{subject}（“{figure.label or figure.item}”）= {label}",
                    f"narrative {figure.item} = table",
                    terms=0,
                    decimals=decimals_of(figure.amount),
                )
            ]
        )


def _narrative_identity(
    rule_id: str,
    budget: Budget,
    subject: str,
    head: str,
    parts: Sequence[str],
    identity_zh: str,
    identity_en: str,
) -> Finding | None:
    """A narrative figure against the sum of other narrative figures (all must be stated)."""
    figures = budget.narrative_figures or []
    found = first_figure(figures, (head,))
    terms = [first_figure(figures, (p,)) for p in parts]
    if found is None or any(t is None for t in terms):
        return None
    index, figure = found
    unit = narrative_unit(budget, figure)
    amounts = [
        convert(t[1].amount, narrative_unit(budget, t[1]), unit) for t in terms if t is not None
    ]
    return sum_finding(
        rule_id,
        subject,
        figure.amount,
        amounts,
        unit,
        f"narrative_figures[{index}].amount",
        identity_zh,
        identity_en,
    )


@rule(
    "R-NARR-SUM",
    "文字说明中的分项相加",
    "Narrative breakdowns add up",
    "文字说明中：支出合计 = 基本支出 + 项目支出（或人员经费 + 公用经费 + 项目支出）；基本支出 = 人员经费 + 公用经费。",
)
def check_narrative_sums(budget: Budget) -> Iterator[Finding]:
    """The text's own breakdown of expenditure."""
    figures = budget.narrative_figures or []
    total_parts: tuple[str, ...] = ("basic", "project")
    if first_figure(figures, ("basic",)) is None:
        total_parts = ("personnel", "public", "project")
    yield from compact(
        [
            _narrative_identity(
                "R-NARR-SUM",
                budget,
                "文字说明 支出合计",
                "expenditure_total",
                total_parts,
                "文字说明：支出合计 = " + " + ".join(_LABELS[p] for p in total_parts),
                "narrative: total expenditure = " + " + ".join(total_parts),
            ),
            _narrative_identity(
                "R-NARR-SUM",
                budget,
                "文字说明 基本支出",
                "basic",
                ("personnel", "public"),
                "文字说明：基本支出 = 人员经费 + 公用经费",
                "narrative: basic = personnel + public",
            ),
        ]
    )


_LABELS = {
    "basic": "基本支出",
    "project": "项目支出",
    "personnel": "人员经费",
    "public": "公用经费",
}


@rule(
    "R-NARR-YOY",
    "增减额相加",
    "Stated changes add up",
    "文字说明中：支出增减额 = 基本支出增减额 + 项目支出增减额；基本支出增减额 = 人员经费增减额 + 公用经费增减额。",
)
def check_narrative_changes(budget: Budget) -> Iterator[Finding]:
    """Δtotal = Δbasic + Δproject and Δbasic = Δpersonnel + Δpublic, where stated."""
    yield from compact(
        [
            _narrative_identity(
                "R-NARR-YOY",
                budget,
                "文字说明 支出增减",
                "change_total",
                ("change_basic", "change_project"),
                "文字说明：支出增减额 = 基本支出增减额 + 项目支出增减额",
                "narrative: change in total = change in basic + change in project",
            ),
            _narrative_identity(
                "R-NARR-YOY",
                budget,
                "文字说明 基本支出增减",
                "change_basic",
                ("change_personnel", "change_public"),
                "文字说明：基本支出增减额 = 人员经费增减额 + 公用经费增减额",
                "narrative: change in basic = change in personnel + change in public",
            ),
        ]
    )
