"""The whole dataset written while ``gongkai export`` is still validating.

``gongkai export`` must not publish a dataset silently missing a
department: if a record does not pass, nothing is written. It used to
validate every file, then load each one again to write it: at 10,000
department-years the second load was a third of the export, and the
writing ran on one core after validation had finished.

Now the worker that validates a record, while it still holds the record and
the rows its Table Schema check built, also renders the record's rows for
the whole-dataset files (:func:`~gongkai.export.site_data.dataset_result`)
and pickles them into a spool folder (:class:`DatasetPreparer`). A writer
thread (:class:`StreamedExport`) feeds them to the dataset files in
budget-id order as soon as each record has passed, into a staging folder,
and the files are moved into the output folder only when every record has
passed; otherwise the staging folder is dropped and the output folder is
left as it was. The files are the same bytes as an export of the loaded
records (the same function renders them), which a test checks.

A record passes only if its file is named after its budget id, so the
budget-id order is known before anything is loaded: the files' names.

The spool holds about 320 KB per department-year waiting to be written (the
rows in each form the dataset files read: CSV, Excel CSV, workbook cells,
SQL values); it is made beside the output folder, on the disk that receives
the export, not in a temporary directory that may be in memory.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gongkai.export.site_data import (
    DownloadsIndex,
    _Result,
    dataset_forms,
    dataset_result,
    export_records,
    prune,
)
from gongkai.package import PackageMeta, RecordData
from gongkai.validate import RecordReport


class DatasetPreparer:
    """The validation hook (:data:`gongkai.validate.ReportHook`) that spools each valid record's rows.

    Picklable and small: it is sent to the validation workers with their files.
    """

    def __init__(self, spool: Path, formats: tuple[str, ...]) -> None:
        self.spool = spool
        self.forms = dataset_forms(formats)

    def path(self, index: int) -> Path:
        """Where the rows of the ``index``-th file are spooled."""
        return self.spool / f"{index}.pickle"

    def __call__(self, index: int, report: RecordReport) -> None:
        if not report.valid:
            return  # the export will not run: nothing to prepare
        result = dataset_result(report.data(), report.tables, self.forms)
        with open(self.path(index), "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)


class ExportStopped(Exception):
    """A record did not pass (or the validation failed): the writer thread stops."""


class _Board:
    """Which files have passed so far, shared by the validating and the writing thread."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._passed: set[int] = set()
        self._stopped = False

    def passed(self, index: int) -> None:
        with self._changed:
            self._passed.add(index)
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    @property
    def stopped(self) -> bool:
        with self._changed:
            return self._stopped

    def wait(self, index: int) -> None:
        """Return once file ``index`` has passed; :class:`ExportStopped` if it never will."""
        with self._changed:
            while index not in self._passed and not self._stopped:
                self._changed.wait()
            if index not in self._passed:
                raise ExportStopped


@dataclass(frozen=True, slots=True)
class SpooledRecord:
    """A record whose whole-dataset rows a validation worker spools (read once, then removed)."""

    budget_id: str
    path: Path
    index: int
    board: _Board

    def load(self) -> RecordData:
        raise TypeError(f"{self.budget_id}: spooled for the whole dataset only; it has no folder to write")

    def result(self) -> _Result:
        self.board.wait(self.index)
        with open(self.path, "rb") as spooled:
            result: _Result = pickle.load(spooled)
        os.unlink(self.path)  # the spool shrinks as the export reads it
        return result


class StreamedExport:
    """The whole dataset of ``files``, written by a thread into ``spool``/out as records pass.

    Call :meth:`passed` with each file that passed, in any order, :meth:`start`
    once the validation's worker processes exist (a process running a thread
    must not fork), then :meth:`finish` when all have passed, or :meth:`stop`.
    """

    def __init__(
        self, files: Sequence[Path], preparer: DatasetPreparer, meta: PackageMeta | None, formats: Sequence[str] | None
    ) -> None:
        self._board = _Board()
        self.staging = preparer.spool / "out"
        order = sorted(range(len(files)), key=lambda i: (files[i].stem, i))  # the budget ids of passing files
        self._items = [SpooledRecord(files[i].stem, preparer.path(i), i, self._board) for i in order]
        self._meta, self._formats = meta, formats
        self._thread = threading.Thread(target=self._write, name="gongkai-export-writer", daemon=True)
        self._index: DownloadsIndex | None = None
        self._error: BaseException | None = None

    def passed(self, index: int) -> None:
        self._board.passed(index)

    def start(self) -> None:
        """Start the writer (once; not after :meth:`stop`)."""
        if self._thread.ident is None and not self._board.stopped:
            self._thread.start()

    def _write(self) -> None:
        try:
            self._index = export_records(
                self._items, dataset_dir=self.staging, budgets_dir=None, meta=self._meta, formats=self._formats, jobs=1
            )
        except BaseException as exc:  # ExportStopped, or a real failure re-raised by finish()
            self._error = exc

    def stop(self) -> None:
        """No file will pass any more: stop the writer (its staging folder goes with the spool)."""
        self._board.stop()
        if self._thread.ident is not None:
            self._thread.join()

    def finish(self, out: Path) -> DownloadsIndex:
        """Wait for the writer; move the files into ``out``, removing download files it no longer has."""
        self.start()  # a caller that never started it (the validation normally has)
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._index is not None
        existed = out.exists()
        moved = set()
        for path in sorted(p for p in self.staging.rglob("*") if p.is_file()):
            target = out / path.relative_to(self.staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.add(target)
        if existed:
            prune(out, moved.__contains__)
        return self._index


def spool_dir(out: Path) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder beside ``out`` (made if need be), else in the system's temporary directory."""
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix=f".{out.name}-spool-", dir=out.parent, ignore_cleanup_errors=True)
    except OSError:
        return tempfile.TemporaryDirectory(prefix="gongkai-export-spool-", ignore_cleanup_errors=True)
