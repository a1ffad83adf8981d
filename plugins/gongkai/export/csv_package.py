"""The CSV files of the data package and the text of ``datapackage.json``.

Files are written deterministically: rows in a stable order, ``\\n`` line
endings, JSON keys in a fixed order, so that rebuilding unchanged content
gives byte-identical output (a reviewer's diff shows only real changes).

Two CSV flavours exist, because no single file serves both audiences:

* the **data CSV** (``<resource>.csv``, described by ``datapackage.json``):
  UTF-8 without a byte-order mark, ``\\n`` line ends, every cell exactly as
  normalised. This is what pandas, R, Frictionless, DuckDB and ``csv``
  modules expect, and what a checksum must cover;
* the **Excel CSV** (``excel/<resource>.csv``): UTF-8 *with* a byte-order
  mark (without it, Excel on a Chinese Windows decodes the file as GBK and
  shows mojibake), ``\\r\\n`` line ends, and text cells that Excel would run
  as a formula prefixed with ``'`` (see :func:`defuse_formula`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from gongkai.export.reuse import detach
from gongkai.package import cell_text
from gongkai.tables import TABLES_BY_NAME

#: Folder of the Excel CSVs, next to the data CSVs.
EXCEL_DIR = "excel"
#: A text cell starting with one of these is run as a formula by spreadsheet
#: programs (OWASP "CSV injection"); tab and CR are in the list because Excel
#: strips them before looking at the next character.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would treat ``text`` as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def defuse_formula(text: str) -> str:
    """``text`` made inert for a spreadsheet: a leading ``'`` when needed.

    Used only for the Excel CSV: the data CSV stays exact, because a quote
    would corrupt the value for every program that is not a spreadsheet.
    """
    return "'" + text if is_formula_like(text) else text


def csv_header(name: str) -> list[str]:
    """The header row of a resource: its field names."""
    return TABLES_BY_NAME[name].column_names


def row_texts(name: str, rows: Iterable[dict[str, Any]]) -> list[list[str]]:
    """The cells of ``rows`` as CSV text (:func:`~gongkai.package.cell_text`).

    Computed once per resource and record; the CSV, Excel CSV, XLSX, JSON
    and SQLite writers all start from these strings, so a Decimal is
    formatted once however many formats are written.
    """
    columns = TABLES_BY_NAME[name].column_names
    return [
        ["" if (v := row.get(c)) is None else v if type(v) is str else cell_text(v) for c in columns]
        for row in rows
    ]


@cache
def text_columns(name: str) -> tuple[int, ...]:
    """Indexes of the ``string`` fields of a resource (the only ones defused)."""
    return tuple(i for i, c in enumerate(TABLES_BY_NAME[name].columns) if c.type == "string")


def csv_from_texts(name: str, texts: list[list[str]], *, excel: bool = False) -> str:
    """CSV data rows (no header) from :func:`row_texts` output.

    Rows of one record are contiguous in every resource (the package sorts
    by ``budget_id``), so the whole-dataset file is the concatenation of the
    per-record bodies.
    """
    if not excel:
        plain = _plain_csv(texts)
        if plain is not None:
            return plain
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")
    writer.writerows(_defused(name, texts) if excel else texts)
    return buffer.getvalue()


def _plain_csv(texts: list[list[str]]) -> str | None:
    """The data CSV rows joined as they are, when :mod:`csv` would quote nothing (else ``None``).

    The writer quotes a cell only when it holds a delimiter, a quote or a
    line break (or is the only cell of its row, and empty); most records have none of
    these, and joining the cells costs less than half as much as the writer.
    Whether a cell holds one is told from the joined text: no quote, no CR,
    and exactly the commas and line feeds the joining put there.
    """
    if not texts:
        return ""
    if min(map(len, texts)) < 2:
        return None  # a lone empty cell is written as ""
    try:
        body = "\n".join(map(",".join, texts)) + "\n"
    except TypeError:  # a cell that is not text: the writer formats it
        return None
    if (
        '"' in body
        or "\r" in body
        or body.count("\n") != len(texts)
        or body.count(",") != sum(map(len, texts)) - len(texts)
    ):
        return None
    return body


def texts_from_csv(name: str, body: bytes, size: int) -> list[list[str]] | None:
    """The cell texts a data CSV body was written from, or ``None`` if they cannot be told exactly.

    :func:`csv_from_texts` quotes every cell holding a delimiter, a quote or
    a line feed, so :mod:`csv` reads the texts back exactly, except a cell
    holding a carriage return, which the writer leaves unquoted: a body with
    one is refused, as is one with rows not of the resource's width, not
    ``size`` rows, a cell over the reader's size limit or invalid UTF-8.

    A body with no ``"`` (and no ``\\r``) is split, not parsed: the writer
    quotes every cell holding a comma, a quote or a line feed, so each line
    is a row and each comma ends a cell, which gives the texts exactly in
    60 % of the parser's time (the export reads back millions of cells).
    Such a body must end with a line feed, as the writer ends every row
    (and has no cell size limit: only a parsed body has one).
    """
    if b"\r" in body:
        return None
    width = len(TABLES_BY_NAME[name].columns)
    if b'"' not in body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        lines = text.split("\n")
        if lines.pop() != "" or len(lines) != size:  # every row ends with a line feed
            return None
        texts = [line.split(",") for line in lines]
        widths = set(map(len, texts))
        if widths and widths != {width}:
            return None
        return texts
    try:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    except (csv.Error, UnicodeDecodeError):
        return None
    if len(rows) != size or any(len(row) != width for row in rows):
        return None
    return rows


def _defused(name: str, texts: list[list[str]]) -> Iterable[list[str]]:
    indexes = text_columns(name)
    for row in texts:
        if any(row[i][:1] in _TRIGGER_SET for i in indexes):
            row = [defuse_formula(t) if i in indexes else t for i, t in enumerate(row)]
        yield row


_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)


def csv_body(name: str, rows: Iterable[dict[str, Any]], *, excel: bool = False) -> str:
    """The data rows of one resource as CSV text (no header)."""
    return csv_from_texts(name, row_texts(name, rows), excel=excel)


def csv_head(name: str, *, excel: bool = False) -> str:
    """The header line of a resource, with the BOM for the Excel flavour."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if excel else "\n").writerow(csv_header(name))
    return ("\ufeff" if excel else "") + buffer.getvalue()


