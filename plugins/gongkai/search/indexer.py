"""Run Pagefind over a built site and describe the index it wrote.

Pagefind (https://pagefind.app) reads the built HTML, keeps only the pages that
carry ``data-pagefind-body`` and writes a chunked index next to them: a browser
loads ``pagefind.js``, a small WebAssembly module, one metadata file and then only
the index chunks and page fragments a query needs. The *extended* build segments
Chinese text into words at index time (and the browser side segments the query),
so ``驻村`` finds ``驻村工作队工作经费``.

We run the binary shipped by the ``pagefind[extended]`` PyPI package as a
subprocess (its Python API is an asyncio service around the same binary).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from gongkai.errors import GongkaiError
from gongkai.search.merge import MERGE_FORMAT_EXIT
from gongkai.search.stable import BundleFormatError, canonicalise_bundle

DEFAULT_OUTPUT_SUBDIR = "pagefind"
"""Where the bundle goes, relative to the site directory (the search box expects it there)."""

SECONDARY_OUTPUT_SUBDIR = "pagefind-more"
"""The second bundle: the indicators and department pages, queried after the first results."""

SECONDARY_PATTERNS = ("budgets/*/indicators/index.html", "departments/*/index.html")
"""The pages of the second bundle, relative to the site directory: each department-year's
indicators page, and each department's page (all its years). The first bundle keeps only
the department-year pages, which most queries are for: its metadata lists every page it
holds, and a browser downloads that file before any result (at 10,000 department-years,
the 2,500 department pages were 19 KB of it)."""

BUNDLES_FILE = "gongkai-bundles.json"
"""Written into the main bundle: the further bundles the search box queries after it."""

SHARD_PAGES = 1500
"""Pages per Pagefind run when a bundle has more (:class:`_Shards`): Pagefind holds
about 0.25 MB per department-year page and 0.42 MB per indicators page until it
writes (measured at 10,000 department-years), so a run stays under 0.65 GB. A
1,000-record site (1,000 and 1,250 pages) is still one run per bundle."""

DEFAULT_LANGUAGE = "zh"
"""One index for the whole site, segmented as Chinese (``--force-language zh``)."""

TEMPLATE_EXCLUDE_SELECTORS = (
    "section.gk-sec",  # the budget tables (预算表) of templates before the bar tables
    "figure",  # SVG charts, with their data tables (index and department pages)
    "table.gk-bars",  # bar-table charts, key figures
    ".gk-kf",  # key figures
    ".gk-facts",  # the facts list under the title (the identity line stays)
    ".gk-plist",  # the list of links to the projects (the projects stay)
    "#t-findings",  # validation findings
    "details.gk-data",  # coverage, transcription notes
    ".gk-downloads",
    "a.headerlink",  # the ¶ permalinks: not in result titles or excerpts
    ".gk-crumbs",  # region › prefecture › county · year: the identity line says it once
    ".gk-actions",  # links and the data file's name (content/…/…-budget.yaml)
    ".gk-lead",  # the summary sentence: amounts and shares
    ".gk-note",  # the same explanatory notes on every page
    ".gk-ind",  # “绩效指标（N 项）” links
    ".gk-gloss",  # 名词解释: the same standard definitions on every page
    ".gk-pd dt",  # the labels of a project's or goal's facts (预算数, 资金用途, …)
    ".gk-pd dd:not(.gk-s)",  # amounts, codes, spending plans; the texts carry gk-s
)
"""What nobody searches on a page of ``site_templates/gongkai/``, for ``exclude_selectors``.

