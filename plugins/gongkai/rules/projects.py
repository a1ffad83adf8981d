"""Rules on projects (项目支出绩效目标表) and department performance categories.

A project's amount splits into 财政资金 + 其他资金 and is restated in its
资金用途 text; the projects add up to the stated project total and their
number to the stated count; category amounts add up by hierarchy; the
spending plan is a cumulative percentage that ends at 100.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from gongkai.findings import Finding, decimals_of
from gongkai.model import Budget, PerformanceCategory, Project, section_unit
from gongkai.rules import rule
from gongkai.rules._helpers import (
    BLANKS,
    adds_up,
    agrees,
    compact,
    compare_finding,
    convert,
    finding,
    first_figure,
    narrative_unit,
    sum_finding,
)

HUNDRED = Decimal(100)
MONTH_LABELS = {3: "3月底", 6: "6月底", 10: "10月底", 12: "12月底"}
_TEXT_FIGURES = {
    "amount": ("预算数", re.compile(r"预算数\s*(?:为)?\s*(\d+(?:\.\d+)?)\s*(万元|元)")),
    "fiscal_amount": ("财政资金", re.compile(r"财政资金\s*(\d+(?:\.\d+)?)\s*(万元|元)")),
    "other_amount": ("其他资金", re.compile(r"其他资金\s*(\d+(?:\.\d+)?)\s*(万元|元)")),
}


def projects(budget: Budget) -> list[Project]:
    """The projects of the record (empty when not disclosed)."""
    return budget.projects or []


def project_unit(budget: Budget, project: Project) -> str:
    """The unit a project's amounts are printed in."""
    return section_unit(budget, project)


# --------------------------------------------------------------------------- #
# Per-project amounts
# --------------------------------------------------------------------------- #


@rule(
    "R-PROJ-FUND",
    "预算数 = 财政资金 + 其他资金",
    "Project amount = fiscal + other funds",
    "项目绩效目标表中，预算数等于其中财政资金与其他资金之和。",
)
def check_project_funds(budget: Budget) -> Iterator[Finding]:
    """Each project's amount against its fund split (when the split is printed)."""
    for index, project in enumerate(projects(budget)):
        if project.fiscal_amount is None and project.other_amount is None:
            continue
        terms = [project.fiscal_amount, project.other_amount]
        if adds_up(project.amount, terms):
            continue  # the usual case: no texts to format
        yield from compact(
            [
                sum_finding(
                    "R-PROJ-FUND",
                    f"项目{project.seq} 预算数",
                    project.amount,
                    terms,
                    project_unit(budget, project),
                    f"projects[{index}].amount",
                    f"项目{project.seq}：预算数 = 财政资金 + 其他资金",
                    f"project {project.seq}: amount = fiscal + other funds",
                )
            ]
        )


@rule(
    "R-PROJ-TEXT",
    "资金用途文字与金额一致",
    "Purpose text agrees with the amount cells",
    "资金用途文字中的“预算数X万元。其中：财政资金Y万元，其他资金Z万元”与表中的金额一致"
    "（文字按所印精度四舍五入时，差额不超过其末位的一半）。",
)
def check_project_text(budget: Budget) -> Iterator[Finding]:
    """Figures restated in the 资金用途 text against the amount cells."""
    for index, project in enumerate(projects(budget)):
        if not project.purpose:
            continue
        cell_unit = project_unit(budget, project)
        for attr, (label, pattern) in _TEXT_FIGURES.items():
            match = pattern.search(project.purpose)
            if match is None:
                continue
            stated, unit = Decimal(match.group(1)), match.group(2)
            cell = convert(getattr(project, attr), cell_unit, unit)
            computed = cell if cell is not None else Decimal(0)
            if agrees(stated, computed):
                continue  # the usual case: no texts to format
            yield from compact(
                [
                    compare_finding(
                        "R-PROJ-TEXT",
                        f"项目{project.seq} 资金用途 {label}",
                        stated,
                        computed,
                        unit,
                        f"projects[{index}].{attr}",
                        f"项目{project.seq}资金用途中的{label}与表中金额一致",
                        f"project {project.seq}: {attr} in the purpose text = the cell",
                        terms=0,
                        decimals=decimals_of(stated),
                    )
                ]
            )


# --------------------------------------------------------------------------- #
# Totals and counts
# --------------------------------------------------------------------------- #


def _projects_in(budget: Budget, unit: str) -> list[Decimal | None]:
    """Every project amount converted to ``unit`` (None where not printed)."""
    return [convert(p.amount, project_unit(budget, p), unit) for p in projects(budget)]


