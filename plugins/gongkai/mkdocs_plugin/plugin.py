"""Event handlers of the ``gongkai`` MkDocs plugin: wiring only.

The work is done by the core (:mod:`gongkai.site`, :mod:`gongkai.export`,
:mod:`gongkai.search`); these handlers call it at the right moment of an
MkDocs build:

* ``on_startup`` remembers whether this is ``mkdocs serve`` (the plugin object
  then lives across rebuilds);
* ``on_config`` resolves the content directory, adds the stylesheet and
  script, puts the search box in Material's header, and checks the options;
* ``on_pre_build`` (``serve`` rebuilds) moves the previous output aside;
* ``on_files`` loads and validates the records (summaries in memory, full
  records in the record store), stops the build on structural errors (unless
  ``on_invalid: page``), starts writing ``data/`` in a background process,
  and adds one in-memory page per generated page (``File.generated``) — index
  pages in the navigation, department-year pages out of it, the downloads
  pages last;
* ``on_nav`` orders the index pages when the site does not list a ``nav``;
* ``on_page_context`` fills the downloads page once the export is done (it
  is the last page written, so the others are written while the export runs);
* ``on_page_content`` swaps in the pre-rendered body (Python-Markdown never
  sees the big tables) and sets the table of contents; a department-year
  body is replaced by a placeholder until ``on_post_page``, so MkDocs does not
  hold 10,000 bodies at once;
* ``on_post_page`` puts the body back and drops the theme's indentation;
* ``on_post_build`` restores the pages a ``serve`` rebuild kept, waits for
  the downloads and runs the Pagefind index;
* ``on_serve`` watches the content directory for ``mkdocs serve``.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import TableOfContents, get_toc

from gongkai.errors import ConfigError
from gongkai.export.formats import check_formats
from gongkai.export.pages import data_dictionary_markdown, downloads_markdown
from gongkai.export.site_data import clear_primers
from gongkai.mkdocs_plugin.config import GongkaiConfig
from gongkai.mkdocs_plugin.downloads import (
    BackgroundExport,
    ExportFailed,
    ExportJob,
    lazy_records,
    prime_downloads,
    quiet_gc,
)
from gongkai.mkdocs_plugin.reuse import PageReuse, frame_fingerprint
from gongkai.package import PackageMeta
from gongkai.search import (
    TEMPLATE_EXCLUDE_SELECTORS,
    BackgroundIndex,
    IndexStats,
    SearchIndexError,
    register_theme_dir,
)
from gongkai.site import pages
from gongkai.site.budget_view import Download
from gongkai.site.build import (
    PageCache,
    PageSink,
    RecordPages,
    RenderedPage,
    Site,
    SiteOptions,
    TocItem,
    scratch_pages,
)
from gongkai.site.downloads import OPEN_DATA_PAGE, planned_downloads
from gongkai.site.history import changed_times
from gongkai.site.render import TEMPLATE_CODE, Renderer, compact_html, search_path, templates_dir
from gongkai.site.source import DiskCache, RecordHook, Summary, ValidationCache, load_reports
from gongkai.validate import RecordReport

if TYPE_CHECKING:
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page
    from mkdocs.utils.templates import TemplateContext

log = get_plugin_logger(__name__)

ASSETS = ("gongkai.css", "gongkai.js")
ASSET_DIR = "assets/gongkai"
#: Where the generated block goes in a hand-written page (else it is appended).
MARKER = "<!-- gongkai -->"
#: A department-year page's content between on_page_content and on_post_page.
#: (It mentions <h1 so that Material does not add a second title: the body has its own.)
BODY_PLACEHOLDER = "<!-- gongkai:body, which has its own <h1> -->"
#: Written after the pages by a full build; a ``serve`` rebuild keeps the first build's.
PREVIOUS_OUTPUTS = ("data", "pagefind", "pagefind-more")
#: The site's open-data folder and the two generated pages about it.
DATA_DIR = "data"
DOWNLOADS_PAGE = "downloads/index.md"
DICTIONARY_PAGE = "downloads/dictionary.md"

#: Caches that outlive one build: ``mkdocs serve`` creates a new plugin per rebuild.
_VALIDATION_CACHE = ValidationCache()
_PAGE_CACHE = PageCache()


class GongkaiPlugin(BasePlugin[GongkaiConfig]):
    """Publishes the budget records of ``content_dir`` as site pages."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.site: Site | None = None
        self.root = Path(".")
        self.content_dir = Path("content")
        #: ``"build"``, ``"gh-deploy"`` or ``"serve"`` (set by ``on_startup``).
        self.command = "build"
        #: Builds made by this plugin object: ``mkdocs serve`` keeps it across rebuilds.
        self.builds = 0
        #: The export of ``data/`` (a ``serve`` rebuild keeps the first build's).
        self.export: BackgroundExport | None = None
        #: The search index, built from the page bodies while the site is written.
        self.search: BackgroundIndex | None = None
        #: ``mkdocs serve``: pages of the previous build that an edit left unchanged.
        self.reuse = PageReuse()
        self._keys: dict[str, str] = {}
        #: The build's files (for converting the downloads page again in ``on_page_context``).
        self._files: Files | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember the command; its presence also keeps this object across ``serve`` rebuilds."""
        self.command = command

    @property
    def serving(self) -> bool:
        """A live-reloading ``mkdocs serve`` (rebuilds should redo only what changed)."""
        return self.command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        self.root = Path(config.config_file_path or ".").resolve().parent
        self.content_dir = (self.root / self.config.content_dir).resolve()
        if not self.content_dir.is_dir():
            raise PluginError(
                f"gongkai: content_dir 不存在：{self.content_dir}（在 mkdocs.yml 的 gongkai 插件选项中设置）"
            )
        for name in ASSETS:
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            if f"{ASSET_DIR}/{name}" not in [str(item) for item in target]:
                target.append(f"{ASSET_DIR}/{name}")
        if self.config.search:
            _setup_search(config)
        if self.config.search_shard_pages < 0:
            raise PluginError(
                f"gongkai: search_shard_pages 应为 0 或正整数，而不是 {self.config.search_shard_pages}"
            )
        try:
            check_formats(self.config.download_formats)
            check_formats(self.config.budget_download_formats)
        except ConfigError as exc:
            raise PluginError(f"gongkai: download_formats / budget_download_formats：{exc}") from exc
        self._package_meta(config)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """``mkdocs serve`` rebuild: move the previous output aside before MkDocs empties it."""
        if self.config.enabled and self.serving and self.builds > 0:
            self.reuse.stash(Path(config.site_dir))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        renderer = Renderer(
            search_path([config.theme.custom_dir] if config.theme.custom_dir else [])
        )
        options = _options(self.config, config)
        offered = self._offered_downloads(files)
        cache = self._page_cache()
        # The validation workers render each record's pages, and write its
        # download folder ahead of the export, while they hold it.
        records = RecordPages(options, renderer, cache, offered)
        self.search = self._new_search(config)
        if self.search is not None:
            records.sink = _staging_sink(self.search)
        job = self._export_job(config)
        primer = prime_downloads(job) if job is not None else None
        reports = load_reports(
            self.content_dir, self.root, self._validation_cache(), jobs=_jobs(self.config.jobs),
            hook=_each(records.prerender, primer),
        )  # fmt: skip
        if job is not None and job.cache_dir is not None:
            clear_primers(job.cache_dir)
        _check(reports, on_invalid=self.config.on_invalid, strict=self.config.strict)
        quiet_gc()  # the summaries and MkDocs' objects live until the build ends
        changed = changed_times(self.root, self.content_dir, [r.path for r in reports])
        self.site = Site(
            reports, options, renderer,
            changed={r.display: when for r in reports if (when := changed.get(r.path.resolve())) is not None},
            downloads={
                r.head.budget_id: offered(r.head.budget_id) or [] for r in reports if r.valid and r.head
            } if self.config.downloads else {},
            cache=cache,
        )  # fmt: skip
        self._start_downloads(job, reports)
        kept = self._plan_reuse(config)
        for spec in self.site.specs():
            if spec.src in kept:
                continue
            if files.get_file_from_path(spec.src) is None:
                inclusion = InclusionLevel.UNDEFINED if spec.in_nav else InclusionLevel.NOT_IN_NAV
                files.append(
                    File.generated(
                        config, spec.src, content=_front_matter(spec.title), inclusion=inclusion
                    )
                )
        self._start_search(files, config)
        if files.get_file_from_path(pages.HOME) is None:
            files.append(
                File.generated(
                    config, pages.HOME, content=_front_matter(config.site_name, wide=False)
                )
            )
        for name in ASSETS:
            files.append(
                File.generated(config, f"{ASSET_DIR}/{name}", content=renderer.asset(name))
            )
        if self.config.downloads:
            # Last, so that MkDocs writes the downloads page after every other page:
            # it waits for the export, which runs while the others are written.
            for src, title, text in (
                (DICTIONARY_PAGE, "数据字典", data_dictionary_markdown()),
                (DOWNLOADS_PAGE, "数据下载", ""),
            ):
                if files.get_file_from_path(src) is None:
                    files.append(File.generated(config, src, content=_front_matter(title, wide=False) + text))
        _log_summary(self.site)
        return files

    def _new_search(self, config: MkDocsConfig) -> BackgroundIndex | None:
        """The search index of this build, not started yet (``search: true``, first build only).

        Created before validation: the workers stage the pages they render
        (:func:`_staging_sink`); :meth:`_start_search` stages the rest.
        """
        if not self.config.search or (self.serving and self.builds > 0):
            return None
        shard = self.config.search_shard_pages
        return BackgroundIndex(
            Path(config.site_dir),
            exclude_selectors=TEMPLATE_EXCLUDE_SELECTORS,
            shard_pages=shard if shard > 0 else None,
        )

    def _start_search(self, files: Files, config: MkDocsConfig) -> None:
        """Stage the generated bodies the workers did not, and start Pagefind on them.

        Started after the downloads child is forked (a fork must not copy a
        running thread). Only generated pages are indexed: the hand-written
        ones carry no ``data-pagefind-body``. A page a worker staged but the
        build does not publish (a record that lost a duplicate check) is
        removed first.
        """
        search, self.search = self.search, None
        if search is None or self.site is None:
            return
        try:
            for spec in self.site.specs():
                file = files.get_file_from_path(spec.src)
                if file is None:
                    continue
                token = self.site.token(spec.src)
                if token is None or not search.take_pending(token, file.dest_uri):
                    search.stage(file.dest_uri, spec.title, self.site.render(spec.src).html)
            search.drop_pending()  # pages of records not published
        except BaseException:
            search.discard()
            raise
        search.start()
        self.search = search

    def _export_job(self, config: MkDocsConfig) -> ExportJob | None:
        """The export of ``data/`` this build runs (records added once validated); None when none.

        A ``serve`` rebuild keeps the first build's downloads.
        """
        if not self.config.downloads or (self.serving and self.builds > 0 and self.export is not None):
            return None
        return ExportJob(
            [], Path(config.site_dir) / DATA_DIR, self._package_meta(config),
            self.config.download_formats, self.config.budget_download_formats,
            cache_dir=self._cache_subdir("downloads"),
        )  # fmt: skip

    def _start_downloads(self, job: ExportJob | None, reports: list[Summary]) -> None:
        """Start writing ``data/`` in the background: ``job`` with the published records."""
        if job is None:
            return
        job.records = lazy_records(reports)
        self.export = BackgroundExport(job)
        self.export.start()

    def _package_meta(self, config: MkDocsConfig) -> PackageMeta:
        """Descriptor metadata: the defaults, the site's URL, and the ``data_package`` option."""
        options = dict(self.config.data_package)
        unknown = sorted(set(options) - {f.name for f in fields(PackageMeta)})
        if unknown:
            raise PluginError(
                f"gongkai: data_package 不认识的键：{', '.join(unknown)}"
                f"（可用：{', '.join(f.name for f in fields(PackageMeta))}）"
            )
        if config.site_url and "homepage" not in options:
            options["homepage"] = config.site_url
        return PackageMeta(**options)

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment | None:
        """The theme's templates compiled once per process (``mkdocs serve`` makes a new environment each rebuild)."""
        if self.config.enabled and env.bytecode_cache is None:
            env.bytecode_cache = TEMPLATE_CODE
        return env

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        """The downloads page: the list of written files, with their sizes.

        Waited for here, when MkDocs writes this page — the last one — rather
        than when it reads it: every other page is written while the export
        is still running. The page's Markdown gets the list and is converted
        again (content and table of contents) just before the theme renders it.
        Its HTML tables (a row per department-year: 10,000 at 10,000) go
        around Markdown (:func:`_set_aside_tables`), which would only pass
        them through, after parsing them twice.
        """
        if page.file.src_uri != DOWNLOADS_PAGE or self.export is None:
            return context
        try:
            index = self.export.join()
        except ExportFailed as exc:
            raise _export_error(exc) from exc
        listing, tables = _set_aside_tables(downloads_markdown(index, link_prefix="../", dictionary="dictionary.md"))
        page.markdown = (page.markdown or "") + listing
        page.render(config, self._files if self._files is not None else Files([]))
        page.content = _put_back_tables(page.content or "", tables)
        return context

    def on_build_error(self, *, error: Exception) -> None:
        if self.export is not None:
            self.export.cancel()
        if self.search is not None:
            self.search.discard()
            self.search = None

    def _plan_reuse(self, config: MkDocsConfig) -> set[str]:
        """``mkdocs serve``: the generated pages whose previous output is still right."""
        assert self.site is not None
        if not self.serving:
            return set()
        self._keys = {
            spec.src: self.site.page_key(spec.src) for spec in self.site.specs() if not spec.in_nav
        }
        folders = [Path(config.docs_dir), templates_dir(), *map(Path, config.theme.dirs)]
        frame = frame_fingerprint(
            Path(config.config_file_path) if config.config_file_path else None, folders
        )
        return self.reuse.plan(f"{frame}:{_options(self.config, config).fingerprint()}", self._keys)

    def _cache_subdir(self, name: str) -> Path | None:
        """``<cache_dir>/<name>`` when the cache is on and has a directory."""
        if not (self.config.cache and self.config.cache_dir):
            return None
        return (self.root / self.config.cache_dir / name).resolve()

    def _validation_cache(self) -> ValidationCache | None:
        if not self.config.cache:
            return None
        path = self._cache_subdir("records")
        if path is not None:
            if _VALIDATION_CACHE.disk is None or _VALIDATION_CACHE.disk.root != path:
                _VALIDATION_CACHE.disk = DiskCache(path)
        else:
            _VALIDATION_CACHE.disk = None
        return _VALIDATION_CACHE

    def _page_cache(self) -> PageCache:
        """Rendered pages on disk: the cache directory, else a temporary one (``cache: false``).

        On disk either way: the validation workers write the pages they render
        there, and 10,000 bodies would not fit in memory.
        """
        root = self._cache_subdir("pages")
        if root is not None:
            _PAGE_CACHE.root = root
        elif _PAGE_CACHE.root is None or not self.config.cache:
            _PAGE_CACHE.root = scratch_pages()
        return _PAGE_CACHE

    def _offered_downloads(self, files: Files) -> Callable[[str], list[Download] | None]:
        """The files a department-year's downloads box lists (none with ``downloads: false``)."""
        if not self.config.downloads:
            return lambda budget_id: None
        formats = self.config.budget_download_formats or self.config.download_formats
        about = OPEN_DATA_PAGE if files.get_file_from_path(OPEN_DATA_PAGE) else None

        def offered(budget_id: str) -> list[Download] | None:
            return planned_downloads([budget_id], formats, about=about, index=DOWNLOADS_PAGE)[budget_id]

        return offered

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Without an explicit ``nav``: the index pages at the top level, in reading order.

        MkDocs would put each in a section named after its directory
        (“Regions”); department-year pages are never in the navigation (they
        are generated not-in-nav).
        """
        self._files = files
        if self.site is None or config.nav is not None:
            return nav
        order = {src: rank for rank, src in enumerate((pages.HOME, *pages.INDEX_PAGES, DOWNLOADS_PAGE))}
        items = [_unwrap_index(item, order) for item in nav.items]
        for item in items:
            children = getattr(item, "children", None) or []
            if any(_src(child) == DOWNLOADS_PAGE for child in children):
                item.title = "数据下载"
                children.sort(key=lambda child: _src(child) != DOWNLOADS_PAGE)
        items.sort(key=lambda item: order.get(_src(item) or _section_key(item), len(order)))
        nav.items[:] = items
        return nav

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.site is None:
            return html
        src = page.file.src_uri
        if src == pages.HOME:
            return _merge(
                page, html, self.site.render_home(), generated=page.file.generated_by is not None
            )
        if src in self.site.srcs:
            rendered = self.site.render(src)
            if self.site.is_budget(src) and page.file.generated_by is not None:
                # MkDocs keeps every page's content until all are written: a
                # placeholder instead of the body keeps 10,000 pages in bounded
                # memory. The body is cached (disk) and put back in on_post_page.
                _merge(page, "", rendered, generated=True)
                return BODY_PLACEHOLDER
            return _merge(page, html, rendered, generated=page.file.generated_by is not None)
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if (
            self.site is not None
            and page.file.generated_by is not None
            and page.file.src_uri in self.site.srcs
        ):
            src = page.file.src_uri
            if self.site.is_budget(src):
                output = output.replace(BODY_PLACEHOLDER, self.site.render(src).html, 1)
            if src in self._keys:
                self.reuse.remember(src, self._keys[src], page.file.dest_uri)
            return compact_html(output)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Restore what a ``serve`` rebuild kept; write the downloads and the search index."""
        if not self.config.enabled or self.site is None:
            return
        try:
            if self.serving and self.builds > 0:
                kept = self.reuse.restore(Path(config.site_dir), PREVIOUS_OUTPUTS)
                log.info(
                    f"重建：{kept} 个未变化的页面沿用上次的输出；下载文件和搜索索引沿用首次构建的结果"
                    "（mkdocs build 会全部重新生成）"
                )
                return
            if self.export is not None:
                self.export.join()  # normally done: the downloads page waited for it
            self._index_search()
        except ExportFailed as exc:
            raise _export_error(exc) from exc
        finally:
            self.builds += 1

    def _index_search(self) -> None:
        """Wait for the Pagefind index started in ``on_files`` (``search: true``).

        Under ``mkdocs serve`` only the first build is indexed (Pagefind takes
        ~10 s at 1,000 records; a rebuild after one edit must take seconds):
        ``on_post_build`` puts that bundle back after a rebuild (``PREVIOUS_OUTPUTS``).
        """
        if self.search is None:  # search: false, or a serve rebuild
            return
        search, self.search = self.search, None
        try:
            stats = search.join()
        except SearchIndexError as exc:
            raise PluginError(
                f"gongkai: 建立搜索索引失败（检查 pagefind[extended] 是否已安装，或设置 search: false 跳过）：{exc}"
            ) from exc
        log.info(search_log_line(stats))
        if not stats.body_marked:
            log.warning("gongkai: 没有页面带 data-pagefind-body，搜索索引包含了所有页面")
        if not getattr(stats, "canonical", True):
            log.warning("gongkai: 此版本 Pagefind 的索引格式未能规范化，两次构建的搜索索引文件可能不完全相同")
        if not stats.query_segmentation_patched:
            log.warning("gongkai: 此版本 Pagefind 的中文查询分词未能调整，搜索可能漏掉结果")
        if self.serving:
            log.info(
                "mkdocs serve：只在第一次构建后建立搜索索引，之后的重新构建沿用它（重启 mkdocs serve 即可更新）"
            )

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        if self.config.enabled:
            server.watch(str(self.content_dir))
            server.watch(str(templates_dir()))
        return server


