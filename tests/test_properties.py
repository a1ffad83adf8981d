"""Property-based tests of issue #8 (hypothesis).

(a) A consistent budget passes every accounting rule: records of the synthetic
    generator (``gongkai synth``, consistent by construction) for seeds that
    hypothesis draws, and function tables and projects built from strategies.
(b) Changing any single amount makes the rule that covers it fail. Which rule
    covers an amount is data: :data:`COVERING_RULES` maps model paths (pattern)
    to rule ids of :data:`gongkai.rules.RULES`; a test checks that every amount
    a generated record holds has an entry. The change is any multiple of the
    amount's printed grain (one grain is "rounding", so any finding of the
    covering rules counts; a change of 10,000 grains must be an error or warning).
(c) The loader's contract (gongkai.loader: "nothing here raises for a user's
    mistake"; ``load_bytes`` "never raises for the file's content"): for any
    bytes, text or YAML-like document it returns a record — bound, or with
    located problems whose messages render in both languages.
(d) Money is exact: any two-decimal amount loads as exactly the printed ``Decimal``.

Runs are reproducible (``derandomize=True``, no example database) and the
example counts are modest; ``HYPOTHESIS_EXAMPLES`` multiplies them for a
longer local run.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import typing
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml
from builders import (
    complete_indicators,
    function_columns,
    function_line,
    function_table,
    minimal_budget,
    project,
)
from conftest import MINIMAL_RECORD
from gongkai import model
from gongkai.findings import Finding
from gongkai.loader import LoadedRecord, load_bytes
from gongkai.messages import MESSAGES
from gongkai.model import Budget
from gongkai.rules import RULES, _load_rule_modules, run_rules
from gongkai.synth import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCALE = max(1, int(os.environ.get("HYPOTHESIS_EXAMPLES", "1")))


def profile(examples: int) -> settings:
    return settings(
        max_examples=examples * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------- #
# Amounts of a budget, by model path
# --------------------------------------------------------------------------- #

_STEP = re.compile(r"\.?([A-Za-z_]\w*)|\[(\d+)\]")


def _kinds(hint: object) -> set[str]:
    found = {getattr(m, "name", "") for m in getattr(hint, "__metadata__", ())}
    for arg in typing.get_args(hint):
        found |= _kinds(arg)
    return found


@cache
def _money_fields(cls: type) -> dict[str, bool]:
    """Field name → whether it holds money (Money / SignedMoney) in ``cls``."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return {
        f.name: bool(_kinds(hints[f.name]) & {"money", "signed_money"})
        for f in dataclasses.fields(cls)
    }


def money_paths(obj: object, prefix: str = "") -> list[str]:
    """Paths (``projects[0].amount``) of every printed amount of money, in model order."""
    out: list[str] = []
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for name, is_money in _money_fields(type(obj)).items():
            value = getattr(obj, name)
            path = f"{prefix}.{name}" if prefix else name
            if is_money and isinstance(value, Decimal):
                out.append(path)
            elif not is_money:
                out.extend(money_paths(value, path))
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            out.extend(money_paths(item, f"{prefix}[{index}]"))
    return out


def get_path(obj: object, path: str) -> Decimal:
    for name, index in _STEP.findall(path):
        obj = getattr(obj, name) if name else obj[int(index)]  # type: ignore[index]
    assert isinstance(obj, Decimal)
    return obj


def set_path(obj: object, path: str, value: Decimal) -> None:
    steps = _STEP.findall(path)
    for name, index in steps[:-1]:
        obj = getattr(obj, name) if name else obj[int(index)]  # type: ignore[index]
    name, index = steps[-1]
    if name:
        setattr(obj, name, value)
    else:
        obj[int(index)] = value  # type: ignore[index]


def generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


FUNCTION_TABLE_RULES = {"R-FUNC-PARENT", "R-FUNC-TOTAL", "R-EXP-SPLIT"}
ECONOMIC_TABLE_RULES = {"R-ECO-PARENT", "R-ECO-TOTAL", "R-ECO-SPLIT"}
SUMMARY_RULES = {"R-SZ-LINES", "R-SZ-BAL", "R-BALANCE"}
NARRATIVE_RULES = {"R-NARR-ROUND", "R-NARR-SUM", "R-NARR-YOY", "R-PROJ-TOTAL", "R-CAT-TOTAL"}
THREE_PUBLIC_RULES = {"R-3G-SUM", "R-3G-CAR", "R-3G-ABROAD", "R-3G-FUND", "R-3G-NARR", "R-3G-YOY"}

