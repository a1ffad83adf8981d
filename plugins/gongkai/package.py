"""Building the normalised data package from validated records.

:func:`build_tables` gathers the rows of every resource for a set of records
(sorted, so that rebuilding unchanged content gives identical files), and
:func:`descriptor` writes the Data Package v2 descriptor with the Table
Schemas of :mod:`gongkai.tables`. Writing files is the exporters' job.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongkai import __version__
from gongkai.codes import code_rows
from gongkai.findings import Finding
from gongkai.model import Budget
from gongkai.normalise import ROW_BUILDERS, Row, budget_row, department_row
from gongkai.tables import TABLES

DATA_PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"


@dataclass
class RecordData:
    """What the package needs of one record."""

    budget: Budget
    source_file: str
    findings: list[Finding] = field(default_factory=list)
    #: The record file on disk, copied verbatim into the downloads; ``None``
    #: when the record did not come from a file (then no YAML is published).
    source_path: Path | None = None


@dataclass
class PackageMeta:
    """Descriptor metadata; every field is configurable by the site."""

    name: str = "gongkai-budgets"
    title: str = "部门预算公开数据"
    description: str = "部门预算公开文件的规范化数据：每个部门、年度一条记录，金额统一换算为元。"
    license_name: str = "CC-BY-4.0"
    license_title: str = "Creative Commons Attribution 4.0"
    license_path: str = "https://creativecommons.org/licenses/by/4.0/"
    version: str = __version__
    created: str | None = None  # ISO date; None = derived from the content
    contributors: list[dict[str, Any]] = field(
        default_factory=lambda: [{"title": "Gongkai contributors", "roles": ["creator"]}]
    )
    homepage: str | None = None


def build_tables(records: Sequence[RecordData], resources: Iterable[str] | None = None) -> dict[str, list[Row]]:
    """Rows of every resource for ``records``, in a stable order."""
    wanted = set(resources) if resources is not None else {t.name for t in TABLES}
    ordered = sorted(records, key=lambda r: r.budget.budget_id)
    tables: dict[str, list[Row]] = {name: [] for name in (t.name for t in TABLES) if name in wanted}
    if "departments" in tables:
        tables["departments"] = _department_rows(ordered)
    if "budgets" in tables:
        tables["budgets"] = [
            budget_row(r.budget, r.source_file, *_counts(r.findings)) for r in ordered
        ]
    for name, builder in ROW_BUILDERS.items():
        if name in tables:
            for record in ordered:
                tables[name].extend(builder(record.budget))
    if "findings" in tables:
        tables["findings"] = list(_finding_rows(ordered))
    if "function_codes" in tables:
        tables["function_codes"] = code_rows("function")
    if "econ_codes" in tables:
        tables["econ_codes"] = code_rows("econ")
    if "rules" in tables:
        tables["rules"] = _rule_rows()
    return tables


def _counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == "error" and not f.acknowledged)
    warnings = sum(1 for f in findings if f.severity == "warning" and not f.acknowledged)
    return errors, warnings


def _department_rows(records: Sequence[RecordData]) -> list[Row]:
    """One row per department; the latest year's identity wins."""
    latest: dict[str, Budget] = {}
    for record in records:
        budget = record.budget
        current = latest.get(budget.department_id)
        if current is None or budget.fiscal_year >= current.fiscal_year:
            latest[budget.department_id] = budget
    return [department_row(latest[key]) for key in sorted(latest)]


def _finding_rows(records: Sequence[RecordData]) -> Iterable[Row]:
    for record in records:
        for seq, finding in enumerate(record.findings, start=1):
            yield {
                "budget_id": record.budget.budget_id,
                "seq": seq,
                "rule_id": finding.rule,
                "severity": finding.severity,
                "subject": finding.subject,
                "message": finding.message_zh,
                "printed": finding.printed,
                "computed": finding.computed,
                "difference": finding.difference,
                "unit": finding.unit,
                "path": finding.path,
                "line": finding.location.line if finding.location else None,
                "acknowledgement": finding.acknowledged,
            }


def _rule_rows() -> list[Row]:
    from gongkai.rules import RULES, _load_rule_modules

    _load_rule_modules()
    return [
        {"rule_id": r.id, "title": r.title_zh, "title_en": r.title_en, "description": r.description_zh}
        for r in sorted(RULES.values(), key=lambda r: r.id)
    ]


def created_date(records: Sequence[RecordData]) -> str:
    """A deterministic 'created' timestamp (RFC 3339).

    Today's date would make every rebuild differ, so the timestamp comes from
    ``SOURCE_DATE_EPOCH`` when the build sets it (the reproducible-builds
    convention), else from the content: the latest publication date of the
    sources, else 1 January of the latest fiscal year.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.fromtimestamp(int(epoch), tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    dates = [r.budget.source.published_date for r in records if r.budget.source.published_date]
    if dates:
        return f"{max(dates).isoformat()}T00:00:00Z"
    years = [r.budget.fiscal_year for r in records] or [2000]
    return f"{max(years)}-01-01T00:00:00Z"


def descriptor(
    tables: dict[str, list[Row]],
    meta: PackageMeta,
    records: Sequence[RecordData],
    paths: dict[str, str],
    files: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The Data Package v2 descriptor for ``tables`` written at ``paths``.

    ``files`` maps a resource name to ``{"bytes": …, "hash": …}`` of its
    written CSV, recorded so that downloads can be verified.
    """
    sources = _sources(records)
    package: dict[str, Any] = {
        "$schema": DATA_PACKAGE_PROFILE,
        "name": meta.name,
        "title": meta.title,
        "description": meta.description,
        "version": meta.version,
        "created": meta.created or created_date(records),
        "licenses": [{"name": meta.license_name, "title": meta.license_title, "path": meta.license_path}],
        "contributors": meta.contributors,
        "sources": sources,
        "keywords": ["部门预算", "预算公开", "open data", "budget"],
        "resources": [],
    }
    if meta.homepage:
        package["homepage"] = meta.homepage
    for table in TABLES:
        if table.name not in tables or table.name not in paths:
            continue
        resource: dict[str, Any] = {
            "$schema": RESOURCE_PROFILE,
            "name": table.name,
            "type": "table",
            "path": paths[table.name],
            "title": table.title,
            "description": table.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"$schema": TABLE_SCHEMA_PROFILE, **table.schema()},
        }
        if files and table.name in files:
            resource.update(files[table.name])
        package["resources"].append(resource)
    return package


def _sources(records: Sequence[RecordData]) -> list[dict[str, str]]:
    out = []
    for record in sorted(records, key=lambda r: r.budget.budget_id):
        source = record.budget.source
        entry = {"title": f"{record.budget.department.name} {record.budget.fiscal_year}：{source.title}"}
        if source.url:
            entry["path"] = source.url
        out.append(entry)
    return out


def cell_text(value: Any) -> str:
    """The CSV text of a cell: exact decimals, ISO dates, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
