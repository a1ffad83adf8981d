"""Key figures and charts of one department-year.

The key figures come from :func:`gongkai.figures.key_figures` (which decides,
once for every front end, whether a number is read from a printed table or
from the narrative) and are shown in the unit the source printed, with where
each came from; a share (基本支出 of the total, 人员经费 of 基本支出) carries
its bar, so the key-figures table is also the chart of those splits. The
other charts are bar tables (:func:`gongkai.site.charts.bar_length`): the
table of exactly what the chart draws, with the bars drawn in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from gongkai.figures import Figure, KeyFigures
from gongkai.model import Budget, NarrativeFigure, ThreePublicRow, section_unit
from gongkai.site.charts import Bar, bar_length
from gongkai.site.format import money, number, percent
from gongkai.site.table_view import Column, Row, TableView

SOURCE_LABELS = {"table": "表格", "narrative": "文字说明", "projects": "项目合计"}


@dataclass(slots=True)
class FigureView:
    label: str
    value: str
    source: str
    share: str | None = None
    level: int = 1
    bar: str | None = None  # the share as a bar length (CSS)


@dataclass(slots=True)
class ChartView:
    """A bar chart that is a table: its ``table`` has a bar column."""

    id: str
    title: str
    table: TableView


def _figure(
    label: str, figure: Figure | None, whole: Figure | None = None, level: int = 1
) -> FigureView:
    if figure is None:
        return FigureView(label, "未公开", "", None, level)
    shared = whole is not None and whole is not figure
    share = percent(figure.yuan, whole.yuan) if shared and whole is not None else None
    bar = bar_length(figure.yuan, whole.yuan) if shared and whole is not None else None
    return FigureView(
        label,
        money(figure.printed, figure.unit),
        SOURCE_LABELS.get(figure.source, figure.source),
        share,
        level,
        bar,
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
    id: str, title: str, bars: Sequence[Bar], unit: str | None, *, label: str = "项目"
) -> TableView:
    """The numbers a chart draws, with each bar's share of the whole; the amounts draw the bars."""
    whole = sum((b.value for b in bars), Decimal(0))
    top = max((b.value for b in bars), default=Decimal(0))
    rows = [
        Row([b.label, b.text, percent(b.value, whole)], bar=bar_length(b.value, top)) for b in bars
    ]
    columns = [Column(label), Column("金额", True), Column("占比", True)]
    return TableView(id, title, columns, rows, unit, bar_column=1)


def chart(id: str, title: str, bars: Sequence[Bar], unit: str | None) -> ChartView | None:
    if not bars or all(b.value <= 0 for b in bars):
        return None
    return ChartView(id, title, chart_table(id, title, bars, unit))


def _bar(label: str, value: Decimal | None) -> Bar | None:
    """A bar in the table's own unit (the caption names it)."""
    if value is None:
        return None
    return Bar(label, value, number(value))


def record_charts(budget: Budget) -> list[ChartView]:
    """Where the money goes: by function and by economic class (类), largest first.

    基本支出 vs 项目支出 and 人员经费 vs 公用经费 are drawn in the key-figures
    table (their shares carry bars); the projects by amount in the project list.
    """
    charts = [_function_chart(budget), _economic_chart(budget)]
    return [c for c in charts if c is not None]


def _function_chart(budget: Budget) -> ChartView | None:
    for section in (budget.expenditure_by_function, budget.gpb_expenditure_by_function):
        if section is None or not section.lines:
            continue
        unit = section_unit(budget, section)
        bars = [
            _bar(f"{line.code} {line.name}", line.total)
            for line in section.lines
            if len(line.code) == 3
        ]
        kept = sorted((b for b in bars if b is not None), key=lambda b: -b.value)
        return chart("chart-function", "支出按功能分类（类）", kept, unit)
    return None


def _economic_chart(budget: Budget) -> ChartView | None:
    section = budget.gpb_basic_by_economic
    if section is not None and section.lines:
        unit = section_unit(budget, section)
        bars = [
            _bar(f"{line.code} {line.name}", line.total)
            for line in section.lines
            if len(line.code) == 3
        ]
        kept = sorted((b for b in bars if b is not None), key=lambda b: -b.value)
        return chart("chart-economic", "基本支出按经济分类（类）", kept, unit)
    operating = budget.operating_expenses
    if operating is not None and operating.items:
        unit = section_unit(budget, operating)
        items = [_bar(item.name, item.amount) for item in operating.items]
        kept = sorted((b for b in items if b is not None), key=lambda b: -b.value)
        return chart("chart-economic", "机关运行经费构成", kept, unit)
    return None
