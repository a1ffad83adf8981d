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
import multiprocessing
import os
import shutil
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
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
from gongkai.export.prepared import Prepared
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

    def primary_files(self) -> list[DownloadFile]:
        """One link per format for a downloads box: the descriptor stands for its
        CSVs, and the Excel CSVs are left to the folder listing."""
        return [f for f in self.files if f.format not in ("csv", "csv-excel")]

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


def planned_primary_files(
    budget_id: str, formats: Sequence[str] | None = None, url_base: str = "data/"
) -> list[tuple[str, str, str]]:
    """``(format, URL path, title)`` of a department-year's main files, before writing.

    The file names are fixed, so a page rendered before the export (sizes
    unknown yet) can link to them; :meth:`BudgetDownloads.primary_files`
    gives the same paths with sizes once :func:`write_site_data` has run.
    """
    folder = f"{url_base}{BUDGETS_DIR}/{budget_id}/"
    names = {"csv": "datapackage.json", "json": f"{budget_id}.json", "xlsx": f"{budget_id}.xlsx",
             "yaml": f"{budget_id}.yaml", "zip": f"{budget_id}.zip"}
    out = []
    for fmt in check_formats(formats):
        if fmt in names and EXPORTERS[fmt].budget is not None:
            key = "datapackage" if fmt == "csv" else fmt
            out.append((key, folder + names[fmt], _cached_label(key, None)[0]))
    return out


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
    jobs: int | None = None,
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
        jobs: worker processes for rendering (default 1: no fork).

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
        jobs=jobs,
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
    jobs: int | None = None,
) -> DownloadsIndex:
    """The general form of :func:`write_site_data` (``gongkai export`` uses it).

    ``dataset_dir`` and ``budgets_dir`` may each be ``None`` to skip that part.
    URL paths in the index are ``url_base`` + the path relative to the common
    parent of the two folders (the folder of ``index_file`` when given).
    ``jobs`` > 1 renders records in that many forked worker processes (the
    output is the same, byte for byte); see :func:`_jobs` for the default.
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
    plan = _Plan(ordered, reference, meta, budgets_dir, per_budget_formats, urls, keep is not None)
    forms = tuple(dict.fromkeys(form for sink in sinks.values() for form in sink.FORMS))
    for downloads, facts, paths in run_plan(plan, forms, _jobs(jobs, len(ordered))):
        if downloads is not None:
            index.budgets[downloads.budget_id] = downloads
        if keep is not None:
            keep.update(paths)
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


def _jobs(jobs: int | None, records: int) -> int:
    """Worker processes to use: 1 unless asked, and never for a small site.

    Not by default: forking a process that runs threads (``mkdocs serve``)
    is unsafe, and on the 2-vCPU build machine two busy processes each ran
    at half speed (the vCPUs share one core), so a pool only added overhead.
    """
    if not jobs or records < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        return 1  # a pool costs more than it saves for a small site
    return jobs


#: Fewer records than this are always rendered in-process.
MIN_PARALLEL = 50


# --------------------------------------------------------------------------- #
# Records, one after another or in worker processes
# --------------------------------------------------------------------------- #


@dataclass
class _Plan:
    """Everything a worker needs to process record ``i`` (inherited by fork)."""

    records: Sequence[RecordData]
    reference: Reference
    meta: PackageMeta
    budgets_dir: Path | None
    formats: tuple[str, ...]
    urls: _Urls
    track_paths: bool


#: One processed record: its downloads entry, its fact tables for the
#: whole-dataset sinks, and the paths written (for pruning).
_Result = tuple["BudgetDownloads | None", list[Prepared], list[Path]]


def process_record(plan: _Plan, i: int) -> _Result:
    """Render record ``i``: write its folder, return its tables for the sinks."""
    bundle = make_bundle(plan.records[i], plan.reference, with_codes=plan.budgets_dir is not None)
    downloads, paths = None, []
    if plan.budgets_dir is not None:
        keep: set[Path] | None = set() if plan.track_paths else None
        downloads = write_budget(bundle, plan.budgets_dir, plan.meta, plan.formats, plan.urls, keep)
        paths = sorted(keep or ())
    facts = [p for name, p in bundle.tables.items() if name not in DATASET_ONLY]
    return downloads, facts, paths


def run_plan(plan: _Plan, forms: tuple[str, ...], jobs: int) -> Iterator[_Result]:
    """Process every record, in order, in this process or in ``jobs`` forked ones."""
    if jobs <= 1:
        for i in range(len(plan.records)):
            yield process_record(plan, i)
        return
    global _PLAN
    _PLAN = (plan, forms)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            batches = [range(start, min(start + _BATCH, len(plan.records))) for start in range(0, len(plan.records), _BATCH)]
            pending: deque[Future[list[_Payload]]] = deque()
            for batch in batches:
                pending.append(pool.submit(_work, batch.start, batch.stop))
                if len(pending) >= jobs * 3:  # bounded: results are consumed in order
                    yield from _unpack(pending.popleft().result())
            while pending:
                yield from _unpack(pending.popleft().result())
    finally:
        _PLAN = None


_BATCH = 8
_PLAN: tuple[_Plan, tuple[str, ...]] | None = None
#: What a worker sends back per record: downloads, (name, rows, forms) per fact table, paths.
_Payload = tuple["BudgetDownloads | None", list[tuple[str, int, dict[str, Any]]], list[Path]]


def _work(start: int, stop: int) -> list[_Payload]:
    assert _PLAN is not None, "worker started without a plan"
    plan, forms = _PLAN
    out = []
    for i in range(start, stop):
        downloads, facts, paths = process_record(plan, i)
        out.append((downloads, [(p.name, p.size, p.forms(forms) if p else {}) for p in facts], paths))
    return out


def _unpack(payloads: list[_Payload]) -> Iterator[_Result]:
    for downloads, facts, paths in payloads:
        yield downloads, [Prepared.from_forms(name, size, forms) for name, size, forms in facts], paths


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
