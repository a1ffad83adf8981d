"""The synthetic data generator (``gongkai synth``).

Synthetic records stand in for real ones in benchmarks and in site tests, so
they must be exactly what a contributor could have written: they load with no
structural problem, pass Frictionless, and — unless a finding was injected on
purpose — satisfy every accounting rule. The identities are checked twice:
by a small independent checker here (so these tests do not depend on the rule
catalogue being complete) and by the catalogue itself.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from gongkai.cli import main
from gongkai.codes import load_codes
from gongkai.loader import LoadedRecord, load_paths
from gongkai.model import Budget, FunctionTable
from gongkai.synth import MANIFEST, SynthRecord, generate, write_site
from gongkai.synth_plan import FINDING_KINDS
from gongkai.synth_vocab import (
    DEPT_KINDS,
    HOUSING_LEAVE,
    MEDICAL_LEAVES,
    PENSION_LEAVES,
    SHARED_PROJECT_LEAVES,
)
from gongkai.validate import frictionless_problems, validate_records

ZERO = Decimal(0)
COUNT = 30


def _has_rules() -> bool:
    return importlib.util.find_spec("gongkai.rules.catalogue") is not None


@pytest.fixture(scope="module")
def clean_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small site without injected findings."""
    out = tmp_path_factory.mktemp("synth-clean")
    write_site(out, COUNT, seed=11, findings_rate=0.0)
    return out


@pytest.fixture(scope="module")
def clean_records(clean_site: Path) -> list[LoadedRecord]:
    return load_paths([clean_site / "content"])


@pytest.fixture(scope="module")
def many() -> list[SynthRecord]:
    """Enough records for several regions and departments (not written, not loaded)."""
    return list(generate(400, seed=4))


@pytest.fixture(scope="module")
def injected_records(tmp_path_factory: pytest.TempPathFactory) -> list[LoadedRecord]:
    """A small site where every record carries one injected finding."""
    out = tmp_path_factory.mktemp("synth-injected")
    summary = write_site(out, 16, seed=21, findings_rate=1.0)
    assert len(summary.injected) == 16
    assert {kind for kinds in summary.injected.values() for kind in kinds} <= set(FINDING_KINDS)
    return load_paths([out / "content"])


def _texts(count: int, seed: int, rate: float = 0.03) -> list[str]:
    return [r.text for r in generate(count, seed, rate)]


# --------------------------------------------------------------------------- #
# Determinism
# --------------------------------------------------------------------------- #


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_site(first, 25, seed=5)
    write_site(second, 25, seed=5)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) == 25 + 3  # records, mkdocs.yml, docs/index.md, manifest
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_different_seed_gives_different_records() -> None:
    assert _texts(5, seed=1) != _texts(5, seed=2)


def test_a_larger_count_extends_the_same_sequence() -> None:
    """N records are the first N of any larger run: benchmarks at 1k and 10k share data."""
    assert _texts(30, seed=3) == _texts(45, seed=3)[:30]


# --------------------------------------------------------------------------- #
# Structure and Frictionless
# --------------------------------------------------------------------------- #


def test_records_load_without_problems(clean_records: list[LoadedRecord]) -> None:
    assert len(clean_records) == COUNT
    problems = [p.format("en") for r in clean_records for p in r.problems]
    assert problems == []
    assert all(r.ok for r in clean_records)


def test_a_sample_passes_frictionless(clean_records: list[LoadedRecord]) -> None:
    sample = clean_records[:12]  # Frictionless is the slow part of validation
    if _has_rules():  # the whole pipeline, as `gongkai validate` runs it
        reports = validate_records(sample)
        assert [f"{r.record.display}: {p.format('en')}" for r in reports for p in r.problems] == []
        assert all(r.valid for r in reports)
    else:
        assert [f"{r.display}: {p.format('en')}" for r, p in frictionless_problems(sample)] == []


def test_budget_ids_are_unique_and_match_file_names(many: list[SynthRecord]) -> None:
    ids = [r.budget_id for r in many]
    assert len(set(ids)) == len(ids)
    for record in many[:20]:
        assert record.relative_path == f"content/{record.admin_code}/{record.budget_id}.yaml"