The budget tables, charts and findings are most of a department-year page's text;
leaving them out halves the index and the fragments a browser loads per result.
What remains is what a reader searches for: the department's names, region,
year and stage (the title and the identity line), project and goal names (the
headings), and the texts of the purposes, goals and duties (``dd.gk-s``);
indicator names are on the indicators pages. Amounts, codes, file names,
spending plans and the boilerplate repeated on every page are left out: at
10,000 department-years they were most of the words (``资金``, ``万元``, ``00``,
``月底`` on every page, and 98,000 distinct fragments of file names), which
made the index chunks a query downloads several times larger. The shipped
templates also mark the big parts ``data-pagefind-ignore``; this list is passed
in any case, for sites that override a template (``custom_dir``).
"""

# Files of Pagefind's own search UIs: our header box uses only pagefind.js, its
# worker and the WebAssembly module, so these are removed after indexing.
_UNUSED_UI_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)

_TOTAL_RE = re.compile(r"Indexed (\d+) (pages|words|filters)")

# Pagefind 1.5 splits a Chinese query with the browser's Intl.Segmenter (ICU's
# dictionary) although it indexed the pages with jieba's: the two disagree on
# words outside ICU's dictionary, place names first (ICU: 平|乡, the index: 平乡),
# and a query then misses most pages that contain it (upstream issue
# Pagefind/pagefind#1237). Without that step, Pagefind's WebAssembly matches the
# query against the indexed words itself (驻村 → 驻 村, as the index has it), which
# is what 1.4 did. We drop "zh" from the languages the loader segments.
_QUERY_SEGMENTATION_FILES = ("pagefind.js", "pagefind-worker.js")
_SEGMENTED_LANGUAGES = r"(needsWordSegmentation\s*=\s*\(\s*\w+\s*\)\s*=>\s*\{[^{}]*?return\s*\[)"
_QUERY_SEGMENTATION_RE = re.compile(_SEGMENTED_LANGUAGES + r'\s*"zh"\s*,\s*')
_ALREADY_PATCHED_RE = re.compile(_SEGMENTED_LANGUAGES + r'\s*"ja"')


class SearchIndexError(GongkaiError):
    """Pagefind is missing, failed, or was asked to do something unsafe."""


@dataclass(frozen=True)
class IndexStats:
    """What :func:`index_site` built.

    Attributes:
        pages: Pages in the index (all languages).
        languages: Pages per index language, e.g. ``{"zh": 1000}``.
        words: Distinct words indexed, as Pagefind reported them (None if not reported).
        filters: Filters indexed (``province``, ``year``, ``stage`` → 3), or None.
        files: Files in the bundle directory after pruning.
        bytes: Total size of the bundle directory.
        core_bytes: What a browser loads before it can run any query: ``pagefind.js``,
            ``pagefind-entry.json``, the WebAssembly module and the language's
            metadata file (which grows with the number of pages). A query adds its
            index chunks and one fragment per result shown; the header box does not
            use ``pagefind-worker.js`` unless configured to (41 KB more).
        index_chunks: Number of word-index chunks (``index/*.pf_index``).
        max_index_chunk_bytes: Largest word-index chunk.
        mean_fragment_bytes: Mean size of a page fragment (``fragment/*.pf_fragment``).
        seconds: Wall time of the Pagefind run (in shards: of every run, and of waiting for their merge).
        cpu_seconds: CPU time (user + system, all threads) of the Pagefind run;
            unlike ``seconds``, it does not grow when other processes share the CPUs.
        bundle_dir: The bundle directory (``site_dir / output_subdir``).
        version: Pagefind's version, from ``pagefind-entry.json``.
        body_marked: Some page has ``data-pagefind-body``, so only such pages are
            indexed; False means Pagefind indexed every page's ``<body>`` (the
            templates lack the attribute — the plugin should warn).
        query_segmentation_patched: The browser side matches Chinese queries
            against the indexed words instead of re-segmenting them with
            ``Intl.Segmenter`` (see ``patch_query_segmentation``); False if this
            Pagefind's loader no longer has the code to change.
        canonical: The filter indexes and the metadata file were rewritten in a
            canonical order (see :mod:`gongkai.search.stable`), so the bundle is
            the same bytes on every build of the same site; False if not asked
            for or if this Pagefind's files have a format that module does not know.
        output: Pagefind's console output, for a debug log.
        runs: Pagefind runs that made the bundle: 1, or the shards merged into it
            (``shard_pages``).
        indicators: The second bundle (indicators and department pages, ``pagefind-more/``),
            described the same way, or None when there is none (no such pages,
            a custom ``glob``, or ``secondary_subdir=None``). All fields above
            describe the main bundle only, except ``query_segmentation_patched`` and
            ``canonical``, which hold for both bundles.
    """

    pages: int
    languages: dict[str, int]
    words: int | None
    filters: int | None
    files: int
    bytes: int
    core_bytes: int
    index_chunks: int
    max_index_chunk_bytes: int
    mean_fragment_bytes: int
    seconds: float
    bundle_dir: Path
    version: str
    cpu_seconds: float | None = None
    runs: int = 1
    body_marked: bool = False
    query_segmentation_patched: bool = False
    canonical: bool = False
    output: str = field(default="", repr=False)
    indicators: IndexStats | None = None

    @property
    def total_seconds(self) -> float:
        """Wall time of every Pagefind run, both bundles (and merging the shards' bundles)."""
        return self.seconds + (self.indicators.seconds if self.indicators else 0.0)

    def summary(self) -> str:
        """One line for the build log."""
        line = (
            f"search: indexed {self.pages} pages in {self.total_seconds:.1f} s; "
            f"{self.files} files, {self.bytes / 1024:.0f} KiB "
            f"({self.core_bytes / 1024:.0f} KiB before the first query)"
        )
        if self.indicators is not None:
            line += (
                f"; then {self.indicators.pages} indicators and department pages: {self.indicators.files} files, "
                f"{self.indicators.bytes / 1024:.0f} KiB"
            )
        return line


def find_pagefind(*, require_extended: bool = True) -> Path:
    """The Pagefind binary: ``PAGEFIND_BINARY_PATH``, else the one from PyPI.

    Args:
        require_extended: Refuse a binary that is not the extended build (the plain
            build does not segment Chinese, so ``驻村`` would not find ``驻村工作队``).

    Returns:
        The path of the executable.

    Raises:
        SearchIndexError: No binary, or not the extended one.
    """
    try:
        from pagefind.service import get_executable
    except ImportError:  # pragma: no cover - depends on the environment
        get_executable = None  # type: ignore[assignment]
    exe = get_executable() if get_executable is not None else None
    if exe is None:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        exe = Path(found) if found else None
    if exe is None:
        raise SearchIndexError(
            "Pagefind is not installed: pip install 'pagefind[extended]>=1.5,<2'"
        )
    if require_extended and "extended" not in exe.name:
        raise SearchIndexError(
            f"{exe} is not Pagefind's extended build, which Chinese search needs: "
            "pip install 'pagefind[extended]>=1.5,<2'"
        )
    return exe


def index_site(
    site_dir: Path,
    *,
    output_subdir: str = DEFAULT_OUTPUT_SUBDIR,
    root_selector: str | None = None,
    exclude_selectors: Sequence[str] = (),
    glob: str | None = None,
    secondary_subdir: str | None = SECONDARY_OUTPUT_SUBDIR,
    force_language: str | None = DEFAULT_LANGUAGE,
    keep_index_url: bool = False,
    prune_ui: bool = True,
    fix_query_segmentation: bool = True,
    canonical: bool = True,
    executable: Path | None = None,
    timeout: float | None = None,
    source_dir: Path | None = None,
    shard_pages: int | None = SHARD_PAGES,
) -> IndexStats:
    """Index a built site with Pagefind's extended build.

    Only pages with a ``data-pagefind-body`` element are indexed once any page has
    one; filters come from ``data-pagefind-filter`` and the result title from
    ``data-pagefind-meta="title"`` (else the first ``h1``). A stale bundle from an
    earlier build (``--dirty``) is removed first. Two runs of Pagefind when the
    site has indicators or department pages: the main bundle and ``secondary_subdir``.

    Args:
        site_dir: The built site (MkDocs ``site_dir``).
        output_subdir: Bundle directory relative to ``site_dir``; a relative POSIX
            path without ``..``. The search box expects ``pagefind``.
        root_selector: Treat this element as the document root (Pagefind's
            ``--root-selector``); usually leave None and mark ``data-pagefind-body``.
        exclude_selectors: CSS selectors whose elements are not indexed.
        glob: Which HTML files to read, relative to ``site_dir`` (default all). Given,
            everything it matches goes into one bundle (no second bundle).
        secondary_subdir: Where the second bundle goes: the indicators and department
            pages (``SECONDARY_PATTERNS``) are indexed there, separately from the
            department-year pages, so the main bundle a browser loads before the
            first results stays small; the search box queries it after showing
            those results. None, or a site without such pages: one bundle.
        force_language: One index in this language whatever ``<html lang>`` says
            (``zh`` segments Chinese); None indexes each page language separately.
        keep_index_url: Keep ``index.html`` at the end of result URLs.
        prune_ui: Remove Pagefind's own UI files, which the header box does not use.
        fix_query_segmentation: Let Pagefind match Chinese queries against the
            indexed words rather than split them with the browser's
            ``Intl.Segmenter`` first (without it, ``平乡`` misses pages; see
            :func:`patch_query_segmentation`).
        canonical: Rewrite the files Pagefind writes in hash-map order (filter
            indexes, metadata) in a fixed order, so that two builds of the same
            site give the same bytes (:func:`gongkai.search.stable.canonicalise_bundle`).
        executable: The Pagefind binary; default :func:`find_pagefind`.
        timeout: Seconds before the run is killed; None waits.
        source_dir: Read the HTML from this directory instead of ``site_dir``: a
            staging copy of the pages to index at the paths they have in the site
            (:func:`gongkai.search.staging.stage_page`), so indexing can run while
            the site is still being written. The bundles still go into ``site_dir``.
        shard_pages: A bundle of more pages is indexed in runs of at most this many,
            one after the other, and the runs' bundles merged into one: Pagefind's
            memory is bounded by the run, not the site (:class:`_Shards`). None:
            one run per bundle whatever its size. Not used with ``glob``.

    Returns:
        Sizes, counts and timing of the bundle.

    Raises:
        SearchIndexError: Bad arguments, no Pagefind, or Pagefind failed.
    """
    site_dir = Path(site_dir).resolve()
    if not site_dir.is_dir():
        raise SearchIndexError(f"site directory {site_dir} does not exist")
    pages_dir = Path(source_dir).resolve() if source_dir is not None else site_dir
    if not pages_dir.is_dir():
        raise SearchIndexError(f"source directory {pages_dir} does not exist")
    subdir = _check_subdir(output_subdir)
    bundle_dir = site_dir.joinpath(*subdir.parts)
    _remove_bundle(bundle_dir)
    second: PurePosixPath | None = None
    second_dir: Path | None = None
    if secondary_subdir is not None:
        second = _check_subdir(secondary_subdir)
        if second == subdir:
            raise SearchIndexError("secondary_subdir must differ from output_subdir")
        second_dir = site_dir.joinpath(*second.parts)
        _remove_bundle(second_dir)
    (bundle_dir / BUNDLES_FILE).unlink(missing_ok=True)

    exe = executable or find_pagefind()
    options: list[str] = []
    if root_selector:
        options += ["--root-selector", root_selector]
    if exclude_selectors:
        options += ["--exclude-selectors", ",".join(exclude_selectors)]
    if force_language:
        options += ["--force-language", force_language]
    if keep_index_url:
        options.append("--keep-index-url")

    secondary_pages = (
        sorted(p for pattern in SECONDARY_PATTERNS for p in pages_dir.glob(pattern))
        if second is not None and glob is None
        else []
    )
    if shard_pages is not None and shard_pages < 1:
        raise SearchIndexError(f"shard_pages must be at least 1, not {shard_pages}")
    shards = _Shards(exe, pages_dir, options, timeout, shard_pages)
    if secondary_pages:
        assert second is not None and second_dir is not None
        excluded = set(secondary_pages)
        main_pages = [p for p in _html_files(pages_dir, (bundle_dir, second_dir)) if p not in excluded]
        main_glob = _glob_of(pages_dir, main_pages, excluded)
        finish_main = shards.start(bundle_dir, main_glob, main_pages)
        second_glob = "{" + ",".join(SECONDARY_PATTERNS) + "}"
        finish_extra = shards.start(second_dir, second_glob, secondary_pages)  # while the first merges
        main, extra = finish_main(), finish_extra()
    else:
        every_page = _html_files(pages_dir, (bundle_dir,)) if glob is None else None
        main = shards.start(bundle_dir, glob, every_page)()
        extra = None

    stats = _finish(bundle_dir, main, prune_ui, fix_query_segmentation, canonical)
    more = None
    if extra is not None:
        assert second is not None and second_dir is not None
        more = _finish(second_dir, extra, prune_ui, fix_query_segmentation, canonical)
    # The search box reads this after the first results, to know what else to query
    # (written even when empty: a missing file would be a 404 in the console).
    listed = [second.as_posix() + "/"] if more is not None and second is not None else []
    (bundle_dir / BUNDLES_FILE).write_text(json.dumps({"more": listed}) + "\n", encoding="utf-8")
    extra_bytes = _size(bundle_dir / BUNDLES_FILE)
    if more is None:
        return replace(stats, files=stats.files + 1, bytes=stats.bytes + extra_bytes)
    return replace(
        stats,
        files=stats.files + 1,
        bytes=stats.bytes + extra_bytes,
        indicators=more,
        query_segmentation_patched=stats.query_segmentation_patched
        and more.query_segmentation_patched,
        canonical=stats.canonical and more.canonical,
    )


def _check_subdir(output_subdir: str) -> PurePosixPath:
    subdir = PurePosixPath(output_subdir)
    if (
        not output_subdir
        or subdir.is_absolute()
        or ".." in subdir.parts
        or subdir == PurePosixPath(".")
    ):
        raise SearchIndexError(
            f"output_subdir must be a relative path inside the site, not {output_subdir!r}"
        )
    return subdir


def _remove_bundle(bundle_dir: Path) -> None:
    """A stale bundle of an earlier build (only a directory Pagefind wrote)."""
    if (bundle_dir / "pagefind-entry.json").is_file():
        shutil.rmtree(bundle_dir)


_GLOB_SPECIAL = re.compile(r"([\\*?\[\]{}<>(),!:#~])")


def _glob_of(site_dir: Path, pages: Sequence[Path], excluded: set[Path]) -> str:
    """A ``--glob`` for ``pages``: the site's HTML files except ``excluded`` (and the bundles).

    Pagefind has no exclusion option, so the glob lists what to read: a top-level
    directory without excluded files as ``dir/**/*.html``; under ``budgets/`` one
    pattern per path shape with the record directory as ``*`` (``budgets/*/index.html``);
    other files literally.
    """
    patterns: set[str] = set()
    excluded_tops = {p.relative_to(site_dir).parts[0] for p in excluded}
    for path in pages:
        parts = path.relative_to(site_dir).parts
        if len(parts) == 1:
            patterns.add(_GLOB_SPECIAL.sub(r"\\\1", parts[0]))
        elif parts[0] not in excluded_tops:
            patterns.add(_GLOB_SPECIAL.sub(r"\\\1", parts[0]) + "/**/*.html")
        elif parts[0] == "budgets" and len(parts) >= 3:
            rest = "/".join(_GLOB_SPECIAL.sub(r"\\\1", p) for p in parts[2:])
            patterns.add(f"budgets/*/{rest}")  # never indicators/index.html: excluded
        else:
            patterns.add("/".join(_GLOB_SPECIAL.sub(r"\\\1", p) for p in parts))
    if not patterns:
        return "**/*.{html}"
    return "{" + ",".join(sorted(patterns)) + "}"


def _html_files(site_dir: Path, bundles: Sequence[Path]) -> list[Path]:
    """The HTML files under ``site_dir`` outside the bundle directories, in path order."""
    return sorted(
        path
        for path in site_dir.rglob("*.html")
        if not any(b == path or b in path.parents for b in bundles)
    )


@dataclass
class _Run:
    output: str
    seconds: float
    cpu_seconds: float | None
    runs: int = 1


@dataclass(frozen=True)
class _Shards:
    """Runs Pagefind over a page set, in shards of at most ``size`` pages when it is larger.

    Pagefind keeps every page it indexes in memory until it writes the bundle
    (about 0.25 MB per department-year page); a shard bounds that. The shards'
    bundles are merged into one (:func:`gongkai.search.merge.merge_bundles`),
    which searches as one run's would; a page set of at most ``size`` pages,
    or ``size`` None, is one run, as before.

    :meth:`start` returns once the bundle's Pagefind runs are done; the merge
    then runs in a child process (Python's CPU, outside the build's process)
    while the next bundle's Pagefind runs, and the returned function waits for it.
    """

    exe: Path
    pages_dir: Path
    options: Sequence[str]
    timeout: float | None
    size: int | None

    def start(self, bundle_dir: Path, glob: str | None, pages: Sequence[Path] | None) -> Callable[[], _Run]:
        """Index ``pages`` (matched by ``glob``; None: what ``glob`` matches, one run) into ``bundle_dir``."""
        indexed = _with_body(pages) if self.size is not None and pages is not None and len(pages) > self.size else []
        if self.size is None or len(indexed) <= self.size:
            run = _run(self.exe, self.pages_dir, bundle_dir, self.options, glob, self.timeout)
            return lambda: run
        work = Path(tempfile.mkdtemp(prefix=".gongkai-search-", dir=self.pages_dir.parent))
        existed = bundle_dir.exists()
        try:
            runs, bundles = self._index_shards(indexed, work)
            merging = _Merging(bundles, bundle_dir, work, self.timeout)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise

        def finish() -> _Run:
            try:
                return _merged_run(runs, merging.result(), self.size or 0)
            except BundleFormatError:  # a Pagefind release with another format: one run, as before
                if existed:
                    _remove_bundle(bundle_dir)
                else:  # all the merge's, even half-written
                    shutil.rmtree(bundle_dir, ignore_errors=True)
                return _run(self.exe, self.pages_dir, bundle_dir, self.options, glob, self.timeout)
            finally:
                shutil.rmtree(work, ignore_errors=True)

        return finish

    def _index_shards(self, pages: Sequence[Path], work: Path) -> tuple[list[_Run], list[Path]]:
        """One Pagefind run per shard, one after the other; their bundles."""
        assert self.size is not None
        runs: list[_Run] = []
        bundles: list[Path] = []
        for number, first in enumerate(range(0, len(pages), self.size)):
            shard_dir = work / f"pages-{number}"
            _link_pages(self.pages_dir, pages[first : first + self.size], shard_dir)
            bundles.append(work / f"bundle-{number}")
            runs.append(_run(self.exe, shard_dir, bundles[-1], self.options, None, self.timeout))
            shutil.rmtree(shard_dir)
        return runs, bundles


class _Merging:
    """:func:`gongkai.search.merge.main` over the shards' bundles in a child process, waited for on a thread."""

    def __init__(self, bundles: Sequence[Path], bundle_dir: Path, work: Path, timeout: float | None) -> None:
        self._done: list[_Finished] = []
        self._error: list[BaseException] = []
        cmd = _merge_command(bundle_dir, bundles)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
        self._thread = threading.Thread(target=self._wait, args=(cmd, work, env, timeout), daemon=True)
        self._thread.start()

    def _wait(self, cmd: list[str], work: Path, env: dict[str, str], timeout: float | None) -> None:
        try:
            self._done.append(_run_measured(cmd, work, env, timeout))
        except BaseException as exc:  # noqa: BLE001 - handed to result()
            self._error.append(exc)

    def result(self) -> tuple[dict[str, Any], float, float | None]:
        """The merge's statistics, the seconds waited for it here and its CPU seconds.

        The wait, not the merge's whole wall time: a merge that ran while the
        next bundle's Pagefind runs did cost the build no time.

        Raises:
            BundleFormatError: The shards are in a format the merge does not know.
            SearchIndexError: The merge failed or ran out of time.
        """
        waited = time.perf_counter()
        self._thread.join()
        waited = time.perf_counter() - waited
        if self._error:
            error = self._error[0]
            if isinstance(error, subprocess.TimeoutExpired):
                raise SearchIndexError(f"merging the search index shards did not finish within {error.timeout} s")
            raise SearchIndexError(f"cannot merge the search index shards: {error}") from error
        done = self._done[0]
        if done.returncode == MERGE_FORMAT_EXIT:
            raise BundleFormatError(done.output.strip())
        if done.returncode != 0:
            tail = "\n".join(done.output.strip().splitlines()[-15:])
            raise SearchIndexError(f"merging the search index shards failed (exit {done.returncode}):\n{tail}")
        stats = [line for line in done.output.splitlines() if line.startswith('{"pages": ')]
        if not stats:
            raise SearchIndexError(f"merging the search index shards printed no result:\n{done.output.strip()}")
        return json.loads(stats[-1]), waited, done.cpu_seconds


#: Where ``gongkai`` is imported from, for the merge's child process.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def _merge_command(bundle_dir: Path, bundles: Sequence[Path]) -> list[str]:
    """:func:`gongkai.search.merge.main` in a fresh interpreter (not ``-m``: the package imports the module first)."""
    code = "import sys; from gongkai.search.merge import main; sys.exit(main())"
    return [sys.executable, "-c", code, str(bundle_dir), *map(str, bundles)]


def _merged_run(runs: Sequence[_Run], merged: tuple[dict[str, Any], float, float | None], size: int) -> _Run:
    """The shards' runs and their merge, as one :class:`_Run` (the totals last, as Pagefind prints them)."""
    stats, merge_seconds, merge_cpu = merged
    output = "".join(r.output for r in runs) + (
        f"Merged {len(runs)} runs of at most {size} pages:\n"
        f"  Indexed {stats['pages']} pages\n  Indexed {stats['words']} words\n  Indexed {stats['filters']} filters\n"
    )
    cpu = [r.cpu_seconds for r in runs] + [merge_cpu]
    total_cpu = None if None in cpu else sum(c for c in cpu if c is not None)
    return _Run(output, sum(r.seconds for r in runs) + merge_seconds, total_cpu, runs=len(runs))


def _with_body(pages: Sequence[Path]) -> list[Path]:
    """The pages Pagefind indexes: those with ``data-pagefind-body`` if any has one, else all.

    A shard must be given the same choice as the whole set: Pagefind run over
    a shard without such a page would index its pages whole.
    """
    marked = [p for p in pages if b"data-pagefind-body" in p.read_bytes()]
    return marked or list(pages)


def _link_pages(pages_dir: Path, pages: Sequence[Path], shard_dir: Path) -> None:
    """The shard's pages at their paths under ``shard_dir`` (hard links; copies across file systems)."""
    for page in pages:
        target = shard_dir / page.relative_to(pages_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(page, target)
        except OSError:
            shutil.copyfile(page, target)


def _run(
    exe: Path,
    pages_dir: Path,
    bundle_dir: Path,
    options: Sequence[str],
    glob: str | None,
    timeout: float | None,
) -> _Run:
    """One Pagefind run: the HTML under ``pages_dir`` into the bundle ``bundle_dir`` (absolute)."""
    cmd = [str(exe), "--site", str(pages_dir), "--output-path", str(bundle_dir), *options]
    if glob:
        cmd += ["--glob", glob]
    # Pagefind also reads pagefind.{yml,toml,json} from its working directory and
    # PAGEFIND_* variables: run it in an empty directory with only our options.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gongkai-pagefind-") as cwd:
        try:
            finished = _run_measured(cmd, Path(cwd), env, timeout)
        except subprocess.TimeoutExpired as exc:
            raise SearchIndexError(f"Pagefind did not finish within {timeout} s") from exc
        except OSError as exc:
            raise SearchIndexError(f"cannot run Pagefind ({exe}): {exc}") from exc
    seconds = time.perf_counter() - started
    cpu_seconds = finished.cpu_seconds
    output = finished.output
    if finished.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise SearchIndexError(f"Pagefind failed (exit {finished.returncode}):\n{tail}")
    entry_path = bundle_dir / "pagefind-entry.json"
    if not entry_path.is_file():
        raise SearchIndexError(f"Pagefind wrote no {entry_path}:\n{output.strip()}")
    return _Run(output, seconds, cpu_seconds)


def _finish(
    bundle_dir: Path, run: _Run, prune_ui: bool, fix_query_segmentation: bool, canonical: bool
) -> IndexStats:
    if prune_ui:
        for name in _UNUSED_UI_FILES:
            (bundle_dir / name).unlink(missing_ok=True)
    patched = patch_query_segmentation(bundle_dir) if fix_query_segmentation else False
    stable = canonicalise_bundle(bundle_dir) if canonical else False
    stats = _describe(bundle_dir, bundle_dir / "pagefind-entry.json", run.seconds, run.output)
    return replace(
        stats,
        query_segmentation_patched=patched,
        canonical=stable,
        cpu_seconds=run.cpu_seconds,
        runs=run.runs,
    )


def patch_query_segmentation(bundle_dir: Path) -> bool:
    """Stop the browser side from re-segmenting Chinese queries with ICU.

    Edits one expression in ``pagefind.js`` and ``pagefind-worker.js``: the list
    of languages whose queries go through ``Intl.Segmenter`` loses ``"zh"``.
    Idempotent.

    Args:
        bundle_dir: A Pagefind bundle directory.

    Returns:
        True if both files now leave Chinese queries to Pagefind's own matching;
        False if a file no longer has the expression (a Pagefind release changed
        it: check the browser tests, then this function).
    """
    ok = True
    for name in _QUERY_SEGMENTATION_FILES:
        path = bundle_dir / name
        if not path.is_file():
            ok = False
            continue
        text = path.read_text(encoding="utf-8")
        new, count = _QUERY_SEGMENTATION_RE.subn(r"\1", text, count=1)
        if count:
            path.write_text(new, encoding="utf-8")
        elif not _ALREADY_PATCHED_RE.search(text):
            ok = False
    return ok


def _describe(bundle_dir: Path, entry_path: Path, seconds: float, output: str) -> IndexStats:
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    languages_raw: dict[str, dict[str, object]] = entry.get("languages", {})
    languages = {lang: int(str(info.get("page_count", 0))) for lang, info in languages_raw.items()}

    # Before the first query a browser loads the loader and the entry file, then
    # the WebAssembly module and metadata of one language (the largest bounds it).
    shared = sum(_size(bundle_dir / n) for n in ("pagefind.js", "pagefind-entry.json"))
    per_language = [
        _size(
            bundle_dir
            / (f"wasm.{info['wasm']}.pagefind" if info.get("wasm") else "wasm.unknown.pagefind")
        )
        + _size(bundle_dir / f"pagefind.{info.get('hash')}.pf_meta")
        for info in languages_raw.values()
    ]
    core_bytes = shared + max(per_language, default=0)

    files = [p for p in bundle_dir.rglob("*") if p.is_file()]
    chunks = [p.stat().st_size for p in (bundle_dir / "index").glob("*.pf_index")]
    fragments = [p.stat().st_size for p in (bundle_dir / "fragment").glob("*.pf_fragment")]
    totals: dict[str, int] = {}
    for match in _TOTAL_RE.finditer(output):
        totals[match.group(2)] = int(match.group(1))  # the last one is the total
    return IndexStats(
        pages=sum(languages.values()),
        languages=languages,
        words=totals.get("words"),
        filters=totals.get("filters"),
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        core_bytes=core_bytes,
        index_chunks=len(chunks),
        max_index_chunk_bytes=max(chunks, default=0),
        mean_fragment_bytes=sum(fragments) // len(fragments) if fragments else 0,
        seconds=seconds,
        bundle_dir=bundle_dir,
        version=str(entry.get("version", "")),
        body_marked="Found a data-pagefind-body element" in output,
        output=output,
    )


@dataclass
class _Finished:
    returncode: int
    output: str  # stdout, then stderr
    cpu_seconds: float | None


def _run_measured(cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout: float | None) -> _Finished:
    """Run ``cmd`` to its end and measure the CPU of that process alone.

    The difference of ``RUSAGE_CHILDREN`` around a ``subprocess.run`` also
    counted any other child that ended meanwhile (a validation worker, the
    export), so a 6.6 s Pagefind run was once logged at 15.1 s. Reaping the
    process with ``os.wait4`` gives its own user + system time, all threads
    included. Output goes to temporary files, read once the process is gone.
    Where there is no ``os.wait4`` (Windows) the CPU is not measured.
    """
    if not hasattr(os, "wait4"):  # pragma: no cover - not POSIX
        done = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, timeout=timeout, check=False)
        text = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
        return _Finished(done.returncode, text, None)
    with tempfile.TemporaryFile(dir=cwd) as out, tempfile.TemporaryFile(dir=cwd) as err:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err)
        reaped: list[tuple[int, int, Any]] = []  # (pid, status, resource.struct_rusage)
        waiter = threading.Thread(target=lambda: reaped.append(os.wait4(proc.pid, 0)), daemon=True)
        waiter.start()
        waiter.join(timeout)
        if not reaped:
            proc.kill()
            waiter.join()
            proc.returncode = -9
            raise subprocess.TimeoutExpired(list(cmd), timeout or 0.0)
        _, status, usage = reaped[0]
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8", "replace") + err.read().decode("utf-8", "replace")
    return _Finished(proc.returncode, text, usage.ru_utime + usage.ru_stime)


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0
