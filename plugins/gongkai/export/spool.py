"""Whole-dataset rows prepared by the validation workers, for ``gongkai export``.

``gongkai export`` validates every file before it writes anything (a record
that does not pass fails the export, rather than leaving a dataset silently
missing a department). It used to load each record a second time to write
it: at 10,000 department-years that second load was about a third of the
export. Now the worker that validates a record, while it still holds the
record and the rows its Table Schema check built, also renders the record's
rows for the whole-dataset files (:func:`~gongkai.export.site_data.dataset_result`)
and pickles them into a spool folder; the export then reads them back in
order. The files are the same bytes either way (the same function renders
them), which a test checks.

The spool holds about 320 KB per department-year (the rows in each form
the dataset files read: CSV, Excel CSV, workbook cells, SQL values), so it
is made beside the output folder, on the disk that receives the export,
not in a temporary directory that may be in memory.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gongkai.export.site_data import _Result, dataset_forms, dataset_result
from gongkai.package import RecordData
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
        budget = report.record.budget
        if budget is None or not report.valid:
            return  # the export will not run: nothing to prepare
        record = RecordData(budget, report.record.display, list(report.findings), report.record.path)
        result = dataset_result(record, report.tables, self.forms)
        with open(self.path(index), "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)

    def record(self, index: int, budget_id: str) -> SpooledRecord:
        """The export's stand-in for the ``index``-th file (which must have passed)."""
        return SpooledRecord(budget_id, self.path(index))


@dataclass(frozen=True, slots=True)
class SpooledRecord:
    """A record whose whole-dataset rows a validation worker spooled (read once, then removed)."""

    budget_id: str
    path: Path

    def load(self) -> RecordData:
        raise TypeError(f"{self.budget_id}: spooled for the whole dataset only; it has no folder to write")

    def result(self) -> _Result:
        with open(self.path, "rb") as spooled:
            result: _Result = pickle.load(spooled)
        os.unlink(self.path)  # the spool shrinks as the export reads it
        return result


def spool_dir(out: Path) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder beside ``out`` (made if need be), else in the system's temporary directory."""
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix=f".{out.name}-spool-", dir=out.parent, ignore_cleanup_errors=True)
    except OSError:
        return tempfile.TemporaryDirectory(prefix="gongkai-export-spool-", ignore_cleanup_errors=True)
