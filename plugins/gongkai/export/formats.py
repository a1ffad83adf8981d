"""The download formats: a plain registry of exporters.

Each entry of :data:`EXPORTERS` says what the format is (label and
description, shown on the downloads page) and how it is written for one
department-year (``budget``: a function returning in-memory files) and for
the whole dataset (``dataset``: a sink fed record by record, so that 10,000
records never sit in memory as rows). The registry order is the writing
order: ``zip`` comes last because it packs what the others wrote.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from gongkai.errors import ConfigError
from gongkai.export import xlsx
from gongkai.export.bundle import DATASET_ONLY, Bundle, Reference
from gongkai.export.csv_package import EXCEL_DIR, HashingFile, csv_head_bytes, descriptor_bytes
from gongkai.export.json_record import record_json
from gongkai.export.prepared import Prepared
from gongkai.export.reuse import detach
from gongkai.export.sqlite_db import SqliteWriter
from gongkai.export.xlsx import TEXT, Sheet, SheetColumn, Workbook, WorkbookInfo, sheet_columns
from gongkai.export.zips import FAST_LEVEL, DeterministicZip, small_zip, zip_time
from gongkai.model import STAGE_LABELS
from gongkai.package import PackageMeta, RecordData, created_date, descriptor
from gongkai.tables import TABLES, TABLES_BY_NAME, Table

DESCRIPTOR = "datapackage.json"


# --------------------------------------------------------------------------- #
# Files
# --------------------------------------------------------------------------- #


@dataclass
class OutFile:
    """A file of a department-year folder, in memory until written."""

    name: str  # path inside the folder, e.g. "projects.csv" or "excel/projects.csv"
    data: bytes
    format: str
    resource: str | None = None

    @cached_property
    def digest(self) -> bytes:
        """The SHA-256 of the content (32 bytes)."""
        return hashlib.sha256(self.data).digest()

    @cached_property
    def info(self) -> dict[str, Any]:
        """``{"bytes", "hash"}`` as Data Package v2 records them."""
        return {"bytes": len(self.data), "hash": "sha256:" + self.digest.hex()}


@dataclass
class Written:
    """A whole-dataset file on disk."""

    path: Path
    name: str  # path inside the dataset folder
    format: str
    resource: str | None = None
    bytes: int = 0
    hash: str = ""
    note: str = ""  # added to the file's description (e.g. a table split over several sheets)

    @classmethod
    def of(cls, path: Path, name: str, fmt: str, resource: str | None = None) -> Written:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        return cls(path, name, fmt, resource, path.stat().st_size, "sha256:" + digest.hexdigest())


# --------------------------------------------------------------------------- #
# Shared helpers
# --------------------------------------------------------------------------- #


def budget_meta(meta: PackageMeta, record: RecordData) -> PackageMeta:
    """The descriptor metadata of one department-year package."""
    budget = record.budget
    title = f"{budget.department.name} {budget.fiscal_year}年部门{STAGE_LABELS.get(budget.stage, budget.stage)}"
    return replace(
        meta,
        name=f"{meta.name}-{budget.budget_id.lower()}",
        title=f"{title}（{meta.title}）",
        description=f"{budget.source.title}。{meta.description}",
    )


def workbook_info(meta: PackageMeta, created: str) -> WorkbookInfo:
    creator = "、".join(c.get("title", "") for c in meta.contributors) or "Gongkai"
    return WorkbookInfo(meta.title, creator, meta.description, created, zip_time(created))


def source_line(record: RecordData) -> str:
    """The 来源 line of a one-record workbook: the source document and its URL."""
    source = record.budget.source
    return source.title + (f"（{source.url}）" if source.url else "")


def sources_line(count: int, single: str | None) -> str:
    """The 来源 line of a workbook of ``count`` records (``single``: the line of a lone record)."""
    if count == 1 and single is not None:
        return single
    return f"{count} 份部门预算公开文件，见 datapackage.json 的 sources"


def readme_rows(
    meta: PackageMeta, created: str, sources: str, sheets: list[tuple[str, Table]], split: Sequence[str] = ()
) -> list[list[str]]:
    """The first sheet, 说明: what the workbook is, its licence and sheets.

    ``sources`` is the 来源 line; ``split`` the titles of the tables written
    as several worksheets because they exceed Excel's row limit.
    """
    rows = [
        ["标题", meta.title],
        ["说明", meta.description],
        ["版本", meta.version],
        ["创建时间", created],
        ["许可", f"{meta.license_title}（{meta.license_path}）"],
        ["贡献者", "、".join(c.get("title", "") for c in meta.contributors)],
        ["来源", sources],
        ["金额", "金额列（列名带“（元）”）单位为元，由原文单位精确换算；原文单位见“原文单位”列。"],
        ["文字", "以 = + - @ 开头的文字按文本保存，不会作为公式执行。"],
    ]
    if split:
        limit = f"{xlsx.MAX_ROWS:,}"
        rows.append(["分表", f"{'、'.join(split)}超过 Excel 每个工作表 {limit} 行的上限，分为多个工作表（“表名 (2)”等）。"])
    rows += [[], ["工作表", "数据表", "说明"]]
    rows += [[sheet, table.name, table.description] for sheet, table in sheets]
    return rows


_README_COLUMNS = (SheetColumn("a", "", TEXT, 14), SheetColumn("b", "", TEXT, 80), SheetColumn("c", "", TEXT, 60))


def add_table_sheets(book: Workbook, names: Iterable[str]) -> dict[str, Sheet]:
    """One sheet per resource, in schema order, with Chinese headers."""
    wanted = set(names)
    return {t.name: book.add_sheet(t.title, sheet_columns(t.name)) for t in TABLES if t.name in wanted}


def add_readme(book: Workbook, sheets: dict[str, Sheet], meta: PackageMeta, created: str, sources: str) -> None:
    """Put the 说明 sheet first, listing the sheets that have rows."""
    listed = [
        (part.name, TABLES_BY_NAME[name]) for name, sheet in sheets.items() for part in sheet.parts if part.rows > 1
    ]
    split = [TABLES_BY_NAME[name].title for name in split_sheets(sheets)]
    readme = book.add_sheet("说明", _README_COLUMNS, header=False, first=True)
    readme.append_texts(readme_rows(meta, created, sources, listed, split))


def split_sheets(sheets: dict[str, Sheet]) -> dict[str, int]:
    """Resources written as more than one worksheet (Excel's row limit), with their sheet counts."""
    return {name: len(sheet.parts) for name, sheet in sheets.items() if len(sheet.parts) > 1}


# --------------------------------------------------------------------------- #
# Department-year files
# --------------------------------------------------------------------------- #

BudgetExport = Callable[[Bundle, PackageMeta, list[OutFile]], list[OutFile]]


def budget_csv(bundle: Bundle, meta: PackageMeta, previous: list[OutFile]) -> list[OutFile]:
    """One CSV per non-empty resource and the ``datapackage.json`` describing them."""
    files = [
        OutFile(f"{name}.csv", csv_head_bytes(name) + prepared.csv_bytes, "csv", name)
        for name, prepared in bundle.tables.items()
        if prepared
    ]
    infos = {f.resource: f.info for f in files if f.resource}
    text = budget_descriptor(meta, bundle.record, infos)
    return [OutFile(DESCRIPTOR, text, "datapackage"), *files]


def source_entry(record: RecordData) -> dict[str, str]:
    """A record's entry in a descriptor's ``sources`` (as :func:`~gongkai.package.descriptor` writes it)."""
    budget = record.budget
    entry = {"title": f"{budget.department.name} {budget.fiscal_year}：{budget.source.title}"}
    if budget.source.url:
        entry["path"] = budget.source.url
    return entry


def budget_descriptor(meta: PackageMeta, record: RecordData, infos: dict[str, dict[str, Any]]) -> bytes:
    """The compact ``datapackage.json`` of a department-year whose CSVs are ``infos`` (resource → bytes, hash).

    Byte for byte ``descriptor_bytes(descriptor(…), compact=True)``, but the
    text is built once per set of resources (and metadata) with placeholders
    and then filled in: building and serialising the Table Schemas for each
    of 10,000 folders cost more than writing its CSVs.
    """
    names = tuple(infos)
    key = (names, repr(replace(meta, name="", title="", description="", created=None)))
    template = _TEMPLATES.get(key)
    if template is None:
        template = _TEMPLATES[key] = _descriptor_template(meta, names)
    created = meta.created or created_date([record])
    values = {"N": meta.name, "T": meta.title, "D": meta.description, "C": created}
    texts = {k: json.dumps(v, ensure_ascii=False) for k, v in values.items()}
    texts["S"] = json.dumps([source_entry(record)], ensure_ascii=False, separators=(",", ":"))
    for i, name in enumerate(names):
        info = infos[name]
        texts[f"B{i}"] = str(info["bytes"])
        texts[f"H{i}"] = json.dumps(info["hash"])
    return "".join([texts[piece] if i % 2 else piece for i, piece in enumerate(template)]).encode("utf-8")


_TEMPLATES: dict[tuple[tuple[str, ...], str], list[str]] = {}
_PLACEHOLDER = re.compile(r'"\\u0000([A-Z]\d*)"')


def _descriptor_template(meta: PackageMeta, names: tuple[str, ...]) -> list[str]:
    """The descriptor text split at its placeholders: ``[text, key, text, key, …, text]``."""
    marked = replace(meta, name="\x00N", title="\x00T", description="\x00D", created="\x00C")
    paths = {name: f"{name}.csv" for name in names}
    files = {name: {"bytes": f"\x00B{i}", "hash": f"\x00H{i}"} for i, name in enumerate(names)}
    package = descriptor(dict.fromkeys(names, []), marked, [], paths, files)
    package["sources"] = "\x00S"
    text = descriptor_bytes(package, compact=True).decode("utf-8")
    return _PLACEHOLDER.split(text)


def budget_excel_csv(bundle: Bundle, meta: PackageMeta, previous: list[OutFile]) -> list[OutFile]:
    """The Excel flavour of every non-empty resource (BOM, CRLF, formulas defused)."""
    return [
        OutFile(f"{EXCEL_DIR}/{name}.csv", csv_head_bytes(name, excel=True) + prepared.excel_csv_bytes, "csv-excel", name)
        for name, prepared in bundle.tables.items()
        if prepared
    ]


def budget_json(bundle: Bundle, meta: PackageMeta, previous: list[OutFile]) -> list[OutFile]:
    return [OutFile(f"{bundle.budget_id}.json", record_json(bundle.budget_id, bundle.tables), "json")]


def budget_xlsx(bundle: Bundle, meta: PackageMeta, previous: list[OutFile]) -> list[OutFile]:
    created = meta.created or created_date([bundle.record])
    book = Workbook(workbook_info(meta, created), level=FAST_LEVEL)
    sheets = add_table_sheets(book, [n for n, p in bundle.tables.items() if p])
    for name, sheet in sheets.items():
        sheet.append_cells(bundle.tables[name].xlsx_cells)
    add_readme(book, sheets, meta, created, source_line(bundle.record))
    return [OutFile(f"{bundle.budget_id}.xlsx", book.save_bytes(), "xlsx")]


def budget_yaml(bundle: Bundle, meta: PackageMeta, previous: list[OutFile]) -> list[OutFile]:
    """The record file as its curator wrote it (byte for byte)."""
    path = bundle.record.source_path
    if path is None:
        candidate = Path(bundle.record.source_file)
        path = candidate if candidate.is_file() else None
    if path is None:
        return []
    return [OutFile(f"{bundle.budget_id}.yaml", path.read_bytes(), "yaml")]


#: Formats left out of the department-year zip: the Excel CSVs repeat the
#: data CSVs (the zip's Excel users have the XLSX).
ZIP_SKIPS = ("csv-excel",)


def budget_zip(bundle: Bundle, meta: PackageMeta, previous: list[OutFile]) -> list[OutFile]:
    """The files above in one archive, under a ``<budget_id>/`` folder."""
    created = meta.created or created_date([bundle.record])
    members = [
        (f"{bundle.budget_id}/{f.name}", f.data, f.format != "xlsx") for f in previous if f.format not in ZIP_SKIPS
    ]
    return [OutFile(f"{bundle.budget_id}.zip", small_zip(members, zip_time(created), FAST_LEVEL), "zip")]


# --------------------------------------------------------------------------- #
# Whole-dataset sinks
# --------------------------------------------------------------------------- #


@dataclass
class DatasetContext:
    """What every whole-dataset sink needs to know.

    The records stream past the sinks one at a time, so what the dataset's
    metadata says about all of them — the ``sources`` of the descriptor, the
    ``created`` date when it comes from the content, the 来源 line of the
    workbook — is gathered on the way and is complete when the sinks close.
    """

    out: Path
    meta: PackageMeta
    created: str = ""  # set before the sinks close
    sources: list[dict[str, str]] = field(default_factory=list)  # descriptor ``sources``, budget_id order
    single_source: str | None = None  # the 来源 line of the first record
    written: list[Written] = field(default_factory=list)

    @property
    def sources_line(self) -> str:
        return sources_line(len(self.sources), self.single_source)


class DatasetSink(Protocol):
    #: The :class:`Prepared` forms the sink reads (sent across processes).
    FORMS: tuple[str, ...]

    def add(self, tables: Iterable[Prepared]) -> None: ...

    def close(self) -> list[Written]: ...


class CsvSink:
    """Whole-dataset CSVs streamed record by record (hashing as they go)."""

    FORMS: tuple[str, ...] = ("csv_bytes",)

    def __init__(self, ctx: DatasetContext, *, excel: bool = False) -> None:
        self.ctx = ctx
        self.excel = excel
        self.folder = ctx.out / EXCEL_DIR if excel else ctx.out
        self.files: dict[str, HashingFile] = {}

    def add(self, tables: Iterable[Prepared]) -> None:
        files = self.files
        for prepared in tables:
            if prepared:
                handle = files.get(prepared.name) or self._file(prepared.name)
                handle.write(prepared.excel_csv_bytes if self.excel else prepared.csv_bytes)

    def _file(self, name: str) -> HashingFile:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = HashingFile(self.folder / f"{name}.csv")
        handle.write(csv_head_bytes(name, excel=self.excel))
        self.files[name] = handle
        return handle

    def close(self) -> list[Written]:
        fmt = "csv-excel" if self.excel else "csv"
        prefix = f"{EXCEL_DIR}/" if self.excel else ""
        written = []
        for table in TABLES:  # schema order, whatever order rows came in
            handle = self.files.get(table.name)
            if handle is None:
                continue
            info = handle.close()
            written.append(
                Written(handle.path, f"{prefix}{table.name}.csv", fmt, table.name, info["bytes"], info["hash"])
            )
        if not self.excel:
            written.insert(0, self._descriptor(written))
        return written

    def _descriptor(self, csvs: list[Written]) -> Written:
        paths = {w.resource: w.name for w in csvs if w.resource}
        infos = {w.resource: {"bytes": w.bytes, "hash": w.hash} for w in csvs if w.resource}
        meta = replace(self.ctx.meta, created=self.ctx.created)
        package = descriptor(dict.fromkeys(paths, []), meta, [], paths, infos)
        package["sources"] = self.ctx.sources  # gathered while streaming, in budget_id order
        target = self.ctx.out / DESCRIPTOR
        detach(target)
        target.write_bytes(descriptor_bytes(package))
        return Written.of(target, DESCRIPTOR, "datapackage")


class ExcelCsvSink(CsvSink):
    FORMS: tuple[str, ...] = ("excel_csv_bytes",)

    def __init__(self, ctx: DatasetContext) -> None:
        super().__init__(ctx, excel=True)


class XlsxSink:
    """The whole-dataset workbook; sheets spool to temporary files.

    A table longer than Excel's 1,048,576 rows a sheet (the indicators of
    about 10,000 department-years) continues on sheets "表名 (2)", …; the
    说明 sheet and the file's description in the downloads index say so.
    """

    FORMS: tuple[str, ...] = ("xlsx_cells",)

    def __init__(self, ctx: DatasetContext) -> None:
        self.ctx = ctx
        # FAST_LEVEL: gigabytes of sheet XML at 10,000 records; level 6 saves 15 % for twice the time.
        # The document properties (the created date) are only known at the end: set in close().
        self.book = Workbook(workbook_info(ctx.meta, ctx.created), spool=True, level=FAST_LEVEL)
        self.sheets = add_table_sheets(self.book, TABLES_BY_NAME)

    def add(self, tables: Iterable[Prepared]) -> None:
        sheets = self.sheets
        for prepared in tables:
            if prepared:
                sheets[prepared.name].append_cells(prepared.xlsx_cells)

    def close(self) -> list[Written]:
        self.book.info = workbook_info(self.ctx.meta, self.ctx.created)
        add_readme(self.book, self.sheets, self.ctx.meta, self.ctx.created, self.ctx.sources_line)
        split = split_sheets(self.sheets)
        target = self.ctx.out / f"{self.ctx.meta.name}.xlsx"
        detach(target)
        self.book.save(target)
        written = Written.of(target, target.name, "xlsx")
        if split:
            parts = "；".join(f"{TABLES_BY_NAME[n].title}超过 Excel 每个工作表的行数上限，分为 {k} 个工作表" for n, k in split.items())
            written.note = f"（{parts}。）"
        return [written]


class SqliteSink:
    FORMS: tuple[str, ...] = ("texts",)

    def __init__(self, ctx: DatasetContext) -> None:
        self.ctx = ctx
        ctx.out.mkdir(parents=True, exist_ok=True)
        self.writer = SqliteWriter(ctx.out / f"{ctx.meta.name}.sqlite")

    def add(self, tables: Iterable[Prepared]) -> None:
        for prepared in tables:
            if prepared:
                self.writer.add(prepared.name, prepared.texts)

    def close(self) -> list[Written]:
        target = self.writer.close()
        return [Written.of(target, target.name, "sqlite")]


class ZipSink:
    """The data package (descriptor and data CSVs) as one archive."""

    FORMS: tuple[str, ...] = ()

    def __init__(self, ctx: DatasetContext) -> None:
        self.ctx = ctx

    def add(self, tables: Iterable[Prepared]) -> None:
        return None

    def close(self) -> list[Written]:
        target = self.ctx.out / f"{self.ctx.meta.name}.zip"
        members = [w for w in self.ctx.written if w.format in ("datapackage", "csv")]
        if not members:
            return []
        detach(target)
        with DeterministicZip(target, zip_time(self.ctx.created)) as zf:
            for w in members:
                zf.add_file(f"{self.ctx.meta.name}/{w.name}", w.path)
        return [Written.of(target, target.name, "zip")]


# --------------------------------------------------------------------------- #
# The registry
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Exporter:
    """One download format."""

    label: str
    description: str
    budget: BudgetExport | None = None
    dataset: Callable[[DatasetContext], DatasetSink] | None = None


EXPORTERS: dict[str, Exporter] = {
    "csv": Exporter(
        "CSV 数据包",
        "datapackage.json（Data Package v2：字段、类型、单位、主键外键、许可、来源、文件大小和哈希）"
        "和每个数据表一个 CSV 文件；UTF-8（无 BOM），供 pandas、R、Frictionless 等程序读取。",
        budget_csv,
        CsvSink,
    ),
    "csv-excel": Exporter(
        "Excel 用 CSV",
        "与 CSV 相同的数据，带 UTF-8 BOM 和 CRLF 换行，可直接用 Excel 打开而不乱码；"
        "以 = + - @ 开头的文字前加了单引号 '，不会作为公式执行。",
        budget_excel_csv,
        ExcelCsvSink,
    ),
    "json": Exporter(
        "JSON",
        "整条记录的全部规范化数据，一个 JSON 文件；金额为精确的十进制数字。",
        budget_json,
        None,
    ),
    "xlsx": Exporter(
        "Excel 工作簿",
        "XLSX 工作簿：每个数据表一个工作表，中文列名，金额为数值（单位：元），首个工作表为说明。",
        budget_xlsx,
        XlsxSink,
    ),
    "yaml": Exporter("YAML 原始记录", "整理者录入的记录文件原文（YAML）。", budget_yaml, None),
    "sqlite": Exporter(
        "SQLite 数据库",
        "全部数据表的 SQLite 数据库，含主键、外键和索引，可用 Datasette 或任何 SQL 客户端打开。",
        None,
        SqliteSink,
    ),
    "zip": Exporter("ZIP 压缩包", "以上文件打包下载。", budget_zip, ZipSink),
}

ALL_FORMATS: tuple[str, ...] = tuple(EXPORTERS)


def check_formats(formats: Sequence[str] | None) -> tuple[str, ...]:
    """``formats`` in registry order; unknown names are a configuration error."""
    if formats is None:
        return ALL_FORMATS
    unknown = [f for f in formats if f not in EXPORTERS]
    if unknown:
        raise ConfigError(f"未知的下载格式 / unknown download format: {', '.join(unknown)}（可选：{', '.join(EXPORTERS)}）")
    return tuple(f for f in EXPORTERS if f in formats)


def code_list_tables(reference: Reference) -> list[Prepared]:
    """The whole-dataset code lists and rule catalogue (the full lists, not per record)."""
    return [Prepared(name, reference.tables[name]) for name in DATASET_ONLY if name in reference.tables]
