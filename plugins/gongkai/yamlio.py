"""Reading YAML safely, keeping the position of every value.

Records come from pull requests, so every file is untrusted. We never
*construct* Python objects from YAML: we only *compose* the node graph
(libyaml when available), which keeps each node's line and column, and the
binder in :mod:`gongkai.binder` turns nodes into model objects. This module
refuses, with a located problem, what must never reach the binder: bytes that
are not UTF-8 text, control characters, nesting deep enough to exhaust the
composer's C stack (checked before libyaml reads anything), several documents
in a file, custom tags (``!!python/object``) and aliases (the "billion laughs"
attack needs them). Locations count newlines only, as editors do
(:class:`~gongkai.errors.LineIndex`).
Duplicate keys are detected by the binder, which sees each mapping's keys.

Most files are plain, well-formed YAML; for those the loader first tries a
fast path that binds from a flat list of the document's nodes: read without
libyaml when the text keeps to everyday YAML (:func:`scan_plain`), from
libyaml's events otherwise (:class:`PlainEvents`). It falls back to composing
when the file has anything to report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from gongkai.errors import LineIndex, Location, Problem

try:  # libyaml is ~10x faster; the pure-Python loader behaves the same.
    from yaml import CSafeLoader as _BaseLoader

    #: libyaml's reader errors give the offending byte's offset in the UTF-8 text.
    _READER_BYTE_OFFSETS = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    _READER_BYTE_OFFSETS = False

#: A department-year record is ~20-100 KB; anything far larger is a mistake.
MAX_BYTES = 5 * 1024 * 1024
#: The deepest structure the model has is ~7 levels; allow generous slack.
MAX_DEPTH = 40

STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"

Resolvers = tuple[tuple[str, re.Pattern[str]], ...]


def _plain_resolvers() -> tuple[dict[str, Resolvers], Resolvers]:
    """PyYAML's implicit resolvers by first character (wildcards appended), and the wildcards.

    This is the list :meth:`yaml.resolver.BaseResolver.resolve` rebuilds on
    every call (``resolvers + wildcard_resolvers``), built once here.
    """
    table = _BaseLoader.yaml_implicit_resolvers
    wildcard = tuple(table.get(None, ()))
    by_char = {char: tuple(rules) + wildcard for char, rules in table.items() if char is not None}
    return by_char, wildcard


_PLAIN_RESOLVERS, _WILDCARD_RESOLVERS = _plain_resolvers()
#: First characters of the plain scalars that may resolve to a tag outside STANDARD_TAGS.
ODD_TAG_STARTS = frozenset(
    char
    for char, rules in _PLAIN_RESOLVERS.items()
    if any(tag not in STANDARD_TAGS for tag, _ in rules)
)
assert all(tag in STANDARD_TAGS for tag, _ in _WILDCARD_RESOLVERS), "ODD_TAG_STARTS assumes so"
#: First characters of the plain scalars that may resolve to null, a boolean or a tag outside
#: STANDARD_TAGS: what a plain scalar starting otherwise resolves to makes no difference to
#: free text, which the binder then reads without resolving its tag.
TEXT_TAG_STARTS = frozenset(
    char
    for char, rules in _PLAIN_RESOLVERS.items()
    if any(tag in (_NULL_TAG, _BOOL_TAG) or tag not in STANDARD_TAGS for tag, _ in rules)
)
assert all(tag not in (_NULL_TAG, _BOOL_TAG) for tag, _ in _WILDCARD_RESOLVERS), "TEXT_TAG_STARTS assumes so"


def plain_tag(value: str) -> str:
    """The tag :class:`yaml.SafeLoader` gives a plain (unquoted, untagged) scalar."""
    for tag, regexp in _PLAIN_RESOLVERS.get(value[:1], _WILDCARD_RESOLVERS):
        if regexp.match(value):
            return str(tag)
    return _STR_TAG


class _Loader(_BaseLoader):
    """The safe loader with PyYAML's tag resolution made cheap.

    libyaml composes in C but calls the Python ``resolve`` (and the path
    resolver hooks) once per node, keys included; PyYAML's version rebuilds
    its candidate list and runs its regexes on every call. This one gives the
    same tags through :func:`plain_tag`, remembers the tag of each plain
    scalar it has seen (keys and many values repeat throughout a record), and
    notes when one resolved to a tag outside :data:`STANDARD_TAGS` (``=``,
    ``<<``), so that :func:`compose` knows whether the graph must be checked.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.odd_tag = False
        self._plain_tags: dict[str, str] = {}

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        """The tag of an untagged node, exactly as :class:`yaml.SafeLoader` resolves it."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                assert value is not None
                tag = self._plain_tags.get(value)
                if tag is None:
                    tag = self._plain_tags[value] = plain_tag(value)
                    self.odd_tag = self.odd_tag or tag not in STANDARD_TAGS
                return tag
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG

    def descend_resolver(self, current_node: yaml.Node | None, current_index: object) -> None:
        """No path resolvers are registered for the safe loader: nothing to track."""

    def ascend_resolver(self) -> None:
        """See :meth:`descend_resolver`."""


class Irregular(Exception):
    """:class:`PlainEvents` met something that only :func:`compose` reports on.

    The fast path gives up and the loader reads the file again the full way,
    which finds and locates the problem; this never reaches a caller.
    """


#: What :func:`scan_plain` gives for each node: ``(key, kind, text, plain, index)`` — the key
#: in its mapping (``""`` for an item of a sequence or the root), one of :data:`SCALAR`,
#: :data:`MAPPING`, :data:`SEQUENCE` or :data:`END`, a scalar's text, whether the scalar is plain
#: (unquoted: its tag is then :func:`plain_tag` of its text), and the character offset where
#: libyaml's event for the node starts (``start_mark.index``). A collection's entries follow
#: its own, up to its :data:`END`.
Entry = tuple[str, int, str, bool, int]
SCALAR, MAPPING, SEQUENCE, END = range(4)
_END: Entry = ("", END, "", False, -1)


class PlainEvents:
    """libyaml's event stream as :data:`Entry` tuples, for the fast path of a plain-YAML record.

    Composing builds a Python node (and calls back into Python) for every
    value before the binder walks the graph again; binding straight from the
    parser's events takes half the time. The events say less than the graph
    does, so this serves only texts without ``!`` or ``&`` (see
    :func:`plain_yaml`): with no tag, anchor or alias possible, an untagged
    scalar's tag is :func:`plain_tag` of its text, and whatever
    :func:`compose` would refuse (a second document, an alias, a key that is
    not a scalar, a tag outside :data:`STANDARD_TAGS`, a syntax error) raises
    :class:`Irregular` or :class:`yaml.YAMLError` here or in the binder.

    :func:`scan_plain` gives the same entries for most records, faster.
    """

    def __init__(self, text: str) -> None:
        self._loader = _BaseLoader(text)

    def __enter__(self) -> PlainEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        self._loader.dispose()

    def entries(self) -> Iterator[Entry]:
        """The document's entries, root first; the stream must hold that one document."""
        next_event: Callable[[], Any] = self._loader.get_event  # (events are typed loosely)
        self._expect(yaml.StreamStartEvent)
        self._expect(yaml.DocumentStartEvent)
        mappings: list[bool] = []  # per open collection: whether it is a mapping
        key = ""
        while True:
            event = next_event()
            kind = event.__class__
            if mappings and mappings[-1]:  # a key, or the end of the mapping
                if kind is yaml.MappingEndEvent:
                    mappings.pop()
                    yield _END
                    if not mappings:
                        break
                    continue
                if kind is not yaml.ScalarEvent:
                    raise Irregular("key")  # a collection as a key
                key = event.value
                event = next_event()
                kind = event.__class__
            elif kind is yaml.SequenceEndEvent:
                mappings.pop()
                yield _END
                if not mappings:
                    break
                continue
            else:
                key = ""
            index = event.start_mark.index
            if kind is yaml.ScalarEvent:
                yield (key, SCALAR, event.value, event.implicit[0], index)
                if not mappings:
                    break
            elif kind is yaml.MappingStartEvent:
                mappings.append(True)
                yield (key, MAPPING, "", False, index)
            elif kind is yaml.SequenceStartEvent:
                mappings.append(False)
                yield (key, SEQUENCE, "", False, index)
            else:
                raise Irregular(kind.__name__)  # an alias
        self._expect(yaml.DocumentEndEvent)
        self._expect(yaml.StreamEndEvent)

    def _expect(self, kind: type[yaml.Event]) -> None:
        if not isinstance(self._loader.get_event(), kind):
            raise Irregular(kind.__name__)


