"""The numbers and texts of one synthetic department-year, before any YAML.

A :class:`Plan` is built bottom-up with :class:`~decimal.Decimal` arithmetic so
that it satisfies the accounting identities of GUIDE §4 by construction:
economic 款 → 类 → 合计 (人员经费 = 301 + 303, 公用经费 = 302); the basic
money of the functional 项 is carved out of the economic lines (养老保险 →
2080505, 住房公积金 → 2210201 …, the rest → 行政运行); projects are drawn
first and their amounts summed into the 项 that pay for them, so Σ projects =
项目支出; parents are sums of their children in every column; the summary
tables, “三公” (接待 = 30217, 公车运维 = 30231), 机关运行经费 (= 302) and the
narrative figures are derived from those sums. Findings are injected afterwards
(:func:`inject_finding`) by changing printed values only, the way real
documents go wrong. Everything is drawn from one ``random.Random``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from gongkai.codes import load_codes
from gongkai.synth_vocab import (
    BASES,
    COST_UNIT,
    ECONOMIC,
    GOAL_EFFECTS,
    GOAL_OPENINGS,
    HOUSING_LEAVE,
    MEDICAL_LEAVES,
    PENSION_LEAVES,
    PROCUREMENT_ITEMS,
    PROJECT_SUFFIXES,
    QUALITY,
    QUALITY_VALUES,
    QUANTITY,
    SATISFACTION,
    SATISFACTION_VALUES,
    SHARED_PROJECT_LEAVES,
    SOCIAL,
    SUSTAINABLE,
    TIMELINESS_DEADLINE,
    TIMELINESS_RATE,
    DeptKind,
)

D = Decimal
ZERO = D(0)
CENT = D("0.01")
WAN = D(10000)
Amount = Decimal | None
#: A table row or 合计 row: ``code``/``name`` and amount columns (``None`` = blank).
Row = dict[str, Any]

#: Findings that :func:`inject_finding` knows how to make.
FINDING_KINDS = ("parent_rounding", "blank_subtotal", "wrong_total", "plan_decrease")


@dataclass(frozen=True)
class Place:
    """A fiscal district (行政区)."""

    province: str
    prefecture: str | None
    county: str | None
    admin_code: str
    admin_level: str

    @property
    def short(self) -> str:
        """The name used inside department names (平乡县, 唐山市丰润区, 邢台市)."""
        if self.county is None:
            return self.prefecture or self.province
        if self.admin_level == "district":
            return f"{self.prefecture}{self.county}"
        return self.county


@dataclass
class Dept:
    """A department: what stays the same from one year to the next."""

    kind: DeptKind
    place: Place
    name: str
    code: str
    unit: str
    staff: int
    retired: int
    lixiu: int
    vehicles: int
    print_codes: bool
    print_plan: bool
    tier: int


@dataclass(frozen=True)
class Totals:
    """Key figures of a year, kept to write next year's 增减变化."""

    total: Decimal
    basic: Decimal
    project: Decimal
    abroad: Decimal
    vehicle: Decimal
    reception: Decimal


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    description: str
    value_raw: str
    basis: str


@dataclass
class Project:
    seq: int
    name: str
    code: str | None
    amount: Decimal
    leaf: str
    category: str
    goal: str
    purpose: str
    plan: list[Decimal | None] | None
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Table:
    """A printed table: its 合计 row and its code rows (values as printed)."""

    total: Row
    rows: list[Row]


@dataclass
class Plan:
    """One department-year, ready to be written."""

    dept: Dept
    year: int
    unit: str
    published: str
    income: Table
    expenditure: Table
    gpb: Table
    economic: Table
    lei: list[Row]
    carryover: Decimal
    totals: Totals
    personnel: Decimal
    public: Decimal
    current: Decimal
    three_public: dict[str, Amount]
    projects: list[Project]
    categories: list[tuple[str, Decimal, str]]
    procurement: list[tuple[str, str, int, str, Decimal, Decimal]]
    assets: dict[str, tuple[Decimal | None, Amount]]
    staff_actual: int
    prev: Totals | None
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)

    @property
    def budget_id(self) -> str:
        return f"{self.dept.place.admin_code}-{self.dept.code}-{self.year}-budget"


