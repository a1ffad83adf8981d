"""Which pages the site has, and where they live.

Every generated page has a virtual Markdown source path (``budgets/<id>.md``)
from which the front end derives the URL, exactly as MkDocs does for files in
``docs/``: ``budgets/<id>/`` with directory URLs, ``budgets/<id>.html``
without. URLs are built only from validated ids — a budget id is an admin
code, a department code ``[0-9A-Za-z]``, a year and a stage — and checked
again here, so no record text can ever reach a path.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

#: Checked with ``fullmatch``: ``$`` would also accept a final newline (``"101\n"``).
SAFE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*")

HOME = "index.md"
REGIONS = "regions/index.md"
YEARS = "years/index.md"
COMPARE = "compare/index.md"
QUALITY = "quality/index.md"

#: The index pages that belong in the navigation, with their default titles.
INDEX_PAGES = {REGIONS: "按地区", YEARS: "按年度", COMPARE: "部门比较", QUALITY: "数据质量"}


def _safe(value: str | int) -> str:
    text = str(value)
    if not SAFE_ID.fullmatch(text):
        raise ValueError(f"unsafe id for a URL: {text!r}")
    return text


def budget_src(budget_id: str) -> str:
    return f"budgets/{_safe(budget_id)}.md"


def indicators_src(budget_id: str) -> str:
    """The indicator tables of a department-year, on a page of their own (size).

    ``budgets/<id>/indicators/`` next to ``budgets/<id>/`` (directory URLs), or
    ``budgets/<id>/indicators.html`` next to ``budgets/<id>.html``.
    """
    return f"budgets/{_safe(budget_id)}/indicators.md"


def department_src(department_id: str) -> str:
    return f"departments/{_safe(department_id)}.md"


def province_src(admin_code: str) -> str:
    """The region page of the province containing ``admin_code``."""
    return f"regions/{_safe(admin_code[:2] + '0000')}.md"


def year_src(year: int) -> str:
    return f"years/{_safe(year)}.md"


def compare_src(year: int) -> str:
    return f"compare/{_safe(year)}.md"


def invalid_src(slug: str) -> str:
    return f"invalid/{_safe(slug)}.md"


def slug(text: str) -> str:
    """A URL-safe slug from a file path (for records whose id is unknown)."""
    cleaned = re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-")
    return cleaned or "record"


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The site-relative URL MkDocs gives a page with source ``src_uri``."""
    base, _ = posixpath.splitext(src_uri)
    head, name = posixpath.split(base)
    if name in ("index", "README"):
        if directory_urls:
            return f"{head}/" if head else ""
        return f"{head}/index.html" if head else "index.html"
    if directory_urls:
        return f"{base}/"
    return f"{base}.html"


def relative_url(from_url: str, to_url: str) -> str:
    """``to_url`` relative to the page at ``from_url`` (both site-relative)."""
    from_dir = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url)
    target = to_url or "."
    rel = posixpath.relpath(target, from_dir or ".")
    if to_url.endswith("/") or not to_url:
        rel = rel.rstrip("/") + "/"
        if rel == "./":
            return "./"
    return rel


@dataclass(frozen=True)
class Router:
    """Links between generated pages, for one URL style."""

    directory_urls: bool = True

    def url(self, src_uri: str) -> str:
        return page_url(src_uri, self.directory_urls)

    def linker(self, from_src: str) -> Callable[..., str]:
        """``link(src_uri, anchor=None)`` relative to the page ``from_src``."""
        here = self.url(from_src)

        def link(src_uri: str, anchor: str | None = None) -> str:
            target = relative_url(here, self.url(src_uri)) if src_uri != from_src else ""
            return f"{target}#{anchor}" if anchor else (target or "./")

        return link