#: A line as :func:`scan_plain` reads it: (head, indentation, "- ", key, rest); its line break follows.
#: The head is everything before the value: the indentation, a sequence's dash, and a key
#: (an identifier, as every field name is) with its colon and blanks.
_SCAN_LINE = re.compile(r"(( *)(- +)?(?:([A-Za-z_][A-Za-z0-9_]*):(?: +|(?=\n)|\Z))?)([^\n]*)\n?")
_Line = tuple[str, str, str, str, str]
#: Characters that :func:`scan_plain` leaves to libyaml: those its reader refuses (YAML's
#: non-printable), and the tab, the BOM and every line break but ``\n``, which need its rules.
_SCAN_REFUSED = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
#: A quoted scalar that is the whole rest of its line (a comment may follow): no escape, no
#: doubled quote, no line break inside.
_SCAN_DOUBLE = re.compile(r'"([^"\\]*)"(?: +(?:#.*)?)?')
_SCAN_SINGLE = re.compile(r"'([^']*)'(?: +(?:#.*)?)?")
#: One ``key: value`` of a flow mapping, with the comma or brace after it (see :func:`_scan_flow`).
_SCAN_FLOW_PAIR = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*): +"
    r"(?:\"([^\"\\]*)\"|'([^']*)'|([^ ,\[\]{}#:\"'!&*|>%@`?\-](?:[^,\[\]{}#:]*[^ ,\[\]{}#:])?))"
    r" *([,}]) *"
)
#: A literal block scalar's header, without indentation indicator: ``|`` or ``|-``.
_SCAN_LITERAL = re.compile(r"\|(-?)(?: +(?:#.*)?)?")
#: The characters that cannot start a plain scalar in YAML 1.1 (a dash can, before a non-blank).
_SCAN_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


