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
    budget = entry.budget
    return budget_context(
        entry.report,
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


def test_charts_are_paired_with_their_numbers(seed_site):
    page, _ = _context(seed_site, SEED)
    charts = {c.id: c for c in page.charts}
    assert {"chart-basic-project", "chart-function", "chart-economic"} <= set(charts)
    function = charts["chart-function"]
    labels = [row.cells[0] for row in function.table.rows]
    assert labels[0] == "201 一般公共服务支出"
    for row in function.table.rows:
        assert row.cells[1] in str(function.svg)


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
    assert html.count("<svg") >= 4 and html.count("<table") > 30
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
    for finding in entry.report.findings:
        assert f"<code>{finding.rule}</code>" in quality
    assert quality.count('<tr class="gk-sev-') == len(entry.report.findings)


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

    changed = {
        r.record.display: datetime(2024, 1, i + 1, tzinfo=UTC) for i, r in enumerate(basic_reports)
    }
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
    assert [r.record.display for r in parallel] == [r.record.display for r in sequential]
    assert [[f.format() for f in r.findings] for r in parallel] == [[f.format() for f in r.findings] for r in sequential]
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
    reread = Site(again, SiteOptions(), Renderer(search_path()), cache=PageCache(tmp_path / "pages"))

    def no_rendering(*args, **kwargs):
        raise AssertionError("an unchanged record must come from the page cache")

    reread.renderer.render = no_rendering  # type: ignore[method-assign]
    assert reread.render("budgets/990101-201-2022-budget.md").html == html
    assert len(list((tmp_path / "pages").rglob("*.pickle"))) == 1
