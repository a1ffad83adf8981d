"""Loading and validating the content directory: cached, light, and in parallel when cold.

Loading and validating a record costs far more than rendering its page, and
a loaded record is about half a megabyte of Python objects, so:

* each file's outcome (the loaded record and what the validator said about
  it *on its own*) is written to a record store on disk (:class:`DiskCache`:
  the configured cache directory, else a temporary one), keyed by the file's
  SHA-256 and a fingerprint of the Gongkai code — an unchanged site rebuilds
  without parsing any YAML;
* the build keeps only a :class:`Summary` per file in memory (head, key
  figures, findings, problems); a page loads its full record from the store
  when it is rendered, and drops it;
* summaries are kept across ``mkdocs serve`` rebuilds (:class:`ValidationCache`),
  so a rebuild after one edit re-validates one file;
* files that must be processed are spread over worker processes when there
  are many (a cold build of thousands of records); workers write the store
  themselves and send back only summaries.

The one cross-file check — two files claiming the same budget id — is made
after, on fresh problem lists, so a cached summary never carries a stale
duplicate, and a duplicated record is reported without its findings, exactly
as :func:`gongkai.validate.validate_records` would.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import gongkai
from gongkai.errors import Problem
from gongkai.figures import KeyFigures, key_figures
from gongkai.findings import Finding
from gongkai.loader import (
    LoadedRecord,
    _display,
    discover,
    duplicate_claims,
    duplicate_problem,
    load_bytes,
    load_file,
    misnamed,
)
from gongkai.model import Budget, Department
from gongkai.normalise import Row
from gongkai.site.pickles import pickle_path, read_pickle, scratch_dir, write_pickle
from gongkai.validate import RecordReport, validate_records
from gongkai.yamlio import MAX_BYTES

#: Below this many files to process, worker processes cost more than they save.
PARALLEL_THRESHOLD = 48


@dataclass
class Outcome:
    """A record as loaded and validated on its own (what the disk store keeps)."""

    record: LoadedRecord
    findings: list[Finding]
    checked: list[Problem]


@dataclass(frozen=True)
class BudgetHead:
    """What the index pages need of a budget — kept in memory instead of the whole record.

    A loaded budget is about half a megabyte of Python objects; a site of
    10,000 of them cannot hold them all. The attribute names are the
    :class:`~gongkai.model.Budget` ones, so views read either.
    """

    budget_id: str
    department_id: str
    department: Department
    fiscal_year: int
    stage: str
    amount_unit: str
    project_count: int
    #: Indicator rows of the projects, and of the department goals (a goal's
    #: indicators given as text count one): the department-year has an
    #: indicators page when there is any.
    project_indicators: int = 0
    goal_indicators: int = 0

    @classmethod
    def of(cls, budget: Budget) -> BudgetHead:
        categories = budget.performance.categories if budget.performance else []
        return cls(
            budget.budget_id, budget.department_id, budget.department, budget.fiscal_year,
            budget.stage, budget.amount_unit, len(budget.projects or []),
            sum(len(p.indicators) for p in budget.projects or []),
            sum(len(c.indicators) + bool(c.indicators_text) for c in categories),
        )  # fmt: skip

    @property
    def indicator_count(self) -> int:
        return self.project_indicators + self.goal_indicators


@dataclass
class Summary:
    """One record file as the site sees it before rendering: light, and loadable in full.

    ``findings`` and ``problems`` are complete (the quality pages and the
    build's pass/fail need them); the whole record is fetched by
    :meth:`load` when its page is rendered, from the store the worker wrote.
    """

    path: Path
    display: str
    digest: str
    head: BudgetHead | None
    figures: KeyFigures | None
    findings: list[Finding]
    problems: list[Problem]
    store: DiskCache | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        """No structural or Frictionless problem: the record can be published."""
        return self.head is not None and not self.problems

    def unacknowledged_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error" and not f.acknowledged]

    def load(self) -> RecordReport:
        """The full report (record, findings, problems), from the store or by loading again."""
        outcome = self.store.get(self.digest, self.display) if self.store is not None else None
        if outcome is None:
            outcome = process([(self.path, self.display, None)])[0]
        return RecordReport(outcome.record, list(self.findings), list(self.problems))


def _slim(record: LoadedRecord) -> LoadedRecord:
    """The record without its text and value locations (findings are already located)."""
    return replace(record, text="", locations={}, problems=list(record.problems))


def process(items: Sequence[tuple[Path, str, bytes | None]]) -> list[Outcome]:
    """Load and validate files as if each stood alone (no duplicate check)."""
    return [outcome for outcome, _ in _validated(items)]


def _validated(
    items: Sequence[tuple[Path, str, bytes | None]],
) -> list[tuple[Outcome, dict[str, list[Row]] | None]]:
    """:func:`process`, with the rows each record's Table Schema check built."""
    records = [
        load_bytes(data, path, display) if data is not None else load_file(path, display)
        for path, display, data in items
    ]
    reports = validate_records(records, keep_tables=True)
    return [
        (
            Outcome(_slim(r.record), list(r.findings), [p for p in r.problems if p not in r.record.problems]),
            r.tables,
        )
        for r in reports
    ]


def summarise(outcome: Outcome, path: Path, digest: str, store: DiskCache | None) -> Summary:
    """The light form of an outcome (problems of the file on its own)."""
    budget = outcome.record.budget
    problems = [*outcome.record.problems, *outcome.checked]
    return Summary(
        path, outcome.record.display, digest,
        BudgetHead.of(budget) if budget is not None else None,
        key_figures(budget) if budget is not None and not problems else None,
        list(outcome.findings), problems, store,
    )  # fmt: skip


Job = tuple[Path, str, str]
"""A file to validate: path, display path, and the SHA-256 of its bytes ("" when it
could not be read or is too large, to be refused by the loader, and never cached).
The bytes themselves are read again by the worker: the main process holding every
file's bytes until the workers are done was 616 MB at 10,000 department-years."""

#: Called with each freshly validated record while it is in memory (in the
#: worker that validated it): the site renders the record's pages there.
RecordHook = Callable[[Summary, RecordReport], None]

#: The hook of the running :func:`process_many` (forked workers inherit it).
_HOOK: RecordHook | None = None


def process_and_store(
    items: Sequence[Job], store: DiskCache, hook: RecordHook | None = None
) -> list[Summary]:
    """:func:`process`, keeping each full outcome in ``store`` and returning summaries.

    ``hook`` sees each stored record with its report (the file on its own),
    the report carrying the rows validation built for it, so the hook's
    downloads need not build them again. One record at a time: only one
    record's rows are alive at once.
    """
    out = []
    for path, display, digest in items:
        data, digest = _read_again(path, digest)
        [(outcome, tables)] = _validated([(path, display, data)])
        stored = store if digest else None
        if stored is not None:
            store.put(digest, outcome.record.display, outcome)
        summary = summarise(outcome, path, digest, stored)
        if hook is not None and stored is not None:
            hook(summary, RecordReport(outcome.record, list(summary.findings), list(summary.problems), tables))
        out.append(summary)
    return out


def _read_again(path: Path, digest: str) -> tuple[bytes | None, str]:
    """The file's bytes and their digest, as the worker reads them.

    The digest is that of the bytes read here: a file saved again since the
    main process hashed it is validated and cached as it now is. No bytes
    (the loader reads, or refuses, the file itself) when it had no digest.
    """
    return _read_hashed(path) if digest else (None, "")


def _read_hashed(path: Path) -> tuple[bytes | None, str]:
    """The file's bytes and their SHA-256; ``(None, "")`` if it cannot be read or is
    too large (the loader refuses it unread, and it is never cached)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, ""
        data = path.read_bytes()
    except OSError:
        return None, ""
    if len(data) > MAX_BYTES:  # grew since the stat
        return None, ""
    return data, hashlib.sha256(data).hexdigest()


def _process_chunk(items: list[Job], store: DiskCache) -> bytes:
    summaries = process_and_store(items, store, _HOOK)
    for summary in summaries:
        summary.store = None  # the parent re-attaches its own
    return pickle.dumps(summaries, protocol=pickle.HIGHEST_PROTOCOL)


def process_many(
    items: Sequence[Job], store: DiskCache, jobs: int, hook: RecordHook | None = None
) -> list[Summary]:
    """:func:`process_and_store` spread over ``jobs`` worker processes (in order)."""
    global _HOOK
    if (
        jobs <= 1
        or len(items) < PARALLEL_THRESHOLD
        or threading.active_count() > 1
        or os.name != "posix"
    ):
        return process_and_store(items, store, hook)
    size = max(8, min(64, len(items) // (jobs * 4) or 1))
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)]
    import multiprocessing

    _HOOK = hook  # before the fork: the workers inherit it
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = [
                pickle.loads(blob) for blob in pool.map(_process_chunk, chunks, [store] * len(chunks))
            ]
    finally:
        _HOOK = None
    out = [summary for chunk in results for summary in chunk]
    for summary in out:
        summary.store = store if summary.digest else None
    return out


@cache
def code_fingerprint() -> str:
    """Changes whenever the code that loads and validates records changes (invalidates disk caches).

    That is the package's top-level modules, the rule catalogue and the code
    lists — not the front ends (site, exporters, search), whose edits leave
    validation outcomes unchanged.
    """
    digest = hashlib.sha256(gongkai.__version__.encode())
    package = Path(gongkai.__file__).resolve().parent
    files = [*package.glob("*.py"), *package.glob("rules/*.py"), *package.glob("data/*")]
    for path in sorted(f for f in files if f.is_file()):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class DiskCache:
    """Outcomes pickled under ``root`` by (file digest, display path, code fingerprint).

    The directory is the site's own build state (like ``__pycache__``): it is
    never shared between users, and a file that cannot be read is a miss.
    """

    def __init__(self, root: Path):
        self.root = root

    def _path(self, digest: str, display: str) -> Path:
        return pickle_path(self.root, digest, display, code_fingerprint())

    def get(self, digest: str, display: str) -> Outcome | None:
        return read_pickle(self._path(digest, display), Outcome)

    def put(self, digest: str, display: str, outcome: Outcome) -> None:
        write_pickle(self._path(digest, display), outcome)


class ValidationCache:
    """Summaries by file path and digest, kept in memory across rebuilds; outcomes on disk.

    ``disk`` is the build's record store: the configured cache directory, or
    a temporary directory of this process (:func:`scratch_store`) — the full
    records never stay in memory, so a site of 10,000 records builds in
    bounded memory.
    """

    def __init__(self, disk: DiskCache | None = None) -> None:
        self._items: dict[Path, tuple[str, str, Summary]] = {}
        self.disk = disk
        self.hits = 0
        self.misses = 0

    @property
    def store(self) -> DiskCache:
        if self.disk is None:
            self.disk = scratch_store()
        return self.disk

    def get(self, path: Path, digest: str, display: str) -> Summary | None:
        item = self._items.get(path)
        if item is not None and item[0] == digest and item[1] == display:
            self.hits += 1
            return item[2]
        outcome = self.disk.get(digest, display) if self.disk is not None else None
        if outcome is None:
            return None
        self.hits += 1
        summary = summarise(outcome, path, digest, self.disk)
        self._items[path] = (digest, display, summary)
        return summary

    def put(self, path: Path, digest: str, display: str, summary: Summary) -> None:
        self.misses += 1
        self._items[path] = (digest, display, summary)


@cache
def scratch_store() -> DiskCache:
    """A record store in a temporary directory, removed when the process exits."""
    return DiskCache(scratch_dir("gongkai-records-"))


def load_reports(
    content_dir: Path,
    base: Path,
    cache: ValidationCache | None = None,
    *,
    jobs: int = 1,
    hook: RecordHook | None = None,
) -> list[Summary]:
    """Every record under ``content_dir``, validated and summarised, in file order.

    Paths are shown relative to ``base`` (the site's root, usually the
    repository root), e.g. ``content/130532/130532-203-2023-budget.yaml``.
    ``hook`` is called with each record validated now (not with cache hits),
    in the worker that validated it.
    """
    cache = cache if cache is not None else ValidationCache()
    files, _ = discover([content_dir])
    keyed: list[Job] = [(path, _display(path, base), _read_hashed(path)[1]) for path in files]
    found: dict[Path, Summary] = {}
    todo = []
    for path, display, digest in keyed:
        hit = cache.get(path, digest, display) if digest else None
        if hit is not None:
            found[path] = hit
        else:
            todo.append((path, display, digest))
    fresh = process_many(todo, cache.store, jobs, hook)
    for (path, display, _), summary in zip(todo, fresh, strict=True):
        found[path] = summary
        if summary.digest:
            cache.put(path, summary.digest, display, summary)
    summaries = [replace(found[path], problems=list(found[path].problems)) for path, *_ in keyed]
    flag_duplicates(summaries)
    return summaries


def flag_duplicates(summaries: list[Summary]) -> None:
    """Every record after the first that claims the same budget id is invalid (no findings).

    The same problem as :func:`gongkai.loader.add_duplicate_problems` gives,
    made on fresh lists so a cached summary never carries a stale duplicate.
    """
    claims = [(s.head.budget_id if s.head else None, misnamed(s.problems)) for s in summaries]
    for index, first in duplicate_claims(claims).items():
        summary = summaries[index]
        summary.problems.append(
            duplicate_problem(summary.display, claims[index][0] or "", summaries[first].display)
        )
        summary.findings = []
