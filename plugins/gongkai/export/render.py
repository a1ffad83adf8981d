"""Fast row renderers, generated once per resource from its Table Schema.

The export renders every cell of 10,000 department-years several times (CSV
text, XLSX cell, JSON value), so a Python function call per cell is the
largest cost of the whole export. Here each resource gets small functions
compiled from its columns (one expression per column, no loop over the
columns, no call per cell), which give exactly the output of the plain
per-cell functions they stand for:

* :func:`texts_function` — :func:`gongkai.export.csv_package.row_texts`;
* :func:`xlsx_rows` — :func:`gongkai.export.xlsx.render_rows`, with a fast
  path for the (usual) record whose text cells need no escaping at all;
* :func:`json_function` — :func:`gongkai.export.json_record.json_rows`;
* :func:`excel_from_csv` — the Excel CSV derived from the data CSV text when
  no cell needs defusing and no cell holds a line break (then the two differ
  only in their line ends).

``tests/test_export_render.py`` checks each against its plain counterpart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from operator import itemgetter
from typing import Any

from gongkai.export.csv_package import FORMULA_TRIGGERS
from gongkai.package import cell_text
from gongkai.tables import TABLES_BY_NAME

Texts = list[list[str]]


def _compile(name: str, source: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    code = compile(source, f"<gongkai.export.render {name}>", "exec")
    exec(code, namespace)  # noqa: S102 - source built from the Table Schemas, not from data
    return namespace[name]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- #
# Cell texts
# --------------------------------------------------------------------------- #


@cache
def texts_function(resource: str) -> Callable[[Sequence[dict[str, Any]]], Texts]:
    """``rows → cell texts`` of ``resource``, as :func:`~gongkai.package.cell_text` gives them."""
    # A Decimal's str() is its fixed-point text unless it uses an exponent
    # ("1E+3"), and four times cheaper than format(v, "f").
    cells = ", ".join(
        f"('' if (v := g({c.name!r})) is None else v if (k := v.__class__) is str "
        f"else (s if 'E' not in (s := _s(v)) else _f(v, 'f')) if k is _D else _s(v) if k is int else _ct(v))"
        for c in TABLES_BY_NAME[resource].columns
    )
    source = (
        "def texts(rows):\n"
        "    out = []\n"
        "    append = out.append\n"
        "    for r in rows:\n"
        "        g = r.get\n"
        f"        append([{cells}])\n"
        "    return out\n"
    )
    return _compile("texts", source, {"_f": format, "_s": str, "_D": Decimal, "_ct": cell_text})


# --------------------------------------------------------------------------- #
# XLSX cells
# --------------------------------------------------------------------------- #

#: Separates the text cells of a record when they are checked in one pass.
#: A text that contains it only makes the check more cautious.
_SEP = "\ue000"
_TRIGGER_CLASS = "".join(re.escape(t) for t in FORMULA_TRIGGERS)
#: What sends a record to the careful per-cell path: a character that
#: :func:`~gongkai.export.xlsx.escape_text` turns into an ``_xHHHH_`` escape
#: or ``&#13;`` (``_ESCAPED``, and a literal ``_xHHHH_``: ``_LITERAL``), or a
#: text starting like a formula or with white space, or ending with white
#: space (``_EDGE``, which starts with a literal so that the regex engine
#: jumps from separator to separator).
_ESCAPED = re.compile(r"[\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LITERAL = re.compile(r"_x[0-9A-Fa-f]{4}_")
_EDGE = re.compile(rf"{_SEP}(?:(?<=\s{_SEP})|[{_TRIGGER_CLASS}\s])")
#: The XML markup characters (``<=``, ``>`` and ``&`` are common in indicator texts).
_MARKUP = re.compile(r"[&<>]")


@cache
def _xlsx_fast(resource: str, markup: bool) -> Callable[[Texts], list[str]]:
    """Rows → ``<c>`` elements for a record whose text cells need at most ``&<>`` escaped."""
    from gongkai.export import xlsx

    parts = []
    for i, column in enumerate(xlsx.sheet_columns(resource)):
        cell = f"r[{i}]"
        if column.kind == xlsx.TEXT:
            text = f"{cell}.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')" if markup else cell
            parts.append(f"""('<c t="inlineStr"><is><t>' + {text} + '</t></is></c>' if {cell} else '<c/>')""")
        elif column.kind == xlsx.MONEY:
            parts.append(f"""('<c s="{xlsx._STYLE_MONEY}"><v>' + {cell} + '</v></c>' if {cell} else '<c/>')""")
        elif column.kind in (xlsx.INTEGER, xlsx.NUMBER):
            parts.append(f"""('<c><v>' + {cell} + '</v></c>' if {cell} else '<c/>')""")
        elif column.kind == xlsx.BOOLEAN:
            parts.append(f"""(('<c t="b"><v>1</v></c>' if {cell} == 'true' else '<c t="b"><v>0</v></c>') if {cell} else '<c/>')""")
        else:  # dates: rare, converted by the plain function
            parts.append(f"(_date({cell}) if {cell} else '<c/>')")
    body = ", ".join(parts)
    source = f"def fast(rows):\n    return [''.join(({body},)) for r in rows]\n"
    return _compile("fast", source, {"_date": xlsx.RENDERERS[xlsx.DATE]})


@cache
def _text_cells(resource: str) -> Callable[[Sequence[str]], Any] | None:
    """``row → its text cells`` (a tuple), or ``None`` when the resource has none."""
    from gongkai.export import xlsx

    return _getter([i for i, c in enumerate(xlsx.sheet_columns(resource)) if c.kind == xlsx.TEXT])


def _getter(indexes: Sequence[int]) -> Callable[[Sequence[str]], Any] | None:
    if not indexes:
        return None
    if len(indexes) == 1:
        index = indexes[0]
        return lambda row: (row[index],)
    return itemgetter(*indexes)


def text_blob(resource: str, texts: Texts) -> str:
    """Every text cell of ``texts``, each between two separators (one string to search)."""
    cells = _text_cells(resource)
    if cells is None or not texts:
        return _SEP
    return _SEP + _SEP.join([_SEP.join(cells(row)) for row in texts]) + _SEP


def text_kind(resource: str, texts: Texts, blob: str | None = None) -> str | None:
    """``"plain"``, ``"markup"`` (only ``&<>`` to escape) or ``None`` (render cell by cell)."""
    from gongkai.export.xlsx import MAX_CELL_CHARS

    if blob is None:
        blob = text_blob(resource, texts)
    if len(blob) > MAX_CELL_CHARS and any(len(t) > MAX_CELL_CHARS for t in blob.split(_SEP)):
        return None
    if _ESCAPED.search(blob) or _EDGE.search(blob) or ("_x" in blob and _LITERAL.search(blob)):
        return None
    return "markup" if _MARKUP.search(blob) else "plain"


def xlsx_rows(resource: str, texts: Texts, blob: str | None = None) -> list[str]:
    """The ``<c>`` elements of each row (what :func:`~gongkai.export.xlsx.render_rows` gives).

    ``blob``: :func:`text_blob` of ``texts``, when the caller has it already.
    """
    kind = text_kind(resource, texts, blob)
    if kind is not None:
        return _xlsx_fast(resource, kind == "markup")(texts)
    from gongkai.export.xlsx import render_rows

    return render_rows(resource, texts)


# --------------------------------------------------------------------------- #
# JSON objects
# --------------------------------------------------------------------------- #


@cache
def json_function(resource: str) -> Callable[[Texts], list[str]]:
    """Rows → compact JSON objects, as :func:`~gongkai.export.json_record.json_rows` writes them."""
    from gongkai.export.json_record import OMITTED

    lines = ["def rows(texts):", "    out = []", "    append = out.append", "    for r in texts:", "        p = []"]
    for i, column in enumerate(TABLES_BY_NAME[resource].columns):
        if column.name in OMITTED:
            continue
        key = f'"{column.name}": '
        if column.type in ("integer", "number", "boolean"):
            value = f"r[{i}]"
        elif column.type == "date":
            value = f"'\"' + r[{i}] + '\"'"
        else:
            value = f"_enc(r[{i}])"
        lines.append(f"        if r[{i}]: p.append({key!r} + {value})")
    lines += ["        append('{' + ', '.join(p) + '}')", "    return out", ""]
    return _compile("rows", "\n".join(lines), {"_enc": encode_basestring})


# --------------------------------------------------------------------------- #
# Excel CSV
# --------------------------------------------------------------------------- #

_FORMULA_START = re.compile(f"{_SEP}[{_TRIGGER_CLASS}]")


@cache
def _blob_covers_strings(resource: str) -> bool:
    """True when :func:`text_blob` holds every cell the Excel CSV would defuse."""
    from gongkai.export import xlsx
    from gongkai.export.csv_package import text_columns

    texts = {i for i, c in enumerate(xlsx.sheet_columns(resource)) if c.kind == xlsx.TEXT}
    return set(text_columns(resource)) <= texts


def excel_from_csv(resource: str, texts: Texts, data_csv: str, blob: str | None = None) -> str | None:
    """The Excel CSV body from the data CSV body, or ``None`` when it must be written anew.

    Equal to the data CSV with ``\\r\\n`` line ends when every line break of
    the text ends a row (no cell holds one, nor a ``\\r``) and no string
    cell starts like a formula (nothing to defuse). ``blob``: the
    :func:`text_blob` of ``texts``, when the caller has it already.
    """
    if "\r" in data_csv or data_csv.count("\n") != len(texts) or not _nothing_to_defuse(resource, texts, blob):
        return None
    return data_csv.replace("\n", "\r\n")


def excel_bytes_from_csv(resource: str, texts: Texts, data_csv: bytes, blob: str | None = None) -> bytes | None:
    """:func:`excel_from_csv` on the UTF-8 bytes (no second encoding of the text).

    In UTF-8 no character but LF and CR has a byte ``\\n`` or ``\\r``, so
    the checks and the replacement mean the same on the bytes.
    """
    if b"\r" in data_csv or data_csv.count(b"\n") != len(texts) or not _nothing_to_defuse(resource, texts, blob):
        return None
    return data_csv.replace(b"\n", b"\r\n")


def _nothing_to_defuse(resource: str, texts: Texts, blob: str | None) -> bool:
    """True when no string cell of ``texts`` starts like a formula."""
    if blob is None or not _blob_covers_strings(resource):
        from gongkai.export.csv_package import text_columns

        cells = _getter(text_columns(resource))
        blob = _SEP + _SEP.join([_SEP.join(cells(row)) for row in texts]) if cells and texts else ""
    return not _FORMULA_START.search(blob)
