"""Pieces shared by the rule modules: sums under the tolerance policy, labels, paths.

Every rule that compares a printed figure with a computed one goes through
:func:`sum_finding` or :func:`compare_finding`, so that the treatment of blank
cells (0 in a sum, but a blank total over non-zero items is itself a finding,
GUIDE §2.1 principle 3) and the rounding policy
(:func:`gongkai.findings.classify`) are the same everywhere.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache, partial
from operator import attrgetter, is_not
from typing import Any

from gongkai.fields import meta
from gongkai.findings import Finding, Severity, classify, decimals_of, fmt
from gongkai.model import UNIT_SCALE, Budget, NarrativeFigure

ZERO = Decimal(0)

#: Runs of blanks, which an extraction inserts into printed names (compared without them).
BLANKS = re.compile(r"\s+")

#: Short Chinese names of the sections, used in subjects ("支出总表 213 基本支出").
SECTION_LABELS: dict[str, str] = {
    "income_expenditure_summary": "收支总表",
    "income_by_function": "收入总表",
    "expenditure_by_function": "支出总表",
    "fiscal_appropriation_summary": "财政拨款收支总表",
    "gpb_expenditure_by_function": "一般公共预算支出表",
    "gpb_basic_by_economic": "基本支出表",
    "government_fund_expenditure": "政府性基金支出表",
    "soe_capital_expenditure": "国有资本经营支出表",
    "three_public": "三公经费表",
    "operating_expenses": "机关运行经费",
    "state_assets": "资产表",
    "narrative_figures": "文字说明",
    "performance": "部门绩效目标",
    "projects": "项目",
}
SECTION_LABELS_EN: dict[str, str] = {
    "income_expenditure_summary": "income and expenditure summary",
    "income_by_function": "income table",
    "expenditure_by_function": "expenditure table",
    "fiscal_appropriation_summary": "fiscal appropriation summary",
    "gpb_expenditure_by_function": "general public budget expenditure table",
    "gpb_basic_by_economic": "basic expenditure table",
    "government_fund_expenditure": "government fund expenditure table",
    "soe_capital_expenditure": "state capital expenditure table",
    "three_public": "“three public” table",
}


def nz(value: Decimal | None) -> Decimal:
    """A cell's value in a sum: blank counts as 0."""
    return ZERO if value is None else value


#: ``_is_figure(value)``: whether a cell holds a figure (a C-level test, for ``map``).
_is_figure = partial(is_not, None)


def total(values: Iterable[Decimal | None]) -> Decimal:
    """The sum of ``values``, blanks as 0 (skipped: adding 0 after the start changes nothing).

    ``ZERO + v1 + v2 + …`` as ``sum(…, ZERO)`` adds; a plain loop is the
    fastest way for the few terms of a row (rules add up thousands of them).
    """
    computed = ZERO
    for value in values:
        if value is not None:
            computed += value
    return computed


def printed_count(values: Iterable[Decimal | None]) -> int:
    """How many of ``values`` are printed: only printed figures carry a rounding error."""
    return sum(1 for v in values if v is not None)


def convert(amount: Decimal | None, unit: str, to_unit: str) -> Decimal | None:
    """``amount`` in ``unit`` expressed in ``to_unit``, exactly (scales are powers of ten)."""
    if amount is None:
        return None
    if unit == to_unit:
        return amount
    return amount * UNIT_SCALE[unit] / UNIT_SCALE[to_unit]


@cache
def field_label(cls: type, name: str) -> str:
    """The Chinese label a model field declares (``basic`` → 基本支出); fixed, so remembered."""
    for item in dataclasses.fields(cls):
        if item.name == name:
            return str(meta(item)["label"])
    return name


def column_names(cls: type) -> list[str]:
    """The names of the amount columns a column dataclass declares, in order."""
    return list(_field_names(cls))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in dataclasses.fields(cls))


def present_columns(rows: Iterable[Any], names: Sequence[str]) -> list[str]:
    """The columns in ``names`` that hold a figure in at least one of ``rows``.

    A column that is blank in every row is not printed by the table (or not
    used), so an identity over it says nothing.
    """
    materialised = [row for row in rows if row is not None]
    # C-level iteration; a printed column usually stops at its first row.
    return [name for name in names if any(map(_is_figure, map(attrgetter(name), materialised)))]


