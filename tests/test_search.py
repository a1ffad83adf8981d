"""Site search: the Pagefind index (gongkai.search) and the header search box.

Unit tests run Pagefind on tests/fixtures/search_site/ (hand-written pages shaped
like department-year pages). The browser tests build tests/fixtures/search_mkdocs/
with MkDocs + Material and the theme override, serve it under the sub-path
/gongkai/ and type Chinese queries into the header search box in headless Chromium.
The last part does the same with the real ``gongkai`` plugin on the seed records
(tests/fixtures/sites/seed/ + content/), as the site is published.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gongkai.search import (
    SearchIndexError,
    header_override_from,
    index_site,
    register_theme_dir,
    theme_dir,
)
from gongkai.search.indexer import patch_query_segmentation
from gongkai.search.theme import material_header_path
from web_support import serve_directory

FIXTURES = Path(__file__).parent / "fixtures"
STATIC_SITE = FIXTURES / "search_site"
MKDOCS_SITE = FIXTURES / "search_mkdocs"
CHROMIUM = Path("/usr/bin/chromium")
PREFIX = "/gongkai/"
FIRST_RESULT_BUDGET = 300 * 1024


# --------------------------------------------------------------------------- helpers


def _copy_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(STATIC_SITE, site)
    return site


def _fragments(bundle: Path) -> dict[str, dict[str, Any]]:
    """Pagefind's page fragments (gzip, ``pagefind_dcd`` + JSON), by page URL."""
    pages = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes()).decode("utf-8")
        data = json.loads(raw.removeprefix("pagefind_dcd"))
        pages[data["url"]] = data
    return pages


def _words(content: str) -> list[str]:
    """Pagefind separates the words it segmented with U+200B."""
    return [w.strip(".,。，；：（）·") for w in content.replace("\u200b", " ").split()]


