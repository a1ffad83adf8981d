"""Exporters: the normalised package written as files.

``export_content`` is what ``gongkai export`` runs: validate (streamed),
then write the downloads of the records that pass, so memory does not grow
with the number of records. For the whole dataset alone, each record's rows
are rendered by the worker that validates it and written by a thread while
validation goes on (:mod:`gongkai.export.spool`); with ``--per-budget`` each
record is loaded again when its turn comes. A record that does not pass
is reported and the export fails, rather than publishing a package that is
silently missing a department. The site calls
:func:`gongkai.export.site_data.write_site_data` directly.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

from gongkai.errors import Lang
from gongkai.export.formats import check_formats
from gongkai.export.site_data import DownloadsIndex, LazyRecord, write_site_data
from gongkai.export.spool import DatasetPreparer, StreamedExport, spool_dir
from gongkai.findings import Finding
from gongkai.loader import _display, discover, load_file
from gongkai.package import PackageMeta, RecordData
from gongkai.report import render_text
from gongkai.validate import FileReport, default_jobs, validate_files

__all__ = ["DownloadsIndex", "export_content", "write_site_data"]


def export_content(
    paths: Iterable[str],
    out: Path,
    lang: Lang = "zh",
    meta: PackageMeta | None = None,
    *,
    formats: Sequence[str] | None = None,
    per_budget: bool = False,
    jobs: int | None = None,
) -> int:
    """Validate ``paths`` and write the downloads to ``out``; 0 on success, 1 if invalid.

    Without ``per_budget`` the whole dataset is written straight into ``out``
    (``datapackage.json`` and one CSV per resource, plus the other
    ``formats``); with it, ``out`` gets the site's ``data/`` layout.
    ``jobs`` (default: one per CPU, one for a few files) processes validate
    and render the records; the files are the same bytes for any number.
    """
    check_formats(formats)  # a typo is reported before minutes of loading
    found, _ = discover(paths)
    # Shown (and recorded in the data) relative to the working directory: content/….
    files = [Path(_display(path, Path.cwd())) for path in found]
    jobs = default_jobs(len(files)) if jobs is None else max(1, jobs)
    if per_budget:
        written = _export_folders(files, out, meta, formats, jobs, lang)
    else:
        with spool_dir(out) as spool:
            written = _export_dataset(files, out, Path(spool), meta, formats, jobs, lang)
    if isinstance(written, int):
        return written
    index = written
    if lang == "zh":
        print(f"已写入 {out}（{len(index.dataset)} 个全部数据文件，{len(index.budgets)} 个部门年度文件夹）")
    else:
        print(f"wrote {out} ({len(index.dataset)} dataset files, {len(index.budgets)} department-year folders)")
    return 0


def _export_folders(
    files: list[Path], out: Path, meta: PackageMeta | None, formats: Sequence[str] | None, jobs: int, lang: Lang
) -> DownloadsIndex | int:
    """``--per-budget``: validate, then write the site's ``data/`` layout; the exit status if refused."""
    reports = list(validate_files(files, jobs=jobs))  # streamed: no record is kept
    status = _refuse(reports, lang)
    if status:
        return status
    # Loaded again one at a time as the export reaches them, so memory stays flat.
    data = [
        LazyRecord(r.budget_id, partial(_record_data, path, r.findings))
        for r, path in zip(reports, files, strict=True)
        if r.budget_id is not None
    ]
    return write_site_data(data, out, meta, formats, jobs=jobs, url_base="")


def _export_dataset(
    files: list[Path],
    out: Path,
    spool: Path,
    meta: PackageMeta | None,
    formats: Sequence[str] | None,
    jobs: int,
    lang: Lang,
) -> DownloadsIndex | int:
    """The whole dataset alone, written while validating (:mod:`gongkai.export.spool`); the exit status if refused."""
    preparer = DatasetPreparer(spool, check_formats(formats))
    stream = StreamedExport(files, preparer, meta, formats)
    try:
        reports = _validate_into(stream, files, jobs, preparer)
        status = _refuse(reports, lang)
        return status if status else stream.finish(out)
    finally:
        stream.stop()


def _validate_into(stream: StreamedExport, files: list[Path], jobs: int, preparer: DatasetPreparer) -> list[FileReport]:
    """Validate ``files``, telling ``stream`` of each that passed (its writer runs meanwhile)."""
    reports: list[FileReport] = []
    for report in validate_files(files, jobs=jobs, hook=preparer):
        if report.valid:
            stream.passed(len(reports))
        else:
            stream.stop()  # nothing will be written: stop early
        reports.append(report)
        stream.start()  # after the first report: the worker processes have been forked
    return reports


def _refuse(reports: list[FileReport], lang: Lang) -> int:
    """0 if every record passed; else say why (2: no files, 1: invalid records)."""
    if not reports:
        print("没有找到 .yaml 文件。" if lang == "zh" else "no .yaml files found.", file=sys.stderr)
        return 2
    if not all(r.valid for r in reports):
        print(render_text([r for r in reports if not r.valid], lang, quiet=True), file=sys.stderr)
        return 1
    return 0


def _record_data(path: Path, findings: list[Finding]) -> RecordData:
    """One validated record, loaded again for the export (it passed a moment ago)."""
    record = load_file(path, str(path))
    if record.budget is None:
        raise RuntimeError(f"{path} changed while it was being exported")
    return RecordData(record.budget, record.display, findings, record.path)