def _setup_search(config: MkDocsConfig) -> None:
    """Our header search box instead of Material's (``on_config``)."""
    material = config.plugins.get("material/search") or config.plugins.get("search")
    if material is not None and getattr(material.config, "enabled", True):
        log.warning(
            "请从 mkdocs.yml 的 plugins 中删除 search：站内搜索由 gongkai 插件提供"
            "（Material 的搜索框不会显示，它的索引却要整个下载）"
        )
    try:
        register_theme_dir(config.theme.dirs)
    except SearchIndexError as exc:
        raise PluginError(
            f"gongkai: 搜索框需要 Material 主题（theme: name: material），或设置 search: false：{exc}"
        ) from exc


#: A paragraph standing for a set-aside HTML table (letters and digits only: Markdown leaves it be).
_TABLE_MARK = "GONGKAITABLE{}END"
_HTML_TABLE = re.compile(r"^<table>\n.*?\n</table>$", re.DOTALL | re.MULTILINE)


def _set_aside_tables(markdown: str) -> tuple[str, list[str]]:
    """``markdown`` with each raw ``<table>…</table>`` block replaced by a marker paragraph.

    Python-Markdown passes a raw HTML block through unchanged, but parses it
    first (its HTML block preprocessor, then MkDocs' link checker): a third
    of a second per ``serve`` rebuild at 1,000 department-years for a table
    that comes out as it went in. :func:`_put_back_tables` restores them.
    """
    tables: list[str] = []

    def mark(match: re.Match[str]) -> str:
        tables.append(match.group(0))
        return _TABLE_MARK.format(len(tables) - 1)

    return _HTML_TABLE.sub(mark, markdown), tables


