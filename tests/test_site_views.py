"""Page contexts and rendered bodies of the site core (gongkai.site), without MkDocs.

The seed record 130532-203-2023-budget (平乡县委组织部, 万元, the nine standard
tables, 25 projects without amounts) and the small records of the fixture site
tests/fixtures/sites/basic are rendered through the real templates.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gongkai.site.budget_view import budget_context
from gongkai.site.build import Site, SiteOptions
from gongkai.site.quality_view import RepoLinks
from gongkai.site.render import Renderer, search_path, templates_dir
from gongkai.site.source import ValidationCache, load_reports

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "sites" / "basic"
SEED = "budgets/130532-203-2023-budget.md"


@pytest.fixture(scope="module")
def seed_reports():
    return load_reports(REPO / "content", REPO)


@pytest.fixture(scope="module")
def basic_reports():
    return load_reports(BASIC / "content", BASIC)


@pytest.fixture(scope="module")
def seed_site(seed_reports):
    return Site(
        seed_reports, SiteOptions(repo_url="https://github.com/o/r"), Renderer(search_path())
    )


@pytest.fixture(scope="module")
def basic_site(basic_reports):
    return Site(
        basic_reports, SiteOptions(repo_url="https://example.org/r"), Renderer(search_path())
    )


def _context(site: Site, src: str):
    entry = site._entries[src]
    report = entry.load()
    budget = report.record.budget
    return budget_context(
        report,
        link=site.router.linker(src),
        srcs={
            "province": "regions/130000.md",
            "year": "years/2023.md",
            "department": "departments/x.md",
        },
        links=RepoLinks("https://github.com/o/r"),
        strict=False,
        titles={},
    ), budget


def test_key_figures_of_the_seed_in_the_printed_unit(seed_site):
    page, _ = _context(seed_site, SEED)
    figures = {f.label: f for f in page.figures}
    assert figures["支出总计"].value == "2,279.15 万元" and figures["支出总计"].source == "表格"
    assert figures["基本支出"].value == "1,178.74 万元" and figures["基本支出"].share == "51.7%"
    assert figures["项目支出"].value == "1,100.41 万元"
    assert figures["公用经费"].value == "46.04 万元"
    assert figures["“三公”经费"].value == "4.4 万元" and figures["“三公”经费"].source == "文字说明"
    assert figures["其中：运行维护费"].value == "1.70 万元"
    assert figures["机关运行经费"].value == "46 万元"
    assert page.summary[0] == "2023年预算支出总计 2,279.15 万元。"


def test_every_disclosed_table_with_codes_and_hierarchy(seed_site):
    page, budget = _context(seed_site, SEED)
    ids = [s.id for s in page.tables]
    assert ids[:3] == [
        "s-income_expenditure_summary",
        "s-income_by_function",
        "s-expenditure_by_function",
    ]
    assert {"s-gpb_basic_by_economic", "s-three_public", "s-government_fund_expenditure"} <= set(
        ids
    )
    spending = next(s for s in page.tables if s.id == "s-expenditure_by_function").tables[0]
    assert [c.label for c in spending.columns] == [
        "科目编码",
        "科目名称",
        "合计",
        "基本支出",
        "项目支出",
    ]
    assert "经营支出" in spending.omitted
    total, first, second, third = spending.rows[:4]
    assert total.css == "gk-total" and total.cells[2] == "2,279.15"
    assert (first.cells[0], first.level, second.level, third.level) == ("201", 1, 2, 3)
    assert len(spending.rows) == 1 + len(budget.expenditure_by_function.lines)
    empty = next(s for s in page.tables if s.id == "s-government_fund_expenditure")
    assert empty.empty


def test_projects_keep_document_anchors(seed_site):
    page, budget = _context(seed_site, SEED)
    assert len(page.projects) == len(budget.projects) == 25
    assert [p.anchor for p in page.projects][:2] == [
        "project-1",
        "project-2",
    ]  # no amounts: document order
    first = page.projects[0]
    assert first.indicators is not None and len(first.indicators.rows) == len(
        budget.projects[0].indicators
    )


def test_projects_sorted_by_amount_blank_last(basic_site):
    page, _ = _context(basic_site, "budgets/990101-201-2022-budget.md")
    assert [p.seq for p in page.projects] == [2, 1]
    assert page.projects[0].amount == "250.00 万元"
    assert page.projects[1].plan == [
        ("3月底", "25%"),
        ("6月底", "50%"),
        ("10月底", "80%"),
        ("12月底", "100%"),
    ]


def test_charts_are_tables_with_bars(seed_site):
    """A chart is the table of its numbers, each amount cell carrying its bar."""
    page, _ = _context(seed_site, SEED)
    charts = {c.id: c for c in page.charts}
    assert set(charts) == {"chart-function", "chart-economic"}
    function = charts["chart-function"].table
    assert function.bar_column == 1 and function.unit == "万元"
    assert [c.label for c in function.columns] == ["项目", "金额", "占比"]
    labels = [row.cells[0] for row in function.rows]
    assert labels[0] == "201 一般公共服务支出"
    assert function.rows[0].cells[1:] == ["1,044.24", "45.8%"]
    assert function.rows[0].bar == "100%"  # the largest fills the cell
    bars = [float(row.bar.rstrip("%")) for row in function.rows if row.bar]
    assert bars == sorted(bars, reverse=True) and len(bars) == len(function.rows)
    html = seed_site.render(SEED).html
    assert '<td style="--w:100%">1,044.24<td>45.8%<tr>' in html  # optional end tags omitted
    # 基本/项目 and 人员/公用: the shares in the key-figures table carry the bars.
    figures = {f.label: f for f in page.figures}
    assert figures["基本支出"].bar == "51.7%" and figures["人员经费"].bar == "96.1%"
    assert figures["支出总计"].bar is None
    assert '<td style="--w:51.7%">51.7%<td>' in html


def test_projects_with_amounts_are_a_bar_chart(basic_site):
    html = basic_site.render("budgets/990101-201-2022-budget.md").html
    chart = html[
        html.index('id="chart-projects"') : html.index(
            "</table>", html.index('id="chart-projects"')
        )
    ]
    assert '<a href="#project-2">' in chart and 'style="--w:100%">250.00 万元<td>' in chart
    # the spending plan is one line, not a one-row table
    assert "累计支出进度：3月底 25%；6月底 50%；10月底 80%；12月底 100%" in html


def test_repeated_table_is_shown_once(basic_site, seed_site):
    from gongkai.site.budget_view import TableSection, _mark_repeated
    from gongkai.site.table_view import Column, Row, TableView

    # The seed prints the same 30 lines in 支出总表 and 一般公共预算支出表.
    page, budget = _context(seed_site, SEED)
    assert budget.gpb_expenditure_by_function.lines == budget.expenditure_by_function.lines
    repeated = {t.id: t.same_as for s in page.tables for t in s.tables if t.same_as}
    assert repeated == {
        "t-gpb_expenditure_by_function": ("t-expenditure_by_function", "部门预算支出总表")
    }
    html = seed_site.render(SEED).html
    assert (
        'id="t-gpb_expenditure_by_function">与<a href="#t-expenditure_by_function">部门预算支出总表</a>逐行相同'
        in html
    )

    rows = [Row(["1", "a", "2.00"]), Row(["2", "b", "3.00"]), Row(["3", "c", "4.00"])]
    first = TableView(
        "t-a", "", [Column("编码"), Column("名称"), Column("合计", True)], rows, "万元"
    )
    second = TableView("t-b", "", list(first.columns), [Row(list(r.cells)) for r in rows], "万元")
    other = TableView("t-c", "", list(first.columns), rows[:2] + [Row(["3", "c", "5.00"])], "万元")
    sections = [
        TableSection("s-a", "支出总表", False, [first]),
        TableSection("s-b", "一般公共预算支出表", False, [second, other]),
    ]
    _mark_repeated(sections)
    assert first.same_as is None and other.same_as is None
    assert second.same_as == ("t-a", "支出总表")


def test_summary_table_names_its_blank_rows(seed_site):
    page, _ = _context(seed_site, SEED)
    summary = next(s for s in page.tables if s.id == "s-income_expenditure_summary")
    spending = summary.tables[1]
    assert "外交支出" in spending.blank_rows and "一般公共服务支出" not in spending.blank_rows
    assert [r.cells[0] for r in spending.rows][:2] == ["一般公共服务支出", "科学技术支出"]
    html = seed_site.render(SEED).html
    assert "金额全为空白、未显示的行：外交支出、国防支出" in html


def test_rendered_seed_page(seed_site):
    html = seed_site.render(SEED).html
    assert "<h1>中共平乡县委组织部 2023年预算</h1>" in html
    for anchor in (
        "key-figures",
        "charts",
        "tables",
        "projects",
        "goals",
        "assets",
        "quality",
        "downloads",
        "project-25",
    ):
        assert f'id="{anchor}"' in html
    assert "<svg" not in html and html.count(' gk-bars"') >= 3  # key figures, two charts
    assert html.count("<table") > 15
    # the indicator tables are on the indicators page, each project links to its own
    assert "<th>三级指标" not in html
    assert '<a href="indicators/#project-22">绩效指标（8 项）</a>' in html
    assert html.count('href="indicators/#project-') == 25
    # search: each project and goal is a heading with its id (Pagefind's sub-results)
    assert '<h3 id="project-23">驻村工作队工作经费</h3>' in html
    assert '<h3 id="goal-5">' in html and 'id="project-23"' not in html.replace(
        '<h3 id="project-23"', ""
    )
    assert "¶" not in html  # the permalinks are added in the browser
    assert html.count("data-pagefind-ignore") >= 6 and html.count("data-pagefind-body") == 1
    for filter_name in ("province", "year", "stage"):
        assert f'data-pagefind-filter="{filter_name}"' in html
    assert "<thead>" in html and "<th>" in html
    assert (
        'href="https://github.com/o/r/edit/main/content/130532/130532-203-2023-budget.yaml"' in html
    )
    assert 'href="../../departments/130532-203/"' in html
    assert 'href="../../regions/130000/#r-130532"' in html


def test_findings_section_lists_every_finding(seed_site):
    entry = seed_site._entries[SEED]
    html = seed_site.render(SEED).html
    quality = html[html.index('id="quality"') :]
    for finding in entry.findings:
        assert f"<code>{finding.rule}</code>" in quality  # the rule list under the table
        assert f"<td>{finding.rule}<td>" in quality
    assert quality.count('<tr class="gk-sev-') == len(entry.findings)


def test_acknowledgement_shown(basic_site):
    html = basic_site.render("budgets/990101-201-2022-budget.md").html
    assert "已确认：原文只列了产出指标。" in html


def test_record_text_is_escaped(basic_site):
    html = basic_site.render("budgets/990101-201-2022-budget.md").html
    assert "<script>" not in html and "预算绩效评价&lt;script&gt;" in html


def test_source_link_only_when_http(basic_site):
    html = basic_site.render("budgets/990101-201-2022-budget.md").html
    assert '<a href="https://example.org/2022.pdf" rel="nofollow noopener">' in html


def test_page_set_and_nav(basic_site):
    specs = {s.src: s for s in basic_site.specs()}
    assert {src for src, s in specs.items() if s.in_nav} == {
        "regions/index.md", "years/index.md", "compare/index.md", "quality/index.md",
    }  # fmt: skip
    assert {"budgets/990101-201-2022-budget.md", "departments/990101-201.md", "regions/990000.md",
            "years/2023.md", "compare/2023.md"} <= set(specs)  # fmt: skip


def test_department_page_years_side_by_side(basic_site):
    html = basic_site.render("departments/990101-201.md").html
    assert "2022年预算" in html and "2023年预算" in html
    assert 'href="../../budgets/990101-201-2023-budget/"' in html
    assert "1,200.00" in html and "1,300.00" in html
    assert 'id="chart-trend"' in html


def test_compare_page_per_capita(basic_site):
    html = basic_site.render("compare/2022.md").html
    assert "666,667" in html  # 12,000,000 元 / 18 人


def test_quality_index_ranks_by_errors(basic_site):
    html = basic_site.render("quality/index.md").html
    rows = re.findall(r'<a href="\.\./budgets/([^/]+)/#quality">', html)
    assert rows[0] == "990101-201-2023-budget"
    assert "R-FUNC-TOTAL" in html


def test_home_block_counts_and_recent(basic_reports):
    from datetime import UTC, datetime

    changed = {r.display: datetime(2024, 1, i + 1, tzinfo=UTC) for i, r in enumerate(basic_reports)}
    site = Site(basic_reports, SiteOptions(), Renderer(search_path()), changed=changed)
    html = site.render_home().html
    assert (
        "<strong>2</strong><span>部门</span>" in html
        and "<strong>3</strong><span>部门年度预算</span>" in html
    )
    assert html.index("2024-01-03") < html.index("2024-01-01")


def test_sub_path_and_plain_urls(basic_reports):
    site = Site(basic_reports, SiteOptions(directory_urls=False), Renderer(search_path()))
    html = site.render("budgets/990101-201-2022-budget.md").html
    assert 'href="../departments/990101-201.html"' in html
    assert not re.search(r'href="/', html), (
        "links must be relative (the site may live under a sub-path)"
    )


def test_site_templates_override_package_templates(tmp_path, basic_reports):
    override = tmp_path / "gongkai"
    override.mkdir()
    (override / "year.html").write_text("<p>自定义 {{ view.year }}</p>", encoding="utf-8")
    site = Site(basic_reports, SiteOptions(), Renderer(search_path([tmp_path])))
    assert site.render("years/2023.md").html == "<p>自定义 2023</p>"
    assert templates_dir().name == "site_templates"


def test_validation_cache_reuses_unchanged_records(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in (BASIC / "content").rglob("*.yaml"):
        target = content / path.relative_to(BASIC / "content")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    cache = ValidationCache()
    first = load_reports(content, tmp_path, cache)
    assert (cache.hits, cache.misses) == (0, 3)
    again = load_reports(content, tmp_path, cache)
    assert (cache.hits, cache.misses) == (3, 3)
    assert [len(r.findings) for r in again] == [len(r.findings) for r in first]
    changed = content / "990102" / "990102-301-2023-budget.yaml"
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("5000000.00", "5000001.00"), encoding="utf-8"
    )
    load_reports(content, tmp_path, cache)
    assert (cache.hits, cache.misses) == (5, 4)
    # a duplicate id appears: both the cached and the new record are re-checked
    (content / "990102" / "copy").mkdir()
    (content / "990102" / "copy" / changed.name).write_bytes(changed.read_bytes())
    reports = load_reports(content, tmp_path, cache)
    assert sum(1 for r in reports if not r.valid) == 1


def test_a_site_without_records_still_has_its_index_pages():
    site = Site([], SiteOptions(), Renderer(search_path()))
    assert {s.src for s in site.specs()} == {
        "regions/index.md",
        "years/index.md",
        "compare/index.md",
        "quality/index.md",
    }
    for spec in site.specs():
        assert "<h1>" in site.render(spec.src).html
    assert "<strong>0</strong><span>部门</span>" in site.render_home().html


def test_parallel_validation_matches_sequential(monkeypatch, tmp_path):
    from gongkai.site import source

    monkeypatch.setattr(source, "PARALLEL_THRESHOLD", 1)
    sequential = load_reports(REPO / "content", REPO, jobs=1)
    parallel = load_reports(REPO / "content", REPO, jobs=2)
    assert [r.display for r in parallel] == [r.display for r in sequential]
    assert [[f.format() for f in r.findings] for r in parallel] == [
        [f.format() for f in r.findings] for r in sequential
    ]
    assert [r.valid for r in parallel] == [r.valid for r in sequential]


def test_disk_caches_survive_a_new_process(tmp_path):
    from gongkai.site.build import PageCache
    from gongkai.site.source import DiskCache

    cold = ValidationCache(DiskCache(tmp_path / "records"))
    first = load_reports(BASIC / "content", BASIC, cold)
    warm = ValidationCache(DiskCache(tmp_path / "records"))  # as in the next build
    again = load_reports(BASIC / "content", BASIC, warm)
    assert (warm.hits, warm.misses) == (3, 0)
    assert [len(r.findings) for r in again] == [len(r.findings) for r in first]
    pages = PageCache(tmp_path / "pages")
    site = Site(again, SiteOptions(), Renderer(search_path()), cache=pages)
    html = site.render("budgets/990101-201-2022-budget.md").html
    reread = Site(
        again, SiteOptions(), Renderer(search_path()), cache=PageCache(tmp_path / "pages")
    )

    def no_rendering(*args, **kwargs):
        raise AssertionError("an unchanged record must come from the page cache")

    reread.renderer.render = no_rendering  # type: ignore[method-assign]
    assert reread.render("budgets/990101-201-2022-budget.md").html == html
    # the indicators page was rendered with the department-year page, and cached with it
    indicators = reread.render("budgets/990101-201-2022-budget/indicators.md").html
    assert "<th>三级指标" in indicators
    assert len(list((tmp_path / "pages").rglob("*.pickle"))) == 2


# ------------------------------------------------------------------ indicators page

INDICATORS = "budgets/130532-203-2023-budget/indicators.md"


def test_indicators_page_is_a_second_page_of_the_department_year(seed_site, basic_site):
    specs = {s.src: s for s in seed_site.specs()}
    spec = specs[INDICATORS]
    assert (spec.kind, spec.key, spec.in_nav) == ("indicators", "130532-203-2023-budget", False)
    assert spec.title == "中共平乡县委组织部 2023年预算 · 项目绩效指标"
    assert seed_site.is_budget(INDICATORS) and seed_site.is_budget(SEED)
    assert not seed_site.is_budget("years/2023.md")
    # one per department-year with indicators; 990102-301-2023 has none, so no page
    basic = {s.src for s in basic_site.specs() if s.kind == "indicators"}
    assert basic == {
        "budgets/990101-201-2022-budget/indicators.md",
        "budgets/990101-201-2023-budget/indicators.md",
    }
    plain = basic_site.render("budgets/990102-301-2023-budget.md").html
    assert "indicators/" not in plain
    # keyed and cached by the record, like the department-year page
    assert seed_site.page_key(INDICATORS) != seed_site.page_key(SEED)
    assert (
        seed_site.page_key(INDICATORS).split("\0")[1:4] == seed_site.page_key(SEED).split("\0")[1:4]
    )


def test_indicators_page_holds_every_indicator_under_the_projects_anchors(seed_site):
    from html import escape

    page = seed_site.render(INDICATORS)
    html = page.html
    main = seed_site.render(SEED).html
    budget = seed_site._entries[SEED].load().record.budget
    assert "<h1>中共平乡县委组织部 2023年预算 · 项目绩效指标</h1>" in html
    assert '<a href="../">返回 中共平乡县委组织部 2023年预算</a>' in html
    for project in budget.projects:
        anchor = f"project-{project.seq}"
        heading = (
            f'<h3 id="{anchor}" data-pagefind-weight="0.5">{escape(project.name, quote=False)}</h3>'
        )
        assert heading in html
        assert f'<a href="../#{anchor}">项目说明</a>' in html  # back to its description
        assert (
            f'<a href="indicators/#{anchor}">绩效指标（{len(project.indicators)} 项）</a>' in main
        )
        section = html[html.index(f'id="{anchor}"') :]
        section = section[: section.index("</table>")]
        for indicator in project.indicators:
            assert escape(indicator.level3, quote=False) in section
    assert page.anchors >= {f"project-{p.seq}" for p in budget.projects} | {"goal-4", "notes"}
    assert [item.id for item in page.toc] == ["projects", "goals", "notes"]
    # a goal's indicators given as text are here too; the page links to them
    assert "智慧党建云平台建设工程按期完成" in html and "智慧党建云平台建设工程按期完成" not in main
    assert '<a href="indicators/#goal-4">绩效指标</a>' in main
    # the transcription notes on the indicator tables are listed with them
    assert "项目2 第7行指标（整体素质提升）" in html and "项目2 第7行指标" not in main
    assert (
        '另有 10 条关于绩效指标表的转录说明，与指标表一起列在<a href="indicators/#notes">' in main
    )
    assert "department.region.admin_code" in main and "department.region.admin_code" not in html
    # search: indexed with the department-year's filters; the head is not (region, year)
    assert html.count("data-pagefind-body") == 1
    assert (
        '<span data-pagefind-meta="title">中共平乡县委组织部 2023年预算 · 项目绩效指标</span>'
        in html
    )
    for name, value in (("province", "河北省"), ("year", "2023"), ("stage", "预算")):
        assert f'<span data-pagefind-filter="{name}">{value}</span>' in html
    head = html[: html.index('<h2 id="projects"')]
    assert (
        head.count("<div data-pagefind-ignore>") == 1
        and "<h1>" in head.split("<div data-pagefind-ignore>")[1]
    )
    assert 'href="../../../regions/130000/#r-130532"' in html  # one level deeper than the page


def test_every_seed_indicator_is_on_its_indicators_page(seed_site):
    """Nothing lost: each indicator name of each seed record is on that record's indicators page."""
    from html import escape

    for entry in seed_site.catalogue.entries:
        budget = entry.load().record.budget
        src = f"budgets/{budget.budget_id}/indicators.md"
        html = seed_site.render(src).html
        main = seed_site.render(entry.src).html
        assert 'href="indicators/#' in main, entry.src
        categories = budget.performance.categories if budget.performance else []
        for owner in [*budget.projects, *categories]:
            for indicator in owner.indicators:
                assert escape(indicator.level3, quote=False) in html, (src, indicator.level3)
            if getattr(owner, "indicators_text", None):
                assert escape(owner.indicators_text, quote=False) in html, src


