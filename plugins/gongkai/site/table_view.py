"""Every disclosed table of a record as a display table (cells already formatted).

The page shows the tables as the source printed them: the printed total row
first, then each line with its code, and the 类/款/项 hierarchy (taken from
the code length, never from indentation) as a row level that the stylesheet
indents. Cells are formatted here, once, and the rows are written straight to
HTML by :func:`table_body` (a template loop with autoescape per cell costs
more than the rest of the page). A column that is blank in every row is left
out and named under the table, so nothing disclosed is hidden and nothing
empty takes space; a blank cell is an empty ``<td>`` that the stylesheet
marks with a dash, distinct from a printed ``0.00``.

The markup is kept small — a department-year page should stay under 80 KB —
by merging repeated 一级/二级指标 cells with ``rowspan``, as the printed
tables do, and by printing a table once when the source printed the same
table twice (``same_as``: the second says so and links to the first). A chart
is a table too: a column of amounts carries each row's bar length
(``style="--w:…"``) that the stylesheet draws behind the number, so the
numbers of a chart are never written twice. :func:`table_body` writes every
end tag; the renderer then drops those HTML5 makes optional (``</td>``,
``</tr>``…) from the whole page body
(:func:`gongkai.site.render.omit_optional_end_tags`). The indicator tables,
the bulk of a page with many projects, are on the department-year's second
page (``budgets/<id>/indicators/``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as _escape
from typing import Any

from markupsafe import Markup

from gongkai.model import (
    Budget,
    EconomicTable,
    FunctionTable,
    IncomeByFunction,
    IncomeExpenditureSummary,
    NarrativeFigure,
    Section,
    SummaryAmount,
    ThreePublic,
    section_unit,
)
from gongkai.site.format import money, number

LEVEL_NAMES = {1: "类", 2: "款", 3: "项"}


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass
class Row:
    cells: list[str]
    css: str = ""
    level: int | None = None
    spans: list[int] | None = None  # per cell: rowspan, 0 = covered by the cell above
    bar: str | None = None  # bar length of the table's bar column (CSS, "45.8%")


@dataclass
class TableView:
    """A table ready to render: header, rows of text cells, caption notes."""

    id: str
    title: str
    columns: list[Column]
    rows: list[Row]
    unit: str | None = None
    note: str | None = None
    empty: bool = False
    omitted: list[str] = field(default_factory=list)
    hierarchy: bool = False
    #: 0-based column whose cells draw the rows' ``bar`` (a bar chart), or None.
    bar_column: int | None = None
    #: ``(id, title)`` of an earlier table on the page with exactly the same cells.
    same_as: tuple[str, str] | None = None
    #: Rows the source printed with every amount blank, left out and named under the table.
    blank_rows: list[str] = field(default_factory=list)

    @property
    def body(self) -> Markup:
        return table_body(self.rows, self.bar_column)

    def signature(self) -> tuple[object, ...]:
        """What must match for two tables to be the same table (header, unit, every cell)."""
        return (
            tuple(c.label for c in self.columns),
            self.unit,
            tuple((tuple(r.cells), r.css) for r in self.rows),
            tuple(self.blank_rows),
            tuple(self.omitted),
        )

    @property
    def num_from(self) -> int | None:
        """1-based index of the first column when all columns from there on are numeric."""
        for index, column in enumerate(self.columns):
            if column.numeric:
                return index + 1 if all(c.numeric for c in self.columns[index:]) else None
        return None


@dataclass(frozen=True)
class Spec:
    """One column of a display table: label, how to read it, whether it is money."""

    label: str
    get: Callable[[Any], Any]
    money: bool = True
    always: bool = False


def table_body(rows: Sequence[Row], bar_column: int | None = None) -> Markup:
    """The ``<tr>`` rows of a table as HTML (cells escaped)."""
    parts: list[str] = []
    for row in rows:
        parts.append(f'<tr class="{row.css}">' if row.css else "<tr>")
        spans = row.spans
        if bar_column is not None and row.bar:
            for index, cell in enumerate(row.cells):
                style = f' style="--w:{row.bar}"' if index == bar_column else ""
                parts.append(f"<td{style}>{_escape(cell, False)}</td>")
        elif spans is None:
            parts.extend(f"<td>{_escape(cell, False)}</td>" for cell in row.cells)
        else:
            for cell, span in zip(row.cells, spans, strict=True):
                if span == 1:
                    parts.append(f"<td>{_escape(cell, False)}</td>")
                elif span > 1:
                    parts.append(f'<td rowspan="{span}">{_escape(cell, False)}</td>')
        parts.append("</tr>")
    return Markup("".join(parts))


def merge_repeats(rows: Sequence[Row], columns: int) -> None:
    """Give the first ``columns`` cells of consecutive equal rows one ``rowspan`` cell.

    A column merges only within the run of the columns left of it (二级指标
    never spans two 一级指标), like the merged cells of a printed table.
    """
    for row in rows:
        row.spans = [1] * len(row.cells)
    for col in range(min(columns, min((len(r.cells) for r in rows), default=0))):
        start = 0
        for index in range(1, len(rows) + 1):
            same = (
                index < len(rows)
                and rows[index].cells[col] == rows[start].cells[col]
                and rows[index].cells[col] != ""
                and all(rows[index].spans[c] == 0 for c in range(col))  # type: ignore[index]
            )
            if not same:
                if index - start > 1:
                    rows[start].spans[col] = index - start  # type: ignore[index]
                    for covered in range(start + 1, index):
                        rows[covered].spans[col] = 0  # type: ignore[index]
                start = index


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return number(value)
    return str(value)


def build_table(
    id: str,
    title: str,
    specs: Sequence[Spec],
    rows: Iterable[tuple[Any, str, int | None]],
    *,
    unit: str | None,
    note: str | None = None,
    hierarchy: bool = False,
    merge: int = 0,
    name_omitted: bool = True,
    fold_blank_rows: bool = False,
) -> TableView:
    """Format ``rows`` (item, css class, level) through ``specs``, dropping blank columns.

    ``merge`` leading columns get ``rowspan`` cells for repeated values;
    ``name_omitted`` lists the dropped columns under the table (for the
    standard tables, whose columns the source prints even when blank);
    ``fold_blank_rows`` likewise leaves out the plain rows whose amounts are
    all blank (the 收支总表 print every 功能 category, most of them empty)
    and names them under the table, in order.
    """
    materialised = list(rows)
    kept: list[Spec] = []
    omitted: list[str] = []
    for spec in specs:
        if spec.always or any(spec.get(item) is not None for item, _, _ in materialised):
            kept.append(spec)
        else:
            omitted.append(spec.label)
    out = [
        Row([_cell(spec.get(item)) for spec in kept], css, level)
        for item, css, level in materialised
    ]
    blank_rows: list[str] = []
    if fold_blank_rows:
        kept_rows = []
        for row in out:
            if not row.css and row.cells[0] and not any(row.cells[1:]):
                blank_rows.append(row.cells[0])
            else:
                kept_rows.append(row)
        out = kept_rows
    if merge:
        merge_repeats(out, merge)
    columns = [Column(spec.label, spec.money) for spec in kept]
    shown_omitted = omitted if name_omitted else []
    return TableView(
        id, title, columns, out, unit, note, not materialised, shown_omitted, hierarchy,
        blank_rows=blank_rows,
    )  # fmt: skip


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda item: getattr(item, name, None)


def _code_level(code: str | None, levels: dict[int, int]) -> int | None:
    return levels.get(len(code)) if code else None


FUNC_LEVELS = {3: 1, 5: 2, 7: 3}
ECON_LEVELS = {3: 1, 5: 2}

FUNCTION_SPECS = (
    Spec("科目编码", _attr("code"), money=False, always=True),
    Spec("科目名称", _attr("name"), money=False, always=True),
    Spec("合计", _attr("total"), always=True),
    Spec("基本支出", _attr("basic")),
    Spec("项目支出", _attr("project")),
    Spec("经营支出", _attr("business_operation")),
    Spec("上缴上级支出", _attr("remit_to_superior")),
    Spec("对附属单位补助支出", _attr("subsidy_to_subsidiaries")),
)

INCOME_SPECS = (
    Spec("科目编码", _attr("code"), money=False, always=True),
    Spec("科目名称", _attr("name"), money=False, always=True),
    Spec("合计", _attr("total"), always=True),
    Spec("本年收入小计", _attr("current_year")),
    Spec("财政拨款收入", _attr("fiscal_appropriation")),
    Spec("财政专户收入", _attr("special_account")),
    Spec("事业收入", _attr("business")),
    Spec("经营收入", _attr("business_operation")),
    Spec("上级补助收入", _attr("superior_subsidy")),
    Spec("附属单位上缴收入", _attr("subsidiary_remittance")),
    Spec("其他收入", _attr("other")),
    Spec("上年结转", _attr("carryover")),
)

ECONOMIC_SPECS = (
    Spec("科目编码", _attr("code"), money=False, always=True),
    Spec("科目名称", _attr("name"), money=False, always=True),
    Spec("合计", _attr("total"), always=True),
    Spec("人员经费", _attr("personnel")),
    Spec("公用经费", _attr("public")),
)

SUMMARY_SPECS = (
    Spec("项目", _attr("name"), money=False, always=True),
    Spec("金额", _attr("amount"), always=True),
    Spec("一般公共预算", _attr("general_public_budget")),
    Spec("政府性基金预算", _attr("government_fund")),
    Spec("国有资本经营预算", _attr("soe_capital")),
)


@dataclass
class _Total:
    """A printed total row: the label column reads 合计, the rest from the printed row."""

    source: Any
    name: str = "合计"
    code: str = ""

    def __getattr__(self, item: str) -> Any:
        return getattr(self.source, item, None)


def _coded_rows(section: Any, levels: dict[int, int]) -> list[tuple[Any, str, int | None]]:
    rows: list[tuple[Any, str, int | None]] = []
    if section.reported_total is not None:
        rows.append((_Total(section.reported_total), "gk-total", None))
    for line in section.lines:
        level = _code_level(line.code, levels)
        rows.append((line, f"gk-l{level}" if level else "", level))
    return rows


def function_table(budget: Budget, name: str, section: FunctionTable, title: str) -> TableView:
    return build_table(
        f"t-{name}", section.title or title, FUNCTION_SPECS, _coded_rows(section, FUNC_LEVELS),
        unit=section_unit(budget, section), note=section.note, hierarchy=True,
    )  # fmt: skip


def income_table(budget: Budget, section: IncomeByFunction, title: str) -> TableView:
    return build_table(
        "t-income_by_function", section.title or title, INCOME_SPECS, _coded_rows(section, FUNC_LEVELS),
        unit=section_unit(budget, section), note=section.note, hierarchy=True,
    )  # fmt: skip


def economic_table(budget: Budget, section: EconomicTable, title: str) -> TableView:
    return build_table(
        "t-gpb_basic_by_economic", section.title or title, ECONOMIC_SPECS, _coded_rows(section, ECON_LEVELS),
        unit=section_unit(budget, section), note=section.note, hierarchy=True,
    )  # fmt: skip


def _named(amount: SummaryAmount | None, name: str) -> list[tuple[Any, str, int | None]]:
    if amount is None:
        return []
    return [(_Total(amount, name=name), "gk-total", None)]


def summary_tables(
    budget: Budget, name: str, section: IncomeExpenditureSummary, title: str
) -> list[TableView]:
    """收支总表: the income side and the expenditure side, each with its totals."""
    unit = section_unit(budget, section)
    out = []
    for side_name, side, labels in (
        ("income", section.income, ("本年收入合计", "上年结转结余", "收入总计")),
        ("expenditure", section.expenditure, ("本年支出合计", "年终结转结余", "支出总计")),
    ):
        rows: list[tuple[Any, str, int | None]] = [(line, "", None) for line in side.lines]
        rows += _named(side.current_year_total, labels[0])
        rows += _named(side.carryover, labels[1])
        rows += [(line, "gk-l2", 2) for line in side.carryover_lines]
        rows += _named(side.grand_total, labels[2])
        side_title = f"{section.title or title}（{'收入' if side_name == 'income' else '支出'}）"
        out.append(
            build_table(
                f"t-{name}-{side_name}",
                side_title,
                SUMMARY_SPECS,
                rows,
                unit=unit,
                note=None,
                fold_blank_rows=True,
            )  # fmt: skip
        )
    if section.note:
        out[-1].note = section.note
    return out


THREE_PUBLIC_LEVELS = {
    "abroad_teaching_research": 2,
    "abroad_other": 2,
    "vehicle_purchase": 2,
    "vehicle_operation": 2,
}
THREE_PUBLIC_NAMES = {
    "total": "合计",
    "subtotal": "“三公”经费小计",
    "abroad": "因公出国（境）费",
    "abroad_teaching_research": "其中：教学科研人员因公出国（境）费",
    "abroad_other": "其他因公出国（境）费",
    "vehicle": "公务用车购置及运行维护费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
    "reception": "公务接待费",
}

THREE_PUBLIC_SPECS = (
    Spec(
        "项目",
        lambda row: row.name or THREE_PUBLIC_NAMES.get(row.item, row.item),
        money=False,
        always=True,
    ),
    Spec("合计", _attr("amount"), always=True),
    Spec("一般公共预算", _attr("general_public_budget")),
    Spec("政府性基金预算", _attr("government_fund")),
    Spec("国有资本经营预算", _attr("soe_capital")),
)


def three_public_table(budget: Budget, section: ThreePublic, title: str) -> TableView | None:
    if not section.rows:
        return None
    rows = []
    for row in section.rows:
        level = THREE_PUBLIC_LEVELS.get(row.item)
        css = "gk-total" if row.item in ("total", "subtotal") else (f"gk-l{level}" if level else "")
        rows.append((row, css, level))
    return build_table(
        "t-three_public", section.title or title, THREE_PUBLIC_SPECS, rows,
        unit=section_unit(budget, section), note=section.note,
    )  # fmt: skip


def narrative_table(
    budget: Budget,
    id: str,
    title: str,
    figures: Sequence[NarrativeFigure],
    section: Section | None = None,
) -> TableView | None:
    """Figures stated only in the text: label, amount with unit, and the quoted sentence."""
    if not figures:
        return None
    default_unit = section_unit(budget, section)
    specs = (
        Spec("说法", lambda fig: fig.label or fig.item, money=False, always=True),
        Spec(
            "金额",
            lambda fig: money(fig.amount, fig.unit or default_unit),
            money=False,
            always=True,
        ),
        Spec("原文", _attr("quote"), money=False),
    )
    return build_table(id, title, specs, [(fig, "", None) for fig in figures], unit=None)
