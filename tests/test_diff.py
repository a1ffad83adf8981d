"""``gongkai diff``: a reviewer's summary of what changed in a budget record.

Rows are matched by code / item / name, not position; projects by name;
findings as a multiset. The accounting rules are replaced here by one small
fake rule so that "finding appeared / resolved" does not depend on the rule
catalogue's wording; one test runs the real rules on seed 001.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.cli import main
from gongkai.diff import BudgetDiff, diff_bytes, diff_git, render_markdown, render_text
from gongkai.findings import Finding
from gongkai.model import Budget

NAME = "130532-101-2023-budget.yaml"

TABLE = """\
expenditure_by_function:
  fund_scope: all
  reported_total: {total: 300.00, basic: 200.00, project: 100.00}
  lines:
    - {code: "201", name: 一般公共服务支出, total: 200.00, basic: 200.00, project: null}
    - {code: "208", name: 社会保障和就业支出, total: 100.00, basic: null, project: 100.00}
"""

PROJECTS = """\
projects:
  - seq: 1
    name: 党员教育培训
    amount: 10.00
    indicators:
      - {level1: 产出指标, level2: 数量指标, level3: 培训人数, value_raw: ≥300人}
  - seq: 2
    name: 老干部活动
    amount: 5.00
"""


def fake_rule(record) -> list[Finding]:
    """R-TEST: the printed total equals the sum of the 类 lines."""
    table = record.budget.expenditure_by_function
    if table is None or table.reported_total is None:
        return []
    computed = sum((line.total or Decimal(0)) for line in table.lines if len(line.code) == 3)
    if table.reported_total.total == computed:
        return []
    finding = Finding("R-TEST", "error", "支出总表 合计", "合计不等于各类之和", "total is not the sum", table.reported_total.total, computed, "万元")
    return [finding.located(record.locate("expenditure_by_function.reported_total.total"))]


@pytest.fixture(autouse=True)
def one_fake_rule(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if not request.node.name.startswith("test_real_rules"):
        monkeypatch.setattr("gongkai.validate.check_rules", fake_rule)


def diff(old: str | None, new: str | None) -> BudgetDiff:
    """Compare two texts of the record (Frictionless is exercised by the CLI tests)."""
    encoded = [text.encode() if text is not None else None for text in (old, new)]
    return diff_bytes(*encoded, Path(NAME), NAME, frictionless=False)


def test_a_changed_figure_shows_in_key_figures_and_rows(minimal_text):
    old = minimal_text + TABLE
    new = old.replace("total: 300.00,", "total: 310.00,").replace("total: 100.00, basic: null", "total: 110.00, basic: null")
    result = diff(old, new)
    [figure] = result.figures
    assert figure.name == "expenditure_total"
    assert (figure.old.printed, figure.new.printed) == (Decimal("300.00"), Decimal("310.00"))
    assert [(r.key, r.kind, r.cells) for r in result.rows] == [
        ("合计", "changed", (("total", Decimal("300.00"), Decimal("310.00")),)),
        ("208", "changed", (("total", Decimal("100.00"), Decimal("110.00")),)),
    ]
    assert result.findings == [] and result.projects == []


def test_rows_are_matched_by_code_not_by_position(minimal_text):
    old = minimal_text + TABLE
    inserted = '    - {code: "20132", name: 组织事务, total: 200.00, basic: 200.00, project: null}\n'
    new = old.replace('    - {code: "208"', inserted + '    - {code: "208"')
    result = diff(old, new)
    assert [(r.key, r.kind) for r in result.rows] == [("20132", "added")]
    assert result.rows[0].cells == (("total", None, Decimal("200.00")), ("basic", None, Decimal("200.00")))
    assert result.row_counts["expenditure_by_function"] == (3, 4)


def test_a_removed_row_and_a_reprinted_zero_are_both_reported(minimal_text):
    old = minimal_text + TABLE
    new = old.replace('    - {code: "208", name: 社会保障和就业支出, total: 100.00, basic: null, project: 100.00}\n', "")
    new = new.replace("project: 100.00}", "project: 100.0}")
    result = diff(old, new)
    assert ("208", "removed") in [(r.key, r.kind) for r in result.rows]
    assert ("合计", "changed") in [(r.key, r.kind) for r in result.rows]  # 100.00 -> 100.0 as printed


def test_projects_added_removed_and_changed_by_name(minimal_text):
    old = minimal_text + PROJECTS
    new = old.replace("    amount: 10.00\n", "    amount: 12.00\n").replace(
        "value_raw: ≥300人}\n", "value_raw: ≥300人}\n      - {level1: 满意度指标, level2: 服务对象满意度指标, level3: 满意度, value_raw: ≥90%}\n"
    )
    new = new.replace("    name: 老干部活动\n    amount: 5.00\n", "    name: 驻村工作队培训\n    amount: 8.00\n")
    result = diff(old, new)
    changes = {(p.kind, p.name): p for p in result.projects}
    assert set(changes) == {("changed", "党员教育培训"), ("added", "驻村工作队培训"), ("removed", "老干部活动")}
    changed = changes[("changed", "党员教育培训")]
    assert changed.amounts == (("amount", Decimal("10.00"), Decimal("12.00")),)
    assert changed.indicators == (1, 2)
    assert result.project_counts == (2, 2) and result.indicator_counts == (1, 2)
    assert result.figures[0].name == "projects_total"


def test_findings_appeared_and_resolved(minimal_text):
    good = minimal_text + TABLE
    bad = good.replace("total: 300.00,", "total: 301.00,")
    appeared = diff(good, bad).findings
    assert [(c.kind, c.finding.rule) for c in appeared] == [("appeared", "R-TEST")]
    assert appeared[0].finding.location is not None and appeared[0].finding.location.line == 17
    resolved = diff(bad, good).findings
    assert [(c.kind, c.finding.rule) for c in resolved] == [("resolved", "R-TEST")]


def test_structural_problems_of_the_new_version_come_first(minimal_text):
    result = diff(minimal_text + TABLE, minimal_text + TABLE + "projects:\n  - {seq: 1, name: x, amount: '1,234'}\n")
    assert [p.code for p in result.problems] == ["schema.number-as-text"]
    assert result.figures == [] and result.rows == []  # nothing to compare in a broken version
    text = render_markdown([result])
    assert text.index("结构错误") < text.index("schema.number-as-text")
    assert "请写成 1234" in text


def test_text_edits_are_listed_and_comment_edits_are_nothing(minimal_text):
    edited = diff(minimal_text, minimal_text.replace("title: 测试部门2023年部门预算", "title: 测试部门2023年部门预算公开"))
    assert edited.other == [("source.title", "测试部门2023年部门预算", "测试部门2023年部门预算公开")]
    assert not edited.unchanged
    same = diff(minimal_text, "# 只改了注释\n" + minimal_text)
    assert same.unchanged
    assert "没有影响数字、项目或校验结果的改动" in render_text([same])
    assert "No change to figures" in render_text([same], "en")


def test_added_and_removed_files(minimal_text):
    added = diff(None, minimal_text + TABLE + PROJECTS)
    assert added.status == "added"
    assert {f.name for f in added.figures} >= {"expenditure_total", "projects_total"}
    assert added.row_counts == {"expenditure_by_function": (0, 3)} and added.project_counts == (0, 2)
    assert "新文件" in render_markdown([added])
    removed = diff(minimal_text, None)
    assert removed.status == "removed" and "文件已删除" in render_markdown([removed])


def test_markdown_for_a_pull_request_comment(minimal_text):
    old = minimal_text + TABLE + PROJECTS
    new = old.replace("total: 300.00,", "total: 301.00,").replace("    amount: 5.00\n", "    amount: 6.00\n")
    md = render_markdown([diff(old, new)])
    assert md.startswith("## 预算记录改动摘要\n")
    assert f"### `{NAME}` — 测试部门 2023 预算（修改）" in md
    assert "| 支出合计 | 300.00 万元 | 301.00 万元 | +1.00 万元 |" in md
    assert "  - 修改 `合计`：合计 300.00 万元 → 301.00 万元" in md
    assert "- 修改 #2 老干部活动；预算数 5.00 万元 → 6.00 万元" in md
    assert "- 新出现 ❌ `R-TEST` 支出总表 合计: 合计不等于各类之和" in md
    en = render_markdown([diff(old, new)], "en")
    assert "| total expenditure | 300.00 万元 | 301.00 万元 | +1.00 万元 |" in en
    assert "appeared ❌ `R-TEST`" in en and "total is not the sum" in en


def test_real_rules_on_seed_001(repo):
    """Breaking a total of the real seed makes real findings appear."""
    seed = (repo / "content/130532/130532-203-2023-budget.yaml").read_text("utf-8")
    broken = seed.replace("    total: 2279.15\n    basic: 1178.74", "    total: 2280.15\n    basic: 1178.74", 1)
    assert broken != seed
    result = diff_bytes(seed.encode(), broken.encode(), Path("130532-203-2023-budget.yaml"))
    assert result.problems == []
    assert [r.key for r in result.rows] == ["合计"]
    assert any(c.kind == "appeared" and c.finding.severity == "error" for c in result.findings)
    assert not any(c.kind == "resolved" for c in result.findings)


# -- git --------------------------------------------------------------------- #


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo_with_history(tmp_path: Path, minimal_text: str) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "site"
    record = root / "content" / "130532" / NAME
    record.parent.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    record.write_text(minimal_text + TABLE, encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one")
    record.write_text((minimal_text + TABLE).replace("total: 300.00,", "total: 305.00,"), encoding="utf-8")
    other = root / "content" / "130532" / "130532-102-2023-budget.yaml"
    other.write_text(minimal_text.replace('code: "101"', 'code: "102"'), encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "two")
    return root


def test_git_range_compares_two_commits(repo_with_history: Path):
    diffs = diff_git("HEAD~1..HEAD", [f"content/130532/{NAME}"], cwd=repo_with_history)
    [result] = diffs
    assert result.display == f"content/130532/{NAME}"
    assert [(r.key, r.kind) for r in result.rows] == [("合计", "changed")]


def test_git_range_without_paths_takes_every_changed_yaml(repo_with_history: Path):
    diffs = diff_git("HEAD~1..HEAD", [], cwd=repo_with_history)
    assert sorted((d.display, d.status) for d in diffs) == [
        ("content/130532/130532-101-2023-budget.yaml", "modified"),
        ("content/130532/130532-102-2023-budget.yaml", "added"),
    ]


def test_git_single_revision_compares_with_the_work_tree(repo_with_history: Path):
    record = repo_with_history / "content" / "130532" / NAME
    record.write_text(record.read_text("utf-8").replace("total: 305.00,", "total: 306.00,"), encoding="utf-8")
    [result] = diff_git("HEAD", [str(record)], cwd=repo_with_history)
    assert result.rows[0].cells == (("total", Decimal("305.00"), Decimal("306.00")),)


def test_cli_diff_git_markdown(repo_with_history: Path, monkeypatch, capsys):
    monkeypatch.chdir(repo_with_history)
    assert main(["diff", "--git", "HEAD~1..HEAD", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "### `content/130532/130532-101-2023-budget.yaml`" in out and "+5.00 万元" in out
    assert "130532-102-2023-budget.yaml` — 测试部门 2023 预算（新文件）" in out


def test_cli_diff_files_and_usage_errors(tmp_path: Path, minimal_text: str, capsys):
    old, new = tmp_path / "old.yaml", tmp_path / NAME
    old.write_text(minimal_text + TABLE, encoding="utf-8")
    new.write_text((minimal_text + TABLE).replace("total: 300.00,", "total: 299.00,"), encoding="utf-8")
    out_file = tmp_path / "out" / "diff.md"
    assert main(["diff", str(old), str(new), "--format", "markdown", "--out", str(out_file)]) == 0
    assert "-1.00 万元" in out_file.read_text("utf-8")
    assert main(["diff", str(old), str(new), "--lang", "en"]) == 0
    assert "total expenditure" in capsys.readouterr().out
    assert main(["diff", str(old)]) == 2
    assert "gongkai diff OLD NEW" in capsys.readouterr().err
    assert main(["diff", str(old), str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err
    assert main(["diff", "--git", "..HEAD"]) == 2


def test_budget_has_no_field_the_diff_forgets():
    """Every top-level section is compared somewhere (rows, projects or fields)."""
    from gongkai.diff import _STRUCTURED

    assert set(Budget.__dataclass_fields__) >= _STRUCTURED