def test_site_project_files(clean_site: Path) -> None:
    config = (clean_site / "mkdocs.yml").read_text("utf-8")
    for needle in ("name: material", "language: zh", "font: false", "- gongkai"):
        assert needle in config
    plugins = yaml.safe_load(config)["plugins"]
    assert plugins[0] == "gongkai" or "gongkai" in plugins[0]  # search comes from gongkai (Pagefind)
    assert "search" not in plugins and not any(isinstance(p, dict) and "search" in p for p in plugins)
    assert (clean_site / "docs" / "index.md").is_file()
    manifest = json.loads((clean_site / MANIFEST).read_text("utf-8"))
    assert manifest == {"count": COUNT, "seed": 11, "findings_rate": 0.0, "injected": {}}


# --------------------------------------------------------------------------- #
# Shape
# --------------------------------------------------------------------------- #


def _budgets(records: Iterable[LoadedRecord]) -> list[Budget]:
    return [r.budget for r in records if r.budget is not None]


def test_shape_is_that_of_the_seeds(clean_records: list[LoadedRecord]) -> None:
    budgets = _budgets(clean_records)
    function_lines = [
        len(b.expenditure_by_function.lines) for b in budgets if b.expenditure_by_function
    ]
    economic_lines = [
        len(b.gpb_basic_by_economic.lines) for b in budgets if b.gpb_basic_by_economic
    ]
    assert len(function_lines) == len(economic_lines) == COUNT
    assert 26 <= sum(function_lines) / COUNT <= 34, function_lines
    assert 21 <= sum(economic_lines) / COUNT <= 28, economic_lines
    for budget in budgets:
        assert budget.projects is not None and 4 <= len(budget.projects) <= 25
        for project in budget.projects:
            assert 5 <= len(project.indicators) <= 10
            assert project.amount is not None and project.goal
        for name in ("income_expenditure_summary", "income_by_function", "fiscal_appropriation_summary",
                     "gpb_expenditure_by_function", "three_public", "operating_expenses"):  # fmt: skip
            assert getattr(budget, name) is not None, name
        assert (
            budget.three_public is not None
            and budget.three_public.rows
            and budget.three_public.narrative
        )
    assert any(b.amount_unit == "元" for b in budgets) and any(
        b.amount_unit == "万元" for b in budgets
    )
    assert any(p.spending_plan for b in budgets for p in b.projects or [])


def test_departments_have_consecutive_years(many: list[SynthRecord]) -> None:
    years: dict[str, list[int]] = {}
    for record in many:
        department, year, _ = record.budget_id.rsplit("-", 2)
        years.setdefault(department, []).append(int(year))
    spans = list(years.values())
    assert len({d.split("-")[0] for d in years}) > 3  # many regions
    for span in spans[:-1]:  # the last department may be cut short by --count
        assert 3 <= len(span) <= 5
        assert span == list(range(span[0], span[0] + len(span)))


def test_vocabulary_codes_are_in_the_shipped_code_lists() -> None:
    functions = load_codes("function")
    leaves = [*PENSION_LEAVES, *MEDICAL_LEAVES, HOUSING_LEAVE]
    leaves += [code for code, _ in SHARED_PROJECT_LEAVES]
    for kind in DEPT_KINDS:
        leaves += [kind.kuan + "01", *kind.project_leaves]
    for code in leaves:
        assert code in functions and code[:5] in functions and code[:3] in functions, code


def test_only_listed_codes_are_printed(clean_records: list[LoadedRecord]) -> None:
    functions, economic = load_codes("function"), load_codes("econ")
    for budget in _budgets(clean_records):
        assert budget.expenditure_by_function and budget.gpb_basic_by_economic
        for line in budget.expenditure_by_function.lines:
            assert functions[line.code] == line.name
        for econ in budget.gpb_basic_by_economic.lines:
            assert economic[econ.code] == econ.name


# --------------------------------------------------------------------------- #
# Accounting identities: an independent checker, then the rule catalogue
# --------------------------------------------------------------------------- #


