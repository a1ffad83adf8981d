"""The page set of a site and the HTML body of each page.

:class:`Site` is what a front end drives: give it the validation reports and
the options, ask for :meth:`Site.specs` (every page, with its virtual source
path and title) and :meth:`Site.render` one page at a time. Department-year
bodies are cached by the record file's digest, so a live-reloading server
re-renders only the record that changed. A department-year with performance
indicators has two pages, rendered together from one load of the record: the
department-year page and its indicators page (``budgets/<id>/indicators/``),
which keeps the first under 80 KB of HTML.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, KeysView, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from gongkai.site import pages
from gongkai.site.budget_view import (
    Download,
    budget_context,
    indicators_context,
    indicators_title,
)
from gongkai.site.catalogue import Catalogue, Entry, Unpublished, build_catalogue
from gongkai.site.collection_views import (
    compare_index_view,
    compare_view,
    department_view,
    home_view,
    province_view,
    quality_index_view,
    regions_view,
    year_view,
    years_view,
)
from gongkai.site.format import stage_label
from gongkai.site.pickles import pickle_path, read_pickle, scratch_dir, write_pickle
from gongkai.site.quality_view import ProblemView, RepoLinks, problem_view, rule_titles
from gongkai.site.render import Renderer
from gongkai.site.source import BudgetHead, Summary, code_fingerprint
from gongkai.validate import RecordReport

_ID_ATTR = re.compile(r'id="([^"]+)"')


def _ids(html: str) -> set[str]:
    """The ``id`` attribute values of ``html`` (as ``\\bid="…"`` would find them).

    A literal-first pattern with the word-boundary check done by hand: a
    pattern starting with ``\\b`` is tried at every character of a 60 KB page.
    """
    found = set()
    for match in _ID_ATTR.finditer(html):
        start = match.start()
        before = html[start - 1] if start else " "
        if not (before.isalnum() or before == "_"):
            found.add(match.group(1))
    return found
#: Pages of one record: big, and cached by the record file's digest.
RECORD_KINDS = ("budget", "indicators")


@dataclass(frozen=True)
class SiteOptions:
    """What the core needs to know about the site (front-end independent)."""

    directory_urls: bool = True
    repo_url: str | None = None
    edit_uri: str = "edit/main/"
    view_uri: str = "blob/main/"
    strict: bool = False
    invalid_pages: bool = False
    recent_count: int = 10

    def fingerprint(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PageSpec:
    """One generated page: where it is, what it is, and whether it is in the nav."""

    src: str
    kind: str
    title: str
    key: str = ""
    in_nav: bool = False


@dataclass
class TocItem:
    """A heading of a page, for the theme's table of contents (``title`` is HTML-escaped text)."""

    id: str
    title: str
    level: int = 2
    children: list[TocItem] = field(default_factory=list)


@dataclass
class RenderedPage:
    html: str
    toc: list[TocItem]
    anchors: set[str] = field(default_factory=set)
    edit_url: str | None = None


@dataclass
class InvalidView:
    file: str
    problems: list[ProblemView]
    edit_url: str | None
    quality_href: str


class PageCache:
    """Rendered department-year bodies by (page, file digest, options, templates).

    Kept on disk given a directory (so that an unchanged record is not
    rendered again by the next build), else in memory (``mkdocs serve``
    rebuilds).
    The disk key also covers the code that renders and validates, so an
    update of Gongkai invalidates it.
    """

    def __init__(self, root: Path | None = None) -> None:
        self._pages: dict[tuple[str, str, str, str], RenderedPage] = {}
        self.root = root

    def _path(self, key: tuple[str, str, str, str]) -> Path | None:
        return None if self.root is None else pickle_path(self.root, *key, site_code_fingerprint())

    def get(self, key: tuple[str, str, str, str]) -> RenderedPage | None:
        page = self._pages.get(key)
        path = self._path(key) if page is None else None
        return read_pickle(path, RenderedPage) if path is not None else page

    def put(self, key: tuple[str, str, str, str], page: RenderedPage) -> None:
        path = self._path(key)
        if path is None:
            self._pages[key] = page  # memory only without a directory: 10⁴ pages are ~1 GB
        else:
            write_pickle(path, page)

    def __len__(self) -> int:
        return len(self._pages)


@cache
def scratch_pages() -> Path:
    """A page cache directory for this process (``cache: false``), removed when it exits."""
    return scratch_dir("gongkai-pages-")


