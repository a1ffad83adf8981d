"""Loading and validating the content directory: cached, and in parallel when cold.

Loading and validating a record costs far more than rendering its page, so
the front end never does it twice for the same bytes:

* each file's outcome (the loaded record and what the validator said about
  it *on its own*) is cached by the file's SHA-256 in memory — ``mkdocs
  serve`` creates a new plugin per rebuild, so a rebuild after one edit
  re-validates one file — and optionally on disk (:class:`DiskCache`), keyed
  also by a fingerprint of the Gongkai code, so an unchanged site rebuilds
  without parsing any YAML;
* files that must be processed are spread over worker processes when there
  are many (a cold build of thousands of records).

The one cross-file check — two files claiming the same budget id — is made
after, on fresh problem lists, so a cached outcome never carries a stale
duplicate, and a duplicated record is reported without its findings, exactly
as :func:`gongkai.validate.validate_records` would.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import gongkai
from gongkai.errors import Problem
from gongkai.findings import Finding
from gongkai.loader import (
    LoadedRecord,
    _display,
    add_duplicate_problems,
    discover,
    load_bytes,
    load_file,
)
from gongkai.validate import RecordReport, validate_records

#: Below this many files to process, worker processes cost more than they save.
PARALLEL_THRESHOLD = 48


@dataclass
class Outcome:
    """A record as loaded and validated on its own (what the caches keep)."""

    record: LoadedRecord
    findings: list[Finding]
    checked: list[Problem]


def _slim(record: LoadedRecord) -> LoadedRecord:
    """The record without its text and value locations (findings are already located)."""
    return replace(record, text="", locations={}, problems=list(record.problems))


def process(items: Sequence[tuple[Path, str, bytes | None]]) -> list[Outcome]:
    """Load and validate files as if each stood alone (no duplicate check)."""
    records = [
        load_bytes(data, path, display) if data is not None else load_file(path, display)
        for path, display, data in items
    ]
    reports = validate_records(records)
    return [
        Outcome(
            _slim(r.record), list(r.findings), [p for p in r.problems if p not in r.record.problems]
        )
        for r in reports
    ]


def _process_chunk(items: list[tuple[Path, str, bytes | None]]) -> bytes:
    return pickle.dumps(process(items), protocol=pickle.HIGHEST_PROTOCOL)


def process_many(items: Sequence[tuple[Path, str, bytes | None]], jobs: int) -> list[Outcome]:
    """:func:`process` spread over ``jobs`` worker processes (in order)."""
    if (
        jobs <= 1
        or len(items) < PARALLEL_THRESHOLD
        or threading.active_count() > 1
        or os.name != "posix"
    ):
        return process(items)
    import frictionless  # noqa: F401 - imported once before the fork, shared by the workers

    chunks = [list(items[i::jobs]) for i in range(jobs)]
    import multiprocessing

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        results = [pickle.loads(blob) for blob in pool.map(_process_chunk, chunks)]
    out: list[Outcome | None] = [None] * len(items)
    for offset, outcomes in enumerate(results):
        for index, outcome in enumerate(outcomes):
            out[offset + index * jobs] = outcome
    return [o for o in out if o is not None]


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
        key = hashlib.sha256(f"{digest}\0{display}\0{code_fingerprint()}".encode()).hexdigest()
        return self.root / key[:2] / f"{key}.pickle"

    def get(self, digest: str, display: str) -> Outcome | None:
        try:
            with self._path(digest, display).open("rb") as handle:
                outcome = pickle.load(handle)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
            return None
        return outcome if isinstance(outcome, Outcome) else None

    def put(self, digest: str, display: str, outcome: Outcome) -> None:
        path = self._path(digest, display)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(path)
        except OSError:
            pass


class ValidationCache:
    """Outcomes by file path and digest, kept in memory across rebuilds."""

    def __init__(self, disk: DiskCache | None = None) -> None:
        self._items: dict[Path, tuple[str, str, Outcome]] = {}
        self.disk = disk
        self.hits = 0
        self.misses = 0

    def get(self, path: Path, digest: str, display: str) -> Outcome | None:
        item = self._items.get(path)
        if item is not None and item[0] == digest and item[1] == display:
            self.hits += 1
            return item[2]
        outcome = self.disk.get(digest, display) if self.disk is not None else None
        if outcome is not None:
            self.hits += 1
            self._items[path] = (digest, display, outcome)
        return outcome

    def put(self, path: Path, digest: str, display: str, outcome: Outcome) -> None:
        self.misses += 1
        self._items[path] = (digest, display, outcome)
        if self.disk is not None:
            self.disk.put(digest, display, outcome)


def load_reports(
    content_dir: Path, base: Path, cache: ValidationCache | None = None, *, jobs: int = 1
) -> list[RecordReport]:
    """Every record under ``content_dir`` with its validation report, in file order.

    Paths are shown relative to ``base`` (the site's root, usually the
    repository root), e.g. ``content/130532/130532-203-2023-budget.yaml``.
    """
    cache = cache if cache is not None else ValidationCache()
    files, _ = discover([content_dir])
    keyed: list[tuple[Path, str, str, bytes | None]] = []
    for path in files:
        display = _display(path, base)
        try:
            data: bytes | None = path.read_bytes()
        except OSError:
            data = None
        keyed.append(
            (path, display, hashlib.sha256(data).hexdigest() if data is not None else "", data)
        )
    outcomes: dict[Path, Outcome] = {}
    todo = []
    for path, display, digest, data in keyed:
        found = cache.get(path, digest, display) if data is not None else None
        if found is not None:
            outcomes[path] = found
        else:
            todo.append((path, display, digest, data))
    fresh = process_many([(p, d, data) for p, d, _, data in todo], jobs)
    for (path, display, digest, data), outcome in zip(todo, fresh, strict=True):
        outcomes[path] = outcome
        if data is not None:
            cache.put(path, digest, display, outcome)
    records = [
        replace(outcomes[path].record, problems=list(outcomes[path].record.problems))
        for path, *_ in keyed
    ]
    add_duplicate_problems(records)
    reports = []
    for record, (path, *_) in zip(records, keyed, strict=True):
        outcome = outcomes[path]
        if record.problems:
            reports.append(RecordReport(record, [], list(record.problems)))
        else:
            reports.append(RecordReport(record, list(outcome.findings), list(outcome.checked)))
    return reports
