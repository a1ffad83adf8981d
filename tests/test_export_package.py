"""`gongkai export` writes a package that the real `frictionless validate` accepts."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path


def test_export_of_seed_content_passes_frictionless_cli(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    export = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "export", "content", "--out", str(out)],
        cwd=repo, capture_output=True, text=True, timeout=300,
    )
    assert export.returncode == 0, export.stderr
    frictionless = Path(sys.executable).with_name("frictionless")
    check = subprocess.run(
        [str(frictionless), "validate", "--json", str(out / "datapackage.json")],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(check.stdout)
    assert check.returncode == 0 and report["valid"], check.stdout[:3000]
    descriptor = json.loads((out / "datapackage.json").read_text("utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert {"budgets", "projects", "project_indicators", "expenditure_by_function",
            "basic_expenditure_by_economic", "three_public", "findings"} <= names
    with (out / "projects.csv").open(encoding="utf-8") as handle:
        projects = list(csv.DictReader(handle))
    assert len(projects) == 76
    with (out / "expenditure_by_function.csv").open(encoding="utf-8") as handle:
        rows = {(r["budget_id"], r["fund_scope"], r["func_code"]): r for r in csv.DictReader(handle)}
    # 2279.15 万元 total of 001's 201 line is 1044.24 万元 → exactly 10442400.00 元
    assert rows[("130532-203-2023-budget", "all", "201")]["total_yuan"] == "10442400.00"