def test_without_the_indicators_page_link_the_tables_stay_inline(seed_site):
    """A view rendered on its own (no indicators page) keeps the indicator tables in the page."""
    page, budget = _context(seed_site, SEED)
    assert page.projects[0].indicators_href is None and not page.indicator_notes
    html = seed_site.renderer.render("department_year.html", page=page)
    assert "<th>三级指标" in html and "indicators/" not in html
    assert html.count("<table") > 30


def test_plain_urls_link_the_indicators_page(basic_reports):
    site = Site(basic_reports, SiteOptions(directory_urls=False), Renderer(search_path()))
    html = site.render("budgets/990101-201-2022-budget.md").html
    assert 'href="990101-201-2022-budget/indicators.html#project-1"' in html
    back = site.render("budgets/990101-201-2022-budget/indicators.md").html
    assert 'href="../990101-201-2022-budget.html#project-1"' in back


def test_a_file_saved_again_after_hashing_is_validated_and_cached_as_it_now_is(tmp_path):
    """The worker reads the file itself: its outcome is keyed by the bytes it read, not the main's hash."""
    import hashlib

    from gongkai.site.source import process_and_store, scratch_store

    source = next((BASIC / "content").rglob("*.yaml"))
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes())
    stale = hashlib.sha256(b"what the main process read").hexdigest()
    store = scratch_store()
    [summary] = process_and_store([(path, "x.yaml", stale)], store)
    now = hashlib.sha256(path.read_bytes()).hexdigest()
    assert summary.digest == now
    assert summary.store is store
    assert store.get(now, "x.yaml") is not None
    assert store.get(stale, "x.yaml") is None
    # no digest (unreadable or too large in the main process): validated, never cached
    [unread] = process_and_store([(path, "x.yaml", "")], store)
    assert unread.digest == "" and unread.store is None and unread.valid