def _put_back_tables(html: str, tables: list[str]) -> str:
    """The converted page with each marker paragraph replaced by its table, as Markdown would have written it."""
    for i, table in enumerate(tables):
        marker = f"<p>{_TABLE_MARK.format(i)}</p>"
        if html.count(marker) != 1:
            raise PluginError(f"gongkai: 数据下载页面的第 {i + 1} 个表格没有原样出现在页面中")
        html = html.replace(marker, table + "\n", 1)  # Markdown leaves a blank line after a raw block
    return html


def _src(item: Any) -> str:
    file = getattr(item, "file", None)
    return file.src_uri if file is not None else ""


def _section_key(item: Any) -> str:
    """A section is ordered by its first page (the downloads section by the downloads page)."""
    children = getattr(item, "children", None) or []
    return _src(children[0]) if children else ""


def _unwrap_index(item: Any, order: dict[str, int]) -> Any:
    """A section holding only one of our index pages becomes that page."""
    children = getattr(item, "children", None)
    if children and len(children) == 1 and _src(children[0]) in order:
        children[0].parent = None
        return children[0]
    return item


def _staging_sink(search: BackgroundIndex) -> PageSink:
    """Stage each page a validation worker renders for the search index, under its token.

    The main process would otherwise read every department-year page back
    from the page cache to stage it, one page after another, between the
    workers' end and Pagefind's start (:meth:`BackgroundIndex.stage_pending`).
    """
    return search.stage_pending


