"""Differential test: the native Table Schema checker against frictionless-py itself.

:mod:`gongkai.tablecheck` re-implements the Frictionless checks our schemas
use; it is trustworthy only as long as it says what frictionless-py says. So
every test here builds tables, runs both engines on them and compares the
errors: the set of (resource, row, field, error type) — the contract — and
then the ordered list with frictionless's notes and messages. The tables are the seed
records and a corpus of deliberately broken rows: every field of every record
resource with bad and borderline values of its type and constraints, key
violations (duplicate, all-null and partly null keys, foreign keys to code
lists and to other resources), blank rows, a broken code list (self-reference)
and small custom schemas for ``unique``, ``boolean``, bounds, ``minLength`` /
``maxLength`` and the error limit. The last tests show that the comparison fails when
the native checker is wrong.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from frictionless import Package
from gongkai.codes import load_codes
from gongkai.loader import load_bytes, load_file
from gongkai.package import RecordData, build_tables, cell_text
from gongkai.synth import generate
from gongkai.tablecheck import LIMIT_ERRORS, PackageChecker, record_checker
from gongkai.tables import CODE_LISTS, TABLES, TABLES_BY_NAME

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "content").glob("*/*.yaml"))
SCHEMAS = {t.name: t.schema() for t in TABLES if t.name != "findings"}
RECORD_RESOURCES = [name for name in SCHEMAS if name not in CODE_LISTS]
CODE_TABLES = build_tables([], CODE_LISTS)
Tables = dict[str, list[dict[str, Any]]]
Key = tuple[str, int | None, str, str]


# --------------------------------------------------------------------------- #
# The two engines
# --------------------------------------------------------------------------- #


def frictionless_errors(tables: Mapping[str, Sequence[dict[str, Any]]], schemas: Mapping[str, dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(resource, row, field, type, note, message) of every error frictionless-py reports, in its order."""
    resources = []
    for name, schema in schemas.items():
        rows = tables[name] if name in tables else CODE_TABLES[name]
        columns = [f["name"] for f in schema["fields"]]
        matrix = [columns] + [[cell_text(row.get(c)) for c in columns] for row in rows]
        resources.append({"name": name, "data": matrix, "schema": schema})
    descriptor: dict[str, Any] = {"name": "differential", "resources": resources}
    if any("exclusiveMinimum" in str(schema) for schema in schemas.values()):
        descriptor["$schema"] = "https://datapackage.org/profiles/2.0/datapackage.json"  # v2 bounds
    report = Package(descriptor).validate()
    assert not report.errors, [e.message for e in report.errors]
    return [
        (task.name, getattr(e, "row_number", None), getattr(e, "field_name", ""), e.type, e.note, e.message)
        for task in report.tasks
        for e in task.errors
    ]


def native_errors(tables: Mapping[str, Sequence[dict[str, Any]]], checker: PackageChecker) -> list[tuple[Any, ...]]:
    return [(e.resource, e.row_number, e.field_name, e.type, e.note, e.message) for e in checker.check(tables)]


def assert_same(
    tables: Mapping[str, Sequence[dict[str, Any]]],
    schemas: Mapping[str, dict[str, Any]] = SCHEMAS,
    checker: PackageChecker | None = None,
) -> list[tuple[Any, ...]]:
    """Both engines report the same errors; returns them (frictionless's)."""
    checker = checker or record_checker()
    expected = frictionless_errors(tables, schemas)
    found = native_errors(tables, checker)
    missing = sorted({e[:4] for e in expected} - {e[:4] for e in found}, key=str)
    extra = sorted({e[:4] for e in found} - {e[:4] for e in expected}, key=str)
    assert not missing and not extra, f"only frictionless: {missing[:20]}\nonly native: {extra[:20]}"
    assert found == expected  # same order, same notes and messages (cell texts, positions)
    return expected