@cache
def csv_head_bytes(name: str, *, excel: bool = False) -> bytes:
    """:func:`csv_head` in UTF-8 (written at the top of thousands of files)."""
    return csv_head(name, excel=excel).encode("utf-8")


def csv_bytes(name: str, rows: Sequence[dict[str, Any]], *, excel: bool = False) -> bytes:
    """The CSV file of one resource, UTF-8, header row first."""
    return (csv_head(name, excel=excel) + csv_body(name, rows, excel=excel)).encode("utf-8")


def file_info(data: bytes) -> dict[str, Any]:
    """Byte size and hash, as Data Package v2 records them."""
    return {"bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()}


class HashingFile:
    """A binary file that records its size and SHA-256 while being written.

    The whole-dataset CSVs are streamed record by record; hashing on the way
    avoids reading gigabytes back to fill in the descriptor.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        detach(path)  # never write through a hard link into the downloads cache
        self._file = path.open("wb")
        self._hash = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.bytes += len(data)

    def close(self) -> dict[str, Any]:
        """Close the file; return its ``{"bytes", "hash"}``."""
        self._file.close()
        return {"bytes": self.bytes, "hash": "sha256:" + self._hash.hexdigest()}


def descriptor_bytes(package: dict[str, Any], *, compact: bool = False) -> bytes:
    """``datapackage.json`` text: key order as built, final newline.

    Indented by two spaces (the whole-dataset descriptor, read and diffed by
    people), or ``compact`` (the department-year descriptors: thousands of
    copies of the same schemas, half the bytes without the indentation).
    Exactly what ``json.dumps`` gives, but each resource's Table Schema —
    most of the text — is serialised once per process and spliced in.
    """
    indent, separators = (None, (",", ":")) if compact else (2, (",", ": "))
    resources = package.get("resources", [])
    stub = {**package, "resources": [{**r, "schema": _marker(i)} for i, r in enumerate(resources)]}
    text = json.dumps(stub, ensure_ascii=False, indent=indent, separators=separators)
    for i, resource in enumerate(resources):
        schema = _schema_json(resource["name"], resource["schema"], compact)
        text = text.replace(json.dumps(_marker(i)), schema, 1)
    return (text + "\n").encode("utf-8")


def _marker(i: int) -> str:
    return f"\x00schema {i}\x00"


_SCHEMA_JSON: dict[tuple[str, bool], tuple[Any, str]] = {}
#: Depth of a resource's ``schema`` value in the descriptor (package → resources → resource).
_SCHEMA_INDENT = " " * 6


def _schema_json(name: str, schema: Any, compact: bool) -> str:
    cached = _SCHEMA_JSON.get((name, compact))
    if cached is None or cached[0] != schema:
        if compact:
            text = json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
        else:
            text = json.dumps(schema, ensure_ascii=False, indent=2).replace("\n", "\n" + _SCHEMA_INDENT)
        cached = _SCHEMA_JSON[(name, compact)] = (schema, text)
    return cached[1]
