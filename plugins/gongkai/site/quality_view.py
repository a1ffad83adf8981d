"""The data-quality section: every finding and problem of a record, for readers.

A disclosure that does not add up is news, not an error page: each finding
shows its rule, what was printed and what the sum computes, the difference,
the explanation, a link to the line of the YAML file, and a reviewer's
acknowledgement when there is one. The same :class:`~gongkai.findings.Finding`
objects feed the terminal report, so the site and CI never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from gongkai.errors import Location, Problem
from gongkai.findings import Finding
from gongkai.site.format import SEVERITY_LABELS, money
from gongkai.validate import RecordReport

SEVERITY_ORDER = {"error": 0, "warning": 1, "rounding": 2}


def rule_titles() -> dict[str, str]:
    """Rule id → Chinese title, from the rule catalogue if it is installed."""
    try:
        from gongkai.rules import RULES, _load_rule_modules

        _load_rule_modules()
    except ImportError:
        return {}
    return {rule_id: rule.title_zh for rule_id, rule in RULES.items()}


@dataclass(frozen=True)
class RepoLinks:
    """Links into the source repository (edit a file, view a line)."""

    repo_url: str | None
    edit_uri: str = "edit/main/"
    view_uri: str = "blob/main/"

    def _join(self, uri: str, path: str) -> str | None:
        if not self.repo_url:
            return None
        return f"{self.repo_url.rstrip('/')}/{uri.strip('/')}/{quote(path)}"

    def edit(self, path: str) -> str | None:
        return self._join(self.edit_uri, path)

    def view(self, path: str, line: int | None = None) -> str | None:
        url = self._join(self.view_uri, path)
        return f"{url}#L{line}" if url and line else url


@dataclass(slots=True)
class FindingView:
    rule: str
    rule_title: str
    severity: str
    severity_label: str
    subject: str
    message: str
    printed: str
    computed: str
    difference: str
    location: str
    location_url: str | None
    acknowledged: str | None


@dataclass
class ProblemView:
    code: str
    message: str
    location: str
    location_url: str | None
    path: str


@dataclass(slots=True)
class QualityView:
    status: str
    status_label: str
    findings: list[FindingView] = field(default_factory=list)
    problems: list[ProblemView] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rules: list[tuple[str, str]] = field(default_factory=list)


def finding_counts(findings: list[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "rounding": 0, "acknowledged": 0}
    for finding in findings:
        if finding.acknowledged:
            counts["acknowledged"] += 1
        else:
            counts[finding.severity] += 1
    return counts


def status_of(report: RecordReport, strict: bool) -> tuple[str, str]:
    """A short status: published cleanly, with findings, or not publishable."""
    if not report.valid:
        return "invalid", "未能发布（结构错误）"
    counts = finding_counts(report.findings)
    if counts["error"]:
        label = f"有 {counts['error']} 个未确认的会计错误"
        return ("invalid" if strict else "error"), label
    if counts["warning"]:
        return "warning", f"通过，有 {counts['warning']} 个警告"
    return "ok", "校验通过"


def finding_view(finding: Finding, titles: dict[str, str], links: RepoLinks) -> FindingView:
    unit = finding.unit
    loc = finding.location
    return FindingView(
        finding.rule, titles.get(finding.rule, ""), finding.severity,
        SEVERITY_LABELS.get(finding.severity, finding.severity), finding.subject, finding.message("zh"),
        _amount(finding.printed, unit), _amount(finding.computed, unit), _amount(finding.difference, unit),
        _line(loc), links.view(loc.file, loc.line) if loc else None, finding.acknowledged,
    )  # fmt: skip


def _amount(value: Decimal | None, unit: str | None) -> str:
    """An amount with its unit, or an empty cell (the stylesheet shows a dash)."""
    return money(value, unit) if value is not None else ""


def _line(loc: Location | None) -> str:
    """``第 12 行`` (the file is the page's own record)."""
    if loc is None or loc.line is None:
        return ""
    return f"第 {loc.line} 行"


def problem_view(problem: Problem, links: RepoLinks) -> ProblemView:
    loc = problem.location
    return ProblemView(
        problem.code, problem.message("zh"), str(loc), links.view(loc.file, loc.line), problem.path
    )


def _where(finding: Finding) -> tuple[str, int, int]:
    loc = finding.location
    return (loc.file, loc.line or 0, loc.column or 0) if loc else ("", 0, 0)


def quality_view(
    report: RecordReport, links: RepoLinks, *, strict: bool, titles: dict[str, str]
) -> QualityView:
    ordered = sorted(
        report.findings,
        key=lambda f: (bool(f.acknowledged), SEVERITY_ORDER.get(f.severity, 9), _where(f), f.rule),
    )
    status, label = status_of(report, strict)
    used = sorted({f.rule for f in report.findings})
    return QualityView(
        status,
        label,
        [finding_view(f, titles, links) for f in ordered],
        [problem_view(p, links) for p in report.problems],
        finding_counts(report.findings),
        [(rule, titles.get(rule, "")) for rule in used],
    )
