"""Rendering validation reports: terminal text, JSON for machines, GitHub annotations.

The same reports feed every output, so a contributor's terminal, a CI log and
the site's data-quality section always say the same thing. A report is a
:class:`~gongkai.validate.RecordReport` or its slim
:class:`~gongkai.validate.FileReport`; :class:`ReportWriter` writes them as
they come (``gongkai validate`` streams), with output identical to the
``render_*`` functions on the whole list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol, TextIO

from gongkai.errors import Lang, Problem
from gongkai.findings import Finding


class Report(Protocol):
    """What rendering needs of a report."""

    @property
    def display(self) -> str: ...

    @property
    def record_id(self) -> str: ...

    @property
    def problems(self) -> list[Problem]: ...

    @property
    def findings(self) -> list[Finding]: ...

    def passes(self, strict: bool = False) -> bool: ...


COUNT_KEYS = ("files", "valid", "invalid", "problems", "errors", "warnings", "rounding", "acknowledged")


def add_counts(counts: dict[str, int], report: Report, strict: bool = False) -> None:
    """Add one report to running :func:`summary_counts`."""
    passes = report.passes(strict)
    counts["files"] += 1
    counts["valid" if passes else "invalid"] += 1
    counts["problems"] += len(report.problems)
    for f in report.findings:
        if f.acknowledged:
            counts["acknowledged"] += 1
        else:
            counts[f"{f.severity}s" if f.severity != "rounding" else "rounding"] += 1


def summary_counts(reports: Sequence[Report], strict: bool = False) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for report in reports:
        add_counts(counts, report, strict)
    return counts


def text_lines(report: Report, lang: Lang = "zh", quiet: bool = False) -> list[str]:
    """A report's lines of :func:`render_text`."""
    lines = [problem.format(lang) for problem in report.problems]
    if not quiet:
        lines.extend(finding.format(lang) for finding in report.findings)
    return lines


def render_text(reports: Sequence[Report], lang: Lang = "zh", strict: bool = False, quiet: bool = False) -> str:
    """Compiler-style lines, one per problem and finding, then a summary."""
    lines: list[str] = []
    for report in reports:
        lines.extend(text_lines(report, lang, quiet))
    lines.extend(summary_lines(summary_counts(reports, strict), lang, strict))
    return "\n".join(lines)


def summary_lines(counts: dict[str, int], lang: Lang = "zh", strict: bool = False) -> list[str]:
    """The closing summary of :func:`render_text`."""
    lines: list[str] = []
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
    return lines


def json_record(report: Report, lang: Lang = "zh", strict: bool = False) -> dict[str, Any]:
    """A report's entry in the ``records`` of :func:`render_json`."""
    return {
        "file": report.display,
        "record_id": report.record_id,
        "valid": report.passes(strict),
        "problems": [p.as_dict(lang) for p in report.problems],
        "findings": [f.as_dict(lang) for f in report.findings],
    }


def render_json(reports: Sequence[Report], lang: Lang = "zh", strict: bool = False) -> str:
    """One JSON document: a summary and, per file, its problems and findings."""
    payload: dict[str, Any] = {
        "summary": summary_counts(reports, strict),
        "strict": strict,
        "records": [json_record(r, lang, strict) for r in reports],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _escape_github(value: str, *, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render_github(reports: Sequence[Report], lang: Lang = "zh", strict: bool = False) -> str:
    """GitHub Actions workflow commands: an annotation on each offending line."""
    lines: list[str] = []
    for report in reports:
        lines.extend(github_lines(report, lang, strict))
    lines.append(render_text(reports, lang, strict, quiet=True).splitlines()[-1])
    return "\n".join(lines)


def github_lines(report: Report, lang: Lang = "zh", strict: bool = False) -> list[str]:
    """A report's annotations of :func:`render_github`."""
    lines: list[str] = []
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
                loc.file if loc else report.display,
                loc.line if loc else None,
                loc.column if loc else None,
                finding.rule,
                finding.format(lang).split(": ", 1)[-1],
            )
        )
    return lines


def _annotation(level: str, file: str, line: int | None, column: int | None, title: str, message: str) -> str:
    props = [f"file={_escape_github(file, property_value=True)}"]
    if line is not None:
        props.append(f"line={line}")
    if column is not None:
        props.append(f"col={column}")
    props.append(f"title={_escape_github(title, property_value=True)}")
    return f"::{level} {','.join(props)}::{_escape_github(message)}"


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}


class ReportWriter:
    """Writes reports one at a time as they come, then the summary (:meth:`close`).

    The output is exactly that of :data:`RENDERERS` on the whole list
    (followed by a newline). Text and GitHub lines are written at once; a
    JSON document starts with its summary, so its record entries are kept, as
    text, until :meth:`close`.
    """

    def __init__(self, out: TextIO, fmt: str = "text", lang: Lang = "zh", strict: bool = False, quiet: bool = False):
        if fmt not in RENDERERS:
            raise ValueError(f"unknown format {fmt!r}")
        self.out, self.fmt, self.lang, self.strict, self.quiet = out, fmt, lang, strict, quiet
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self._entries: list[str] = []

    @property
    def passed(self) -> bool:
        """Every report written so far passes."""
        return self.counts["invalid"] == 0

    def write(self, report: Report) -> None:
        add_counts(self.counts, report, self.strict)
        if self.fmt == "json":
            entry = json.dumps(json_record(report, self.lang, self.strict), ensure_ascii=False, indent=2)
            self._entries.append("    " + entry.replace("\n", "\n    "))
            return
        if self.fmt == "github":
            lines = github_lines(report, self.lang, self.strict)
        else:
            lines = text_lines(report, self.lang, self.quiet)
        for line in lines:
            self.out.write(f"{line}\n")

    def close(self) -> None:
        summary = summary_lines(self.counts, self.lang, self.strict)
        if self.fmt == "text":
            self.out.write("".join(f"{line}\n" for line in summary))
        elif self.fmt == "github":
            self.out.write(f"{summary[-1]}\n")
        else:
            document = json.dumps({"summary": self.counts, "strict": self.strict, "records": []}, ensure_ascii=False, indent=2)
            if self._entries:
                assert document.endswith("[]\n}")
                document = document[: -len("[]\n}")] + "[\n" + ",\n".join(self._entries) + "\n  ]\n}"
            self.out.write(f"{document}\n")
        self.out.flush()