def _each(*hooks: RecordHook | None) -> RecordHook:
    """One record hook calling each of ``hooks`` (the ``None`` ones left out)."""
    chosen = [hook for hook in hooks if hook is not None]

    def run(summary: Summary, report: RecordReport) -> None:
        for hook in chosen:
            hook(summary, report)

    return run


def _jobs(configured: int) -> int:
    """``jobs: 0`` means one worker per CPU (at most 8)."""
    if configured > 0:
        return configured
    return max(1, min(os.cpu_count() or 1, 8))


def _options(plugin: GongkaiConfig, config: MkDocsConfig) -> SiteOptions:
    return SiteOptions(
        directory_urls=config.use_directory_urls,
        repo_url=plugin.repo_url or config.repo_url,
        edit_uri=plugin.content_edit_uri,
        view_uri=plugin.content_view_uri,
        strict=plugin.strict,
        invalid_pages=plugin.on_invalid == "page",
        recent_count=plugin.recent_count,
    )


def _export_error(exc: ExportFailed) -> PluginError:
    """The export child failed: a bug of Gongkai's, not of the content (the records passed)."""
    return PluginError(f"gongkai: 生成下载文件失败（这是 Gongkai 的错误，请报告）：\n{exc}")


def _front_matter(title: str, *, wide: bool = True) -> str:
    """A generated page's source: its title (JSON is valid YAML) — the body comes later.

    Generated pages hide Material's left navigation: their tables need the width.
    The title is escaped: the theme puts it into the HTML as it is.
    """
    hide = "hide: [navigation]\n" if wide else ""
    # MkDocs and Material treat a page title as HTML: a department name is text.
    text = json.dumps(html.escape(title, quote=False), ensure_ascii=False)
    return f"---\ntitle: {text}\n{hide}---\n"


