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

import multiprocessing
import os
import pickle
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gongkai.export.site_data import DownloadsIndex, LazyRecord, write_site_data
from gongkai.package import PackageMeta, RecordData
from gongkai.site.source import Summary


class ExportFailed(Exception):
    """The export process failed; the message says why (a traceback for a bug)."""


@dataclass
class _Loader:
    """Loads one record from the store for the export (picklable, unlike a lambda)."""

    summary: Summary

    def __call__(self) -> RecordData:
        report = self.summary.load()
        budget = report.record.budget
        assert budget is not None
        return RecordData(budget, report.record.display, report.findings, report.record.path)


def lazy_records(summaries: Sequence[Summary]) -> list[LazyRecord]:
    """The published records as the export takes them: ids now, budgets when written."""
    return [
        LazyRecord(s.head.budget_id, _Loader(s))
        for s in summaries
        if s.valid and s.head is not None
    ]


@dataclass
class ExportJob:
    """What to write, and where."""

    records: list[LazyRecord]
    out_dir: Path
    meta: PackageMeta
    formats: list[str] | None
    budget_formats: list[str] | None

    def run(self) -> DownloadsIndex:
        return write_site_data(
            self.records, self.out_dir, self.meta, self.formats,
            budget_formats=self.budget_formats, jobs=1,
        )  # fmt: skip


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
