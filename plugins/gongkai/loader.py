"""Loading budget records from YAML files.

``load_file`` turns one file into a :class:`LoadedRecord`: the typed
:class:`~gongkai.model.Budget` (or ``None``), every structural problem with
its location, and the location of every value for later findings.
``load_paths`` loads many files and adds the problems that only show across
files (two files claiming the same department-year). Nothing here raises for
a user's mistake, and no record is ever dropped: a broken file is returned
with its problems so that every front end can say what happened to it.

A well-formed file is bound on a fast path (:func:`_bind_plain`); anything
with a problem goes the full way, so the outcome never depends on the path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from gongkai.binder import INVALID, Binder, StreamBinder
from gongkai.errors import Location, LocationMap, Problem
from gongkai.model import Budget, Section
from gongkai.yamlio import (
    MAX_BYTES,
    Irregular,
    PlainEvents,
    compose,
    decode,
    plain_yaml,
    scan_plain,
)

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadedRecord:
    """One file and what became of it."""

    path: Path
    display: str
    budget: Budget | None
    problems: list[Problem] = field(default_factory=list)
    #: model path → location of its value (a :class:`~gongkai.errors.LocationMap` once loaded).
    locations: Mapping[str, Location] = field(default_factory=dict)
    digest: str = ""
    text: str = ""

    @property
    def ok(self) -> bool:
        """True when the record has no structural problem."""
        return self.budget is not None and not self.problems

    @property
    def record_id(self) -> str:
        """The budget id, or the file stem when the content could not be read."""
        return self.budget.budget_id if self.budget is not None else self.path.stem

    def locate(self, path: str) -> Location:
        """The location of a model path, or of its nearest located ancestor."""
        probe = path
        while probe:
            if probe in self.locations:
                return self.locations[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return Location(self.display, 1, 1)


def load_file(path: str | Path, display: str | None = None) -> LoadedRecord:
    """Load one record file; never raises for the file's content."""
    path = Path(path)
    shown = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refused unread: memory never grows with a stray huge file
            return LoadedRecord(path, shown, None, [too_large(shown, size)])
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # the file may have grown since stat()
    except FileNotFoundError:
        return LoadedRecord(path, shown, None, [Problem("file.not-found", Location(shown), {"found": shown})])
    except OSError as exc:
        return LoadedRecord(path, shown, None, [Problem("file.not-found", Location(shown), {"found": f"{shown} ({exc.strerror})"})])
    if len(data) > MAX_BYTES:
        return LoadedRecord(path, shown, None, [too_large(shown, max(size, len(data)))])
    return load_bytes(data, path, shown)


def too_large(display: str, size: int) -> Problem:
    """The problem of a file of ``size`` bytes, over :data:`~gongkai.yamlio.MAX_BYTES`."""
    return Problem("file.too-large", Location(display), {"found": size, "expected": MAX_BYTES})


def load_bytes(data: bytes, path: Path, display: str) -> LoadedRecord:
    """Load a record from its bytes (``path`` names it; it is not read)."""
    digest = hashlib.sha256(data).hexdigest()
    text, problems = decode(data, display)
    if text is None:
        return LoadedRecord(path, display, None, problems, digest=digest)
    fast = _bind_plain(text, display, data)
    if fast is not None:
        record = LoadedRecord(path, display, fast.budget, [], fast.locations, digest, text)
        record.problems.extend(record_problems(record))
        return record
    parsed = compose(text, display)
    if parsed.node is None:
        return LoadedRecord(path, display, None, parsed.problems, digest=digest, text=text)
    binder = Binder(display, text)
    budget = binder.bind(parsed.node, Budget)
    record = LoadedRecord(path, display, None, binder.problems, binder.locations, digest, text)
    if budget is INVALID:
        return record
    record.budget = budget
    record.problems.extend(record_problems(record))
    return record


@dataclass
class _Bound:
    budget: Budget
    locations: LocationMap


def _bind_plain(text: str, display: str, data: bytes | None = None) -> _Bound | None:
    """The fast path: a record without structural problems, bound from its entries.

    Most files are well formed and plain YAML. Their entries come from
    :func:`~gongkai.yamlio.scan_plain`, or from libyaml's events when the
    text is beyond it (:class:`~gongkai.yamlio.PlainEvents`); both give the
    same entries, so the path taken changes nothing but the time.
    ``None`` when the text is not plain YAML or has a problem: the full path
    (compose, check, :class:`~gongkai.binder.Binder`) then reports it, so the
    outcome never depends on which path was taken.
    """
    if not plain_yaml(text, data):
        return None
    binder = StreamBinder(display, text)
    scanned = scan_plain(text)
    try:
        if scanned is not None:
            budget = binder.bind(scanned, Budget)
        else:
            with PlainEvents(text) as events:
                budget = binder.bind(events.entries(), Budget)
    except (Irregular, yaml.YAMLError):
        return None
    return _Bound(budget, binder.locations)


