"""A small, fast, deterministic XLSX (SpreadsheetML) writer.

Why not openpyxl: measured on the 2-core build machine, openpyxl in
write-only mode takes about 0.1 s for a 20-sheet workbook and writes about
170,000 cells a second; 10,000 department-year workbooks plus the
whole-dataset workbook (tens of millions of cells) would take many minutes.
The subset of SpreadsheetML needed here — inline strings, numbers, dates, a
bold frozen header row, an autofilter, column widths — is a few templates,
written straight into a :class:`~gongkai.export.zips.DeterministicZip` so
that rebuilding unchanged content gives byte-identical files (openpyxl
stamps the current time into ``docProps/core.xml``). The tests read every
workbook back with openpyxl and pandas.

Formula policy: every text cell is an inline string (``t="inlineStr"``), a
type Excel never evaluates, so ``=HYPERLINK(…)`` is shown, not run, and
the value is kept exactly (no added ``'``). Text that starts like a formula
also gets the ``quotePrefix`` style, so that editing the cell in Excel keeps
it text. Numbers are numeric cells, never text: a negative amount stays a
number.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, BinaryIO
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr

from gongkai.export.csv_package import FORMULA_TRIGGERS
from gongkai.export.zips import COMPRESS_LEVEL, DeterministicZip, ZipTime, small_zip
from gongkai.tables import TABLES_BY_NAME, Column

#: Excel's hard limits.
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
MAX_SHEET_NAME = 31

TEXT, INTEGER, NUMBER, MONEY, DATE, BOOLEAN = "text", "integer", "number", "money", "date", "boolean"
#: cellXfs indexes of styles.xml below.
_STYLE_HEADER, _STYLE_QUOTED, _STYLE_MONEY, _STYLE_DATE = 1, 2, 3, 4
_EXCEL_EPOCH = date(1899, 12, 30)
#: Characters XML 1.0 cannot carry and OOXML's own ``_xHHHH_`` escape.
_SPECIAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"

_STYLES = (
    _XML_DECL
    + f"<styleSheet {_NS}>"
    + '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    + '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    + '<fill><patternFill patternType="gray125"/></fill></fills>'
    + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    + '<cellXfs count="5">'
    + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    + '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/>'
    + '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    + '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    + "</cellXfs>"
    + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    + "</styleSheet>"
)


@dataclass(frozen=True)
class SheetColumn:
    """One column: the dict key of the rows, the header text, the cell kind."""

    key: str
    header: str
    kind: str = TEXT
    width: float = 12.0


@dataclass(frozen=True)
class WorkbookInfo:
    """Document properties; ``created`` is RFC 3339 and fixed by the caller."""

    title: str
    creator: str
    description: str
    created: str
    when: ZipTime


@lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def display_width(text: str) -> float:
    """Approximate column width of ``text``: CJK characters are two units wide."""
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name derived from ``title``."""
    base = _sheet_base(title)
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


@lru_cache(maxsize=1024)
def _sheet_base(title: str) -> str:
    """``title`` as a valid sheet name (the few table titles, for thousands of workbooks)."""
    return _SHEET_NAME_FORBIDDEN.sub("_", title).strip("'")[:MAX_SHEET_NAME] or "Sheet"