# --------------------------------------------------------------------------- #
# Amount helpers
# --------------------------------------------------------------------------- #


def in_unit(yuan: Decimal, unit: str) -> Decimal:
    """An amount in 元 as printed in ``unit`` (2 decimals, half up)."""
    value = yuan / WAN if unit == "万元" else yuan
    return value.quantize(CENT, ROUND_HALF_UP)


def cents(rng: random.Random, low_yuan: int, high_yuan: int) -> Decimal:
    """A random amount in 元 with cents, in [low, high]."""
    return D(rng.randint(low_yuan * 100, high_yuan * 100)).scaleb(-2)


def nz(value: Amount) -> Decimal:
    return ZERO if value is None else value


def blank(value: Decimal) -> Amount:
    """A zero printed as a blank cell (the usual layout of the standard tables)."""
    return None if value == 0 else value


# --------------------------------------------------------------------------- #
# Economic classification: the basic expenditure table
# --------------------------------------------------------------------------- #

#: Per-head ranges (元/人/年) of the salary base.
_SALARY = (
    ("30101", 30000, 45000),
    ("30102", 20000, 40000),
    ("30103", 2000, 8000),
    ("30107", 10000, 30000),
)
#: Contributions as a share of the salary base.
_RATES = (
    ("30108", D("0.16")),
    ("30109", D("0.08")),
    ("30110", D("0.07")),
    ("30111", D("0.03")),
    ("30113", D("0.12")),
)
_OPTIONAL_PERSONNEL = (("30106", 1000, 3000), ("30199", 500, 3000))
_PUBLIC_REQUIRED = (
    ("30201", 1000, 3000),
    ("30207", 500, 1500),
    ("30211", 1000, 4000),
    ("30229", 150, 400),
    ("30239", 6000, 12000),
)
_PUBLIC_OPTIONAL = (("30202", 200, 1000), ("30205", 100, 400), ("30206", 300, 1200), ("30213", 300, 1500), ("30215", 500, 2000), ("30216", 300, 1500), ("30299", 100, 1500))  # fmt: skip


def economic_leaves(
    rng: random.Random, dept: Dept, staff: int, growth: Decimal
) -> dict[str, Decimal]:
    """The 款 of the basic expenditure table, in the record's unit."""
    unit = dept.unit
    target = rng.randint(23, 28)
    leaves: dict[str, Decimal] = {}
    base = ZERO
    for code, low, high in _SALARY:
        leaves[code] = in_unit(cents(rng, low * staff, high * staff) * growth, unit)
        base += leaves[code]
    for code, rate in _RATES:
        if code == "30111" and dept.kind.unit_nature != "行政":
            continue
        leaves[code] = (base * rate).quantize(CENT, ROUND_HALF_UP)
    leaves["30228"] = (base * D("0.02")).quantize(CENT, ROUND_HALF_UP)
    for code, low, high in _PUBLIC_REQUIRED:
        leaves[code] = in_unit(cents(rng, low * staff, high * staff), unit)
    leaves["30217"] = in_unit(cents(rng, 3000, 40000), unit)
    if dept.vehicles:
        leaves["30231"] = in_unit(cents(rng, 15000 * dept.vehicles, 30000 * dept.vehicles), unit)
    if dept.tier == 2 and rng.random() < 0.3:
        leaves["30212"] = in_unit(cents(rng, 20000, 80000), unit)
    leaves["30302"] = in_unit(cents(rng, 20000 * dept.retired, 50000 * dept.retired), unit)
    if dept.lixiu:
        leaves["30301"] = in_unit(cents(rng, 80000 * dept.lixiu, 120000 * dept.lixiu), unit)
    optional = [*_OPTIONAL_PERSONNEL, *_PUBLIC_OPTIONAL, ("30305", 300, 3000)]
    rng.shuffle(optional)
    for code, low, high in optional:
        if len(leaves) + 3 >= target:
            break
        leaves[code] = in_unit(cents(rng, low * staff, high * staff), unit)
    return {code: value for code, value in sorted(leaves.items()) if value > 0}