def record_problems(record: LoadedRecord) -> list[Problem]:
    """Checks on a bound record that no single field can make."""
    budget = record.budget
    assert budget is not None
    problems: list[Problem] = []
    expected = budget.budget_id
    if record.path.stem != expected:
        problems.append(
            Problem(
                "record.file-name",
                Location(record.display, 1, 1),
                {"expected": expected, "found": record.path.name},
            )
        )
    if not 1949 <= budget.fiscal_year <= 2100:
        problems.append(
            Problem(
                "record.year",
                record.locate("fiscal_year"),
                {"found": budget.fiscal_year, "expected": "1949–2100"},
                "fiscal_year",
            )
        )
    for index, project in enumerate(budget.projects or []):
        if project.seq != index + 1:
            where = f"projects[{index}].seq"
            problems.append(
                Problem(
                    "record.seq",
                    record.locate(where),
                    {"key": {"zh": f"第 {index + 1} 个项目", "en": f"project {index + 1}"}, "expected": index + 1, "found": project.seq},
                    where,
                )
            )
    problems.extend(_empty_section_problems(record))
    return problems


#: The keys of a record, in declaration order (model classes have slots: no ``vars()``).
_BUDGET_FIELDS = tuple(item.name for item in fields(Budget))


def _empty_section_problems(record: LoadedRecord) -> Iterator[Problem]:
    budget = record.budget
    assert budget is not None
    for name in _BUDGET_FIELDS:
        section = getattr(budget, name)
        if not isinstance(section, Section) or section.status != "disclosed_empty":
            continue
        rows = sum(len(getattr(section, attr, []) or []) for attr in ("lines", "rows", "items", "categories"))
        if rows:
            yield Problem(
                "record.empty-section",
                record.locate(f"{name}.status"),
                {"key": name, "found": rows},
                f"{name}.status",
            )


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Expand files and directories into the sorted list of record files."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*")) if p.suffix in YAML_SUFFIXES and p.is_file()
            )
        elif path.is_file():
            if path.suffix in YAML_SUFFIXES:
                found.append(path)
            else:
                problems.append(Problem("file.not-yaml", Location(str(path)), {"found": str(path)}))
        else:
            problems.append(Problem("file.not-found", Location(str(path)), {"found": str(path)}))
    return found, problems


def load_paths(paths: Iterable[str | Path], base: Path | None = None) -> list[LoadedRecord]:
    """Load every record under ``paths`` and flag duplicate department-years.

    ``base`` makes the displayed file names relative (``content/…``), which is
    what a contributor sees in their editor and in CI annotations.
    """
    files, _ = discover(paths)
    records = [load_file(path, _display(path, base)) for path in files]
    add_duplicate_problems(records)
    return records


def add_duplicate_problems(records: list[LoadedRecord]) -> None:
    """Flag every record after the first that claims the same budget id (see :func:`duplicate_claims`).

    The site's :func:`gongkai.site.source.flag_duplicates` uses the same
    decision; the streaming :func:`gongkai.validate.validate_files` reaches it
    without holding every report.
    """
    claims = [
        (r.budget.budget_id if r.budget is not None else None, misnamed(r.problems)) for r in records
    ]
    for index, first in duplicate_claims(claims).items():
        record = records[index]
        record.problems.append(duplicate_problem(record.display, claims[index][0] or "", records[first].display))


def duplicate_claims(claims: Sequence[tuple[str | None, bool]]) -> dict[int, int]:
    """Which files claim an id that another file claims first: ``{index: index of the first}``.

    ``claims`` holds, per file in file order, its budget id (``None`` when it
    could not be read) and whether its file name disagrees with that id. A
    file named after its id claims the id before a misnamed one (a copy such
    as ``… copy.yaml``, which sorts first): the copy is the duplicate, not the
    original. Within each kind, file order decides.
    """
    first: dict[str, int] = {}
    duplicates: dict[int, int] = {}
    for index in sorted(range(len(claims)), key=lambda i: claims[i][1]):  # stable
        key = claims[index][0]
        if key is None:
            continue
        if key in first:
            duplicates[index] = first[key]
        else:
            first[key] = index
    return duplicates


def duplicate_problem(display: str, budget_id: str, first: str) -> Problem:
    """The problem of a file whose budget id the file ``first`` claims."""
    return Problem("record.duplicate-id", Location(display, 1, 1), {"found": budget_id, "first": first})


def misnamed(problems: Iterable[Problem]) -> bool:
    """True when the file name disagrees with the record's id (a ``record.file-name`` problem)."""
    return any(problem.code == "record.file-name" for problem in problems)


def _display(path: Path, base: Path | None) -> str:
    if base is None:
        return str(path)
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
