"""Issue #8 in a real site build: broken records, hostile text, hostile names.

The fixture tests/fixtures/robustness_site/ holds three good records (those of
the ``basic`` fixture), one broken record (an amount written "12万" on line 21)
and one valid, balanced record whose every text field carries ``<script>``,
``<img onerror>``, ``javascript:`` and spreadsheet formulas. It is copied to a
temporary directory and built with the real ``mkdocs build`` in a subprocess,
as tests/test_site_build.py does. The checks:

* ``on_invalid: fail`` stops the build naming file:line:column, and publishes
  nothing; ``on_invalid: page`` publishes every good record (page, search
  entry, downloads when the site writes them), gives the broken one its
  "could not be published" page, lists it on the quality page — no record
  disappears silently;
* record text is shown as text: no element, attribute or URL of the output
  comes from a record (page bodies, SVG chart labels, the Pagefind search
  results in headless Chromium, the CSV/JSON/XLSX downloads with their
  formula policy);
* names that look like paths (``../``, absolute paths, U+202E, NUL, full-width
  slashes) write nothing outside the site directory, and every output path
  is built from validated slugs.

Tests marked ``xfail(strict=True)`` are bugs this file found; each reason says
where the fix belongs.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from gongkai.export.csv_package import is_formula_like
from gongkai.site import pages
from gongkai.site.format import safe_url
from web_support import VOID, serve_directory

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "robustness_site"
CHROMIUM = Path("/usr/bin/chromium")

GOOD = (
    "990101-201-2022-budget",
    "990101-201-2023-budget",
    "990102-301-2023-budget",
    "980103-401-2023-budget",
)
HOSTILE = "980103-401-2023-budget"
BROKEN = "content/990101/990101-202-2022-budget.yaml"
BROKEN_AT = f"{BROKEN}:21:13: 错误[schema.number-as-text] (projects[0].amount)"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
FORMULAS = ("=cmd|' /C calc'!A0", "+1", "-1+1", "@SUM(1)")

pytestmark = pytest.mark.slow


def build(
    project: Path, out: Path, config: str = "mkdocs-page.yml", wrapper: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` in a subprocess; ``wrapper`` is Python run first (to break the code on purpose)."""
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1700000000"}
    args = ["build", "-f", str(project / config), "-d", str(out)]
    if wrapper is None:
        command = [sys.executable, "-m", "mkdocs", *args]
    else:
        launch = f"{wrapper}\nimport sys\nfrom mkdocs.__main__ import cli\nsys.argv = ['mkdocs', *sys.argv[1:]]\ncli()"
        command = [sys.executable, "-c", launch, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def copy_fixture(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    return project


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """(project, site dir, result) of the fixture built with ``on_invalid: page``."""
    root = tmp_path_factory.mktemp("robust")
    project = copy_fixture(root)
    out = root / "out"
    result = build(project, out)
    assert result.returncode == 0, result.stderr[-4000:]
    return project, out, result


# --------------------------------------------------------------------------- #
# One broken record among good ones
# --------------------------------------------------------------------------- #


def test_fail_mode_names_the_file_and_line_and_publishes_nothing(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    out = tmp_path / "out"
    result = build(project, out, config="mkdocs.yml")
    assert result.returncode == 1
    assert BROKEN_AT in result.stderr, result.stderr[-3000:]
    assert "on_invalid: page" in result.stderr  # says how to publish the rest anyway
    assert "Traceback" not in result.stdout + result.stderr
    assert not (out / "budgets").exists(), "a failed build must not leave a partial site"


def test_page_mode_publishes_every_good_record(site) -> None:
    project, out, result = site
    assert "4 个部门年度预算已发布，1 个未能发布" in result.stderr
    assert f"未能发布 {BROKEN}" in result.stderr
    assert "Traceback" not in result.stderr
    for budget_id in GOOD:
        page = out / "budgets" / budget_id / "index.html"
        assert page.is_file(), budget_id
        source = f"content/{budget_id[:6]}/{budget_id}.yaml"
        assert source in page.read_text("utf-8"), budget_id  # the body, which names its file
    invalid = (out / "invalid/990101-202-2022-budget/index.html").read_text("utf-8")
    assert f"未能发布：{BROKEN}" in invalid
    assert (
        f"{BROKEN}:21:13" in invalid
        and "schema.number-as-text" in invalid
        and "请写成 12" in invalid
    )
    assert not (out / "budgets/990101-202-2022-budget").exists()
    quality = (out / "quality/index.html").read_text("utf-8")
    assert 'href="../invalid/990101-202-2022-budget/"' in quality and BROKEN in quality
    assert "另有 1 个数据文件因结构错误未能发布" in (out / "index.html").read_text("utf-8")


def test_nothing_is_dropped_silently(site) -> None:
    """Every YAML file of content/ is a published page or an error page linked from the quality page."""
    project, out, _ = site
    quality = (out / "quality/index.html").read_text("utf-8")
    for path in sorted((project / "content").rglob("*.yaml")):
        published = out / "budgets" / path.stem / "index.html"
        error_page = out / "invalid" / pages.slug(path.stem) / "index.html"
        assert published.is_file() or (
            error_page.is_file() and f"../invalid/{pages.slug(path.stem)}/" in quality
        ), path


def test_good_records_keep_their_search_entries_and_downloads(site) -> None:
    """What the site writes besides pages (search index, downloads) covers every good record."""
    _, out, _ = site
    bundle = out / "pagefind"
    if bundle.is_dir():
        urls = {f["url"] for f in pagefind_fragments(bundle)}
        for budget_id in GOOD:
            assert f"/budgets/{budget_id}/" in urls, budget_id
        assert not any("990101-202-2022" in url for url in urls if url.startswith("/budgets/"))
    data = out / "data"
    if data.is_dir():
        for budget_id in GOOD:
            assert (data / "budgets" / budget_id).is_dir(), budget_id
        assert not (data / "budgets" / "990101-202-2022-budget").exists()
    if not bundle.is_dir() and not data.is_dir():
        pytest.skip("the site writes neither a search index nor downloads yet")


# --------------------------------------------------------------------------- #
# Hostile text: shown as text everywhere
# --------------------------------------------------------------------------- #

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}




@dataclass
class Violation:
    file: str
    what: str
    #: "title" (the page title: <head>, Material's header topic and <h1>), "toc" (the
    #: table of contents Material draws from page.toc) or "body" (everything else).
    where: str


@dataclass
class _Scanner(HTMLParser):
    """Finds markup a browser would run: scripts calling alert, on* handlers, javascript: URLs.

    ``<title>`` is read as the browser reads it (raw text up to the first
    ``</title>``), so a name that closes the title early is caught too.
    """

    file: str = ""
    violations: list[Violation] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, "title" / "toc" / "") per open element
        self.in_script = False
        self.script = ""
        self.article_opened = False

    @property
    def where(self) -> str:
        marked = [mark for _, mark in self.stack if mark]
        return marked[-1] if marked else "body"

    def _flag(self, what: str) -> None:
        self.violations.append(Violation(self.file, what, self.where))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        component = named.get("data-md-component") or ""
        mark = ""
        if (
            tag == "head"
            or component == "header-topic"
            or (self.article_opened and tag == "h1" and not attrs)
        ):
            mark = "title"  # Material prints page.title in these
        elif component == "toc":
            mark = "toc"
        self.article_opened = tag == "article" and "md-content__inner" in (named.get("class") or "")
        for name, value in attrs:
            if name.startswith("on"):
                self._flag(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value is not None:
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self._flag(f"<{tag} {name}={value!r}>")
        if tag == "img" and named.get("src") == "x":
            self._flag("<img src=x>")
        if tag == "script":
            self.in_script, self.script = True, ""
        if tag not in VOID:
            self.stack.append((tag, mark))
        if tag == "title":
            self.set_cdata_mode("title")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.in_script:
            self.in_script = False
            if "alert(" in self.script:
                self._flag(f"<script>{self.script[:40]}</script>")
        if tag not in VOID and any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.script += data


def scan(out: Path) -> list[Violation]:
    found: list[Violation] = []
    for page in sorted(out.rglob("*.html")):
        scanner = _Scanner(str(page.relative_to(out)))
        scanner.feed(page.read_text("utf-8"))
        scanner.close()
        found.extend(scanner.violations)
    return found


def test_scanner_finds_what_a_browser_would_run() -> None:
    """The checks below are only as good as this scanner."""
    for html in (
        f"<p>{SCRIPT}</p>", f"<p>{IMG}</p>", '<a href=" JaVaScRiPt:alert(1)">x</a>',
        "<title></title><script>alert(1)</script></title>", "<svg><text onclick='x'>t</text></svg>",
    ):  # fmt: skip
        scanner = _Scanner("t")
        scanner.feed(html)
        assert scanner.violations, html
    for html in (
        f"<p>{SCRIPT.replace('<', '&lt;')}</p>", f"<title>{SCRIPT}</title>",
        '<a href="https://example.org/?q=javascript:alert(1)">x</a>', "<p>javascript:alert(1)</p>",
    ):  # fmt: skip
        scanner = _Scanner("t")
        scanner.feed(html)
        assert not scanner.violations, html


def test_record_text_never_becomes_markup_in_page_bodies(site) -> None:
    """Every page, every element: nothing from a record runs.

    Page titles and the table of contents are left to the strict tests
    below: the theme prints them unescaped (bugs, see there).
    """
    _, out, _ = site
    found = [v for v in scan(out) if v.where == "body"]
    assert found == [], found[:10]


def test_record_text_never_becomes_markup_in_page_titles(site) -> None:
    _, out, _ = site
    found = [v for v in scan(out) if v.where == "title"]
    assert found == [], found[:10]
    page = (out / "budgets" / HOSTILE / "index.html").read_text("utf-8")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;测试局 2023年预算 - 测试站</title>" in page


def test_record_text_never_becomes_markup_in_the_table_of_contents(site) -> None:
    _, out, _ = site
    found = [v for v in scan(out) if v.where == "toc"]
    assert found == [], found[:10]


def test_hostile_text_is_shown_escaped_on_the_page(site) -> None:
    _, out, _ = site
    page = (out / "budgets" / HOSTILE / "index.html").read_text("utf-8")
    for text in (
        "&lt;script&gt;alert(1)&lt;/script&gt;项目", "&lt;img src=x onerror=alert(1)&gt;用途",
        "&lt;script&gt;alert(1)&lt;/script&gt;名词", "&lt;img src=x onerror=alert(1)&gt;说明",
        "javascript:alert(1)", "=cmd|&#39;", "@SUM(1)",
    ):  # fmt: skip
        assert text in page or text.replace("&#39;", "'") in page, text
    # The source link is not http(s)-only text (it holds <, >): shown without a link.
    assert "example.org/a.pdf" not in "".join(re.findall(r'href="([^"]*)"', page))


def test_chart_labels_are_escaped(site) -> None:
    """SVG <text> and <title> carry department names (the comparison chart)."""
    _, out, _ = site
    labels: list[str] = []
    for page in sorted(out.rglob("*.html")):
        for svg in re.findall(r'<svg class="gk-svg.*?</svg>', page.read_text("utf-8"), re.S):
            assert "<script" not in svg and "<img" not in svg, (page, svg)
            labels += re.findall(r"<(?:text|title)\b[^>]*>([^<]*)</", svg)
    assert any(label.startswith("&lt;/title&gt;&lt;img src=x onerror=") for label in labels), labels


@pytest.mark.parametrize("chart", ["bar_chart", "split_bar", "column_chart"])
def test_every_chart_escapes_its_labels(chart: str) -> None:
    from decimal import Decimal

    from gongkai.site import charts

    bars = [
        charts.Bar(f"{SCRIPT}甲", Decimal(3), f"{IMG}3"),
        charts.Bar(f"</title>{IMG}乙" * 3, Decimal(1), "1"),
    ]
    svg = str(getattr(charts, chart)(bars, title=f"</title>{SCRIPT}"))
    scanner = _Scanner("chart")
    scanner.feed(svg)
    assert scanner.violations == [] and "<script" not in svg and "<img" not in svg, svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "&lt;img src=x onerror=" in svg


def test_javascript_source_link_is_refused_and_never_an_href(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    source = (project / "content/990102/990102-301-2023-budget.yaml").read_text("utf-8")
    record = source.replace('code: "301"', 'code: "302"').replace(
        "  original_format: html\n", "  original_format: html\n  url: javascript:alert(1)\n"
    )
    path = project / "content/990102/990102-302-2023-budget.yaml"
    path.write_text(record, "utf-8")
    line = record.splitlines().index("  url: javascript:alert(1)") + 1
    out = tmp_path / "out"
    result = build(project, out)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (out / "invalid/990102-302-2023-budget/index.html").read_text("utf-8")
    assert f"content/990102/990102-302-2023-budget.yaml:{line}:8" in page and "schema.url" in page
    assert "javascript:alert(1)" in page  # the mistake is quoted, as text
    assert [v for v in scan(out) if v.where == "body"] == []


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JavaScript:alert(1)", "\tjavascript:alert(1)", "data:text/html,<b>",
     "vbscript:x", "//evil.example/x", 'https://x.org/" onmouseover="alert(1)', "https://x.org/<script>",
     "https://x.org/a b", "ftp://x.org/a", ""],
)  # fmt: skip
def test_only_plain_http_urls_become_links(url: str) -> None:
    assert safe_url(url) is None


def test_a_plain_source_url_stays_a_link() -> None:
    assert safe_url("https://example.org/a.pdf?x=1&y=2") == "https://example.org/a.pdf?x=1&y=2"


# --------------------------------------------------------------------------- #
# Search (Pagefind): the index holds text, the box shows it as text
# --------------------------------------------------------------------------- #


def pagefind_fragments(bundle: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(path.read_bytes()).decode("utf-8")
        out.append(json.loads(raw.removeprefix("pagefind_dcd")))
    return out


def test_search_index_holds_the_hostile_text_as_text(site) -> None:
    _, out, _ = site
    if not (out / "pagefind").is_dir():
        pytest.skip("the site has no Pagefind index")
    fragment = next(
        f for f in pagefind_fragments(out / "pagefind") if f["url"] == f"/budgets/{HOSTILE}/"
    )
    words = fragment["content"].replace("\u200b", "")
    assert "<script>alert(1)</script>项目" in words and "javascript:alert(1)" in words


@pytest.fixture(scope="module")
def served(site) -> Iterator[str]:
    _, out, _ = site
    if not (out / "pagefind").is_dir():
        pytest.skip("the site has no Pagefind index")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium: apt-get install chromium fonts-noto-cjk")
    pytest.importorskip("playwright.sync_api")
    with serve_directory(out) as origin:
        yield f"{origin}/"


@pytest.mark.browser
@pytest.mark.parametrize("query", ["onerror", "script"])
def test_search_results_show_hostile_text_as_text(served: str, query: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(served)  # the home page (a hostile page would run its own title, see above)
            page.wait_for_load_state("networkidle")
            box = page.locator(".gk-search__input")
            box.click()
            page.keyboard.type(query, delay=20)
            page.wait_for_function(
                "q => { const root = document.querySelector('[data-gk-search]');"
                " return root.getAttribute('data-gk-state') === 'done'"
                " && root.querySelector('.gk-search__input').value === q; }",
                arg=query,
            )
            page.wait_for_timeout(300)  # an injected onerror would fire by now
            found = page.evaluate(
                """() => {
                  const items = [...document.querySelectorAll('.md-search-result__item')];
                  const all = items.flatMap(li => [li, ...li.querySelectorAll('*')]);
                  return {
                    count: items.length,
                    text: items.map(li => li.textContent).join(' | '),
                    tags: [...new Set(all.map(e => e.tagName.toLowerCase()))],
                    handlers: all.flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on')),
                    hrefs: all.filter(e => e.hasAttribute('href')).map(e => e.getAttribute('href')),
                  };
                }"""
            )
        finally:
            browser.close()
    assert dialogs == []
    assert found["count"] > 0, found
    assert "alert(1)" in found["text"] and (
        "<script>" in found["text"] or "<img" in found["text"]
    ), found["text"]
    assert not {"script", "img", "iframe", "svg"} & set(found["tags"]), found["tags"]
    assert found["handlers"] == []
    assert not [h for h in found["hrefs"] if h.strip().lower().startswith("javascript:")]


# --------------------------------------------------------------------------- #
# Downloads: text stays text, formulas do not run
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``gongkai export --per-budget`` of the hostile record (the site's data/ layout)."""
    root = tmp_path_factory.mktemp("downloads")
    script = Path(sys.executable).with_name("gongkai")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "gongkai.cli"]
    result = subprocess.run(
        [*command, "export", str(FIXTURE / "content" / "980103"), "--out", str(root / "data"), "--per-budget"],
        capture_output=True, text=True, timeout=300, cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "data"


def _cells(path: Path, encoding: str = "utf-8") -> list[str]:
    return [
        cell for row in csv.reader(io.StringIO(path.read_bytes().decode(encoding))) for cell in row
    ]


def _check_downloads(data: Path) -> None:
    folder = data / "budgets" / HOSTILE
    data_cells = [c for p in sorted(folder.glob("*.csv")) for c in _cells(p)]
    for text in (f"{SCRIPT}项目", f"{IMG}用途", "javascript:alert(1)", *FORMULAS):
        assert text in data_cells, text  # the data CSV keeps every text exactly
    document = json.dumps(
        json.loads((folder / f"{HOSTILE}.json").read_text("utf-8")), ensure_ascii=False
    )
    for text in (f"{SCRIPT}项目", *FORMULAS):
        assert json.dumps(text, ensure_ascii=False) in document, text
    excel = [c for p in sorted((folder / "excel").glob("*.csv")) for c in _cells(p, "utf-8-sig")]
    for text in FORMULAS:
        assert "'" + text in excel and text not in excel, text
    for cell in excel:  # no text cell starts like a formula; numbers (-4.20) are numbers
        assert not is_formula_like(cell) or re.fullmatch(r"-?\d+(\.\d+)?", cell), cell
    workbook = folder / f"{HOSTILE}.xlsx"
    with zipfile.ZipFile(workbook) as zf:
        sheets = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets and b"<f " not in sheets  # no formula cell anywhere
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    cells = {
        c.value: c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }
    for text in (*FORMULAS, f"{SCRIPT}项目"):
        assert text in cells, text
        assert cells[text].data_type == "s", text
    for text in FORMULAS:
        assert cells[text].quotePrefix, text


def test_downloads_keep_text_and_defuse_formulas(downloads: Path) -> None:
    _check_downloads(downloads)


def test_site_downloads_keep_text_and_defuse_formulas(site) -> None:
    _, out, _ = site
    if not (out / "data" / "budgets" / HOSTILE).is_dir():
        pytest.skip("the site does not write downloads yet (checked through gongkai export above)")
    _check_downloads(out / "data")


# --------------------------------------------------------------------------- #
# Names that look like paths
# --------------------------------------------------------------------------- #

PATHLIKE = (
    "../../escape-{tag}/局",
    "{abs}/局",
    "..\\..\\escape-{tag}\\局",
    "\u202e局育教\u202c",
    "／..／..／escape-{tag}／局",
    # (a NUL in a name is refused by the loader: schema.control-character, tests/test_loader.py)
)
ODD_FILE_NAMES = (
    "..\u202eevil.yaml",
    "／..／..／escape.yaml",
    "..yaml",
    "%2e%2e%2fescape.yaml",
    "-rf .yaml",
    "990101-201-2022-budget\u202e.yaml",
)


def _snapshot(root: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def test_pathlike_names_write_nothing_outside_the_site(tmp_path: Path) -> None:
    tag = os.urandom(4).hex()
    absolute = tmp_path / f"abs-{tag}"
    project = copy_fixture(tmp_path)
    folder = project / "content" / "990102"
    base = (folder / "990102-301-2023-budget.yaml").read_text("utf-8")
    for index, name in enumerate(PATHLIKE):
        text = json.dumps(name.format(tag=tag, abs=absolute), ensure_ascii=False)  # YAML-quoted
        record = base.replace('code: "301"', f'code: "3{index + 10}"').replace(
            "  name: 测试区教育局",
            f"  name: {text}\n  canonical_name: {text}\n  unit_nature: {text}",
        )
        record = record.replace("    county: 测试区", f"    county: {text}")
        (folder / f"990102-3{index + 10}-2023-budget.yaml").write_text(record, "utf-8")
    for index, name in enumerate(ODD_FILE_NAMES):  # each its own id: only the file name is wrong
        (folder / name).write_text(base.replace('code: "301"', f'code: "3{index + 50}"'), "utf-8")
    (folder / "990102-399-2023-budget.yaml").write_text(
        base.replace('code: "301"', 'code: "../399"'), "utf-8"
    )
    out = tmp_path / "out"
    before = _snapshot(tmp_path)
    result = build(project, out)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr
    assert (
        f"{4 + len(PATHLIKE)} 个部门年度预算已发布，{1 + len(ODD_FILE_NAMES) + 1} 个未能发布"
        in result.stderr
    )
    cache = project / ".cache" / "plugin" / "gongkai"  # the plugin's documented cache_dir
    written = {p for p, mtime in _snapshot(tmp_path).items() if before.get(p) != mtime}
    outside = [p for p in written if not p.is_relative_to(out) and not p.is_relative_to(cache)]
    assert outside == []
    assert not absolute.exists() and not list(tmp_path.rglob(f"*escape-{tag}*"))
    for path in out.rglob("*"):
        relative = path.relative_to(out).as_posix()
        assert re.fullmatch(r"[0-9A-Za-z._/-]+", relative) and ".." not in relative.split("/"), (
            relative
        )
    for page in out.rglob("*.html"):  # links: ASCII (from ids, slugs or quoted), inside the site
        for url in re.findall(r'(?:href|src)="([^"]*)"', page.read_text("utf-8")):
            assert re.fullmatch(r"[!#-;=?-~]*", url), (page, url)
            target = url.split("#")[0].split("?")[0]
            if target and not re.match(r"[a-z]+:", target):
                base = out if target.startswith("/") else page.parent  # 404.html: from the root
                assert (base / target.lstrip("/")).resolve().is_relative_to(out.resolve()), (page, url)
    quality = (out / "quality/index.html").read_text("utf-8")
    for name in ODD_FILE_NAMES:
        slug = pages.slug(Path(name).stem)
        assert re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z-]*", slug)
        assert (out / "invalid").is_dir()
    assert len(list((out / "invalid").glob("*/index.html"))) == 1 + len(ODD_FILE_NAMES) + 1
    assert quality.count('href="../invalid/') >= 1 + len(ODD_FILE_NAMES) + 1


@pytest.mark.parametrize(
    "value",
    [
        "../x",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "",
        "-x",
        "x\n",
        "\u202ex",
        "１２３",
        "x\x00",
        "x y",
        "%2e%2e",
    ],
)
def test_unsafe_ids_never_become_paths(value: str) -> None:
    for make in (pages.budget_src, pages.department_src, pages.invalid_src):
        with pytest.raises(ValueError):
            make(value)


@pytest.mark.parametrize(
    "stem", ["..\u202eevil", "／..／etc", "..", "%2e%2e%2f", "-rf ", "a\x00b", "名称"]
)
def test_slugs_of_odd_file_names_are_safe(stem: str) -> None:
    slug = pages.slug(stem)
    assert re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z-]*", slug), slug
    pages.invalid_src(slug)  # accepted by the URL check


def test_full_width_admin_code_does_not_take_the_site_down(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    folder = project / "content" / "１３０５３２"
    folder.mkdir()
    text = (project / "content/990102/990102-301-2023-budget.yaml").read_text("utf-8")
    (folder / "１３０５３２-301-2023-budget.yaml").write_text(
        text.replace('"990102"', '"１３０５３２"'), "utf-8"
    )
    out = tmp_path / "out"
    result = build(project, out)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert all((out / "budgets" / budget_id / "index.html").is_file() for budget_id in GOOD)


def test_compact_nesting_does_not_take_the_site_down(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    (project / "content/990102/990102-302-2023-budget.yaml").write_text(
        "schema_version: 1\nglossary:\n  " + "- " * 50_000 + "x\n", "utf-8"
    )
    out = tmp_path / "out"
    result = build(project, out)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert (out / "invalid/990102-302-2023-budget/index.html").is_file()


def test_a_misnamed_copy_does_not_unpublish_the_real_record(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path)
    folder = project / "content/990102"
    shutil.copy(folder / "990102-301-2023-budget.yaml", folder / "990102-301-2023-budget copy.yaml")
    out = tmp_path / "out"
    result = build(project, out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "invalid/990102-301-2023-budget-copy/index.html").is_file()
    assert (out / "budgets/990102-301-2023-budget/index.html").is_file()