def record_tables(path: Path) -> Tables:
    record = load_file(path)
    assert record.budget is not None and record.ok, [p.format() for p in record.problems]
    return build_tables([RecordData(record.budget, record.display)], RECORD_RESOURCES)


# --------------------------------------------------------------------------- #
# Seeds
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_records_agree(path):
    assert assert_same(record_tables(path)) == []


def test_seed_records_agree_when_checked_together():
    """Several records in one package: cross-record keys behave the same too."""
    tables: Tables = {name: [] for name in RECORD_RESOURCES}
    for path in SEEDS[:3]:
        for name, rows in record_tables(path).items():
            tables[name].extend(rows)
    duplicate = copy.deepcopy(tables["projects"][0])  # the same project twice
    tables["projects"].append(duplicate)
    assert assert_same(tables)


def test_synthetic_records_agree():
    """Synthetic records fill resources the seeds leave empty (procurement, …)."""
    for synth in generate(2, seed=7, findings_rate=0.0):
        record = load_bytes(synth.text.encode("utf-8"), Path(f"{synth.budget_id}.yaml"), f"{synth.budget_id}.yaml")
        assert record.budget is not None and record.ok, [p.format() for p in record.problems]
        tables = build_tables([RecordData(record.budget, record.display)], RECORD_RESOURCES)
        assert assert_same(tables) == []


# --------------------------------------------------------------------------- #
# The broken corpus
# --------------------------------------------------------------------------- #

FUNC_CODE = next(iter(load_codes("function")))
ECON_CODE = next(iter(load_codes("econ")))


def valid_value(table: str, column: dict[str, Any], budget_id: str, department_id: str) -> Any:
    """A value that passes the column's schema (to build rows for empty resources)."""
    name, constraints = column["name"], column.get("constraints", {})
    if name == "budget_id":
        return budget_id
    if name == "department_id":
        return department_id
    if "enum" in constraints:
        return constraints["enum"][0]
    if name in ("func_code", "code" if table == "function_codes" else ""):
        return FUNC_CODE
    if name == "econ_code":
        return ECON_CODE
    if name == "admin_code":
        return department_id[:6]
    if column["type"] == "integer":
        return constraints.get("minimum", 1)
    if column["type"] == "number":
        return Decimal("12.50")
    if column["type"] == "date":
        return date(2023, 1, 31)
    return f"{name} 文字" if constraints.get("required") else None


def base_tables() -> Tables:
    """A seed record's tables, with one valid row added to every empty resource."""
    tables = record_tables(REPO / "content/130532/130532-203-2023-budget.yaml")
    budget = tables["budgets"][0]
    for name in RECORD_RESOURCES:
        if not tables[name]:
            columns = SCHEMAS[name]["fields"]
            tables[name].append(
                {c["name"]: valid_value(name, c, budget["budget_id"], budget["department_id"]) for c in columns}
            )
    return tables


def bad_values(column: dict[str, Any]) -> list[Any]:
    """Bad and borderline values for a column, by its type and constraints."""
    kind, constraints = column["type"], column.get("constraints", {})
    values: list[Any] = [None, "", " ", True]
    if kind == "string":
        values += [12, Decimal("1.50"), date(2020, 2, 29), "x" * 3, "字\n"]
        if "pattern" in constraints:
            values += ["abc", "2010101\n", "2010101 ", "20101011", "101", "130532-101-2023-budget\n", "130532-1-2023-final"]
        if "enum" in constraints:
            first = constraints["enum"][0]
            values += ["other", f" {first}", first.upper() + "x", first]
    elif kind == "integer":
        values += ["abc", "1.0", "1.5", " 7 ", "+3", "1_0", "٣", "1e2", "0x10", 0, -1, 1, 12, 13, 1948, 1949, 2100, 2101,
                   Decimal("2"), Decimal("2.0"), 2.0, "-0", 10**30]
    elif kind == "number":
        values += ["abc", "1,234.50", "1 234", "NaN", "-NaN", "Infinity", "-Infinity", "1e3", "-1e-3", " 12 ", "1_000",
                   "٣.٥", "-0", "-0.00", "+5", ".5", "5.", Decimal("NaN"), Decimal("-Infinity"), Decimal("-0.01"),
                   Decimal("1E+2"), -5, 5, 1.5, date(2020, 1, 1)]
    elif kind == "date":
        values += ["2023-13-01", "2023-1-5", "2023/01/05", "20230105", "2023-02-29", "2024-02-29", " 2023-01-05",
                   "2023-01-05T00:00:00", date(2023, 1, 5), datetime(2023, 1, 5), datetime(2023, 1, 5, 8), 20230105]
    return values