@cache
def cell_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The attributes ``names`` of an object, always as a tuple (``attrgetter`` of one name is not)."""
    if len(names) == 1:
        (only,) = names
        return lambda row: (getattr(row, only),)
    return attrgetter(*names)


def difference_text(printed: Decimal, computed: Decimal) -> str:
    """|printed − computed| as plain text."""
    return fmt(abs(printed - computed)) or "0"


def finding(
    rule: str,
    severity: Severity,
    subject: str,
    message_zh: str,
    message_en: str,
    *,
    path: str,
    printed: Decimal | None = None,
    computed: Decimal | None = None,
    unit: str | None = None,
) -> Finding:
    """Build a finding (keyword arguments keep the call sites readable)."""
    return Finding(
        rule=rule,
        severity=severity,
        subject=subject,
        message_zh=message_zh,
        message_en=message_en,
        printed=printed,
        computed=computed,
        unit=unit,
        path=path,
    )


def sum_finding(
    rule: str,
    subject: str,
    printed: Decimal | None,
    terms: Sequence[Decimal | None],
    unit: str,
    path: str,
    identity_zh: str,
    identity_en: str,
) -> Finding | None:
    """Compare a printed total with the sum of its printed items.

    Blank items count as 0. A blank total is fine when the items add up to 0
    and an error otherwise (GUIDE §2.1 principle 3). A non-zero difference is
    classified by :func:`~gongkai.findings.classify` with the number of
    printed items, the section's unit and the decimals printed.
    """
    computed = total(terms)
    if _adds_up(printed, computed):
        return None  # the usual outcome, without counting terms and decimals for classify
    if printed is None:
        return _blank_total(rule, subject, computed, unit, path, identity_zh, identity_en)
    severity = classify(printed, computed, printed_count(terms), unit, decimals_of(printed, *terms))
    if severity is None:
        return None
    return _difference(
        rule, severity, subject, printed, computed, unit, path, identity_zh, identity_en
    )


def adds_up(printed: Decimal | None, terms: Sequence[Decimal | None]) -> bool:
    """Whether :func:`sum_finding` of these figures is None because they add up exactly.

    That is the usual outcome, so loops over many rows ask this first and
    format a finding's subject, path and identity texts only when it is not.
    (:func:`total` and :func:`_adds_up` inline: it runs for every row and column.)
    """
    computed = ZERO
    for value in terms:
        if value is not None:
            computed += value
    return computed == ZERO if printed is None else printed == computed


def _adds_up(printed: Decimal | None, computed: Decimal) -> bool:
    """A blank total over items that add up to 0, or a printed total equal to the sum."""
    return computed == ZERO if printed is None else printed == computed


def agrees(printed: Decimal | None, computed: Decimal | None) -> bool:
    """Whether :func:`compare_finding` of these figures is None because they are equal (blanks as 0).

    Asked first by loops over many rows, as :func:`adds_up` is.
    """
    return nz(printed) == nz(computed)


def compare_finding(
    rule: str,
    subject: str,
    printed: Decimal | None,
    computed: Decimal | None,
    unit: str,
    path: str,
    identity_zh: str,
    identity_en: str,
    *,
    terms: int = 1,
    decimals: int | None = None,
) -> Finding | None:
    """Compare two figures that should be equal (cross-table, narrative vs table).

    ``decimals`` defaults to the decimals of both figures; a narrative figure
    rounded to a coarser grain passes its own decimals and ``terms=0`` so that
    it may differ by half its grain (± half the printed grain, GUIDE §4
    R-NARR-ROUND). Blank figures are treated as 0 (a blank against a non-zero
    figure is a difference like any other).
    """
    if printed is None and computed is None:
        return None
    if agrees(printed, computed):
        return None  # what classify would say, without counting decimals
    left, right = nz(printed), nz(computed)
    places = decimals_of(printed, computed) if decimals is None else decimals
    severity = classify(left, right, terms, unit, places)
    if severity is None:
        return None
    return _difference(
        rule, severity, subject, printed, computed, unit, path, identity_zh, identity_en
    )


def _blank_total(
    rule: str,
    subject: str,
    computed: Decimal,
    unit: str,
    path: str,
    identity_zh: str,
    identity_en: str,
) -> Finding:
    return finding(
        rule,
        "error",
        subject,
        f"{identity_zh}：原文空白，但各项之和为 {fmt(computed)}{unit}",
        f"{identity_en}: the printed cell is blank but the items add up to {fmt(computed)} {unit}",
        path=path,
        printed=None,
        computed=computed,
        unit=unit,
    )


def _difference(
    rule: str,
    severity: Severity,
    subject: str,
    printed: Decimal | None,
    computed: Decimal | None,
    unit: str,
    path: str,
    identity_zh: str,
    identity_en: str,
) -> Finding:
    gap = difference_text(nz(printed), nz(computed))
    if severity == "rounding":
        zh = f"{identity_zh}相差 {gap}{unit}，在舍入误差范围内"
        en = f"{identity_en} is off by {gap} {unit}, within rounding"
    else:
        zh = f"{identity_zh}不成立，相差 {gap}{unit}"
        en = f"{identity_en} does not hold: off by {gap} {unit}"
    return finding(
        rule, severity, subject, zh, en, path=path, printed=printed, computed=computed, unit=unit
    )


def column_sums(
    rule: str,
    printed: Any,
    summed: Sequence[Any],
    columns: Iterable[str],
    unit: str,
    path: str,
    describe: Callable[[str], tuple[str, str, str]],
) -> list[Finding]:
    """A printed row against the sum of other rows, column by column (totals, parents).

    ``describe(column)`` gives the finding's subject and its identity in
    Chinese and English; ``path`` is the printed row's model path. It is
    called only for a column that does not add up: the texts are the costly
    part of a check that almost always passes.
    """
    found: list[Finding] = []
    for column in columns:
        top = getattr(printed, column)
        terms = [getattr(row, column) for row in summed]
        if adds_up(top, terms):
            continue
        subject, identity_zh, identity_en = describe(column)
        finding = sum_finding(
            rule, subject, top, terms, unit, f"{path}.{column}", identity_zh, identity_en
        )
        if finding is not None:
            found.append(finding)
    return found


def compact(findings: Iterable[Finding | None]) -> Iterator[Finding]:
    """Drop the ``None`` outcomes (clean passes)."""
    return (f for f in findings if f is not None)


def narrative_unit(budget: Budget, figure: NarrativeFigure, section_unit: str | None = None) -> str:
    """The unit a narrative figure is printed in (its own, else its section's, else the record's)."""
    if figure.unit is not None:
        return figure.unit
    return section_unit or budget.amount_unit


def first_figure(
    figures: Sequence[NarrativeFigure], items: Sequence[str]
) -> tuple[int, NarrativeFigure] | None:
    """The first figure whose ``item`` is one of ``items`` (with its index)."""
    for index, figure in enumerate(figures):
        if figure.item in items and figure.amount is not None:
            return index, figure
    return None


# --------------------------------------------------------------------------- #
# Code hierarchies (类 3 digits / 款 5 / 项 7; economic 类 3 / 款 5)
# --------------------------------------------------------------------------- #


def parent_code(code: str) -> str | None:
    """The code one level up (``2130152`` → ``21301``), None for a 类."""
    return code[:-2] if len(code) > 3 else None


def ancestors(code: str) -> list[str]:
    """Every code above ``code`` (``2130152`` → ``21301``, ``213``)."""
    found: list[str] = []
    parent = parent_code(code)
    while parent is not None:
        found.append(parent)
        parent = parent_code(parent)
    return found


def unbalanced_rows(
    table: Any, cells: Callable[[Any], Sequence[Decimal | None]], section: str
) -> Iterator[tuple[Any, list[Decimal | None], str, str]]:
    """The rows of a split table (合计 row first) whose 合计 is not the sum of ``cells(row)``.

    Yields ``(row, terms, key, path)``: the subject key (``合计行`` or
    :func:`row_keys`) and the row's path under ``section``; the keys are
    worked out only when some row does not add up (the usual case is none).
    """
    rows: list[tuple[int | None, Any]] = []  # (line index or None for 合计, row)
    if table.reported_total is not None:
        rows.append((None, table.reported_total))
    rows.extend(enumerate(table.lines))
    keys: list[str] | None = None
    for index, row in rows:
        terms = list(cells(row))
        if adds_up(row.total, terms):
            continue
        if index is None:
            yield row, terms, "合计行", f"{section}.reported_total"
        else:
            keys = keys if keys is not None else row_keys(table.lines)
            yield row, terms, keys[index], f"{section}.lines[{index}]"


def row_keys(lines: Sequence[Any]) -> list[str]:
    """Subject keys of code rows: the code, and for a repeated code its row number too.

    Subjects key acknowledgements, so two rows must never share one; a code
    printed twice in a table (a source or transcription slip) keeps the first
    row as ``213`` and names the later ones ``213（第5行）``.
    """
    seen: set[str] = set()
    keys: list[str] = []
    for position, line in enumerate(lines):
        keys.append(line.code if line.code not in seen else f"{line.code}（第{position + 1}行）")
        seen.add(line.code)
    return keys


def first_index(lines: Sequence[Any]) -> dict[str, int]:
    """Code → index of its first line (a repeated code keeps its first row)."""
    index: dict[str, int] = {}
    for position, line in enumerate(lines):
        index.setdefault(line.code, position)
    return index


def _has_ancestor(code: str, codes: Mapping[str, int]) -> bool:
    """Whether any of :func:`ancestors` of ``code`` is in ``codes`` (without building the list)."""
    length = len(code)
    while length > 3:  # the parent of a code longer than 3 drops its last 2 characters
        length -= 2
        if code[:length] in codes:
            return True
    return False


def root_indices(lines: Sequence[Any]) -> list[int]:
    """Lines with no ancestor in the table: the 类 rows of a complete table.

    Using "no ancestor present" rather than "3 digits" keeps a table with an
    orphan 款 (reported by R-CODE-PREFIX) from being counted twice or not at all.
    """
    codes = first_index(lines)
    return [
        position
        for position, line in enumerate(lines)
        if codes[line.code] == position and not _has_ancestor(line.code, codes)
    ]


def children_indices(lines: Sequence[Any]) -> dict[int, list[int]]:
    """Index of a parent line → indices of its direct children, in table order."""
    codes = first_index(lines)
    children: dict[int, list[int]] = {}
    for position, line in enumerate(lines):
        code = line.code
        if codes[code] != position or len(code) <= 3:
            continue
        parent = code[:-2]  # parent_code(code), inline: this runs for every line of every table
        if parent in codes:
            children.setdefault(codes[parent], []).append(position)
    return children
