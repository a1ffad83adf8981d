"""The validation pipeline: structure, Table Schemas, accounting rules.

A record goes through three gates, one record at a time:

1. the loader (YAML safety, types, keys, file name, duplicate budget ids
   across files) — problems make it invalid;
2. the Table Schema check of its normalised rows (types, constraints, primary
   and foreign keys, the shipped code lists) — problems make it invalid;
3. the accounting rules — findings, which make it invalid only in strict mode.

Gate 2 has two engines. ``native`` (the default) is :mod:`gongkai.tablecheck`,
which implements the Frictionless rules our schemas use with frictionless-py's
semantics, about a millisecond a record; ``tests/test_tablecheck.py`` keeps
it equal to frictionless-py on the seeds and on a corpus of broken rows.
``frictionless`` runs frictionless-py itself (the reference engine, tens of
milliseconds a record plus a fixed cost per call) on the rows of all the
records given at once, and attributes its errors back to records by the
``budget_id`` cell (``department_id`` for ``departments``). Both report an
error as the same kind of :class:`~gongkai.errors.Problem` (code
``frictionless``, the resource and frictionless's error type and note, at the
file:line of the row's source). The engines differ only where a batch differs
from a single record: the row positions quoted by primary-key notes, and, for
a department with several years in one batch, only the latest year's
``departments`` row is checked by frictionless.

Records are independent of each other, apart from duplicate budget ids, so
:func:`validate_files` streams: it loads, checks and slims one chunk of files
at a time (in worker processes if asked) and yields small
:class:`FileReport` objects in file order, flagging duplicates from the ids it
has seen. Memory stays flat however many files there are.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from gongkai.errors import Location, Problem
from gongkai.findings import Finding
from gongkai.loader import (
    LoadedRecord,
    add_duplicate_problems,
    duplicate_problem,
    load_file,
    misnamed,
)
from gongkai.normalise import Row
from gongkai.package import RecordData, build_tables, cell_text
from gongkai.rules import run_rules
from gongkai.tables import CODE_LISTS, TABLES, TABLES_BY_NAME

Engine = Literal["native", "frictionless"]
ENGINES: tuple[str, ...] = ("native", "frictionless")
#: Resources checked by Frictionless (findings and budgets' counts are ours).
CHECKED_RESOURCES = tuple(t.name for t in TABLES if t.name not in ("findings",))
#: The resources built from one record (the code lists are the same for all).
RECORD_RESOURCES = tuple(name for name in CHECKED_RESOURCES if name not in CODE_LISTS)
#: Files per unit of work of :func:`validate_files` (fixed, so that the output
#: never depends on the number of workers); frictionless-py has a large fixed
#: cost per call, so its chunks are larger.
CHUNK_SIZE = {"native": 8, "frictionless": 32}
#: Below this many files, worker processes cost more than they save.
PARALLEL_THRESHOLD = 32


@dataclass
class RecordReport:
    """Everything the validator says about one record file."""

    record: LoadedRecord
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The rows the Table Schema check built (``build_tables`` of the budget
    #: and its display path), kept for whoever writes the record's files next
    #: in the same process (:func:`gongkai.export.bundle.make_bundle`'s
    #: ``prebuilt``) so they are not normalised twice. ``None`` unless asked
    #: for (``validate_records(…, keep_tables=True)``).
    tables: dict[str, list[Row]] | None = field(default=None, repr=False, compare=False)

    @property
    def display(self) -> str:
        return self.record.display

    @property
    def record_id(self) -> str:
        return self.record.record_id

    @property
    def valid(self) -> bool:
        """No structural or Frictionless problem: the record can be published."""
        return self.record.budget is not None and not self.problems

    def unacknowledged_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error" and not f.acknowledged]

    def data(self) -> RecordData:
        """What the exporters take of a validated record: its budget, findings and source path."""
        assert self.record.budget is not None, "only a bound record can be exported"
        return RecordData(self.record.budget, self.record.display, self.findings, self.record.path)

    def passes(self, strict: bool = False) -> bool:
        """Valid, and in strict mode free of unacknowledged error findings."""
        return self.valid and (not strict or not self.unacknowledged_errors())


@dataclass
class FileReport:
    """A :class:`RecordReport` without the record: small and picklable (what :func:`validate_files` yields).

    ``record_problems`` are the loader's problems of the file on its own (no
    duplicate check), from which a duplicate's report is rebuilt.
    """

    display: str
    record_id: str
    budget_id: str | None  # None when the file could not be bound to a record
    record_problems: list[Problem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.budget_id is not None and not self.problems

    def unacknowledged_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error" and not f.acknowledged]

    def passes(self, strict: bool = False) -> bool:
        return self.valid and (not strict or not self.unacknowledged_errors())


def check_rules(record: LoadedRecord) -> list[Finding]:
    """Run the accounting rules on a bound record, locate and acknowledge them."""
    budget = record.budget
    assert budget is not None
    located = [f.located(record.locate(f.path)) for f in run_rules(budget)]
    return [_acknowledge(f, record) for f in located]


def _acknowledge(finding: Finding, record: LoadedRecord) -> Finding:
    assert record.budget is not None
    for ack in record.budget.acknowledgements:
        if ack.rule == finding.rule and ack.subject in (None, finding.subject):
            return replace(finding, acknowledged=ack.explanation)
    return finding


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r} (expected one of {', '.join(ENGINES)})")


def validate_records(
    records: Sequence[LoadedRecord],
    *,
    frictionless: bool = True,
    engine: Engine = "native",
    keep_tables: bool = False,
) -> list[RecordReport]:
    """Validate loaded records; one report per record, in the same order.

    ``frictionless=False`` skips gate 2 (the Table Schema check) whatever the
    engine. Cross-file duplicates must already be flagged on the records
    (:func:`gongkai.loader.add_duplicate_problems`); a record with a problem
    is neither checked further nor given findings. ``keep_tables`` keeps on
    each report the rows its Table Schema check built (``RecordReport.tables``),
    for a caller that writes the record's files next; otherwise they are
    dropped at once, as a validator holding a chunk of records needs.
    """
    _check_engine(engine)
    reports = [RecordReport(r, problems=list(r.problems)) for r in records]
    bound = [rep for rep in reports if rep.record.budget is not None and not rep.problems]
    for report in bound:
        if frictionless and engine == "native":
            problems, tables = table_problems(report.record)
            report.problems.extend(problems)
            if keep_tables:
                report.tables = tables
        report.findings = check_rules(report.record)
    if frictionless and engine == "frictionless" and bound:
        by_record = {id(rep.record): rep for rep in bound}
        for record, problem in frictionless_problems([rep.record for rep in bound]):
            by_record[id(record)].problems.append(problem)
    return reports


def table_problems(record: LoadedRecord) -> tuple[list[Problem], dict[str, list[Row]]]:
    """Gate 2 for one bound record, by the native checker: its problems, and the rows checked."""
    from gongkai.tablecheck import record_checker

    assert record.budget is not None
    tables = build_tables([RecordData(record.budget, record.display)], RECORD_RESOURCES)
    problems = []
    for error in record_checker().check(tables):
        rows = tables[error.resource]
        row = rows[error.row_number - 2] if 0 <= error.row_number - 2 < len(rows) else None
        problems.append(_problem(record, error.resource, error, row))
    return problems, tables


def frictionless_problems(records: Sequence[LoadedRecord]) -> list[tuple[LoadedRecord, Problem]]:
    """Validate the normalised rows of ``records`` with frictionless-py (the reference engine)."""
    from frictionless import Package

    bound = [r for r in records if r.budget is not None]
    by_id = {r.budget.budget_id: r for r in bound if r.budget is not None}
    # departments has one row per department: the latest year's record built it
    by_department: dict[str, LoadedRecord] = {}
    for r in sorted(bound, key=lambda r: r.record_id):
        assert r.budget is not None
        latest = by_department.get(r.budget.department_id)
        if latest is None or latest.budget is None or r.budget.fiscal_year >= latest.budget.fiscal_year:
            by_department[r.budget.department_id] = r
    data = [RecordData(r.budget, r.display) for r in bound if r.budget is not None]
    tables = build_tables(data, CHECKED_RESOURCES)
    descriptor: dict[str, Any] = {"name": "gongkai-check", "resources": []}
    for name in CHECKED_RESOURCES:
        table = TABLES_BY_NAME[name]
        rows = tables[name]
        matrix = [table.column_names] + [[cell_text(row.get(c)) for c in table.column_names] for row in rows]
        descriptor["resources"].append({"name": name, "data": matrix, "schema": table.schema()})
    report = Package(descriptor).validate()
    out: list[tuple[LoadedRecord, Problem]] = []
    for task in report.tasks:
        rows = tables.get(task.name or "", [])
        for error in task.errors:
            row_number = getattr(error, "row_number", None)
            row = rows[row_number - 2] if row_number and 0 <= row_number - 2 < len(rows) else None
            record = None
            if row is not None:
                record = by_id.get(row["budget_id"]) if "budget_id" in row else by_department.get(row.get("department_id"))
            if record is None:
                if task.name in CODE_LISTS:
                    raise RuntimeError(f"shipped code list {task.name} is invalid: {error.message}")
                record = records[0]
            out.append((record, _problem(record, task.name or "", error, row)))
    return out


def _problem(record: LoadedRecord, resource: str, error: Any, row: dict[str, Any] | None) -> Problem:
    """A Problem from a frictionless-py error or a :class:`~gongkai.tablecheck.TableError` (same attributes)."""
    path = row.get("_path", "") if row else ""
    location = record.locate(path) if path else Location(record.display, 1, 1)
    note = error.note or error.message
    hint = ""
    if error.type == "foreign-key" and row is not None and ("func_code" in row or "econ_code" in row):
        hint = "（科目编码不在代码表中：请核对编码，或在 plugins/gongkai/data/ 的代码表中补充它和名称）"
    return Problem(
        "frictionless",
        location,
        {"found": f"{resource}: {error.type}", "note": f"{note}{hint}", "resource": resource},
        path,
    )


# --------------------------------------------------------------------------- #
# Streaming many files
# --------------------------------------------------------------------------- #


def slim(report: RecordReport, record_problems: list[Problem]) -> FileReport:
    """The :class:`FileReport` of a report (``record_problems``: the loader's, before the duplicate check)."""
    budget = report.record.budget
    return FileReport(
        report.display,
        report.record_id,
        budget.budget_id if budget is not None else None,
        list(record_problems),
        list(report.findings),
        list(report.problems),
    )


#: Called in the validating process with each file's position among the paths and
#: its report, rows kept (``RecordReport.tables``), before the report is slimmed:
#: ``gongkai export`` renders a record's dataset rows while the record is loaded.
#: Sent to the workers with their files, so it must pickle.
ReportHook = Callable[[int, RecordReport], None]

_Chunk = tuple[list[Path], bool, str, int, ReportHook | None]


def _validate_chunk(job: _Chunk) -> list[FileReport]:
    """Load and validate a chunk of files (in a worker or not); duplicates within the chunk are flagged."""
    paths, frictionless, engine, start, hook = job
    records = [load_file(path) for path in paths]
    loaded = [list(r.problems) for r in records]
    add_duplicate_problems(records)  # so that a duplicate never takes part in a batch check
    reports = validate_records(records, frictionless=frictionless, engine=engine, keep_tables=hook is not None)  # type: ignore[arg-type]
    if hook is not None:
        for offset, report in enumerate(reports):
            hook(start + offset, report)
            report.tables = None
    return [slim(report, problems) for report, problems in zip(reports, loaded, strict=True)]


def default_jobs(count: int) -> int:
    """Worker processes for ``count`` files: one per CPU, one for a small input."""
    if count < PARALLEL_THRESHOLD:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, cpus)


