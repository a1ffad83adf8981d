"""Contexts of the pages that span records: home, indexes, department, comparison, quality.

Each function takes the :class:`~gongkai.site.catalogue.Catalogue` and a
``link`` function bound to the page being rendered, and returns a plain
object for its template. Charts are always paired with a table of the same
numbers (:class:`ChartBlock`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from markupsafe import Markup

from gongkai.site import pages
from gongkai.site.catalogue import Catalogue, Entry, RegionNode, Unpublished
from gongkai.site.charts import Bar, bar_chart, column_chart
from gongkai.site.format import money_wan, number, stage_label
from gongkai.site.rows import (
    Cell,
    Column,
    SortTable,
    count_cell,
    entry_table,
    money_cell,
    per_capita_cell,
    region_label,
    share_cell,
    status_cell,
)

Link = Callable[..., str]


@dataclass
class ChartBlock:
    id: str
    title: str
    svg: Markup
    table: SortTable


def chart_block(
    id: str, title: str, bars: Sequence[Bar], *, columns: bool = False, label: str = "项目"
) -> ChartBlock | None:
    """A chart in 万元 and the table of what it draws."""
    if not bars or all(b.value <= 0 for b in bars):
        return None
    svg = column_chart(bars, title=title) if columns else bar_chart(bars, title=title)
    table = SortTable(f"{id}-data", [Column(label), Column("金额（万元）", True)], sortable=False)
    table.rows = [[Cell(b.label, href=b.href), Cell(b.text, numeric=True)] for b in bars]
    return ChartBlock(id, title, svg, table)


def _wan_bar(label: str, yuan: Decimal | None, href: str | None = None) -> Bar | None:
    if yuan is None:
        return None
    return Bar(label, yuan, money_wan(yuan, unit=False), href)


def _coverage(entries: Sequence[Entry], figure: str = "expenditure_total") -> str:
    """``3 个部门`` or ``3 个部门，其中 2 个列明支出总计`` (a sum over fewer is not a total)."""
    known = sum(1 for e in entries if e.yuan(figure) is not None)
    text = f"{len(entries)} 个部门年度"
    return text if known == len(entries) else f"{text}，其中 {known} 个列明支出总计"


def _total(entries: Sequence[Entry], figure: str = "expenditure_total") -> Decimal | None:
    values = [e.yuan(figure) for e in entries]
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


# --------------------------------------------------------------------------- #
# Home
# --------------------------------------------------------------------------- #


@dataclass
class Recent:
    label: str
    href: str
    when: str


@dataclass
class HomeView:
    counts: list[tuple[str, str]]
    totals: list[tuple[str, str]]
    chart: ChartBlock | None
    recent: list[Recent]
    unpublished: int
    links: dict[str, str]


def home_view(cat: Catalogue, link: Link, *, recent_count: int = 10) -> HomeView:
    counts = [
        ("部门", number(len(cat.departments))),
        ("地区", number(cat.region_count)),
        ("年度", number(len(cat.years))),
        ("部门年度预算", number(len(cat.entries))),
    ]
    totals = []
    bars = []
    for year, entries in cat.years.items():
        total = _total(entries)
        totals.append((f"{year}年（{_coverage(entries)}）", money_wan(total)))
        bar = _wan_bar(f"{year}年", total, link(pages.year_src(year)))
        if bar:
            bars.append(bar)
    dated = sorted(
        (e for e in cat.entries if e.changed), key=lambda e: e.changed or datetime.min, reverse=True
    )
    recent = [
        Recent(
            f"{e.name} {e.budget.fiscal_year}年{stage_label(e.budget.stage)}",
            link(e.src),
            _date(e.changed),
        )
        for e in dated[:recent_count]
    ]
    links = {
        name: link(src)
        for name, src in (
            ("regions", pages.REGIONS),
            ("years", pages.YEARS),
            ("compare", pages.COMPARE),
            ("quality", pages.QUALITY),
        )
    }
    return HomeView(
        counts, totals,
        chart_block("chart-years", "各年度支出总计（万元）", bars, columns=True, label="年度"),
        recent, len(cat.unpublished), links,
    )  # fmt: skip


def _date(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d") if when else ""


# --------------------------------------------------------------------------- #
# Regions
# --------------------------------------------------------------------------- #


@dataclass
class RegionItem:
    code: str
    name: str
    level: int
    href: str
    count: str
    total: str
    children: list[RegionItem] = field(default_factory=list)


@dataclass
class RegionsView:
    tree: list[RegionItem]


def _region_item(node: RegionNode, province: RegionNode, link: Link) -> RegionItem:
    entries = node.all_entries()
    return RegionItem(
        node.code, node.name, node.level, link(pages.province_src(province.code), f"r-{node.code}"),
        _coverage(entries), money_wan(_total(entries)),
        [_region_item(child, province, link) for child in node.children.values()],
    )  # fmt: skip


def regions_view(cat: Catalogue, link: Link) -> RegionsView:
    tree = []
    for province in cat.provinces.values():
        item = _region_item(province, province, link)
        item.href = link(pages.province_src(province.code))
        tree.append(item)
    return RegionsView(tree)


@dataclass
class RegionSection:
    anchor: str
    name: str
    level: int
    table: SortTable | None


@dataclass
class ProvinceView:
    name: str
    code: str
    sections: list[RegionSection]
    index_href: str


def province_view(node: RegionNode, link: Link) -> ProvinceView:
    sections: list[RegionSection] = []

    def walk(current: RegionNode) -> None:
        table = None
        if current.entries:
            table = entry_table(
                f"t-{current.code}", current.entries, link, region=False, caption=""
            )
        sections.append(RegionSection(f"r-{current.code}", current.name, current.level, table))
        for child in current.children.values():
            walk(child)

    walk(node)
    return ProvinceView(node.name, node.code, sections, link(pages.REGIONS))


# --------------------------------------------------------------------------- #
# Years
# --------------------------------------------------------------------------- #


@dataclass
class YearItem:
    year: int
    href: str
    compare_href: str
    count: str
    total: str


@dataclass
class YearsView:
    years: list[YearItem]
    chart: ChartBlock | None


def years_view(cat: Catalogue, link: Link) -> YearsView:
    items = [
        YearItem(
            year,
            link(pages.year_src(year)),
            link(pages.compare_src(year)),
            _coverage(entries),
            money_wan(_total(entries)),
        )
        for year, entries in cat.years.items()
    ]
    bars = [
        b
        for b in (
            _wan_bar(f"{y}年", _total(e), link(pages.year_src(y))) for y, e in cat.years.items()
        )
        if b
    ]
    return YearsView(
        items,
        chart_block("chart-years", "各年度支出总计（万元）", bars, columns=True, label="年度"),
    )


@dataclass
class YearView:
    year: int
    table: SortTable
    compare_href: str
    index_href: str
    total: str


def year_view(year: int, entries: Sequence[Entry], link: Link) -> YearView:
    return YearView(
        year, entry_table(f"t-year-{year}", entries, link, year=False),
        link(pages.compare_src(year)), link(pages.YEARS), money_wan(_total(entries)),
    )  # fmt: skip


# --------------------------------------------------------------------------- #
# Department (all years)
# --------------------------------------------------------------------------- #


@dataclass
class DepartmentView:
    name: str
    names: list[str]
    region: str
    province: str
    region_href: str
    years: list[tuple[str, str]]
    table: SortTable
    chart: ChartBlock | None


DEPARTMENT_ROWS = (
    ("expenditure_total", "支出总计"),
    ("income_total", "收入总计"),
    ("basic", "基本支出"),
    ("project", "项目支出"),
    ("personnel", "人员经费"),
    ("public", "公用经费"),
    ("three_public", "“三公”经费"),
    ("operating_expenses", "机关运行经费"),
    ("procurement_total", "政府采购预算"),
    ("projects_total", "项目预算合计"),
)


def department_view(entries: Sequence[Entry], link: Link) -> DepartmentView:
    first = entries[-1]
    heads = [f"{e.budget.fiscal_year}年{stage_label(e.budget.stage)}" for e in entries]
    table = SortTable("t-department", [Column("项目")] + [Column(h, True) for h in heads], sortable=False,
                      caption="金额单位：万元（按原文数字换算）；“—”表示原文未列明。")  # fmt: skip
    table.rows.append(
        [Cell("年度预算页面")] + [Cell("查看", href=link(e.src), numeric=True) for e in entries]
    )
    for key, label in DEPARTMENT_ROWS:
        values = [e.yuan(key) for e in entries]
        if all(v is None for v in values):
            continue
        table.rows.append([Cell(label)] + [money_cell(v) for v in values])
    table.rows.append(
        [Cell("项目数")] + [count_cell(e.budget.project_count) for e in entries]
    )
    table.rows.append([Cell("数据质量")] + [status_cell(e) for e in entries])
    bars = [
        b
        for b in (
            _wan_bar(h, e.yuan("expenditure_total"), link(e.src))
            for h, e in zip(heads, entries, strict=True)
        )
        if b
    ]
    names = sorted(
        {e.budget.department.name for e in entries}
        | {a for e in entries for a in e.budget.department.aliases}
    )
    code = first.budget.department.region.admin_code
    return DepartmentView(
        first.name, names, region_label(first), first.budget.department.region.province, link(pages.province_src(code), f"r-{code}"),
        [(h, link(e.src)) for h, e in zip(heads, entries, strict=True)], table,
        chart_block("chart-trend", "支出总计的变化（万元）", bars, columns=True, label="年度") if len(bars) > 1 else None,
    )  # fmt: skip


# --------------------------------------------------------------------------- #
# Compare
# --------------------------------------------------------------------------- #


@dataclass
class CompareView:
    year: int
    table: SortTable
    chart: ChartBlock | None
    year_href: str
    staffed: int


def compare_view(
    year: int, entries: Sequence[Entry], link: Link, *, chart_limit: int = 20
) -> CompareView:
    columns = [Column("部门"), Column("地区"), Column("人数", True), Column("支出总计", True), Column("人均支出（元）", True),
               Column("基本支出占比", True), Column("项目支出占比", True), Column("“三公”经费", True), Column("人均“三公”（元）", True),
               Column("机关运行经费", True), Column("人均机关运行经费（元）", True), Column("数据质量")]  # fmt: skip
    table = SortTable(f"t-compare-{year}", columns,
                      caption="金额单位：万元；人均数按实有人数（无则按编制数）计算，单位为元；人数未公开的部门人均数为空。")  # fmt: skip
    for e in entries:
        total = e.yuan("expenditure_total")
        table.rows.append([
            Cell(f"{e.name}（{stage_label(e.budget.stage)}）", e.name, link(e.src)), Cell(region_label(e)),
            count_cell(e.staff), money_cell(total), per_capita_cell(total, e.staff),
            share_cell(e.yuan("basic"), total), share_cell(e.yuan("project"), total),
            money_cell(e.yuan("three_public")), per_capita_cell(e.yuan("three_public"), e.staff),
            money_cell(e.yuan("operating_expenses")), per_capita_cell(e.yuan("operating_expenses"), e.staff),
            status_cell(e),
        ])  # fmt: skip
    ranked = sorted(
        (e for e in entries if e.yuan("expenditure_total") is not None),
        key=lambda e: -(e.yuan("expenditure_total") or 0),
    )
    bars = [
        b
        for b in (
            _wan_bar(e.name, e.yuan("expenditure_total"), link(e.src)) for e in ranked[:chart_limit]
        )
        if b
    ]
    title = f"{year}年支出总计（万元，前 {len(bars)} 个部门）"
    return CompareView(year, table, chart_block("chart-compare", title, bars, label="部门"), link(pages.year_src(year)),
                       sum(1 for e in entries if e.staff))  # fmt: skip


@dataclass
class CompareIndexView:
    years: list[tuple[int, str, int]]


def compare_index_view(cat: Catalogue, link: Link) -> CompareIndexView:
    return CompareIndexView([(y, link(pages.compare_src(y)), len(e)) for y, e in cat.years.items()])


# --------------------------------------------------------------------------- #
# Data quality
# --------------------------------------------------------------------------- #


@dataclass
class UnpublishedItem:
    file: str
    href: str | None
    problems: int
    first: str


@dataclass
class QualityIndexView:
    ranking: SortTable
    rules: SortTable
    unpublished: list[UnpublishedItem]
    totals: dict[str, int]


def quality_index_view(
    cat: Catalogue, link: Link, titles: dict[str, str], *, pages_for_invalid: bool
) -> QualityIndexView:
    columns = [
        Column("部门年度"),
        Column("地区"),
        Column("错误", True),
        Column("警告", True),
        Column("舍入差异", True),
        Column("已确认", True),
    ]
    ranking = SortTable(
        "t-quality", columns, caption="按未确认的错误、警告、舍入差异排序；点击表头可改变排序。"
    )
    ordered = sorted(
        cat.entries,
        key=lambda e: (-e.counts["error"], -e.counts["warning"], -e.counts["rounding"], e.name),
    )
    totals = {"error": 0, "warning": 0, "rounding": 0, "acknowledged": 0}
    for e in ordered:
        for key in totals:
            totals[key] += e.counts[key]
        ranking.rows.append([
            Cell(f"{e.name} {e.budget.fiscal_year}年{stage_label(e.budget.stage)}", e.name, link(e.src, "quality")),
            Cell(region_label(e)), *(count_cell(e.counts[k]) for k in ("error", "warning", "rounding", "acknowledged")),
        ])  # fmt: skip
    per_rule: dict[str, dict[str, int]] = {}
    for e in cat.entries:
        for f in e.findings:
            counts = per_rule.setdefault(
                f.rule, {"error": 0, "warning": 0, "rounding": 0, "acknowledged": 0, "records": 0}
            )
            counts["acknowledged" if f.acknowledged else f.severity] += 1
    for e in cat.entries:
        for rule in {f.rule for f in e.findings}:
            per_rule[rule]["records"] += 1
    rules = SortTable(
        "t-rules",
        [
            Column("规则"),
            Column("说明"),
            Column("涉及记录", True),
            Column("错误", True),
            Column("警告", True),
            Column("舍入差异", True),
            Column("已确认", True),
        ],
    )
    for rule, counts in sorted(
        per_rule.items(), key=lambda kv: (-kv[1]["error"], -kv[1]["warning"], kv[0])
    ):
        rules.rows.append(
            [
                Cell(rule),
                Cell(titles.get(rule, "")),
                *(
                    count_cell(counts[k])
                    for k in ("records", "error", "warning", "rounding", "acknowledged")
                ),
            ]
        )
    unpublished = [_unpublished_item(u, link, pages_for_invalid) for u in cat.unpublished]
    return QualityIndexView(ranking, rules, unpublished, totals)


def _unpublished_item(item: Unpublished, link: Link, with_page: bool) -> UnpublishedItem:
    problems = item.report.problems
    first = problems[0].format() if problems else ""
    return UnpublishedItem(item.file, link(item.src) if with_page else None, len(problems), first)