def _escape_special(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith("_x"):
        return "_x005F" + text  # a literal "_xHHHH_" must not be decoded
    return f"_x{ord(text):04X}_"


#: Anything :func:`escape_text` must change; most cells have none of it.
_NEEDS_ESCAPE = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def escape_text(text: str) -> str:
    """Cell text as XML character data.

    Control characters, which XML 1.0 cannot carry, become OOXML's
    ``_xHHHH_`` escapes (decoded by Excel), and a literal ``_xHHHH_`` in
    the text is protected by escaping its underscore. Text longer than an
    Excel cell holds is cut (the CSV keeps it whole).
    """
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    if not _NEEDS_ESCAPE.search(text):
        return text
    if _SPECIAL.search(text):
        text = _SPECIAL.sub(_escape_special, text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")  # a raw CR would be read back as LF
    return text


_TRIGGERS = frozenset(FORMULA_TRIGGERS)


def text_cell(text: str, style: int = 0) -> str:
    """An inline-string cell: never evaluated; ``quotePrefix`` when it looks like a formula."""
    if text[0] in _TRIGGERS:
        style = _STYLE_QUOTED
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    s = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{s}><is><t{space}>{escape_text(text)}</t></is></c>'


def _money_cell(text: str) -> str:
    return f'<c s="{_STYLE_MONEY}"><v>{text}</v></c>'


def _number_cell(text: str) -> str:
    return f"<c><v>{text}</v></c>"


def _date_cell(text: str) -> str:
    try:
        serial = (date.fromisoformat(text) - _EXCEL_EPOCH).days
    except ValueError:
        return text_cell(text)
    return f'<c s="{_STYLE_DATE}"><v>{serial}</v></c>'


def _boolean_cell(text: str) -> str:
    return f'<c t="b"><v>{1 if text == "true" else 0}</v></c>'


CellRenderer = Callable[[str], str]
RENDERERS: dict[str, CellRenderer] = {
    TEXT: text_cell,
    MONEY: _money_cell,
    INTEGER: _number_cell,
    NUMBER: _number_cell,
    DATE: _date_cell,
    BOOLEAN: _boolean_cell,
}
EMPTY_CELL = "<c/>"


def render_row(renderers: Sequence[CellRenderer], texts: Sequence[str]) -> str:
    """The ``<c>`` elements of one row, from its CSV cell texts.

    Cells carry no ``r`` reference (it is optional in SpreadsheetML; a
    reader places each cell after the previous one, so an empty cell is an
    explicit ``<c/>``). Without references the same string serves a row's
    department-year workbook and the whole-dataset workbook, where it sits
    at a different row number.
    """
    return "".join([render(t) if t else EMPTY_CELL for render, t in zip(renderers, texts, strict=True)])


class _Memory:
    """A worksheet body kept in memory as its pieces, joined once when saved.

    A department-year workbook is written by the thousand; keeping the row
    strings in a list (instead of a ``StringIO``) saves copying each sheet's
    text twice more before it is encoded.
    """

    __slots__ = ("pieces",)

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def write(self, text: str) -> None:
        self.pieces.append(text)

    def close(self) -> None:
        return None


@dataclass
class _Part:
    """One worksheet part: its name and where its ``<row>`` elements went."""

    name: str
    body: IO[str] | _Memory
    path: Path | None = None
    rows: int = 0  # rows written, header included


@dataclass
class Sheet:
    """A table written as one or more worksheets (split at Excel's row limit).

    Rows arrive already rendered (:func:`render_row`) and are written as they
    come: into memory for a small workbook, into a temporary file when the
    workbook spools (the whole-dataset export).
    """

    title: str
    columns: Sequence[SheetColumn]
    book: Workbook
    header: bool = True
    parts: list[_Part] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._new_part()

    def _new_part(self) -> None:
        name = sheet_name(self.title, self.book.taken_names)
        body, path = self.book.open_body()
        part = _Part(name, body, path)
        self.parts.append(part)
        if self.header:
            body.write(_by_columns(_header_row, self.columns))
            part.rows = 1

    def append_cells(self, rows: Sequence[str]) -> None:
        """Append rows given as their rendered ``<c>`` elements."""
        start = 0
        while start < len(rows):
            part = self.parts[-1]
            if part.rows >= MAX_ROWS:
                self._new_part()
                continue
            chunk = rows[start : start + MAX_ROWS - part.rows]
            wrapped = _row_pieces(chunk, part.rows + 1)
            if isinstance(part.body, _Memory):
                part.body.pieces += wrapped  # joined once, with the sheet's head and tail
            else:
                part.body.write("".join(wrapped))
            part.rows += len(chunk)
            start += len(chunk)

    def append_texts(self, rows: Iterable[Sequence[str]]) -> None:
        """Append rows of cell texts, rendered by the kinds of :attr:`columns`."""
        kinds = tuple(c.kind for c in self.columns)
        self.append_cells([_text_row(kinds, tuple(row)) for row in rows])


def _text_row(kinds: tuple[str, ...], row: tuple[str, ...]) -> str:
    """:func:`render_row` of a row of texts, remembered when short.

    The 说明 sheet of every department-year workbook repeats most of its
    rows (licence, notes, the list of sheets): rendered cell by cell, they
    were a tenth of the workbook's time besides deflating.
    """
    key = (kinds, row)
    found = _TEXT_ROWS.get(key)
    if found is None:
        renderers = [RENDERERS[kind] for kind in kinds]
        found = render_row(renderers, _padded(row, len(renderers)))
        if sum(map(len, row)) <= _TEXT_ROW_CHARS:
            if len(_TEXT_ROWS) >= _TEXT_ROWS_KEPT:
                _TEXT_ROWS.clear()
            _TEXT_ROWS[key] = found
    return found


_TEXT_ROWS: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
_TEXT_ROWS_KEPT = 4096
_TEXT_ROW_CHARS = 1024


def _row_pieces(cells: Sequence[str], first: int) -> list[str]:
    """``<row r="first">{cells[0]}</row><row r="first+1">…</row>`` as pieces to join.

    The tags between rows (``</row><row r="n">``) are formatted once per
    process and the pieces interleaved by slice assignment: a workbook's
    rows cost no Python-level loop (five times faster than formatting
    each row, on a department-year's sheets).
    """
    count = len(cells)
    if not count:
        return []
    last = first + count  # one past the last row number
    kept = _row_tags(last)
    if last <= len(kept):
        tags = kept[first + 1 : last]
    else:  # rows past the kept tags (the whole-dataset sheets): formatted here
        tags = [f'</row><row r="{r}">' for r in range(first + 1, last)]
    pieces: list[str] = [""] * (2 * count + 1)
    pieces[0::2] = [f'<row r="{first}">', *tags, "</row>"]
    pieces[1::2] = cells
    return pieces


def _row_tags(last: int) -> list[str]:
    """The kept row tags, grown to row ``last`` (or :data:`_ROW_TAGS_KEPT`) if needed.

    Grown into a new list, never in place: a reader (another thread) only
    ever sees a complete list.
    """
    global _ROW_TAGS
    kept = _ROW_TAGS
    if last > len(kept) and len(kept) < _ROW_TAGS_KEPT:
        end = min(max(last, 2 * len(kept)), _ROW_TAGS_KEPT)
        kept = _ROW_TAGS = kept + [f'</row><row r="{r}">' for r in range(len(kept), end)]
    return kept


#: ``_ROW_TAGS[n]`` is ``</row><row r="n">`` (for n < :data:`_ROW_TAGS_KEPT`).
_ROW_TAGS: list[str] = []
_ROW_TAGS_KEPT = 1 << 14  # about 1 MB; a department-year sheet has a few hundred rows


_BY_COLUMNS: dict[tuple[int, int], tuple[Sequence[SheetColumn], str]] = {}


def _by_columns(make: Callable[[tuple[SheetColumn, ...]], str], columns: Sequence[SheetColumn]) -> str:
    """``make(columns)``, remembered per columns object: hashing 20 frozen
    dataclasses for a cache lookup cost more than building a header row."""
    key = (id(make), id(columns))
    found = _BY_COLUMNS.get(key)
    if found is None or found[0] is not columns:
        found = _BY_COLUMNS[key] = (columns, make(tuple(columns)))
    return found[1]


@cache
def _header_row(columns: tuple[SheetColumn, ...]) -> str:
    return '<row r="1">' + "".join(text_cell(col.header, _STYLE_HEADER) for col in columns) + "</row>"


@cache
def _cols(columns: tuple[SheetColumn, ...]) -> str:
    return "".join(
        f'<col min="{i}" max="{i}" width="{col.width:.1f}" customWidth="1"/>' for i, col in enumerate(columns, start=1)
    )


def _padded(row: Sequence[str], width: int) -> list[str]:
    return [*row, *[""] * (width - len(row))][:width]


class Workbook:
    """Sheets in order, saved as one deterministic ``.xlsx`` file."""

    def __init__(self, info: WorkbookInfo, *, spool: bool = False, level: int = COMPRESS_LEVEL) -> None:
        self.info = info
        self.level = level
        self.sheets: list[Sheet] = []
        self.taken_names: set[str] = set()
        self._spool_dir = tempfile.TemporaryDirectory(prefix="gongkai-xlsx-") if spool else None
        self._count = 0

    def open_body(self) -> tuple[IO[str] | _Memory, Path | None]:
        if self._spool_dir is None:
            return _Memory(), None
        self._count += 1
        path = Path(self._spool_dir.name) / f"part{self._count}.xml"
        return path.open("w", encoding="utf-8", buffering=1 << 20), path

    def add_sheet(
        self, title: str, columns: Sequence[SheetColumn], *, header: bool = True, first: bool = False
    ) -> Sheet:
        """A new sheet, last (or ``first``); a sheet left without rows is not saved."""
        sheet = Sheet(title, columns, self, header)
        self.sheets.insert(0 if first else len(self.sheets), sheet)
        return sheet

    def _parts(self, *, all_parts: bool = False) -> Iterator[tuple[Sheet, _Part]]:
        for sheet in self.sheets:
            for part in sheet.parts:
                if all_parts or part.rows > (1 if sheet.header else 0):
                    yield sheet, part

    def save(self, target: Path | BinaryIO) -> None:
        """Write the workbook; the temporary sheet files are removed."""
        parts = list(self._parts())
        fixed = [
            ("[Content_Types].xml", _content_types_bytes(len(parts))),
            ("_rels/.rels", _ROOT_RELS_BYTES),
            ("docProps/app.xml", _APP_BYTES),
            ("docProps/core.xml", _core(self.info).encode()),
            ("xl/workbook.xml", _workbook_xml(parts).encode()),
            ("xl/_rels/workbook.xml.rels", _workbook_rels_bytes(len(parts))),
            ("xl/styles.xml", _STYLES_BYTES),
        ]
        try:
            if self._spool_dir is None:  # small: every sheet is in memory, packed in one go
                members = [(name, data, True) for name, data in fixed]
                for number, (sheet, part) in enumerate(parts, start=1):
                    members.append((f"xl/worksheets/sheet{number}.xml", _part_bytes(sheet, part, number == 1), True))
                data = small_zip(members, self.info.when, self.level)
                if isinstance(target, Path):
                    target.write_bytes(data)
                else:
                    target.write(data)
                return
            with DeterministicZip(target, self.info.when, self.level) as zf:
                for name, data in fixed:
                    zf.add_bytes(name, data)
                for number, (sheet, part) in enumerate(parts, start=1):
                    _write_part(zf, f"xl/worksheets/sheet{number}.xml", sheet, part, selected=number == 1)
        finally:
            self.close()

    def save_bytes(self) -> bytes:
        """The workbook as bytes (a department-year's, kept in memory)."""
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()

    def close(self) -> None:
        for _, part in self._parts(all_parts=True):
            part.body.close()
        if self._spool_dir is not None:
            self._spool_dir.cleanup()
            self._spool_dir = None


def _part_bytes(sheet: Sheet, part: _Part, selected: bool) -> bytes:
    """A worksheet held in memory, as its XML bytes."""
    head, tail = _sheet_frame(sheet, part, selected)
    assert isinstance(part.body, _Memory)
    return "".join([head, *part.body.pieces, tail]).encode("utf-8")


def _write_part(zf: DeterministicZip, name: str, sheet: Sheet, part: _Part, *, selected: bool) -> None:
    if part.path is None:
        zf.add_bytes(name, _part_bytes(sheet, part, selected))
        return
    head, tail = _sheet_frame(sheet, part, selected)
    part.body.close()
    size = part.path.stat().st_size
    zf.add_chunks(name, _chunks(head, part.path, tail), large=size >= (1 << 31) - 1)


def _chunks(head: str, path: Path, tail: str) -> Iterator[bytes]:
    yield head.encode("utf-8")
    with path.open("rb") as body:
        while chunk := body.read(1 << 20):
            yield chunk
    yield tail.encode("utf-8")


def _sheet_frame(sheet: Sheet, part: _Part, selected: bool) -> tuple[str, str]:
    """The XML before and after the rows of a worksheet part."""
    last_col = column_letter(max(len(sheet.columns), 1) - 1)
    last_row = max(part.rows, 1)
    cols = _by_columns(_cols, sheet.columns)
    tab = ' tabSelected="1"' if selected else ""
    if sheet.header:
        pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        view = f'<sheetView{tab} workbookViewId="0">{pane}<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
        autofilter = f'<autoFilter ref="A1:{last_col}{last_row}"/>'
    else:
        view = f'<sheetView{tab} workbookViewId="0"/>'
        autofilter = ""
    head = (
        f"{_XML_DECL}<worksheet {_NS} {_NS_R}>"
        f'<dimension ref="A1:{last_col}{last_row}"/>'
        f"<sheetViews>{view}</sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>"
    )
    tail = (
        f"</sheetData>{autofilter}"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )
    return head, tail


@cache
def _content_types_bytes(sheets: int) -> bytes:
    """:func:`_content_types` encoded (the same few for thousands of workbooks)."""
    return _content_types(sheets).encode()


@cache
def _workbook_rels_bytes(sheets: int) -> bytes:
    return _workbook_rels(sheets).encode()


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
        f"{overrides}</Types>"
    )


_ROOT_RELS = (
    f'{_XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

_APP = (
    f'{_XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Gongkai</Application></Properties>"
)
_ROOT_RELS_BYTES = _ROOT_RELS.encode()
_APP_BYTES = _APP.encode()
_STYLES_BYTES = _STYLES.encode()


def _core(info: WorkbookInfo) -> str:
    return (
        f"{_XML_DECL}<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml_escape(info.title)}</dc:title>"
        f"<dc:creator>{_xml_escape(info.creator)}</dc:creator>"
        f"<dc:description>{_xml_escape(info.description)}</dc:description>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{info.created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{info.created}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _workbook_xml(parts: list[tuple[Sheet, _Part]]) -> str:
    sheets = "".join(
        f'<sheet name={_name_attribute(part.name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, (_, part) in enumerate(parts, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_name_reference(part.name)}!$A$1:${column_letter(len(sheet.columns) - 1)}${max(part.rows, 1)}"
        "</definedName>"
        for i, (sheet, part) in enumerate(parts)
        if sheet.header
    )
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    return (
        f"{_XML_DECL}<workbook {_NS} {_NS_R}>"
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets>{defined}</workbook>"
    )


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


@lru_cache(maxsize=1024)
def _name_attribute(name: str) -> str:
    """A sheet name as an XML attribute value (the same table titles in every workbook)."""
    return quoteattr(name)


@lru_cache(maxsize=1024)
def _name_reference(name: str) -> str:
    """A sheet name quoted for a formula reference, as XML text."""
    return _xml_escape(_quote_sheet(name))


def _workbook_rels(sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    styles = f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    return (
        f'{_XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}{styles}</Relationships>"
    )


# --------------------------------------------------------------------------- #
# Gongkai tables as sheets
# --------------------------------------------------------------------------- #

#: Text fields that hold sentences; their columns are wide.
_LONG_TEXT = {"text", "quote", "goal", "purpose", "duty", "description", "indicators_text", "message", "basis", "note"}


def column_kind(column: Column) -> str:
    """The spreadsheet cell kind of a schema field: money gets ``#,##0.00``."""
    if column.is_money:
        return MONEY
    return {"integer": INTEGER, "number": NUMBER, "date": DATE, "boolean": BOOLEAN}.get(column.type, TEXT)


@cache
def sheet_columns(name: str) -> tuple[SheetColumn, ...]:
    """Chinese headers (the schema titles), kinds and widths of a resource's sheet."""
    out = []
    for column in TABLES_BY_NAME[name].columns:
        kind = column_kind(column)
        width = display_width(column.title) + 2
        if kind == MONEY:
            width = max(width, 16)
        elif kind == DATE:
            width = max(width, 12)
        elif column.name in _LONG_TEXT:
            width = max(width, 50)
        elif kind == TEXT:
            width = max(width, 14)
        out.append(SheetColumn(column.name, column.title, kind, round(min(width, 60), 1)))
    return tuple(out)


@cache
def _renderers(name: str) -> tuple[CellRenderer, ...]:
    return tuple(RENDERERS[c.kind] for c in sheet_columns(name))


def render_rows(name: str, texts: Iterable[Sequence[str]]) -> list[str]:
    """The ``<c>`` elements of each row of resource ``name``."""
    renderers = _renderers(name)
    return [render_row(renderers, row) for row in texts]