def fresh_key(table: str, row: dict[str, Any], index: int, keep: str) -> None:
    """Give a copied row its own primary key (except the field under test)."""
    for column in SCHEMAS[table]["fields"]:
        name = column["name"]
        if name not in SCHEMAS[table]["primaryKey"] or name == keep:
            continue
        if (table, name) == ("budgets", "budget_id"):
            row[name] = f"130532-X{index}-2023-budget"
        elif (table, name) == ("departments", "department_id"):
            row[name] = f"130532-X{index}"
        if name in ("budget_id", "department_id"):
            continue
        constraints = column.get("constraints", {})
        if column["type"] == "integer":
            row[name] = 1000 + index
        elif "enum" not in constraints and "pattern" not in constraints:
            row[name] = f"{row.get(name)}-{index}"


def test_every_broken_cell_agrees():
    """Every field of every record resource, with every bad value of its kind, one per row."""
    tables = base_tables()
    for name in RECORD_RESOURCES:
        base = tables[name][0]
        index = 0
        for column in SCHEMAS[name]["fields"]:
            for value in bad_values(column):
                index += 1
                row = dict(base)
                fresh_key(name, row, index, keep=column["name"])
                row[column["name"]] = value
                tables[name].append(row)
    errors = assert_same(tables)
    kinds = Counter(e[3] for e in errors)
    assert {"type-error", "constraint-error", "primary-key", "foreign-key"} <= set(kinds), kinds
    notes = " ".join(e[4] for e in errors)
    for constraint in ("required", "pattern", "enum", "minimum", "maximum"):
        assert f'constraint "{constraint}"' in notes, constraint
    for kind in ("integer", "number", "date"):
        assert f'type is "{kind}/default"' in notes, kind
    # every constraint our schemas declare was exercised
    declared = {c for t in SCHEMAS.values() for f in t["fields"] for c in f.get("constraints", {})}
    assert declared <= {"required", "pattern", "enum", "minimum", "maximum"}, declared


def test_broken_keys_agree():
    tables = base_tables()
    projects, indicators, plan = tables["projects"], tables["project_indicators"], tables["project_spending_plan"]
    budget_id = tables["budgets"][0]["budget_id"]
    projects.append(dict(projects[0]))  # duplicate primary key
    projects.append({**projects[1], "project_seq": "02"})  # the same integer, written differently
    projects.append({**projects[2], "project_seq": None})  # partly null key
    projects.append({**projects[3], "budget_id": None, "project_seq": None})  # all-null key
    projects.append({**projects[4], "project_seq": "x"})  # type error inside a key
    indicators.append({**indicators[0], "project_seq": 999, "indicator_seq": 1})  # unknown project
    indicators.append({**indicators[0], "project_seq": "3", "indicator_seq": 9001})  # typed match
    indicators.append({**indicators[0], "project_seq": None, "indicator_seq": 9002})  # partly null foreign key
    indicators.append({**indicators[0], "budget_id": None, "project_seq": None, "indicator_seq": 9003})
    indicators.append({**indicators[0], "budget_id": "110000-1-2023-budget", "indicator_seq": 9004})  # other record
    plan.append({"budget_id": budget_id, "project_seq": 999, "month": 14, "percent": Decimal("-1")})
    tables["expenditure_by_function"].append({**tables["expenditure_by_function"][0], "func_code": "2019999"})
    tables["expenditure_by_function"].append({**tables["expenditure_by_function"][0], "func_code": "201 "})
    tables["basic_expenditure_by_economic"].append({**tables["basic_expenditure_by_economic"][0], "econ_code": "39999"})
    tables["operating_expenses"].append({**tables["operating_expenses"][0], "seq": 77, "econ_code": None})
    tables["budgets"].append({**tables["budgets"][0], "department_id": "110000-9"})  # duplicate budget, unknown department
    tables["departments"].append(dict(tables["departments"][0]))
    errors = assert_same(tables)
    assert {"primary-key", "foreign-key", "constraint-error", "type-error"} <= {e[3] for e in errors}