#: Amount paths (``[]`` for any index) → the rules whose identity contains that amount.
COVERING_RULES: tuple[tuple[str, set[str]], ...] = (
    (r"(expenditure_by_function|gpb_expenditure_by_function|government_fund_expenditure"
     r"|soe_capital_expenditure)\.(lines\[\]|reported_total)\.\w+", FUNCTION_TABLE_RULES),
    (r"income_by_function\.(lines\[\]|reported_total)\.\w+", {"R-INC-ROW", "R-FUNC-PARENT", "R-FUNC-TOTAL"}),
    (r"gpb_basic_by_economic\.(lines\[\]|reported_total)\.\w+", ECONOMIC_TABLE_RULES),
    (r"income_expenditure_summary\.(income|expenditure)\.\w+(\[\])?\.\w+", SUMMARY_RULES),
    (r"fiscal_appropriation_summary\..+", {"R-CZ"}),
    (r"narrative_figures\[\]\.amount", NARRATIVE_RULES),
    (r"three_public\.(rows|narrative)\[\]\.\w+", THREE_PUBLIC_RULES),
    (r"operating_expenses\.(total|items\[\]\.amount)", {"R-RUN-SUM"}),
    (r"procurement\.total", {"R-PROC-SUM"}),
    (r"procurement\.items\[\]\.amount", {"R-PROC-SUM", "R-PROC-PRICE"}),
    (r"procurement\.items\[\]\.unit_price", {"R-PROC-PRICE"}),
    (r"projects\[\]\.amount", {"R-PROJ-FUND", "R-PROJ-TEXT", "R-PROJ-TOTAL", "R-CAT-PROJ"}),
    (r"projects\[\]\.(fiscal|other)_amount", {"R-PROJ-FUND", "R-PROJ-TEXT"}),
    (r"performance\.categories\[\]\.amount", {"R-CAT-PARENT", "R-CAT-TOTAL", "R-CAT-PROJ"}),
    (r"performance\.stated_project_total", {"R-PROJ-TOTAL"}),
    (r"state_assets\.lines\[\]\.amount", {"R-ASSET-SUM", "R-NARR-ROUND"}),
    (r"state_assets\.narrative\[\]\.amount", {"R-NARR-ROUND"}),
)  # fmt: skip

def covering_rules(path: str) -> set[str] | None:
    for pattern, rules in COVERING_RULES:
        if re.fullmatch(pattern, generic(path)):
            return rules
    return None


def test_covering_rules_exist_in_the_catalogue() -> None:
    _load_rule_modules()
    named = set().union(*(rules for _, rules in COVERING_RULES))
    assert named <= set(RULES), sorted(named - set(RULES))


# --------------------------------------------------------------------------- #
# Synthetic records (gongkai synth) driven by hypothesis
# --------------------------------------------------------------------------- #


@cache
def synth_record(seed: int, index: int) -> LoadedRecord:
    """The ``index``-th record of ``gongkai synth --seed seed --findings-rate 0``."""
    record = list(generate(index + 1, seed=seed, findings_rate=0.0))[-1]
    loaded = load_bytes(
        record.text.encode("utf-8"), Path(f"{record.budget_id}.yaml"), f"{record.budget_id}.yaml"
    )
    assert loaded.ok, [p.format() for p in loaded.problems][:5]
    return loaded


seeds = st.integers(min_value=0, max_value=2**31 - 1)
indexes = st.integers(min_value=0, max_value=2)


@profile(20)
@given(seed=seeds, index=indexes)
def test_a_generated_consistent_budget_passes_every_rule(seed: int, index: int) -> None:
    budget = synth_record(seed, index).budget
    assert budget is not None
    findings = run_rules(budget)
    assert findings == [], [f.format("en") for f in findings][:5]


def test_every_amount_of_a_generated_budget_has_a_covering_rule() -> None:
    paths = {
        generic(p)
        for seed in (1, 2, 3)
        for i in range(2)
        for p in money_paths(synth_record(seed, i).budget)
    }
    assert len(paths) > 40  # the generator fills every table
    missing = sorted(p for p in paths if covering_rules(p) is None)
    assert missing == [], "amounts with no entry in COVERING_RULES: " + ", ".join(missing)


def perturbed(budget: Budget, path: str, grains: int) -> tuple[Budget, Decimal]:
    """A copy of ``budget`` with the amount at ``path`` changed by ``grains`` printed grains."""
    changed = copy.deepcopy(budget)
    value = get_path(changed, path)
    grain = Decimal(1).scaleb(min(value.as_tuple().exponent, 0))  # type: ignore[arg-type]
    delta = grains * grain
    if value + delta < 0:  # money is never negative: change it the other way
        delta = -delta
    set_path(changed, path, value + delta)
    return changed, delta


def assert_caught(findings: list[Finding], rules: set[str], grains: int, where: str) -> None:
    caught = [f for f in findings if f.rule in rules]
    assert caught, f"{where}: no finding of {sorted(rules)}; got {[f.rule for f in findings]}"
    if abs(grains) >= 10_000:
        assert any(f.severity in ("error", "warning") for f in caught), [
            f.format("en") for f in caught
        ]


