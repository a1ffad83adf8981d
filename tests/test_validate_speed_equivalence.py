"""The fast paths of validation say exactly what the straightforward ones say.

Validation takes shortcuts for the usual case, and each shortcut is only
allowed to skip work, never to change a result:

* the Table Schema check decides a clean table column by column
  (``TableSchema._clean``) and checks row by row only a table that is not
  clean — so a check with the column pass switched off must report the very
  same errors, on clean and on broken tables alike;
* the accounting rules test whether figures add up (``adds_up`` /
  ``agrees``) before formatting a finding's texts — so the rules with those
  tests switched off must give the very same findings;
* rules share derived views of a record within a run (``shared``) — so each
  rule run on its own must give what it gives inside :func:`run_rules`;
* the helpers rewritten for speed give what their plain versions give;
* :func:`gongkai.normalise.to_yuan_in` converts as :func:`gongkai.normalise.yuan`.

The records are synthetic ones with injected errors, the seeds, and copies
of them with random cells (tables) or random amounts (budgets) broken, so
that the slow paths and the findings are exercised as much as the clean ones.
"""

from __future__ import annotations

import copy
import random
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from gongkai import normalise
from gongkai.loader import load_bytes, load_file
from gongkai.model import Budget
from gongkai.package import RecordData, build_tables
from gongkai.rules import RULES, _load_rule_modules, run_rules
from gongkai.rules import _helpers as helpers
from gongkai.synth import generate
from gongkai.tablecheck import PackageChecker, TableSchema
from gongkai.tables import CODE_LISTS, TABLES

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "content").glob("*/*.yaml"))
SCHEMAS = {t.name: t.schema() for t in TABLES if t.name != "findings"}
RECORD_RESOURCES = [name for name in SCHEMAS if name not in CODE_LISTS]
Tables = dict[str, list[Any]]


class Text(str):
    """A str subclass: read through its text, not as a str."""


def budgets() -> Iterator[Budget]:
    """The seeds and synthetic records with injected errors, as loaded."""
    for path in SEEDS:
        record = load_file(path)
        assert record.budget is not None and record.ok
        yield record.budget
    for synth in generate(6, seed=5, findings_rate=1.0):
        name = f"{synth.budget_id}.yaml"
        record = load_bytes(synth.text.encode("utf-8"), Path(name), name)
        assert record.budget is not None and record.ok, [p.format() for p in record.problems]
        yield record.budget


BUDGETS = list(budgets())


def record_tables(budget: Budget) -> Tables:
    return build_tables([RecordData(budget, "x.yaml")], RECORD_RESOURCES)


# --------------------------------------------------------------------------- #
# Table Schema check: column pass vs row-by-row check
# --------------------------------------------------------------------------- #

BAD_CELLS: list[Any] = [
    None, "", " ", True, False, 0, -1, 1, 13, 2101, 10**30, "abc", "12", " 7 ", "01", "x" * 300,
    Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("-0.01"), Decimal("1E+2"), Decimal("-0"),
    1.5, date(2020, 1, 1), datetime(2020, 1, 1), datetime(2020, 1, 1, 8), Text("201"), Text(""),
    "2019999", "201 ", "39999", "130532-X-2023-budget",
]


def broken_copies(tables: Tables, rng: random.Random, count: int) -> Iterator[Tables]:
    """Copies of ``tables`` with a few random cells or rows broken."""
    names = [name for name, rows in tables.items() if rows]
    for _ in range(count):
        broken = {name: list(rows) for name, rows in tables.items()}  # rows are copied when changed
        for _ in range(rng.randint(1, 4)):
            rows = broken[rng.choice(names)]
            index = rng.randrange(len(rows))
            row = rows[index] = dict(rows[index])
            columns = sorted(k for k in row if not k.startswith("_"))
            kind = rng.random() if columns else 1.0
            if kind < 0.7:
                row[rng.choice(columns)] = rng.choice(BAD_CELLS)
            elif kind < 0.8:
                rows.append(dict(row))  # a duplicate key
            elif kind < 0.87:
                del row[rng.choice(columns)]  # an absent key
            elif kind < 0.94:
                rows[index] = MappingProxyType(row)  # a Mapping that is not a dict
            else:
                rows.append({})  # a blank row
        yield broken