def test_blank_and_odd_rows_agree():
    tables = base_tables()
    tables["sections"].append({})  # blank: one blank-row error, and the all-null key
    tables["sections"].append({"_path": "sections", "unknown": "ignored"})
    tables["projects"].append({name: "" for name in TABLES_BY_NAME["projects"].column_names})
    tables["projects"].append({"project_seq": 0})  # not blank: a zero is a value
    tables["narrative_figures"].append({**tables["narrative_figures"][0], "seq": 1})  # duplicate after errors
    tables["assets"] = []  # an empty resource
    errors = assert_same(tables)
    assert "blank-row" in {e[3] for e in errors}


def test_broken_code_list_agrees():
    """The shipped lists' own checks, self-referencing foreign key included, on broken copies."""
    schemas = {name: SCHEMAS[name] for name in CODE_LISTS}
    tables = copy.deepcopy(CODE_TABLES)
    functions = tables["function_codes"]
    functions.append({"code": "2999999", "name": "孤儿", "level": 3, "parent_code": "29999"})
    functions.append({"code": "20101", "name": "重复", "level": 2, "parent_code": "201"})
    functions.append({"code": "20", "name": "短", "level": 4, "parent_code": None})
    functions.append({"code": "20199", "name": "自己", "level": 2, "parent_code": "20199"})
    functions.append({"code": None, "name": None, "level": None, "parent_code": "201"})
    tables["econ_codes"].append({"code": "401", "name": "非支出", "level": 1, "parent_code": "4"})
    tables["rules"].append(dict(tables["rules"][0]))
    checker = PackageChecker(schemas)
    errors = assert_same(tables, schemas, checker)
    assert "foreign-key" in {e[3] for e in errors}
    assert record_checker().constant_errors == []  # and the shipped lists are valid


CUSTOM = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"unique": True, "required": True}},
        {"name": "tag", "type": "string", "constraints": {"unique": True, "minLength": 2, "maxLength": 3}},
        {"name": "flag", "type": "boolean", "constraints": {"enum": [True]}},
        {"name": "ratio", "type": "number", "decimalChar": ".", "groupChar": "",
         "constraints": {"exclusiveMinimum": 0, "exclusiveMaximum": 1, "unique": True}},
        {"name": "when", "type": "date", "constraints": {"minimum": "2000-01-01", "maximum": "2030-12-31"}},
        {"name": "size", "type": "integer", "constraints": {"enum": [1, 2, "3"]}},
        {"name": "free", "type": "string"},
    ],
    "missingValues": ["", "-"],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["size"], "reference": {"fields": ["id"]}},
        {"fields": ["size"], "reference": {"resource": "custom", "fields": ["id"]}},  # self, by name
    ],
}