grain_counts = st.integers(min_value=-(10**6), max_value=10**6).filter(lambda n: n != 0)


def assert_amount_change_caught(budget: Budget, pick: int, grains: int) -> None:
    """Change the ``pick``-th amount of ``budget`` by ``grains`` units: its covering rule fires."""
    paths = money_paths(budget)
    path = paths[pick % len(paths)]
    rules = covering_rules(path)
    assert rules is not None, path
    changed, delta = perturbed(budget, path, grains)
    assert_caught(run_rules(changed), rules, grains, f"{path} {delta:+}")


@profile(120)
@given(seed=seeds, index=indexes, pick=st.integers(min_value=0), grains=grain_counts)
def test_changing_any_amount_trips_its_rule(seed: int, index: int, pick: int, grains: int) -> None:
    budget = synth_record(seed, index).budget
    assert budget is not None
    assert_amount_change_caught(budget, pick, grains)


@pytest.mark.parametrize(
    ("field", "rules"),
    [
        ("total", {"R-PROC-SUM"}),
        ("items[0].amount", {"R-PROC-SUM", "R-PROC-PRICE"}),
        ("items[0].unit_price", {"R-PROC-PRICE"}),
    ],
)
def test_changing_a_procurement_amount_trips_a_rule(field: str, rules: set[str]) -> None:
    budget = next(
        r.budget for seed in range(1, 20) for r in [synth_record(seed, 0)]
        if r.budget and r.budget.procurement and r.budget.procurement.items
    )  # fmt: skip
    changed, _ = perturbed(budget, f"procurement.{field}", 10_000)
    found = [f for f in run_rules(changed) if f.severity in ("error", "warning")]
    assert {f.rule for f in found} == rules, [f.format("en") for f in found]


# --------------------------------------------------------------------------- #
# Budgets built from strategies
# --------------------------------------------------------------------------- #

amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
#: 类 → its 款 → their 项, as codes of the real classification (names are placeholders).
TREE = {"201": {"20101": ["2010101", "2010102"], "20103": ["2010301"]}, "205": {"20502": ["2050201", "2050202"]},
        "208": {"20805": ["2080501", "2080502", "2080505"]}, "213": {"21301": ["2130101"]}}  # fmt: skip


@st.composite
def consistent_function_table(draw: st.DrawFn) -> model.FunctionTable:
    """A 支出总表 whose parents, total row and basic + project split all add up."""
    lines: list[model.FunctionLine] = []
    grand = {"basic": Decimal(0), "project": Decimal(0)}
    for lei in draw(st.lists(st.sampled_from(sorted(TREE)), min_size=1, max_size=4, unique=True)):
        lei_sum = {"basic": Decimal(0), "project": Decimal(0)}
        kuan_lines: list[model.FunctionLine] = []
        for kuan in draw(st.lists(st.sampled_from(sorted(TREE[lei])), min_size=1, unique=True)):
            xiang = draw(st.lists(st.sampled_from(TREE[lei][kuan]), min_size=1, unique=True))
            leaves = [(code, draw(amounts), draw(amounts)) for code in xiang]
            basic, proj = sum(b for _, b, _ in leaves), sum(p for _, _, p in leaves)
            kuan_lines.append(function_line(kuan, basic + proj, basic=basic, project=proj))
            kuan_lines += [function_line(code, b + p, basic=b, project=p) for code, b, p in leaves]
            lei_sum["basic"] += basic
            lei_sum["project"] += proj
        lines.append(function_line(lei, lei_sum["basic"] + lei_sum["project"], **lei_sum))
        lines += kuan_lines
        grand["basic"] += lei_sum["basic"]
        grand["project"] += lei_sum["project"]
    return function_table(lines, function_columns(grand["basic"] + grand["project"], **grand))


@st.composite
def consistent_projects(draw: st.DrawFn) -> list[model.Project]:
    out = []
    for seq in range(1, draw(st.integers(min_value=0, max_value=4)) + 1):
        fiscal, other = draw(amounts), draw(amounts)
        out.append(project(seq, amount=fiscal + other, fiscal=fiscal, other=other,
                           goal=f"目标{seq}", indicators=complete_indicators()))  # fmt: skip
    return out


@st.composite
def consistent_budgets(draw: st.DrawFn) -> Budget:
    return minimal_budget(
        amount_unit=draw(st.sampled_from(["元", "万元"])),
        expenditure_by_function=draw(consistent_function_table()),
        projects=draw(consistent_projects()),
    )


@profile(100)
@given(budget=consistent_budgets())
def test_a_built_consistent_budget_passes_every_rule(budget: Budget) -> None:
    findings = run_rules(budget)
    assert findings == [], [f.format("en") for f in findings][:5]


