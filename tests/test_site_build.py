"""Fixture sites built with the real ``mkdocs build`` (tests/fixtures/sites/<scenario>/).

Each scenario is copied to a temporary directory (the build writes its
caches next to mkdocs.yml) and built in a subprocess, as a user would;
assertions cover the pages, every link and asset of the output, and the
failure output (exit code 1 and the file:line:column message).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from web_support import VOID

REPO = Path(__file__).resolve().parents[1]
SITES = REPO / "tests" / "fixtures" / "sites"

pytestmark = pytest.mark.slow


def build(
    project: Path, out: Path, *args: str, config: str = "mkdocs.yml"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(project / config), "-d", str(out), *args],
        capture_output=True, text=True, timeout=600, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def copy_site(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(SITES / name, target)
    return target


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            if name in ("href", "src"):
                self.refs.append((tag, name, value))




#: HTML5 optional end tags (https://html.spec.whatwg.org/multipage/syntax.html#optional-tags):
#: the element is closed by the start of one of these siblings, or by its parent's end.
#: The generated pages leave them out (gongkai.site.render.omit_optional_end_tags).
IMPLIED_BY = {
    "td": {"td", "th", "tr", "tbody", "tfoot"},
    "th": {"td", "th", "tr", "tbody", "tfoot"},
    "tr": {"tr", "tbody", "tfoot"},
    "thead": {"tbody", "tfoot"},
    "tbody": {"tbody", "tfoot"},
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "option": {"option", "optgroup"},
}


class _Balance(HTMLParser):
    """Every element closed, by its end tag or by an end HTML5 lets a page omit.

    Python's parser does not infer omitted end tags: this one closes an element
    with an optional end tag (``IMPLIED_BY``) where a browser would — at the
    start of a sibling that ends it, or at its parent's end — and reports any
    other end tag that does not match.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.mismatched: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        while self.stack and tag in IMPLIED_BY.get(self.stack[-1], ()):
            self.stack.pop()
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in IMPLIED_BY:
            self.stack.pop()  # closed by its parent's end
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.mismatched.append(f"</{tag}> after <{'><'.join(self.stack[-3:])}>")


GENERATED = (
    "index.html",
    "budgets",
    "departments",
    "regions",
    "years",
    "compare",
    "quality",
    "invalid",
)


def check_balanced(site: Path) -> None:
    """Every element of every generated page is closed (explicitly, or where HTML5 lets it be implied)."""
    for page in site.rglob("*.html"):
        if page.relative_to(site).parts[0] not in GENERATED:
            continue
        parser = _Balance()
        parser.feed(page.read_text(encoding="utf-8"))
        assert not parser.stack and not parser.mismatched, (
            f"{page}: {parser.stack[-5:]} {parser.mismatched[:3]}"
        )


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def check_links(site: Path) -> int:
    """Every relative link of every page resolves (file and anchor); assets are local.

    404.html is left out: MkDocs writes it with links from ``site_url``'s root
    because a server shows it at any path.
    """
    pages = {p: parse(p) for p in site.rglob("*.html") if p.name != "404.html"}
    checked = 0
    for page, links in pages.items():
        for tag, _attr, value in links.refs:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https", "mailto"):
                assert tag == "a", f"{page}: external asset {value}"
                continue
            assert not value.startswith("/"), (
                f"{page}: absolute link {value} breaks under a sub-path"
            )
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.relative_to(site)}: broken link {value}"
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                assert unquote(parts.fragment) in ids, (
                    f"{page.relative_to(site)}: missing anchor {value}"
                )
            checked += 1
    return checked