def economic_table(leaves: dict[str, Decimal]) -> Table:
    """Rows (类 then its 款, in code order) with 合计/人员经费/公用经费 columns."""
    names = load_codes("econ")
    rows: list[Row] = []
    total: Row = {"total": ZERO, "personnel": ZERO, "public": ZERO}
    for lei in sorted({code[:3] for code in leaves}):
        column = "public" if lei == "302" else "personnel"
        children = [(code, value) for code, value in leaves.items() if code[:3] == lei]
        subtotal = sum((value for _, value in children), ZERO)
        rows.append(_econ_row(lei, names[lei], subtotal, column))
        rows.extend(_econ_row(code, names[code], value, column) for code, value in children)
        total["total"] += subtotal
        total[column] += subtotal
    return Table(total, rows)


def _econ_row(code: str, name: str, value: Decimal, column: str) -> Row:
    other = "personnel" if column == "public" else "public"
    return {"code": code, "name": name, "total": value, column: value, other: None}


# --------------------------------------------------------------------------- #
# Functional classification: the tree, its basic money and its projects
# --------------------------------------------------------------------------- #


def basic_by_function(kind: DeptKind, econ: dict[str, Decimal]) -> dict[str, Decimal]:
    """Basic money by 项: contributions to their own 项, the rest to 行政运行."""
    retirees, pension, annuity = PENSION_LEAVES
    medical, civil_servant_medical = MEDICAL_LEAVES
    basic = {
        retirees: sum((v for c, v in econ.items() if c.startswith("303")), ZERO),
        pension: econ.get("30108", ZERO),
        annuity: econ.get("30109", ZERO),
        medical: econ.get("30110", ZERO),
        civil_servant_medical: econ.get("30111", ZERO),
        HOUSING_LEAVE: econ.get("30113", ZERO),
    }
    running = sum(econ.values(), ZERO) - sum(basic.values(), ZERO)
    basic[kind.kuan + "01"] = running
    return {code: value for code, value in basic.items() if value > 0}


def choose_project_leaves(
    rng: random.Random, kind: DeptKind, basic_leaves: Iterable[str], projects: int
) -> list[str]:
    """项 that receive project money: the department's own first, then shared ones.

    Leaves are added until the tree has about 30 lines or every project has
    its own 项 (a 项 without a project would print an empty row).
    """
    names = load_codes("function")
    own = [code for code in kind.project_leaves if code in names]
    shared = [code for code, _ in SHARED_PROJECT_LEAVES]
    rng.shuffle(shared)
    candidates = own + shared
    chosen: list[str] = []
    lines = set(_with_parents(basic_leaves))
    target = rng.randint(26, 34)
    for code in candidates:
        if len(chosen) >= projects or len(lines) >= target:
            break
        chosen.append(code)
        lines.update(_with_parents([code]))
    return chosen or candidates[:1]


def _with_parents(leaves: Iterable[str]) -> list[str]:
    return [part for code in leaves for part in (code[:3], code[:5], code)]


def function_rows(
    basic: dict[str, Decimal], project: dict[str, Decimal], carry: dict[str, Decimal]
) -> list[Row]:
    """类/款/项 rows in code order (pre-order), parents summed from their 项."""
    names = load_codes("function")
    sums: dict[str, list[Decimal]] = {}
    for code in set(basic) | set(project):
        values = (nz(basic.get(code)), nz(project.get(code)), nz(carry.get(code)))
        for part in (code[:3], code[:5], code):
            acc = sums.setdefault(part, [ZERO, ZERO, ZERO])
            for i in range(3):
                acc[i] += values[i]
    rows: list[Row] = []
    for code in sorted(sums):
        b, p, c = sums[code]
        rows.append(
            {
                "code": code,
                "name": names[code],
                "total": b + p,
                "basic": blank(b),
                "project": blank(p),
                "carry": c,
            }
        )
    return rows


def expenditure_table(rows: list[Row]) -> Table:
    """The 支出总表 / 一般公共预算支出表 view of the functional rows (a copy)."""
    lei = [r for r in rows if len(str(r["code"])) == 3]
    total = {
        "total": sum((nz(r["total"]) for r in lei), ZERO),
        "basic": sum((nz(r["basic"]) for r in lei), ZERO),
        "project": sum((nz(r["project"]) for r in lei), ZERO),
    }
    copied = [{k: r[k] for k in ("code", "name", "total", "basic", "project")} for r in rows]
    return Table(total, copied)


