"""Rules on performance indicators (绩效指标: 一级/二级/三级指标 and 指标值).

Indicator values are parsed by :mod:`gongkai.indicator_values` (with the
contributor's overrides applied), so these rules see the comparator, number,
unit and deadline of each row. They check the three-level template (二级 under
the right 一级, every project with 产出/效益/满意度 indicators) and the
plausibility of targets. Targets that are odd but possible (``≥100%``, a
satisfaction target with ``<``) are warnings; impossible ones (a satisfaction
rate above 100%, a printed 正向 with a ``≤`` target) are errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from gongkai.findings import Finding, Severity
from gongkai.indicator_values import ParsedValue, effective_value
from gongkai.model import Budget, Indicator, Project, section_unit
from gongkai.rules import rule, shared
from gongkai.rules._helpers import BLANKS, convert, finding

HUNDRED = Decimal(100)
NUMERIC_KINDS = ("numeric", "numeric_with_text")

#: 二级指标 allowed under each 一级指标 (names without the trailing 指标).
LEVEL2_BY_LEVEL1: dict[str, frozenset[str]] = {
    "产出": frozenset({"数量", "质量", "时效", "成本"}),
    "效益": frozenset({"经济效益", "社会效益", "生态效益", "可持续影响", "生态环境效益"}),
    "满意度": frozenset({"服务对象满意度", "社会公众满意度", "满意度"}),
    "成本": frozenset({"经济成本", "社会成本", "生态环境成本"}),
}
#: Printed 一级 names that mean the same thing (Hebei 2020 says 效果指标).
LEVEL1_ALIASES = {"效果": "效益"}
LEVEL2_ALIASES = {"可持续发展影响": "可持续影响"}
REQUIRED_LEVEL1 = ("产出", "效益", "满意度")
LEVEL1_NAMES = {"产出": "产出指标", "效益": "效益指标", "满意度": "满意度指标", "成本": "成本指标"}
#: Units of a 时效 indicator that are a rate or a duration.
TIME_UNITS = frozenset(
    {"%", "年", "个月", "月", "周", "天", "日", "工作日", "小时", "分钟", "季度"}
)


@dataclass(slots=True)
class Row:
    """One indicator with where it sits: its owner (project/category) and position.

    It also carries what every indicator rule asks about the indicator (its
    parsed value, its canonical levels), computed once per run of the rules.
    Slotted, because a dozen rules read the attributes of a hundred or more
    rows; not frozen, because a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) would double the cost of building them.
    Rules only read rows, as they only read the budget.
    """

    owner: str  # 项目3 / 分类6
    base: str  # projects[2].indicators
    position: int  # 0-based, as in paths; subjects count from 1
    indicator: Indicator
    project: Project | None
    value: ParsedValue
    level1: str | None  # level1_of(indicator)
    level2: str | None  # canonical 二级 (_level2)
    satisfaction: bool  # a satisfaction target (满意度, or 满意 in the 二级)

    @property
    def subject(self) -> str:
        """``项目3 指标2``: stable as long as the rows keep their printed order."""
        return f"{self.owner} 指标{self.position + 1}"


@lru_cache(maxsize=1024)
def _base(name: str | None) -> str | None:
    """A level name without blanks and without the trailing 指标 (``效 益指标`` → ``效益``).

    Remembered: every rule asks for the levels of every indicator, and a
    record has only a handful of distinct level names.
    """
    if name is None:
        return None
    compact = BLANKS.sub("", name)
    compact = compact[:-2] if compact.endswith("指标") else compact
    return compact or None


def level1_of(indicator: Indicator) -> str | None:
    """The canonical 一级 (产出/效益/满意度/成本): printed, else implied by the 二级."""
    return _level1(indicator.level1, indicator.level2)


@lru_cache(maxsize=1024)
def _level1(level1_printed: str | None, level2_printed: str | None) -> str | None:
    """:func:`level1_of` from the two printed names; remembered, since every rule asks for every indicator."""
    printed = _base(level1_printed)
    if printed is not None:
        return LEVEL1_ALIASES.get(printed, printed)
    level2 = _level2(level2_printed)
    for level1, names in LEVEL2_BY_LEVEL1.items():
        if level2 in names and level1 != "成本":
            return level1
    return None


@lru_cache(maxsize=1024)
def _level2(level2_printed: str | None) -> str | None:
    printed = _base(level2_printed)
    return LEVEL2_ALIASES.get(printed, printed) if printed else None


@shared
def indicator_rows(budget: Budget) -> tuple[Row, ...]:
    """Every indicator of the record: project tables, then category tables.

    Built (and each value parsed) once per run of the rules, which all read it.
    """
    return tuple(_indicator_rows(budget))


def _indicator_rows(budget: Budget) -> Iterator[Row]:
    year = budget.fiscal_year
    for p_index, project in enumerate(budget.projects or []):
        owner, base = f"项目{project.seq}", f"projects[{p_index}].indicators"
        for i_index, indicator in enumerate(project.indicators):
            yield _row(owner, base, i_index, indicator, project, year)
    categories = budget.performance.categories if budget.performance else []
    for c_index, category in enumerate(categories):
        owner, base = f"分类{category.seq}", f"performance.categories[{c_index}].indicators"
        for i_index, indicator in enumerate(category.indicators):
            yield _row(owner, base, i_index, indicator, None, year)


def _row(
    owner: str, base: str, position: int, indicator: Indicator, project: Project | None, year: int
) -> Row:
    level1, level2, satisfaction = _levels(indicator.level1, indicator.level2)
    value = effective_value(indicator, year)
    return Row(owner, base, position, indicator, project, value, level1, level2, satisfaction)


@lru_cache(maxsize=1024)
def _levels(
    level1_printed: str | None, level2_printed: str | None
) -> tuple[str | None, str | None, bool]:
    """(一级, 二级, is a satisfaction target) of an indicator with these printed level names."""
    level1 = _level1(level1_printed, level2_printed)
    return level1, _level2(level2_printed), level1 == "满意度" or "满意" in (level2_printed or "")


def path_of(row: Row, field: str) -> str:
    """Model path of a field of the row's indicator."""
    return f"{row.base}[{row.position}].{field}"