def test_basic_site(tmp_path):
    project = copy_site("basic", tmp_path)
    out = tmp_path / "out"
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert "3 个部门年度预算已发布，0 个未能发布" in result.stderr
    for page in (
        "index.html", "regions/index.html", "regions/990000/index.html", "years/index.html", "years/2022/index.html",
        "compare/index.html", "compare/2023/index.html", "quality/index.html", "departments/990101-201/index.html",
        "budgets/990101-201-2022-budget/index.html", "budgets/990102-301-2023-budget/index.html",
        "assets/gongkai/gongkai.css", "assets/gongkai/gongkai.js",
    ):  # fmt: skip
        assert (out / page).is_file(), page
    budget = (out / "budgets/990101-201-2022-budget/index.html").read_text(encoding="utf-8")
    assert "<title>测试县财政局 2022年预算 - 测试站</title>" in budget
    assert "1,200.00 万元" in budget and 'id="project-2"' in budget
    assert 'href="../../departments/990101-201/"' in budget
    assert (
        'href="https://example.org/gongkai/edit/main/content/990101/990101-201-2022-budget.yaml"'
        in budget
    )
    assert (
        'href="../../assets/gongkai/gongkai.css"' in budget
        and 'src="../../assets/gongkai/gongkai.js"' in budget
    )
    home = (out / "index.html").read_text(encoding="utf-8")
    assert home.index("手写的首页介绍") < home.index('id="overview"') < home.index("手写的结尾")
    assert check_links(out) > 100
    check_balanced(out)


def test_department_year_pages_are_not_in_the_navigation(tmp_path):
    project = copy_site("basic", tmp_path)
    out = tmp_path / "out"
    assert build(project, out).returncode == 0
    for page in (
        "index.html",
        "budgets/990101-201-2022-budget/index.html",
        "years/2022/index.html",
    ):
        html = (out / page).read_text(encoding="utf-8")
        nav = re.findall(r'<a href="([^"]*)" class="md-(?:nav|tabs)__link', html)
        assert any("regions/" in href for href in nav), nav
        assert not [href for href in nav if "budgets/" in href or "departments/" in href]


def test_plain_urls(tmp_path):
    project = copy_site("basic", tmp_path)
    out = tmp_path / "out"
    result = build(project, out, "--no-directory-urls")
    assert result.returncode == 0, result.stderr
    assert (out / "budgets" / "990101-201-2022-budget.html").is_file()
    assert check_links(out) > 100


def test_structural_error_fails_the_build_with_file_line_column(tmp_path):
    project = copy_site("invalid", tmp_path)
    result = build(project, tmp_path / "out")
    assert result.returncode == 1
    assert (
        "content/990101/990101-202-2022-budget.yaml:21:13: 错误[schema.number-as-text] (projects[0].amount)"
        in result.stderr
    )
    assert "Aborted with a BuildError" in result.stdout + result.stderr


def test_on_invalid_page_publishes_an_error_page(tmp_path):
    project = copy_site("invalid", tmp_path)
    out = tmp_path / "out"
    result = build(project, out, config="mkdocs-page.yml")
    assert result.returncode == 0, result.stderr
    assert "未能发布 content/990101/990101-202-2022-budget.yaml" in result.stderr
    page = (out / "invalid/990101-202-2022-budget/index.html").read_text(encoding="utf-8")
    assert "未能发布：content/990101/990101-202-2022-budget.yaml" in page
    assert (
        "content/990101/990101-202-2022-budget.yaml:21:13" in page
        and "schema.number-as-text" in page
    )
    assert (out / "budgets/990101-201-2022-budget/index.html").is_file()
    quality = (out / "quality/index.html").read_text(encoding="utf-8")
    assert 'href="../invalid/990101-202-2022-budget/"' in quality
    assert "另有 1 个数据文件因结构错误未能发布" in (out / "index.html").read_text(encoding="utf-8")
    check_links(out)


def test_findings_never_fail_the_build_unless_strict(tmp_path):
    project = copy_site("basic", tmp_path)
    assert build(project, tmp_path / "out").returncode == 0
    result = build(project, tmp_path / "strict", config="mkdocs-strict.yml")
    assert result.returncode == 1
    assert re.search(
        r"content/990101/990101-201-2023-budget\.yaml:\d+:\d+: 错误\[R-FUNC-TOTAL\]", result.stderr
    )