@rule(
    "R-PROJ-TOTAL",
    "项目金额之和 = 所述项目资金",
    "Sum of project amounts = stated project total",
    "各项目预算数之和等于文字所述的项目资金合计（部门整体绩效目标中所述，或总体情况说明中的项目支出）。",
)
def check_project_total(budget: Budget) -> Iterator[Finding]:
    """Σ project amounts against the stated totals, when projects print amounts."""
    if not any(p.amount is not None for p in projects(budget)):
        return
    performance = budget.performance
    if performance is not None and performance.stated_project_total is not None:
        unit = section_unit(budget, performance)
        yield from compact(
            [
                sum_finding(
                    "R-PROJ-TOTAL",
                    "项目资金合计 绩效目标所述",
                    performance.stated_project_total,
                    _projects_in(budget, unit),
                    unit,
                    "performance.stated_project_total",
                    "所述项目资金合计 = 各项目预算数之和",
                    "stated project total = sum of the project amounts",
                )
            ]
        )
    found = first_figure(budget.narrative_figures or [], ("project",))
    if found is not None:
        index, figure = found
        unit = narrative_unit(budget, figure)
        yield from compact(
            [
                sum_finding(
                    "R-PROJ-TOTAL",
                    "项目资金合计 文字说明项目支出",
                    figure.amount,
                    _projects_in(budget, unit),
                    unit,
                    f"narrative_figures[{index}].amount",
                    "文字说明的项目支出 = 各项目预算数之和",
                    "project expenditure in the text = sum of the project amounts",
                )
            ]
        )


@rule(
    "R-COUNT",
    "项目个数一致",
    "Stated number of projects = number of project tables",
    "文字所述的项目绩效目标个数等于公开的项目绩效目标表个数。",
)
def check_project_count(budget: Budget) -> Iterator[Finding]:
    """The stated count against the number of project tables."""
    performance = budget.performance
    if performance is None or performance.stated_project_count is None or budget.projects is None:
        return
    stated, counted = performance.stated_project_count, len(budget.projects)
    if stated == counted:
        return
    yield finding(
        "R-COUNT",
        "error",
        "项目个数",
        f"文字所述项目个数 {stated} 与项目绩效目标表个数 {counted} 不一致",
        f"the text states {stated} projects but {counted} project tables are disclosed",
        path="performance.stated_project_count",
        printed=Decimal(stated),
        computed=Decimal(counted),
        unit="个",
    )


# --------------------------------------------------------------------------- #
# Categories
# --------------------------------------------------------------------------- #


def categories(budget: Budget) -> list[PerformanceCategory]:
    return budget.performance.categories if budget.performance is not None else []


@rule(
    "R-CAT-PARENT",
    "分类金额 = Σ 子项",
    "Category amount = sum of its sub-categories",
    "部门绩效目标中，有子项的分类金额等于其各子项金额之和。",
)
def check_category_parent(budget: Budget) -> Iterator[Finding]:
    """Each category with sub-categories against their sum (blank sub-amounts count 0)."""
    cats = categories(budget)
    if budget.performance is None:
        return
    unit = section_unit(budget, budget.performance)
    for index, category in enumerate(cats):
        kids = [c.amount for c in cats if c.parent_seq == category.seq]
        if not kids:
            continue
        yield from compact(
            [
                sum_finding(
                    "R-CAT-PARENT",
                    f"分类{category.seq} 金额",
                    category.amount,
                    kids,
                    unit,
                    f"performance.categories[{index}].amount",
                    f"分类{category.seq}（{category.name}）金额 = 各子项之和",
                    f"category {category.seq} amount = sum of its sub-categories",
                )
            ]
        )


def _project_spending(budget: Budget, unit: str) -> tuple[Decimal, str, str] | None:
    """项目支出 where stated (支出总表 合计行, else the text), in ``unit``, with its path and label."""
    table = budget.expenditure_by_function
    if (
        table is not None
        and table.reported_total is not None
        and table.reported_total.project is not None
    ):
        amount = convert(table.reported_total.project, section_unit(budget, table), unit)
        assert amount is not None
        return amount, "expenditure_by_function.reported_total.project", "支出总表项目支出"
    found = first_figure(budget.narrative_figures or [], ("project",))
    if found is not None:
        index, figure = found
        amount = convert(figure.amount, narrative_unit(budget, figure), unit)
        assert amount is not None
        return amount, f"narrative_figures[{index}].amount", "文字说明项目支出"
    return None


@rule(
    "R-CAT-TOTAL",
    "分类金额之和 = 项目支出",
    "Sum of the categories = project expenditure",
    "部门绩效目标中各一级分类的金额之和等于项目支出（支出总表或文字说明所述）。",
)
def check_category_total(budget: Budget) -> Iterator[Finding]:
    """Σ top-level category amounts against 项目支出, when both are printed."""
    if budget.performance is None:
        return
    tops = [c.amount for c in categories(budget) if c.parent_seq is None and c.amount is not None]
    if not tops:
        return
    unit = section_unit(budget, budget.performance)
    spending = _project_spending(budget, unit)
    if spending is None:
        return
    amount, path, label = spending
    yield from compact(
        [
            sum_finding(
                "R-CAT-TOTAL",
                "分类金额合计",
                amount,
                tops,
                unit,
                path,
                f"{label} = 各一级分类金额之和",
                "project expenditure = sum of the top-level categories",
            )
        ]
    )