def _n(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


def _tree_violations(
    name: str, rows: list[tuple[str, dict[str, Decimal | None]]], total: dict[str, Decimal | None]
) -> list[str]:
    """Parents = Σ children and 合计 = Σ top level, in every column (blank = 0)."""
    out = []
    codes = [code for code, _ in rows]
    for code, values in rows:
        children = [v for c, v in rows if len(c) == len(code) + 2 and c.startswith(code)]
        for column, value in values.items():
            if children and _n(value) != sum((_n(v[column]) for v in children), ZERO):
                out.append(f"{name} {code} {column}")
    top = min(len(c) for c in codes)
    for column, value in total.items():
        if _n(value) != sum((_n(v[column]) for c, v in rows if len(c) == top), ZERO):
            out.append(f"{name} 合计 {column}")
    return out


def _function_violations(name: str, table: FunctionTable) -> list[str]:
    rows = [
        (ln.code, {"total": ln.total, "basic": ln.basic, "project": ln.project})
        for ln in table.lines
    ]
    assert table.reported_total is not None
    total = table.reported_total
    out = _tree_violations(
        name, rows, {"total": total.total, "basic": total.basic, "project": total.project}
    )
    out += [
        f"{name} {ln.code} split"
        for ln in table.lines
        if _n(ln.total) != _n(ln.basic) + _n(ln.project)
    ]
    return out


def violations(budget: Budget) -> list[str]:
    """The identities of GUIDE §4 that the generator promises, checked plainly."""
    exp, gpb, econ = (
        budget.expenditure_by_function,
        budget.gpb_expenditure_by_function,
        budget.gpb_basic_by_economic,
    )
    assert (
        exp
        and gpb
        and econ
        and exp.reported_total
        and econ.reported_total
        and budget.projects is not None
    )
    out = _function_violations("支出总表", exp) + _function_violations("一般公共预算支出表", gpb)
    econ_rows = [
        (ln.code, {"total": ln.total, "personnel": ln.personnel, "public": ln.public})
        for ln in econ.lines
    ]
    reported = econ.reported_total
    out += _tree_violations(
        "基本支出表",
        econ_rows,
        {"total": reported.total, "personnel": reported.personnel, "public": reported.public},
    )
    if _n(reported.total) != _n(exp.reported_total.basic):
        out.append("基本支出表合计 ≠ 基本支出")
    project_total = sum((_n(p.amount) for p in budget.projects), ZERO)
    if project_total != _n(exp.reported_total.project):
        out.append("Σ 项目 ≠ 项目支出")
    for project in budget.projects:
        percents = [_n(point.percent) for point in project.spending_plan]
        if percents and (percents != sorted(percents) or percents[-1] != 100):
            out.append(f"项目{project.seq} 支出计划")
    out += _three_public_violations(budget)
    return out


def _three_public_violations(budget: Budget) -> list[str]:
    assert budget.three_public is not None
    rows = {row.item: _n(row.amount) for row in budget.three_public.rows}
    out = []
    if rows["subtotal"] != rows["abroad"] + rows["vehicle"] + rows["reception"]:
        out.append("三公小计")
    if rows["vehicle"] != rows["vehicle_purchase"] + rows["vehicle_operation"]:
        out.append("三公公车")
    return out


def test_clean_records_satisfy_the_identities(clean_records: list[LoadedRecord]) -> None:
    found = {r.display: violations(r.budget) for r in clean_records if r.budget is not None}
    assert {k: v for k, v in found.items() if v} == {}


def test_every_injected_record_breaks_an_identity(injected_records: list[LoadedRecord]) -> None:
    for record in injected_records:
        assert record.ok and record.budget is not None
        assert violations(record.budget), record.display


def test_default_findings_rate_injects_a_few(many: list[SynthRecord]) -> None:
    injected = [r for r in many if r.injected]
    assert 3 <= len(injected) <= 30  # ~3 % of 400


@pytest.mark.skipif(not _has_rules(), reason="gongkai.rules.catalogue is not written yet")
def test_clean_records_have_no_rule_findings(clean_records: list[LoadedRecord]) -> None:
    reports = validate_records(clean_records, frictionless=False)
    findings = [f.format("en") for rep in reports for f in rep.findings]
    assert findings == []
    assert all(rep.valid for rep in reports)


@pytest.mark.skipif(not _has_rules(), reason="gongkai.rules.catalogue is not written yet")
def test_injected_findings_are_reported_by_the_rules(injected_records: list[LoadedRecord]) -> None:
    reports = validate_records(injected_records, frictionless=False)
    silent = [rep.record.display for rep in reports if not rep.findings]
    assert silent == []


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #


def test_cli_writes_a_site_and_refuses_to_mix_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    assert main(["synth", "--count", "6", "--out", str(out), "--seed", "3"]) == 0
    assert len(list((out / "content").rglob("*.yaml"))) == 6
    assert "6 条记录" in capsys.readouterr().err
    assert main(["synth", "--count", "4", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["synth", "--count", "4", "--out", str(out), "--force"]) == 0
    assert len(list((out / "content").rglob("*.yaml"))) == 4


def test_cli_rejects_a_rate_outside_zero_to_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["synth", "--count", "1", "--out", str(tmp_path), "--findings-rate", "3"]) == 2
    assert "--findings-rate" in capsys.readouterr().err