class _Unscannable(Exception):
    """The text uses YAML that :func:`scan_plain` leaves to libyaml."""


def scan_plain(text: str) -> list[Entry] | None:
    """The nodes of a record written in the everyday subset of block YAML, or ``None``.

    libyaml's events cost more to build, one Python object and two marks per
    node, than binding them does, and a record is thousands of nodes. A
    record as people and tools write it uses a small part of YAML: block
    mappings and sequences, one key or item per line, identifiers as keys,
    plain, quoted or literal (``|``, ``|-``) scalars, and one-line flow
    mappings. This reads exactly that part, line by line with one regular
    expression, and gives what libyaml's events would say (see
    :data:`Entry`). Anything else — flow sequences, escapes, continued plain
    scalars, empty values, tabs, line breaks other than ``\n`` — returns
    ``None`` and libyaml reads the text (:class:`PlainEvents`): the outcome
    is the same either way, only slower.

    The caller must have checked :func:`plain_yaml` first.
    """
    if _SCAN_REFUSED.search(text) is not None:
        return None
    try:
        return _scan(_SCAN_LINE.findall(text), text.endswith("\n"))
    except _Unscannable:
        return None


def _scan(lines: list[_Line], final_break: bool) -> list[Entry]:
    """The entries of :func:`scan_plain` from the text's lines; raises :class:`_Unscannable`.

    ``final_break`` says whether the text ends with a line break (the last
    line of :data:`_SCAN_LINE` matches has none otherwise).
    """
    out: list[Entry] = [_END]  # [0]: the root, filled in at the first line of content
    append = out.append
    stack: list[tuple[int, bool]] = []  # (indentation, is a sequence) of the open collections
    top, top_sequence = -1, False  # stack[-1], kept at hand
    waiting = 0  # index in out of a key whose value opens on the next line (-1: none)
    waiting_key = ""
    pos = 0
    count = len(lines)
    at = 0
    while at < count:
        head, indent, dash, key, rest = lines[at]
        at += 1
        start = pos
        value = pos + len(head)  # where the value starts
        pos = value + len(rest) + 1  # (the last line has no break: pos is not used after it)
        if not (dash or key) and (not rest or rest[0] == "#"):
            continue  # a blank line or a comment
        column = len(indent)
        sequence = dash != ""
        if waiting >= 0:  # the first line of a collection under its key (or the root)
            if column <= top or not (dash or key):
                raise _Unscannable  # an empty value, or a plain scalar on its own line
            out[waiting] = (waiting_key, SEQUENCE if sequence else MAPPING, "", False, start + column)
            stack.append((top, top_sequence))
            top, top_sequence = column, sequence
            waiting = -1
        elif column != top or sequence != top_sequence:
            while column < top:  # the lines of deeper collections are over
                append(_END)
                top, top_sequence = stack.pop()
            if column != top or sequence != top_sequence:
                raise _Unscannable  # misaligned, an indentless sequence, or a continued scalar
        if not key:
            if not sequence:
                raise _Unscannable  # text on its own line: a continued plain scalar, or worse
        elif sequence:  # "- key: value": a mapping in the item
            column += len(dash)
            append(("", MAPPING, "", False, start + column))
            stack.append((top, top_sequence))
            top, top_sequence = column, False
        if not rest or rest[0] == "#":
            if not key:
                raise _Unscannable  # an empty item
            waiting, waiting_key = len(out), key
            append(_END)  # replaced at the next line
        elif rest[0] in _SCAN_INDICATORS:
            at, pos = _scan_value(lines, at, pos, final_break, key, rest, value, column, out)
        else:  # a plain scalar, the common case: _plain, inline
            cut = rest.find(" #")
            text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
            if ": " in text or text[-1] == ":":
                raise _Unscannable
            append((key, SCALAR, text, True, value))
    if waiting >= 0:
        raise _Unscannable  # an empty document, or an empty value at its end
    out.extend([_END] * len(stack))  # (the root's own entry is in the stack's sentinel's place)
    return out


