"""Jinja2 rendering of the page bodies, with site overrides first.

Templates are namespaced (``gongkai/department_year.html``) and looked up in a
search path: a site's own directory first (Material's ``custom_dir``), then
the templates shipped with Gongkai. Autoescaping is on for every template:
record text is untrusted and must never become markup.

The bodies are fragments: the front end places them inside its theme's page
(Material's ``main.html``), which supplies the header, search and palette.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

import gongkai
from gongkai.site.table_view import table_html

NAMESPACE = "gongkai"
_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")
_INDENT = re.compile(r"\n[ \t]+")

#: End tags that HTML5 lets a page omit, each with what must come right after it
#: (``<x``: the start of an ``x`` element; ``</x>``: the end of the parent)
#: (https://html.spec.whatwg.org/multipage/syntax.html#optional-tags).
_OPTIONAL_END_TAGS = (
    ("td", "td|th", "tr"),
    ("th", "td|th", "tr"),
    ("tr", "tr", "thead|tbody|tfoot|table"),
    ("thead", "tbody|tfoot", ""),  # not before </table>: only before a table body
    ("tbody", "tbody|tfoot", "table"),
    ("li", "li", "ul|ol|menu"),
    # Not </dt> and </dd>: Pagefind's HTML reader (a streaming rewriter) does not
    # infer them, so an excluded <dd> (gongkai.search.TEMPLATE_EXCLUDE_SELECTORS
    # leaves out a project's amounts) would swallow the rest of its list.
    ("option", "option|optgroup", "select|optgroup|datalist"),
)
#: All of them in one pattern: one pass over a page instead of one per tag (nine
#: passes cost a fifth of a department-year's rendering). Each lookahead reads the page as
#: written; so did a pass per tag, cells first, because the end tag a lookahead
#: needs (a cell's ``</tr>``, a row's ``</tbody>``) is dropped, if at all, after
#: it. In well-formed HTML the two drop exactly the same tags.
_OPTIONAL_END_TAG = re.compile(
    "</(?:"
    + "|".join(
        rf"{tag}>(?=<(?:{starts})[\s>]" + (rf"|</(?:{parents})>)" if parents else ")")
        for tag, starts, parents in _OPTIONAL_END_TAGS
    )
    + ")"
)
#: Elements whose text is kept as written: a body with one keeps its end tags, a
#: page with preformatted text its line breaks. One search, not one per tag: a
#: page is 20 KB of mostly CJK text, slow to scan for each tag in turn.
_RAW_TEXT = re.compile("<(?:script|style|pre|textarea|template)")
_PREFORMATTED = re.compile("<(?:pre|textarea)")


@cache
def templates_dir() -> Path:
    """The directory holding ``gongkai/*.html`` shipped with the package.

    In a checkout (editable install) that is the repository's top-level
    ``site_templates/``; an installed wheel carries the same files as package
    data under ``gongkai/_site_templates``.
    """
    package = Path(gongkai.__file__).resolve().parent
    for candidate in (package.parents[1] / "site_templates", package / "_site_templates"):
        if (candidate / NAMESPACE).is_dir():
            return candidate
    raise FileNotFoundError(f"Gongkai templates not found next to {package}")


def search_path(custom_dirs: Sequence[str | Path] = ()) -> list[Path]:
    """Site directories that exist, then the shipped templates."""
    dirs = [Path(d) for d in custom_dirs if d and Path(d).is_dir()]
    return [*dirs, templates_dir()]


def fingerprint(paths: Sequence[Path]) -> str:
    """Changes when any template in ``paths`` changes (for caches of rendered pages)."""
    digest = hashlib.sha256()
    for base in paths:
        folder = base / NAMESPACE
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                digest.update(f"{file.relative_to(base)};".encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def compact_html(html: str) -> str:
    """Drop the indentation a theme's templates leave in a page (``<pre>``-free pages only).

    Material's page shell is indented for readability; on a thousand
    generated pages that is megabytes of spaces. Whitespace that contains a
    line break between two tags goes, and leading indentation becomes a bare
    line break, which renders identically.
    """
    if _PREFORMATTED.search(html):
        return html
    return _INDENT.sub("\n", _BETWEEN_TAGS.sub("><", html))


def omit_optional_end_tags(html: str) -> str:
    """Drop the end tags HTML5 makes optional (``</td>``, ``</tr>``, ``</li>``, ``</dd>``…).

    A page of tables is a fifth end tags; a browser (and any HTML5 parser, such
    as Pagefind's) infers them exactly where they were. Only an end tag that is
    immediately followed by what the specification requires goes: the next
    sibling's start (``</td><td>``) or the parent's end (``</td></tr>``), with
    no text or whitespace in between; everything else is left as written. A
    fragment with raw-text elements (``<script>``, ``<pre>``…) is returned as is.
    """
    if _RAW_TEXT.search(html):
        return html
    return _OPTIONAL_END_TAG.sub("", html)


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process.

    ``mkdocs serve`` makes new Jinja environments, MkDocs' theme one and
    ours, for every rebuild, and compiling the templates again took a
    quarter of a second of each. Jinja stores the source's checksum with
    the code, so an edited template is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


#: The process's compiled templates (:class:`MemoryBytecodeCache`).
TEMPLATE_CODE = MemoryBytecodeCache()


class Renderer:
    """Renders ``gongkai/*`` templates found on a search path.

    Every template can call :func:`~gongkai.site.table_view.table_html` (a
    global and a filter), which writes a display table's markup.
    """

    def __init__(self, paths: Sequence[Path]):
        self.paths = list(paths)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in self.paths]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,
            bytecode_cache=TEMPLATE_CODE,
        )
        self.env.globals["table_html"] = table_html
        self.env.filters["table_html"] = table_html
        self.fingerprint = fingerprint(self.paths)

    def render(self, name: str, **context: Any) -> str:
        """Render ``gongkai/<name>``; drop the whitespace between tags and the optional end tags."""
        html = self.env.get_template(f"{NAMESPACE}/{name}").render(**context)
        return omit_optional_end_tags(_BETWEEN_TAGS.sub("><", html).strip())

    def asset(self, name: str) -> bytes:
        """A static asset (``gongkai/assets/<name>``), site override first."""
        for base in self.paths:
            path = base / NAMESPACE / "assets" / name
            if path.is_file():
                return path.read_bytes()
        raise FileNotFoundError(name)