def _build_mkdocs(out: Path, site_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GK_SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(MKDOCS_SITE / "mkdocs.yml"),
            "-d",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


# ------------------------------------------------------------------------ index_site


def test_index_site_indexes_only_marked_pages(tmp_path: Path) -> None:
    site = _copy_site(tmp_path)
    stats = index_site(site)

    assert stats.pages == 3  # three department-years; not / and 404
    assert stats.languages == {"zh": 3}
    assert stats.filters == 3
    assert stats.bundle_dir == site / "pagefind"
    for name in (
        "pagefind.js",
        "pagefind-worker.js",
        "pagefind-entry.json",
        "wasm.unknown.pagefind",
    ):
        assert (stats.bundle_dir / name).is_file(), name
    assert not (
        stats.bundle_dir / "pagefind-ui.js"
    ).exists()  # pruned: the header box does not use it
    assert stats.files == sum(1 for p in stats.bundle_dir.rglob("*") if p.is_file())
    assert stats.bytes == sum(p.stat().st_size for p in stats.bundle_dir.rglob("*") if p.is_file())
    assert 0 < stats.core_bytes < FIRST_RESULT_BUDGET
    assert stats.index_chunks >= 1 and stats.mean_fragment_bytes > 0
    assert stats.version.startswith("1.")
    assert stats.body_marked
    assert stats.cpu_seconds is not None and stats.cpu_seconds >= 0
    assert "indexed 3 pages" in stats.summary()

    pages = _fragments(stats.bundle_dir)
    assert sorted(pages) == [
        "/budgets/130532-101-2023-budget/",
        "/budgets/130532-105-2023-budget/",
        "/budgets/350102-301-2022-final/",
    ]
    # the department page (all its years) is in the second bundle, queried after
    assert stats.indicators is not None
    assert "/departments/130532-101/" in _fragments(site / "pagefind-more")


def test_index_site_records_titles_filters_anchors_and_segmented_words(tmp_path: Path) -> None:
    stats = index_site(_copy_site(tmp_path))
    page = _fragments(stats.bundle_dir)["/budgets/130532-101-2023-budget/"]

    assert page["meta"]["title"] == "中共平乡县委组织部 2023年部门预算"
    assert page["filters"] == {"province": ["河北省"], "year": ["2023"], "stage": ["预算"]}
    anchors = {a["id"]: a.get("text") for a in page["anchors"] if a["element"] == "h3"}
    assert anchors["project-3"] == "驻村工作队工作经费"
    words = _words(page["content"])
    # Chinese is segmented into words at index time (and the query likewise in the
    # browser): 驻村工作队工作经费 → 驻 村 工作 队 工作 经费, 选调生 → 选调 生.
    assert "驻村工作队工作经费" not in words
    assert {"驻", "村", "工作", "队", "经费", "选调", "生"} <= set(words)
    assert "平乡" in words and "2023" in words  # region and year, for 平乡 2023
    assert "规范" in words  # the canonical name line is indexed
    # data-pagefind-ignore keeps the expenditure table out of the index.
    assert "养老保险" not in page["content"].replace("\u200b", "")

    old_cadres = _fragments(stats.bundle_dir)["/budgets/130532-105-2023-budget/"]
    assert "老干部" in _words(old_cadres["content"])


def test_query_segmentation_is_left_to_pagefinds_own_matching(tmp_path: Path) -> None:
    stats = index_site(_copy_site(tmp_path))
    assert stats.query_segmentation_patched
    for name in ("pagefind.js", "pagefind-worker.js"):
        text = (stats.bundle_dir / name).read_text(encoding="utf-8")
        assert '["zh","ja","th"]' not in text and '["ja","th"]' in text
    assert patch_query_segmentation(stats.bundle_dir)  # idempotent

    (stats.bundle_dir / "pagefind-worker.js").write_text("// a future Pagefind\n")
    assert not patch_query_segmentation(stats.bundle_dir)


def test_index_site_exclude_selectors(tmp_path: Path) -> None:
    stats = index_site(_copy_site(tmp_path), exclude_selectors=[".gk-identity", "table"])
    page = _fragments(stats.bundle_dir)["/budgets/130532-101-2023-budget/"]
    words = _words(page["content"])
    assert "规范" not in words and "派驻" not in words  # identity line, indicator table
    assert "驻" in words  # the project heading stays


def test_index_site_replaces_a_stale_bundle(tmp_path: Path) -> None:
    site = _copy_site(tmp_path)
    index_site(site)
    stale = site / "pagefind" / "index" / "zh_stale.pf_index"
    stale.write_bytes(b"old")
    index_site(site)
    assert not stale.exists()


def test_index_site_custom_output_subdir(tmp_path: Path) -> None:
    site = _copy_site(tmp_path)
    stats = index_site(site, output_subdir="assets/search")
    assert stats.bundle_dir == site / "assets" / "search"
    assert (stats.bundle_dir / "pagefind.js").is_file()
    assert not (site / "pagefind").exists()


@pytest.mark.parametrize("subdir", ["", ".", "../outside", "/abs/pagefind"])
def test_index_site_rejects_output_outside_the_site(tmp_path: Path, subdir: str) -> None:
    with pytest.raises(SearchIndexError, match="output_subdir"):
        index_site(_copy_site(tmp_path), output_subdir=subdir)


def test_index_site_without_body_attribute_indexes_everything(tmp_path: Path) -> None:
    site = tmp_path / "plain"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text('<html lang="zh"><body><p>驻村</p></body></html>')
    stats = index_site(site)
    assert stats.pages == 1 and not stats.body_marked


def test_index_site_missing_site_dir(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="does not exist"):
        index_site(tmp_path / "nope")


def test_index_site_reports_a_failing_pagefind(tmp_path: Path) -> None:
    fake = tmp_path / "pagefind_extended"
    fake.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(SearchIndexError, match=r"(?s)exit 3.*something broke"):
        index_site(_copy_site(tmp_path), executable=fake)


def test_plain_pagefind_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai.search import find_pagefind

    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/usr/bin/pagefind")
    with pytest.raises(SearchIndexError, match="extended"):
        find_pagefind()


# ------------------------------------------------------------------ theme override


def test_header_override_matches_installed_material() -> None:
    """The shipped header is Material's with only the search block replaced.

    On failure after a Material upgrade: python -m gongkai.search refresh-header,
    then review the diff.
    """
    material = material_header_path().read_text(encoding="utf-8")
    shipped = (theme_dir() / "partials" / "header.html").read_text(encoding="utf-8")
    assert shipped == header_override_from(material)
    assert '{% include "partials/gongkai-search.html" %}' in shipped
    assert "partials/search.html" not in shipped
    # Everything else is Material's, line for line.
    kept = [line for line in material.splitlines() if line.strip()]
    assert sum(line in shipped.splitlines() for line in kept) >= len(kept) - 14


def test_header_override_refuses_an_unknown_header() -> None:
    with pytest.raises(SearchIndexError, match="search block"):
        header_override_from("<header>no search here</header>")


def test_register_theme_dir_goes_before_material() -> None:
    dirs = [
        "/site/overrides",
        "/venv/site-packages/material/templates",
        "/venv/site-packages/mkdocs/templates",
    ]
    register_theme_dir(dirs)
    assert dirs[1] == str(theme_dir())
    assert dirs[0] == "/site/overrides"  # a site's custom_dir still wins
    register_theme_dir(dirs)
    assert dirs.count(str(theme_dir())) == 1


def test_register_theme_dir_needs_material() -> None:
    with pytest.raises(SearchIndexError, match="Material"):
        register_theme_dir(["/venv/site-packages/mkdocs/themes/mkdocs"])


@pytest.mark.slow
def test_mkdocs_build_with_the_override(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = _build_mkdocs(out, "https://example.org/gongkai/")
    assert result.returncode == 0, result.stderr
    assert "search: indexed 4 pages" in result.stderr  # the department page: second bundle
    assert "then 1 indicators and department pages" in result.stderr

    html = (out / "budgets" / "130532-101-2023-budget" / "index.html").read_text(encoding="utf-8")
    assert html.count("data-gk-search") == 1  # one search box
    assert 'data-md-component="search"' not in html  # and not Material's
    assert 'src="../../assets/gongkai-search/search.js"' in html
    assert 'id="project-11"' in html and "data-pagefind-body" in html
    assert (out / "assets" / "gongkai-search" / "search.css").is_file()
    assert not (out / "search" / "search_index.json").exists()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in home
    assert "/departments/130532-101/" in _fragments(out / "pagefind-more")


# ------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The MkDocs fixture built for, and served on, http://127.0.0.1:<port>/gongkai/."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium: apt-get install chromium fonts-noto-cjk")
    pytest.importorskip("playwright.sync_api")
    www = tmp_path_factory.mktemp("www")
    with serve_directory(www) as origin:
        base = f"{origin}{PREFIX}"
        site = www / PREFIX.strip("/")
        result = _build_mkdocs(site, base)  # the port in site_url: instant navigation needs it
        assert result.returncode == 0, result.stderr
        yield base, site


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium: apt-get install chromium fonts-noto-cjk")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


class _Page:
    """A browser page with its console errors and requests recorded."""

    def __init__(self, browser: Any, base: str, site: Path, width: int = 1280) -> None:
        self.base = base
        self.site = site
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[Any] = []  # playwright Request objects, in order
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))

    def open(self, path: str = "") -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")

    def search(self, query: str) -> list[dict[str, Any]]:
        """Type a query into the header box; return the rendered results."""
        box = self.page.locator(".gk-search__input")
        box.click()
        box.fill("")
        self.page.keyboard.type(query, delay=20)
        self.page.wait_for_function(
            "q => { const root = document.querySelector('[data-gk-search]');"
            " return root.getAttribute('data-gk-state') === 'done'"
            " && root.querySelector('.gk-search__input').value === q; }",
            arg=query,
        )
        return self.page.evaluate(
            """() => [...document.querySelectorAll('.md-search-result__item')]
                .filter(li => li.querySelector('.md-search-result__link'))
                .map(li => ({
                  title: li.querySelector('h1').textContent,
                  href: li.querySelector('.md-search-result__link').getAttribute('href'),
                  projects: [...li.querySelectorAll('.md-search-result__link')].slice(1)
                    .map(a => ({href: a.getAttribute('href'), title: a.querySelector('h2').textContent})),
                }))"""
        )

    def served_bytes(self, url: str) -> int:
        path = url.split("?")[0].removeprefix(self.base)
        file = self.site / path
        if path.endswith("/") or not path:
            file = file / "index.html"
        return file.stat().st_size if file.is_file() else 0


