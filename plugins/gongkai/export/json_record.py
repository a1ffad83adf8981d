"""The JSON download of one record: every normalised row of the record.

Shape (every resource is present, an empty one as ``[]``)::

    {"budget_id": "…", "budget": {budgets row}, "department": {departments row},
     "sections": [rows…], …, "findings": [rows…]}

Rows have the fields of the Table Schemas in schema order, except that a
field without a value is left out (``null`` everywhere would double the file)
and ``budget_id`` is given once at the top, not in every row. Numbers are written from the exact decimal text, never through
a float: ``2184.44`` 万元 is ``21844400.00``, byte for byte what the CSV holds.
A reader that wants exact money parses numbers as decimals
(``json.loads(text, parse_float=decimal.Decimal)``); a JavaScript ``Number``
gets the nearest double, which prints back as the same value for every amount
below 2^53 fen. The code lists are not repeated here; they are in the package.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Protocol

from gongkai.tables import CODE_LISTS, TABLES, TABLES_BY_NAME

#: The list-valued keys of the document, in schema order.
ROW_LISTS = tuple(t.name for t in TABLES if t.name not in ("budgets", "departments", *CODE_LISTS))


def _text(text: str) -> str:
    return encode_basestring(text)


def _number(text: str) -> str:
    return text


def _date(text: str) -> str:
    return f'"{text}"'


def _boolean(text: str) -> str:
    return text


_RENDERERS: dict[str, Callable[[str], str]] = {
    "integer": _number,
    "number": _number,
    "date": _date,
    "boolean": _boolean,
}


#: Fields left out of the rows (the document's own ``budget_id``).
OMITTED = frozenset({"budget_id"})


@cache
def _fields(resource: str) -> tuple[tuple[str, Callable[[str], str] | None], ...]:
    """``('"name": ', renderer)`` per field of ``resource``; ``None`` renderer: left out."""
    return tuple(
        (f"{json.dumps(c.name)}: ", None if c.name in OMITTED else _RENDERERS.get(c.type, _text))
        for c in TABLES_BY_NAME[resource].columns
    )


def json_rows(resource: str, texts: Iterable[Sequence[str]]) -> list[str]:
    """Each row (as CSV cell texts) as a compact JSON object, keys in schema order.

    The texts are the exact decimal literals of the CSV, so numbers are
    copied, never converted; an empty cell is left out.
    """
    fields = _fields(resource)
    return [
        "{" + ", ".join([key + render(t) for (key, render), t in zip(fields, row, strict=True) if t and render]) + "}"
        for row in texts
    ]


class _Rendered(Protocol):
    @property
    def json(self) -> list[str]: ...


def record_json(budget_id: str, tables: Mapping[str, _Rendered]) -> bytes:
    """The JSON document of one record, one row per line, UTF-8."""
    lines = [
        "{",
        f'  "budget_id": {encode_basestring(budget_id)},',
        f'  "budget": {tables["budgets"].json[0]},',
        f'  "department": {tables["departments"].json[0]},',
    ]
    for index, name in enumerate(ROW_LISTS):
        comma = "," if index < len(ROW_LISTS) - 1 else ""
        rows = tables[name].json if name in tables else []
        if not rows:
            lines.append(f'  "{name}": []{comma}')
            continue
        lines.append(f'  "{name}": [')
        lines.append("    " + ",\n    ".join(rows))  # one join: no string per row
        lines.append(f"  ]{comma}")
    lines.append("}\n")
    return "\n".join(lines).encode("utf-8")
