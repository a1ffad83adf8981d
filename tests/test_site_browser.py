"""The built site in headless Chromium, served under a sub-path as on GitHub Pages.

Builds the repository's own site (mkdocs.yml at the root, the seed records)
into ``<tmp>/www/gongkai/``, serves ``<tmp>/www`` on 127.0.0.1, and opens a
department-year page at ``/gongkai/budgets/<id>/``: the tables (codes,
类/款/项 levels) and the bar charts must render, the browser console must stay
free of errors, and no request may leave localhost. A screenshot is saved
under the pytest temporary directory and copied to ``bench-out/``.

Needs Debian's chromium (``apt-get install chromium fonts-noto-cjk``; ``make
test`` installs it) and the ``playwright`` package (test extra; its own
browser download is not used).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import serve_directory

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
PREFIX = "/gongkai/"
RECORD = "130532-203-2023-budget"
BENCH_OUT = REPO / "bench-out"  # a copy of the screenshot, for a person to look at
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium: apt-get install chromium fonts-noto-cjk")
    pytest.importorskip("playwright.sync_api")
    www = tmp_path_factory.mktemp("www")
    site = www / PREFIX.strip("/")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(REPO / "mkdocs.yml"), "-d", str(site)],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"https://example.org{PREFIX}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with serve_directory(www) as origin:
        yield f"{origin}{PREFIX}", site


@pytest.fixture(scope="module")
def browser(served: tuple[str, Path]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """A page with its console messages, page errors and requests recorded."""

    def __init__(self, browser: Any, url: str, width: int = 1280) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, url
        self.page.wait_for_timeout(300)


def test_department_year_page_renders_tables_and_charts(browser, served, tmp_path_factory):
    base, site = served
    visit = Visit(browser, f"{base}budgets/{RECORD}/")
    page = visit.page
    assert page.title().startswith("中共平乡县委组织部 2023年预算")
    assert page.locator("h1").first.inner_text() == "中共平乡县委组织部 2023年预算"
    # the stylesheet and the script are the site's own, loaded from the sub-path
    assert (
        page.evaluate("getComputedStyle(document.querySelector('table.gk-t')).borderCollapse")
        == "collapse"
    )
    tables = page.locator("table.gk-t")
    assert tables.count() > 15  # the indicator tables are on the indicators page
    spending = page.locator("#t-expenditure_by_function")
    assert spending.locator("thead th").count() >= 5 and spending.locator("tbody tr").count() > 20
    assert spending.locator("tbody tr").nth(1).locator("td").first.inner_text() == "201"
    box = spending.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    # 类/款/项: 类 bold, 款 and 项 indented further
    weight = "r => getComputedStyle(r.cells[1]).fontWeight"
    indent = "r => parseFloat(getComputedStyle(r.cells[1]).paddingLeft)"
    rows = spending.locator("tbody tr")
    assert int(rows.nth(1).evaluate(weight)) >= 600
    assert (
        rows.nth(1).evaluate(indent) < rows.nth(2).evaluate(indent) < rows.nth(3).evaluate(indent)
    )
    # The same lines printed again (一般公共预算支出表) link to the table above.
    assert page.locator("#t-gpb_expenditure_by_function a").get_attribute("href") == (
        "#t-expenditure_by_function"
    )
    # Charts are bar tables: each amount draws its bar, the largest fills the cell.
    charts = page.locator("table.gk-bars")
    assert charts.count() >= 3  # key figures, by function, by economic class
    for chart in ("#chart-function", "#chart-economic"):
        bars = page.locator(f"{chart} td[style]")
        assert bars.count() >= 3, chart
        first = bars.first
        assert "linear-gradient" in first.evaluate("td => getComputedStyle(td).backgroundImage")
        assert first.evaluate("td => getComputedStyle(td).getPropertyValue('--w').trim()") == "100%"
        cell = first.bounding_box()
        assert cell and cell["width"] > 100 and cell["height"] > 10
        assert page.locator(f"{chart} thead th").count() == 3  # 项目 金额 占比
    assert page.locator("#chart-function tbody tr").first.locator("td").first.inner_text() == (
        "201 一般公共服务支出"
    )
    key_shares = page.locator("table.gk-kf td[style]")
    assert key_shares.count() == 4  # 基本/项目 of the total, 人员/公用 of 基本支出
    # Projects: an anchor per project (the heading), then its description and the
    # link to its indicator table, on the indicators page under the same anchor.
    project = page.locator("#project-7")
    assert project.evaluate("h => h.tagName") == "H3"
    project.scroll_into_view_if_needed()
    assert page.locator("#project-7 + dl + p.gk-ind a").get_attribute("href") == (
        "indicators/#project-7"
    )
    assert page.locator("#project-7 + dl + p.gk-ind a").inner_text() == "绩效指标（9 项）"
    assert page.locator("#project-7 a.headerlink").get_attribute("href") == "#project-7"
    assert page.locator("ol.gk-plist a[href='#project-7']").count() == 1
    assert page.locator("table.gk-t th", has_text="三级指标").count() == 0
    # One search box, in the header; the downloads box links this record's files.
    assert page.locator("[data-gk-search]").count() == 1
    assert page.locator(".md-header [data-gk-search] input").count() == 1
    links = page.locator(".gk-downloads a[download]")
    assert links.count() >= 3
    hrefs = [links.nth(i).evaluate("a => a.href") for i in range(links.count())]
    assert all(h.startswith(f"{base}data/budgets/{RECORD}/") for h in hrefs), hrefs
    for href in hrefs:  # written by the plugin, served from the sub-path
        assert page.request.get(href).ok, href
    pages = page.locator(".gk-downloads a:not([download])")
    assert {pages.nth(i).evaluate("a => a.href") for i in range(pages.count())} == {
        f"{base}reference/open-data/",
        f"{base}downloads/",
    }
    # A screenshot of the top of the page (header, key figures, charts).
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.goto(f"{base}budgets/{RECORD}/")
    page.wait_for_timeout(300)
    shot = tmp_path_factory.mktemp("screenshots") / "department-year.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    if BENCH_OUT.parent.is_dir():
        BENCH_OUT.mkdir(exist_ok=True)
        shutil.copyfile(shot, BENCH_OUT / "screenshot-budget.png")
    assert visit.errors == []
    assert all(url.startswith(base) for url in visit.requests), [
        u for u in visit.requests if not u.startswith(base)
    ]


def test_indicators_page_shows_the_tables_at_the_projects_anchors(browser, served):
    """The department-year page's link lands on the project's indicator table."""
    base, _ = served
    visit = Visit(browser, f"{base}budgets/{RECORD}/#project-7")
    page = visit.page
    page.click("#project-7 + dl + p.gk-ind a")
    page.wait_for_url(f"**/budgets/{RECORD}/indicators/#project-7")
    page.wait_for_timeout(300)
    assert page.locator("h1").first.inner_text() == "中共平乡县委组织部 2023年预算 · 项目绩效指标"
    heading = page.locator("#project-7")
    assert heading.evaluate("h => h.tagName") == "H3"
    assert heading.inner_text().startswith("基层党建推进中心工作经费")
    top = heading.evaluate("h => h.getBoundingClientRect().top")
    assert 0 <= top < 900  # scrolled to the project
    table = page.locator("#project-7 + p + table")
    assert table.locator("thead th").first.inner_text() == "一级指标"
    assert table.locator("tbody tr").count() == 9  # its nine indicators, end tags implied
    assert table.locator("tbody tr").first.locator("td").count() == 6  # the rowspans kept
    assert table.locator("tbody td[rowspan]").count() >= 2
    assert page.locator("#project-7 a.headerlink").get_attribute("href") == "#project-7"
    back = page.locator("#project-7 + p a")
    assert back.inner_text() == "项目说明"
    back.click()
    page.wait_for_url(f"**/budgets/{RECORD}/#project-7")
    assert visit.errors == []
    assert all(url.startswith(base) for url in visit.requests)


def test_omitted_end_tags_parse_as_written(browser, served):
    """The browser builds the same document with and without the optional end tags."""
    from gongkai.site.build import Site, SiteOptions
    from gongkai.site.render import _BETWEEN_TAGS, Renderer, omit_optional_end_tags, search_path
    from gongkai.site.source import load_reports

    class WithEndTags(Renderer):
        """The bodies as the templates write them: every end tag."""

        def render(self, name: str, **context: Any) -> str:
            html = self.env.get_template(f"gongkai/{name}").render(**context)
            return _BETWEEN_TAGS.sub("><", html).strip()

    reports = load_reports(REPO / "content", REPO)
    sites = [Site(reports, SiteOptions(), r(search_path())) for r in (WithEndTags, Renderer)]
    page = browser.new_page()
    try:
        for src in (f"budgets/{RECORD}.md", f"budgets/{RECORD}/indicators.md", "quality/index.md"):
            full, compact = (site.render(src).html for site in sites)
            assert omit_optional_end_tags(full) == compact
            # table_html writes its rows without the optional end tags itself (the
            # old-macro equivalence is in test_render_speed_equivalence.py), so only
            # the end tags outside tables make the difference here.
            assert len(compact) < len(full), src
            doms = []
            for html in (full, compact):
                page.set_content(f"<!doctype html><html lang=zh><body>{html}</body></html>")
                doms.append(page.evaluate("document.body.innerHTML"))
            assert doms[0] == doms[1], src
    finally:
        page.close()


def test_index_tables_sort_in_the_browser(browser, served):
    base, _ = served
    visit = Visit(browser, f"{base}quality/")
    page = visit.page
    header = page.locator("#t-quality thead th").nth(2)  # 错误
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    counts = [int(t) for t in page.locator("#t-quality tbody tr td:nth-child(3)").all_inner_texts()]
    assert counts == sorted(counts)
    header.locator("button").click()
    counts = [int(t) for t in page.locator("#t-quality tbody tr td:nth-child(3)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    assert visit.errors == []


@pytest.mark.parametrize(
    "path", ["", "regions/", "years/", "compare/", "quality/", "departments/130532-203/"]
)
def test_index_pages_load_cleanly(browser, served, path):
    base, _ = served
    visit = Visit(browser, f"{base}{path}", width=390)
    assert visit.page.locator("h1").count() == 1
    assert visit.errors == []
    assert all(url.startswith(base) for url in visit.requests)
