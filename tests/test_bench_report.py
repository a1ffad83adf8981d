"""The benchmark's two plain-MkDocs floors: which steps run, which ratio the target uses.

``bench/run_bench.py`` measures the floor as shipped (step ``floor``, every page
in the nav: the floor issue #9 names) and the index-only variant (step
``floor-index``, stricter, informational). ``bench/report.py`` judges the
target against the first, shows the second for information, and reads old
results.json files, whose ``floor`` step was the index-only variant, as such.
No benchmark is run here: results are built by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import report  # noqa: E402  (bench/report.py)
import run_bench  # noqa: E402  (bench/run_bench.py)

SHIPPED_ROW = "build / plain-MkDocs floor as shipped (every page in the nav), same run"
INDEX_ROW = "build / floor with index-only nav (stricter), same run"


def step(
    name: str, seconds: float, cpu: float, run_id: str = "r1", **metrics: Any
) -> dict[str, Any]:
    """A successful step as results.json stores it."""
    return {"name": name, "ok": True, "seconds": seconds, "cpu_seconds": cpu, "run_id": run_id,
            "when": "2026-01-01 00:00:00", "metrics": metrics}  # fmt: skip


def results(steps_by_n: dict[int, dict[str, Any]]) -> dict[str, Any]:
    invocations = {"r1": {"run_id": "r1", "command": "run_bench.py", "sizes": sorted(steps_by_n),
                          "steps": ["build", "floor", "floor-index"]}}  # fmt: skip
    runs = [{"n": n, "steps": steps} for n, steps in sorted(steps_by_n.items())]
    return {"version": 2, "invocations": invocations, "runs": runs}


def new_run() -> dict[str, Any]:
    """N = 1,000 measured by this run_bench.py: both floors, one invocation."""
    return {
        "build": step("build", 20.0, 30.0),
        "floor": step("floor", 66.5, 60.0, nav="all"),
        "floor-index": step("floor-index", 39.8, 36.0, nav="index"),
    }


def legacy_run() -> dict[str, Any]:
    """N = 1,000 from before ``floor-index``: ``floor`` built with ``nav: [index.md]``."""
    return {"build": step("build", 48.9, 64.1), "floor": step("floor", 28.2, 28.1, nav="index")}


def verdict(data: dict[str, Any], key: str) -> report.Verdict:
    return next(v for v in report.verdicts(data) if v.target.key == key)


def row(markdown: str, label: str, after: str = "") -> str:
    """The first table row of ``markdown`` labelled ``label`` after the line ``after``."""
    lines = markdown.splitlines()
    start = lines.index(after) if after else 0
    return next(line for line in lines[start:] if line.startswith(f"| {label} |"))


# --------------------------------------------------------------------------- #
# Ratios
# --------------------------------------------------------------------------- #


def test_target_ratio_is_against_the_floor_as_shipped() -> None:
    steps = report.runs_by_n(results({1000: new_run()}))[1000]
    assert report.build_floor_ratio(steps) == pytest.approx(20.0 / 66.5)
    assert report.same_run_ratio(steps, "floor", "cpu_seconds") == pytest.approx(30.0 / 60.0)
    assert report.same_run_ratio(steps, "floor-index") == pytest.approx(20.0 / 39.8)
    assert report.same_run_ratio(steps, "floor-index", "cpu_seconds") == pytest.approx(30.0 / 36.0)


def test_ratio_needs_the_same_run() -> None:
    run = new_run()
    run["floor-index"]["run_id"] = "r2"
    steps = report.runs_by_n(results({1000: run}))[1000]
    assert report.same_run_ratio(steps, "floor-index") is None
    assert report.same_run_ratio(steps, "floor-index", "cpu_seconds") is None
    assert report.same_run_ratio(steps, "floor") is not None


def test_verdicts_target_and_informational_row() -> None:
    data = results({1000: new_run()})
    target, info = verdict(data, "build-ratio"), verdict(data, "build-ratio-index")
    assert target.status == "PASS" and target.value == pytest.approx(20.0 / 66.5)
    assert info.status == "INFO" and info.value == pytest.approx(20.0 / 39.8)
    assert "informational" in info.result() and "**MISS**" not in info.result()


@pytest.mark.parametrize(("seconds", "status"), [(111.2, "PASS"), (191.0, "MISS")])
def test_the_10000_export_is_judged_against_the_build_budget(seconds: float, status: str) -> None:
    data = results({10000: {"export": step("export", seconds, 196.0)}})
    judged = verdict(data, "export-10k")
    assert (judged.status, judged.value, judged.target.issue) == (status, seconds, "#5")
    assert verdict(results({1000: new_run()}), "export-10k").status == report.NOT_MEASURED


# --------------------------------------------------------------------------- #
# Old results.json (schema 2, `floor` with nav "index")
# --------------------------------------------------------------------------- #


def test_legacy_index_floor_is_read_as_floor_index() -> None:
    steps = report.normalize_steps(legacy_run())
    assert "floor" not in steps
    assert steps["floor-index"]["name"] == "floor-index"
    assert steps["floor-index"]["recorded_as"] == "floor"
    assert steps["floor-index"]["seconds"] == 28.2


def test_floor_as_shipped_is_left_alone() -> None:
    steps = {"floor": step("floor", 66.5, 60.0, nav="all")}
    assert report.normalize_steps(steps) == steps


def test_a_later_floor_index_wins_over_the_legacy_one() -> None:
    steps = legacy_run() | {
        "floor-index": step("floor-index", 40.0, 36.0, run_id="r2", nav="index")
    }
    normalized = report.normalize_steps(steps)
    assert normalized["floor-index"]["seconds"] == 40.0
    assert "floor" not in normalized


def test_legacy_results_are_not_judged_against_the_index_only_floor() -> None:
    data = results({1000: legacy_run()})
    target, info = verdict(data, "build-ratio"), verdict(data, "build-ratio-index")
    assert target.value is None
    assert "index-only nav" in target.why_missing
    assert info.value == pytest.approx(48.9 / 28.2)


def test_legacy_benchmarks_markdown() -> None:
    text = report.benchmarks_markdown(results({1000: legacy_run()}))
    section = "## N = 1,000"
    shipped = row(text, SHIPPED_ROW, section)
    assert "| not measured | ≤ 0.33× | not measured (floor as shipped not run" in shipped
    assert row(text, INDEX_ROW, section) == f"| {INDEX_ROW} | 1.73× |  | informational |"
    assert "Runs recorded before step `floor-index` existed" in text


# --------------------------------------------------------------------------- #
# Reports
# --------------------------------------------------------------------------- #


def test_benchmarks_markdown_rows_of_both_floors() -> None:
    text = report.benchmarks_markdown(results({1000: new_run()}))
    section = "## N = 1,000"
    assert row(text, SHIPPED_ROW, section).startswith(f"| {SHIPPED_ROW} | 0.30× | ≤ 0.33× | PASS")
    assert row(text, INDEX_ROW, section) == f"| {INDEX_ROW} | 0.50× |  | informational |"
    cpu_rows = [line for line in text.splitlines() if line.startswith("| … by CPU seconds")]
    assert [line.split(" | ")[1] for line in cpu_rows] == ["0.50×", "0.83×"]
    assert "Runs recorded before" not in text


def test_floor_as_shipped_skipped_above_the_default_limit() -> None:
    steps = {
        "build": step("build", 400.0, 600.0),
        "floor-index": step("floor-index", 300.0, 280.0, nav="index"),
    }
    text = report.benchmarks_markdown(results({10000: steps}))
    shipped = row(text, "plain-MkDocs floor as shipped (every page in the nav): `mkdocs build`")
    assert "not run: left out of the default steps above N = 2,000" in shipped
    assert row(text, INDEX_ROW, "## N = 10,000") == f"| {INDEX_ROW} | 1.33× |  | informational |"


def test_summary_markdown_has_both_ratios() -> None:
    text = report.summary_markdown(results({1000: new_run()}), "# summary")
    header = next(line for line in text.splitlines() if line.startswith("| N |"))
    assert "build/floor (as shipped: the target)" in header
    assert "build/floor-index (stricter)" in header
    assert row(text, "1,000").endswith("| 66.5 | 39.8 | 0.30 | 0.50 |")
    assert (
        "| build ≤ ⅓ of the plain-MkDocs floor as shipped (every page in the nav), same run |"
        in text
    )


def test_report_main_on_an_old_results_file(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results({1000: legacy_run()})), encoding="utf-8")
    out = tmp_path / "BENCHMARKS.md"
    assert report.main([str(path), "-o", str(out)]) == 0
    assert "index-only nav (stricter)" in out.read_text("utf-8")


# --------------------------------------------------------------------------- #
# run_bench.py: steps and results.json
# --------------------------------------------------------------------------- #


def test_default_steps_leave_out_the_quadratic_floor_above_2000() -> None:
    assert run_bench.steps_for(1000, None)[-2:] == ["floor", "floor-index"]
    assert run_bench.steps_for(2000, None)[-2:] == ["floor", "floor-index"]
    assert "floor" not in run_bench.steps_for(10000, None)
    assert "floor-index" in run_bench.steps_for(10000, None)
    assert run_bench.steps_for(10000, ["floor", "synth"]) == ["synth", "floor"]


def test_floor_nav_option_is_gone(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_bench.parse_args(["--floor-nav", "index"])
    assert "floor-index" in capsys.readouterr().err


def test_read_results_keeps_the_legacy_floor_as_floor_index(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results({1000: legacy_run()})), encoding="utf-8")
    data = run_bench.read_results(path)
    shipped = run_bench.Run(1000, {"floor": run_bench.Step("floor", ok=True, seconds=66.5)})
    run_bench.write_results(path, data, "r9", [shipped])
    steps = json.loads(path.read_text("utf-8"))["runs"][0]["steps"]
    assert steps["floor"]["run_id"] == "r9"
    assert steps["floor-index"]["seconds"] == 28.2
    assert steps["floor-index"]["recorded_as"] == "floor"


def test_machine_section_shows_steps_per_n_when_they_differ() -> None:
    inv = {"steps": ["build", "floor", "floor-index"],
           "steps_by_n": {"1000": ["build", "floor", "floor-index"], "10000": ["build", "floor-index"]}}  # fmt: skip
    assert report._steps_text(inv) == (
        "steps at N = 1,000: build floor floor-index; steps at N = 10,000: build floor-index"
    )
    assert report._steps_text({"steps": ["build", "floor"]}) == "steps build floor"


def test_sampler_records_each_process_peak_and_the_tree_peak_parts() -> None:
    """A real child that holds 64 MiB: its peak PSS and its share of the tree's peak are recorded."""
    import os
    import subprocess
    import time

    code = "import sys, time; b = bytearray(64 << 20); sys.stdout.write('ready\\n'); sys.stdout.flush(); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        sampler = run_bench.TreeSampler(child.pid, 0.05)
        sampler.sample()
        time.sleep(0.1)
        sampler.sample()
        rows = sampler.cpu_by_process(at_least=0.0)
    finally:
        os.killpg(child.pid, 9)
        child.wait()
    [row] = [r for r in rows if r["pid"] == child.pid]
    assert row["peak_pss_mb"] >= 64
    assert row["pss_at_peak_mb"] == pytest.approx(sampler.pss_peak / run_bench.MB, abs=0.1)
    assert sampler.pss_peak_at >= 0


