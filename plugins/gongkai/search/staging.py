"""Index the pages while the site is still being written.

Pagefind reads HTML files, and a site generator writes its pages last: run
after the build, indexing is a long single-threaded tail (15 s of 49 s at
1,000 department-years) while the other core idles. But the part of a page
that is indexed — the ``data-pagefind-body`` element, with its title meta,
filters and heading anchors — is the body Gongkai renders itself, before the
theme wraps it. So the front end writes each generated body into a staging
directory, at the path the page will have in the site (:func:`stage_page`),
as soon as it has it, and :class:`BackgroundIndex` runs Pagefind over that
directory on a thread while the site generator writes the real pages. The
index is the same as one built from the finished site: the theme's frame
around a body carries no ``data-pagefind-body`` and is never indexed.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from gongkai.search.indexer import IndexStats, SearchIndexError, index_site


def page_document(title: str, body: str) -> str:
    """A minimal HTML document around a rendered body (what Pagefind reads of it)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(title, quote=False)}</title></head>"
        f"<body>{body}</body></html>\n"
    )


def stage_page(root: Path, dest_uri: str, title: str, body: str) -> Path:
    """Write one page's body under ``root`` at its site path ``dest_uri`` (e.g. ``budgets/x/index.html``).

    Raises:
        SearchIndexError: ``dest_uri`` is not a relative path inside ``root``.
    """
    relative = PurePosixPath(dest_uri)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise SearchIndexError(f"page path {dest_uri!r} is not inside the site")
    path = root.joinpath(*relative.parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_document(title, body), encoding="utf-8")
    return path


class BackgroundIndex:
    """Pagefind over a staging directory on a thread; the bundles go into the site.

    The thread only waits for the Pagefind process, so it costs the build's
    own process nothing. :meth:`join` returns the bundle's statistics or
    raises what the run raised; the staging directory is removed either way.
    """

    def __init__(
        self,
        site_dir: Path,
        *,
        indexer: Callable[..., IndexStats] = index_site,
        **options: object,
    ) -> None:
        self.site_dir = Path(site_dir)
        self.staging = Path(tempfile.mkdtemp(prefix="gongkai-search-"))
        self._indexer = indexer
        self._options = options
        self._thread: threading.Thread | None = None
        self._stats: IndexStats | None = None
        self._error: BaseException | None = None

    def stage(self, dest_uri: str, title: str, body: str) -> None:
        """Add one page (before :meth:`start`)."""
        stage_page(self.staging, dest_uri, title, body)

    def start(self) -> None:
        """Start indexing what has been staged."""
        self.site_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="gongkai-pagefind", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._stats = self._indexer(self.site_dir, source_dir=self.staging, **self._options)
        except BaseException as exc:  # noqa: BLE001 - handed to join()
            self._error = exc
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def join(self) -> IndexStats:
        """Wait for the index; its statistics, or the run's error."""
        if self._thread is None:
            self.start()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._stats is not None
        return self._stats

    def discard(self) -> None:
        """Drop a run that will not be used (a failed build): wait for it, keep nothing."""
        if self._thread is not None:
            self._thread.join()
        shutil.rmtree(self.staging, ignore_errors=True)