def _issue(
    rule_id: str, severity: Severity, row: Row, zh: str, en: str, field: str = "value_raw"
) -> Finding:
    """A finding on one indicator; the message quotes the printed cell, since a
    single-value finding has no computed figure to show beside it."""
    ind = row.indicator
    printed = " ".join(
        p.strip() for p in (ind.direction_raw, ind.value_raw, ind.unit) if p and p.strip()
    )
    shown = f"（指标值“{printed}”）" if printed else ""
    shown_en = f" (value '{printed}')" if printed else ""
    return finding(
        rule_id,
        severity,
        row.subject,
        f"{row.owner}“{row.indicator.level3}”{shown}：{zh}",
        f"{row.owner} {row.indicator.level3}{shown_en}: {en}",
        path=path_of(row, field),
        printed=row.value.value,
        unit=row.value.unit,
    )


# --------------------------------------------------------------------------- #
# Template
# --------------------------------------------------------------------------- #


@rule(
    "R-IND-L1L2",
    "二级指标属于一级指标",
    "The 二级 indicator belongs to its 一级",
    "二级指标属于其一级指标：产出→数量/质量/时效/成本；效益（效果）→经济/社会/生态效益、可持续影响；"
    "满意度→服务对象满意度；成本→经济/社会/生态环境成本。",
)
def check_levels(budget: Budget) -> Iterator[Finding]:
    """A 二级 under the wrong 一级 (error) or an unknown level name (warning)."""
    known_level2 = frozenset().union(*LEVEL2_BY_LEVEL1.values())
    for row in indicator_rows(budget):
        level1, level2 = row.level1, row.level2
        if row.indicator.level1 is None or level1 is None or level2 is None:
            continue
        if level1 not in LEVEL2_BY_LEVEL1:
            yield _issue(
                "R-IND-L1L2",
                "warning",
                row,
                f"一级指标“{row.indicator.level1}”不是模板中的名称",
                f"unknown first-level name {row.indicator.level1}",
                "level1",
            )
        elif level2 not in known_level2:
            yield _issue(
                "R-IND-L1L2",
                "warning",
                row,
                f"二级指标“{row.indicator.level2}”不是模板中的名称",
                f"unknown second-level name {row.indicator.level2}",
                "level2",
            )
        elif level2 not in LEVEL2_BY_LEVEL1[level1]:
            yield _issue(
                "R-IND-L1L2",
                "error",
                row,
                f"二级指标“{row.indicator.level2}”不属于一级指标“{row.indicator.level1}”",
                f"{row.indicator.level2} does not belong under {row.indicator.level1}",
                "level2",
            )


