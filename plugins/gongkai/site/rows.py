"""Sortable index tables: one row per department-year, the same columns everywhere.

Cross-record tables show money in 万元 with two decimals, whatever unit each
source printed, so that rows compare; each numeric cell carries its exact
value in 元 as the sort key, which the vendored ``gongkai.js`` uses to sort.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from markupsafe import Markup

from gongkai.site.catalogue import Entry
from gongkai.site.format import BLANK, money_wan, number, percent, sort_key, stage_label

Link = Callable[..., str]


@dataclass
class Cell:
    text: str
    sort: str | None = None
    href: str | None = None
    numeric: bool = False
    css: str = ""


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass
class SortTable:
    id: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    sortable: bool = True

    @property
    def body(self) -> Markup:
        """The rows as HTML, written directly (a year page has hundreds of rows)."""
        parts: list[str] = []
        for row in self.rows:
            parts.append("<tr>")
            for cell in row:
                css = " ".join(c for c in ("num" if cell.numeric else "", cell.css) if c)
                attrs = f' class="{css}"' if css else ""
                if cell.sort is not None and cell.sort != cell.text:
                    attrs += f' data-sort="{escape(cell.sort)}"'
                text = escape(cell.text, quote=False)
                if cell.href:
                    text = f'<a href="{escape(cell.href)}">{text}</a>'
                parts.append(f"<td{attrs}>{text}</td>")
            parts.append("</tr>")
        return Markup("".join(parts))


STATUS = {"ok": "通过", "warning": "有警告", "error": "有错误"}


def status_cell(entry: Entry) -> Cell:
    counts = entry.counts
    if counts["error"]:
        return Cell(f"{counts['error']} 个错误", str(1000000 + counts["error"]), css="gk-st-error")
    if counts["warning"]:
        return Cell(
            f"{counts['warning']} 个警告", str(1000 + counts["warning"]), css="gk-st-warning"
        )
    return Cell("通过", "0", css="gk-st-ok")


def money_cell(yuan: Decimal | None) -> Cell:
    """万元 with two decimals; a blank stays an empty cell (the stylesheet shows a dash)."""
    return Cell(
        money_wan(yuan, unit=False) if yuan is not None else "", sort_key(yuan), numeric=True
    )


def count_cell(value: int | None) -> Cell:
    return Cell(number(value) if value is not None else "", sort_key(value), numeric=True)


def per_capita_cell(yuan: Decimal | None, staff: int | None) -> Cell:
    """元 per person, whole yuan (blank where staffing is not disclosed)."""
    if yuan is None or not staff:
        return Cell("", "", numeric=True)
    value = (yuan / staff).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Cell(number(value), sort_key(value), numeric=True)


FIGURE_COLUMNS = (
    ("expenditure_total", "支出总计"),
    ("basic", "基本支出"),
    ("project", "项目支出"),
    ("three_public", "“三公”经费"),
    ("operating_expenses", "机关运行经费"),
)


def entry_table(
    id: str,
    entries: Sequence[Entry],
    link: Link,
    *,
    region: bool = True,
    year: bool = True,
    caption: str = "金额单位：万元（按各部门原文数字换算）；点击表头排序。",
) -> SortTable:
    """Department-years with their key figures and data-quality status."""
    columns = [Column("部门")]
    columns += [Column("地区")] if region else []
    columns += [Column("年度", True)] if year else []
    columns += [Column("阶段")]
    columns += [Column(label, True) for _, label in FIGURE_COLUMNS]
    columns += [Column("项目数", True), Column("数据质量")]
    table = SortTable(id, columns, caption=caption)
    for entry in entries:
        budget = entry.budget
        row = [Cell(entry.name, entry.name, link(entry.src))]
        if region:
            row.append(Cell(region_label(entry)))
        if year:
            row.append(
                Cell(
                    str(budget.fiscal_year), str(budget.fiscal_year), link(entry.src), numeric=True
                )
            )
        row.append(Cell(stage_label(budget.stage)))
        row += [money_cell(entry.yuan(key)) for key, _ in FIGURE_COLUMNS]
        row += [count_cell(budget.project_count), status_cell(entry)]
        table.rows.append(row)
    return table


def region_label(entry: Entry) -> str:
    region = entry.budget.department.region
    return "".join(part for part in (region.province, region.prefecture, region.county) if part)


def share_cell(part: Decimal | None, whole: Decimal | None) -> Cell:
    text = percent(part, whole)
    if text == BLANK or part is None or whole is None:
        return Cell("", "", numeric=True)
    return Cell(text, format(part / whole, "f"), numeric=True)
