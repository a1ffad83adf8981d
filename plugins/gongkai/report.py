"""Rendering validation reports: terminal text, JSON for machines, GitHub annotations.

The same :class:`~gongkai.validate.RecordReport` objects feed every output,
so a contributor's terminal, a CI log and the site's data-quality section
always say the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from gongkai.errors import Lang
from gongkai.validate import RecordReport


def summary_counts(reports: Sequence[RecordReport], strict: bool = False) -> dict[str, int]:
    findings = [f for r in reports for f in r.findings]
    return {
        "files": len(reports),
        "valid": sum(1 for r in reports if r.passes(strict)),
        "invalid": sum(1 for r in reports if not r.passes(strict)),
        "problems": sum(len(r.problems) for r in reports),
        "errors": sum(1 for f in findings if f.severity == "error" and not f.acknowledged),
        "warnings": sum(1 for f in findings if f.severity == "warning" and not f.acknowledged),
        "rounding": sum(1 for f in findings if f.severity == "rounding" and not f.acknowledged),
        "acknowledged": sum(1 for f in findings if f.acknowledged),
    }


def render_text(reports: Sequence[RecordReport], lang: Lang = "zh", strict: bool = False, quiet: bool = False) -> str:
    """Compiler-style lines, one per problem and finding, then a summary."""
    lines: list[str] = []
    for report in reports:
        for problem in report.problems:
            lines.append(problem.format(lang))
        if not quiet:
            for finding in report.findings:
                lines.append(finding.format(lang))
    counts = summary_counts(reports, strict)
    if lang == "zh":
        lines.append(
            f"共 {counts['files']} 个文件：{counts['valid']} 个通过，{counts['invalid']} 个未通过"
            f"（结构错误 {counts['problems']} 个）；会计校验：错误 {counts['errors']} 个，"
            f"警告 {counts['warnings']} 个，舍入差异 {counts['rounding']} 个，已确认 {counts['acknowledged']} 个。"
        )
        if strict:
            lines.append("（严格模式：未确认的会计错误也使记录不通过）")
    else:
        lines.append(
            f"{counts['files']} files: {counts['valid']} passed, {counts['invalid']} failed "
            f"({counts['problems']} structural problems); accounting: {counts['errors']} errors, "
            f"{counts['warnings']} warnings, {counts['rounding']} rounding, {counts['acknowledged']} acknowledged."
        )
        if strict:
            lines.append("(strict mode: unacknowledged accounting errors fail a record)")
    return "\n".join(lines)


def render_json(reports: Sequence[RecordReport], lang: Lang = "zh", strict: bool = False) -> str:
    """One JSON document: a summary and, per file, its problems and findings."""
    payload: dict[str, Any] = {
        "summary": summary_counts(reports, strict),
        "strict": strict,
        "records": [
            {
                "file": r.record.display,
                "record_id": r.record.record_id,
                "valid": r.passes(strict),
                "problems": [p.as_dict(lang) for p in r.problems],
                "findings": [f.as_dict(lang) for f in r.findings],
            }
            for r in reports
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _escape_github(value: str, *, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render_github(reports: Sequence[RecordReport], lang: Lang = "zh", strict: bool = False) -> str:
    """GitHub Actions workflow commands: an annotation on each offending line."""
    lines: list[str] = []
    for report in reports:
        for problem in report.problems:
            lines.append(_annotation("error", problem.location.file, problem.location.line, problem.location.column, problem.code, problem.message(lang)))
        for finding in report.findings:
            if finding.acknowledged or finding.severity == "rounding":
                level = "notice"
            else:
                level = "error" if finding.severity == "error" and strict else "warning"
            loc = finding.location
            lines.append(
                _annotation(
                    level,
                    loc.file if loc else report.record.display,
                    loc.line if loc else None,
                    loc.column if loc else None,
                    finding.rule,
                    finding.format(lang).split(": ", 1)[-1],
                )
            )
    lines.append(render_text(reports, lang, strict, quiet=True).splitlines()[-1])
    return "\n".join(lines)


def _annotation(level: str, file: str, line: int | None, column: int | None, title: str, message: str) -> str:
    props = [f"file={_escape_github(file, property_value=True)}"]
    if line is not None:
        props.append(f"line={line}")
    if column is not None:
        props.append(f"col={column}")
    props.append(f"title={_escape_github(title, property_value=True)}")
    return f"::{level} {','.join(props)}::{_escape_github(message)}"


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}