def income_table(rows: list[Row]) -> Table:
    """The 收入总表: 合计 = 本年收入 + 上年结转, all 本年收入 is 财政拨款."""
    out: list[Row] = []
    for r in rows:
        total, carry = nz(r["total"]), nz(r["carry"])
        current = total - carry
        out.append({"code": r["code"], "name": r["name"], "total": total, "current_year": blank(current),
                    "fiscal_appropriation": blank(current), "carryover": blank(carry)})  # fmt: skip
    lei = [r for r in out if len(str(r["code"])) == 3]
    grand = sum((nz(r["total"]) for r in lei), ZERO)
    carry_total = sum((nz(r["carryover"]) for r in lei), ZERO)
    current_total = grand - carry_total
    reported: Row = {
        "total": grand,
        "current_year": current_total,
        "fiscal_appropriation": current_total,
        "carryover": blank(carry_total),
    }
    return Table(reported, out)


# --------------------------------------------------------------------------- #
# Projects and indicators
# --------------------------------------------------------------------------- #

_TIERS = ((200, 1500), (1500, 8000), (8000, 30000))


def draw_projects(
    rng: random.Random, dept: Dept, year: int, leaves: list[str], count: int
) -> list[Project]:
    """``count`` projects, the first ``len(leaves)`` one per leaf, amounts in hundreds of 元."""
    topics = _project_topics(rng, dept.kind, leaves, count)
    categories = list(dept.kind.categories)
    rng.shuffle(categories)
    used_categories = categories[: max(1, min(len(categories), rng.randint(2, 5), count))]
    projects = []
    for index in range(count):
        leaf = leaves[index] if index < len(leaves) else rng.choice(leaves)
        topic, name = topics[index]
        low, high = rng.choice(_TIERS)
        hundreds = rng.randint(low * dept.tier, high * dept.tier)
        amount = in_unit(D(hundreds * 100), dept.unit)
        category = (
            used_categories[index] if index < len(used_categories) else rng.choice(used_categories)
        )
        project = Project(
            seq=index + 1,
            name=name,
            code=_project_code(rng, dept, index) if dept.print_codes else None,
            amount=amount,
            leaf=leaf,
            category=category,
            goal=_goal(rng, topic, name),
            purpose=_purpose(amount, dept.unit, topic),
            plan=_spending_plan(rng) if dept.print_plan else None,
        )
        project.indicators = draw_indicators(rng, topic, amount, dept.unit, year)
        projects.append(project)
    return projects


def _project_topics(
    rng: random.Random, kind: DeptKind, leaves: list[str], count: int
) -> list[tuple[str, str]]:
    """(topic, unique project name) per project, matching the leaf that pays for it."""
    shared = dict(SHARED_PROJECT_LEAVES)
    own_topics = list(kind.topics)
    rng.shuffle(own_topics)
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index in range(count):
        leaf = leaves[index] if index < len(leaves) else None
        pool = shared.get(leaf or "") or own_topics
        for attempt in range(40):
            topic = pool[(index + attempt) % len(pool)] if pool is own_topics else rng.choice(pool)
            name = topic + rng.choice(PROJECT_SUFFIXES)
            if name not in seen:
                break
        else:
            name = f"{topic}{PROJECT_SUFFIXES[0]}（第{index + 1}批）"
        seen.add(name)
        names.append((topic, name))
    return names


def _project_code(rng: random.Random, dept: Dept, index: int) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))
    tail = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4))
    return f"{dept.code}-{index + 1:02d}{rng.randint(1, 12):02d}-{letters}-{tail}"


def _goal(rng: random.Random, topic: str, name: str) -> str:
    """A goal without figures (figures in a goal are checked against the indicators)."""
    opening = rng.choice(GOAL_OPENINGS).format(n=name, t=topic)
    first, second = rng.sample(GOAL_EFFECTS, 2)
    return f"{opening}，{first}，{second}。"


