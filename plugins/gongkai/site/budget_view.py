"""The department-year page context: everything one disclosure says, for readers.

:func:`budget_context` turns a validated record (its report) into plain view
objects — header, key figures, charts, every disclosed table, projects,
goals, assets and procurement, data quality — that a template only has to
lay out. The context depends on the record, its report and the site options
alone (links to other pages are computed from the record's own ids), which is
what lets a front end cache the rendered page by the file's digest.

The performance indicators go on a second page of the department-year
(:func:`indicators_context`; the department-year page stays under 80 KB of
HTML): the projects' and goals' indicator tables, goals' indicators given as
text, and the transcription notes on the indicator tables. The
department-year page links to each, under the same anchors.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from gongkai.figures import key_figures
from gongkai.model import ALL_SECTIONS, Budget, FunctionTable, IncomeExpenditureSummary, Section
from gongkai.normalise import SECTION_TITLES
from gongkai.site import pages
from gongkai.site.figures_view import (
    ChartView,
    FigureView,
    key_figure_views,
    record_charts,
    summary_sentences,
)
from gongkai.site.format import safe_url, stage_label
from gongkai.site.other_view import BlockView, assets_block, operating_block, procurement_block
from gongkai.site.project_view import (
    CategoryView,
    GoalsView,
    ProjectView,
    goals_view,
    projects_by_amount,
)
from gongkai.site.quality_view import QualityView, RepoLinks, quality_view
from gongkai.site.table_view import (
    TableView,
    economic_table,
    function_table,
    income_table,
    narrative_table,
    summary_tables,
    three_public_table,
)
from gongkai.validate import RecordReport

#: ``link(src_uri, anchor=None)`` → a URL relative to the page being rendered.
Link = Callable[..., str]

SECTION_STATUS_LABELS = {"disclosed": "已公开", "disclosed_empty": "公开但为空", "absent": "未公开"}
NOTE_KINDS = {
    "repair": "修复",
    "uncertain": "不确定",
    "inferred": "推断",
    "source_error": "原文错误",
}
#: A transcription note about the indicator tables (its ``where``: ``projects[3].indicators[2]``,
#: ``projects[*].indicators``, ``项目5 第3行指标``): shown with the tables, on the indicators page.
INDICATOR_NOTE = re.compile(r"(?:projects|performance)\b.*\bindicators\b|项目\s*\d+.*指标")
FORMAT_LABELS = {
    "docx": "Word",
    "doc": "Word",
    "pdf": "PDF",
    "html": "网页",
    "xls": "Excel",
    "xlsx": "Excel",
}


@dataclass(slots=True)
class Crumb:
    label: str
    href: str | None


@dataclass(slots=True)
class Header:
    title: str
    name: str
    canonical_name: str | None
    region: list[Crumb]
    year: Crumb
    stage: str
    unit: str
    source_title: str
    source_url: str | None
    source_facts: list[tuple[str, str]]
    department: Crumb
    status: str
    status_label: str
    edit_url: str | None
    file: str
    file_url: str | None
    facts: list[tuple[str, str]]


@dataclass(slots=True)
class TableSection:
    id: str
    title: str
    empty: bool
    tables: list[TableView]
    note: str | None = None
    text: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Download:
    """A file offered for download (see :mod:`gongkai.site.downloads`).

    ``href`` is the URL path from the site root (``data/budgets/<id>/<id>.xlsx``)
    or an absolute URL; the page links to it relative to itself, so the site
    works under any sub-path.
    """

    label: str
    href: str
    note: str = ""
    format: str = ""  # what the reader sees: "XLSX", "CSV", …
    size: int | None = None  # bytes, when known at render time
    #: ``file``; or a page of the site (``href``: its source path, ``*.md``) that
    #: explains the files (``about``) or lists every download of the site (``index``).
    role: str = "file"

    @property
    def size_label(self) -> str:
        """``12 KB``, ``1.4 MB`` (empty when unknown)."""
        if self.size is None:
            return ""
        if self.size < 1024:
            return f"{self.size} B"
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.0f} KB"
        return f"{self.size / 1024 / 1024:.1f} MB"


#: The page of this repository's site that explains the downloads (formats, fields, licence).
OPEN_DATA_PAGE = "reference/open-data.md"


@dataclass
class DownloadsBox:
    files: list[Download]
    about_href: str | None = None  # the page explaining the files
    index_href: str | None = None  # the page listing the whole dataset's files


@dataclass(slots=True)
class BudgetPage:
    header: Header
    summary: list[str]
    figures: list[FigureView]
    charts: list[ChartView]
    tables: list[TableSection]
    projects: list[ProjectView]
    goals: GoalsView | None
    blocks: list[BlockView]
    quality: QualityView
    coverage: list[tuple[str, str, str]]
    glossary: list[tuple[str, str]]
    notes: list[tuple[str, str, str]]
    downloads: DownloadsBox
    toc: list[tuple[str, str]]
    #: Transcription notes on the indicator tables: shown with them, on the indicators page.
    indicator_notes: list[tuple[str, str, str]] = field(default_factory=list)
    indicator_notes_href: str | None = None

    @property
    def priced_projects(self) -> list[ProjectView]:
        """The projects whose amount is printed (the project list charts them)."""
        return [p for p in self.projects if p.yuan is not None]


@dataclass(slots=True)
class IndicatorsPage:
    """The second page of a department-year: every indicator table, by project.

    The projects come in the order of the department-year page (largest
    amount first) under the same anchors (``#project-7``, ``#goal-3``), each
    with a link back to its description there.
    """

    title: str
    budget_title: str
    region: list[Crumb]
    year: Crumb
    stage: str
    back: str  # the department-year page
    quality: str  # its data-quality section
    projects: list[tuple[ProjectView, str]]  # (project, its description on the page)
    goals: list[tuple[CategoryView, str]]
    notes: list[tuple[str, str, str]]
    toc: list[tuple[str, str]]

    @property
    def indicator_count(self) -> int:
        return sum(p.indicator_count for p, _ in self.projects) + sum(
            c.indicator_count for c, _ in self.goals
        )


def region_crumbs(budget: Budget, link: Link, province_src: str) -> list[Crumb]:
    region = budget.department.region
    names = [region.province, region.prefecture, region.county]
    codes = [region.admin_code[:2] + "0000", region.admin_code[:4] + "00", region.admin_code]
    on_province = anchor_linker(link, province_src)
    return [
        Crumb(name, on_province(f"r-{code}"))
        for name, code in zip(names, codes, strict=True)
        if name
    ]


def _table_sections(budget: Budget) -> list[TableSection]:
    out: list[TableSection] = []
    for name in ALL_SECTIONS:
        section = getattr(budget, name)
        title = SECTION_TITLES.get(name, name)
        tables: list[TableView] = []
        text: list[tuple[str, str]] = []
        if isinstance(section, IncomeExpenditureSummary):
            tables = summary_tables(budget, name, section, title)
        elif isinstance(section, FunctionTable):
            tables = [function_table(budget, name, section, title)]
        elif name == "income_by_function" and section is not None:
            tables = [income_table(budget, section, title)]
        elif name == "gpb_basic_by_economic" and section is not None:
            tables = [economic_table(budget, section, title)]
        elif name == "three_public" and section is not None:
            table = three_public_table(budget, section, title)
            narrative = narrative_table(
                budget, "t-three_public-text", "说明中的数字", section.narrative, section
            )
            tables = [t for t in (table, narrative) if t is not None]
            if section.change_reason:
                text.append(("增减原因", section.change_reason))
        elif name == "narrative_figures" and section:
            table = narrative_table(budget, "t-narrative", title, section)
            tables = [table] if table else []
        else:
            continue
        if section is None:
            continue
        empty = isinstance(section, Section) and section.status == "disclosed_empty"
        note = section.note if isinstance(section, Section) else None
        heading = (
            section.title if isinstance(section, Section) and section.title else None
        ) or title
        for table in tables:
            if table.title == heading:
                table.title = ""  # the section heading says it; the caption keeps the unit
        out.append(TableSection(f"s-{name}", heading, empty, tables, note, text))
    _mark_repeated(out)
    return out


def _mark_repeated(sections: list[TableSection]) -> None:
    """A table printed again with exactly the same header and cells refers to the first.

    Common in the standard set: a department funded only by the general
    public budget prints the same rows in 部门预算支出总表 and
    一般公共预算支出表. Small tables (fewer than three rows) are kept as they are.
    """
    tables = [(t, s.title) for s in sections for t in s.tables if len(t.rows) >= 3]
    # Only a table whose header, unit and row count recur can be a repeat: the
    # full signature (every cell) is computed for those alone.
    shapes = Counter(_shape(table) for table, _ in tables)
    seen: dict[tuple[object, ...], tuple[str, str]] = {}
    for table, section_title in tables:
        if shapes[_shape(table)] < 2:
            continue
        key = table.signature()
        if key in seen:
            table.same_as = seen[key]
        else:
            seen[key] = (table.id, table.title or section_title)


def _shape(table: TableView) -> tuple[object, ...]:
    """What two tables with the same :meth:`~TableView.signature` have in common, cheaply."""
    return (tuple(c.label for c in table.columns), table.unit, len(table.rows))


def _coverage(budget: Budget) -> list[tuple[str, str, str]]:
    rows = []
    for name in ALL_SECTIONS:
        section = getattr(budget, name)
        if section is None or (isinstance(section, list) and not section and name != "projects"):
            status = "absent"
        elif isinstance(section, Section):
            status = section.status
        else:
            status = "disclosed"
        rows.append((SECTION_TITLES.get(name, name), status, SECTION_STATUS_LABELS[status]))
    return rows


def _header(
    budget: Budget,
    report: RecordReport,
    link: Link,
    srcs: dict[str, str],
    links: RepoLinks,
    quality: QualityView,
) -> Header:
    dept = budget.department
    source = budget.source
    year_label = f"{budget.fiscal_year}年"
    source_facts = [("原文格式", FORMAT_LABELS.get(source.original_format, source.original_format))]
    if source.publisher:
        source_facts.append(("发布机构", source.publisher))
    if source.published_date:
        source_facts.append(("发布日期", source.published_date.isoformat()))
    facts = [
        (label, value)
        for label, value in (
            ("单位性质", dept.unit_nature),
            ("单位规格", dept.unit_rank),
            ("经费保障形式", dept.funding_form),
            ("人员编制", _staffing(budget)),
        )
        if value
    ]
    file = report.record.display
    return Header(
        title=f"{dept.name} {year_label}{stage_label(budget.stage)}",
        name=dept.name,
        canonical_name=dept.canonical_name if dept.canonical_name != dept.name else None,
        region=region_crumbs(budget, link, srcs["province"]),
        year=Crumb(year_label, link(srcs["year"])),
        stage=stage_label(budget.stage),
        unit=budget.amount_unit,
        source_title=source.title,
        source_url=safe_url(source.url),
        source_facts=source_facts,
        department=Crumb("本部门各年度", link(srcs["department"])),
        status=quality.status,
        status_label=quality.status_label,
        edit_url=links.edit(file),
        file=file,
        file_url=links.view(file),
        facts=facts,
    )


def _staffing(budget: Budget) -> str | None:
    staffing = budget.department.staffing
    if staffing is None:
        return None
    parts = []
    if staffing.establishment is not None:
        parts.append(f"编制 {staffing.establishment} 人")
    if staffing.actual is not None:
        parts.append(f"实有 {staffing.actual} 人")
    if staffing.retired is not None:
        parts.append(f"离退休 {staffing.retired} 人")
    return "，".join(parts) or None


def budget_context(
    report: RecordReport,
    *,
    link: Link,
    srcs: dict[str, str],
    links: RepoLinks,
    strict: bool,
    titles: dict[str, str],
    downloads: list[Download] | None = None,
    indicators_src: str | None = None,
) -> BudgetPage:
    """Build the page context of a valid record (``report.record.budget`` is set).

    With ``indicators_src`` (the page holding the indicator tables, see
    :func:`indicators_context`), each project and goal with indicators links
    to its table there.
    """
    budget = report.record.budget
    assert budget is not None
    figures = key_figures(budget)
    projects = projects_by_amount(budget)
    root = site_root(link)
    quality = quality_view(report, links, strict=strict, titles=titles)
    blocks = [
        block
        for block in (
            operating_block(budget, budget.operating_expenses)
            if budget.operating_expenses
            else None,
            procurement_block(budget, budget.procurement) if budget.procurement else None,
            assets_block(budget, budget.state_assets) if budget.state_assets else None,
        )
        if block is not None
    ]
    for block in blocks:
        if block.table is not None and block.table.title == block.title:
            block.table.title = ""  # the heading says it; the caption keeps the unit
    tables = _table_sections(budget)
    goals = goals_view(budget, budget.performance) if budget.performance else None
    notes = [(n.where, NOTE_KINDS.get(n.kind, n.kind), n.text) for n in budget.transcription_notes]
    indicator_notes: list[tuple[str, str, str]] = []
    if indicators_src is not None:
        on_indicators = anchor_linker(link, indicators_src)
        for project in projects:
            if project.indicators is not None:
                project.indicators_href = on_indicators(project.anchor)
        for category in goals.categories if goals else []:
            if category.indicators is not None or category.indicators_text:
                category.indicators_href = on_indicators(category.anchor)
        indicator_notes = [n for n in notes if INDICATOR_NOTE.match(n[0])]
        notes = [n for n in notes if not INDICATOR_NOTE.match(n[0])]
    toc = [("key-figures", "关键数字"), ("charts", "图表")]
    toc += [("tables", "预算表")] if tables else []
    toc += [("projects", f"项目（{len(projects)} 个）")] if projects else []
    toc += [("goals", "部门绩效目标")] if goals else []
    toc += [("assets", "机关运行经费、采购与资产")] if blocks else []
    toc += [("glossary", "名词解释")] if budget.glossary else []
    toc += [("quality", "数据质量"), ("downloads", "下载")]
    return BudgetPage(
        header=_header(budget, report, link, srcs, links, quality),
        summary=summary_sentences(budget, figures),
        figures=key_figure_views(budget, figures),
        charts=record_charts(budget),
        tables=tables,
        projects=projects,
        goals=goals,
        blocks=blocks,
        quality=quality,
        coverage=_coverage(budget),
        glossary=[(g.term, g.definition) for g in budget.glossary or []],
        notes=notes,
        downloads=_box(downloads or [], link, root),
        toc=toc,
        indicator_notes=indicator_notes,
        indicator_notes_href=link(indicators_src, "notes")
        if indicator_notes and indicators_src
        else None,
    )


def indicators_title(budget_title: str, *, projects: bool) -> str:
    """``中共平乡县委组织部 2023年预算 · 项目绩效指标`` (``· 绩效指标``: department goals only)."""
    return f"{budget_title} · {'项目绩效指标' if projects else '绩效指标'}"


def indicators_context(
    page: BudgetPage, budget: Budget, *, link: Link, srcs: dict[str, str], budget_src: str
) -> IndicatorsPage:
    """The indicators page of a department-year, from its page context.

    ``link`` links from the indicators page; ``budget_src`` is the
    department-year page (``srcs`` as for :func:`budget_context`).
    """
    h = page.header
    on_budget = anchor_linker(link, budget_src)
    projects = [(p, on_budget(p.anchor)) for p in page.projects if p.indicators]
    goals = page.goals
    categories = [
        (c, on_budget(c.anchor)) for c in goals.categories if c.indicators or c.indicators_text
    ] if goals else []  # fmt: skip
    toc = [("projects", f"项目（{len(projects)} 个）")] if projects else []
    toc += [("goals", "部门绩效目标")] if categories else []
    toc += [("notes", "转录说明")] if page.indicator_notes else []
    return IndicatorsPage(
        title=indicators_title(h.title, projects=bool(projects)), budget_title=h.title,
        region=region_crumbs(budget, link, srcs["province"]), year=Crumb(h.year.label, link(srcs["year"])),
        stage=h.stage, back=link(budget_src), quality=link(budget_src, "quality"), projects=projects,
        goals=categories, notes=page.indicator_notes, toc=toc,
    )  # fmt: skip


def anchor_linker(link: Link, src: str) -> Callable[[str], str]:
    """``link(src, anchor)`` for the many anchors of one page, its URL computed once.

    A page links to dozens of projects of one other page (``indicators/#project-7``);
    a relative URL costs path arithmetic that is the same for each of them.
    """
    prefix = link(src, "_")[:-1]  # the URL of ``src`` and "#"
    return lambda anchor: prefix + anchor


def site_root(link: Link) -> str:
    """The site root relative to the page (``../../``), from the page's link to the home page."""
    home = link(pages.HOME)
    if home == "./":
        return ""
    if home.endswith("/"):
        return home
    folder = posixpath.dirname(home)
    return f"{folder}/" if folder else ""


def _box(downloads: list[Download], link: Link, root: str) -> DownloadsBox:
    files = [_relative(d, root) for d in downloads if d.role == "file"]
    hrefs = {
        d.role: link(d.href) if d.href.endswith(".md") else _relative(d, root).href
        for d in downloads
        if d.role != "file"
    }
    return DownloadsBox(files, hrefs.get("about"), hrefs.get("index"))


def _relative(download: Download, root: str) -> Download:
    """``download`` linked from the page: a site path gets the page's way up to the root."""
    href = download.href
    if "://" in href or href.startswith(("/", "#", "../", "./")):
        return download
    return Download(
        download.label, root + href, download.note, download.format, download.size, download.role
    )
