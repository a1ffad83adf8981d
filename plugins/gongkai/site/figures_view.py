"""Key figures and charts of one department-year.

The key figures come from :func:`gongkai.figures.key_figures` (which decides,
once for every front end, whether a number is read from a printed table or
from the narrative) and are shown in the unit the source printed, with where
each came from. Charts are drawn from the same numbers, and each chart carries
a table of exactly what it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from gongkai.figures import Figure, KeyFigures
from gongkai.model import Budget, NarrativeFigure, ThreePublicRow, section_unit
from gongkai.site.charts import Bar, bar_chart, split_bar
from gongkai.site.format import money, percent
from gongkai.site.project_view import ProjectView
from gongkai.site.table_view import Column, Row, TableView

SOURCE_LABELS = {"table": "表格", "narrative": "文字说明", "projects": "项目合计"}


@dataclass
class FigureView:
    label: str
    value: str
    source: str
    share: str | None = None
    level: int = 1


@dataclass
class ChartView:
    id: str
    title: str
    svg: Markup
    table: TableView


def _figure(
    label: str, figure: Figure | None, whole: Figure | None = None, level: int = 1
) -> FigureView:
    if figure is None:
        return FigureView(label, "未公开", "", None, level)
    share = percent(figure.yuan, whole.yuan) if whole is not None and whole is not figure else None
    return FigureView(
        label,
        money(figure.printed, figure.unit),
        SOURCE_LABELS.get(figure.source, figure.source),
        share,
        level,
    )


THREE_PUBLIC_PARTS = (
    ("abroad", "因公出国（境）费", 2),
    ("vehicle", "公务用车购置及运行维护费", 2),
    ("vehicle_purchase", "其中：购置费", 3),
    ("vehicle_operation", "其中：运行维护费", 3),
    ("reception", "公务接待费", 2),
)


def three_public_parts(budget: Budget) -> list[FigureView]:
    """The parts of 三公 from the table, else from the narrative (as printed)."""
    section = budget.three_public
    if section is None:
        return []
    unit = section_unit(budget, section)
    rows: dict[str, ThreePublicRow] = {row.item: row for row in section.rows}
    stated: dict[str, NarrativeFigure] = {}
    for fig in section.narrative:
        stated.setdefault(fig.item, fig)
    out: list[FigureView] = []
    for item, label, level in THREE_PUBLIC_PARTS:
        row = rows.get(item)
        if row is not None:
            out.append(FigureView(label, money(row.amount, unit), "表格", None, level))
        elif item in stated and stated[item].amount is not None:
            fig = stated[item]
            out.append(
                FigureView(label, money(fig.amount, fig.unit or unit), "文字说明", None, level)
            )
    return out


def key_figure_views(budget: Budget, figures: KeyFigures) -> list[FigureView]:
    total = figures.expenditure_total
    views = [
        _figure("支出总计", total),
        _figure("收入总计", figures.income_total),
        _figure("基本支出", figures.basic, total),
        _figure("项目支出", figures.project, total),
        _figure("人员经费", figures.personnel, figures.basic),
        _figure("公用经费", figures.public, figures.basic),
        _figure("“三公”经费", figures.three_public),
        *three_public_parts(budget),
        _figure("机关运行经费", figures.operating_expenses),
    ]
    if figures.procurement_total is not None:
        views.append(_figure("政府采购预算", figures.procurement_total))
    if figures.projects_total is not None:
        views.append(_figure("项目预算合计（各项目之和）", figures.projects_total))
    return views


def _printed(figure: Figure | None) -> str | None:
    return money(figure.printed, figure.unit) if figure is not None else None


def summary_sentences(budget: Budget, figures: KeyFigures) -> list[str]:
    """A few plain sentences: how much, on what, and the change the text states."""
    out: list[str] = []
    total = figures.expenditure_total
    what = f"{budget.fiscal_year}年{'预算' if budget.stage == 'budget' else '决算'}支出"
    if total is not None:
        out.append(f"{what}总计 {_printed(total)}。")
    else:
        out.append(f"原文没有列明{what}总计。")
    if figures.basic is not None and figures.project is not None and total is not None:
        out.append(
            f"其中基本支出（维持机构运转和人员开支）{_printed(figures.basic)}，占 {percent(figures.basic.yuan, total.yuan)}；"
            f"项目支出（完成特定任务）{_printed(figures.project)}，占 {percent(figures.project.yuan, total.yuan)}。"
        )
    parts = [f"“三公”经费 {_printed(figures.three_public)}" if figures.three_public else None,
             f"机关运行经费 {_printed(figures.operating_expenses)}" if figures.operating_expenses else None]  # fmt: skip
    if any(parts):
        out.append("，".join(p for p in parts if p) + "。")
    change = next(
        (
            f
            for f in budget.narrative_figures or []
            if f.item == "change_total" and f.amount is not None
        ),
        None,
    )
    if change is not None and change.amount is not None:
        word = "增加" if change.amount > 0 else ("减少" if change.amount < 0 else "持平")
        amount = (
            ""
            if change.amount == 0
            else " " + money(abs(change.amount), change.unit or budget.amount_unit)
        )
        out.append(f"原文说明：与上年相比{word}{amount}。")
    return out


def chart_table(
    id: str, bars: Sequence[Bar], unit: str | None, *, label: str = "项目"
) -> TableView:
    """The numbers a chart draws, with each bar's share of the whole."""
    whole = sum((b.value for b in bars), Decimal(0))
    rows = [Row([b.label, b.text, percent(b.value, whole)]) for b in bars]
    return TableView(
        id, "", [Column(label), Column("金额", True), Column("占比", True)], rows, unit
    )


