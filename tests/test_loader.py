"""The loader: typed binding, exact decimals, and hostile or broken input.

Every case asserts the problem code and its location, and that the loader
returns (never raises) for the user's mistake.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.loader import add_duplicate_problems, load_bytes, load_file
from gongkai.model import Budget


def codes(record) -> list[tuple[str, int | None]]:
    return [(p.code, p.location.line) for p in record.problems]


def test_minimal_record_binds_to_typed_model(write_record, minimal_text):
    record = load_file(write_record(minimal_text))
    assert record.ok, [p.format() for p in record.problems]
    assert isinstance(record.budget, Budget)
    assert record.budget.budget_id == "130532-101-2023-budget"
    assert record.locations["department.name"].line == 9


def test_amounts_are_exact_decimals_never_floats(write_record, minimal_text):
    text = minimal_text + "projects:\n  - {seq: 1, name: 项目, amount: 0.1, fiscal_amount: 2184.44, other_amount: 233.00}\n"
    budget = load_file(write_record(text)).budget
    project = budget.projects[0]
    assert project.amount == Decimal("0.1") and isinstance(project.amount, Decimal)
    assert str(project.other_amount) == "233.00"  # printed decimals kept
    assert project.fiscal_amount * 10000 == Decimal("21844400.00")


def test_unquoted_codes_keep_their_digits(write_record, minimal_text):
    text = minimal_text.replace('code: "101"', "code: 0101").replace("130532-101", "x")
    record = load_bytes(text.encode(), Path("130532-0101-2023-budget.yaml"), "f.yaml")
    assert record.budget.department.code == "0101"


@pytest.mark.parametrize(
    "snippet, code, line",
    [
        ("projects:\n  - {seq: 1, name: x, amount: '1,234.00'}\n", "schema.number-as-text", 16),
        ("projects:\n  - {seq: 1, name: x, amount: 12万}\n", "schema.number-as-text", 16),
        ("projects:\n  - {seq: 1, name: x, amount: １２３}\n", "schema.number-as-text", 16),
        ("projects:\n  - {seq: 1, name: x, amount: .nan}\n", "schema.not-finite", 16),
        ("projects:\n  - {seq: 1, name: x, amount: .inf}\n", "schema.not-finite", 16),
        ("projects:\n  - {seq: 1, name: x, amount: -5}\n", "schema.negative", 16),
        ("projects:\n  - {seq: 1, name: x, amonut: 5}\n", "schema.unknown-key", 16),
        ("projects:\n  - {seq: 1}\n", "schema.missing-key", 16),
        ("projects:\n  - {seq: one, name: x}\n", "schema.type", 16),
        ("expenditure_by_function:\n  fund_scope: al\n", "schema.enum", 16),
        ("expenditure_by_function:\n  fund_scope: all\n  lines:\n    - {code: '20A', name: x}\n", "schema.pattern", 18),
        ("expenditure_by_function:\n  fund_scope: all\n  lines:\n    - {code: '2013', name: x}\n", "schema.pattern", 18),
        ("state_assets:\n  as_of: 2022-13-45\n", "schema.date", 16),
    ],
)
def test_structural_problems_are_located(write_record, minimal_text, snippet, code, line):
    record = load_file(write_record(minimal_text + snippet))
    assert record.budget is None
    assert (code, line) in codes(record), [p.format() for p in record.problems]


def test_all_problems_are_reported_not_just_the_first(write_record, minimal_text):
    text = minimal_text + "projects:\n  - {seq: 1, name: x, amount: -1, fiscal_amount: '3'}\n  - {seq: 2}\n"
    found = {c for c, _ in codes(load_file(write_record(text)))}
    assert {"schema.negative", "schema.number-as-text", "schema.missing-key"} <= found


def test_duplicate_keys_are_refused(write_record, minimal_text):
    record = load_file(write_record(minimal_text + "fiscal_year: 2024\n"))
    assert ("yaml.duplicate-key", 15) in codes(record)
    assert record.problems[0].params["first_line"] == 2


def test_file_name_must_match_record_id(write_record, minimal_text):
    record = load_file(write_record(minimal_text, name="wrong-name.yaml"))
    assert [p.code for p in record.problems] == ["record.file-name"]
    assert "130532-101-2023-budget.yaml" in record.problems[0].message()


def test_two_files_claiming_the_same_department_year(tmp_path, minimal_text):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = []
    for folder in ("a", "b"):
        path = tmp_path / folder / "130532-101-2023-budget.yaml"
        path.write_text(minimal_text, encoding="utf-8")
        paths.append(path)
    records = [load_file(p) for p in paths]
    add_duplicate_problems(records)
    assert records[0].ok
    assert [p.code for p in records[1].problems] == ["record.duplicate-id"]


def test_project_seq_must_run_from_one(write_record, minimal_text):
    text = minimal_text + "projects:\n  - {seq: 1, name: a}\n  - {seq: 3, name: b}\n"
    record = load_file(write_record(text))
    assert ("record.seq", 17) in codes(record)


def test_disclosed_empty_section_cannot_have_rows(write_record, minimal_text):
    text = minimal_text + (
        "government_fund_expenditure:\n  status: disclosed_empty\n  fund_scope: government_fund\n"
        "  lines:\n    - {code: '201', name: x, total: 1}\n"
    )
    assert ("record.empty-section", 16) in codes(load_file(write_record(text)))


# -- hostile and broken files ------------------------------------------------- #


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "file.empty"),
        (b"# only a comment\n", "file.empty"),
        (b"\x00\x01binary", "file.binary"),
        ("名称: 测试".encode("gbk"), "file.not-utf8"),
        (b"a: 'unclosed\n", "yaml.syntax"),
        (b"a:\n\t- b\n", "yaml.tab"),
        (b"a: 1\n---\nb: 2\n", "yaml.multiple-documents"),
        (b"a: !!python/object:os.system {}\n", "yaml.tag"),
        (b"a: !custom 1\n", "yaml.tag"),
        (b"a: &x [1]\nb: *x\n", "yaml.alias"),
    ],
)
def test_broken_and_hostile_files(data, code):
    record = load_bytes(data, Path("x.yaml"), "x.yaml")
    assert record.budget is None
    assert [p.code for p in record.problems][:1] == [code]
    assert record.problems[0].location.file == "x.yaml"


def test_billion_laughs_is_refused_quickly():
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    start = time.perf_counter()
    record = load_bytes("\n".join(lines).encode(), Path("x.yaml"), "x.yaml")
    assert time.perf_counter() - start < 1.0
    assert [p.code for p in record.problems] == ["yaml.alias"]


def test_deep_nesting_is_refused_before_parsing():
    record = load_bytes(b"a: " + b"[" * 100_000 + b"]" * 100_000, Path("x.yaml"), "x.yaml")
    assert [p.code for p in record.problems] == ["yaml.too-deep"]


def test_oversized_file_is_refused_without_parsing():
    data = b"a: " + b"x" * (6 * 1024 * 1024)
    record = load_bytes(data, Path("x.yaml"), "x.yaml")
    assert [p.code for p in record.problems] == ["file.too-large"]


def test_missing_file_is_a_problem_not_a_traceback(tmp_path):
    record = load_file(tmp_path / "nope.yaml")
    assert [p.code for p in record.problems] == ["file.not-found"]
