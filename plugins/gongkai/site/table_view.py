"""Every disclosed table of a record as a display table (cells already formatted).

The page shows the tables as the source printed them: the printed total row
first, then each line with its code, and the 类/款/项 hierarchy (taken from
the code length, never from indentation) as a row level that the stylesheet
indents. Cells are formatted here, once, and each table is written straight
to HTML by :func:`table_html` (a template loop with autoescape per cell costs
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
numbers of a chart are never written twice. HTML5 makes most end tags of a
table optional: :func:`table_html` writes rows without ``</td>`` and
``</tr>``, and the renderer drops the other optional end tags from the whole
page body (:func:`gongkai.site.render.omit_optional_end_tags`). The indicator tables,
the bulk of a page with many projects, are on the department-year's second
page (``budgets/<id>/indicators/``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial
from html import escape as _escape
from itertools import chain
from operator import attrgetter, is_not
from typing import Any

from markupsafe import Markup, escape

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


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(slots=True)
class Row:
    cells: list[str]
    css: str = ""
    level: int | None = None
    spans: list[int] | None = None  # per cell: rowspan, 0 = covered by the cell above
    bar: str | None = None  # bar length of the table's bar column (CSS, "45.8%")


@dataclass(slots=True)
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


def table_html(table: TableView, css: str = "") -> Markup:
    """The markup of one display table: the one place it is written.

    A ``<table>`` with its caption (title and unit), header and rows, then
    the names of the blank rows and columns left out, then the note; a table
    the source printed twice (``same_as``) is instead one sentence linking to
    the first. ``css`` adds classes (``gk-bars``: the bar column draws a bar
    chart). Text is escaped as autoescape would (the cells as
    :func:`table_body` does).

    Every template has it as a filter (``{{ t|table_html }}``,
    ``{{ t|table_html("gk-bars") }}``: what the page templates use, the
    cheapest call in Jinja) and as a global; the ``table`` macro of
    ``gongkai/macros.html`` wraps it. A department-year record has some 30
    tables and 1,500 cells: laid out by a macro, with an attribute lookup and
    an escape per field, they cost more than the rest of its two pages. A
    page is byte for byte what that macro gave (line breaks included) once
    the renderer has dropped the optional end tags, which the rows here are
    written without (see :func:`table_body`). A site that wants other table
    markup overrides the page templates' calls (or the macro).
    """
    id_attr = f' id="{escape(table.id)}"' if table.id else ""
    if table.same_as:
        first_id, first_title = table.same_as
        named = f"{escape(table.title)}：" if table.title else ""
        html = (
            f'<p class="gk-same"{id_attr}>{named}与<a href="#{escape(first_id)}">'
            f"{escape(first_title)}</a>逐行相同（原文如此），不重复列出。</p>\n"
        )
    else:
        html = _table_element(table, css, id_attr) + _omitted_html(table)
    if table.note:
        html += f'<p class="gk-note">{escape(table.note)}</p>'
    return Markup(html)


def _table_element(table: TableView, css: str, id_attr: str) -> str:
    """``<table>`` … ``</table>`` and a line break (what the macro wrote before the notes).

    Written as the page shows it: without the line breaks between tags
    (``render.py`` drops them all) and without the optional end tags, which
    leaves the page's end-tag pass a fifth of the work.
    """
    classes = "gk-t"
    if num_from := table.num_from:
        classes += f" gk-n{num_from}"
    if table.hierarchy:
        classes += " gk-h"
    if css:
        classes += f" {escape(css)}"
    caption = ""
    if table.title or table.unit:
        caption = f"<caption>{escape(table.title)}"
        if table.unit:
            caption += f"{' · ' if table.title else ''}单位：{escape(table.unit)}"
        caption += "</caption>"
    return (
        f'<table class="{classes}"{id_attr}>{caption}'
        f"<thead><tr>{_header_cells(tuple(c.label for c in table.columns))}"
        f"<tbody>{table_body(table.rows, table.bar_column, end_tags=False)}</table>\n"
    )


@cache
def _header_cells(labels: tuple[str, ...]) -> str:
    """The ``<th>`` cells of a header (a handful of distinct headers per site: cached)."""
    return "".join(f"<th>{escape(label)}" for label in labels)


def _omitted_html(table: TableView) -> str:
    """The sentence naming the rows and columns left out because they are blank."""
    if not (table.blank_rows or table.omitted):
        return ""
    rows = f"金额全为空白、未显示的行：{_joined(table.blank_rows)}。" if table.blank_rows else ""
    columns = f"全为空白、未显示的列：{_joined(table.omitted)}。" if table.omitted else ""
    return f'<p class="gk-omit">{rows}{columns}</p>'


def _joined(names: Sequence[str]) -> str:
    """``a、b、c``, escaped (one escape for all: the separator needs none)."""
    return str(escape("、".join(names)))


def _has_markup_chars(text: str) -> bool:
    """Whether ``text`` holds a character that cell escaping changes (``&``, ``<``, ``>``)."""
    return "&" in text or "<" in text or ">" in text


def table_body(
    rows: Sequence[Row], bar_column: int | None = None, *, end_tags: bool = True
) -> Markup:
    """The ``<tr>`` rows of a table as HTML (cells escaped).

    Most tables have no ``&``, ``<`` or ``>`` in any cell (numbers, codes,
    names): one test over all the text spares escaping each cell, and a row
    without merged cells or a bar is written with a single join.

    ``end_tags=False`` leaves out the ``</td>`` and ``</tr>``, all optional
    inside a ``<tbody>``: :func:`table_html` writes rows for a page body, and
    the renderer drops those end tags from a page body anyway
    (:func:`gongkai.site.render.omit_optional_end_tags`), and writing them
    only for its regular expression to find and drop again took longer than
    writing the rows. (A page with a raw-text element, which the renderer
    leaves as written, then keeps its other end tags; both are valid HTML.)
    """
    escaped = _has_markup_chars("".join(chain.from_iterable([row.cells for row in rows])))
    td_end, tr_end = ("</td>", "</tr>") if end_tags else ("", "")
    between = f"{td_end}<td>"
    parts: list[str] = []
    for row in rows:
        cells = [_escape(cell, False) for cell in row.cells] if escaped else row.cells
        spans = row.spans
        if bar_column is not None and row.bar:
            tds = [f"<td>{cell}{td_end}" for cell in cells]
            if bar_column < len(tds):
                tds[bar_column] = f'<td style="--w:{row.bar}">{cells[bar_column]}{td_end}'
            tds_html = "".join(tds)
        elif spans is None or spans.count(1) == len(spans):
            tds_html = f"<td>{between.join(cells)}{td_end}" if cells else ""
        else:
            # A merged cell: rowspan above 1, nothing where the cell above covers it (span 0).
            tds_html = "".join([
                f"<td>{cell}{td_end}" if span == 1
                else f'<td rowspan="{span}">{cell}{td_end}' if span > 1
                else ""
                for cell, span in zip(cells, spans, strict=True)
            ])  # fmt: skip
        parts.append(f"{_row_start(row.css)}{tds_html}{tr_end}")
    return Markup("".join(parts))


@cache
def _row_start(css: str) -> str:
    """``<tr>`` or ``<tr class="…">`` (a handful of row classes: gk-total, gk-l1…)."""
    return f'<tr class="{css}">' if css else "<tr>"


def merge_repeats(rows: Sequence[Row], columns: int) -> None:
    """Give the first ``columns`` cells of consecutive equal rows one ``rowspan`` cell.

    A column merges only within the run of the columns left of it (二级指标
    never spans two 一级指标), like the merged cells of a printed table.
    """
    for row in rows:
        row.spans = [1] * len(row.cells)
    count = len(rows)
    width = min(columns, *(len(row.cells) for row in rows)) if rows else 0
    # Whether a row is covered (span 0) in every column left of the current one.
    joined = [True] * count
    for col in range(width):
        start = 0
        for index in range(1, count + 1):
            if index < count and joined[index]:
                value = rows[index].cells[col]
                if value != "" and value == rows[start].cells[col]:
                    continue
            if index - start > 1:
                rows[start].spans[col] = index - start  # type: ignore[index]
                for covered in range(start + 1, index):
                    rows[covered].spans[col] = 0  # type: ignore[index]
            start = index
        joined = [j and row.spans[col] == 0 for j, row in zip(joined, rows, strict=True)]  # type: ignore[index]


@dataclass(frozen=True, slots=True)
class _Attr:
    """A column getter that reads one attribute (``None`` when the item has none).

    With ``part``, an attribute of that attribute (``grades.excellent``),
    ``None`` when the first is ``None``. A class rather than a lambda so that
    :func:`build_table` can read a whole column with
    :func:`operator.attrgetter`, without a Python call per cell.
    """

    name: str
    part: str | None = None
    read: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "read", attrgetter(self.name))

    def __call__(self, item: Any) -> Any:
        value = getattr(item, self.name, None)
        return value if self.part is None or value is None else getattr(value, self.part, None)

    def column(self, items: Sequence[Any]) -> list[Any]:
        """The values of ``items`` (in C, unless an item lacks the attribute)."""
        try:
            values = list(map(self.read, items))
        except AttributeError:
            return list(map(self, items))
        if self.part is None or not _any_value(values):
            return values
        return [None if value is None else getattr(value, self.part, None) for value in values]


_IS_NOT_NONE = partial(is_not, None)


def _any_value(values: Sequence[Any]) -> bool:
    """Whether any of ``values`` is not ``None``.

    By identity, in C: ``None in values`` would compare each ``Decimal`` with
    ``None`` through the numbers ABCs, a cost that shows in a page's profile.
    """
    return any(map(_IS_NOT_NONE, values))


def _attr(name: str, part: str | None = None) -> Callable[[Any], Any]:
    """The column getter of attribute ``name`` (and of its attribute ``part``)."""
    return _Attr(name, part)


def _cell(value: Any) -> str:
    """A value as cell text: blank for ``None``, numbers with separators as printed."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return number(value)
    return str(value)


