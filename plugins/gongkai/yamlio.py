"""Reading YAML safely, keeping the position of every value.

Records come from pull requests, so every file is untrusted. We never
*construct* Python objects from YAML: we only *compose* the node graph
(libyaml when available), which keeps each node's line and column, and the
binder in :mod:`gongkai.binder` turns nodes into model objects. This module
refuses, with a located problem, what must never reach the binder: bytes that
are not UTF-8 text, several documents in a file, custom tags
(``!!python/object``) and aliases (the "billion laughs" attack needs them).
Duplicate keys are detected by the binder, which sees each mapping's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from gongkai.errors import Location, Problem

try:  # libyaml is ~10x faster; the pure-Python loader behaves the same.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: A department-year record is ~20-100 KB; anything far larger is a mistake.
MAX_BYTES = 5 * 1024 * 1024
#: The deepest structure the model has is ~7 levels; allow generous slack.
MAX_DEPTH = 40

STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


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
    if not text.strip() or all(_is_comment_or_blank(line) for line in text.splitlines()):
        return None, [Problem("file.empty", Location(file, 1, 1))]
    return text, []


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped == "---"


def _offset_location(data: bytes, offset: int, file: str) -> Location:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return Location(file, line, column)


def compose(text: str, file: str) -> Parsed:
    """Compose ``text`` into a node graph, or return located syntax problems."""
    depth_problem = _check_depth(text, file)
    if depth_problem is not None:
        return Parsed(None, [depth_problem], text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in str(exc):
            return Parsed(None, [Problem("yaml.multiple-documents", _mark(exc.problem_mark, file))], text)
        return Parsed(None, [_syntax_problem(exc, file, text)], text)
    except yaml.MarkedYAMLError as exc:
        return Parsed(None, [_syntax_problem(exc, file, text)], text)
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return Parsed(None, [Problem("yaml.syntax", Location(file), {"found": str(exc)})], text)
    finally:
        loader.dispose()
    if node is None:
        return Parsed(None, [Problem("file.empty", Location(file, 1, 1))], text)
    problems = list(_check_graph(node, file))
    return Parsed(None if problems else node, problems, text)


def _check_depth(text: str, file: str) -> Problem | None:
    """Refuse absurd nesting before libyaml recurses into it.

    Flow collections (``[[[[...``) and indentation are the two ways to nest;
    both are bounded cheaply here so that hostile input cannot exhaust the
    C stack of the composer.
    """
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" "))
        if indent > MAX_DEPTH * 8:
            return Problem("yaml.too-deep", Location(file, number, indent + 1), {"expected": MAX_DEPTH})
        if "[" not in line and "{" not in line and (depth == 0 or ("]" not in line and "}" not in line)):
            continue
        for column, char in enumerate(line, start=1):
            if char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return Problem("yaml.too-deep", Location(file, number, column), {"expected": MAX_DEPTH})
            elif char in "]}":
                depth = max(0, depth - 1)
            elif char == "#" and depth == 0:
                break
    return None


def _check_graph(root: yaml.Node, file: str) -> list[Problem]:
    """Refuse non-standard tags and shared nodes (aliases), iteratively."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            problems.append(Problem("yaml.alias", _mark(node.start_mark, file)))
            return problems
        seen.add(id(node))
        if node.tag not in STANDARD_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            problems.append(Problem("yaml.tag", _mark(node.start_mark, file), {"found": tag}))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(value)
                stack.append(key)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return problems


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    found = " ".join(part for part in (exc.context, exc.problem) if part)
    if mark is not None and _is_tab_at(text, mark.line, mark.column):
        return Problem("yaml.tab", _mark(mark, file))
    hint = {
        "zh": "常见原因：引号没有配对、缩进不一致、冒号后缺少空格。",
        "en": "Common causes: an unclosed quote, inconsistent indentation, a colon without a space.",
    }
    return Problem("yaml.syntax", _mark(mark, file), {"found": found, "hint": hint})


def _is_tab_at(text: str, line: int, column: int) -> bool:
    """True when the 0-based position holds a tab (libyaml's messages omit it)."""
    lines = text.splitlines()
    if line >= len(lines):
        return False
    row = lines[line]
    return (column < len(row) and row[column] == "\t") or row[:column + 1].lstrip(" ").startswith("\t")


def _mark(mark: yaml.Mark | None, file: str) -> Location:
    if mark is None:
        return Location(file)
    return Location(file, mark.line + 1, mark.column + 1)


def location_of(node: yaml.Node, file: str) -> Location:
    """1-based location of a node's start."""
    return _mark(node.start_mark, file)