def _plain(rest: str) -> str:
    """The plain scalar that is the ``rest`` of a line (a comment may follow), checked.

    ``rest`` starts with a character other than blank and :data:`_SCAN_INDICATORS`.
    A plain scalar ends at `` #``; ``: `` inside one, or a final ``:``, is
    left to libyaml (in block context it would start a mapping, or be an error).
    """
    cut = rest.find(" #")
    text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
    if ": " in text or text[-1] == ":":
        raise _Unscannable
    return text


def _scan_value(
    lines: list[_Line],
    at: int,
    pos: int,
    final_break: bool,
    key: str,
    rest: str,
    index: int,
    under: int,
    out: list[Entry],
) -> tuple[int, int]:
    """Append the scalar or flow mapping that starts a line's ``rest`` at ``index``; (next line, its offset).

    For the values that :func:`_scan` does not read inline: quoted, literal,
    flow, or plain with a leading dash. ``under`` is the indentation of the
    collection that holds the value: a literal block scalar's lines must be
    indented further.
    """
    first = rest[:1]
    if first == '"':
        match = _SCAN_DOUBLE.fullmatch(rest)
    elif first == "'":
        match = _SCAN_SINGLE.fullmatch(rest)
    elif first == "{":
        _scan_flow(key, rest, index, out)
        return at, pos
    elif first == "|":
        match = _SCAN_LITERAL.fullmatch(rest)
        if match is None:
            raise _Unscannable
        return _scan_literal(lines, at, pos, final_break, key, bool(match[1]), index, under, out)
    elif first == "-" and rest[1:2] not in ("", " "):  # "-5", "-x": a plain scalar
        out.append((key, SCALAR, _plain(rest), True, index))
        return at, pos
    else:
        raise _Unscannable  # an empty item, or an indicator: alias, anchor, tag, flow sequence, …
    if match is None:
        raise _Unscannable
    out.append((key, SCALAR, match[1], False, index))
    return at, pos


def _scan_flow(key: str, rest: str, index: int, out: list[Entry]) -> None:
    """Append a one-line flow mapping (``{month: 3, percent: 25}``) that is the whole ``rest``.

    Keys are identifiers; values are quoted scalars without escapes, or plain
    scalars without the characters that end or nest one in a flow (``,[]{}``,
    ``:`` and ``#``); anything else, an empty mapping or a trailing comma
    included, is left to libyaml.
    """
    out.append((key, MAPPING, "", False, index))
    at = 1
    while rest[at:at + 1] == " ":
        at += 1
    end = len(rest)
    while True:
        match = _SCAN_FLOW_PAIR.match(rest, at)
        if match is None:
            raise _Unscannable
        name, double, single, plain, close = match.groups()
        if plain is not None:
            out.append((name, SCALAR, plain, True, index + match.start(4)))
        elif double is not None:
            out.append((name, SCALAR, double, False, index + match.start(2) - 1))
        else:
            out.append((name, SCALAR, single, False, index + match.start(3) - 1))
        at = match.end()
        if close == "}":
            break
    if at < end and rest[at] != "#":
        raise _Unscannable
    out.append(_END)