@pytest.fixture
def web(browser: Any, served_site: tuple[str, Path]) -> Iterator[_Page]:
    base, site = served_site
    page = _Page(browser, base, site)
    yield page
    origin = base.removesuffix(PREFIX)
    foreign = [r.url for r in page.requests if not r.url.startswith(origin)]
    page.context.close()
    assert page.errors == []
    assert foreign == []  # offline: no CDN, no fonts, nothing outside the site
    assert not any("search_index.json" in r.url for r in page.requests)


def _hrefs(results: list[dict[str, Any]]) -> list[str]:
    return [r["href"] for r in results] + [p["href"] for r in results for p in r["projects"]]


@pytest.mark.browser
def test_zhucun_finds_the_project_deep_in_the_page(web: _Page) -> None:
    web.open()
    results = web.search("驻村")
    hrefs = _hrefs(results)
    # Project 11 of 12, after a 60-row expenditure table.
    assert f"{PREFIX}budgets/130532-101-2023-budget/#project-11" in hrefs
    assert f"{PREFIX}budgets/130532-101-2022-final/#project-1" in hrefs
    assert f"{PREFIX}" not in [r["href"] for r in results]  # the home page is not indexed
    titles = {r["title"] for r in results}
    assert titles == {"中共平乡县委组织部 2023年部门预算", "中共平乡县委组织部 2022年部门决算"}
    assert all(p["title"] == "驻村工作队工作经费" for r in results for p in r["projects"])


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "page", "project"),
    [
        ("老干部", "budgets/130532-105-2023-budget/", "老干部医药体检费"),
        ("选调生", "budgets/130532-101-2023-budget/", "年轻干部培养经费"),  # an indicator name
    ],
)
def test_word_finds_its_project(web: _Page, query: str, page: str, project: str) -> None:
    web.open("budgets/350102-301-2023-budget/")
    results = web.search(query)
    assert results and results[0]["href"] == PREFIX + page
    assert [p["title"] for p in results[0]["projects"]] == [project]
    assert results[0]["projects"][0]["href"].startswith(PREFIX + page + "#project-")


