"""The ``gongkai`` command as a contributor and CI use it: exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gongkai.cli import main

BROKEN = "projects:\n  - {seq: 1, name: x, amount: '1,234.00'}\n"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess (as a user would)."""
    return subprocess.run(
        [sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_validate_valid_record_exits_0(write_record, minimal_text):
    path = write_record(minimal_text)
    result = run("validate", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 个通过" in result.stdout
    assert "Traceback" not in result.stderr


def test_validate_invalid_record_exits_1_with_location(write_record, minimal_text):
    path = write_record(minimal_text + BROKEN)
    result = run("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:16:" in result.stdout
    assert "schema.number-as-text" in result.stdout
    assert "1234.00" in result.stdout  # the fix
    assert "Traceback" not in result.stderr


def test_validate_english_on_request(write_record, minimal_text):
    path = write_record(minimal_text + BROKEN)
    result = run("validate", "--lang", "en", str(path))
    assert "should be a number" in result.stdout


def test_validate_json_output_is_machine_readable(write_record, minimal_text):
    path = write_record(minimal_text + BROKEN)
    result = run("validate", "--format", "json", str(path))
    payload = json.loads(result.stdout)
    assert payload["summary"]["invalid"] == 1
    problem = payload["records"][0]["problems"][0]
    assert (problem["code"], problem["line"], problem["column"]) == ("schema.number-as-text", 16, 31)


def test_validate_github_annotations(write_record, minimal_text):
    path = write_record(minimal_text + BROKEN)
    result = run("validate", "--format", "github", str(path))
    assert result.stdout.startswith(f"::error file={path},line=16,col=31,")


@pytest.mark.parametrize("args", [["validate", "/no/such/path"], ["validate", "--format", "xml"], ["frobnicate"]])
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_validate_seed_content_has_no_structural_problems(repo):
    """Issue 3's bar: the five seeds pass structure and Frictionless."""
    result = run("validate", "--format", "json", str(repo / "content"))
    payload = json.loads(result.stdout)
    assert payload["summary"]["files"] >= 5
    assert payload["summary"]["problems"] == 0, result.stdout[:3000]
    assert result.returncode == 0


def test_strict_mode_fails_on_unacknowledged_accounting_errors(repo, tmp_path):
    """Seed 001 prints a blank 三公 subtotal: an error finding, fatal only with --strict."""
    seed = next((repo / "content").rglob("130532-203-2023-budget.yaml"))
    assert run("validate", str(seed)).returncode == 0
    assert run("validate", "--strict", str(seed)).returncode == 1


def test_schema_command_matches_committed_schema(repo, capsys):
    assert main(["schema"]) == 0
    committed = (repo / "plugins/gongkai/data/budget.schema.json").read_text("utf-8")
    assert capsys.readouterr().out == committed, "run: gongkai schema --out plugins/gongkai/data/budget.schema.json"


def test_reference_page_matches_committed_page(repo, capsys):
    assert main(["reference"]) == 0
    committed = (repo / "docs/reference/budget-format.md").read_text("utf-8")
    assert capsys.readouterr().out == committed, "run: gongkai reference --out docs/reference/budget-format.md"


def test_every_content_file_points_editors_at_the_schema(repo):
    for path in (repo / "content").rglob("*.yaml"):
        first = path.read_text("utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../plugins/gongkai/data/budget.schema.json", path


def test_reference_page_holds_no_generated_signatures(repo):
    """Undocumented classes must not leak dataclass signatures (``<factory>`` breaks HTML)."""
    text = (repo / "docs/reference/budget-format.md").read_text("utf-8")
    assert "<factory>" not in text and "(*," not in text


@pytest.fixture
def many_records(repo, tmp_path):
    """Seeds, a duplicate, a broken file and a record with a code missing from the code lists."""
    for seed in sorted((repo / "content").rglob("*.yaml")):
        (tmp_path / seed.parent.name).mkdir(exist_ok=True)
        (tmp_path / seed.parent.name / seed.name).write_bytes(seed.read_bytes())
    seed = next((repo / "content").rglob("130532-203-2023-budget.yaml"))
    (tmp_path / "zz").mkdir()
    (tmp_path / "zz" / seed.name).write_bytes(seed.read_bytes())  # duplicate budget id
    (tmp_path / "zz" / "broken.yaml").write_text("fiscal_year: [\n", "utf-8")
    code = seed.read_text("utf-8").replace("- code: \"30101\"", "- code: \"30198\"", 1)
    name = "130532-204-2023-budget.yaml"
    (tmp_path / "130532" / name).write_text(code.replace('  code: "203"', '  code: "204"', 1), "utf-8")
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_validate_output_does_not_depend_on_jobs(many_records, fmt):
    one = run("validate", "--format", fmt, "--jobs", "1", str(many_records))
    two = run("validate", "--format", fmt, "--jobs", "2", str(many_records))
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stdout
    assert "Traceback" not in one.stderr + two.stderr
    if fmt == "text":
        assert "record.duplicate-id" in one.stdout
        assert "foreign-key" in one.stdout and "30198" in one.stdout
        assert "共 8 个文件" in one.stdout


def test_validate_engine_frictionless_is_the_reference(many_records):
    native = run("validate", "--lang", "en", str(many_records))
    reference = run("validate", "--lang", "en", "--engine", "frictionless", str(many_records))
    assert native.returncode == reference.returncode == 1
    assert native.stdout == reference.stdout


def test_validate_help_documents_jobs_and_engine():
    result = run("validate", "--help")
    assert "--jobs" in result.stdout and "--engine" in result.stdout and "frictionless" in result.stdout


@pytest.mark.parametrize("args", [["--engine", "fast"], ["--jobs", "0"], ["--jobs", "x"]])
def test_validate_bad_options_exit_2(write_record, minimal_text, args):
    path = write_record(minimal_text)
    result = run("validate", *args, str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