def _scan_literal(
    lines: list[_Line],
    at: int,
    pos: int,
    final_break: bool,
    key: str,
    strip: bool,
    index: int,
    under: int,
    out: list[Entry],
) -> tuple[int, int]:
    """Append a literal block scalar (``|`` or ``|-``) read from the lines after its header.

    As libyaml reads it: the first line sets the indentation, which must be
    deeper than ``under``; the scalar ends at the first non-blank line that is
    less indented; every line keeps what lies beyond the indentation; ``|-``
    drops the final line breaks, ``|`` keeps one. Blank lines before the
    first line, or blank lines longer than the indentation, are left to libyaml.
    """
    parts: list[str] = []
    blanks = 0
    width = -1
    last = -1  # index in lines of the last line of the scalar
    count = len(lines)
    while at < count:
        head, indent, dash, name, rest = lines[at]
        line = head + rest
        if not (dash or name or rest):  # blank: only spaces
            if width < 0 or len(line) > width:
                raise _Unscannable
            blanks += 1
        else:
            column = len(indent)
            if width < 0:
                if column <= under:
                    raise _Unscannable  # an empty block scalar
                width = column
            elif column < width:
                break
            if blanks:
                parts.extend([""] * blanks)
                blanks = 0
            parts.append(line[width:])
            last = at
        at += 1
        pos += len(line) + 1
    if width < 0:
        raise _Unscannable
    text = "\n".join(parts)
    if not strip and (final_break or last < count - 2):  # the last line is followed by a break
        text += "\n"
    out.append((key, SCALAR, text, False, index))
    return at, pos


def plain_yaml(text: str, data: bytes | None = None) -> bool:
    """True when :class:`PlainEvents` may read ``text``: no tag or anchor, within the limits.

    ``data`` is the UTF-8 encoding of ``text`` when the caller has it (the
    depth check scans bytes). A text that may spell a control character with
    an escape goes the full way too, where the binder refuses it, located.
    """
    return (
        not _may_tag_or_anchor(text)
        and not may_escape_control(text)
        and _check_depth(text, "", data) is None
        and _check_tabs(text, "") is None
    )


#: The escapes of a double-quoted scalar that may stand for a control character.
_CONTROL_ESCAPE = re.compile(r"\\[0abvfreN]|\\[xuU]")


def may_escape_control(text: str) -> bool:
    """False when no scalar of ``text`` can hold a control character other than tab and newline.

    libyaml refuses control characters written as they are (its reader
    accepts only printable characters, tab and line breaks, and turns every
    line break in a scalar into a newline), so the only way in is an escape
    of a double-quoted scalar: ``"\\e"``, ``"\\0"``, ``"\\x1b"``, ``"\\u001b"``, …
    """
    return "\\" in text and _CONTROL_ESCAPE.search(text) is not None