@pytest.fixture(scope="module")
def repository_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The real site (mkdocs.yml at the root, the seed records), built once for this module."""
    out = tmp_path_factory.mktemp("repository") / "site"
    return build(REPO, out), out


def test_repository_site_builds_offline(repository_site):
    """The real site: links resolve, nothing external."""
    result, out = repository_site
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    budgets = sorted((out / "budgets").glob("*/index.html"))
    assert len(budgets) == len(list((REPO / "content").rglob("*.yaml")))
    check_links(out)
    check_balanced(out)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        assert 'data-md-component="source"' not in html  # no call to api.github.com


#: Issue #4: a department-year page stays under 80 KB of HTML (the whole written file).
PAGE_LIMIT = 80_000


def test_department_year_pages_stay_under_80_kb(repository_site):
    """Each seed record's page and its indicators page, as written by ``mkdocs build``."""
    result, out = repository_site
    assert result.returncode == 0, result.stderr
    records = sorted(p.stem for p in (REPO / "content").rglob("*.yaml"))
    sizes = {}
    for record in records:
        page = out / "budgets" / record / "index.html"
        indicators = out / "budgets" / record / "indicators" / "index.html"
        assert indicators.is_file(), record  # every seed record has indicators
        html = page.read_text(encoding="utf-8")
        assert 'href="indicators/#project-' in html, record  # the page links to its tables
        assert "<th>三级指标" not in html and "<th>三级指标" in indicators.read_text(
            encoding="utf-8"
        )
        sizes[f"{record}/"] = page.stat().st_size
        sizes[f"{record}/indicators/"] = indicators.stat().st_size
    print("\n" + "\n".join(f"{size:>8}  budgets/{name}" for name, size in sizes.items()))
    assert all(size < PAGE_LIMIT for size in sizes.values()), sizes


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def test_serve_rebuilds_when_a_yaml_file_changes(tmp_path):
    import time

    project = copy_site("basic", tmp_path)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/budgets/990101-201-2022-budget/"
    try:
        deadline = time.monotonic() + 120
        html = None
        while time.monotonic() < deadline and not (html and "财政信息化建设" in html):
            time.sleep(0.5)
            html = _get(url)
        assert html and "财政信息化建设" in html
        record = project / "content/990101/990101-201-2022-budget.yaml"
        record.write_text(
            record.read_text(encoding="utf-8").replace("财政信息化建设", "财政云平台建设"),
            encoding="utf-8",
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "财政云平台建设" not in (html or ""):
            time.sleep(0.5)
            html = _get(url)
        assert html and "财政云平台建设" in html
        # the other records' pages were kept from the first build, and are still served
        other = _get(f"http://127.0.0.1:{port}/budgets/990102-301-2023-budget/")
        assert other and "990102" in other and "gongkai:body" not in other
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    kept = re.findall(r"重建：(\d+) 个未变化的页面沿用上次的输出", log)
    assert kept and int(kept[-1]) >= 2, log  # the two other department-years at least


def test_automatic_navigation_holds_only_the_indexes(tmp_path):
    project = copy_site("basic", tmp_path)
    out = tmp_path / "out"
    result = build(project, out, config="mkdocs-autonav.yml")
    assert result.returncode == 0, result.stderr
    html = (out / "years/2022/index.html").read_text(encoding="utf-8")
    primary = html[html.index("md-nav--primary") :]
    labels = re.findall(
        r'<span class="md-ellipsis">\s*(.*?)\s*</span>',
        primary[: primary.index("md-sidebar--secondary")],
    )
    assert labels == [
        "测试站",
        "按地区",
        "按年度",
        "部门比较",
        "数据质量",
        "数据下载",
        "数据下载",
        "数据字典",
    ]  # home page: its own title; the downloads section holds its two pages
