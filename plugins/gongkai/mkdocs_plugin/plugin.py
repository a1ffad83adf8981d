"""Event handlers of the ``gongkai`` MkDocs plugin: wiring only.

* ``on_config`` resolves the content directory and adds the stylesheet and
  script to every page;
* ``on_files`` loads and validates the records through the core, stops the
  build on structural errors (unless ``on_invalid: page``), and adds one
  in-memory page per generated page (``File.generated``) — index pages in
  the navigation, department-year pages out of it;
* ``on_nav`` orders the index pages when the site does not list a ``nav``
  (department-year pages are never in it: they are generated not-in-nav);
* ``on_page_content`` swaps in the pre-rendered body, so Python-Markdown
  never sees the big tables, and sets the page's table of contents;
* ``on_post_page`` drops the theme's indentation from generated pages (size);
* ``on_serve`` watches the content directory for ``mkdocs serve``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.toc import TableOfContents, get_toc

from gongkai.mkdocs_plugin.config import GongkaiConfig
from gongkai.site import pages
from gongkai.site.build import PageCache, RenderedPage, Site, SiteOptions, TocItem
from gongkai.site.history import changed_times
from gongkai.site.render import Renderer, compact_html, search_path, templates_dir
from gongkai.site.source import DiskCache, ValidationCache, load_reports

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)

ASSETS = ("gongkai.css", "gongkai.js")
ASSET_DIR = "assets/gongkai"
#: Where the generated block goes in a hand-written page (else it is appended).
MARKER = "<!-- gongkai -->"

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
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        reports = load_reports(
            self.content_dir, self.root, self._validation_cache(), jobs=_jobs(self.config.jobs)
        )
        _check(reports, on_invalid=self.config.on_invalid, strict=self.config.strict)
        renderer = Renderer(
            search_path([config.theme.custom_dir] if config.theme.custom_dir else [])
        )
        changed = changed_times(self.root, self.content_dir, [r.record.path for r in reports])
        self.site = Site(
            reports, _options(self.config, config), renderer,
            changed={r.record.display: changed[r.record.path.resolve()] for r in reports if r.record.path.resolve() in changed},
            cache=self._page_cache(),
        )  # fmt: skip
        for spec in self.site.specs():
            if files.get_file_from_path(spec.src) is None:
                inclusion = InclusionLevel.UNDEFINED if spec.in_nav else InclusionLevel.NOT_IN_NAV
                files.append(
                    File.generated(
                        config, spec.src, content=_front_matter(spec.title), inclusion=inclusion
                    )
                )
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
        _log_summary(self.site)
        return files

    def _validation_cache(self) -> ValidationCache | None:
        if not self.config.cache:
            return None
        if self.config.cache_dir:
            path = (self.root / self.config.cache_dir / "records").resolve()
            if _VALIDATION_CACHE.disk is None or _VALIDATION_CACHE.disk.root != path:
                _VALIDATION_CACHE.disk = DiskCache(path)
        else:
            _VALIDATION_CACHE.disk = None
        return _VALIDATION_CACHE

    def _page_cache(self) -> PageCache | None:
        if not self.config.cache:
            return None
        root = (
            (self.root / self.config.cache_dir / "pages").resolve()
            if self.config.cache_dir
            else None
        )
        _PAGE_CACHE.root = root
        return _PAGE_CACHE

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Without an explicit ``nav``: the index pages at the top level, in reading order.

        MkDocs would put each in a section named after its directory
        (“Regions”); department-year pages are never in the navigation (they
        are generated not-in-nav).
        """
        if self.site is None or config.nav is not None:
            return nav
        order = {src: rank for rank, src in enumerate((pages.HOME, *pages.INDEX_PAGES))}
        items = [_unwrap_index(item, order) for item in nav.items]
        items.sort(key=lambda item: order.get(_src(item), len(order)))
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
            return _merge(
                page, html, self.site.render(src), generated=page.file.generated_by is not None
            )
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if (
            self.site is not None
            and page.file.generated_by is not None
            and page.file.src_uri in self.site.srcs
        ):
            return compact_html(output)
        return output

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        if self.config.enabled:
            server.watch(str(self.content_dir))
            server.watch(str(templates_dir()))
        return server


def _src(item: Any) -> str:
    file = getattr(item, "file", None)
    return file.src_uri if file is not None else ""


def _unwrap_index(item: Any, order: dict[str, int]) -> Any:
    """A section holding only one of our index pages becomes that page."""
    children = getattr(item, "children", None)
    if children and len(children) == 1 and _src(children[0]) in order:
        children[0].parent = None
        return children[0]
    return item


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


def _front_matter(title: str, *, wide: bool = True) -> str:
    """A generated page's source: its title (JSON is valid YAML) — the body comes later.

    Generated pages hide Material's left navigation: their tables need the width.
    """
    hide = "hide: [navigation]\n" if wide else ""
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n{hide}---\n"


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
            f"未能发布 {report.record.display}：{len(report.problems)} 个结构错误，已生成错误说明页"
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