@rule(
    "R-IND-MIN",
    "项目有产出、效益、满意度指标",
    "Each project has output, outcome and satisfaction indicators",
    "每个项目至少有一个产出指标、一个效益（效果）指标和一个满意度指标。",
)
def check_minimum(budget: Budget) -> Iterator[Finding]:
    """Projects whose indicator table lacks a required 一级 category."""
    for index, project in enumerate(budget.projects or []):
        if not project.indicators:
            continue
        present = {level1_of(i) for i in project.indicators}
        missing = [LEVEL1_NAMES[k] for k in REQUIRED_LEVEL1 if k not in present]
        if missing:
            yield finding(
                "R-IND-MIN",
                "warning",
                f"项目{project.seq} 指标类别",
                f"项目{project.seq}没有{'、'.join(missing)}",
                f"project {project.seq} has no {', '.join(missing)}",
                path=f"projects[{index}].indicators",
            )


# --------------------------------------------------------------------------- #
# Targets
# --------------------------------------------------------------------------- #


def _satisfaction_problems(value: ParsedValue) -> tuple[Severity, list[str], list[str]] | None:
    """(severity, problems zh, problems en) of a satisfaction target, or None when fine."""
    zh: list[str] = []
    en: list[str] = []
    severity: Severity = "warning"
    if value.kind == "empty":
        return None
    if value.kind not in NUMERIC_KINDS:
        return (
            "warning",
            ["满意度指标值应为百分比数值"],
            ["a satisfaction target should be a percentage"],
        )
    if value.unit not in (None, "%"):
        zh.append(f"单位为“{value.unit}”而不是 %")
        en.append(f"unit {value.unit} instead of %")
    top = (
        max(v for v in (value.value, value.value_max) if v is not None)
        if value.value is not None
        else None
    )
    if top is not None and top > HUNDRED and value.unit in (None, "%"):
        severity = "error"
        zh.append("超过 100%")
        en.append("above 100%")
    if value.comparator in ("<", "<="):
        zh.append(f"比较符为“{value.comparator}”，满意度目标通常应为 ≥")
        en.append(f"comparator {value.comparator}; a satisfaction target is normally ≥")
    return (severity, zh, en) if zh else None


@rule(
    "R-IND-SAT",
    "满意度指标为不超过100%的下限",
    "Satisfaction targets are percentages ≤ 100 with ≥ or =",
    "满意度指标值是百分比，比较符为 ≥ 或 =，数值不超过 100。超过 100% 为错误；"
    "用 < 或 ≤、或不是百分比数值为警告。",
)
def check_satisfaction(budget: Budget) -> Iterator[Finding]:
    """Satisfaction targets: %, ≥/=, at most 100."""
    for row in indicator_rows(budget):
        if not row.satisfaction:
            continue
        problems = _satisfaction_problems(row.value)
        if problems is not None:
            severity, zh, en = problems
            yield _issue("R-IND-SAT", severity, row, "；".join(zh), "; ".join(en))


@rule(
    "R-IND-PCT",
    "百分比不超过100%",
    "Percentages are at most 100",
    "以 % 为单位的指标值不超过 100；“≥100%”实际等于 100%，“>100%”不可能达到，均提示核对。",
)
def check_percentages(budget: Budget) -> Iterator[Finding]:
    """Percent targets above 100, or ≥100% / >100% (degenerate)."""
    for row in indicator_rows(budget):
        value = row.value
        if value.kind not in NUMERIC_KINDS or value.unit != "%" or value.value is None:
            continue
        top = max(v for v in (value.value, value.value_max) if v is not None)
        satisfaction = row.satisfaction
        if top > HUNDRED and not satisfaction:
            yield _issue(
                "R-IND-PCT", "warning", row, f"百分比 {top}% 超过 100%", f"{top}% exceeds 100%"
            )
        elif value.value == HUNDRED and value.comparator in (">=", ">"):
            meaning = (
                "下限为 100%，实际要求等于 100%"
                if value.comparator == ">="
                else "大于 100% 不可能达到"
            )
            yield _issue(
                "R-IND-PCT", "warning", row, meaning, f"'{value.comparator} 100%' is degenerate"
            )


@rule(
    "R-IND-DATE",
    "期限在预算年度内",
    "Deadlines fall in the fiscal year",
    "时效指标中的完成期限在预算年度之内（结转项目可能沿用上年期限，提示核对）。",
)
def check_deadlines(budget: Budget) -> Iterator[Finding]:
    """A deadline outside the fiscal year."""
    for row in indicator_rows(budget):
        deadline = row.value.deadline
        if deadline is None or deadline.year == budget.fiscal_year:
            continue
        yield _issue(
            "R-IND-DATE",
            "warning",
            row,
            f"期限 {deadline.isoformat()} 不在 {budget.fiscal_year} 年度内",
            f"deadline {deadline.isoformat()} is outside fiscal year {budget.fiscal_year}",
        )