def test_cpu_by_process_line_shows_the_peak_memory() -> None:
    rows = [{"pid": 1, "command": "python", "role": "main", "cpu_s": 2.0, "seen_from_s": 0.0,
             "seen_until_s": 9.0, "peak_pss_mb": 300.0, "pss_at_peak_mb": 250.0},
            {"pid": 2, "command": "pagefind_extend", "role": "child", "cpu_s": 5.0, "seen_from_s": 3.0,
             "seen_until_s": 8.0, "peak_pss_mb": 900.0, "pss_at_peak_mb": 0.0}]  # fmt: skip
    line = report._processes(rows)
    assert "mkdocs (main) 2.00 s CPU, seen 0.0–9.0 s, peak PSS 300 MiB (250 MiB at the tree's peak)" in line
    assert "pagefind_extend (child) 5.00 s CPU, seen 3.0–8.0 s, peak PSS 900 MiB;" not in line
    assert line.endswith("peak PSS 900 MiB")


@pytest.mark.parametrize(("runs", "more_runs"), [(1, 1), (5, 7)])
def test_log_metrics_reads_the_plugins_search_line(runs: int, more_runs: int) -> None:
    from dataclasses import replace

    from gongkai.mkdocs_plugin.plugin import search_log_line
    from gongkai.search import IndexStats

    stats = IndexStats(pages=10000, languages={"zh": 10000}, words=8000, filters=3, files=10275,
                       bytes=34296 * 1024, core_bytes=185 * 1024, index_chunks=266, max_index_chunk_bytes=1,
                       mean_fragment_bytes=1, seconds=131.6, bundle_dir=Path("."), version="1.5.2", runs=runs)  # fmt: skip
    stats = replace(stats, indicators=replace(stats, pages=12500, runs=more_runs, seconds=0.0))
    found = run_bench.log_metrics("INFO    -  gongkai: " + search_log_line(stats) + "\n")
    assert found["index_pages"] == 10000 and found["index_runs"] == runs
    assert found["index_kib"] == 34296 and found["index_core_kib"] == 185
    assert found["index_s"] == pytest.approx(stats.total_seconds, abs=0.05)
    assert found["index_more_pages"] == 12500 and found["index_more_runs"] == more_runs
