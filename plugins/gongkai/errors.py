"""Problems as data, and the one exception family of the library.

A user's mistake never surfaces as a Python traceback: the loader and the
validator collect :class:`Problem` objects (what, where, expected, found, how
to fix) and every front end (CLI, MkDocs plugin, tests) renders them. The
exception classes are for callers that want to stop at the first problem.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from gongkai.messages import render

Lang = Literal["zh", "en"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


class LineIndex:
    """Character offsets of one text → 1-based (line, column), as an editor counts them.

    libyaml's marks count U+0085, U+2028 and U+2029 (and a lone CR) as line
    breaks too; editors, ``grep -n`` and GitHub annotations count newlines
    only, so every position is derived from a mark's character ``index``
    against the text's ``\\n`` positions. The newline positions are found on
    the first lookup: most texts are never asked for one.
    """

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def position(self, index: int) -> tuple[int, int]:
        """1-based (line, column) of the character at ``index`` (0-based)."""
        starts = self._starts
        if starts is None:
            starts = self._starts = _line_starts(self._text)
        line = bisect_right(starts, index)
        return line, index - starts[line - 1] + 1

    def location(self, file: str, index: int) -> Location:
        """The :class:`Location` of the character at ``index`` in ``file``."""
        line, column = self.position(index)
        return Location(file, line, column)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    at = find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts


class LocationMap(Mapping[str, Location]):
    """Model path → :class:`Location` of one file, stored compactly.

    A record holds thousands of values and the binder notes where each one
    is, but only the few that problems and findings point at are ever looked
    up. So each position is kept as one int, the character offset of the
    value in the text (``mark.index``), and the :class:`Location` is made
    when it is read, by the text's :class:`LineIndex`.
    """

    __slots__ = ("file", "lines", "marks")

    def __init__(self, file: str, marks: dict[str, int] | None = None, text: str = "") -> None:
        self.file = file
        #: path → character offset of the value; the binder fills it directly.
        self.marks: dict[str, int] = {} if marks is None else marks
        self.lines = LineIndex(text)

    def __getitem__(self, path: str) -> Location:
        return self.lines.location(self.file, self.marks[path])

    def __contains__(self, path: object) -> bool:
        return path in self.marks

    def __iter__(self) -> Iterator[str]:
        return iter(self.marks)

    def __len__(self) -> int:
        return len(self.marks)

    def __repr__(self) -> str:
        return f"LocationMap({self.file!r}, {len(self.marks)} paths)"


@dataclass(frozen=True)
class Problem:
    """A structural error in a record: the record cannot be published as it is.

    ``code`` names the kind of problem (a key of :data:`gongkai.messages.MESSAGES`);
    ``params`` fill its template (``expected``, ``found``, ``hint``, ...).
    """

    code: str
    location: Location
    params: dict[str, Any] = field(default_factory=dict)
    path: str = ""

    def message(self, lang: Lang = "zh") -> str:
        """The one-line message, in Chinese by default."""
        return render(self.code, self.params, lang)

    def format(self, lang: Lang = "zh") -> str:
        """``file:line:col: error[code]: message`` as a compiler would print it."""
        label = "错误" if lang == "zh" else "error"
        where = f" ({self.path})" if self.path else ""
        return f"{self.location}: {label}[{self.code}]{where}: {self.message(lang)}"

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        """A JSON-ready description for machines (``--format json``)."""
        return {
            "kind": "error",
            "code": self.code,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": self.path,
            "message": self.message(lang),
            **{k: _jsonable(v) for k, v in self.params.items()},
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


class GongkaiError(Exception):
    """Base of every error the library raises on purpose."""


class RecordError(GongkaiError):
    """A record has structural problems; ``problems`` says which."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))


class ConfigError(GongkaiError):
    """A command-line or plugin option is wrong."""
