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

What is staged is also smaller than the body (:func:`search_body`): Pagefind
parses every element of a page, and two thirds of a department-year page
are parts it then ignores — the budget tables, charts, findings and
downloads, marked ``data-pagefind-ignore``. Parsing them was a third of
Pagefind's time on those pages (without them: 4.1 s instead of 5.9 s at 1,000).
An ignored element adds nothing to the page's text, so removing it before
Pagefind reads the page gives the same bundle, byte for byte, as long as
nothing inside it still reaches the index; :func:`strip_ignored` removes
only such elements, and leaves a page it cannot read with certainty as it
was. It costs about half a millisecond per department-year page, a quarter
of what it saves Pagefind.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import threading
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from gongkai.search.indexer import (
    IndexStats,
    SearchIndexError,
    index_site,
)


def page_document(title: str, body: str) -> str:
    """A minimal HTML document around a rendered body (what Pagefind reads of it)."""
    return _head(title) + body + _TAIL


def _head(title: str) -> str:
    """The document up to the body (:func:`stage_page` writes the body's bytes after it)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(title, quote=False)}</title></head><body>"
    )


_TAIL = "</body></html>\n"


# --------------------------------------------------------------------------- what Pagefind reads
#
# Pagefind 1.5 (pagefind/src/fossick/parser.rs) reads a page with lol_html, a
# streaming rewriter without a tree builder: an end tag closes the nearest open
# element of its name, and an end tag the page leaves out is never inferred.
# An element marked ``data-pagefind-ignore`` (``=""``, ``="index"``, ``="true"``)
# is *Ignored*: when it closes, its text and its children's text are dropped —
# nothing of it is added to its parent, not even a space, and it is no heading
# anchor. ``="all"`` is *Excluded*: the same, and its descendants' meta, filters
# and sort keys are dropped too. Removing such an element from the page
# therefore changes nothing Pagefind writes, except through what escapes an
# Ignored element all the same:
#
# * ``data-pagefind-meta``/``-filter``/``-sort``/``-default-meta`` on it or on any
#   descendant are still read (hence the hidden ``<div data-pagefind-ignore>``
#   that carries each page's title and filters);
# * ``data-pagefind-body`` inside it starts an indexed body; ``data-pagefind-index-attrs``
#   on it adds attribute values to its parent;
# * the first ``<h1>`` anywhere is the fallback title, an ``<img>`` after a title
#   the result image, ``<html lang>`` the language, a ``_pagefind`` script or link
#   a warning; a ``data-pagefind-ignore`` of another value is Excluded, with a warning.
#
# (A ``<title>`` sets the fallback title only if none came before: the staged
# document's head always has one. Anchors inside an ignored element are
# numbered by a counter that never reaches the bundle.) :func:`strip_ignored`
# removes an ignored element only when none of these is in it, and reads the
# page as lol_html does; where it cannot be sure of that (an end tag that
# closes something it did not open, a tag it does not parse, raw text), it
# removes nothing.
#
# Only the attribute is acted on. Elements matched by ``--exclude-selectors``
# (``TEMPLATE_EXCLUDE_SELECTORS``: amounts, labels, notes) are ignored as well,
# but a matched element's ``id`` is still an anchor, and removing them (their
# simple selectors matched here) made no measurable difference to Pagefind's
# time while costing a third more here: the time is in the big ignored parts,
# which the templates mark with the attribute. Pagefind's own list (script,
# style, svg, …) is not acted on either: the bodies have no script or style,
# and their charts' SVG is inside ignored parts.

_VOID = frozenset(
    (b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"keygen", b"link",
     b"meta", b"param", b"source", b"track", b"wbr")
)  # fmt: skip
_IMPLIED_END = frozenset(
    (b"td", b"th", b"tr", b"thead", b"tbody", b"tfoot", b"li", b"option", b"optgroup")
)
"""End tags a page may leave out (gongkai.site.render drops them): the end tag of an
enclosing element closes these. Such an element is only removed with its end tag."""
_CLOSES_P = frozenset(
    (b"address", b"article", b"aside", b"blockquote", b"center", b"details", b"dialog", b"dir",
     b"div", b"dl", b"dd", b"dt", b"fieldset", b"figcaption", b"figure", b"footer", b"form",
     b"h1", b"h2", b"h3", b"h4", b"h5", b"h6", b"header", b"hgroup", b"hr", b"li", b"listing",
     b"main", b"menu", b"nav", b"ol", b"p", b"pre", b"search", b"section", b"summary",
     b"table", b"ul", b"xmp")
)  # fmt: skip
"""Start tags that close an open ``<p>`` in HTML: a page with one inside a ``<p>`` is
left as it is (whether lol_html follows that rule is not worth finding out)."""
_UNREAD = frozenset(
    (b"html", b"head", b"body", b"title", b"textarea", b"xmp", b"iframe", b"noembed",
     b"noframes", b"noscript", b"plaintext", b"template", b"math", b"frameset", b"script",
     b"style")
)  # fmt: skip
"""Elements whose content is not markup (read only as an element of text: no "<" in it),
or that restructure the page (their end tags are in ``_ODD_END``): a page with such a
start tag is left as it is (an SVG ``<title>`` is an ordinary element)."""
_IGNORE_VALUES = frozenset(("", "index", "true", "all"))
_IGNORE = b"data-pagefind-ignore"

_ATTRS = rb"""[^>"']*+(?:(?:"[^"]*+"|'[^']*+')[^>"']*+)*+"""
_CELL = rb"(?P<cell>caption|a|abbr|b|cite|code|em|i|small|span|strong|sub|sup|time|var)"
_TABLE = (
    rb"table(?=[\s/>])(" + _ATTRS + rb")>(?:[^<]++"
    rb"|<(?:t[dhr]|thead|tbody|tfoot|br|col)(?=[\s/>])" + _ATTRS + rb">"
    rb"|<" + _CELL + rb"(?=[\s/>])" + _ATTRS + rb">[^<]*+</(?P=cell)>"
    rb")*+</table>"
)
"""A table as Gongkai renders it: cells, rows and sections not closed, text and elements of
text in them. One token: ``</table>`` closes what is left open, and nothing else is."""
_NAME = rb"[a-z][a-z0-9-]*+(?=[\s/>])"
_TEXTS = (
    rb"((?P<first>" + _NAME + rb")" + _ATTRS + rb">[^<]*+</(?P=first)>"
    rb"(?:[^<]*+<(?P<next>" + _NAME + rb")" + _ATTRS + rb">[^<]*+</(?P=next)>)*+)"
)
_TOKEN_BRANCHES = b"(?:%s)" % b"|".join(
    (
        rb"/(" + _NAME + rb")" + _ATTRS + rb">",  # 1: an end tag's name
        _TEXTS,  # 2: elements of text, one or more in a row
        _TABLE,  # 5: a table's attributes
        rb"(" + _NAME + rb")(" + _ATTRS + rb")>",  # 7, 8: a start tag's name and attributes
        rb"!--(?!-?>)(.*?)-->",  # 9: a comment's text
        b"",  # anything else after "<": not read
    )
)
"""A page's tokens, each after a "<". Elements of text (``<dt>预算数</dt><dd>…</dd>``, most
of a page's elements) are read a run of siblings at a time, and a table at once."""
_TOKENS = re.compile(b"<" + _TOKEN_BRANCHES, re.S)
_TOKENS_BUT_CELLS = re.compile(rb"<(?!t[dhr][\s/>])" + _TOKEN_BRANCHES, re.S)
"""The same without the start tags of cells and rows outside a table token. For a page
that never closes one explicitly (Gongkai's), they change nothing: no end tag of theirs
closes anything, they are not removed on their own, and what is in them is found by
:func:`_blockers`."""
_ODD_END = re.compile(
    rb"</(?:(t[dhr])|" + b"|".join(sorted(_VOID | {b"plaintext", b"html", b"head", b"body",
    b"template", b"math", b"frameset"})) + rb")[\s/>]"
)  # fmt: skip
"""End tags of cells and rows (group 1: read the page with ``_TOKENS``), and end tags a
page does not have (of a void element or of one that restructures it): not read."""
_PAGEFIND = re.compile(rb"pagefind")
_HARMLESS = re.compile(
    rb"data-pagefind-(?:weight|ignore(?=[\s/>])"
    rb"""|ignore\s*=\s*(?:"(?:index|true|all)?"|'(?:index|true|all)?'|(?:index|true|all)(?=[\s/>])))"""
)
"""The uses of "pagefind" an element may hold and still be removed."""
_TITLE_OR_IMAGE = re.compile(rb"<(?:h1|img|html)[\s/>]")
_ATTRIBUTE = re.compile(rb"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_TEXT_ELEMENT = re.compile(rb"<([a-z][a-z0-9-]*+)((?=[\s/>])" + _ATTRS + rb")>[^<]*+</\1>")
_START_NAME = re.compile(rb"<([a-z][a-z0-9-]*+)")


def _ignored(attrs: bytes) -> bool:
    """Whether a start tag's attributes mark its element ``data-pagefind-ignore``
    (once, of a value Pagefind accepts)."""
    value: bytes | None = None
    for match in _ATTRIBUTE.finditer(attrs):
        if match.group(1).lower() == _IGNORE:
            if value is not None:
                return False  # given twice
            value = next((v for v in match.groups()[1:] if v is not None), b"")
    return value is not None and value.decode("utf-8", "replace").lower() in _IGNORE_VALUES


def _blockers(data: bytes) -> list[int]:
    """Where something is that reaches the index even from inside an ignored element.

    Found in the lowercased page (the names are ASCII and case-insensitive; bytes, so
    positions stay put): every "pagefind" but a ``data-pagefind-ignore`` of a valid
    value or a ``data-pagefind-weight`` (text that mentions it too: the element then
    stays), and each ``<h1>``, ``<img>`` and ``<html>``.
    """
    low = data.lower()
    found = [
        m.start() for m in _PAGEFIND.finditer(low) if _HARMLESS.match(low, m.start() - 5) is None
    ]
    found += [m.start() for m in _TITLE_OR_IMAGE.finditer(low)]
    return sorted(found)


def strip_ignored(body: str) -> str | None:
    """``body`` without the elements Pagefind would ignore; None if that is not certain.

    Removes each element marked ``data-pagefind-ignore`` that holds nothing
    reaching the index all the same (module comment above). Reads the markup
    Gongkai renders — lowercase tags, quoted attributes, end tags of cells,
    rows and list items left out; a page it does not read with certainty
    (None) is staged as it is.
    """
    data = body.encode("utf-8")
    stripped = _strip(data)
    if stripped is None or stripped is data:
        return None if stripped is None else body
    return stripped.decode("utf-8")


def _strip(data: bytes) -> bytes | None:
    """:func:`strip_ignored` on the page's UTF-8 bytes (what is staged)."""
    if _IGNORE not in data:
        return data
    odd = [m.group(1) for m in _ODD_END.finditer(data)]
    if not all(odd):
        return None
    tokens = _TOKENS if odd else _TOKENS_BUT_CELLS
    blockers = _blockers(data)
    names: list[bytes] = []
    starts: list[int] = []  # where each open element starts if it is to go, else -1
    cuts: list[tuple[int, int]] = []
    in_p = in_svg = 0
    next_ignore = 0  # where the next "data-pagefind-ignore" may be
    self_closed = b"/>" in data
    for match in tokens.finditer(data):
        end, texts, _, _, table, _, name, attrs, comment = match.groups()
        if end is not None:
            if not names:
                return None
            while names[-1] != end:  # close what the page left open
                if names[-1] not in _IMPLIED_END or len(names) == 1:
                    return None
                names.pop()
                starts.pop()
            names.pop()
            start = starts.pop()
            if end == b"p":
                in_p -= 1
            elif end == b"svg":
                in_svg -= 1
            if start >= 0:
                _cut(cuts, blockers, start, match.end())
            continue
        if texts is not None or table is not None:
            first, last = match.span()
            if (self_closed and data.find(b"/>", first, last) >= 0) or (
                in_p
                and (
                    table is not None
                    or any(n in _CLOSES_P for n in _START_NAME.findall(data, first, last))
                )
            ):
                return None  # "/>" does not close an HTML element; a block closes a <p>
            if table is not None:
                if _IGNORE in table and _ignored(table):
                    _cut(cuts, blockers, first, last)
                continue
            if next_ignore < first:
                next_ignore = data.find(_IGNORE, first)
                if next_ignore < 0:
                    next_ignore = len(data)
            if next_ignore < last:
                for element in _TEXT_ELEMENT.finditer(data, first, last):
                    if _IGNORE in element.group(2) and _ignored(element.group(2)):
                        _cut(cuts, blockers, element.start(), element.end())
            continue
        if name is None:
            if comment is None or b"--!>" in comment:
                return None
            continue
        if (in_p and name in _CLOSES_P) or (name in _UNREAD and not (in_svg and name == b"title")):
            return None
        if name in _VOID:
            continue
        if attrs[-1:] == b"/":
            if not in_svg:
                return None  # "/>" does not close an HTML element
            continue  # a self-closed SVG element
        names.append(name)
        starts.append(
            match.start()
            if _IGNORE in attrs and name not in _IMPLIED_END and _ignored(attrs)
            else -1
        )
        if name == b"p":
            in_p += 1
        elif name == b"svg":
            in_svg += 1
    if names:
        return None
    if not cuts:
        return data
    pieces = []
    kept = 0
    for start, end in cuts:
        pieces.append(data[kept:start])
        kept = end
    pieces.append(data[kept:])
    return b"".join(pieces)


def _cut(cuts: list[tuple[int, int]], blockers: list[int], start: int, end: int) -> None:
    """Remove ``data[start:end]`` unless something in it reaches the index."""
    i = bisect_left(blockers, start)
    if i < len(blockers) and blockers[i] < end:
        return
    while cuts and cuts[-1][0] >= start:
        cuts.pop()  # inside this one
    cuts.append((start, end))


def search_body(body: str) -> str:
    """What Pagefind is given of ``body``: without what it ignores, where that is certain."""
    stripped = strip_ignored(body)
    return body if stripped is None else stripped


def stage_page(root: Path, dest_uri: str, title: str, body: str | bytes) -> Path:
    """Write one page's body under ``root`` at its site path ``dest_uri`` (e.g. ``budgets/x/index.html``).

    ``body`` as rendered, or its UTF-8 bytes.

    Raises:
        SearchIndexError: ``dest_uri`` is not a relative path inside ``root``.
    """
    path = _site_path(root, dest_uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    path.write_bytes(b"".join((_head(title).encode("utf-8"), data, _TAIL.encode("utf-8"))))
    return path


def _site_path(root: Path, dest_uri: str) -> Path:
    """Where page ``dest_uri`` (a site path) goes under ``root``.

    Raises:
        SearchIndexError: ``dest_uri`` is not a relative path inside ``root``.
    """
    relative = PurePosixPath(dest_uri)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise SearchIndexError(f"page path {dest_uri!r} is not inside the site")
    return root.joinpath(*relative.parts)


#: Where pages staged ahead, by token, wait inside the staging directory.
PENDING_PAGES = ".pending"


class BackgroundIndex:
    """Pagefind over a staging directory on a thread; the bundles go into the site.

    The thread only waits for the Pagefind processes (and, for a site indexed
    in shards, the process merging their bundles), so it costs the build's own
    process nothing. :meth:`join` returns the bundle's statistics or
    raises what the run raised; the staging directory is removed either way.
    ``strip=False`` stages each body whole (the bundles are the same).
    """

    def __init__(
        self,
        site_dir: Path,
        *,
        indexer: Callable[..., IndexStats] = index_site,
        strip: bool = True,
        **options: object,
    ) -> None:
        self.site_dir = Path(site_dir)
        self.staging = Path(tempfile.mkdtemp(prefix="gongkai-search-"))
        self._indexer = indexer
        self._options = options
        # Stage what Pagefind reads of a page, not all of it (search_body). Not with a
        # root selector: an element outside the root is not read at all, so an ignored
        # one may hold the root itself.
        self._strip = strip and not options.get("root_selector")
        self._thread: threading.Thread | None = None
        self._stats: IndexStats | None = None
        self._error: BaseException | None = None

    def stage(self, dest_uri: str, title: str, body: str) -> None:
        """Add one page (before :meth:`start`), without what Pagefind would ignore of it."""
        data = body.encode("utf-8")
        stripped = _strip(data) if self._strip else None
        stage_page(self.staging, dest_uri, title, data if stripped is None else stripped)

    def stage_pending(self, token: str, title: str, body: str) -> None:
        """Stage a page whose site path is not known yet, under ``token`` (a file-name-safe name).

        A validation worker renders a record's pages before the build knows
        which records it publishes (another file may claim the same budget
        id): the build then takes the pages it publishes (:meth:`take_pending`)
        and :meth:`drop_pending` removes the others. A page half written by
        a failure is removed, so the build stages it again.
        """
        name = f"{PENDING_PAGES}/{token}.html"
        try:
            self.stage(name, title, body)
        except BaseException:
            _site_path(self.staging, name).unlink(missing_ok=True)
            raise

    def take_pending(self, token: str, dest_uri: str) -> bool:
        """Move the page staged under ``token`` to its site path ``dest_uri``; False if there is none."""
        target = _site_path(self.staging, dest_uri)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(_site_path(self.staging, f"{PENDING_PAGES}/{token}.html"), target)
        except FileNotFoundError:
            return False
        return True

    def drop_pending(self) -> None:
        """Remove the pages staged ahead that were not taken (records the build does not publish)."""
        shutil.rmtree(self.staging / PENDING_PAGES, ignore_errors=True)

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