@pytest.mark.browser
def test_mixed_query_region_and_year(web: _Page) -> None:
    web.open()
    results = web.search("平乡 2023")
    titles = [r["title"] for r in results]
    assert "中共平乡县委组织部 2023年部门预算" in titles
    assert "中共平乡县委老干部局 2023年部门预算" in titles
    assert "中共平乡县委组织部 2022年部门决算" not in titles
    assert not any("福州" in t for t in titles)
    assert "2023" in titles[0] and "平乡" in titles[0]
    # The year became the year filter (its word index is the largest of all).
    assert "（2023）" in web.page.inner_text(".md-search-result__meta")
    assert [r["title"] for r in web.search("平乡2023年")] == titles
    assert [r["title"] for r in web.search("平乡 2022 决算")] == [
        "中共平乡县委组织部 2022年部门决算"
    ]

    # Every page that has 平乡, not only those that also have a word starting
    # with 乡 (乡村): the browser's Intl.Segmenter splits 平乡 into 平|乡 while the
    # index has 平乡 (Pagefind/pagefind#1237); see patch_query_segmentation.
    assert len(web.search("平乡")) == 4  # three department-years and the department


@pytest.mark.browser
def test_filters_narrow_the_results(web: _Page) -> None:
    web.open()
    assert len(web.search("驻村")) == 2
    web.page.wait_for_selector(".gk-search__filters:not([hidden])")
    web.page.select_option("select[data-gk-filter=year]", "2022")
    web.page.wait_for_function(
        "() => document.querySelector('[data-gk-search]').getAttribute('data-gk-state') === 'done'"
        " && document.querySelectorAll('.md-search-result__item').length === 1"
    )
    assert "2022年部门决算" in web.page.inner_text(".md-search-result__item h1")
    options = web.page.eval_on_selector_all(
        "select[data-gk-filter=province] option", "os => os.map(o => o.value)"
    )
    assert options == ["", "河北省", "福建省"]


@pytest.mark.browser
def test_result_link_uses_instant_navigation_and_lands_on_the_anchor(web: _Page) -> None:
    web.open()
    web.page.evaluate("window.__before = 'same document'")
    web.search("驻村")
    web.page.click(
        f"a.md-search-result__link[href='{PREFIX}budgets/130532-101-2023-budget/#project-11']"
    )
    web.page.wait_for_url("**/budgets/130532-101-2023-budget/#project-11")
    web.page.wait_for_function("() => !document.getElementById('__search').checked")
    assert web.page.evaluate("window.__before") == "same document"  # no full reload
    top = web.page.evaluate("document.getElementById('project-11').getBoundingClientRect().top")
    assert 0 <= top < 900

    # The header survived the navigation: search again, pick with the keyboard.
    web.search("老干部")
    web.page.keyboard.press("ArrowDown")
    web.page.keyboard.press("ArrowDown")
    focused = web.page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == f"{PREFIX}budgets/130532-105-2023-budget/#project-2"
    web.page.keyboard.press("Enter")
    web.page.wait_for_url("**/budgets/130532-105-2023-budget/#project-2")
    web.page.wait_for_function("() => !document.getElementById('__search').checked")
    assert web.page.evaluate("window.__before") == "same document"
    web.page.evaluate("document.activeElement && document.activeElement.blur()")

    web.page.keyboard.press("/")
    assert web.page.evaluate("document.activeElement.classList.contains('gk-search__input')")
    web.page.keyboard.press("Escape")
    assert not web.page.evaluate("document.getElementById('__search').checked")