@dataclass
class Parsed:
    """The outcome of reading one file: a root node, or problems."""

    node: yaml.Node | None
    problems: list[Problem]
    text: str = ""


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode ``data`` as UTF-8 text, refusing binary and oversized input."""
    if len(data) > MAX_BYTES:
        return None, [Problem("file.too-large", Location(file), {"found": len(data), "expected": MAX_BYTES})]
    if b"\x00" in data:
        return None, [Problem("file.binary", _offset_location(data, data.index(b"\x00"), file))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem("file.not-utf8", _offset_location(data, exc.start, file), {"offset": exc.start})]
    if _has_content_early(text):
        return text, []
    if not text.strip() or all(_is_comment_or_blank(line) for line in text.splitlines()):
        return None, [Problem("file.empty", Location(file, 1, 1))]
    return text, []


def _has_content_early(text: str, window: int = 4096) -> bool:
    """True when one of the complete lines at the start of ``text`` holds content.

    A record shows content within its first lines; this spares splitting the
    whole file into lines to learn that. The window's last line may be cut
    short, so only the lines before it count.
    """
    return not all(_is_comment_or_blank(line) for line in text[:window].splitlines()[:-1])


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped == "---"


def _offset_location(data: bytes, offset: int, file: str) -> Location:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return Location(file, line, column)


def compose(text: str, file: str) -> Parsed:
    """Compose ``text`` into a node graph, or return located syntax problems."""
    depth_problem = _check_depth(text, file) or _check_tabs(text, file)
    if depth_problem is not None:
        return Parsed(None, [depth_problem], text)
    lines = LineIndex(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in str(exc):
            return Parsed(None, [Problem("yaml.multiple-documents", _mark(exc.problem_mark, file, lines))], text)
        return Parsed(None, [_syntax_problem(exc, file, text, lines)], text)
    except yaml.MarkedYAMLError as exc:
        return Parsed(None, [_syntax_problem(exc, file, text, lines)], text)
    except yaml.reader.ReaderError as exc:
        return Parsed(None, [_reader_problem(exc, file, text, lines)], text)
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        hint = {"zh": GENERIC_SYNTAX_HINT[0], "en": GENERIC_SYNTAX_HINT[1]}
        return Parsed(None, [Problem("yaml.syntax", Location(file), {"found": str(exc), "hint": hint})], text)
    finally:
        loader.dispose()
    if node is None:
        return Parsed(None, [Problem("file.empty", Location(file, 1, 1))], text)
    if not (loader.odd_tag or _may_tag_or_anchor(text)):
        return Parsed(node, [], text)
    problems = list(_check_graph(node, file, lines))
    return Parsed(None if problems else node, problems, text)


def _may_tag_or_anchor(text: str) -> bool:
    """False when the text cannot hold an explicit tag or an anchor.

    Every tag is written with ``!`` and every anchor with ``&`` (an alias needs
    an anchor to refer to), so without either character the graph can only
    hold resolved tags — which :class:`_Loader` already watches — and no
    shared node: the walk of :func:`_check_graph` would find nothing.
    """
    return "!" in text or "&" in text


def _check_depth(text: str, file: str, data: bytes | None = None) -> Problem | None:
    """Refuse absurd nesting before libyaml recurses into it.

    Three things nest: flow collections (``[[[[...``), indentation, and the
    compact block indicators of one line (``- - - x``, ``? ? ? x``, where each
    ``- ``, ``? `` or ``: `` opens a collection without a new line). All three
    are bounded here, cheaply, so that hostile input cannot exhaust the C
    stack of the composer (30,000 levels of ``- `` kill the process). Block
    nesting deeper than a line's indentation plus its indicators is not
    possible, so the limits bound the depth libyaml ever sees.

    ``data`` is the UTF-8 encoding of ``text`` (encoded here when not given).
    """
    if data is None:
        data = text.encode("utf-8", "surrogatepass")
    if text.count("[") + text.count("{") <= MAX_DEPTH and _LONG_RUN not in data.translate(_RUN_BYTES):
        return None  # no limit can be reached: skip the line-by-line scan
    lines = LineIndex(text)
    depth = 0
    for offset, line in _yaml_lines(text):
        indent = len(line) - len(line.lstrip(" "))
        if indent > MAX_DEPTH * 8:
            return _too_deep(lines, file, offset + indent)
        deepest = _compact_run(line)
        if deepest is not None:
            return _too_deep(lines, file, offset + deepest)
        if "[" not in line and "{" not in line and (depth == 0 or ("]" not in line and "}" not in line)):
            continue
        for column, char in enumerate(line):
            if char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return _too_deep(lines, file, offset + column)
            elif char in "]}":
                depth = max(0, depth - 1)
            elif char == "#" and depth == 0:
                break
    return None


#: Blanks and the indicators - ? : map to b"-", every other byte to b"x" (see :data:`_LONG_RUN`).
_RUN_BYTES = bytes(0x2D if byte in b" \t-?:" else 0x78 for byte in range(256))
#: MAX_DEPTH + 1 compact indicators (each with its blank) or that much indentation: the only
#: way to nest too deep on one line without brackets. A text without such a run of blanks and
#: indicators (most texts) needs no line-by-line scan.
_LONG_RUN = b"-" * (2 * (MAX_DEPTH + 1))
#: What libyaml reads as a line break (PyYAML's reader, ``yaml.reader``).
_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|\Z)")


def _yaml_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) of each line as libyaml splits the text (line breaks left out).

    Structure is judged by libyaml's lines; the problem is then located by
    :class:`~gongkai.errors.LineIndex`, which counts newlines only.
    """
    for match in _LINE.finditer(text):
        line = match.group()
        if not line:
            return  # the empty match at the end of the text
        yield match.start(), line.rstrip("\r\n\x85\u2028\u2029")


def _compact_run(line: str) -> int | None:
    """Offset in ``line`` of its (MAX_DEPTH + 1)-th leading block indicator, if it has that many.

    An indicator is ``-``, ``?`` or ``:`` followed by a space or tab, after
    the indentation or the previous indicator: ``- - x`` is a list in a list.
    """
    count = 0
    at = len(line) - len(line.lstrip(" \t"))
    end = len(line)
    while at + 1 < end and line[at] in "-?:" and line[at + 1] in " \t":
        count += 1
        if count > MAX_DEPTH:
            return at
        at += 2
        while at < end and line[at] in " \t":
            at += 1
    return None


def _too_deep(lines: LineIndex, file: str, index: int) -> Problem:
    return Problem("yaml.too-deep", lines.location(file, index), {"expected": MAX_DEPTH})


_TAB_INDENT = re.compile(r"^ *\t")
_BLOCK_SCALAR = re.compile(r"(^|:|-)\s*[|>][-+0-9]*\s*(#.*)?$")


def _check_tabs(text: str, file: str) -> Problem | None:
    """Refuse a tab in the indentation of a line (outside block scalars).

    libyaml does not always reject such a tab: after ``key:`` it may read
    ``<TAB>title: x`` as a key named ``"\ttitle"``, which would surface as a
    baffling "unknown key". Text pasted from a word processor often carries
    tabs, so they get their own message at the tab's position.
    """
    if "\t" not in text:
        return None  # the common case: no tab anywhere, nothing to scan
    block_indent: int | None = None
    for offset, line in _yaml_lines(text):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue  # content of a | or > block may hold tabs
            block_indent = None
        match = _TAB_INDENT.match(line)
        if match:
            return Problem("yaml.tab", LineIndex(text).location(file, offset + match.end() - 1))
        if _BLOCK_SCALAR.search(line.split(" #", 1)[0].rstrip()):
            block_indent = indent
    return None


def _check_graph(root: yaml.Node, file: str, lines: LineIndex) -> list[Problem]:
    """Refuse non-standard tags and shared nodes (aliases), iteratively."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            problems.append(Problem("yaml.alias", _mark(node.start_mark, file, lines)))
            return problems
        seen.add(id(node))
        if node.tag not in STANDARD_TAGS:
            tag = visible(node.tag.replace("tag:yaml.org,2002:", "!!"))
            problems.append(Problem("yaml.tag", _mark(node.start_mark, file, lines), {"found": tag}))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(value)
                stack.append(key)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return problems


#: libyaml's wording (a substring of context + problem) -> what to do, zh and en.
SYNTAX_HINTS: tuple[tuple[str, str, str], ...] = (
    (
        "mapping values are not allowed",
        "这里多了一个“: ”（冒号加空格）。如果值本身含有冒号，请给整个值加双引号，"
        "如 note: \"注：……\"；否则检查这一行和上一行的缩进。",
        "an unexpected ': ' (colon and space). If the value itself contains a colon, "
        "put the whole value in double quotes; otherwise check the indentation of this line and the one above.",
    ),
    (
        "could not find expected ':'",
        "这一行的键后面缺少“: ”（冒号加空格），或上一行的引号没有闭合。",
        "the key on this line lacks ': ' (colon and space), or a quote on the line above is not closed.",
    ),
    (
        "did not find expected '-' indicator",
        "列表的缩进不一致：同一列表的每一项都应以同样缩进的“- ”开头。",
        "inconsistent indentation in a list: every item of one list starts with '- ' at the same indentation.",
    ),
    (
        "did not find expected key",
        "缩进不一致，或引号闭合后还有文字：同一段的键应左对齐，带引号的值应整个放在一对引号内。",
        "inconsistent indentation, or text after a closing quote: the keys of one mapping line up, "
        "and a quoted value is quoted as a whole.",
    ),
    (
        "while scanning a quoted scalar",
        "引号没有配对：从这里开始的引号一直没有闭合。",
        "a quote opened here is never closed.",
    ),
    (
        "expected ',' or ']'",
        "方括号 [ ] 没有配对，或列表项之间缺少逗号。",
        "a '[' is not closed by ']', or a comma is missing between items.",
    ),
    (
        "expected ',' or '}'",
        "花括号 { } 没有配对，或键值对之间缺少逗号。",
        "a '{' is not closed by '}', or a comma is missing between entries.",
    ),
    (
        "while parsing a quoted scalar",
        "双引号里的反斜杠“\\”有特殊含义：请写成“\\\\”，或改用单引号。",
        "a backslash inside double quotes starts an escape: write '\\\\' or use single quotes.",
    ),
    (
        "alias",
        "以 * 或 & 开头的文字会被当作 YAML 别名或锚点：请给整个值加引号。",
        "text starting with * or & is read as a YAML alias or anchor: quote the whole value.",
    ),
    (
        "cannot start any token",
        "这个字符（如 @、`、%）不能作为值的开头：请给整个值加引号。",
        "this character (such as @, `, %) cannot start a value: quote the whole value.",
    ),
)

GENERIC_SYNTAX_HINT = (
    "常见原因：引号没有配对、缩进不一致、冒号后缺少空格。",
    "Common causes: an unclosed quote, inconsistent indentation, a colon without a space.",
)


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str, text: str, lines: LineIndex) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    found = " ".join(part for part in (exc.context, exc.problem) if part)
    if mark is not None and _is_tab_at(text, mark.index):
        return Problem("yaml.tab", _mark(mark, file, lines))
    zh, en = next(((z, e) for key, z, e in SYNTAX_HINTS if key in found), GENERIC_SYNTAX_HINT)
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        mark = exc.context_mark  # where the quote opens, not the end of the file
    return Problem("yaml.syntax", _mark(mark, file, lines), {"found": found, "hint": {"zh": zh, "en": en}})


def _reader_problem(exc: yaml.reader.ReaderError, file: str, text: str, lines: LineIndex) -> Problem:
    """A character libyaml's reader refuses (a control character, mostly), located.

    PyYAML gives no mark for these, only the character's ``position``: a
    character index from the pure-Python reader, a byte offset from libyaml.
    """
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    index = exc.position
    if _READER_BYTE_OFFSETS:
        index = len(text.encode("utf-8", "surrogatepass")[:index].decode("utf-8", "ignore"))
    location = lines.location(file, index)
    if unicodedata.category(character) == "Cc":
        return Problem("schema.control-character", location, {"found": control_name(character)})
    found = f"unacceptable character U+{ord(character):04X}: {exc.reason}"
    hint = {"zh": GENERIC_SYNTAX_HINT[0], "en": GENERIC_SYNTAX_HINT[1]}
    return Problem("yaml.syntax", location, {"found": found, "hint": hint})


#: Control characters (C0 but tab and newline, DEL, C1): invisible, and a terminal obeys them.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str) -> str:
    """``text`` with control characters and line breaks as escapes (``\\x1b``, ``\\n``): one safe line."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


#: The names of the control characters people meet (others are shown by code point only).
CONTROL_NAMES = {
    "\x00": "NUL", "\x07": "BEL", "\x08": "BS", "\x0b": "VT", "\x0c": "FF", "\r": "CR",
    "\x1b": "ESC", "\x7f": "DEL", "\x85": "NEL", "\x9b": "CSI",
}  # fmt: skip


def control_name(character: str) -> str:
    """``U+001B (ESC)``: a control character named in visible text."""
    name = CONTROL_NAMES.get(character)
    code = f"U+{ord(character):04X}"
    return f"{code} ({name})" if name else code


def _is_tab_at(text: str, index: int) -> bool:
    """True when the mark's character, or the first non-space of its line before it, is a tab.

    libyaml's messages omit the tab; its line starts after any of its line breaks.
    """
    if text[index:index + 1] == "\t":
        return True
    start = max(text.rfind(brk, 0, index) for brk in "\n\r\x85\u2028\u2029") + 1
    return text[start:index + 1].lstrip(" ").startswith("\t")


def _mark(mark: yaml.Mark | None, file: str, lines: LineIndex) -> Location:
    if mark is None:
        return Location(file)
    return lines.location(file, mark.index)


def location_of(node: yaml.Node, file: str, text: str) -> Location:
    """1-based location of a node's start in ``text`` (the text it was composed from)."""
    return _mark(node.start_mark, file, LineIndex(text))