def check_row_by_row(checker: PackageChecker, tables: Mapping[str, Sequence[Any]], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with monkeypatch.context() as patch:
        patch.setattr(TableSchema, "_clean", lambda self, rows, lookups: False)
        return checker.check(tables)


def test_the_column_pass_changes_no_error(monkeypatch):
    code_tables = build_tables([], CODE_LISTS)
    fast = PackageChecker(SCHEMAS, code_tables)
    slow = PackageChecker(SCHEMAS, code_tables)
    verdicts = {True: 0, False: 0}
    original_clean = TableSchema._clean

    def counting(self: TableSchema, rows: Sequence[Any], lookups: Any) -> bool:
        verdict = original_clean(self, rows, lookups)
        verdicts[verdict] += 1
        return verdict

    rng = random.Random(20240611)
    for budget in BUDGETS:
        tables = record_tables(budget)
        for candidate in [tables, *broken_copies(tables, rng, 25)]:
            expected = check_row_by_row(slow, candidate, monkeypatch)
            with monkeypatch.context() as patch:
                patch.setattr(TableSchema, "_clean", counting)
                found = fast.check(candidate)
            assert found == expected
    assert verdicts[True] > 1000 and verdicts[False] > 100, verdicts  # both paths were taken


def test_the_column_pass_on_unique_fields_and_other_missing_values(monkeypatch):
    """A schema with ``unique``, booleans, exclusive bounds, enums and a second missing value."""
    schema = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"unique": True, "required": True}},
            {"name": "tag", "type": "string", "constraints": {"unique": True, "minLength": 2, "maxLength": 3}},
            {"name": "flag", "type": "boolean"},
            {"name": "ratio", "type": "number", "constraints": {"exclusiveMinimum": 0, "unique": True}},
            {"name": "when", "type": "date", "constraints": {"minimum": "2000-01-01"}},
            {"name": "size", "type": "integer", "constraints": {"enum": [1, 2, 3]}},
            {"name": "free", "type": "string", "missingValues": ["", "-"]},
        ],
        "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["size"], "reference": {"fields": ["id"]}}],
    }
    nan = Decimal("NaN")
    base = [
        {"id": i, "tag": f"t{i}", "flag": True, "ratio": Decimal(i) / 10, "when": date(2020, 1, i), "size": 1, "free": "a"}
        for i in range(1, 6)
    ]
    variants: list[list[dict[str, Any]]] = [base]
    for column, value in [
        ("id", "01"), ("id", True), ("tag", "t2"), ("tag", Text("t9")), ("flag", "yes"), ("ratio", nan),
        ("ratio", Decimal("0.20")), ("when", date(1999, 1, 1)), ("when", "2021-1-5"), ("size", 9), ("free", "-"),
    ]:
        rows = copy.deepcopy(base)
        rows[3][column] = value
        variants.append(rows)
    shared_nan = copy.deepcopy(base)
    shared_nan[1]["ratio"] = shared_nan[2]["ratio"] = nan  # one NaN object twice: never "the same value"
    variants.append(shared_nan)
    schemas = {"custom": schema}
    fast, slow = PackageChecker(schemas), PackageChecker(schemas)
    for rows in variants:
        assert fast.check({"custom": rows}) == check_row_by_row(slow, {"custom": rows}, monkeypatch)


# --------------------------------------------------------------------------- #
# Accounting rules: the add-up tests and sharing
# --------------------------------------------------------------------------- #

MONEY = (Decimal("0"), Decimal("0.01"), Decimal("-3"), Decimal("1234.5"), Decimal("1E+3"), None)


def broken_budgets(rng: random.Random, count: int) -> Iterator[Budget]:
    """Copies of the budgets with a few amounts changed, so that tables stop adding up."""
    for _ in range(count):
        budget = copy.deepcopy(rng.choice(BUDGETS))
        slots = list(_money_slots(budget))
        for _ in range(rng.randint(1, 6)):
            owner, name, value = rng.choice(slots)
            object.__setattr__(owner, name, rng.choice([*MONEY, value + 1 if value is not None else None]))
        yield budget


def _money_slots(obj: Any) -> Iterator[tuple[Any, str, Decimal | None]]:
    """(object, field, value) of every Decimal field (and blank amount field) in a model object."""
    if isinstance(obj, list):
        for item in obj:
            yield from _money_slots(item)
    elif is_dataclass(obj):
        for item in fields(obj):
            value = getattr(obj, item.name)
            if isinstance(value, Decimal) or (value is None and item.name in ("amount", "total", "basic", "project")):
                yield obj, item.name, value
            elif isinstance(value, list) or is_dataclass(value):
                yield from _money_slots(value)


def finding_tuples(budget: Budget) -> list[tuple[Any, ...]]:
    return [(f.rule, f.severity, f.subject, f.message_zh, f.message_en, f.path, f.printed, f.computed, f.unit) for f in run_rules(budget)]


