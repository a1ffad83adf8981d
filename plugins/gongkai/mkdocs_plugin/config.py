"""Options of the ``gongkai`` MkDocs plugin (typed and validated by MkDocs).

Every option is documented with its default and an example in
``docs/reference/plugin-options.md``; a test checks that none is missing.
"""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class GongkaiConfig(Config):
    """``plugins: - gongkai: {...}`` in ``mkdocs.yml``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off (e.g. ``enabled: !ENV [GONGKAI, true]``) to build only the hand-written pages."""

    content_dir = c.Type(str, default="content")
    """Directory of the budget YAML files, relative to ``mkdocs.yml``."""

    on_invalid = c.Choice(("fail", "page"), default="fail")
    """``fail``: a record with structural errors stops the build; ``page``: it is published as an error page."""

    strict = c.Type(bool, default=False)
    """Also fail the build on unacknowledged accounting errors (findings)."""

    repo_url = c.Optional(c.URL())
    """Repository holding the content; defaults to MkDocs' ``repo_url``."""

    content_edit_uri = c.Type(str, default="edit/main/")
    """Path from ``repo_url`` to the editor of a file (GitHub: ``edit/<branch>/``)."""

    content_view_uri = c.Type(str, default="blob/main/")
    """Path from ``repo_url`` to the view of a file (GitHub: ``blob/<branch>/``)."""

    recent_count = c.Type(int, default=10)
    """How many recently changed budgets the home page lists."""

    cache = c.Type(bool, default=True)
    """Reuse validated records, rendered pages and per-budget downloads of unchanged files (``cache_dir``)."""

    cache_dir = c.Type(str, default=".cache/plugin/gongkai")
    """Where records, pages and downloads are kept between builds, relative to ``mkdocs.yml`` (``""``: none kept)."""

    jobs = c.Type(int, default=0)
    """Worker processes for validating and rendering many records; ``0``: one per CPU, ``1``: none."""

    search = c.Type(bool, default=True)
    """Index the built site with Pagefind and put the search box in Material's header.

    Under ``mkdocs serve`` the index is built on the first build only (a rebuild
    after editing one file must stay fast); restart the server to re-index.
    """

    search_shard_pages = c.Type(int, default=1500)
    """Pages per Pagefind run: a bundle of more pages is indexed in runs of this many, one after
    the other, and merged into one bundle that searches the same (Pagefind's memory, about
    0.25 MB per page, is then bounded by the run, not the site); ``0``: one run per bundle."""

    downloads = c.Type(bool, default=True)
    """Publish the open data under ``data/`` and the pages ``downloads/`` (数据下载) and ``downloads/dictionary/`` (数据字典)."""

    download_formats = c.Optional(c.ListOfItems(c.Type(str)))
    """Formats of the whole-dataset files (default all: ``csv``, ``csv-excel``, ``json``, ``xlsx``, ``yaml``, ``sqlite``, ``zip``)."""

    budget_download_formats = c.Optional(c.ListOfItems(c.Type(str)))
    """Formats of each department-year's folder (default: ``download_formats``); e.g. ``[csv, xlsx, yaml]`` for a large site."""

    data_package = c.Type(dict, default={})
    """Metadata of the published data packages: ``title``, ``description``, ``license_name``, ``license_title``, ``license_path``, ``contributors``, ``version``, ``homepage``."""
