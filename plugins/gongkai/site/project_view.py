"""Projects (项目支出) and department goals (部门整体绩效目标) for display.

Projects are listed by amount, largest first, because a reader wants to see
where the money goes; a project whose amount is not printed comes after the
others in document order. Each project keeps a permalink anchor built from
its document sequence number (``#project-7``), which does not change when
the order on the page does. The indicator tables are shown on a second page
of the department-year (``indicators/``), under the same anchors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.model import Budget, Indicator, Performance, Project, section_unit, to_yuan
from gongkai.site.charts import bar_length
from gongkai.site.format import money, percent, plain_percent
from gongkai.site.table_view import Spec, TableView, _attr, build_table

INDICATOR_SPECS = (
    Spec("一级指标", _attr("level1"), money=False),
    Spec("二级指标", _attr("level2"), money=False),
    Spec("三级指标", _attr("level3"), money=False, always=True),
    Spec("指标值", _attr("value_raw"), money=False, always=True),
    Spec("方向", _attr("direction_raw"), money=False),
    Spec("计量单位", _attr("unit"), money=False),
    Spec("指标性质", _attr("nature"), money=False),
    Spec("权重", _attr("weight"), money=False),
    Spec("指标描述", _attr("description"), money=False),
    Spec("指标值确定依据", _attr("basis"), money=False),
    Spec("优", _attr("grades", "excellent"), money=False),
    Spec("良", _attr("grades", "good"), money=False),
    Spec("中", _attr("grades", "fair"), money=False),
    Spec("差", _attr("grades", "poor"), money=False),
    Spec("备注", _attr("note"), money=False),
)


def indicator_table(id: str, title: str, indicators: Sequence[Indicator]) -> TableView:
    return build_table(
        id,
        title,
        INDICATOR_SPECS,
        [(i, "", None) for i in indicators],
        unit=None,
        merge=2,
        name_omitted=False,
    )


@dataclass(slots=True)
class ProjectView:
    seq: int
    anchor: str
    name: str
    amount: str
    facts: list[tuple[str, str]]
    purpose: str | None
    goal: str | None
    plan: list[tuple[str, str]]
    indicators: TableView | None
    note: str | None
    yuan: Decimal | None = None
    share: str = ""  # of the projects' total, when amounts are printed
    bar: str | None = None  # the amount as a bar length (the project list is a bar chart)
    #: The indicator table is on the department-year's indicators page, at the
    #: same anchor (``indicators/#project-7``); set by the page context.
    indicators_href: str | None = None
    indicator_count: int = 0  # rows of the printed indicator table

    @property
    def plan_text(self) -> str:
        """``3月底 25%；6月底 50%；…`` (the spending plan is one row: a line, not a table)."""
        return "；".join(f"{month} {pct}" for month, pct in self.plan)


def project_view(budget: Budget, project: Project) -> ProjectView:
    unit = section_unit(budget, project)
    facts: list[tuple[str, str]] = []
    if project.code:
        facts.append(("项目编码", project.code))
    if project.fiscal_amount is not None:
        facts.append(("其中：财政资金", money(project.fiscal_amount, unit)))
    if project.other_amount is not None:
        facts.append(("其他资金", money(project.other_amount, unit)))
    if project.category:
        facts.append(("所属分类", project.category))
    if project.funding_document:
        facts.append(("资金文件", project.funding_document))
    plan = [(f"{point.month}月底", plain_percent(point.percent)) for point in project.spending_plan]
    indicators = indicator_table("", "", project.indicators) if project.indicators else None
    return ProjectView(
        project.seq, f"project-{project.seq}", project.name,
        money(project.amount, unit) if project.amount is not None else "未列明",
        facts, project.purpose, project.goal, plan, indicators, project.note,
        to_yuan(project.amount, unit), indicator_count=len(project.indicators),
    )  # fmt: skip


def projects_by_amount(budget: Budget) -> list[ProjectView]:
    """Projects, largest amount first; projects without a printed amount last, in order."""
    views = [project_view(budget, p) for p in budget.projects or []]
    with_amount = sorted(
        (v for v in views if v.yuan is not None), key=lambda v: (-(v.yuan or 0), v.seq)
    )
    whole = sum((v.yuan for v in with_amount if v.yuan is not None), Decimal(0))
    top = with_amount[0].yuan if with_amount else None
    for view in with_amount:
        view.share = percent(view.yuan, whole)
        view.bar = bar_length(view.yuan, top)
    return with_amount + [v for v in views if v.yuan is None]


@dataclass(slots=True)
class CategoryView:
    seq: int
    anchor: str
    name: str
    parent: str | None
    amount: str | None
    duty: str | None
    goal: str | None
    indicators_text: str | None
    indicators: TableView | None
    indicators_href: str | None = None  # as for a project: on the indicators page
    indicator_count: int = 0


@dataclass(slots=True)
class GoalsView:
    title: str
    department_goal: str | None
    categories: list[CategoryView] = field(default_factory=list)
    safeguards: list[str] = field(default_factory=list)
    stated: list[tuple[str, str]] = field(default_factory=list)
    quote: str | None = None
    note: str | None = None


def goals_view(budget: Budget, section: Performance) -> GoalsView:
    unit = section_unit(budget, section)
    names = {c.seq: c.name for c in section.categories}
    categories = [
        CategoryView(
            c.seq,
            f"goal-{c.seq}",
            c.name,
            names.get(c.parent_seq) if c.parent_seq is not None else None,
            money(c.amount, unit) if c.amount is not None else None,
            c.duty,
            c.goal,
            c.indicators_text,
            indicator_table("", "", c.indicators) if c.indicators else None,
            indicator_count=len(c.indicators),
        )  # fmt: skip
        for c in section.categories
    ]
    stated: list[tuple[str, str]] = []
    if section.stated_project_count is not None:
        stated.append(("所述项目数", f"{section.stated_project_count} 个"))
    if section.stated_project_total is not None:
        stated.append(("所述项目资金", money(section.stated_project_total, unit)))
    return GoalsView(
        section.title or "部门整体绩效目标", section.department_goal, categories,
        list(section.safeguards), stated, section.quote, section.note,
    )  # fmt: skip