def _tokens(items: list[TocItem]) -> list[dict[str, Any]]:
    return [
        {"level": i.level, "id": i.id, "name": i.title, "children": _tokens(i.children)}
        for i in items
    ]


def _merge(page: Page, html: str, rendered: RenderedPage, *, generated: bool) -> str:
    """Put the rendered body into the page (replacing a generated page's empty body).

    A hand-written page keeps its own text: the body goes where it has the
    ``<!-- gongkai -->`` marker, or at its end; both tables of contents are
    merged in the order the headings appear.
    """
    if generated:
        body = rendered.html
        page.toc = get_toc(_tokens(rendered.toc))  # type: ignore[arg-type]
    else:
        body = html.replace(MARKER, rendered.html, 1) if MARKER in html else html + rendered.html
        items = list(page.toc or []) + list(get_toc(_tokens(rendered.toc)))  # type: ignore[arg-type]
        items.sort(key=lambda item: _position(body, item.id))
        page.toc = TableOfContents(items)
    page.present_anchor_ids = (page.present_anchor_ids or set()) | rendered.anchors
    if rendered.edit_url:
        page.edit_url = rendered.edit_url
    return body


def _position(body: str, anchor: str) -> int:
    found = body.find(f'id="{anchor}"')
    return found if found >= 0 else len(body)


