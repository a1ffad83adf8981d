"""``gongkai diff``: what changed between two versions of a budget record.

A reviewer of a pull request does not want a line diff of a 3,000-line YAML
file: they want to know which *figures* moved (and by how much), which table
lines and projects appeared or disappeared, and whether the change made the
validator happier or unhappier. This module compares two loaded versions of
a record in those terms and renders the result as Markdown (a pull-request
comment) or plain text (a terminal).

Rows are matched by what identifies them in the source — a classification
code, a 三公 item, a project's name — never by position, so inserting a line
shows as one addition rather than a cascade of changes.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import Any, Literal

from gongkai.binder import fields_of
from gongkai.errors import ConfigError, Lang, Problem
from gongkai.fields import meta
from gongkai.figures import Figure, KeyFigures, key_figures
from gongkai.findings import Finding, fmt
from gongkai.loader import LoadedRecord, load_bytes
from gongkai.model import STAGE_LABELS, Budget, Project, section_unit

Status = Literal["added", "removed", "modified"]
Kind = Literal["added", "removed", "changed"]
Value = Decimal | None

#: Key figures a reviewer checks first, with their names (zh, en).
FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "income_total": ("收入总计", "total income"),
    "expenditure_total": ("支出合计", "total expenditure"),
    "basic": ("基本支出", "basic expenditure"),
    "project": ("项目支出", "project expenditure"),
    "personnel": ("人员经费", "personnel"),
    "public": ("公用经费", "public (office) expenses"),
    "three_public": ("“三公”经费", "three public expenses"),
    "operating_expenses": ("机关运行经费", "operating expenses"),
    "procurement_total": ("政府采购预算", "procurement"),
    "projects_total": ("项目预算数合计", "sum of project amounts"),
}

#: Sections whose rows carry figures, in the order a page shows them.
ROW_SECTIONS: tuple[str, ...] = (
    "income_expenditure_summary",
    "income_by_function",
    "expenditure_by_function",
    "fiscal_appropriation_summary",
    "gpb_expenditure_by_function",
    "gpb_basic_by_economic",
    "government_fund_expenditure",
    "soe_capital_expenditure",
    "three_public",
    "operating_expenses",
    "procurement",
    "state_assets",
    "narrative_figures",
)

#: Sections covered row by row or project by project; the rest is compared field by field.
_STRUCTURED = frozenset(ROW_SECTIONS) | {"projects"}
#: At most this many rows are listed per section (a reviewer reads the rest in the diff).
MAX_LISTED = 40


# --------------------------------------------------------------------------- #
# What a diff holds
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Row:
    """One printed row with figures, identified by its key within a section."""

    name: str
    unit: str
    cells: dict[str, Value]


@dataclass(frozen=True)
class RowChange:
    """A table row added, removed, or with changed figures."""

    section: str
    key: str
    name: str
    kind: Kind
    cells: tuple[tuple[str, Value, Value], ...]
    unit: str


@dataclass(frozen=True)
class FigureChange:
    """A key figure whose value in 元 changed (or appeared / disappeared)."""

    name: str
    old: Figure | None
    new: Figure | None


@dataclass(frozen=True)
class ProjectChange:
    """A project added, removed, or changed (matched by name)."""

    kind: Kind
    name: str
    seq: tuple[int | None, int | None]
    amounts: tuple[tuple[str, Value, Value], ...]
    indicators: tuple[int, int]
    indicators_edited: int
    fields: tuple[str, ...]
    unit: str


@dataclass(frozen=True)
class FindingChange:
    """A validation finding that appeared or was resolved."""

    kind: Literal["appeared", "resolved"]
    finding: Finding


@dataclass
class BudgetDiff:
    """Everything a reviewer needs to know about one changed record file."""

    display: str
    status: Status
    title: str = ""
    figures: list[FigureChange] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    row_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    projects: list[ProjectChange] = field(default_factory=list)
    project_counts: tuple[int, int] = (0, 0)
    indicator_counts: tuple[int, int] = (0, 0)
    findings: list[FindingChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    other: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """True when nothing a reviewer checks has changed."""
        return self.status == "modified" and not (
            self.figures or self.rows or self.projects or self.findings or self.problems or self.other
        )


# --------------------------------------------------------------------------- #
# Comparing
# --------------------------------------------------------------------------- #


def diff_records(old: LoadedRecord | None, new: LoadedRecord | None, *, frictionless: bool = True) -> BudgetDiff:
    """Compare two loaded versions of a record (``None``: the file does not exist).

    The old version was published, so only its findings are recomputed; the
    new one goes through every gate (``frictionless=False`` skips the
    Frictionless pass, which costs about a second, for callers that only want
    figures).
    """
    if old is None and new is None:
        raise ValueError("nothing to compare")
    shown = (new or old).display  # type: ignore[union-attr]
    status: Status = "added" if old is None else "removed" if new is None else "modified"
    result = BudgetDiff(shown, status)
    old_budget = old.budget if old is not None and old.ok else None
    new_budget = new.budget if new is not None and new.ok else None
    result.title = _title(new_budget or old_budget)
    result.findings, result.problems = _validation_changes(old, new, frictionless)
    if _broken(status, old_budget, new_budget):
        return result  # a version that does not load has no figures to compare
    result.figures = _figure_changes(old_budget, new_budget)
    old_rows, new_rows = _all_rows(old_budget), _all_rows(new_budget)
    result.row_counts = _row_counts(old_rows, new_rows)
    result.project_counts = (len(_projects(old_budget)), len(_projects(new_budget)))
    result.indicator_counts = (_indicator_count(old_budget), _indicator_count(new_budget))
    if status == "modified" and old_budget is not None and new_budget is not None:
        result.rows = _row_changes(old_rows, new_rows)
        result.projects = _project_changes(old_budget, new_budget)
        result.other = _other_changes(old_budget, new_budget)
    return result


def _validation_changes(
    old: LoadedRecord | None, new: LoadedRecord | None, frictionless: bool
) -> tuple[list[FindingChange], list[Problem]]:
    """Findings that appeared or were resolved, and the new version's structural problems."""
    from gongkai.validate import validate_records

    before = validate_records([old], frictionless=False)[0].findings if old is not None and old.ok else []
    if new is None:
        return _finding_changes(before, []), []
    report = validate_records([new], frictionless=frictionless)[0]
    return _finding_changes(before, report.findings), list(report.problems)