@pytest.mark.browser
def test_waits_for_the_input_method(web: _Page) -> None:
    """No search on pinyin while an input method composes; one when it commits."""
    web.open()
    web.page.click(".gk-search__input")
    web.page.evaluate(
        """() => { const box = document.querySelector('.gk-search__input');
        box.value = 'zhu';
        box.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true})); }"""
    )
    web.page.wait_for_timeout(300)
    assert web.page.get_attribute("[data-gk-search]", "data-gk-state") is None
    web.page.evaluate(
        """() => { const box = document.querySelector('.gk-search__input');
        box.value = '驻村';
        box.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: '驻村'})); }"""
    )
    web.page.wait_for_function(
        "() => document.querySelector('[data-gk-search]').getAttribute('data-gk-state') === 'done'"
    )
    assert web.page.locator(".md-search-result__item").count() == 2


@pytest.mark.browser
def test_mobile_header_button_opens_the_search(browser: Any, served_site: tuple[str, Path]) -> None:
    base, site = served_site
    web = _Page(browser, base, site, width=400)
    try:
        web.open("departments/130532-101/")
        closed = "document.querySelector('.md-search__inner').getBoundingClientRect().width"
        assert web.page.evaluate(closed) == 0  # folded away behind the magnifier
        web.page.click("label.md-header__button[for=__search]")
        web.page.wait_for_function(
            "() => document.activeElement.classList.contains('gk-search__input')"
        )
        assert web.search("驻村")
        assert web.errors == []
    finally:
        web.context.close()


@pytest.mark.browser
def test_bytes_before_the_first_result(web: _Page, record_property: Any) -> None:
    web.open("budgets/130532-101-2023-budget/")
    page_loaded = len(web.requests)
    web.search("驻村")
    shown_at = web.page.evaluate(
        "performance.timeOrigin + performance.getEntriesByName('gongkai-search:results')[0].startTime"
    )
    before = [r.url for r in web.requests[page_loaded:] if r.timing["startTime"] <= shown_at]
    fetched = {url: web.served_bytes(url) for url in before}
    total = sum(fetched.values())
    record_property("bytes_before_first_result", total)
    print(f"\nbytes before the first result: {total} in {len(fetched)} requests")
    for url, size in fetched.items():
        print(f"  {size:>8}  {url.removeprefix(web.base)}")
    assert all(f"{PREFIX}pagefind/" in url for url in fetched)
    assert any(url.endswith("/pagefind.js") for url in fetched)
    assert any("/fragment/" in url for url in fetched)
    assert not any("/filter/" in url for url in fetched)  # filters load after the results
    assert not any("pagefind-worker.js" in url for url in fetched)  # no worker by default
    assert total < FIRST_RESULT_BUDGET


# ------------------------------------------------- the gongkai plugin, seed records

SEED_SITE = FIXTURES / "sites" / "seed"
BASIC_SITE = FIXTURES / "sites" / "basic"
REPO = Path(__file__).resolve().parents[1]
PINGXIANG = "budgets/130532-203-2023-budget/"
#: The indicator tables of 130532-203-2023 (its projects under the same anchors).
PINGXIANG_INDICATORS = PINGXIANG + "indicators/"
PINGXIANG_TITLE = "中共平乡县委组织部 2023年预算"


def _seed_project(tmp: Path) -> Path:
    """tests/fixtures/sites/seed with the repository's content/ next to its mkdocs.yml."""
    project = tmp / "project"
    shutil.copytree(SEED_SITE, project)
    shutil.copytree(REPO / "content", project / "content")
    return project