@cache
def site_code_fingerprint() -> str:
    """Changes when the rendering code (or the validation code) changes."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def record_titles(budget: BudgetHead) -> dict[str, str]:
    """The titles of a record's pages by source path: the department-year page, then its indicators page.

    One function for the build's page list and for the workers that stage
    the pages for search, so both give a page the same title.
    """
    title = f"{budget.department.name} {budget.fiscal_year}年{stage_label(budget.stage)}"
    out = {pages.budget_src(budget.budget_id): title}
    if budget.indicator_count:
        out[pages.indicators_src(budget.budget_id)] = indicators_title(
            title, projects=budget.project_indicators > 0
        )
    return out


#: Called with a page's token (:func:`page_token`), title and rendered body as a worker renders it.
PageSink = Callable[[str, str, str], None]


def page_token(key: tuple[str, ...]) -> str:
    """A file-name-safe digest of a record page's cache key.

    A worker cannot know whether the build will publish the page it has
    just rendered (another file may claim the same budget id), so what it
    hands on is named by this token, and the build takes only the tokens of
    the pages it publishes.
    """
    return hashlib.sha256("\0".join(key).encode()).hexdigest()[:32]


class RecordPages:
    """Renders the two pages of one record — in the build, or in a validation worker.

    A record's pages depend on the record and the site's options only (never
    on the other records), so a worker that has just validated a record can
    render them while the record is in memory (:meth:`prerender`): a cold
    build then renders on every core and never loads the record again. The
    pages go to the :class:`PageCache` under the key :class:`Site` looks up.
    """

    def __init__(
        self,
        options: SiteOptions,
        renderer: Renderer,
        cache: PageCache,
        downloads: Callable[[str], list[Download] | None],
    ) -> None:
        self.options = options
        self.renderer = renderer
        self.cache = cache
        self.downloads = downloads
        self.router = pages.Router(options.directory_urls)
        self.links = RepoLinks(options.repo_url, options.edit_uri, options.view_uri)
        self.titles = rule_titles()
        self._context = options.fingerprint()
        #: Also given each page a worker renders (the search staging), if set.
        self.sink: PageSink | None = None

    def key(self, src: str, digest: str, display: str, budget_id: str) -> tuple[str, str, str, str]:
        """The cache key of page ``src``: the file, the options, the offered downloads, the templates."""
        offered = self.downloads(budget_id) or []
        context = f"{self._context}:{hashlib.sha256(repr(offered).encode()).hexdigest()[:12]}"
        return (src, f"{digest}:{display}", context, self.renderer.fingerprint)

    def prerender(self, summary: Summary, report: RecordReport) -> None:
        """Render and cache a publishable record's pages (a worker's hook; never raises).

        A failure here only costs the cache entry: the build renders the page
        again in the main process, where an error is reported properly.
        """
        if not summary.valid or summary.head is None:
            return
        try:
            stored = self._render_and_store(report, summary, summary.head)
            if self.sink is not None:
                titles = record_titles(summary.head)
                for src, (key, page) in stored.items():
                    self.sink(page_token(key), titles[src], page.html)
        except Exception:  # noqa: BLE001 - the main process renders it again and reports
            return

    def render_and_store(
        self, report: RecordReport, summary: Summary, budget: BudgetHead
    ) -> dict[str, RenderedPage]:
        """Render a record's pages and put each in the cache."""
        return {src: page for src, (_, page) in self._render_and_store(report, summary, budget).items()}

    def _render_and_store(
        self, report: RecordReport, summary: Summary, budget: BudgetHead
    ) -> dict[str, tuple[tuple[str, str, str, str], RenderedPage]]:
        """:meth:`render_and_store`, with each page's cache key."""
        stored = {}
        for src, page in self.render(report, summary, budget).items():
            key = self.key(src, summary.digest, summary.display, budget.budget_id)
            self.cache.put(key, page)
            stored[src] = (key, page)
        return stored

    def render(
        self, report: RecordReport, summary: Summary, budget: BudgetHead
    ) -> dict[str, RenderedPage]:
        """The department-year page and, with indicators, its indicators page, by source path."""
        offered = self.downloads(budget.budget_id) or []
        src = pages.budget_src(budget.budget_id)
        indicators = pages.indicators_src(budget.budget_id) if budget.indicator_count else None
        srcs = {
            "province": pages.province_src(budget.department.region.admin_code),
            "year": pages.year_src(budget.fiscal_year),
            "department": pages.department_src(budget.department_id),
        }
        page = budget_context(
            report, link=self.router.linker(src), srcs=srcs, links=self.links,
            strict=self.options.strict, titles=self.titles, downloads=offered, indicators_src=indicators,
        )  # fmt: skip
        edit = self.links.edit(summary.display)
        html = self.renderer.render("department_year.html", page=page)
        toc = [TocItem(anchor, title) for anchor, title in page.toc]
        out = {src: RenderedPage(html, toc, _ids(html), edit)}
        if indicators is not None and report.record.budget is not None:
            view = indicators_context(
                page, report.record.budget, link=self.router.linker(indicators), srcs=srcs,
                budget_src=src,
            )  # fmt: skip
            html = self.renderer.render("budget_indicators.html", page=view)
            toc = [TocItem(anchor, title) for anchor, title in view.toc]
            out[indicators] = RenderedPage(html, toc, _ids(html), edit)
        return out