def validate_files(
    paths: Sequence[Path],
    *,
    jobs: int | None = None,
    frictionless: bool = True,
    engine: Engine = "native",
    hook: ReportHook | None = None,
) -> Iterator[FileReport]:
    """Load and validate files, yielding one :class:`FileReport` per file, in order.

    At most a few chunks of records are in memory at once. ``jobs`` worker
    processes (default :func:`default_jobs`) share the chunks; the output is
    the same for any number of them. A file that claims a budget id another
    file claims is reported as :func:`gongkai.loader.add_duplicate_problems`
    reports it, without findings (as :func:`validate_records` would).
    ``hook`` (see :data:`ReportHook`) sees each file's full report where it
    was validated; duplicates across chunks are flagged only after it.
    """
    _check_engine(engine)
    size = CHUNK_SIZE[engine]
    chunks: list[_Chunk] = [
        (list(paths[i : i + size]), frictionless, engine, i, hook) for i in range(0, len(paths), size)
    ]
    jobs = default_jobs(len(paths)) if jobs is None else max(1, jobs)
    jobs = min(jobs, len(chunks))
    reports = (report for chunk in _map_chunks(chunks, jobs, engine) for report in chunk)
    yield from _flag_duplicates(reports, paths)


def _flag_duplicates(reports: Iterable[FileReport], paths: Sequence[Path]) -> Iterator[FileReport]:
    """Flag the duplicates among the reports of ``paths`` (in that order), as they stream.

    As in :func:`gongkai.loader.add_duplicate_problems`, the first file named
    after an id claims it, else the first file claiming it at all. A file
    named after its id can only be a path whose stem is that id, so a
    misnamed claimant waits (with the reports after it, to keep their order)
    only until the last such path has been read; usually none exists, or it
    is the next file (``… copy.yaml`` sorts just before the original).
    """
    last_named = {path.stem: index for index, path in enumerate(paths)}
    named: dict[str, tuple[int, str]] = {}  # id → (index, display) of the first well-named claimant
    misnamed: dict[str, tuple[int, str]] = {}  # id → the first misnamed claimant
    waiting: deque[tuple[int, FileReport]] = deque()
    for index, report in enumerate(reports):
        key = report.budget_id
        if key is not None:
            claimants = misnamed if _misnamed(report) else named
            claimants.setdefault(key, (index, report.display))
        waiting.append((index, report))
        while waiting and _decided(waiting[0][1], index, named, last_named):
            yield _flagged(*waiting.popleft(), named, misnamed)
    while waiting:
        yield _flagged(*waiting.popleft(), named, misnamed)