def _broken(status: Status, old: Budget | None, new: Budget | None) -> bool:
    """True when a version that exists could not be bound to the model."""
    return (status != "added" and old is None) or (status != "removed" and new is None)


def diff_bytes(
    old: bytes | None, new: bytes | None, path: str | Path, display: str | None = None, *, frictionless: bool = True
) -> BudgetDiff:
    """Load both versions of the file at ``path`` from bytes and compare them."""
    path = Path(path)
    shown = display or str(path)
    old_record = load_bytes(old, path, shown) if old is not None else None
    new_record = load_bytes(new, path, shown) if new is not None else None
    return diff_records(old_record, new_record, frictionless=frictionless)


def _title(budget: Budget | None) -> str:
    if budget is None:
        return ""
    return f"{budget.department.name} {budget.fiscal_year} {STAGE_LABELS[budget.stage]}"


def _figure_changes(old: Budget | None, new: Budget | None) -> list[FigureChange]:
    before = key_figures(old) if old is not None else None
    after = key_figures(new) if new is not None else None
    changes = []
    for name in FIGURE_LABELS:
        a = _figure(before, name)
        b = _figure(after, name)
        if (a.yuan if a else None) != (b.yuan if b else None):
            changes.append(FigureChange(name, a, b))
    return changes


def _figure(figures: KeyFigures | None, name: str) -> Figure | None:
    return getattr(figures, name) if figures is not None else None


def _finding_changes(old: Sequence[Finding], new: Sequence[Finding]) -> list[FindingChange]:
    """Findings only in ``new`` appeared; only in ``old`` were resolved (as multisets)."""

    def key(f: Finding) -> tuple[str, str, str, str, bool]:
        return (f.rule, f.subject, f.severity, f.message_zh, bool(f.acknowledged))

    before, after = Counter(map(key, old)), Counter(map(key, new))
    appeared = _take(new, after - before, key)
    resolved = _take(old, before - after, key)
    return [FindingChange("appeared", f) for f in appeared] + [FindingChange("resolved", f) for f in resolved]


def _take(findings: Sequence[Finding], wanted: Counter[Any], key: Any) -> list[Finding]:
    out = []
    for finding in findings:
        k = key(finding)
        if wanted[k] > 0:
            wanted[k] -= 1
            out.append(finding)
    return out


# -- rows -------------------------------------------------------------------- #