class Site:
    """The pages of one build."""

    def __init__(
        self,
        reports: Sequence[Summary],
        options: SiteOptions,
        renderer: Renderer,
        *,
        changed: dict[str, datetime] | None = None,
        downloads: dict[str, list[Download]] | None = None,
        cache: PageCache | None = None,
    ):
        self.options = options
        self.renderer = renderer
        self.catalogue: Catalogue = build_catalogue(reports, changed)
        self.downloads = downloads or {}
        self.cache = cache if cache is not None else PageCache()
        self.records = RecordPages(options, renderer, self.cache, self.downloads.get)
        # one router, link builder and rule catalogue for every page of the build
        self.router, self.links, self.titles = self.records.router, self.records.links, self.records.titles
        self._entries = {e.src: e for e in self.catalogue.entries}
        self._entries.update(
            (pages.indicators_src(e.budget.budget_id), e)
            for e in self.catalogue.entries
            if e.budget.indicator_count
        )
        self._unpublished = {u.src: u for u in self.catalogue.unpublished}
        self._specs = {spec.src: spec for spec in self._build_specs()}
        self._bodies: dict[str, RenderedPage] = {}

    # ------------------------------------------------------------------ pages

    def specs(self) -> list[PageSpec]:
        return list(self._specs.values())

    @property
    def srcs(self) -> KeysView[str]:
        """Virtual source paths of every generated page."""
        return self._specs.keys()

    def _build_specs(self) -> list[PageSpec]:
        cat = self.catalogue
        out = [PageSpec(src, kind, title, in_nav=True) for src, kind, title in (
            (pages.REGIONS, "regions", "按地区"), (pages.YEARS, "years", "按年度"),
            (pages.COMPARE, "compare_index", "部门比较"), (pages.QUALITY, "quality", "数据质量"),
        )]  # fmt: skip
        for code, node in cat.provinces.items():
            out.append(PageSpec(pages.province_src(code), "province", node.name, code))
        for year in cat.years:
            out.append(PageSpec(pages.year_src(year), "year", f"{year}年", str(year)))
            out.append(PageSpec(pages.compare_src(year), "compare", f"{year}年部门比较", str(year)))
        for dept_id, entries in cat.departments.items():
            out.append(
                PageSpec(pages.department_src(dept_id), "department", entries[-1].name, dept_id)
            )
        for entry in cat.entries:
            b = entry.budget
            for src, title in record_titles(b).items():
                kind = "budget" if src == entry.src else "indicators"
                out.append(PageSpec(src, kind, title, b.budget_id))
        if self.options.invalid_pages:
            for item in cat.unpublished:
                out.append(PageSpec(item.src, "invalid", f"未能发布：{item.file}", item.file))
        return out

    def is_budget(self, src: str) -> bool:
        """Whether ``src`` is a page of a department-year (big; its body is cached by record).

        True for the department-year page and for its indicators page.
        """
        spec = self._specs.get(src)
        return spec is not None and spec.kind in RECORD_KINDS

    def page_key(self, src: str) -> str:
        """Equal for two builds exactly when the page's body, title and edit link are equal.

        A department-year page and its indicators page are keyed by the record
        (without rendering it); any other page by the hash of its rendered body.
        """
        spec = self._specs[src]
        if spec.kind in RECORD_KINDS:
            return "\0".join((*self._budget_key(self._entries[src], src), spec.title))
        page = self.render(src)
        text = "\0".join((page.html, spec.title, repr(page.toc), page.edit_url or ""))
        return hashlib.sha256(text.encode()).hexdigest()

    def title(self, src: str) -> str:
        """The title of generated page ``src``."""
        return self._specs[src].title

    def token(self, src: str) -> str | None:
        """:func:`page_token` of a record page (what a worker named it by); None for other pages."""
        if not self.is_budget(src):
            return None
        return page_token(self._budget_key(self._entries[src], src))

    def render(self, src: str) -> RenderedPage:
        """The body of the page with virtual source ``src``."""
        spec = self._specs[src]
        if spec.kind in RECORD_KINDS:
            return self._render_budget(self._entries[src], src)
        if src not in self._bodies:
            self._bodies[src] = self._render_other(spec)
        return self._bodies[src]

    def _render_other(self, spec: PageSpec) -> RenderedPage:
        src = spec.src
        link = self.router.linker(src)
        if spec.kind == "invalid":
            return self._render_invalid(self._unpublished[src])
        cat = self.catalogue
        match spec.kind:
            case "regions":
                html = self.renderer.render("regions.html", view=regions_view(cat, link))
            case "province":
                html = self.renderer.render(
                    "province.html", view=province_view(cat.provinces[spec.key], link)
                )
            case "years":
                html = self.renderer.render("years.html", view=years_view(cat, link))
            case "year":
                html = self.renderer.render(
                    "year.html", view=year_view(int(spec.key), cat.years[int(spec.key)], link)
                )
            case "compare_index":
                html = self.renderer.render(
                    "compare_index.html", view=compare_index_view(cat, link)
                )
            case "compare":
                html = self.renderer.render(
                    "compare.html", view=compare_view(int(spec.key), cat.years[int(spec.key)], link)
                )
            case "department":
                html = self.renderer.render(
                    "department.html", view=department_view(cat.departments[spec.key], link)
                )
            case "quality":
                view = quality_index_view(
                    cat, link, self.titles, pages_for_invalid=self.options.invalid_pages
                )
                html = self.renderer.render("quality.html", view=view)
            case _:
                raise KeyError(spec.kind)
        return RenderedPage(html, _toc(html), _ids(html))

    def render_home(self, src: str = pages.HOME) -> RenderedPage:
        """The generated block of the home page (counts, totals, chart, recent changes)."""
        view = home_view(
            self.catalogue, self.router.linker(src), recent_count=self.options.recent_count
        )
        html = self.renderer.render("home.html", view=view)
        return RenderedPage(html, _toc(html), _ids(html))

    def _budget_key(self, entry: Entry, src: str) -> tuple[str, str, str, str]:
        """The cache key of page ``src`` of the record ``entry`` (its page or its indicators page)."""
        return self.records.key(src, entry.summary.digest, entry.summary.display, entry.budget.budget_id)

    def _render_budget(self, entry: Entry, src: str) -> RenderedPage:
        """Page ``src`` of a record; both of its pages are rendered (and cached) together.

        Usually a cache hit: the validation workers render the pages of the
        records they validate (:meth:`RecordPages.prerender`).
        """
        cached = self.cache.get(self._budget_key(entry, src))
        if cached is not None:
            return cached
        return self.records.render_and_store(entry.load(), entry.summary, entry.budget)[src]

    def _render_invalid(self, item: Unpublished) -> RenderedPage:
        view = InvalidView(
            item.file, [problem_view(p, self.links) for p in item.report.problems],
            self.links.edit(item.file), self.router.linker(item.src)(pages.QUALITY, "unpublished"),
        )  # fmt: skip
        html = self.renderer.render("invalid.html", view=view)
        return RenderedPage(html, [], _ids(html), view.edit_url)


_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="headerlink"')
_TAG = re.compile(r"<[^>]+>")


def _toc(html: str) -> list[TocItem]:
    """The ``<h2>``/``<h3>`` headings of a rendered body, h3 nested under h2."""
    items: list[TocItem] = []
    for level, anchor, title in _HEADING.findall(html):
        # Kept escaped: the theme renders a table-of-contents title as HTML.
        item = TocItem(anchor, _TAG.sub("", title), int(level))
        if item.level == 3 and items and items[-1].level == 2:
            items[-1].children.append(item)
        else:
            items.append(item)
    return items