def _misnamed(report: FileReport) -> bool:
    return misnamed(report.record_problems)


def _decided(
    report: FileReport, index: int, named: dict[str, tuple[int, str]], last_named: dict[str, int]
) -> bool:
    """Whether the claimant of the report's id is known once the report at ``index`` is read."""
    key = report.budget_id
    if key is None or key in named or not _misnamed(report):
        return True
    return last_named.get(key, -1) <= index  # no later file can be named after the id


def _flagged(
    index: int, report: FileReport, named: dict[str, tuple[int, str]], misnamed: dict[str, tuple[int, str]]
) -> FileReport:
    key = report.budget_id
    if key is None:
        return report
    claimant = named.get(key) or misnamed[key]
    if claimant[0] == index:
        return report
    problems = [
        *report.record_problems,
        duplicate_problem(report.display, key, claimant[1]),
    ]
    return replace(report, findings=[], problems=problems)


def _map_chunks(chunks: list[_Chunk], jobs: int, engine: str) -> Iterable[list[FileReport]]:
    if jobs <= 1:
        return map(_validate_chunk, chunks)
    return _pool_map(chunks, jobs, engine)


def _pool_map(chunks: list[_Chunk], jobs: int, engine: str) -> Iterator[list[FileReport]]:
    import multiprocessing

    fork = os.name == "posix" and threading.active_count() == 1
    if fork:  # prepared once here, inherited by every worker
        if engine == "native":
            from gongkai.tablecheck import record_checker

            record_checker()
        else:
            import frictionless  # noqa: F401
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with context.Pool(jobs) as pool:
        yield from pool.imap(_validate_chunk, chunks)