def _all_rows(budget: Budget | None) -> dict[str, dict[str, Row]]:
    """Every row with figures, by section and then by key."""
    if budget is None:
        return {}
    out: dict[str, dict[str, Row]] = {}
    for section in ROW_SECTIONS:
        value = getattr(budget, section)
        if value is None:
            continue
        rows: dict[str, Row] = {}
        for key, row in _rows_of(budget, section, value):
            rows[_unique(key, rows)] = row
        out[section] = rows
    return out


def _unique(key: str, taken: dict[str, Any]) -> str:
    if key not in taken:
        return key
    n = 2
    while f"{key}#{n}" in taken:
        n += 1
    return f"{key}#{n}"


def _rows_of(budget: Budget, section: str, value: Any) -> Iterator[tuple[str, Row]]:
    if section == "narrative_figures":
        for figure in value:
            yield f"{figure.item}/{figure.label or ''}", _row(figure, figure.label or figure.item, figure.unit or budget.amount_unit)
        return
    unit = section_unit(budget, value)
    if hasattr(value, "income") and hasattr(value, "expenditure"):
        yield from _summary_rows(value, unit)
        return
    yield from _total_rows(value, unit)
    for attr in ("lines", "rows", "items"):
        for line in getattr(value, attr, None) or []:
            yield _line_key(line), _row(line, _line_name(line), unit)
    for figure in getattr(value, "narrative", None) or []:
        yield f"narrative/{figure.item}/{figure.label or ''}", _row(figure, f"（文字）{figure.label or figure.item}", figure.unit or unit)


def _summary_rows(value: Any, unit: str) -> Iterator[tuple[str, Row]]:
    for side, side_label in (("income", "收入"), ("expenditure", "支出")):
        part = getattr(value, side)
        for attr, label in (("current_year_total", "本年合计"), ("carryover", "结转结余"), ("grand_total", "总计")):
            total = getattr(part, attr)
            if total is not None:
                yield f"{side}.{attr}", _row(total, f"{side_label}·{label}", unit)
        for attr in ("lines", "carryover_lines"):
            for line in getattr(part, attr):
                prefix = "结转·" if attr == "carryover_lines" else ""
                yield f"{side}.{attr}/{line.name}", _row(line, f"{side_label}·{prefix}{line.name}", unit)


def _total_rows(value: Any, unit: str) -> Iterator[tuple[str, Row]]:
    reported = getattr(value, "reported_total", None)
    if reported is not None:
        yield "合计", _row(reported, "合计", unit)
    fields = fields_of(_cls(value))
    for attr in ("total", "planned_purchases"):
        if attr in fields and fields[attr][1].kind == "decimal":
            yield attr, Row(str(meta(fields[attr][0])["label"]), unit, {attr: getattr(value, attr)})


def _line_key(line: Any) -> str:
    for attr in ("code", "item", "category"):
        key = getattr(line, attr, None)
        if key:
            return str(key)
    return str(getattr(line, "item_name", None) or getattr(line, "name", ""))


def _line_name(line: Any) -> str:
    for attr in ("name", "item_name"):
        name = getattr(line, attr, None)
        if name:
            return str(name)
    return _line_key(line)


def _cls(obj: Any) -> type:
    """The model class of ``obj`` (typed for :func:`fields_of`'s cache)."""
    cls: type = type(obj)
    return cls


def _row(obj: Any, name: str, unit: str) -> Row:
    cells = {
        key: getattr(obj, key)
        for key, (_, info) in fields_of(_cls(obj)).items()
        if info.kind == "decimal"
    }
    return Row(name, unit, cells)


def _row_counts(old: dict[str, dict[str, Row]], new: dict[str, dict[str, Row]]) -> dict[str, tuple[int, int]]:
    return {s: (len(old.get(s, {})), len(new.get(s, {}))) for s in ROW_SECTIONS if s in old or s in new}


def _row_changes(old: dict[str, dict[str, Row]], new: dict[str, dict[str, Row]]) -> list[RowChange]:
    changes: list[RowChange] = []
    for section in ROW_SECTIONS:
        before, after = old.get(section, {}), new.get(section, {})
        for key in _ordered_keys(before, after):
            a, b = before.get(key), after.get(key)
            if a is None and b is not None:
                changes.append(RowChange(section, key, b.name, "added", _cells({}, b.cells), b.unit))
            elif b is None and a is not None:
                changes.append(RowChange(section, key, a.name, "removed", _cells(a.cells, {}), a.unit))
            elif a is not None and b is not None:
                cells = _cells(a.cells, b.cells)
                if cells or a.unit != b.unit:
                    changes.append(RowChange(section, key, b.name, "changed", cells, b.unit))
    return changes