@rule(
    "R-IND-NATURE",
    "指标性质与方向一致",
    "Printed nature agrees with the direction",
    "印出的指标性质与比较方向一致：正向指标用 ≥、> 或 =；反向指标用 ≤ 或 <。",
)
def check_nature(budget: Budget) -> Iterator[Finding]:
    """正向 with ≤/< or 反向 with ≥/>/= is a contradiction within the row."""
    for row in indicator_rows(budget):
        nature, comparator = row.indicator.nature, row.value.comparator
        if nature is None or comparator in (None, "range"):
            continue
        positive = comparator in (">=", ">", "=")
        if (nature == "正向") == positive:
            continue
        yield _issue(
            "R-IND-NATURE",
            "error",
            row,
            f"指标性质为{nature}，但方向为“{comparator}”",
            f"nature {nature} contradicts the direction {comparator}",
            "nature",
        )


@rule(
    "R-IND-COMPLETE",
    "指标有值，数值有单位",
    "Every indicator has a value; numbers have a unit",
    "每一行指标都有指标值（或评价等级）；数值型指标值有计量单位。",
)
def check_complete(budget: Budget) -> Iterator[Finding]:
    """Indicator rows without a value, and numbers without a unit."""
    for row in indicator_rows(budget):
        value = row.value
        if value.kind == "empty" and row.indicator.grades is None:
            yield _issue("R-IND-COMPLETE", "warning", row, "指标值空白", "the value is blank")
        elif value.kind in NUMERIC_KINDS and value.unit is None:
            yield _issue(
                "R-IND-COMPLETE",
                "warning",
                row,
                f"数值 {value.value} 没有计量单位",
                f"the number {value.value} has no unit",
            )


def _money_unit(unit: str | None) -> bool:
    return unit is not None and "元" in unit


@rule(
    "R-IND-COST",
    "成本指标为金额或比率",
    "Cost indicators are money or a rate",
    "成本指标的数值是金额（元、万元，可为人均等单位金额）或百分比。",
)
def check_cost_units(budget: Budget) -> Iterator[Finding]:
    """A 成本 indicator measured in people, times or other non-money units."""
    for row in indicator_rows(budget):
        value = row.value
        cost = row.level2 == "成本" or row.level1 == "成本"
        if not cost or value.kind not in NUMERIC_KINDS or value.unit is None:
            continue
        if _money_unit(value.unit) or value.unit == "%":
            continue
        yield _issue(
            "R-IND-COST",
            "warning",
            row,
            f"成本指标的单位为“{value.unit}”，不是金额或比率",
            f"cost indicator in {value.unit}, not money or a rate",
        )


@rule(
    "R-IND-TIME",
    "时效指标为期限、比率或时长",
    "Timeliness indicators are deadlines, rates or durations",
    "时效指标的值是完成期限、百分比或时长（年、月、天、小时等）。",
)
def check_time_units(budget: Budget) -> Iterator[Finding]:
    """A 时效 indicator measured in people, money or other non-time units."""
    for row in indicator_rows(budget):
        value = row.value
        if row.level2 != "时效" or value.kind not in NUMERIC_KINDS or value.unit is None:
            continue
        if value.unit in TIME_UNITS:
            continue
        yield _issue(
            "R-IND-TIME",
            "warning",
            row,
            f"时效指标的单位为“{value.unit}”，不是期限、比率或时长",
            f"timeliness indicator in {value.unit}, not a deadline, rate or duration",
        )


@rule(
    "R-IND-UNIT",
    "成本指标金额不超过项目预算",
    "A cost ceiling does not exceed the project amount",
    "以元或万元表示的成本指标上限（≤、< 或 =）换算到项目金额单位后，不超过项目预算数。",
)
def check_cost_amount(budget: Budget) -> Iterator[Finding]:
    """A total-cost target above the project's own amount."""
    for row in indicator_rows(budget):
        value, project = row.value, row.project
        if project is None or project.amount is None or value.value is None:
            continue
        if value.kind not in NUMERIC_KINDS or value.unit not in ("元", "万元"):
            continue
        if value.comparator not in ("<=", "<", "=", None) or row.level2 != "成本":
            continue
        unit = section_unit(budget, project)
        ceiling = convert(value.value, value.unit, unit)
        if ceiling is None or ceiling <= project.amount:
            continue
        yield finding(
            "R-IND-UNIT",
            "warning",
            row.subject,
            f"{row.owner}“{row.indicator.level3}”：成本指标 {value.value}{value.unit} 超过项目预算数",
            f"{row.owner} {row.indicator.level3}: the cost target exceeds the project amount",
            path=path_of(row, "value_raw"),
            printed=ceiling,
            computed=project.amount,
            unit=unit,
        )