def _purpose(amount: Decimal, unit: str, topic: str) -> str:
    """资金用途 in the usual wording, figures in 万元 exactly equal to the cells."""
    wan = amount if unit == "万元" else amount / WAN
    text = _plain(wan)
    return f"预算数{text}万元。其中：财政资金{text}万元，其他资金0万元。主要用于{topic}相关支出。"


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros and without exponent (15, 12.5, 0.03)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _spending_plan(rng: random.Random) -> list[Decimal | None]:
    """Cumulative % at the end of months 3, 6, 10, 12: non-decreasing, ending at 100."""
    style = rng.random()
    if style < 0.25:
        return [None, None, None, D(100)]
    if style < 0.5:
        return [D(25), D(50), D(75), D(100)]
    first = rng.randint(0, 40)
    second = rng.randint(first, 70)
    third = rng.randint(second, 95)
    return [D(first), D(second), D(third), D(100)]


def draw_indicators(
    rng: random.Random, topic: str, amount: Decimal, unit: str, year: int
) -> list[Indicator]:
    """5–10 indicators with at least one 产出, 效益 and 满意度, in template order."""
    slots = ["数量", "质量", "时效", "社会", "满意"]
    extras = ["数量", "成本", "成本", "社会", "可持续", "经济", "满意", "质量"]
    slots += rng.sample(extras, rng.randint(0, 5))
    order = {
        "数量": 0,
        "质量": 1,
        "时效": 2,
        "成本": 3,
        "经济": 4,
        "社会": 5,
        "可持续": 6,
        "满意": 7,
    }
    slots.sort(key=order.__getitem__)
    effect = "效益指标"
    out: list[Indicator] = []
    seen: set[str] = set()
    for slot in slots:
        indicator = _indicator(rng, slot, topic, amount, unit, year, effect)
        if indicator.level3 in seen:
            indicator.level3 = f"{indicator.level3}（{len(out) + 1}）"
        seen.add(indicator.level3)
        out.append(indicator)
    return out


def _indicator(
    rng: random.Random, slot: str, topic: str, amount: Decimal, unit: str, year: int, effect: str
) -> Indicator:
    basis = rng.choice(BASES)
    if slot == "数量":
        pattern, measure, low, high = rng.choice(QUANTITY)
        name = pattern.format(t=topic)
        value = f"{rng.choice(('≥', '', '≥'))}{rng.randint(low, high)}{measure}"
        return Indicator("产出指标", "数量指标", name, f"全年{name}", value, basis)
    if slot == "质量":
        name = rng.choice(QUALITY).format(t=topic)
        return Indicator(
            "产出指标", "质量指标", name, f"{name}达到目标要求", rng.choice(QUALITY_VALUES), basis
        )
    if slot == "时效":
        if rng.random() < 0.6:
            name = rng.choice(TIMELINESS_DEADLINE).format(t=topic)
            month = rng.randint(6, 12)
            day = rng.choice((15, 20, 25, 30)) if month != 12 else rng.choice((20, 25, 31))
            value = f"{year}年{month}月{day}日前完成"
        else:
            name = rng.choice(TIMELINESS_RATE)
            value = rng.choice(("100%", "≥95%"))
        return Indicator("产出指标", "时效指标", name, f"{name}符合要求", value, basis)
    if slot == "成本":
        if rng.random() < 0.5:
            return Indicator("产出指标", "成本指标", "项目总成本", "项目全年总成本",
                             f"≤{amount:.2f}{unit}", "项目预算")  # fmt: skip
        name, measure, low, high = rng.choice(COST_UNIT)
        return Indicator(
            "产出指标",
            "成本指标",
            name,
            f"{name}控制在标准以内",
            f"≤{rng.randint(low, high)}{measure}",
            basis,
        )
    if slot == "经济":
        name, value = rng.choice(ECONOMIC)
        return Indicator(effect, "经济效益指标", name, name, value, basis)
    if slot == "社会":
        pattern, value = rng.choice(SOCIAL)
        name = pattern.format(t=topic)
        return Indicator(effect, "社会效益指标", name, name, value, basis)
    if slot == "可持续":
        pattern, value = rng.choice(SUSTAINABLE)
        name = pattern.format(t=topic)
        return Indicator(effect, "可持续影响指标", name, name, value, basis)
    name = rng.choice(SATISFACTION).format(t=topic)
    return Indicator("满意度指标", "服务对象满意度指标", name, f"调查中满意和较满意的人数占调查总人数的比率（{name}）",
                     rng.choice(SATISFACTION_VALUES), "调查问卷")  # fmt: skip