@profile(150)
@given(budget=consistent_budgets(), pick=st.integers(min_value=0), grains=grain_counts)
def test_changing_any_amount_of_a_built_budget_trips_its_rule(
    budget: Budget, pick: int, grains: int
) -> None:
    assert_amount_change_caught(budget, pick, grains)


# --------------------------------------------------------------------------- #
# The loader never raises, whatever the file holds
# --------------------------------------------------------------------------- #

NAME = "130532-101-2023-budget.yaml"


def check_loaded(data: bytes) -> LoadedRecord:
    """Load ``data`` (no exception may escape) and check what came back."""
    record = load_bytes(data, Path(NAME), NAME)
    assert isinstance(record, LoadedRecord)
    if record.budget is None:
        assert record.problems, "an unbound record must say why"
    # A bound, not the exact line: libyaml also breaks lines at U+0085, U+2028 and U+2029
    # (a bug: locations after them are one line off; tests/test_robustness_corpus.py).
    text = data.decode("utf-8", "replace")
    lines = sum(text.count(c) for c in ("\n", "\r", "\x85", "\u2028", "\u2029")) + 2
    for problem in record.problems:
        assert problem.code in MESSAGES or problem.code == "frictionless", problem.code
        assert problem.location.file == NAME
        assert problem.location.line is None or 1 <= problem.location.line <= lines, (
            problem.format()
        )
        for lang in ("zh", "en"):
            text = problem.format(lang)  # type: ignore[arg-type]
            assert text.startswith(f"{problem.location}: ") and f"[{problem.code}]" in text
    return record


@profile(300)
@given(data=st.binary(max_size=2000))
def test_loader_never_raises_on_bytes(data: bytes) -> None:
    check_loaded(data)


@profile(300)
@given(text=st.text(max_size=2000))
def test_loader_never_raises_on_text(text: str) -> None:
    check_loaded(text.encode("utf-8"))


def _field_names() -> list[str]:
    names: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value):
            names |= {f.name for f in dataclasses.fields(value)}
    return sorted(names)


FIELD_NAMES = _field_names()
TRICKY = ("1,234.00", "12万", "１２３", ".nan", "-.inf", "-5", "2023-13-45", "0x10", "1:30", "~", "null",
          "yes", "'", '"', "&a", "*a", "!!python/object:os.system", "- x", ": x", "? x", "{", "[", "#",
          "\t", "---", "...", "%YAML 1.2", "|", ">", "@x", "`x", "\\", "\u202e", "\x85", "\ufeff")  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(TRICKY), st.text(max_size=20),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
)  # fmt: skip
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.sampled_from(TRICKY), st.text(max_size=10))


def _nested(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5))


documents = st.recursive(scalars, _nested, max_leaves=30)


@st.composite
def yamlish(draw: st.DrawFn) -> bytes:
    """A YAML document shaped like a record (model keys, tricky scalars), then damaged."""
    base = yaml.safe_load(MINIMAL_RECORD)
    base.update(draw(st.dictionaries(st.sampled_from(FIELD_NAMES), documents, max_size=4)))
    text = yaml.safe_dump(
        base, allow_unicode=True, sort_keys=False, default_flow_style=draw(st.booleans())
    )
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        cut = draw(st.integers(min_value=0, max_value=5))
        text = (
            text[:at]
            + draw(st.sampled_from(TRICKY + ("\n", " ", "  ", ": ", "- ")))
            + text[at + cut :]
        )
    return text.encode("utf-8")


@profile(300)
@given(data=yamlish())
def test_loader_never_raises_on_yaml_like_documents(data: bytes) -> None:
    check_loaded(data)


@profile(150)
@given(extra=st.dictionaries(st.sampled_from(FIELD_NAMES), documents, max_size=3))
def test_loader_never_raises_on_well_formed_records_with_wrong_content(
    extra: dict[str, object],
) -> None:
    base = yaml.safe_load(MINIMAL_RECORD)
    base.update(extra)
    check_loaded(yaml.safe_dump(base, allow_unicode=True, sort_keys=False).encode("utf-8"))


@profile(150)
@given(
    value=st.decimals(
        min_value=0, max_value=10**13, places=2, allow_nan=False, allow_infinity=False
    )
)
def test_amounts_load_as_the_exact_decimal_printed(value: Decimal) -> None:
    """Money is Decimal from the source text: no float ever rounds a printed figure."""
    text = MINIMAL_RECORD + f"projects:\n  - seq: 1\n    name: 项目\n    amount: {value}\n"
    record = check_loaded(text.encode("utf-8"))
    assert record.budget is not None and record.budget.projects
    amount = record.budget.projects[0].amount
    assert type(amount) is Decimal and str(amount) == str(value)
