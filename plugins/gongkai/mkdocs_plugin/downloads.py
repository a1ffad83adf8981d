"""The site's open-data downloads, written while MkDocs renders the pages.

The export (:func:`gongkai.export.site_data.write_site_data`) needs every
record once; the pages need every record once too. So the plugin forks a
process that writes ``data/`` right after validation (:meth:`BackgroundExport.start`)
and only waits for it (:meth:`BackgroundExport.join`) when the downloads
page — the last generated page, the only one that shows sizes — is read.
The records are handed over lazily (:class:`~gongkai.export.site_data.LazyRecord`):
the child loads each from the record store, writes its files, and drops it.

Where ``fork`` is not available the export simply runs at ``join``.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gongkai.export.site_data import (
    PRIMED_DIR,
    BudgetPrimer,
    DownloadsIndex,
    LazyRecord,
    write_site_data,
)
from gongkai.package import PackageMeta, RecordData
from gongkai.site.source import Summary, code_fingerprint
from gongkai.validate import RecordReport


class ExportFailed(Exception):
    """The export process failed; the message says why (a traceback for a bug)."""


@dataclass
class _Loader:
    """Loads one record from the store for the export (picklable, unlike a lambda)."""

    summary: Summary

    def __call__(self) -> RecordData:
        return self.summary.load().data()


def prime_downloads(job: ExportJob) -> Callable[[Summary, RecordReport], None] | None:
    """A validation workers' hook that writes each publishable record's folder ahead of the export.

    ``job`` is the export that will run (its records are not needed yet).
    ``None`` without a cache directory (the export child then writes every
    folder itself). A failure only loses the head start: the export renders
    that folder again, and reports its own errors. The folders are left in
    the job's staging area (:meth:`ExportJob.staged_dir`), for the export
    to move into place.
    """
    if job.cache_dir is None:
        return None
    primer = BudgetPrimer(job.meta, job.formats, job.budget_formats, job.cache_dir, stage_dir=job.staged_dir)
    fingerprint = code_fingerprint()

    def prime(summary: Summary, report: RecordReport) -> None:
        key = record_key(summary, fingerprint)
        if not summary.valid or summary.head is None or key is None:
            return
        try:
            primer(report.data(), key, report.tables)
        except Exception:  # noqa: BLE001 - the export writes it again and reports
            return

    return prime


def lazy_records(summaries: Sequence[Summary]) -> list[LazyRecord]:
    """The published records as the export takes them: ids now, budgets when written.

    Each carries the key of what its files depend on (the file's SHA-256,
    its display path, the validation code), so that a build with a cache
    reuses the folders of unchanged files.
    """
    fingerprint = code_fingerprint()
    return [
        LazyRecord(s.head.budget_id, _Loader(s), record_key(s, fingerprint))
        for s in summaries
        if s.valid and s.head is not None
    ]


def record_key(summary: Summary, fingerprint: str) -> str | None:
    """What a record's downloads depend on besides the export: ``None`` if the file was not read."""
    if not summary.digest:
        return None
    return f"{summary.digest}\0{summary.display}\0{fingerprint}"


@dataclass
class ExportJob:
    """What to write, and where.

    ``cache_dir``: where the export keeps its files for the next build
    (the plugin's ``<cache_dir>/downloads`` when caching is on; ``None``: no
    reuse, every file rendered). See :mod:`gongkai.export.reuse`.
    """

    records: list[LazyRecord]
    out_dir: Path
    meta: PackageMeta
    formats: list[str] | None
    budget_formats: list[str] | None
    cache_dir: Path | None = None

    @property
    def staged_dir(self) -> Path | None:
        """Where the validation workers leave the folders they wrote (:func:`prime_downloads`).

        Inside ``out_dir``: a folder is moved from there to its place in
        one rename, which needs one filesystem; the export removes what is
        left of it.
        """
        return self.out_dir / PRIMED_DIR if self.cache_dir is not None else None

    def run(self) -> DownloadsIndex:
        return write_site_data(
            self.records, self.out_dir, self.meta, self.formats,
            budget_formats=self.budget_formats, jobs=1, cache_dir=self.cache_dir, staged_dir=self.staged_dir,
        )  # fmt: skip


#: glibc's ``mallopt`` parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def quiet_gc() -> None:
    """Keep the objects alive so far out of every collection, and collect young ones rarely.

    A long build holds millions of objects that live until its end (the
    summaries, MkDocs' files and pages): a full collection rescans them all
    and frees nothing, and the rows it churns through are freed by their
    reference counts anyway (``gc.freeze`` and a first threshold of 50,000).
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def tune_export_process() -> None:
    """Make the forked export child cheaper: it renders every record, then exits.

    Measured with ``perf`` on 200 synthetic records (the shares are of the
    child's CPU time):

    * glibc returned each record's freed buffers (megabytes: sheets, zips,
      the JSON) to the kernel and faulted them in again, zeroed, for the next
      record: 6 % of the time went to page faults. Keeping freed memory
      (a fixed mmap threshold, a high trim threshold) leaves 1 %; the peak
      memory is unchanged, since each record needs about the same.
    * the cyclic garbage collector ran every 700 allocations over millions
      of short-lived rows and cell lists, freed by their reference counts
      anyway: 3.5 %. A higher first threshold leaves about 1 %, and
      ``gc.freeze()`` keeps the objects inherited from MkDocs out of every
      collection (a collection writes to each object it visits, which would
      also copy the parent's memory pages into the child).

    Together about 10 % less CPU for the child on that site.
    """
    quiet_gc()
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)  # the largest glibc accepts; disables its moving threshold
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)


class BackgroundExport:
    """One export, in a forked child when possible."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self._process: multiprocessing.process.BaseProcess | None = None
        self._error_file = Path(tempfile.mkstemp(prefix="gongkai-export-", suffix=".txt")[1])
        self._result_file = self._error_file.with_suffix(".pickle")
        self._index: DownloadsIndex | None = None

    def start(self) -> None:
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self._process = context.Process(target=self._child, name="gongkai-export", daemon=True)
        self._process.start()

    def _child(self) -> None:
        try:
            tune_export_process()
            index = self.job.run()
            self._result_file.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        except BaseException:  # reported by the parent, which fails the build
            self._error_file.write_text(traceback.format_exc(), encoding="utf-8")
            os._exit(1)
        os._exit(0)

    def join(self) -> DownloadsIndex:
        """Wait for the files; the index of what was written."""
        if self._index is not None:
            return self._index
        try:
            if self._process is None:
                self._index = self.job.run()
                return self._index
            self._process.join()
            if self._process.exitcode != 0:
                detail = self._error_file.read_text(encoding="utf-8") if self._error_file.exists() else ""
                raise ExportFailed(detail or f"exit code {self._process.exitcode}")
            self._index = pickle.loads(self._result_file.read_bytes())
            return self._index
        finally:
            self._error_file.unlink(missing_ok=True)
            self._result_file.unlink(missing_ok=True)

    def cancel(self) -> None:
        """Stop the child (the build failed before the pages were written)."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._error_file.unlink(missing_ok=True)
        self._result_file.unlink(missing_ok=True)