def chart(
    id: str, title: str, bars: Sequence[Bar], unit: str | None, *, split: bool = False
) -> ChartView | None:
    if not bars or all(b.value <= 0 for b in bars):
        return None
    svg = split_bar(bars, title=title) if split else bar_chart(bars, title=title)
    return ChartView(id, title, svg, chart_table(f"{id}-data", bars, unit))


def _bar(label: str, value: Decimal | None, unit: str | None) -> Bar | None:
    if value is None:
        return None
    return Bar(label, value, money(value, unit))


def _pair(first: tuple[str, Figure | None], second: tuple[str, Figure | None]) -> list[Bar]:
    """Two key figures as bars in 元 (their printed units may differ)."""
    out = []
    for label, fig in (first, second):
        if fig is None:
            return []
        out.append(Bar(label, fig.yuan, money(fig.printed, fig.unit)))
    return out


def record_charts(
    budget: Budget, figures: KeyFigures, projects: Sequence[ProjectView]
) -> list[ChartView]:
    charts: list[ChartView | None] = [
        chart("chart-basic-project", "基本支出与项目支出", _pair(("基本支出", figures.basic), ("项目支出", figures.project)), None, split=True),
        chart("chart-personnel-public", "人员经费与公用经费", _pair(("人员经费", figures.personnel), ("公用经费", figures.public)), None, split=True),
        _function_chart(budget),
        _economic_chart(budget),
        _projects_chart(projects),
    ]  # fmt: skip
    return [c for c in charts if c is not None]


def _function_chart(budget: Budget) -> ChartView | None:
    for section in (budget.expenditure_by_function, budget.gpb_expenditure_by_function):
        if section is None or not section.lines:
            continue
        unit = section_unit(budget, section)
        bars = [
            _bar(f"{line.code} {line.name}", line.total, unit)
            for line in section.lines
            if len(line.code) == 3
        ]
        kept = sorted((b for b in bars if b is not None), key=lambda b: -b.value)
        return chart("chart-function", f"按支出功能分类（类）· 单位：{unit}", kept, unit)
    return None


def _economic_chart(budget: Budget) -> ChartView | None:
    section = budget.gpb_basic_by_economic
    if section is not None and section.lines:
        unit = section_unit(budget, section)
        bars = [
            _bar(f"{line.code} {line.name}", line.total, unit)
            for line in section.lines
            if len(line.code) == 3
        ]
        kept = sorted((b for b in bars if b is not None), key=lambda b: -b.value)
        return chart("chart-economic", f"基本支出按经济分类（类）· 单位：{unit}", kept, unit)
    operating = budget.operating_expenses
    if operating is not None and operating.items:
        unit = section_unit(budget, operating)
        items = [_bar(item.name, item.amount, unit) for item in operating.items]
        kept = sorted((b for b in items if b is not None), key=lambda b: -b.value)
        return chart("chart-economic", f"机关运行经费构成 · 单位：{unit}", kept, unit)
    return None


def _projects_chart(projects: Sequence[ProjectView], limit: int = 10) -> ChartView | None:
    bars = [Bar(p.name, p.yuan, p.amount) for p in projects if p.yuan is not None][:limit]
    if len(bars) < 2:
        return None
    return chart("chart-projects", f"项目预算（按金额，前 {len(bars)} 个）", bars, None)
