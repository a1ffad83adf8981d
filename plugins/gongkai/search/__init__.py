"""Site search for Gongkai: a Pagefind index and one search box in Material's header.

A plain library (no MkDocs import), used by the MkDocs plugin in two places:

* :func:`register_theme_dir` puts :func:`theme_dir` into the theme's template
  directories (``on_config``): it overrides Material's ``partials/header.html`` so
  that the header shows *our* search box (``partials/gongkai-search.html``), and
  MkDocs copies its ``assets/gongkai-search/`` (JS and CSS) into the site;
* :func:`index_site` runs Pagefind's extended build (Chinese word segmentation)
  over the built site and returns :class:`IndexStats`;
* :class:`BackgroundIndex` runs it on a thread over a staging copy of the
  generated page bodies (``on_files``), so indexing overlaps the writing of the
  site; the plugin waits for it in ``on_post_build``.

See ``README.md`` in this package for the attributes the page templates carry.
"""

from __future__ import annotations

from gongkai.search.indexer import (
    DEFAULT_LANGUAGE,
    DEFAULT_OUTPUT_SUBDIR,
    TEMPLATE_EXCLUDE_SELECTORS,
    IndexStats,
    SearchIndexError,
    find_pagefind,
    index_site,
    patch_query_segmentation,
)
from gongkai.search.stable import canonicalise_bundle
from gongkai.search.staging import BackgroundIndex, page_document, stage_page
from gongkai.search.theme import (
    SEARCH_PARTIAL,
    header_override_from,
    register_theme_dir,
    theme_dir,
)

__all__ = [
    "BackgroundIndex",
    "DEFAULT_LANGUAGE",
    "DEFAULT_OUTPUT_SUBDIR",
    "SEARCH_PARTIAL",
    "TEMPLATE_EXCLUDE_SELECTORS",
    "IndexStats",
    "SearchIndexError",
    "canonicalise_bundle",
    "find_pagefind",
    "header_override_from",
    "index_site",
    "page_document",
    "patch_query_segmentation",
    "register_theme_dir",
    "stage_page",
    "theme_dir",
]
