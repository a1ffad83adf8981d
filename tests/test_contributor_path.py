"""The contributor path, end to end, with the real commands.

A contributor with a disclosure and no knowledge of this codebase: scaffolds
the department-year with ``gongkai new``, transcribes the tables (here: from
a fixture), makes a typical mistake, reads the message, fixes it, validates
clean, builds the site with ``mkdocs build`` and finds the department's page.
Every step runs the console commands in a subprocess, as a person would.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "contributor_site"
NAME = "中共示例县委组织部"
RECORD_ID = "130532-901-2024-budget"
RELATIVE = Path("content") / "130532" / f"{RECORD_ID}.yaml"


def gongkai(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongkai.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def mkdocs_build(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--clean", "--site-dir", "site"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh site project: mkdocs.yml, a home page, an empty content/ directory."""
    root = tmp_path / "site-project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("fill.yaml"))
    (root / "content").mkdir()
    return root


def fill(scaffold: str) -> str:
    """Transcribe the tables: the fixture's sections replace the scaffold's empty notes."""
    sections = (FIXTURE / "fill.yaml").read_text("utf-8")
    assert scaffold.count("transcription_notes: []\n") == 1
    return scaffold.replace("transcription_notes: []\n", sections)


def line_of(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of ``needle``'s value (after ``key: ``)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + len(needle.split(": ")[0]) + 3
    raise AssertionError(f"{needle!r} not in the file")


@pytest.mark.slow
def test_scaffold_fill_mistake_fix_validate_build_and_see_the_page(project: Path):
    # 1. scaffold
    result = gongkai(
        "new", "--no-input", "--name", NAME, "--dept-code", "901", "--admin-code", "130532",
        "--province", "河北省", "--prefecture", "邢台市", "--county", "平乡县", "--year", "2024",
        "--unit", "万元", "--title", f"{NAME}2024年部门预算公开", "--format-of-source", "pdf",
        cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record = project / RELATIVE
    assert record.is_file(), result.stdout
    assert gongkai("validate", str(RELATIVE), cwd=project).returncode == 0

    # 2. fill it in, with a typical mistake: the unit typed after the number
    filled = fill(record.read_text("utf-8"))
    mistaken = filled.replace("    amount: 100.00\n", "    amount: 100.00万元\n", 1)
    assert mistaken != filled
    record.write_text(mistaken, encoding="utf-8")

    # 3. validate: exit 1, the message names file:line:column, what was found and the fix
    result = gongkai("validate", str(RELATIVE), cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    line, column = line_of(mistaken, "amount: 100.00万元")
    assert f"{RELATIVE}:{line}:{column}: 错误[schema.number-as-text] (projects[0].amount)" in result.stdout
    assert "“100.00万元”" in result.stdout and "请写成 100.00" in result.stdout
    assert "Traceback" not in result.stderr
    english = gongkai("validate", "--lang", "en", str(RELATIVE), cwd=project)
    assert "should be a number" in english.stdout and "Write 100.00" in english.stdout

    # 4. fix and validate again: exit 0
    record.write_text(filled, encoding="utf-8")
    result = gongkai("validate", str(RELATIVE), cwd=project)
    assert result.returncode == 0, result.stdout
    assert "1 个通过" in result.stdout

    # 5. the reviewer's view of the change
    before = project / "before.yaml"
    before.write_text(mistaken.replace("100.00万元", "90.00"), encoding="utf-8")
    summary = gongkai("diff", str(before), str(RELATIVE), "--format", "markdown", cwd=project)
    assert summary.returncode == 0, summary.stderr
    assert "90.00 万元 → 100.00 万元" in summary.stdout
    before.unlink()

    # 6. build the site with the real command and find the department-year page
    if not _plugin_available():
        pytest.skip("the gongkai MkDocs plugin (gongkai.mkdocs_plugin.plugin) is not available yet")
    build = mkdocs_build(project)
    assert build.returncode == 0, build.stdout + build.stderr
    pages = sorted(p for p in (project / "site").rglob("index.html") if RECORD_ID in p.as_posix())
    assert pages, sorted(str(p.relative_to(project / "site")) for p in (project / "site").rglob("*.html"))[:50]
    page = pages[0].read_text("utf-8")  # budgets/<id>/index.html (then indicators/index.html)
    assert NAME in page
    assert "党员教育培训经费" in page


def test_a_broken_record_stops_the_build_with_its_location(project: Path):
    """The site build reports the same file:line as `gongkai validate` (on_invalid: fail)."""
    if not _plugin_available():
        pytest.skip("the gongkai MkDocs plugin (gongkai.mkdocs_plugin.plugin) is not available yet")
    result = gongkai(
        "new", "--no-input", "--name", NAME, "--dept-code", "901", "--admin-code", "130532",
        "--province", "河北省", "--year", "2024", "--title", "标题", cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record = project / RELATIVE
    text = record.read_text("utf-8").replace("stage: budget", "stage: 预算")
    record.write_text(text, encoding="utf-8")
    build = mkdocs_build(project)
    assert build.returncode != 0
    output = build.stdout + build.stderr
    line, _ = line_of(text, "stage: 预算")
    assert f"{RECORD_ID}.yaml:{line}:" in output and "schema.enum" in output, output[-3000:]


def _plugin_available() -> bool:
    try:
        from gongkai.mkdocs_plugin.plugin import GongkaiPlugin  # noqa: F401
    except ImportError:
        return False
    return True
