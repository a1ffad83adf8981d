"""The validation pipeline: structure, Frictionless, accounting rules.

A record goes through three gates:

1. the loader (YAML safety, types, keys, file name) — problems make it invalid;
2. Frictionless, run by frictionless-py itself on the normalised rows of all
   valid records at once (types, constraints, primary and foreign keys) —
   problems make it invalid;
3. the accounting rules — findings, which make it invalid only in strict mode.

Frictionless runs once over the whole set because it is per-resource work;
its errors are attributed back to records by the ``budget_id`` cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from gongkai.errors import Location, Problem
from gongkai.findings import Finding
from gongkai.loader import LoadedRecord
from gongkai.package import RecordData, build_tables, cell_text
from gongkai.rules import run_rules
from gongkai.tables import CODE_LISTS, TABLES, TABLES_BY_NAME

#: Resources checked by Frictionless (findings and budgets' counts are ours).
CHECKED_RESOURCES = tuple(t.name for t in TABLES if t.name not in ("findings",))


@dataclass
class RecordReport:
    """Everything the validator says about one record file."""

    record: LoadedRecord
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """No structural or Frictionless problem: the record can be published."""
        return self.record.budget is not None and not self.problems

    def unacknowledged_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error" and not f.acknowledged]

    def passes(self, strict: bool = False) -> bool:
        """Valid, and in strict mode free of unacknowledged error findings."""
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


def validate_records(records: Sequence[LoadedRecord], *, frictionless: bool = True) -> list[RecordReport]:
    """Validate loaded records; one report per record, in the same order."""
    reports = [RecordReport(r, problems=list(r.problems)) for r in records]
    bound = [rep for rep in reports if rep.record.budget is not None and not rep.problems]
    for report in bound:
        report.findings = check_rules(report.record)
    if frictionless and bound:
        by_record = {id(rep.record): rep for rep in bound}
        for record, problem in frictionless_problems([rep.record for rep in bound]):
            by_record[id(record)].problems.append(problem)
    return reports


def frictionless_problems(records: Sequence[LoadedRecord]) -> list[tuple[LoadedRecord, Problem]]:
    """Validate the normalised rows of ``records`` with frictionless-py."""
    from frictionless import Package

    by_id = {r.budget.budget_id: r for r in records if r.budget is not None}
    data = [RecordData(r.budget, r.display) for r in records if r.budget is not None]
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
            record = by_id.get(row["budget_id"]) if row else None
            if record is None:
                if task.name in CODE_LISTS:
                    raise RuntimeError(f"shipped code list {task.name} is invalid: {error.message}")
                record = records[0]
            out.append((record, _problem(record, task.name or "", error, row)))
    return out


def _problem(record: LoadedRecord, resource: str, error: Any, row: dict[str, Any] | None) -> Problem:
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