def test_unique_boolean_bounds_and_missing_values_agree():
    rows = [
        {"id": 1, "tag": "ab", "flag": True, "ratio": Decimal("0.5"), "when": date(2020, 1, 1), "size": 1},
        {"id": "01", "tag": "ab", "flag": "TRUE", "ratio": "0.50", "when": "2031-01-01", "size": 2},
        {"id": 2, "tag": "a", "flag": "yes", "ratio": 1, "when": "1999-12-31", "size": 3},
        {"id": 3, "tag": "abcd", "flag": False, "ratio": 0, "when": "-", "size": "-"},
        {"id": "-", "tag": "-", "flag": "-", "ratio": "-", "when": None, "size": 4},
        {"id": 4, "tag": None, "flag": "0", "ratio": "NaN", "when": date(2000, 1, 1), "size": "3"},
        {"id": 5, "tag": "abc", "flag": 1, "ratio": Decimal("NaN"), "when": "2030-12-31", "size": 9},
        {"id": "x", "tag": "xyz", "flag": True, "ratio": Decimal("0.25"), "size": 1},
        {"free": "only this"},
        {},
        {"id": 6, "tag": "xyz", "ratio": Decimal("0.250"), "free": "-"},
    ]
    schemas = {"custom": CUSTOM}
    errors = assert_same({"custom": rows}, schemas, PackageChecker(schemas))
    assert {"unique-error", "blank-row", "foreign-key", "primary-key", "type-error"} <= {e[3] for e in errors}


def test_the_error_limit_agrees():
    schema = {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": 5, "maximum": 1}}],
              "missingValues": [""], "primaryKey": ["n"]}
    rows = [{"n": i % 400} for i in range(700)]  # two constraint errors a row, then duplicate keys
    schemas = {"limited": schema}
    errors = assert_same({"limited": rows}, schemas, PackageChecker(schemas))
    assert len(errors) == LIMIT_ERRORS


def test_unsupported_schemas_are_refused():
    from gongkai.tablecheck import compile_schema

    for field in (
        {"name": "a", "type": "string", "format": "email"},
        {"name": "a", "type": "year"},
        {"name": "a", "type": "number", "floatNumber": True},
        {"name": "a", "type": "string", "constraints": {"minimum": 1}},
        {"name": "a", "type": "string", "arrayItem": {}},
    ):
        with pytest.raises(NotImplementedError):
            compile_schema("x", {"fields": [field]})


# --------------------------------------------------------------------------- #
# The comparison can fail
# --------------------------------------------------------------------------- #


def test_a_missing_constraint_is_caught():
    """A native checker that forgot one constraint disagrees with frictionless on the broken corpus."""
    schemas = copy.deepcopy(SCHEMAS)
    for field in schemas["budgets"]["fields"]:
        if field["name"] == "income_total_yuan":
            del field["constraints"]
    wrong = PackageChecker(schemas, CODE_TABLES)
    tables = base_tables()
    tables["budgets"][0]["income_total_yuan"] = Decimal("-1")
    with pytest.raises(AssertionError, match="only frictionless"):
        assert_same(tables, SCHEMAS, wrong)


def test_a_wrong_reading_is_caught(monkeypatch):
    """A native checker that reads integers more strictly than frictionless disagrees."""
    checker = PackageChecker(SCHEMAS, CODE_TABLES)
    field = checker.tables["projects"].by_name["project_seq"]
    original = field.value_reader
    monkeypatch.setattr(field, "value_reader", lambda cell: original(cell) if not isinstance(cell, str) or cell.isdigit() else None)
    tables = base_tables()
    tables["projects"].append({**tables["projects"][0], "project_seq": " 99 "})
    with pytest.raises(AssertionError, match="only native"):
        assert_same(tables, SCHEMAS, checker)


def test_a_wrong_order_is_caught():
    """The notes and the order are compared too, not only the sets."""
    checker = PackageChecker(SCHEMAS, CODE_TABLES)
    tables = base_tables()
    tables["projects"].append({**tables["projects"][0], "name": None})
    original = checker.check

    def reversed_check(t: Mapping[str, Sequence[dict[str, Any]]]) -> list[Any]:
        return [*reversed(original(t))]

    checker.check = reversed_check  # type: ignore[method-assign]
    with pytest.raises(AssertionError):
        assert_same(tables, SCHEMAS, checker)
