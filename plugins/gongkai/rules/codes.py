"""Rules on classification codes and project codes.

Codes are the keys of the tables (GUIDE §2.1 principle 5): a 款 or 项 row must
have its parent in the same table, a code must carry one name throughout a
document, and project codes must be unique and follow one pattern.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from gongkai.findings import Finding
from gongkai.model import Budget
from gongkai.rules import rule
from gongkai.rules._helpers import BLANKS, SECTION_LABELS, finding, parent_code, row_keys

#: Tables whose rows are keyed by a classification code.
CODED_SECTIONS: tuple[str, ...] = (
    "income_by_function",
    "expenditure_by_function",
    "gpb_expenditure_by_function",
    "government_fund_expenditure",
    "soe_capital_expenditure",
    "gpb_basic_by_economic",
)
FUNCTION_NAMED: tuple[str, ...] = CODED_SECTIONS[:-1]
SUMMARIES: tuple[str, ...] = ("income_expenditure_summary", "fiscal_appropriation_summary")


def _coded_lines(budget: Budget, sections: Sequence[str]) -> Iterator[tuple[str, int, Any]]:
    """(section, index, line) for every code row of the given sections."""
    for name in sections:
        table = getattr(budget, name)
        if table is None:
            continue
        for index, line in enumerate(table.lines):
            yield name, index, line


@rule(
    "R-CODE-PREFIX",
    "款、项有上级科目",
    "Every 款 and 项 has its parent row",
    "同一张表中，每个5位“款”编码的前3位“类”、每个7位“项”编码的前5位“款”都有对应的行（无孤立科目）。",
)
def check_code_prefix(budget: Budget) -> Iterator[Finding]:
    """An orphan 款/项 row: its parent code is not in the same table."""
    for name in CODED_SECTIONS:
        table = getattr(budget, name)
        if table is None:
            continue
        codes = {line.code for line in table.lines}
        keys: list[str] | None = None
        for index, line in enumerate(table.lines):
            parent = parent_code(line.code)
            if parent is None or parent in codes:
                continue
            keys = keys if keys is not None else row_keys(table.lines)  # only for a finding
            level = "类" if len(parent) == 3 else "款"
            yield finding(
                "R-CODE-PREFIX",
                "error",
                f"{SECTION_LABELS[name]} {keys[index]}",
                f"{SECTION_LABELS[name]}中科目 {line.code} 的上级{level} {parent} 没有对应的行",
                f"{line.code} in the {name} table has no parent row {parent}",
                path=f"{name}.lines[{index}].code",
            )


#: Where a printed name sits: (lines path, index) → ``{lines}[{index}].name``, formatted only for a finding.
Where = tuple[str, int]


def _compact_name(name: str) -> str:
    """A name without the blanks an extraction inserts (名称比较不计空格)."""
    return BLANKS.sub("", name)


def _path(where: Where) -> str:
    return f"{where[0]}[{where[1]}].name"


def _function_names(budget: Budget) -> dict[str, list[tuple[str, Where]]]:
    """Functional code → [(printed name, where)] across every table of the record."""
    names: dict[str, list[tuple[str, Where]]] = {}
    for name, index, line in _coded_lines(budget, FUNCTION_NAMED):
        names.setdefault(line.code, []).append((line.name, (f"{name}.lines", index)))
    for summary_name in SUMMARIES:
        summary = getattr(budget, summary_name)
        if summary is None:
            continue
        lines = f"{summary_name}.expenditure.lines"
        for index, line in enumerate(summary.expenditure.lines):
            if line.code is not None:
                names.setdefault(line.code, []).append((line.name, (lines, index)))
    return names


def _economic_names(budget: Budget) -> dict[str, list[tuple[str, Where]]]:
    names: dict[str, list[tuple[str, Where]]] = {}
    for name, index, line in _coded_lines(budget, ("gpb_basic_by_economic",)):
        names.setdefault(line.code, []).append((line.name, (f"{name}.lines", index)))
    return names


@rule(
    "R-CODE-NAME",
    "同一科目同一名称",
    "One code, one printed name",
    "同一份文件中，一个科目编码在各表中印出的名称相同（不同编码可以同名）。",
)
def check_code_name(budget: Budget) -> Iterator[Finding]:
    """A code printed with two different names in one document."""
    for kind, names in (
        ("功能分类", _function_names(budget)),
        ("经济分类", _economic_names(budget)),
    ):
        for code, printed in names.items():
            first = _compact_name(printed[0][0])
            other = None
            for name, where in printed[1:]:
                if (
                    name != printed[0][0] and _compact_name(name) != first
                ):  # the same text has the same compact form
                    other = where
                    break
            if other is None:
                continue
            variants = "、".join(dict.fromkeys(f"“{n}”" for n, _ in printed))
            yield finding(
                "R-CODE-NAME",
                "warning",
                f"{kind}科目 {code}",
                f"{kind}科目 {code} 在各表中的名称不一致：{variants}",
                f"code {code} is printed with different names",
                path=_path(other),
            )


_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")


def code_shape(code: str) -> str:
    """The pattern of a project code: the lengths of its alphanumeric segments.

    ``203-0401-YBN-GAYM`` → ``3-4-3-4``; ``13073022P00850910006W`` → ``21``.
    Letters and digits are not told apart, because issuing systems end codes
    with a check character that may be either (003's codes end in W, T, 9, L …).
    """
    return "-".join(str(len(part)) for part in _SEPARATORS.split(code) if part)


@rule(
    "R-PCODE",
    "项目编码唯一且格式一致",
    "Project codes are unique and share one pattern",
    "项目编码在同一份文件中不重复，并且符合同一编码规则（与多数项目编码的格式一致）。",
)
def check_project_codes(budget: Budget) -> Iterator[Finding]:
    """Duplicate project codes (error) and codes off the document's pattern (warning)."""
    projects = budget.projects or []
    coded = [(i, p.code.strip()) for i, p in enumerate(projects) if p.code and p.code.strip()]
    seen: dict[str, int] = {}
    for index, code in coded:
        if code in seen:
            yield finding(
                "R-PCODE",
                "error",
                f"项目{projects[index].seq} 编码 {code}",
                f"项目{projects[index].seq}的编码 {code} 与项目{projects[seen[code]].seq}重复",
                f"project {projects[index].seq} repeats the code of project {projects[seen[code]].seq}",
                path=f"projects[{index}].code",
            )
        else:
            seen[code] = index
    shape_of = [code_shape(code) for _, code in coded]
    shapes = Counter(shape_of)
    if len(coded) < 3:
        return
    usual, count = shapes.most_common(1)[0]
    if count * 2 <= len(coded):
        return
    for (index, code), shape in zip(coded, shape_of, strict=True):
        if shape != usual:
            yield finding(
                "R-PCODE",
                "warning",
                f"项目{projects[index].seq} 编码格式",
                f"项目{projects[index].seq}的编码 {code} 与其他项目编码的格式（各段长度 {usual}）不同",
                f"project code {code} does not follow the pattern {usual} of the other codes",
                path=f"projects[{index}].code",
            )