def _check(reports: list[Any], *, on_invalid: str, strict: bool) -> None:
    """Stop the build on structural errors (``on_invalid: fail``) or, in strict mode, on findings."""
    invalid = [r for r in reports if not r.valid]
    if invalid and on_invalid == "fail":
        lines = [p.format() for r in invalid for p in r.problems]
        raise PluginError(
            f"gongkai: {len(invalid)} 个数据文件有结构错误，无法发布"
            "（修正下列错误，或设置 on_invalid: page 将其发布为错误说明页）：\n" + "\n".join(lines)
        )
    for report in invalid:
        log.warning(
            f"未能发布 {report.display}：{len(report.problems)} 个结构错误，已生成错误说明页"
        )
    if strict:
        failing = [f for r in reports if r.valid for f in r.unacknowledged_errors()]
        if failing:
            raise PluginError(
                f"gongkai: 严格模式：{len(failing)} 个未确认的会计错误：\n"
                + "\n".join(f.format() for f in failing)
            )


def _log_summary(site: Site) -> None:
    cat = site.catalogue
    findings = sum(sum(e.counts.values()) for e in cat.entries)
    log.info(
        f"{len(cat.entries)} 个部门年度预算已发布，{len(cat.unpublished)} 个未能发布；"
        f"会计校验结果 {findings} 个（不影响构建，strict: true 时未确认的错误会使构建失败）"
    )


def search_log_line(stats: IndexStats) -> str:
    """The build log's line about the search index (the benchmark reads it: bench/run_bench.py)."""
    more = stats.indicators
    # The time is every Pagefind run (the first bundle, then the second).
    return (
        f"搜索索引：{stats.pages} 个页面{_in_runs(stats)}，用时 {stats.total_seconds:.1f} 秒；{stats.files} 个文件，"
        f"共 {stats.bytes / 1024:.0f} KiB（首次查询前下载 {stats.core_bytes / 1024:.0f} KiB）"
        + (f"；随后查询的第二部分 {more.pages} 个页面{_in_runs(more)}，{more.bytes / 1024:.0f} KiB" if more else "")
    )


def _in_runs(stats: IndexStats) -> str:
    """``（分 3 批建立）`` when the bundle was indexed in shards (``search_shard_pages``)."""
    return f"（分 {stats.runs} 批建立）" if stats.runs > 1 else ""