def test_the_add_up_tests_change_no_finding(monkeypatch):
    """The rules with ``adds_up`` / ``agrees`` always False (texts formatted for every row) find the same."""
    _load_rule_modules()
    rng = random.Random(7)
    cases = [*BUDGETS, *broken_budgets(rng, 40)]
    fast = [finding_tuples(budget) for budget in cases]
    rule_modules = {sys.modules[entry.check.__module__] for entry in RULES.values()}
    with monkeypatch.context() as patch:
        for module in rule_modules:
            for guard in ("adds_up", "agrees"):
                if hasattr(module, guard):
                    patch.setattr(module, guard, lambda *args: False)
        patch.setattr(helpers, "adds_up", lambda *args: False)  # column_sums (sum_finding and compare_finding keep theirs)
        slow = [finding_tuples(budget) for budget in cases]
    assert fast == slow
    assert sum(map(len, fast)) > 200  # the finding paths were exercised


def test_rules_find_the_same_alone_and_in_a_run():
    """Values shared within a run (indicator rows, a table's columns) are the values computed alone."""
    _load_rule_modules()
    for budget in [*BUDGETS, *broken_budgets(random.Random(3), 10)]:
        alone = [f for entry in RULES.values() for f in entry.check(budget)]
        assert run_rules(budget) == alone


# --------------------------------------------------------------------------- #
# Helpers and conversions against their plain versions
# --------------------------------------------------------------------------- #


def plain_present_columns(rows: Sequence[Any], names: Sequence[str]) -> list[str]:
    materialised = [row for row in rows if row is not None]
    return [name for name in names if any(getattr(row, name) is not None for row in materialised)]


def plain_root_indices(lines: Sequence[Any]) -> list[int]:
    codes = helpers.first_index(lines)
    return [
        position
        for position, line in enumerate(lines)
        if codes[line.code] == position and not any(a in codes for a in helpers.ancestors(line.code))
    ]


def plain_children_indices(lines: Sequence[Any]) -> dict[int, list[int]]:
    codes = helpers.first_index(lines)
    children: dict[int, list[int]] = {}
    for position, line in enumerate(lines):
        if codes[line.code] != position:
            continue
        parent = helpers.parent_code(line.code)
        if parent is not None and parent in codes:
            children.setdefault(codes[parent], []).append(position)
    return children


class Line:
    def __init__(self, code: str, total: Decimal | None = None):
        self.code, self.total, self.other = code, total, None


def code_tables() -> Iterator[list[Any]]:
    for budget in BUDGETS:
        for name in ("income_by_function", "expenditure_by_function", "gpb_basic_by_economic"):
            table = getattr(budget, name)
            if table is not None:
                yield table.lines
    odd = ["2", "20", "201", "2010", "20101", "2010101", "20101", "2019999", "99", "9901", "990101", "", "3" * 11]
    rng = random.Random(1)
    for _ in range(50):
        yield [Line(rng.choice(odd), rng.choice(MONEY)) for _ in range(rng.randint(0, 12))]


@pytest.mark.parametrize(
    ("fast", "plain"),
    [(helpers.root_indices, plain_root_indices), (helpers.children_indices, plain_children_indices)],
)
def test_code_hierarchy_helpers(fast: Callable[..., Any], plain: Callable[..., Any]):
    for lines in code_tables():
        assert fast(lines) == plain(lines)


def test_present_columns_and_total():
    for lines in code_tables():
        names = ["total", "code"] if not lines or not isinstance(lines[0], Line) else ["total", "other", "code"]
        assert helpers.present_columns([*lines, None], names) == plain_present_columns(lines, names)
        values = [line.total for line in lines]
        expected = sum((v for v in values if v is not None), Decimal(0))
        assert helpers.total(values) == expected and str(helpers.total(values)) == str(expected)


@pytest.mark.parametrize("unit", ["元", "万元", "千元"])
def test_to_yuan_in_is_yuan(unit: str):
    convert = normalise.to_yuan_in(unit)
    assert convert(None) is None
    for amount in (Decimal("0"), Decimal("12.34"), Decimal("1E+3"), Decimal("-0.00"), Decimal("1234567890.123456789")):
        if unit == "千元":  # not a unit: fails on an amount only, as yuan does
            with pytest.raises(KeyError):
                normalise.yuan(amount, unit)
            with pytest.raises(KeyError):
                convert(amount)
            continue
        expected = normalise.yuan(amount, unit)
        assert convert(amount) == expected and str(convert(amount)) == str(expected)
