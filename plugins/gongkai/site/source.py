"""Loading and validating the content directory, with a cache for live reload.

``mkdocs serve`` rebuilds the whole site when one YAML file changes. Loading
and validating a thousand records takes far longer than rendering them, so
:class:`ValidationCache` keeps each record's load result and validation
outcome by file path and content digest: a rebuild re-reads every file's
bytes (cheap) but parses and validates only the files whose digest changed.
The cross-file check (two files claiming one budget id) is redone every time
on fresh problem lists, so a cached record never carries a stale duplicate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

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


@dataclass
class _Cached:
    digest: str
    record: LoadedRecord
    load_problems: list[Problem]
    findings: list[Finding] | None = None
    checked_problems: list[Problem] | None = None


class ValidationCache:
    """Load and validation results by (path, digest)."""

    def __init__(self) -> None:
        self._items: dict[Path, _Cached] = {}
        self.hits = 0
        self.misses = 0

    def load(self, path: Path, display: str) -> tuple[LoadedRecord, _Cached]:
        try:
            data = path.read_bytes()
        except OSError:
            record = load_file(path, display)
            return record, _Cached("", record, list(record.problems))
        digest = hashlib.sha256(data).hexdigest()
        cached = self._items.get(path)
        if cached is not None and cached.digest == digest and cached.record.display == display:
            self.hits += 1
            record = replace(cached.record, problems=list(cached.load_problems))
            return record, cached
        self.misses += 1
        record = load_bytes(data, path, display)
        entry = _Cached(digest, record, list(record.problems))
        self._items[path] = entry
        return replace(record, problems=list(record.problems)), entry


def load_reports(
    content_dir: Path, base: Path, cache: ValidationCache | None = None
) -> list[RecordReport]:
    """Every record under ``content_dir`` with its validation report, in file order.

    Paths are shown relative to ``base`` (the site's root, usually the
    repository root), e.g. ``content/130532/130532-203-2023-budget.yaml``.
    """
    cache = cache if cache is not None else ValidationCache()
    files, _ = discover([content_dir])
    loaded = [cache.load(path, _display(path, base)) for path in files]
    records = [record for record, _ in loaded]
    add_duplicate_problems(records)
    fresh = [
        (record, entry)
        for record, entry in loaded
        if record.problems or entry.findings is None or entry.checked_problems is None
    ]
    fresh_reports = {id(r.record): r for r in validate_records([record for record, _ in fresh])}
    reports: list[RecordReport] = []
    for record, entry in loaded:
        report = fresh_reports.get(id(record))
        if report is None:
            report = RecordReport(
                record,
                list(entry.findings or []),
                [*record.problems, *(entry.checked_problems or [])],
            )
        elif not record.problems:
            entry.findings = list(report.findings)
            entry.checked_problems = list(report.problems)
        reports.append(report)
    return reports
