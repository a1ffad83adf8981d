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
department page and the downloads page. Nothing here depends on MkDocs.

Records may be given lazily (:class:`LazyRecord`: a budget id and a
``load()``), so that a site of 10,000 department-years never holds them all:
each is loaded when its turn comes (in ``budget_id`` order), rendered into
its folder and into the whole-dataset files, and dropped. The whole-dataset
files are streamed, and what the dataset's metadata says about all records
(the descriptor's ``sources``, the ``created`` date taken from the content,
the departments table) is gathered on the way, so nothing needs all records
up front and memory does not grow with the number of rows.

With a ``cache_dir`` (the site's build cache), records that carry a ``key``
are not rendered again when their key did not change: their folders are
linked from the previous build, their rows for the whole-dataset files read
back from their data CSVs, and when no record changed the whole-dataset
files are linked too (:mod:`gongkai.export.reuse`). The output is the same
either way, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol, runtime_checkable

from gongkai.export.bundle import DATASET_ONLY, Bundle, Reference, make_bundle
from gongkai.export.formats import (
    EXPORTERS,
    DatasetContext,
    DatasetSink,
    OutFile,
    Written,
    budget_meta,
    check_formats,
    code_list_tables,
    source_entry,
    source_line,
)
from gongkai.export.prepared import Prepared
from gongkai.export.reuse import DownloadsCache, Hit, detach, settings_key
from gongkai.model import STAGE_LABELS
from gongkai.normalise import Row
from gongkai.package import PackageMeta, RecordData, created_date
from gongkai.tables import TABLES_BY_NAME

DATASET_DIR = "all"
BUDGETS_DIR = "budgets"
INDEX_FILE = "index.json"


@runtime_checkable
class RecordSource(Protocol):
    """A record that is loaded only when the export reaches it.

    ``budget_id`` orders the records (and must be the loaded budget's id);
    ``load()`` is called once, when the record is processed, and its result
    is dropped afterwards. In worker processes (``jobs`` > 1) it is called
    in the worker, which inherits the items by ``fork``. An optional ``key``
    attribute enables reuse from a cache (see :class:`LazyRecord`).
    """

    @property
    def budget_id(self) -> str: ...

    def load(self) -> RecordData: ...


@dataclass(frozen=True, slots=True)
class LazyRecord:
    """The plain :class:`RecordSource`: ``LazyRecord(budget_id, load)``.

    ``load`` is any callable returning the :class:`~gongkai.package.RecordData`,
    e.g. ``functools.partial(read_record, path)``. ``key``, when given, names
    everything the record's files depend on besides the export's own code
    and settings (the site passes the file's SHA-256, its display path and
    the validation code's fingerprint): with a cache directory, a record
    whose key is unchanged gets its previous folder back without loading.
    """

    budget_id: str
    load: Callable[[], RecordData]
    key: str | None = None


#: What the entry points accept: records, or lazy stand-ins, or a mix.
Records = Sequence["RecordData | RecordSource"]


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


#: The files of a department-year folder, by kind: ``(format, name, resource)``
#: per file, where ``name`` is the path inside the folder with the budget id
#: written ``{id}``. Shared by every folder with the same files.
Layout = tuple[tuple[str, str, "str | None"], ...]
_LAYOUTS: dict[Layout, Layout] = {}
_ID = "{id}"


class BudgetDownloads:
    """The files of one department-year.

    10,000 folders of 40 files each are 400,000 entries, and the index goes
    from the export process to the site's, so the entries are kept compact —
    a shared :data:`Layout`, the sizes and the SHA-256 digests packed in two
    byte strings (about 2 KB a folder) — and :attr:`files` builds the
    :class:`DownloadFile` objects when asked.
    """

    __slots__ = ("budget_id", "title", "department_id", "department_name", "fiscal_year", "stage", "folder",
                 "layout", "_sizes", "_digests")  # fmt: skip

    def __init__(
        self,
        budget_id: str,
        title: str,  # e.g. "中共平乡县委组织部 2023年部门预算"
        department_id: str,
        department_name: str,
        fiscal_year: int,
        stage: str,
        folder: str,  # URL path of the folder, ending in "/"
        layout: Layout = (),
        sizes: Sequence[int] = (),
        digests: Sequence[bytes] = (),  # raw SHA-256 digests, 32 bytes each
    ) -> None:
        self.budget_id = budget_id
        self.title = title
        self.department_id = department_id
        self.department_name = department_name
        self.fiscal_year = fiscal_year
        self.stage = stage
        self.folder = folder
        self.layout = _LAYOUTS.setdefault(layout, layout)
        self._sizes = array("q", sizes).tobytes()
        self._digests = b"".join(digests)

    def __reduce__(self) -> tuple[Any, ...]:
        state = (self.budget_id, self.title, self.department_id, self.department_name, self.fiscal_year,
                 self.stage, self.folder, self.layout, self.sizes, self._digest_list())  # fmt: skip
        return (BudgetDownloads, state)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BudgetDownloads) and self.__reduce__() == other.__reduce__()

    def at(self, folder: str) -> BudgetDownloads:
        """The same files in the folder at URL path ``folder`` (a cached entry placed in this build's site)."""
        moved = object.__new__(BudgetDownloads)
        for name in BudgetDownloads.__slots__:
            setattr(moved, name, getattr(self, name))
        moved.folder = folder
        return moved

    def __repr__(self) -> str:
        return f"BudgetDownloads({self.budget_id!r}, {len(self.layout)} files, {self.total_bytes} bytes)"

    @property
    def sizes(self) -> list[int]:
        return array("q", self._sizes).tolist()

    def _digest_list(self) -> list[bytes]:
        return [self._digests[i : i + 32] for i in range(0, len(self._digests), 32)]

    @property
    def files(self) -> list[DownloadFile]:
        """Every file of the folder, in writing order."""
        out = []
        for (fmt, name, resource), size, digest in zip(self.layout, self.sizes, self._digest_list(), strict=True):
            title, description = _cached_label(fmt, resource)
            path = self.folder + name.replace(_ID, self.budget_id)
            out.append(DownloadFile(fmt, path, size, "sha256:" + digest.hex(), title, description, resource))
        return out

    def by_format(self, fmt: str) -> list[DownloadFile]:
        return [f for f in self.files if f.format == fmt]

    def primary_files(self) -> list[DownloadFile]:
        """One link per format for a downloads box: the descriptor stands for its
        CSVs, and the Excel CSVs are left to the folder listing."""
        return [f for f in self.files if f.format not in ("csv", "csv-excel")]

    def top_names(self) -> list[str]:
        """The names of the files at the top of the folder (not in ``excel/``)."""
        return [name.replace(_ID, self.budget_id) for _, name, _ in self.layout if "/" not in name]

    @property
    def total_bytes(self) -> int:
        return sum(array("q", self._sizes))


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
                    "files": b.top_names(),
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
    records: Records,
    out_dir: Path,
    meta: PackageMeta | None = None,
    formats: Sequence[str] | None = None,
    *,
    per_budget: bool = True,
    budget_formats: Sequence[str] | None = None,
    url_base: str = "data/",
    jobs: int | None = None,
    cache_dir: Path | None = None,
    staged_dir: Path | None = None,
) -> DownloadsIndex:
    """Write every download of the site under ``out_dir`` and return the index.

    Args:
        records: the valid records (any order; output is sorted by budget id),
            as :class:`~gongkai.package.RecordData` or lazily as
            :class:`RecordSource` items (e.g. :class:`LazyRecord`), each loaded
            when processed and then dropped.
        out_dir: the site's ``data/`` folder; ``all/``, ``budgets/`` and
            ``index.json`` in it belong to this function (stale files there
            are removed).
        meta: descriptor metadata (title, licence, contributors, …).
        formats: keys of :data:`~gongkai.export.formats.EXPORTERS`; default all.
        per_budget: also write the department-year folders.
        budget_formats: formats of the department-year folders (default:
            ``formats``), e.g. ``["csv", "xlsx"]`` to keep a large site small
            (see :data:`LARGE_SITE_BUDGET_FORMATS`).
        url_base: URL path of ``out_dir`` from the site root.
        jobs: worker processes for rendering (default 1: no fork).
        cache_dir: where to keep this build's files for the next one
            (:mod:`gongkai.export.reuse`); records with a ``key`` that did
            not change are then linked from there instead of rendered.
        staged_dir: where :class:`BudgetPrimer` left the folders it kept
            (its ``stage_dir``), to be moved into place rather than linked;
            removed afterwards. Only with ``cache_dir``.

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
        cache_dir=cache_dir,
        staged_dir=staged_dir,
    )


def export_records(
    records: Records,
    *,
    dataset_dir: Path | None,
    budgets_dir: Path | None,
    meta: PackageMeta | None = None,
    formats: Sequence[str] | None = None,
    budget_formats: Sequence[str] | None = None,
    url_base: str = "",
    index_file: Path | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    staged_dir: Path | None = None,
) -> DownloadsIndex:
    """The general form of :func:`write_site_data` (``gongkai export`` uses it).

    ``dataset_dir`` and ``budgets_dir`` may each be ``None`` to skip that part.
    URL paths in the index are ``url_base`` + the path relative to the common
    parent of the two folders (the folder of ``index_file`` when given).
    ``jobs`` > 1 renders records in that many forked worker processes (the
    output is the same, byte for byte); see :func:`_jobs` for the default.
    ``cache_dir``, ``staged_dir``: see :func:`write_site_data`.
    """
    meta = meta or PackageMeta()
    chosen = check_formats(formats)
    per_budget_formats = check_formats(budget_formats) if budget_formats is not None else chosen
    items = sorted((_item(r) for r in records), key=lambda item: item.budget_id)
    root = index_file.parent if index_file else (dataset_dir or budgets_dir or Path("."))
    urls = _Urls(root, url_base)
    index = DownloadsIndex(meta, meta.created or "", chosen)
    existed = {d for d in (dataset_dir, budgets_dir) if d is not None and d.exists()}
    cache = DownloadsCache(cache_dir, _settings(meta, per_budget_formats)) if cache_dir else None
    dataset_key = _dataset_key(chosen, items) if cache is not None and dataset_dir is not None else None
    reused = _reuse_dataset(cache, dataset_key, dataset_dir) if cache is not None and dataset_key else None
    reference = Reference.build()
    sinks, ctx = _open_sinks(dataset_dir if reused is None else None, meta, chosen, reference)
    staged = os.fspath(staged_dir) if cache is not None and staged_dir is not None and staged_dir.is_dir() else None
    plan = _Plan(items, reference, meta, budgets_dir, per_budget_formats, urls, cache, bool(sinks), staged)
    forms = dataset_forms(tuple(sinks))
    facts = _DatasetFacts()
    # Prepared records are only read back here: workers would unpickle and pickle them again.
    workers = 1 if all(item.ready is not None for item in items) else _jobs(jobs, len(items))
    for result in run_plan(plan, forms, workers):
        if result.downloads is not None:
            index.budgets[result.downloads.budget_id] = result.downloads  # (its layout shared once unpickled)
        facts.add(result.summary, result.department)
        for sink in sinks.values():
            sink.add(result.facts)
    if staged is not None:  # folders not moved: of records not exported, or linked instead
        shutil.rmtree(staged, ignore_errors=True)
    index.created = meta.created or (reused.created if reused is not None else facts.created())
    written_files: list[Written] = []
    if ctx is not None:
        ctx.created = index.created
        ctx.sources = facts.sources
        ctx.single_source = facts.single_source
        departments = facts.departments()
        for sink in sinks.values():
            sink.add(departments)
        for sink in sinks.values():
            ctx.written.extend(sink.close())
        written_files = ctx.written
        if cache is not None and dataset_key is not None and dataset_dir is not None:
            _keep_dataset(cache, dataset_key, dataset_dir, written_files, index.created)
    elif reused is not None and dataset_dir is not None:
        written_files = reused.files(dataset_dir)
    if dataset_dir is not None:
        index.dataset = [_download(w, urls.of(w.path)) for w in written_files]
    if index_file is not None:
        index_file.parent.mkdir(parents=True, exist_ok=True)
        detach(index_file)
        index_file.write_text(json.dumps(index.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if dataset_dir is not None and dataset_dir in existed:
        written = {w.path for w in written_files}
        prune(dataset_dir, written.__contains__)
    if budgets_dir is not None and budgets_dir in existed:
        prune(budgets_dir, _BudgetFiles(budgets_dir, index).written)
    if cache is not None:
        for item in items:
            if item.key is not None:
                cache.keep("budgets", _folder_key(item))
        cache.prune()
    return index


class BudgetPrimer:
    """Writes one record's folder into the cache while another process holds the record.

    A cold site build validates and renders each record in a worker process;
    the export child would then load every record again and write its
    folder alone, one core for the most expensive part of the build. Given
    to the validation workers, a primer writes the record's folder and keeps
    it in the downloads cache, exactly as :func:`export_records` would; the
    export then finds each folder in the cache, puts it into the site and
    reads the record's tables back from its CSVs. The files are the same
    bytes either way (the same function writes them).

    The folder is written in a scratch directory of this process inside the
    cache (:data:`PRIME_DIR`; hard links need one filesystem): two records
    claiming one budget id, validated side by side in two workers, never
    write into the same folder. Once kept, the folder is removed, or, given
    a ``stage_dir`` (the site's ``data/``:data:`PRIMED_DIR`), moved there
    whole: the export then moves it into ``budgets/`` with one rename
    (:meth:`~gongkai.export.reuse.DownloadsCache.adopt`) where it would make
    a directory and a hard link for each of its 40-odd files, and the
    primer saves removing them. A folder that cannot be moved (another file
    of the same budget id got there first, or the site is on another
    filesystem) is removed as before.
    """

    def __init__(
        self,
        meta: PackageMeta,
        formats: Sequence[str] | None,
        budget_formats: Sequence[str] | None,
        cache_dir: Path,
        *,
        stage_dir: Path | None = None,
    ) -> None:
        chosen = check_formats(formats)
        self.formats = check_formats(budget_formats) if budget_formats is not None else chosen
        self.meta = meta
        self.cache_dir = cache_dir
        self.stage_dir = stage_dir
        self._staging = False  # the staging area exists
        self.reference = Reference.build()
        self.cache = DownloadsCache(cache_dir, _settings(meta, self.formats))

    def __call__(self, record: RecordData, key: str, prebuilt: Mapping[str, list[Row]] | None = None) -> None:
        """Write and keep the folder of ``record`` (``key``: as :class:`LazyRecord` has it).

        ``prebuilt``: the rows validation built for it (``RecordReport.tables``).
        """
        scratch = self.cache_dir / PRIME_DIR / str(os.getpid())
        budget_id = record.budget.budget_id
        plan = _Plan(
            [_Item(budget_id, lambda: record, key, prebuilt)], self.reference, self.meta,
            scratch / BUDGETS_DIR, self.formats, _Urls(scratch, ""), self.cache,
        )  # fmt: skip
        folder = scratch / BUDGETS_DIR / budget_id
        stores = self.cache.stores
        staged = False
        try:
            process_record(plan, 0)
            staged = self.cache.stores > stores and self._stage(folder, budget_id)
        finally:
            if not staged:
                shutil.rmtree(folder, ignore_errors=True)

    def _stage(self, folder: Path, budget_id: str) -> bool:
        """Move the folder just kept to the staging area; ``False`` if it stays (to be removed)."""
        if self.stage_dir is None:
            return False
        try:
            if not self._staging:
                os.makedirs(self.stage_dir, exist_ok=True)
                self._staging = True
            os.rename(folder, self.stage_dir / budget_id)  # fails if another file of this budget id is there
        except OSError:
            return False
        return True


#: The primers' scratch folders, under the downloads cache (removed by :func:`clear_primers`).
PRIME_DIR = ".prime"
#: The folders the primers kept, under the site's ``data/`` until the export moves
#: them into ``budgets/`` (and removes what it did not move).
PRIMED_DIR = ".primed"


def clear_primers(cache_dir: Path) -> None:
    """Remove the primers' scratch folders (once the workers are done)."""
    shutil.rmtree(cache_dir / PRIME_DIR, ignore_errors=True)


#: Proposed (not applied by default) ``budget_formats`` for sites of thousands
#: of department-years: the data package (descriptor and CSVs, for programs),
#: the workbook (for people) and the source YAML in each folder. The Excel
#: CSVs, the JSON and the zip repeat the same data; at 10,000 records they
#: would add about 40 % to the export's time and 25 of the 45 files a folder.
#: The whole-dataset files keep every format either way.
LARGE_SITE_BUDGET_FORMATS: tuple[str, ...] = ("csv", "xlsx", "yaml")


def _jobs(jobs: int | None, records: int) -> int:
    """Worker processes to use: 1 unless asked, and never for a small site.

    Not by default: forking a process that runs threads (``mkdocs serve``)
    is unsafe, and the site build's export child runs beside the page
    writing and the search index: with two workers there, a 1,000-record
    build took 25 s of export CPU instead of 16 s (each worker's results are
    pickled back to the writer of the whole-dataset files) and finished later.
    """
    if not jobs or records < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        return 1  # a pool costs more than it saves for a small site
    return jobs


#: Fewer records than this are always rendered in-process.
MIN_PARALLEL = 50


# --------------------------------------------------------------------------- #
# Records, one after another or in worker processes
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class _Item:
    """A record to process: its id (for ordering), how to get it, and its cache key."""

    budget_id: str
    load: Callable[[], RecordData]
    key: str | None = None
    prebuilt: Mapping[str, list[Row]] | None = None  # rows validation built (``make_bundle``)
    #: Its whole-dataset rows, already prepared (:class:`~gongkai.export.spool.SpooledRecord`).
    ready: Callable[[], _Result] | None = None


def _item(record: RecordData | RecordSource) -> _Item:
    if isinstance(record, RecordData):
        return _Item(record.budget.budget_id, lambda: record)
    ready = getattr(record, "result", None)
    return _Item(record.budget_id, record.load, getattr(record, "key", None), ready=ready)


@dataclass
class _Plan:
    """Everything a worker needs to process record ``i`` (inherited by fork)."""

    items: Sequence[_Item]
    reference: Reference
    meta: PackageMeta
    budgets_dir: Path | None
    formats: tuple[str, ...]
    urls: _Urls
    cache: DownloadsCache | None = None
    dataset: bool = True  # the whole-dataset sinks want this record's tables
    staged: str | None = None  # the primers' staging area (:data:`PRIMED_DIR`), if any


@dataclass(slots=True)
class _Summary:
    """What the dataset's metadata needs of one record (small, picklable)."""

    department_id: str
    fiscal_year: int
    published: date | None
    source: dict[str, str]  # its entry of the descriptor's ``sources``
    source_line: str  # the 来源 line of a one-record workbook


def _summary(record: RecordData) -> _Summary:
    budget = record.budget
    return _Summary(
        budget.department_id, budget.fiscal_year, budget.source.published_date, source_entry(record), source_line(record)
    )


@dataclass(slots=True)
class _Result:
    """One processed record."""

    downloads: BudgetDownloads | None  # its folder's index entry
    facts: list[Prepared]  # its rows of the whole-dataset resources
    department: Prepared  # its departments row (the dataset keeps the latest year's)
    summary: _Summary


def process_record(plan: _Plan, i: int) -> _Result:
    """Load and render record ``i``: write its folder, return its tables for the sinks.

    With a cache, an unchanged record's folder is linked from the previous
    build instead, and its tables are read back from its data CSVs.
    """
    item = plan.items[i]
    if item.ready is not None:
        if plan.budgets_dir is not None:
            raise ValueError(f"record {item.budget_id!r} was prepared for the whole dataset only, not for a folder")
        return item.ready()
    caching = plan.cache is not None and item.key is not None and plan.budgets_dir is not None
    if caching:
        reused = _reuse_folder(plan, item)
        if reused is not None:
            return reused
    record = item.load()
    if record.budget.budget_id != item.budget_id:
        raise ValueError(f"record {item.budget_id!r} loaded as {record.budget.budget_id!r}")
    bundle = make_bundle(record, plan.reference, with_codes=plan.budgets_dir is not None, prebuilt=item.prebuilt)
    downloads = None
    written: list[tuple[str, int, int | None]] | None = [] if caching else None
    if plan.budgets_dir is not None:
        downloads = write_budget(bundle, plan.budgets_dir, plan.meta, plan.formats, plan.urls, written=written)
    facts = [p for name, p in bundle.tables.items() if name not in DATASET_ONLY]
    result = _Result(downloads, facts, bundle.tables["departments"], _summary(record))
    if caching and downloads is not None and written is not None:
        _keep_folder(plan, item, result, written)
    return result


# --------------------------------------------------------------------------- #
# Reuse of the previous build's files (gongkai.export.reuse)
# --------------------------------------------------------------------------- #


@dataclass(slots=True)
class _FolderPayload:
    """What a cached department-year folder needs besides its files."""

    downloads: BudgetDownloads  # its folder URL left out: it depends on where the site is
    summary: _Summary
    department: list[Row]  # its departments row
    facts: tuple[tuple[str, int], ...]  # the whole-dataset resources it has rows in, and how many


def _settings(meta: PackageMeta, formats: tuple[str, ...]) -> str:
    """Everything besides the records and the code that the files depend on.

    ``SOURCE_DATE_EPOCH`` is among them: when set, it is the ``created``
    date of every package and workbook (:func:`~gongkai.package.created_date`).
    """
    return settings_key(repr(meta), formats, os.environ.get("SOURCE_DATE_EPOCH", "").strip())


def _folder_key(item: _Item) -> str:
    return f"{item.budget_id}\0{item.key}"


def _keep_folder(plan: _Plan, item: _Item, result: _Result, written: list[tuple[str, int, int | None]]) -> None:
    """Store the folder just written (links to its files) for the next build."""
    assert plan.cache is not None and plan.budgets_dir is not None and result.downloads is not None
    payload = _FolderPayload(
        result.downloads.at(""),
        result.summary,
        result.department.rows,
        tuple((p.name, p.size) for p in result.facts if p),
    )
    plan.cache.put("budgets", _folder_key(item), plan.budgets_dir / item.budget_id, written, payload)


def _reuse_folder(plan: _Plan, item: _Item) -> _Result | None:
    """The record's folder linked from the cache, or ``None`` to render it."""
    assert plan.cache is not None and plan.budgets_dir is not None
    hit = plan.cache.get("budgets", _folder_key(item))
    if hit is None or not isinstance(hit.payload, _FolderPayload):
        return None
    payload: _FolderPayload = hit.payload
    facts = _cached_facts(hit, payload) if plan.dataset else []
    if facts is None:
        return None  # no data CSVs to read the tables from: render the record
    folder = plan.budgets_dir / item.budget_id
    staged = plan.staged is not None and plan.cache.adopt(hit, f"{plan.staged}/{item.budget_id}", os.fspath(folder))
    if not staged and not plan.cache.restore(hit, folder):
        return None
    downloads = payload.downloads.at(plan.urls.of(folder) + "/")
    return _Result(downloads, facts, Prepared("departments", payload.department), payload.summary)


def _cached_facts(hit: Hit, payload: _FolderPayload) -> list[Prepared] | None:
    """The record's whole-dataset tables, read back from its cached data CSVs (``None``: not possible)."""
    sizes = {name: size for name, size, _ in hit.manifest.files}
    out = []
    for name, rows in payload.facts:
        file = f"{name}.csv"
        if file not in sizes:
            return None
        try:
            data = hit.read(file, sizes[file])
        except OSError:
            return None
        prepared = Prepared.from_csv(name, rows, data)
        if prepared is None:
            return None
        out.append(prepared)
    return out


def _dataset_key(formats: tuple[str, ...], items: Sequence[_Item]) -> str | None:
    """What the whole-dataset files depend on besides code and settings: every record's key."""
    if any(item.key is None for item in items):
        return None
    digest = hashlib.sha256(repr(formats).encode())
    for item in items:
        digest.update(f"\n{item.budget_id}\0{item.key}".encode())
    return digest.hexdigest()


@dataclass(slots=True)
class _DatasetPayload:
    """A cached whole-dataset folder: the created date and its files' index entries."""

    created: str
    written: list[tuple[str, str, str | None, int, str, str]]  # name, format, resource, bytes, hash, note

    def files(self, dataset_dir: Path) -> list[Written]:
        return [
            Written(dataset_dir / name, name, fmt, resource, size, digest, note)
            for name, fmt, resource, size, digest, note in self.written
        ]


def _reuse_dataset(cache: DownloadsCache, key: str, dataset_dir: Path | None) -> _DatasetPayload | None:
    """Link the whole-dataset files of the same records from the cache (``None``: write them)."""
    if dataset_dir is None:
        return None
    hit = cache.get("dataset", key)
    if hit is None or not isinstance(hit.payload, _DatasetPayload) or not cache.restore(hit, dataset_dir):
        return None
    return hit.payload


def _keep_dataset(cache: DownloadsCache, key: str, dataset_dir: Path, written: list[Written], created: str) -> None:
    rows = [(w.name, w.format, w.resource, w.bytes, w.hash, w.note) for w in written]
    files = [(w.name, w.bytes, None) for w in written]
    cache.put("dataset", key, dataset_dir, files, _DatasetPayload(created, rows))


class _DatasetFacts:
    """The dataset metadata, gathered from the records as they stream past (in budget_id order)."""

    def __init__(self) -> None:
        self.sources: list[dict[str, str]] = []
        self.single_source: str | None = None
        self.latest: dict[str, tuple[int, Prepared]] = {}
        self.published: date | None = None
        self.year: int | None = None

    def add(self, summary: _Summary, department: Prepared) -> None:
        if not self.sources:
            self.single_source = summary.source_line
        self.sources.append(summary.source)
        current = self.latest.get(summary.department_id)
        if current is None or summary.fiscal_year >= current[0]:  # the latest year's identity wins
            self.latest[summary.department_id] = (summary.fiscal_year, department)
        if summary.published is not None and (self.published is None or summary.published > self.published):
            self.published = summary.published
        if self.year is None or summary.fiscal_year > self.year:
            self.year = summary.fiscal_year

    def departments(self) -> list[Prepared]:
        """The departments table: one row per department, in department_id order."""
        return [self.latest[key][1] for key in sorted(self.latest)]

    def created(self) -> str:
        """:func:`~gongkai.package.created_date` of all the records, from what was gathered."""
        if self.year is None:
            return created_date([])
        latest = SimpleNamespace(source=SimpleNamespace(published_date=self.published), fiscal_year=self.year)
        return created_date([SimpleNamespace(budget=latest)])  # type: ignore[list-item]


def run_plan(plan: _Plan, forms: tuple[str, ...], jobs: int) -> Iterator[_Result]:
    """Process every record, in order, in this process or in ``jobs`` forked ones."""
    if jobs <= 1:
        for i in range(len(plan.items)):
            yield process_record(plan, i)
        return
    global _PLAN
    _PLAN = (plan, forms)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            count = len(plan.items)
            batches = [range(start, min(start + _BATCH, count)) for start in range(0, count, _BATCH)]
            pending: deque[Future[list[_Result]]] = deque()
            for batch in batches:
                pending.append(pool.submit(_work, batch.start, batch.stop))
                if len(pending) >= jobs * 3:  # bounded: results are consumed in order
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        _PLAN = None


_BATCH = 8
_PLAN: tuple[_Plan, tuple[str, ...]] | None = None


def _work(start: int, stop: int) -> list[_Result]:
    """In a worker: process records; send back only the rendered forms the sinks read."""
    assert _PLAN is not None, "worker started without a plan"
    plan, forms = _PLAN
    return [_slimmed(process_record(plan, i), forms) for i in range(start, stop)]


def dataset_result(record: RecordData, prebuilt: Mapping[str, list[Row]] | None, forms: tuple[str, ...]) -> _Result:
    """Record ``record`` processed for the whole-dataset files only, holding just ``forms``.

    What a worker of :func:`run_plan` sends back for a record when there are
    no folders to write; ``prebuilt``: the rows validation built for it.
    """
    budget_id = record.budget.budget_id
    plan = _Plan([_Item(budget_id, lambda: record, prebuilt=prebuilt)], _reference(), PackageMeta(), None, (), _Urls(Path("."), ""))
    return _slimmed(process_record(plan, 0), forms)


def _slimmed(result: _Result, forms: tuple[str, ...]) -> _Result:
    """``result`` holding only the rendered ``forms`` of its tables (what the sinks read)."""
    result.facts = [_slim(p, forms) for p in result.facts]
    result.department = _slim(result.department, forms)
    return result


@cache
def _reference() -> Reference:
    """The code lists, built once per process."""
    return Reference.build()


def dataset_forms(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The rendered forms of a record's tables that the whole-dataset files of ``formats`` read."""
    sinks = [EXPORTERS[fmt].dataset for fmt in formats]
    return tuple(dict.fromkeys(form for sink in sinks if sink is not None for form in getattr(sink, "FORMS", ())))


def _slim(prepared: Prepared, forms: tuple[str, ...]) -> Prepared:
    """A stand-in holding only ``forms`` (the rows stay in the worker)."""
    return Prepared.from_forms(prepared.name, prepared.size, prepared.forms(forms) if prepared else {})


def _open_sinks(
    dataset_dir: Path | None, meta: PackageMeta, formats: tuple[str, ...], reference: Reference
) -> tuple[dict[str, DatasetSink], DatasetContext | None]:
    if dataset_dir is None:
        return {}, None
    dataset_dir.mkdir(parents=True, exist_ok=True)
    ctx = DatasetContext(dataset_dir, meta)
    sinks: dict[str, DatasetSink] = {}
    for fmt in formats:
        factory = EXPORTERS[fmt].dataset
        if factory is not None:
            sinks[fmt] = factory(ctx)
    codes = code_list_tables(reference)
    for sink in sinks.values():
        sink.add(codes)
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
    *,
    written: list[tuple[str, int, int | None]] | None = None,
) -> BudgetDownloads:
    """Write one department-year folder; return its index entry.

    ``written``, when given, receives each file's name, size and
    modification time (for the cache's check that nobody edited it).
    """
    folder = budgets_dir / bundle.budget_id
    base = os.fspath(folder)
    budget_id = bundle.budget_id
    made: set[str] = set()
    layout, sizes, digests = [], [], []
    for f in budget_files(bundle, meta, formats):
        sub, _, leaf = f.name.rpartition("/")
        directory = f"{base}/{sub}" if sub else base
        if directory not in made:
            os.makedirs(directory, exist_ok=True)
            made.add(directory)
        mtime = write_file(f"{directory}/{leaf}", f.data, stat=written is not None)
        if written is not None:
            written.append((f.name, len(f.data), mtime))
        layout.append((f.format, f.name.replace(budget_id, _ID), f.resource))
        sizes.append(len(f.data))
        digests.append(f.digest)
    budget = bundle.record.budget
    stage = STAGE_LABELS.get(budget.stage, budget.stage)
    return BudgetDownloads(
        budget_id=budget_id,
        title=f"{budget.department.name} {budget.fiscal_year}年部门{stage}",
        department_id=budget.department_id,
        department_name=budget.department.name,
        fiscal_year=budget.fiscal_year,
        stage=budget.stage,
        folder=urls.of(folder) + "/",
        layout=tuple(layout),
        sizes=sizes,
        digests=digests,
    )


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def write_file(path: str, data: bytes, *, stat: bool = False) -> int | None:
    """Write ``data`` to ``path`` with three system calls (no buffered file object).

    A 10,000-record site writes hundreds of thousands of small files; the
    ``open()`` file object costs more than the writing. An existing file is
    removed first, never written through: it may be a hard link into the
    cache of a previous build. ``stat``: return the file's modification
    time (ns).
    """
    try:
        fd = os.open(path, _WRITE_FLAGS, 0o666)
    except FileExistsError:
        detach(path)
        fd = os.open(path, _WRITE_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return os.fstat(fd).st_mtime_ns if stat else None
    finally:
        os.close(fd)


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


def _download(w: Written, url: str) -> DownloadFile:
    title, description = _cached_label(w.format, w.resource)
    return DownloadFile(w.format, url, w.bytes, w.hash, title, description + w.note, w.resource)


#: Only files of these kinds are ever pruned (an output folder may hold a README).
PRUNABLE = (".csv", ".json", ".xlsx", ".yaml", ".sqlite", ".zip")


def prune(folder: Path, written: Callable[[Path], bool]) -> None:
    """Remove download files under ``folder`` that this export did not write.

    A department-year removed from the content, or a resource that became
    empty, must not linger at its old URL with stale numbers.
    """
    for dirpath, _dirnames, filenames in os.walk(folder, topdown=False):
        here = Path(dirpath)
        for name in filenames:
            path = here / name
            if path.suffix in PRUNABLE and not written(path):
                path.unlink()
        if here != folder and not any(here.iterdir()):
            shutil.rmtree(here)


class _BudgetFiles:
    """Which files under ``budgets/`` the export wrote, from the index (no list of paths kept)."""

    def __init__(self, budgets_dir: Path, index: DownloadsIndex) -> None:
        self.root = budgets_dir
        self.index = index
        self._names: tuple[str, frozenset[str]] = ("", frozenset())

    def written(self, path: Path) -> bool:
        parts = path.relative_to(self.root).parts
        if len(parts) < 2:
            return False
        budget_id, name = parts[0], "/".join(parts[1:])
        if self._names[0] != budget_id:  # os.walk gives a folder's files together
            entry = self.index.budgets.get(budget_id)
            names = frozenset(f.path[len(entry.folder) :] for f in entry.files) if entry else frozenset()
            self._names = (budget_id, names)
        return name in self._names[1]