def _build_plugin_site(project: Path, out: Path, site_url: str, config: str = "mkdocs.yml"):
    env = {**os.environ, "GK_SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(project / config), "-d", str(out)],
        env=env, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    """The seed records built by the plugin for, and served on, http://127.0.0.1:<port>/gongkai/."""
    tmp = tmp_path_factory.mktemp("seed")
    www = tmp / "www"
    www.mkdir()
    with serve_directory(www) as origin:
        base = f"{origin}{PREFIX}"
        site = www / PREFIX.strip("/")
        result = _build_plugin_site(_seed_project(tmp), site, base)
        assert result.returncode == 0, result.stderr
        yield base, site, result.stderr


@pytest.mark.slow
def test_plugin_indexes_the_seed_site(seed_site: tuple[str, Path, str]) -> None:
    _, site, log = seed_site
    assert "gongkai: 搜索索引：" in log and "WARNING" not in log
    assert not (site / "search" / "search_index.json").exists()  # no Material search
    page = (site / PINGXIANG / "index.html").read_text(encoding="utf-8")
    assert page.count("data-gk-search") == 1 and 'data-md-component="search"' not in page
    assert '<h3 id="project-23">驻村工作队工作经费</h3>' in page
    fragments = _fragments(site / "pagefind")
    assert sorted(fragments) == sorted(
        f"/budgets/{p.parent.name}/" for p in (site / "budgets").glob("*/index.html")
    )  # department-years: not the home page or the indexes
    second = _fragments(site / "pagefind-more")
    assert sorted(second) == sorted(
        [
            f"/budgets/{p.parent.parent.name}/indicators/"
            for p in (site / "budgets").glob("*/indicators/index.html")
        ]
        + [f"/departments/{p.parent.name}/" for p in (site / "departments").glob("*/index.html")]
    )  # their indicators pages and the departments: the second bundle
    fragments.update(second)
    assert len(list((site / "budgets").glob("*/indicators/index.html"))) == 5
    data = fragments[f"/{PINGXIANG}"]
    assert data["meta"]["title"] == "中共平乡县委组织部 2023年预算"
    assert data["filters"] == {"province": ["河北省"], "year": ["2023"], "stage": ["预算"]}
    anchors = {a["id"]: a.get("text") for a in data["anchors"] if a["element"] == "h3"}
    assert anchors["project-23"] == "驻村工作队工作经费" and anchors["goal-4"].startswith("4.")
    assert not any(key.startswith("s-") for key in anchors)  # the budget tables are not indexed
    text = data["content"].replace("\u200b", "")
    assert "¶" not in text
    assert "可视化站点" not in text  # an indicator of project 22: on the indicators page
    assert "1,044.24" not in text and "R-3G-SUM" not in text  # tables, charts, findings: ignored
    indicators = fragments[f"/{PINGXIANG_INDICATORS}"]
    assert indicators["meta"]["title"] == f"{PINGXIANG_TITLE} · 项目绩效指标"
    assert indicators["filters"] == data["filters"]
    anchors = {a["id"]: a.get("text") for a in indicators["anchors"] if a["element"] == "h3"}
    assert anchors["project-22"] == "智慧党建云平台网络运行费" and len(anchors) == 25 + 7
    text = indicators["content"].replace("\u200b", "")
    assert "可视化站点" in text and "¶" not in text
    # the head (title, region, year, link back) and the notes are not indexed: a query for
    # the department, the county or the year finds the department-year page
    assert "返回" not in text and "平乡县" not in text and "整体素质提升" in text
    assert "软换行" not in text
    canonical = fragments["/budgets/350102-116001-2020-budget/"]["content"].replace("\u200b", "")
    assert "中共福州市鼓楼区组织部" in canonical and "中共福州市鼓楼区委组织部" in canonical


@pytest.fixture
def seed_web(browser: Any, seed_site: tuple[str, Path, str]) -> Iterator[_Page]:
    base, site, _ = seed_site
    page = _Page(browser, base, site)
    yield page
    origin = base.removesuffix(PREFIX)
    foreign = [r.url for r in page.requests if not r.url.startswith(origin)]
    page.context.close()
    assert page.errors == []
    assert foreign == []


@pytest.mark.browser
def test_seed_zhucun_finds_the_department_year_and_its_projects(seed_web: _Page) -> None:
    seed_web.open()
    results = seed_web.search("驻村")
    # the department-year page first; its indicators page (驻村 is in indicators too) after it
    assert [r["title"] for r in results] == [PINGXIANG_TITLE, f"{PINGXIANG_TITLE} · 项目绩效指标"]
    assert [r["href"] for r in results] == [PREFIX + PINGXIANG, PREFIX + PINGXIANG_INDICATORS]
    projects = {p["href"]: p["title"] for p in results[0]["projects"]}
    assert projects[f"{PREFIX}{PINGXIANG}#project-23"] == "驻村工作队工作经费"
    assert all(
        p["href"].startswith(f"{PREFIX}{PINGXIANG_INDICATORS}#") for p in results[1]["projects"]
    )


@pytest.mark.browser
def test_seed_laoganbu_finds_two_departments_and_the_project(seed_web: _Page) -> None:
    seed_web.open("regions/")
    results = seed_web.search("老干部")
    titles = [r["title"] for r in results]
    assert titles[0] == "中共平乡县委组织部 2023年预算"
    assert "中共怀来县委组织部门 2022年预算" in titles
    projects = {p["title"]: p["href"] for p in results[0]["projects"]}
    assert projects["老干部医药体检费"] == f"{PREFIX}{PINGXIANG}#project-14"


@pytest.mark.browser
def test_seed_county_and_year(seed_web: _Page) -> None:
    seed_web.open()
    results = seed_web.search("平乡 2023")
    # The department page (all years) has no year: the year filter leaves it out.
    assert [r["href"] for r in results] == [PREFIX + PINGXIANG]
    assert "（2023）" in seed_web.page.inner_text(".md-search-result__meta")
    assert seed_web.search("平乡 2020") == []


@pytest.mark.browser
def test_seed_canonical_name_finds_the_printed_name(seed_web: _Page) -> None:
    seed_web.open()
    # 鼓楼区委组织部 is the canonical name; the 2020 budget printed 中共福州市鼓楼区组织部.
    results = seed_web.search("鼓楼区委组织部")
    # first the department-year, then (second bundle) the department page and,
    # as its indicators (鼓楼区…方案，待区委研究) match as well, the indicators page
    assert results[0]["href"] == f"{PREFIX}budgets/350102-116001-2020-budget/"
    assert f"{PREFIX}departments/350102-116001/" in [r["href"] for r in results[1:]]
    assert {r["href"] for r in results[1:]} <= {
        f"{PREFIX}departments/350102-116001/",
        f"{PREFIX}budgets/350102-116001-2020-budget/indicators/",
    }


@pytest.mark.browser
def test_seed_hit_deep_in_a_project_links_to_its_anchor(seed_web: _Page) -> None:
    """可视化站点 is an indicator of project 22 (of 25): on the indicators page, at #project-22."""
    seed_web.open("regions/")
    seed_web.page.evaluate("window.__before = 'same document'")
    results = seed_web.search("可视化")
    target = f"{PREFIX}{PINGXIANG_INDICATORS}#project-22"
    assert target in _hrefs(results)
    indicators = next(r for r in results if r["href"] == PREFIX + PINGXIANG_INDICATORS)
    assert indicators["title"] == f"{PINGXIANG_TITLE} · 项目绩效指标"
    assert [p["title"] for p in indicators["projects"]][:1] == ["智慧党建云平台网络运行费"]
    seed_web.page.click(f"a.md-search-result__link[href='{target}']")
    seed_web.page.wait_for_url(f"**/{PINGXIANG_INDICATORS}#project-22")
    seed_web.page.wait_for_function("() => !document.getElementById('__search').checked")
    assert seed_web.page.evaluate("window.__before") == "same document"  # instant navigation
    top = seed_web.page.evaluate(
        "document.getElementById('project-22').getBoundingClientRect().top"
    )
    assert 0 <= top < 900
    # The page's script ran after the instant navigation: the heading has its ¶ link.
    assert seed_web.page.locator("#project-22 a.headerlink").get_attribute("href") == "#project-22"


@pytest.mark.browser
def test_seed_indicators_bundle_is_fetched_after_the_first_results(seed_web: _Page) -> None:
    """The indicators pages are a second bundle, requested only once results are on screen."""
    _, site, _ = seed_web.base, seed_web.site, None
    assert (site / "pagefind-more" / "pagefind.js").is_file()
    fragments = _fragments(site / "pagefind")
    assert f"/{PINGXIANG}" in fragments and f"/{PINGXIANG_INDICATORS}" not in fragments
    assert set(_fragments(site / "pagefind-more")) == {
        f"/budgets/{p.parent.parent.name}/indicators/"
        for p in (site / "budgets").glob("*/indicators/index.html")
    } | {f"/departments/{p.parent.name}/" for p in (site / "departments").glob("*/index.html")}
    # When the first result element enters the DOM (epoch ms, as request timings are).
    seed_web.page.add_init_script(
        """new MutationObserver((_, observer) => {
             if (document.querySelector('.md-search-result__item .md-search-result__link')) {
               window.__firstResultAt = performance.timeOrigin + performance.now();
               observer.disconnect();
             }
           }).observe(document, {childList: true, subtree: true});"""
    )
    seed_web.open()
    results = seed_web.search("驻村")
    assert [r["href"] for r in results] == [PREFIX + PINGXIANG, PREFIX + PINGXIANG_INDICATORS]
    first_at = seed_web.page.evaluate("window.__firstResultAt")
    assert first_at
    second = [r for r in seed_web.requests if "/pagefind-more/" in r.url]
    assert any(r.url.endswith("/pagefind-more/pagefind.js") for r in second)
    assert all(r.timing["startTime"] > first_at for r in second), [
        (r.url, r.timing["startTime"] - first_at) for r in second
    ]


@pytest.mark.browser
def test_seed_filters_list_every_province(seed_web: _Page) -> None:
    seed_web.open()
    assert seed_web.search("组织部")
    seed_web.page.wait_for_selector(".gk-search__filters:not([hidden])")
    provinces = seed_web.page.eval_on_selector_all(
        "select[data-gk-filter=province] option", "os => os.map(o => o.value)"
    )
    assert sorted(provinces) == ["", "天津市", "河北省", "福建省"]
    seed_web.page.select_option("select[data-gk-filter=province]", "福建省")
    seed_web.page.wait_for_function(
        "() => document.querySelector('[data-gk-search]').getAttribute('data-gk-state') === 'done'"
        " && [...document.querySelectorAll('.md-search-result__item h1')]"
        ".every(h => h.textContent.includes('鼓楼'))"
    )


@pytest.mark.slow
def test_search_option_off(tmp_path: Path) -> None:
    project = tmp_path / "basic"
    shutil.copytree(BASIC_SITE, project)
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        config.replace("content_dir: content", "content_dir: content\n      search: false"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = _build_plugin_site(project, out, "https://example.org/")
    assert result.returncode == 0, result.stderr
    assert not (out / "pagefind").exists() and "搜索索引" not in result.stderr
    page = (out / "budgets" / "990101-201-2022-budget" / "index.html").read_text(encoding="utf-8")
    assert "data-gk-search" not in page and "gongkai-search" not in page


@pytest.mark.slow
def test_material_search_plugin_is_reported(tmp_path: Path) -> None:
    project = tmp_path / "basic"
    shutil.copytree(BASIC_SITE, project)
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        config.replace("plugins:\n", "plugins:\n  - search\n"), encoding="utf-8"
    )
    result = _build_plugin_site(project, tmp_path / "out", "https://example.org/")
    assert result.returncode == 0, result.stderr
    assert "请从 mkdocs.yml 的 plugins 中删除 search" in result.stderr


@pytest.mark.slow
def test_serve_indexes_the_first_build_only(tmp_path: Path) -> None:
    """mkdocs serve: Pagefind runs once; a rebuild after an edit keeps that index."""
    import socket
    import time
    import urllib.request

    project = tmp_path / "basic"
    shutil.copytree(BASIC_SITE, project)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
            stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )  # fmt: skip

    def get(path: str) -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            return None

    def wait(condition: Any, what: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()}")

    try:
        wait(lambda: get("pagefind/pagefind-entry.json"), "the first index")
        assert log.read_text().count("搜索索引：") == 1
        assert "只在第一次构建后建立搜索索引" in log.read_text()
        record = project / "content/990101/990101-201-2022-budget.yaml"
        record.write_text(
            record.read_text(encoding="utf-8").replace("财政信息化建设", "财政云平台建设"),
            encoding="utf-8",
        )
        wait(
            lambda: "财政云平台建设" in (get("budgets/990101-201-2022-budget/") or ""),
            "the rebuild",
        )
        assert log.read_text().count("搜索索引：") == 1  # not indexed again
        assert get("pagefind/pagefind-entry.json")  # the first index is still served
        assert get("pagefind/pagefind.js")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_pagefind_cpu_is_its_own_not_other_children_ending_meanwhile(tmp_path: Path) -> None:
    """The run's CPU comes from its own rusage: a busy sibling reaped during it is not counted."""
    import threading

    from gongkai.search.indexer import _run_measured

    busy = subprocess.Popen([sys.executable, "-c", "import time\nt=time.process_time()\nwhile time.process_time()-t<0.8: pass"])
    reaper = threading.Thread(target=busy.wait)
    reaper.start()  # reaps the sibling while the measured process sleeps
    done = _run_measured(
        [sys.executable, "-c", "import sys, time; time.sleep(1.5); print('out'); print('err', file=sys.stderr)"],
        tmp_path, dict(os.environ), timeout=30,
    )  # fmt: skip
    reaper.join()
    assert done.returncode == 0
    assert done.output.split() == ["out", "err"]
    assert done.cpu_seconds is not None and done.cpu_seconds < 0.5


def test_pagefind_run_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    from gongkai.search.indexer import _run_measured

    with pytest.raises(subprocess.TimeoutExpired):
        _run_measured([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path, dict(os.environ), timeout=0.5)