# --------------------------------------------------------------------------- #
# The whole department-year
# --------------------------------------------------------------------------- #


def build_plan(
    rng: random.Random, dept: Dept, year: int, prev: Totals | None, growth: Decimal
) -> Plan:
    """Draw one department-year that satisfies every accounting identity."""
    staff = max(3, dept.staff - rng.randint(0, max(1, dept.staff // 6)))
    econ_leaves = economic_leaves(rng, dept, staff, growth)
    economic = economic_table(econ_leaves)
    basic = basic_by_function(dept.kind, econ_leaves)
    count = rng.randint(4, 25)
    leaves = choose_project_leaves(rng, dept.kind, basic, count)
    projects = draw_projects(rng, dept, year, leaves, count)
    project_money: dict[str, Decimal] = {}
    for project in projects:
        project_money[project.leaf] = project_money.get(project.leaf, ZERO) + project.amount
    carry = _carryover(rng, projects)
    rows = function_rows(basic, project_money, carry)
    expenditure = expenditure_table(rows)
    income = income_table(rows)
    three = _three_public(econ_leaves)
    totals = Totals(
        total=nz(expenditure.total["total"]),
        basic=nz(expenditure.total["basic"]),
        project=nz(expenditure.total["project"]),
        abroad=nz(three["abroad"]),
        vehicle=nz(three["vehicle"]),
        reception=nz(three["reception"]),
    )
    carry_total = nz(income.total["carryover"])
    procurement = _procurement(rng, dept.unit)
    return Plan(
        dept=dept,
        year=year,
        unit=dept.unit,
        published=f"{year}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}",
        income=income,
        expenditure=expenditure,
        gpb=expenditure_table(rows),
        economic=economic,
        lei=[
            {"code": r["code"], "name": r["name"], "total": r["total"]}
            for r in rows
            if len(str(r["code"])) == 3
        ],
        carryover=carry_total,
        totals=totals,
        personnel=nz(economic.total["personnel"]),
        public=nz(economic.total["public"]),
        current=totals.total - carry_total,
        three_public=three,
        projects=projects,
        categories=_categories(rng, projects),
        procurement=procurement,
        assets=_assets(rng, dept, staff),
        staff_actual=staff,
        prev=prev,
    )


def _carryover(rng: random.Random, projects: list[Project]) -> dict[str, Decimal]:
    """Part of one or two projects' money carried over from last year (上年结转)."""
    carry: dict[str, Decimal] = {}
    if rng.random() >= 0.35:
        return carry
    for project in rng.sample(projects, min(len(projects), rng.randint(1, 2))):
        share = D(rng.randint(10, 100)) / D(100)
        part = (project.amount * share).quantize(CENT, ROUND_DOWN)
        carry[project.leaf] = carry.get(project.leaf, ZERO) + part
    return carry


def _three_public(econ: dict[str, Decimal]) -> dict[str, Amount]:
    """“三公” components from the basic table (接待 = 30217, 公车运维 = 30231, 出国 = 30212)."""
    abroad = econ.get("30212", ZERO)
    operation = econ.get("30231", ZERO)
    reception = econ.get("30217", ZERO)
    subtotal = abroad + operation + reception
    return {
        "total": subtotal,
        "subtotal": subtotal,
        "abroad": abroad,
        "abroad_teaching_research": ZERO,
        "abroad_other": abroad,
        "vehicle": operation,
        "vehicle_purchase": ZERO,
        "vehicle_operation": operation,
        "reception": reception,
    }


def _categories(rng: random.Random, projects: list[Project]) -> list[tuple[str, Decimal, str]]:
    """分项绩效目标: name, Σ of its projects, goal text (in first-use order)."""
    sums: dict[str, Decimal] = {}
    for project in projects:
        sums[project.category] = sums.get(project.category, ZERO) + project.amount
    out = []
    for name, amount in sums.items():
        first, second = rng.sample(GOAL_EFFECTS, 2)
        out.append((name, amount, f"做好{name}，{first}，{second}。"))
    return out


def _procurement(
    rng: random.Random, unit: str
) -> list[tuple[str, str, int, str, Decimal, Decimal]]:
    """Procurement rows (品目, 序号, 数量, 单位, 单价, 金额); empty for about half the records."""
    if rng.random() < 0.5:
        return []
    rows = []
    for item, catalog, measure, low, high in rng.sample(PROCUREMENT_ITEMS, rng.randint(1, 4)):
        quantity = rng.randint(1, 20)
        price = in_unit(D(rng.randint(low // 100, high // 100) * 100), unit)
        rows.append((item, catalog, quantity, measure, price, price * quantity))
    return rows


def _assets(rng: random.Random, dept: Dept, staff: int) -> dict[str, tuple[Decimal | None, Amount]]:
    """Fixed assets (quantity, value) by category; 资产总额 = Σ of the four categories."""
    unit = dept.unit
    area = D(rng.randint(20, 40) * staff)
    buildings = in_unit(cents(rng, 1500 * int(area), 3000 * int(area)), unit)
    vehicles = (
        in_unit(cents(rng, 100000 * dept.vehicles, 250000 * dept.vehicles), unit)
        if dept.vehicles
        else ZERO
    )
    equipment_count = rng.randint(0, 3)
    equipment = in_unit(cents(rng, 200000 * equipment_count, 500000 * equipment_count), unit)
    other_count = rng.randint(20, 60) * staff
    other = in_unit(cents(rng, 800 * other_count, 2000 * other_count), unit)
    total = buildings + vehicles + equipment + other
    return {
        "total": (None, total),
        "buildings": (area, buildings),
        "office_buildings": ((area * D("0.6")).quantize(D(1)), None),
        "vehicles": (D(dept.vehicles), vehicles),
        "equipment_over_200k": (D(equipment_count), equipment),
        "other_fixed_assets": (D(other_count), other),
    }


# --------------------------------------------------------------------------- #
# Findings: what real documents get wrong
# --------------------------------------------------------------------------- #


def inject_finding(rng: random.Random, plan: Plan) -> None:
    """Change one printed value the way a real document goes wrong, and say so."""
    kind = rng.choice(FINDING_KINDS)
    if kind == "plan_decrease" and not any(p.plan and p.plan[1] is not None for p in plan.projects):
        kind = "wrong_total"
    if kind == "parent_rounding":
        _parent_rounding(rng, plan)
    elif kind == "blank_subtotal":
        for item in ("total", "subtotal", "vehicle"):
            plan.three_public[item] = None
        plan.notes.append(
            (
                "three_public.rows",
                "source_error",
                "“三公”经费表的合计、小计和公务用车购置及运维费三行空白，照录。",
            )
        )
    elif kind == "wrong_total":
        delta = D(10) ** rng.randint(0, 2)
        plan.expenditure.total["total"] = nz(plan.expenditure.total["total"]) + delta
        plan.notes.append(
            (
                "expenditure_by_function.reported_total",
                "source_error",
                "支出总表合计行的合计数与各类之和不符，照录。",
            )
        )
    else:
        project = next(p for p in plan.projects if p.plan and p.plan[1] is not None)
        assert project.plan is not None
        project.plan[2] = max(ZERO, nz(project.plan[1]) - D(10))
        plan.notes.append(
            (
                f"projects[{project.seq - 1}].spending_plan",
                "source_error",
                "资金支出计划10月底累计比例小于6月底，照录。",
            )
        )
    plan.injected.append(kind)


def _parent_rounding(rng: random.Random, plan: Plan) -> None:
    """A 类 row printed 0.01 off the sum of its 款, in both expenditure tables."""
    lei_rows = [i for i, r in enumerate(plan.expenditure.rows) if len(str(r["code"])) == 3]
    index = rng.choice(lei_rows)
    delta = rng.choice((CENT, -CENT))
    for table in (plan.expenditure, plan.gpb):
        row = table.rows[index]
        column = "project" if row["project"] is not None else "basic"
        row["total"] = nz(row["total"]) + delta
        row[column] = nz(row[column]) + delta
    code = plan.expenditure.rows[index]["code"]
    plan.notes.append(
        (
            f"expenditure_by_function: {code}",
            "source_error",
            f"{code} 的合计与其下各款之和相差 0.01（原文四舍五入），照录。",
        )
    )