def _ordered_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Keys in the new order, removed ones after them in the old order."""
    return list(after) + [k for k in before if k not in after]


def _cells(old: dict[str, Value], new: dict[str, Value]) -> tuple[tuple[str, Value, Value], ...]:
    """Columns whose printed value differs (trailing zeros count: 4.0 ≠ 4.00 as printed)."""
    names = list(new) + [k for k in old if k not in new]
    out = []
    for name in names:
        a, b = old.get(name), new.get(name)
        if (a is None) != (b is None) or (a is not None and b is not None and (a != b or str(a) != str(b))):
            out.append((name, a, b))
    return tuple(out)


# -- projects ---------------------------------------------------------------- #


def _projects(budget: Budget | None) -> dict[str, Project]:
    out: dict[str, Project] = {}
    for project in (budget.projects or []) if budget is not None else []:
        out[_unique(project.name, out)] = project
    return out


def _indicator_count(budget: Budget | None) -> int:
    if budget is None:
        return 0
    count = sum(len(p.indicators) for p in budget.projects or [])
    if budget.performance is not None:
        count += sum(len(c.indicators) for c in budget.performance.categories)
    return count


_AMOUNTS = ("amount", "fiscal_amount", "other_amount")


def _project_changes(old: Budget, new: Budget) -> list[ProjectChange]:
    before, after = _projects(old), _projects(new)
    changes = []
    for name in _ordered_keys(before, after):
        a, b = before.get(name), after.get(name)
        if a is None and b is not None:
            changes.append(_project_change("added", name, None, b, new))
        elif b is None and a is not None:
            changes.append(_project_change("removed", name, a, None, old))
        elif a is not None and b is not None and a != b:
            changes.append(_project_change("changed", name, a, b, new))
    return changes


def _project_change(kind: Kind, name: str, a: Project | None, b: Project | None, budget: Budget) -> ProjectChange:
    amounts = _cells(
        {k: getattr(a, k) for k in _AMOUNTS} if a else {},
        {k: getattr(b, k) for k in _AMOUNTS} if b else {},
    )
    edited: tuple[int, ...] = ()
    fields_changed: tuple[str, ...] = ()
    if a is not None and b is not None:
        edited = tuple(i for i, (x, y) in enumerate(zip(a.indicators, b.indicators, strict=False)) if x != y)
        fields_changed = tuple(
            f.name
            for f in dataclasses.fields(Project)
            if f.name not in _AMOUNTS + ("indicators",) and getattr(a, f.name) != getattr(b, f.name)
        )
    return ProjectChange(
        kind,
        name,
        (a.seq if a else None, b.seq if b else None),
        amounts,
        (len(a.indicators) if a else 0, len(b.indicators) if b else 0),
        len(edited),
        fields_changed,
        section_unit(budget, b or a),
    )


# -- everything else --------------------------------------------------------- #


def _other_changes(old: Budget, new: Budget) -> list[tuple[str, Any, Any]]:
    """Field-level changes outside the figures and projects (identity, text, notes)."""
    changes: list[tuple[str, Any, Any]] = []
    for f in dataclasses.fields(Budget):
        if f.name in _STRUCTURED:
            continue
        before, after = dict(_leaves(getattr(old, f.name), f.name)), dict(_leaves(getattr(new, f.name), f.name))
        for path in list(after) + [p for p in before if p not in after]:
            if before.get(path, _MISSING) != after.get(path, _MISSING):
                changes.append((path, before.get(path), after.get(path)))
    return changes


_MISSING = object()


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _leaves(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif value is not None:
        yield path, value


# --------------------------------------------------------------------------- #
# Loading versions from files and from git
# --------------------------------------------------------------------------- #


def diff_files(old: str | Path, new: str | Path) -> BudgetDiff:
    """Compare two files on disk (the new file's name is the one checked)."""
    old_path, new_path = Path(old), Path(new)
    for path in (old_path, new_path):
        if not path.is_file():
            raise ConfigError(f"找不到文件 {path} / no such file")
    return diff_bytes(old_path.read_bytes(), new_path.read_bytes(), new_path, str(new_path))


def diff_git(revisions: str, paths: Sequence[str], cwd: Path | None = None) -> list[BudgetDiff]:
    """Compare files between two revisions (``A..B``), or a revision and the work tree (``A``).

    With no ``paths``, every ``.yaml`` file that changed in the range is compared.
    """
    old_rev, _, new_rev = revisions.partition("..")
    if not old_rev:
        raise ConfigError(f"--git 需要一个修订版本，如 origin/main..HEAD（收到 {revisions!r}）")
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    chosen = list(paths) or _changed_yaml(old_rev, new_rev, cwd)
    diffs = []
    for raw in chosen:
        relative = _repo_relative(Path(raw), top, cwd)
        old = _git_show(old_rev, relative, top)
        new = _git_show(new_rev, relative, top) if new_rev else _read_work_tree(top / relative)
        if old is None and new is None:
            raise ConfigError(f"{raw} 在 {revisions} 中不存在 / not in either revision")
        diffs.append(diff_bytes(old, new, top / relative, relative.as_posix()))
    return diffs


def _changed_yaml(old_rev: str, new_rev: str, cwd: Path | None) -> list[str]:
    args = ["diff", "--name-only", "--no-renames", old_rev] + ([new_rev] if new_rev else []) + ["--", "*.yaml", "*.yml"]
    top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    return [str(Path(top) / name) for name in _git(args, cwd).splitlines() if name.strip()]


def _repo_relative(path: Path, top: Path, cwd: Path | None) -> Path:
    absolute = path if path.is_absolute() else (cwd or Path.cwd()) / path
    try:
        return absolute.resolve().relative_to(top.resolve())
    except ValueError as exc:
        raise ConfigError(f"{path} 不在 git 仓库 {top} 中 / outside the repository") from exc


def _git_show(rev: str, relative: Path, top: Path) -> bytes | None:
    result = subprocess.run(
        ["git", "show", f"{rev}:{relative.as_posix()}"], cwd=top, capture_output=True, check=False
    )
    if result.returncode == 0:
        return result.stdout
    message = result.stderr.decode("utf-8", "replace")
    if "does not exist" in message or "exists on disk, but not in" in message:
        return None
    raise ConfigError(f"git show {rev}:{relative.as_posix()} 失败：{message.strip()}")


def _read_work_tree(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _git(args: list[str], cwd: Path | None) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise ConfigError("找不到 git 命令 / git is not installed") from exc
    if result.returncode != 0:
        raise ConfigError(f"git {' '.join(args)} 失败：{result.stderr.strip()}")
    return result.stdout


# --------------------------------------------------------------------------- #
# Rendering
# --------------------------------------------------------------------------- #

_WORDS: dict[str, tuple[str, str]] = {
    "heading": ("预算记录改动摘要", "Budget record changes"),
    "added": ("新增", "added"),
    "removed": ("删除", "removed"),
    "changed": ("修改", "changed"),
    "modified": ("修改", "modified"),
    "unchanged": ("没有影响数字、项目或校验结果的改动。", "No change to figures, projects or findings."),
    "file_added": ("新文件", "new file"),
    "file_removed": ("文件已删除", "file removed"),
    "figures": ("关键数字", "Key figures"),
    "figure": ("数字", "figure"),
    "old": ("原", "old"),
    "new": ("新", "new"),
    "change": ("变化", "change"),
    "rows": ("表格行（按编码或项目匹配）", "Table rows (matched by code or item)"),
    "sections": ("各部分的行数", "Rows per section"),
    "projects": ("项目", "Projects"),
    "indicators": ("绩效指标", "indicators"),
    "findings": ("校验结果", "Findings"),
    "appeared": ("新出现", "appeared"),
    "resolved": ("已消除", "resolved"),
    "problems": ("结构错误（必须改正，记录才能发布）", "Structural problems (must be fixed before publishing)"),
    "other": ("其他字段", "Other fields"),
    "more": ("还有 {n} 处未列出", "{n} more not listed"),
    "none": ("无", "none"),
    "blank": ("空白", "blank"),
    "seq": ("序号", "seq"),
    "edited": ("{n} 个指标有改动", "{n} indicators edited"),
    "fields": ("改动的字段", "fields changed"),
}

_SEVERITY_MARK = {"error": "❌", "warning": "⚠️", "rounding": "≈"}


def _w(word: str, lang: Lang, **params: Any) -> str:
    zh, en = _WORDS[word]
    return (zh if lang == "zh" else en).format(**params)


def _section_label(section: str, lang: Lang) -> str:
    if lang == "en":
        return section
    return str(meta(Budget.__dataclass_fields__[section])["label"])


def _column_label(section: str, column: str, lang: Lang) -> str:
    """The Chinese label of a figure column (the key itself in English)."""
    if lang == "en":
        return column
    for cls in _label_classes(section):
        fields = fields_of(cls)
        if column in fields:
            return str(meta(fields[column][0])["label"])
    return column


def _label_classes(section: str) -> list[type]:
    """Model classes to take column labels from: the section's own first."""
    from gongkai import model

    first: list[type] = [Project] if section == "projects" else []
    others = [
        cls
        for cls in vars(model).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls is not Budget
    ]
    return first + others


def _money(value: Value, unit: str, lang: Lang) -> str:
    if value is None:
        return _w("blank", lang)
    return f"{fmt(value)} {unit}"


def _signed(value: Decimal, unit: str) -> str:
    sign = "+" if value > 0 else ""
    return f"{sign}{fmt(value)} {unit}"


def _figure_text(figure: Figure | None, lang: Lang) -> str:
    if figure is None:
        return "—"
    return _money(figure.printed, figure.unit, lang)


def _figure_delta(change: FigureChange) -> str:
    a, b = change.old, change.new
    if a is None or b is None:
        return "—"
    if a.unit == b.unit:
        return _signed(b.printed - a.printed, b.unit)
    return _signed(b.yuan - a.yuan, "元")


def _cell_text(section: str, cells: Iterable[tuple[str, Value, Value]], unit: str, lang: Lang, kind: Kind) -> str:
    parts = []
    for column, a, b in cells:
        label = _column_label(section, column, lang)
        if kind == "added":
            parts.append(f"{label} {_money(b, unit, lang)}")
        elif kind == "removed":
            parts.append(f"{label} {_money(a, unit, lang)}")
        else:
            parts.append(f"{label} {_money(a, unit, lang)} → {_money(b, unit, lang)}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def _short(value: Any) -> str:
    text = str(value) if value is not None else "—"
    return text if len(text) <= 40 else text[:39] + "…"


def render_markdown(diffs: Sequence[BudgetDiff], lang: Lang = "zh") -> str:
    """A pull-request comment: one section per file."""
    lines = [f"## {_w('heading', lang)}", ""]
    for diff in diffs:
        lines.extend(_markdown_one(diff, lang))
    return "\n".join(lines).rstrip() + "\n"


def _markdown_one(diff: BudgetDiff, lang: Lang) -> list[str]:
    status = {"added": _w("file_added", lang), "removed": _w("file_removed", lang), "modified": _w("modified", lang)}
    title = f" — {diff.title}" if diff.title else ""
    out = [f"### `{diff.display}`{title}（{status[diff.status]}）" if lang == "zh" else f"### `{diff.display}`{title} ({status[diff.status]})", ""]
    if diff.unchanged:
        return out + [_w("unchanged", lang), ""]
    if diff.problems:
        out += [f"**{_w('problems', lang)}**", ""]
        out += [f"- `{p.location}` `{p.code}` {p.message(lang)}" for p in diff.problems[:MAX_LISTED]]
        out.append("")
    if diff.figures:
        out += [f"**{_w('figures', lang)}**", ""]
        out += [f"| {_w('figure', lang)} | {_w('old', lang)} | {_w('new', lang)} | {_w('change', lang)} |", "|---|---:|---:|---:|"]
        for change in diff.figures:
            label = FIGURE_LABELS[change.name][0 if lang == "zh" else 1]
            out.append(f"| {label} | {_figure_text(change.old, lang)} | {_figure_text(change.new, lang)} | {_figure_delta(change)} |")
        out.append("")
    out += _markdown_rows(diff, lang)
    out += _markdown_projects(diff, lang)
    out += _markdown_findings(diff, lang)
    if diff.other:
        out += [f"**{_w('other', lang)}**", ""]
        out += [f"- `{path}`: {_short(a)} → {_short(b)}" for path, a, b in diff.other[:MAX_LISTED]]
        out += _more(len(diff.other), lang, "- ")
        out.append("")
    return out


def _markdown_rows(diff: BudgetDiff, lang: Lang) -> list[str]:
    if diff.status != "modified":
        if not diff.row_counts:
            return []
        out = [f"**{_w('sections', lang)}**", ""]
        for section, (a, b) in diff.row_counts.items():
            out.append(f"- {_section_label(section, lang)}: {a} → {b}")
        return out + [""]
    if not diff.rows:
        return []
    out = [f"**{_w('rows', lang)}**", ""]
    colon = "：" if lang == "zh" else ": "
    for section, group in groupby(diff.rows, key=lambda change: change.section):
        changes = list(group)
        out.append(f"- {_section_label(section, lang)} (`{section}`)")
        for change in changes[:MAX_LISTED]:
            cells = _cell_text(section, change.cells, change.unit, lang, change.kind)
            name = "" if change.name == change.key else f" {change.name}"
            out.append(f"  - {_w(change.kind, lang)} `{change.key}`{name}{colon}{cells}".rstrip(colon))
        out += _more(len(changes), lang, "  - ")
    return out + [""]


def _markdown_projects(diff: BudgetDiff, lang: Lang) -> list[str]:
    (pa, pb), (ia, ib) = diff.project_counts, diff.indicator_counts
    if not diff.projects and pa == pb and ia == ib:
        return []
    sep = "；" if lang == "zh" else "; "
    out = [f"**{_w('projects', lang)}**: {pa} → {pb}{sep}{_w('indicators', lang)} {ia} → {ib}", ""]
    for change in diff.projects[:MAX_LISTED]:
        out.append(f"- {_project_line(change, lang)}")
    out += _more(len(diff.projects), lang, "- ")
    return out + [""]


def _project_line(change: ProjectChange, lang: Lang) -> str:
    seq_a, seq_b = change.seq
    seq = f"#{seq_b if seq_b is not None else seq_a}"
    if change.kind == "changed" and seq_a != seq_b:
        seq = f"#{seq_a}→#{seq_b}"
    parts = [f"{_w(change.kind, lang)} {seq} {change.name}"]
    cells = _cell_text("projects", change.amounts, change.unit, lang, change.kind)
    if cells:
        parts.append(cells)
    a, b = change.indicators
    if change.kind == "changed":
        if a != b:
            parts.append(f"{_w('indicators', lang)} {a} → {b}")
        if change.indicators_edited:
            parts.append(_w("edited", lang, n=change.indicators_edited))
        shown = [f for f in change.fields if f != "seq"]
        if shown:
            parts.append(f"{_w('fields', lang)}: {', '.join(shown)}")
    else:
        parts.append(f"{_w('indicators', lang)} {b if change.kind == 'added' else a}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def _markdown_findings(diff: BudgetDiff, lang: Lang) -> list[str]:
    if not diff.findings:
        return []
    out = [f"**{_w('findings', lang)}**", ""]
    for change in diff.findings[:MAX_LISTED]:
        f = change.finding
        mark = _SEVERITY_MARK.get(f.severity, "")
        where = f" `{f.location}`" if f.location and change.kind == "appeared" else ""
        out.append(f"- {_w(change.kind, lang)} {mark} `{f.rule}` {f.subject}: {f.message(lang)}{where}")
    out += _more(len(diff.findings), lang, "- ")
    return out + [""]


def _more(total: int, lang: Lang, prefix: str) -> list[str]:
    return [f"{prefix}…{_w('more', lang, n=total - MAX_LISTED)}"] if total > MAX_LISTED else []


def render_text(diffs: Sequence[BudgetDiff], lang: Lang = "zh") -> str:
    """The same summary for a terminal: Markdown decorations removed."""
    text = render_markdown(diffs, lang)
    lines = []
    for line in text.splitlines():
        if line.startswith("|---"):
            continue
        line = line.replace("**", "").replace("`", "")
        if line.startswith("#"):
            line = line.lstrip("#").lstrip()
        if line.startswith("| "):
            line = "  " + "  ".join(cell.strip() for cell in line.strip("|").split("|"))
        lines.append(line)
    return "\n".join(lines).rstrip() + "\n"


RENDERERS = {"markdown": render_markdown, "text": render_text}


def run_diff(args: Any) -> int:
    """The ``gongkai diff`` command: files or a git range in, a summary out."""
    if args.git:
        diffs = diff_git(args.git, args.paths)
    elif len(args.paths) == 2:
        diffs = [diff_files(args.paths[0], args.paths[1])]
    else:
        raise ConfigError("用法：gongkai diff OLD NEW，或 gongkai diff --git REV[..REV] [PATH…] / usage: OLD NEW or --git")
    text = RENDERERS[args.format](diffs, args.lang)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0
