"""The open-data downloads of the site: one entry point, one index.

:func:`write_site_data` writes, under ``out_dir`` (the site's ``data/``)::

    index.json                        what is where (machine-readable)
    all/datapackage.json              the whole dataset: descriptor,
    all/<resource>.csv                  one CSV per non-empty resource,
    all/excel/<resource>.csv            the same for Excel,
    all/<name>.xlsx|.sqlite|.zip        workbook, database, archive
    budgets/<budget_id>/              one folder per department-year:
        datapackage.json, <resource>.csv, excel/<resource>.csv,
        <budget_id>.json|.xlsx|.yaml|.zip

and returns a :class:`DownloadsIndex` (every file with its format, URL path
from the site root, size, hash and description) for the downloads box of a
department page and the downloads page. Records are processed one at a time
and the whole-dataset files are streamed, so memory does not grow with the
number of rows. Nothing here depends on MkDocs.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gongkai.export.bundle import DATASET_ONLY, Bundle, Reference, make_bundle
from gongkai.export.formats import (
    EXPORTERS,
    DatasetContext,
    DatasetSink,
    OutFile,
    Written,
    budget_meta,
    check_formats,
    dataset_only_tables,
)
from gongkai.model import STAGE_LABELS
from gongkai.package import PackageMeta, RecordData, created_date
from gongkai.tables import TABLES_BY_NAME

DATASET_DIR = "all"
BUDGETS_DIR = "budgets"
INDEX_FILE = "index.json"


@dataclass(frozen=True, slots=True)
class DownloadFile:
    """One downloadable file."""

    format: str  # a key of EXPORTERS, or "datapackage"
    path: str  # URL path from the site root, e.g. "data/all/projects.csv"
    bytes: int
    hash: str  # "sha256:…"
    title: str  # short Chinese label
    description: str
    resource: str | None = None  # the table of a CSV file


@dataclass(slots=True)
class BudgetDownloads:
    """The files of one department-year."""

    budget_id: str
    title: str  # e.g. "中共平乡县委组织部 2023年部门预算"
    department_id: str
    department_name: str
    fiscal_year: int
    stage: str
    folder: str  # URL path of the folder, ending in "/"
    files: list[DownloadFile] = field(default_factory=list)

    def by_format(self, fmt: str) -> list[DownloadFile]:
        return [f for f in self.files if f.format == fmt]

    @property
    def total_bytes(self) -> int:
        return sum(f.bytes for f in self.files)


@dataclass
class DownloadsIndex:
    """Everything :func:`write_site_data` wrote, for pages to link to."""

    meta: PackageMeta
    created: str
    formats: tuple[str, ...]
    dataset: list[DownloadFile] = field(default_factory=list)
    budgets: dict[str, BudgetDownloads] = field(default_factory=dict)

    def for_budget(self, budget_id: str) -> BudgetDownloads | None:
        """The downloads of one department-year (``None`` if not exported)."""
        return self.budgets.get(budget_id)

    def to_json(self) -> dict[str, Any]:
        """The ``index.json`` document: dataset files in full, budgets as folders.

        Per-budget files are not repeated (10,000 records × 40 files would make
        the index larger than most downloads); each folder's
        ``datapackage.json`` lists its CSVs with sizes and hashes.
        """
        return {
            "name": self.meta.name,
            "title": self.meta.title,
            "version": self.meta.version,
            "created": self.created,
            "license": {"name": self.meta.license_name, "path": self.meta.license_path},
            "formats": list(self.formats),
            "dataset": [asdict(f) for f in self.dataset],
            "budgets": [
                {
                    "budget_id": b.budget_id,
                    "title": b.title,
                    "folder": b.folder,
                    "bytes": b.total_bytes,
                    "files": [name for f in b.files if "/" not in (name := f.path[len(b.folder) :])],
                }
                for b in self.budgets.values()
            ],
        }


# --------------------------------------------------------------------------- #
# Entry points
# --------------------------------------------------------------------------- #


def write_site_data(
    records: Sequence[RecordData],
    out_dir: Path,
    meta: PackageMeta | None = None,
    formats: Sequence[str] | None = None,
    *,
    per_budget: bool = True,
    budget_formats: Sequence[str] | None = None,
    url_base: str = "data/",
) -> DownloadsIndex:
    """Write every download of the site under ``out_dir`` and return the index.

    Args:
        records: the valid records (any order; output is sorted by budget id).
        out_dir: the site's ``data/`` folder; ``all/``, ``budgets/`` and
            ``index.json`` in it belong to this function (stale files there
            are removed).
        meta: descriptor metadata (title, licence, contributors, …).
        formats: keys of :data:`~gongkai.export.formats.EXPORTERS`; default all.
        per_budget: also write the department-year folders.
        budget_formats: formats of the department-year folders (default:
            ``formats``), e.g. ``["csv", "xlsx", "zip"]`` to keep a large site small.
        url_base: URL path of ``out_dir`` from the site root.

    Returns:
        The :class:`DownloadsIndex` of everything written.
    """
    return export_records(
        records,
        dataset_dir=out_dir / DATASET_DIR,
        budgets_dir=out_dir / BUDGETS_DIR if per_budget else None,
        meta=meta,
        formats=formats,
        budget_formats=budget_formats,
        url_base=url_base,
        index_file=out_dir / INDEX_FILE,
    )


def export_records(
    records: Sequence[RecordData],
    *,
    dataset_dir: Path | None,
    budgets_dir: Path | None,
    meta: PackageMeta | None = None,
    formats: Sequence[str] | None = None,
    budget_formats: Sequence[str] | None = None,
    url_base: str = "",
    index_file: Path | None = None,
) -> DownloadsIndex:
    """The general form of :func:`write_site_data` (``gongkai export`` uses it).

    ``dataset_dir`` and ``budgets_dir`` may each be ``None`` to skip that part.
    URL paths in the index are ``url_base`` + the path relative to the common
    parent of the two folders (the folder of ``index_file`` when given).
    """
    meta = meta or PackageMeta()
    chosen = check_formats(formats)
    per_budget_formats = check_formats(budget_formats) if budget_formats is not None else chosen
    ordered = sorted(records, key=lambda r: r.budget.budget_id)
    created = meta.created or created_date(ordered)
    root = index_file.parent if index_file else (dataset_dir or budgets_dir or Path("."))
    urls = _Urls(root, url_base)
    index = DownloadsIndex(meta, created, chosen)
    existed = [d for d in (dataset_dir, budgets_dir) if d is not None and d.exists()]
    keep: set[Path] | None = set() if existed else None
    reference = Reference.build()
    sinks, ctx = _open_sinks(dataset_dir, meta, ordered, created, chosen, reference)
    for record in ordered:
        bundle = make_bundle(record, reference)
        if budgets_dir is not None:
            index.budgets[bundle.budget_id] = write_budget(bundle, budgets_dir, meta, per_budget_formats, urls, keep)
        facts = [prepared for name, prepared in bundle.tables.items() if name not in DATASET_ONLY]
        for sink in sinks.values():
            sink.add(facts)
    if ctx is not None:
        for sink in sinks.values():
            ctx.written.extend(sink.close())
        if keep is not None:
            keep.update(w.path for w in ctx.written)
        index.dataset = [_download(w, urls.of(w.path)) for w in ctx.written]
    if index_file is not None:
        index_file.parent.mkdir(parents=True, exist_ok=True)
        index_file.write_text(json.dumps(index.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if keep is not None:
        for folder in existed:
            prune(folder, keep)
    return index


def _open_sinks(
    dataset_dir: Path | None,
    meta: PackageMeta,
    records: Sequence[RecordData],
    created: str,
    formats: tuple[str, ...],
    reference: Reference,
) -> tuple[dict[str, DatasetSink], DatasetContext | None]:
    if dataset_dir is None:
        return {}, None
    dataset_dir.mkdir(parents=True, exist_ok=True)
    ctx = DatasetContext(dataset_dir, meta, records, created)
    sinks: dict[str, DatasetSink] = {}
    for fmt in formats:
        factory = EXPORTERS[fmt].dataset
        if factory is not None:
            sinks[fmt] = factory(ctx)
    first = dataset_only_tables(records, reference)
    for sink in sinks.values():
        sink.add(first)
    return sinks, ctx


# --------------------------------------------------------------------------- #
# One department-year
# --------------------------------------------------------------------------- #


def budget_files(bundle: Bundle, meta: PackageMeta, formats: Iterable[str]) -> list[OutFile]:
    """The files of one department-year folder, in memory, in registry order."""
    own_meta = budget_meta(meta, bundle.record)
    files: list[OutFile] = []
    for fmt in formats:
        export = EXPORTERS[fmt].budget
        if export is not None:
            files.extend(export(bundle, own_meta, files))
    return files


def write_budget(
    bundle: Bundle,
    budgets_dir: Path,
    meta: PackageMeta,
    formats: Iterable[str],
    urls: _Urls,
    keep: set[Path] | None = None,
) -> BudgetDownloads:
    """Write one department-year folder; return its index entry (``keep`` collects paths)."""
    folder = budgets_dir / bundle.budget_id
    made: set[Path] = set()
    entries = []
    for f in budget_files(bundle, meta, formats):
        target = folder / f.name
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(f.data)
        if keep is not None:
            keep.add(target)
        entries.append(_download_of(f, urls.of(target)))
    budget = bundle.record.budget
    stage = STAGE_LABELS.get(budget.stage, budget.stage)
    return BudgetDownloads(
        budget_id=bundle.budget_id,
        title=f"{budget.department.name} {budget.fiscal_year}年部门{stage}",
        department_id=budget.department_id,
        department_name=budget.department.name,
        fiscal_year=budget.fiscal_year,
        stage=budget.stage,
        folder=urls.of(folder) + "/",
        files=entries,
    )


# --------------------------------------------------------------------------- #
# Index entries
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Urls:
    root: Path
    base: str

    def of(self, path: Path) -> str:
        relative = path.relative_to(self.root).as_posix()
        return f"{self.base}{relative}"


def _label(fmt: str, resource: str | None) -> tuple[str, str]:
    """Short title and description of a file, from the registry and the schemas."""
    if fmt == "datapackage":
        return "数据包描述 datapackage.json", "Data Package v2 描述文件：表结构、许可、来源，及每个 CSV 的大小和哈希。"
    exporter = EXPORTERS[fmt]
    if resource is not None:
        table = TABLES_BY_NAME[resource]
        return f"{table.title}（{exporter.label}）", table.description
    return exporter.label, exporter.description


_LABELS: dict[tuple[str, str | None], tuple[str, str]] = {}


def _cached_label(fmt: str, resource: str | None) -> tuple[str, str]:
    """Labels are shared by thousands of entries: build (and store) each once."""
    key = (fmt, resource)
    if key not in _LABELS:
        _LABELS[key] = _label(fmt, resource)
    return _LABELS[key]


def _download_of(f: OutFile, url: str) -> DownloadFile:
    title, description = _cached_label(f.format, f.resource)
    return DownloadFile(f.format, url, f.info["bytes"], f.info["hash"], title, description, f.resource)


def _download(w: Written, url: str) -> DownloadFile:
    title, description = _cached_label(w.format, w.resource)
    return DownloadFile(w.format, url, w.bytes, w.hash, title, description, w.resource)


#: Only files of these kinds are ever pruned (an output folder may hold a README).
PRUNABLE = (".csv", ".json", ".xlsx", ".yaml", ".sqlite", ".zip")


def prune(folder: Path, keep: set[Path]) -> None:
    """Remove download files under ``folder`` that this export did not write.

    A department-year removed from the content, or a resource that became
    empty, must not linger at its old URL with stale numbers.
    """
    for dirpath, _dirnames, filenames in os.walk(folder, topdown=False):
        here = Path(dirpath)
        for name in filenames:
            path = here / name
            if path.suffix in PRUNABLE and path not in keep:
                path.unlink()
        if here != folder and not any(here.iterdir()):
            shutil.rmtree(here)