def _column_cells(values: Sequence[Any]) -> list[str]:
    """One column's values as cell text (text as is: most cells are already ``str``)."""
    return [
        value
        if value.__class__ is str
        else number(value)
        if value.__class__ is Decimal
        else _cell(value)
        for value in values
    ]


@cache
def _column(label: str, numeric: bool) -> Column:
    """The header column (shared: a frozen dataclass costs more to create than to look up)."""
    return Column(label, numeric)


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

    The table is read and formatted column by column (an attribute column,
    :func:`_attr`, in one C loop): a column is dropped by looking at its
    values, and formatted only if it is kept.
    """
    materialised = rows if isinstance(rows, list) else list(rows)
    items = [item for item, _, _ in materialised]
    kept: list[Spec] = []
    texts: list[list[str]] = []
    omitted: list[str] = []
    for spec in specs:
        get = spec.get
        values = get.column(items) if isinstance(get, _Attr) else list(map(get, items))
        if spec.always or _any_value(values):
            kept.append(spec)
            texts.append(_column_cells(values))
        else:
            omitted.append(spec.label)
    cells = list(map(list, zip(*texts, strict=True))) if texts else [[] for _ in items]
    out = [Row(row, css, level) for row, (_, css, level) in zip(cells, materialised, strict=True)]
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
    columns = [_column(spec.label, spec.money) for spec in kept]
    shown_omitted = omitted if name_omitted else []
    return TableView(
        id, title, columns, out, unit, note, not materialised, shown_omitted, hierarchy,
        blank_rows=blank_rows,
    )  # fmt: skip


#: Code length → level (类 3 digits, 款 5, 项 7) of the function and economic classifications.
FUNC_LEVELS = {3: 1, 5: 2, 7: 3}
ECON_LEVELS = {3: 1, 5: 2}


@cache
def _level_styles(levels: tuple[tuple[int, int], ...]) -> dict[int, tuple[str, int]]:
    """Code length → (row class, level): worked out once per classification, not per row."""
    return {length: (f"gk-l{level}", level) for length, level in levels}


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


_UNLEVELLED: tuple[str, None] = ("", None)


def _coded_rows(section: Any, levels: dict[int, int]) -> list[tuple[Any, str, int | None]]:
    """The printed total, then each line with the row class and level of its code."""
    styles = _level_styles(tuple(levels.items()))
    rows: list[tuple[Any, str, int | None]] = []
    if section.reported_total is not None:
        rows.append((_Total(section.reported_total), "gk-total", None))
    for line in section.lines:
        code = line.code
        rows.append((line, *(styles.get(len(code), _UNLEVELLED) if code else _UNLEVELLED)))
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
