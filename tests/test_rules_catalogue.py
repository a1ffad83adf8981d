"""The rule catalogue as a whole: every rule tested, the tolerance policy, YAML paths, the records.

* every registered rule has at least one passing and one failing case in the
  rule test modules (a new rule without tests fails here);
* :func:`gongkai.findings.classify`: 元 printed to the fen must match exactly;
  万元 with 2 decimals allows (n + 1) × 0.005 for a sum of n printed figures;
* a finding's model path leads to the line of the value in the YAML file;
* on the records under content/, every rule runs, and subjects are unique per
  rule and record (they key acknowledgements).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import test_rules_money
import test_rules_projects
import test_rules_tables
from gongkai.findings import classify
from gongkai.loader import load_bytes, load_file
from gongkai.rules import RULES, _load_rule_modules, run_rules
from gongkai.rules._helpers import sum_finding

CONTENT = Path(__file__).resolve().parent.parent / "content"
ALL_CASES = test_rules_tables.CASES + test_rules_money.CASES + test_rules_projects.CASES

_load_rule_modules()


# --------------------------------------------------------------------------- #
# Every rule is tested
# --------------------------------------------------------------------------- #


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    passing = {c.rule for c in ALL_CASES if not c.expected}
    failing = {c.rule for c in ALL_CASES if c.expected}
    assert sorted(set(RULES) - passing) == []
    assert sorted(set(RULES) - failing) == []


def test_cases_name_registered_rules_only() -> None:
    assert sorted({c.rule for c in ALL_CASES} - set(RULES)) == []


def test_case_ids_are_unique() -> None:
    assert [i for i, n in Counter(c.id for c in ALL_CASES).items() if n > 1] == []


def test_rules_are_documented() -> None:
    """Ids, bilingual titles and a Chinese description, as the reference page shows them."""
    for rule in RULES.values():
        assert rule.id.startswith("R-") and rule.id == rule.id.upper()
        assert rule.title_zh and rule.title_en and rule.description_zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.description_zh)
        assert rule.check.__doc__, rule.id


def test_run_rules_only_runs_the_rules_asked_for() -> None:
    budget = test_rules_money.THREE_PUBLIC_CASES[1].budget  # seed 001's blank 三公 rows
    assert {f.rule for f in run_rules(budget)} >= {"R-3G-SUM", "R-3G-CAR"}
    assert {f.rule for f in run_rules(budget, only=["R-3G-CAR"])} == {"R-3G-CAR"}


# --------------------------------------------------------------------------- #
# Tolerance policy
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("printed", "computed", "terms", "unit", "decimals", "expected"),
    [
        # 元 printed to the fen: exact, whatever the number of terms
        ("319650.00", "319650.00", 8, "元", 2, None),
        ("319650.01", "319650.00", 8, "元", 2, "error"),
        ("106246620.08", "106246620.07", 3, "元", 2, "error"),
        # 元 printed whole: a grain of 1 元
        ("319651", "319650", 3, "元", 0, "rounding"),
        ("319653", "319650", 3, "元", 0, "error"),
        # 万元 with 2 decimals: (n + 1) × 0.005
        ("716.95", "716.96", 2, "万元", 2, "rounding"),  # 001's 213 branch: 0.01 ≤ 0.015
        ("10.01", "10.00", 1, "万元", 2, "rounding"),  # 0.01 ≤ 0.010
        ("10.02", "10.00", 1, "万元", 2, "error"),  # 0.02 > 0.010
        ("6.02", "6.00", 3, "万元", 2, "rounding"),  # 0.02 ≤ 0.020
        ("6.03", "6.00", 3, "万元", 2, "error"),  # 0.03 > 0.020
        ("2279.15", "2279.15", 30, "万元", 2, None),
        # a narrative figure rounded to whole 万元: terms=0 gives ± half the grain
        ("2279", "2279.15", 0, "万元", 0, "rounding"),
        ("1100", "1100.50", 0, "万元", 0, "rounding"),
        ("1100", "1100.51", 0, "万元", 0, "error"),
        ("2279", "2184.44", 0, "万元", 0, "error"),
    ],
)
def test_classify(
    printed: str, computed: str, terms: int, unit: str, decimals: int, expected: str | None
) -> None:
    assert classify(Decimal(printed), Decimal(computed), terms, unit, decimals) == expected


def test_sum_finding_blank_cells() -> None:
    """Blanks count as 0; a blank total is fine over zero items, an error over non-zero ones."""
    args = ("R-X", "s", "万元", "p", "恒等式", "identity")
    assert sum_finding(args[0], args[1], None, [None, None], *args[2:]) is None
    assert sum_finding(args[0], args[1], None, [Decimal(0), None], *args[2:]) is None
    assert sum_finding(args[0], args[1], Decimal("0.00"), [None], *args[2:]) is None
    assert (
        sum_finding(args[0], args[1], Decimal("1.70"), [None, Decimal("1.70")], *args[2:]) is None
    )
    blank = sum_finding(args[0], args[1], None, [None, Decimal("1.70")], *args[2:])
    assert blank is not None
    assert (blank.severity, blank.printed, blank.computed) == ("error", None, Decimal("1.70"))
    assert "空白" in blank.message_zh and "blank" in blank.message_en


def test_sum_finding_counts_printed_terms_only() -> None:
    """Two printed figures and three blanks: the tolerance is (2 + 1) × 0.005."""
    found = sum_finding(
        "R-X",
        "s",
        Decimal("716.95"),
        [Decimal("616.77"), None, Decimal("100.19"), None, None],
        "万元",
        "p",
        "i",
        "i",
    )
    assert found is not None and found.severity == "rounding"
    off = sum_finding(
        "R-X",
        "s",
        Decimal("716.94"),
        [Decimal("616.77"), None, Decimal("100.19")],
        "万元",
        "p",
        "i",
        "i",
    )
    assert off is not None and off.severity == "error"


# --------------------------------------------------------------------------- #
# From YAML: paths lead to lines
# --------------------------------------------------------------------------- #

SNIPPET = textwrap.dedent(
    """\
    schema_version: 1
    fiscal_year: 2023
    stage: budget
    amount_unit: 万元
    source:
      title: 测试
      original_format: docx
    department:
      name: 测试部门
      code: "203"
      region:
        province: 河北省
        admin_code: "130532"
        admin_level: county
    three_public:
      rows:
        - item: vehicle
          amount: null
        - item: vehicle_purchase
          amount: null
        - item: vehicle_operation
          amount: 1.70
    projects:
      - seq: 1
        name: 项目
        spending_plan:
          - {month: 6, percent: 60}
          - {month: 12, percent: 50}
    """
)


def test_findings_from_yaml_point_at_the_printed_value() -> None:
    record = load_bytes(SNIPPET.encode(), Path("130532-203-2023-budget.yaml"), "snippet.yaml")
    assert record.ok, record.problems
    assert record.budget is not None
    lines = SNIPPET.splitlines()
    found = {f.rule: f for f in run_rules(record.budget)}
    car = found["R-3G-CAR"]
    assert (car.severity, car.subject, car.printed, car.computed) == (
        "error",
        "三公经费表 公务用车购置及运行维护费",
        None,
        Decimal("1.70"),
    )
    assert lines[record.locate(car.path).line - 1].strip() == "amount: null"  # type: ignore[operator]
    plan = found["R-PLAN"]
    assert plan.path == "projects[0].spending_plan[1].percent"
    assert "percent: 50" in lines[record.locate(plan.path).line - 1]  # type: ignore[operator]


# --------------------------------------------------------------------------- #
# The records
# --------------------------------------------------------------------------- #

RECORDS = sorted(CONTENT.glob("*/*.yaml"))


@pytest.mark.parametrize("path", RECORDS, ids=[p.stem for p in RECORDS])
def test_rules_on_records(path: Path) -> None:
    """Every rule runs on every record; findings are well-formed and keyed uniquely."""
    record = load_file(path)
    if record.budget is None:
        pytest.skip("record does not load")
    findings = run_rules(record.budget)
    keys = Counter((f.rule, f.subject) for f in findings)
    assert [k for k, n in keys.items() if n > 1] == []
    for f in findings:
        assert f.rule in RULES
        assert f.severity in ("error", "warning", "rounding")
        assert f.message_zh and f.message_en and f.path
        assert f.printed is None or isinstance(f.printed, Decimal)
        assert f.computed is None or isinstance(f.computed, Decimal)
        location = record.locate(f.path)
        assert location.line is not None and location.line > 1, f.path