def _descendant_names(cats: list[PerformanceCategory], category: PerformanceCategory) -> set[str]:
    """The names of ``category`` and of every category below it."""
    names, frontier = {category.name}, [category.seq]
    while frontier:
        seq = frontier.pop()
        for child in cats:
            if child.parent_seq == seq and child.name not in names:
                names.add(child.name)
                frontier.append(child.seq)
    return names


@rule(
    "R-CAT-PROJ",
    "分类金额 = Σ 所属项目",
    "Category amount = sum of its projects",
    "每个有金额的分类等于所属项目（项目的“所属分类”为该分类或其子项）的预算数之和。",
)
def check_category_projects(budget: Budget) -> Iterator[Finding]:
    """Each category amount against the projects that name it (or a sub-category)."""
    if budget.performance is None or not any(p.category for p in projects(budget)):
        return
    cats = categories(budget)
    unit = section_unit(budget, budget.performance)
    for index, category in enumerate(cats):
        if category.amount is None:
            continue
        names = _descendant_names(cats, category)
        amounts = [
            convert(p.amount, project_unit(budget, p), unit)
            for p in projects(budget)
            if p.category in names
        ]
        if not amounts:
            continue
        yield from compact(
            [
                sum_finding(
                    "R-CAT-PROJ",
                    f"分类{category.seq} 所属项目",
                    category.amount,
                    amounts,
                    unit,
                    f"performance.categories[{index}].amount",
                    f"分类{category.seq}（{category.name}）金额 = 所属项目预算数之和",
                    f"category {category.seq} amount = sum of its projects",
                )
            ]
        )


# --------------------------------------------------------------------------- #
# Spending plan and duplicates
# --------------------------------------------------------------------------- #


def _plan_problems(points: Sequence[tuple[int, Decimal | None]]) -> dict[int, list[str]]:
    """Position → problems of a cumulative spending plan.

    Each printed percentage lies in [0, 100]; none is below the previous
    printed one; the 12月底 point is 100. An early blank is normal (nothing
    planned yet); a blank 12月底 is reported because the plan must end at 100.
    """
    problems: dict[int, list[str]] = {}
    previous: Decimal | None = None
    for position, (month, percent) in enumerate(points):
        found: list[str] = []
        if percent is not None:
            if percent < 0 or percent > HUNDRED:
                found.append("超出 0–100%")
            if previous is not None and percent < previous:
                found.append(f"小于前一节点的 {previous}%")
            previous = percent
        if month == 12 and percent != HUNDRED:
            found.append(
                "12月底累计支出比例应为 100%" if percent is not None else "12月底累计支出比例空白"
            )
        if found:
            problems[position] = found
    return problems


@rule(
    "R-PLAN",
    "资金支出计划递增至100%",
    "Spending plan rises to 100%",
    "资金支出计划中3月底、6月底、10月底、12月底的累计支出比例都在0–100%之间，逐期不减少，12月底为100%。",
)
def check_spending_plan(budget: Budget) -> Iterator[Finding]:
    """Each project's cumulative spending plan."""
    for index, project in enumerate(projects(budget)):
        plan = project.spending_plan
        if not plan:
            continue
        points = [(p.month, p.percent) for p in plan]
        for position, found in _plan_problems(points).items():
            month, percent = points[position]
            label = MONTH_LABELS.get(month, f"{month}月底")
            if [m for m, _ in points].count(month) > 1:
                label += f"（第{position + 1}个）"
            yield finding(
                "R-PLAN",
                "warning" if percent is None else "error",
                f"项目{project.seq} 资金支出计划 {label}",
                f"项目{project.seq}资金支出计划{label}"
                + ("（空白）" if percent is None else f"（{percent}%）")
                + "："
                + "；".join(found),
                f"project {project.seq} spending plan, end of month {month}: not a cumulative plan ending at 100%",
                path=f"projects[{index}].spending_plan[{position}].percent",
                printed=percent,
                computed=None,
                unit="%",
            )


def _goal_key(goal: str | None) -> str:
    return BLANKS.sub("", goal or "")


@rule(
    "R-DUP",
    "项目不重复",
    "No duplicate projects",
    "没有两个项目的预算数和绩效目标文字都相同（可能是重复转录或原文复制粘贴）。",
)
def check_duplicates(budget: Budget) -> Iterator[Finding]:
    """Two projects with the same printed amount and the same goal text."""
    seen: dict[tuple[Decimal, str], Project] = {}
    for index, project in enumerate(projects(budget)):
        key = _goal_key(project.goal)
        if project.amount is None or not key:
            continue
        amount = convert(project.amount, project_unit(budget, project), "元")
        assert amount is not None
        marker = (amount.normalize(), key)
        if marker in seen:
            first = seen[marker]
            yield finding(
                "R-DUP",
                "warning",
                f"项目{project.seq} 与 项目{first.seq}",
                f"项目{project.seq}与项目{first.seq}的预算数和绩效目标完全相同",
                f"projects {first.seq} and {project.seq} have the same amount and goal",
                path=f"projects[{index}].goal",
                printed=project.amount,
                unit=project_unit(budget, project),
            )
        else:
            seen[marker] = project
