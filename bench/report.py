"""Render the benchmark results (``results.json`` of ``bench/run_bench.py``) as Markdown.

Two outputs:

* :func:`summary_markdown`: the compact tables ``run_bench.py`` prints and
  writes to ``OUT/summary.md`` (one row per N, then one row per target with
  PASS/MISS);
* :func:`benchmarks_markdown`: the ``BENCHMARKS.md`` page — the machine, the
  dates, the command to reproduce, a table per N with every figure and the
  targets it is held to, and "where the time goes" from the step logs and
  profiles.

Only measured values are shown: a figure that was not measured (step not
run, failed, or a metric the step did not produce) reads "not measured".

The plain-MkDocs floor comes in two steps. ``floor`` is the floor as shipped
(``plain_mkdocs_floor.py``'s output unmodified, so MkDocs' default nav lists
every page): the floor issue #9's target names, so the build / floor ratio
and its PASS/MISS row are computed against it. ``floor-index`` is the same
site with only the index page in the nav — stricter, because the gongkai site
keeps department-year pages out of its nav too — and its ratio is shown for
information. Both ratios, by wall time and by CPU seconds, only from one
invocation (same ``run_id``). results.json files written before
``floor-index`` existed recorded the index-only floor as ``floor`` with
``metrics.nav == "index"``: :func:`normalize_steps` files it as
``floor-index``, so it is never judged as the floor as shipped.

Usage::

    python bench/report.py bench-out/results.json -o BENCHMARKS.md
    python bench/report.py bench-out/results.json            # to stdout
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOT_MEASURED = "not measured"
#: The page-size limit of issue #4, in bytes (80 KB, counted as KiB like every size here).
PAGE_LIMIT_KB = 80.0

#: The floor as shipped (every page in MkDocs' default nav): the floor of the target.
FLOOR = "floor"
#: The floor with ``nav: [index.md]``: stricter, informational.
FLOOR_INDEX = "floor-index"
#: How each floor is named wherever a figure of it is shown.
FLOOR_LABELS: dict[str, str] = {
    FLOOR: "plain-MkDocs floor as shipped (every page in the nav)",
    FLOOR_INDEX: "index-only nav (stricter)",
}
#: Largest N at which run_bench.py's default steps include ``floor``: with every page in
#: the nav, every page carries the whole nav, so the floor's site and build grow with N².
FLOOR_ALL_NAV_MAX = 2000
#: Why ``floor`` is missing above FLOOR_ALL_NAV_MAX (shown in the reports).
FLOOR_SKIPPED = (
    f"left out of the default steps above N = {FLOOR_ALL_NAV_MAX:,}: every page carries the "
    "whole nav, so its site and build grow with N² (extrapolating the reference README's "
    "1,000 pages: about 27 GB of HTML and an hour of build at 10,000)"
)


# --------------------------------------------------------------------------- #
# Reading results.json
# --------------------------------------------------------------------------- #


def load(path: Path) -> dict[str, Any]:
    """``results.json`` (schema 2 of run_bench.py)."""
    data = json.loads(Path(path).read_text("utf-8"))
    if data.get("version") != 2:
        raise SystemExit(
            f"{path}: not a results.json written by this bench/run_bench.py (schema 2)"
        )
    return data


def runs_by_n(results: dict[str, Any]) -> dict[int, dict[str, dict[str, Any]]]:
    """{N: {step name: step}}, an old index-only ``floor`` filed as ``floor-index``."""
    return {int(r["n"]): normalize_steps(r["steps"]) for r in results.get("runs", [])}


def is_legacy_index_floor(step: dict[str, Any] | None) -> bool:
    """A ``floor`` step of the old run_bench.py that built the index-only variant.

    Until ``floor-index`` existed, ``floor`` appended ``nav: [index.md]`` by
    default (``--floor-nav index``) and recorded ``metrics.nav == "index"``;
    the floor as shipped records ``"all"`` (old ``--floor-nav all``, or now).
    """
    return step is not None and step.get("metrics", {}).get("nav") == "index"


def normalize_steps(steps: dict[str, Any]) -> dict[str, Any]:
    """The steps of one N with an old index-only ``floor`` renamed ``floor-index``.

    The index-only floor builds faster than the floor as shipped, so judging
    the issue's target against it would hold an old run to a stricter bar than
    the issue sets. A ``floor-index`` step already there was measured later
    (by this run_bench.py), and the latest measurement of a step wins, as
    everywhere in results.json. The renamed step keeps ``recorded_as: "floor"``
    so that the reports can say why the floor as shipped is missing.
    """
    if not is_legacy_index_floor(steps.get(FLOOR)):
        return steps
    out: dict[str, Any] = {}
    for name, step in steps.items():
        if name != FLOOR:
            out[name] = step
        elif FLOOR_INDEX not in steps:
            out[FLOOR_INDEX] = {**step, "name": FLOOR_INDEX, "recorded_as": FLOOR}
    return out


def ok_step(steps: dict[str, Any], name: str) -> dict[str, Any] | None:
    step = steps.get(name)
    return step if step and step.get("ok") else None


def metric(steps: dict[str, Any], name: str, key: str) -> Any:
    """A metric of a successful step (``seconds``, a Step field, or a key of ``metrics``)."""
    step = ok_step(steps, name)
    if step is None:
        return None
    if key in step and key != "metrics":
        return step[key]
    return step.get("metrics", {}).get(key)


def same_run_ratio(steps: dict[str, Any], floor: str = FLOOR, key: str = "seconds") -> float | None:
    """gongkai build / ``floor`` build by ``key`` (``seconds`` or ``cpu_seconds``).

    Only when both were measured by the same invocation (same ``run_id``):
    the machine is shared and the code changes between invocations, so a
    ratio of two runs would compare different loads and different code.
    """
    build, base = ok_step(steps, "build"), ok_step(steps, floor)
    if not build or not base or build.get("run_id") != base.get("run_id"):
        return None
    if not build.get(key) or not base.get(key):
        return None
    return float(build[key]) / float(base[key])


def build_floor_ratio(steps: dict[str, Any], floor: str = FLOOR) -> float | None:
    """gongkai build / floor build by wall time, same run (the floor as shipped by default)."""
    return same_run_ratio(steps, floor, "seconds")


def peak_memory_mb(steps: dict[str, Any], name: str) -> tuple[float | None, str]:
    """The step's peak memory and which measure it is.

    The process-tree PSS sum (shared pages counted once, so the forked export
    and the Pagefind subprocess are counted without double-counting what they
    share with mkdocs) when sampled, else the process-tree RSS sum, else the
    largest single process (``wait4``).
    """
    for key, label in (
        ("tree_pss_mb", "process tree, PSS sum"),
        ("tree_rss_mb", "process tree, RSS sum"),
        ("peak_rss_mb", "largest single process"),
    ):
        value = metric(steps, name, key)
        if value:
            return float(value), label
    return None, ""


# --------------------------------------------------------------------------- #
# Targets (issues #9, #4, #6)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Target:
    """One target of the issues, at one N (None: at every N measured)."""

    key: str
    label: str
    n: int | None
    limit: float
    unit: str
    issue: str
    #: What the value is (shown next to it).
    what: str
    #: The measured value, or None and why it is missing ("" if the step simply did not run or failed).
    value: Callable[[dict[str, Any]], tuple[float | None, str]]
    strict: bool = False  # value must be < limit (else <=)
    #: Shown next to the targets for comparison, never PASS/MISS: not what the issue asks.
    informational: bool = False


def _plain(step: str, key: str) -> Callable[[dict[str, Any]], tuple[float | None, str]]:
    def value(steps: dict[str, Any]) -> tuple[float | None, str]:
        found = metric(steps, step, key)
        return (float(found), "") if found is not None else (None, _why_missing(steps, step))

    return value


def _why_missing(steps: dict[str, Any], step: str) -> str:
    found = steps.get(step)
    if found is None and step == FLOOR and _floor_was_index_only(steps):
        return (
            f"floor as shipped not run: that run's `{FLOOR}` step built the index-only nav, "
            f"before `{FLOOR_INDEX}` existed"
        )
    if found is None:
        return f"{step} step not run"
    if not found.get("ok"):
        return f"{step} step failed"
    return f"{step} step did not report it"


def _floor_was_index_only(steps: dict[str, Any]) -> bool:
    """The index-only floor of these steps was recorded as ``floor`` (before ``floor-index``)."""
    return (steps.get(FLOOR_INDEX) or {}).get("recorded_as") == FLOOR


def _ratio_to(floor: str) -> Callable[[dict[str, Any]], tuple[float | None, str]]:
    """The target value "build / ``floor`` by wall time, same run", or why it is missing."""

    def value(steps: dict[str, Any]) -> tuple[float | None, str]:
        ratio = build_floor_ratio(steps, floor)
        if ratio is not None:
            return ratio, ""
        for step in ("build", floor):
            if not ok_step(steps, step):
                return None, _why_missing(steps, step)
        return None, f"build and {floor} not measured in the same run"

    return value


def _build_seconds_complete(steps: dict[str, Any]) -> tuple[float | None, str]:
    seconds = metric(steps, "build", "seconds")
    if seconds is None:
        return None, _why_missing(steps, "build")
    missing = [
        what
        for what, key in (("search", "pagefind_mb"), ("downloads", "data_mb"))
        if not metric(steps, "build", key)
    ]
    if missing:
        return None, f"build ran without {' and '.join(missing)}"
    return float(seconds), ""


def _memory(steps: dict[str, Any]) -> tuple[float | None, str]:
    value, _ = peak_memory_mb(steps, "build")
    return (value, "") if value is not None else (None, _why_missing(steps, "build"))


def _first_result(steps: dict[str, Any]) -> tuple[float | None, str]:
    measured = metric(steps, "search", "first_result_kb_max")
    if measured is not None:
        return float(measured), ""
    return None, _why_missing(steps, "search")


TARGETS: tuple[Target, ...] = (
    Target("build-ratio", f"build ≤ ⅓ of the {FLOOR_LABELS[FLOOR]}, same run", 1000, 1 / 3, "×",
           "#9, #4", "gongkai cold build s / floor-as-shipped build s", _ratio_to(FLOOR)),
    Target("build-ratio-index", f"build / floor with {FLOOR_LABELS[FLOOR_INDEX]}, same run", 1000,
           1 / 3, "×", "#9, #4", "gongkai cold build s / index-only floor build s",
           _ratio_to(FLOOR_INDEX), informational=True),
    Target("build-10k", "build, search and downloads included, ≤ 180 s", 10000, 180.0, "s", "#9",
           "cold `mkdocs build` wall time", _build_seconds_complete),
    Target("export-10k", "whole-dataset export fits in the 180 s build budget", 10000, 180.0, "s", "#5",
           "`gongkai export content --out export/`, wall time, default --jobs", _plain("export", "seconds")),
    Target("memory-10k", "build peak memory ≤ 1.5 GiB", 10000, 1536.0, "MiB", "#9",
           "process tree (mkdocs + export child + Pagefind): PSS sum when sampled, else RSS sum", _memory),
    Target("validate", "`gongkai validate` ≤ 15 s", 1000, 15.0, "s", "#9",
           "wall time, default --jobs", _plain("validate", "seconds")),
    Target("serve", "`mkdocs serve` rebuild after one YAML edit ≤ 3 s", 1000, 3.0, "s", "#9",
           "saving the file → the served page shows the edit", _plain("serve", "seconds")),
    Target("page-size", "department-year pages < 80 KB of HTML", None, PAGE_LIMIT_KB, "KiB", "#4",
           "largest budgets/*/index.html", _plain("build", "page_kb_max"), strict=True),
    Target("search-bytes", "≤ 300 KB fetched before the first results", 10000, 300.0, "KiB", "#6",
           "Chromium, worst of the queries", _first_result),
    Target("index-seconds", "search indexing adds ≤ 30 s to the build", 1000, 30.0, "s", "#6",
           "Pagefind, from the build log", _plain("build", "index_s")),
)  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    target: Target
    n: int
    value: float | None
    why_missing: str

    @property
    def status(self) -> str:
        """PASS, MISS, INFO (an informational row: no verdict) or not measured."""
        if self.value is None:
            return NOT_MEASURED
        if self.target.informational:
            return "INFO"
        return "PASS" if self.within_limit() else "MISS"

    def within_limit(self) -> bool:
        """The measured value meets the limit (``<`` when the target is strict, else ``≤``)."""
        assert self.value is not None
        if self.target.strict:
            return self.value < self.target.limit
        return self.value <= self.target.limit

    def result(self) -> str:
        """PASS/MISS and by how much, or why it was not measured."""
        if self.value is None:
            return f"{NOT_MEASURED} ({self.why_missing})" if self.why_missing else NOT_MEASURED
        if self.target.informational:
            return f"informational, not the issue's target (against the same limit: {self._margin(plain=True)})"
        return self._margin()

    def _margin(self, plain: bool = False) -> str:
        """By how much the value is within or over the limit (MISS in bold unless ``plain``)."""
        assert self.value is not None
        delta = self.value - self.target.limit
        share = abs(delta) / self.target.limit * 100 if self.target.limit else 0.0
        unit = self.target.unit
        if not self.within_limit():
            miss = "MISS" if plain else "**MISS**"
            return f"{miss} by {_num(delta)} {unit} (+{share:.0f} %)"
        return f"PASS ({_num(-delta)} {unit} to spare, {share:.0f} %)"


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    """Every target at its N (at every measured N when the target has none)."""
    runs = runs_by_n(results)
    out: list[Verdict] = []
    for target in TARGETS:
        sizes = [target.n] if target.n is not None else sorted(runs)
        for n in sizes:
            steps = runs.get(n)
            if steps is None:
                out.append(Verdict(target, n, None, f"N={n:,} not run"))
                continue
            value, why = target.value(steps)
            out.append(Verdict(target, n, value, why))
    return out


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #


def _num(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:.2f}"


def fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return NOT_MEASURED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = _num(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".rstrip() if unit else text


def fmt_bytes(size: int | None) -> str:
    if size is None:
        return NOT_MEASURED
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:,.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:,.1f} KiB"
    return f"{size} B"


def _limit(target: Target) -> str:
    sign = "<" if target.strict else "≤"
    if target.unit == "×":
        text = f"{sign} {target.limit:.2f}×"
    else:
        text = f"{sign} {fmt(target.limit, target.unit)}"
    return f"({text}, for comparison)" if target.informational else text


def _value(verdict: Verdict) -> str:
    if verdict.value is None:
        return NOT_MEASURED
    if verdict.target.unit == "×":
        return f"{verdict.value:.2f}×"
    return fmt(verdict.value, verdict.target.unit)


def _cell(steps: dict[str, Any], step: str, key: str, unit: str = "") -> str:
    found = steps.get(step)
    if found is None:
        return "–"
    if not found.get("ok"):
        return "failed"
    return fmt(metric(steps, step, key), unit) if metric(steps, step, key) is not None else "–"


# --------------------------------------------------------------------------- #
# summary.md (run_bench.py)
# --------------------------------------------------------------------------- #


SUMMARY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("validate s", "validate", "seconds"),
    ("export s", "export", "seconds"),
    ("export MiB", "export", "export_mb"),
    ("build s (cold)", "build", "seconds"),
    ("build CPU s", "build", "cpu_seconds"),
    ("build ms/page", "build", "ms_per_page"),
    ("build peak MiB (tree PSS / RSS sum / 1 proc)", "build", "_memory"),
    ("warm build s", "warm", "seconds"),
    ("site MiB", "build", "site_mb"),
    ("data/ MiB", "build", "data_mb"),
    ("data/all MiB", "build", "data_all_mb"),
    ("page KiB mean / max", "build", "_pages"),
    ("index s", "build", "index_s"),
    ("pagefind MiB", "build", "pagefind_mb"),
    ("first result KiB (browser / est.)", "build", "_first"),
    ("serve rebuild s", "serve", "seconds"),
    ("floor s (as shipped, every page in the nav)", FLOOR, "seconds"),
    ("floor-index s (index-only nav)", FLOOR_INDEX, "seconds"),
    ("build/floor (as shipped: the target)", FLOOR, "_ratio"),
    ("build/floor-index (stricter)", FLOOR_INDEX, "_ratio"),
)


def _summary_cell(steps: dict[str, Any], step: str, key: str) -> str:
    if key == "_memory":
        if not ok_step(steps, step):
            return _cell(steps, step, "seconds")
        return " / ".join(
            fmt(metric(steps, step, k)) if metric(steps, step, k) is not None else "–"
            for k in ("tree_pss_mb", "tree_rss_mb", "peak_rss_mb")
        )
    if key == "_pages":
        if not ok_step(steps, step):
            return _cell(steps, step, "seconds")
        return f"{_cell(steps, step, 'page_kb_mean')} / {_cell(steps, step, 'page_kb_max')}"
    if key == "_first":
        browser = metric(steps, "search", "first_result_kb_max")
        estimate = metric(steps, "build", "first_result_kb_est")
        return f"{fmt(browser) if browser is not None else '–'} / {fmt(estimate) if estimate is not None else '–'}"
    if key == "_ratio":  # ``step`` is the floor the build is divided by
        ratio = build_floor_ratio(steps, step)
        return f"{ratio:.2f}" if ratio is not None else "–"
    return _cell(steps, step, key)


def summary_markdown(
    results: dict[str, Any], header: str, sizes: Sequence[int] | None = None
) -> str:
    """One row per N, then the targets with PASS/MISS, then failed steps."""
    runs = runs_by_n(results)
    chosen = sorted(n for n in runs if sizes is None or n in sizes)
    lines = [header, ""]
    lines.append("| N | " + " | ".join(c[0] for c in SUMMARY_COLUMNS) + " |")
    lines.append("|---" * (len(SUMMARY_COLUMNS) + 1) + "|")
    for n in chosen:
        steps = runs[n]
        cells = [_summary_cell(steps, step, key) for _, step, key in SUMMARY_COLUMNS]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| target | issue | N | measured | limit | PASS/MISS |",
        "|---|---|---|---|---|---|",
    ]
    for verdict in verdicts(results):
        if sizes is not None and verdict.n not in sizes and verdict.target.n is None:
            continue
        lines.append(
            f"| {verdict.target.label} | {verdict.target.issue} | {verdict.n:,} | {_value(verdict)} "
            f"| {_limit(verdict.target)} | {verdict.result()} |"
        )
    failures = [(n, s) for n in chosen for s in runs[n].values() if not s.get("ok")]
    if failures:
        lines += ["", "Failed steps:", ""]
        for n, step in failures:
            lines.append(f"- N={n:,} `{step['name']}`: {_first_line(step.get('error'))}")
    return "\n".join(lines) + "\n"


def _first_line(error: str | None) -> str:
    text = (error or "failed").strip().splitlines()
    return text[-1] if text else "failed"


# --------------------------------------------------------------------------- #
# BENCHMARKS.md
# --------------------------------------------------------------------------- #


def benchmarks_markdown(results: dict[str, Any], notes: str | None = None) -> str:
    runs = runs_by_n(results)
    invocations: dict[str, Any] = results.get("invocations", {})
    used = sorted(
        {str(s["run_id"]) for steps in runs.values() for s in steps.values() if s.get("run_id")}
    )
    out: list[str] = [
        "# Benchmarks",
        "",
        "<!-- Generated by bench/report.py from bench/run_bench.py's results.json: do not edit by hand. -->",
        "",
        "Measured by `bench/run_bench.py` (issue #9) on synthetic sites of N department-years "
        "(`gongkai synth`), with the plain-MkDocs floor (`../shared/bench/plain_mkdocs_floor.py`) "
        "of the same N built in the same run. Every figure below was measured; "
        f"“{NOT_MEASURED}” means the step was not run, failed, or did not produce that figure. "
        "Sizes are in KiB/MiB (1,024 bytes), memory in MiB.",
        "",
        *_floors_paragraph(runs),
        "",
    ]
    out += _machine_section(invocations, used)
    out += _reproduce_section(invocations, used, sorted(runs))
    out += [
        "## Targets",
        "",
        "| target | issue | N | measured | limit | result |",
        "|---|---|---|---|---|---|",
    ]
    for verdict in verdicts(results):
        what = f" ({verdict.target.what})" if verdict.value is not None else ""
        out.append(
            f"| {verdict.target.label} | {verdict.target.issue} | {verdict.n:,} | {_value(verdict)}{what} "
            f"| {_limit(verdict.target)} | {verdict.result()} |"
        )
    out.append("")
    for n in sorted(runs):
        out += _size_section(n, runs[n], results)
    out += _time_section(runs)
    failures = [(n, s) for n in sorted(runs) for s in runs[n].values() if not s.get("ok")]
    if failures:
        out += ["## Failed steps", ""]
        for n, step in failures:
            out.append(
                f"- N={n:,} `{step['name']}` ({step.get('when', '')}): {_first_line(step.get('error'))}"
            )
        out.append("")
    if notes:
        out += ["## Notes", "", notes.strip(), ""]
    return "\n".join(out).rstrip() + "\n"


def _floors_paragraph(runs: dict[int, dict[str, Any]]) -> list[str]:
    """What the two floors are, which one the target uses, and why one may be missing."""
    text = (
        f"The floor is built twice. The **{FLOOR_LABELS[FLOOR]}** (step `{FLOOR}`: the script's "
        "output unmodified, so MkDocs' default nav lists every page) is the floor issue #9 names: "
        "the build / floor ratio and its PASS/MISS are computed against it. The same floor with "
        f"an **{FLOOR_LABELS[FLOOR_INDEX]}** (step `{FLOOR_INDEX}`: `nav: [index.md]` appended, as "
        "the gongkai site also keeps department-year pages out of the nav) builds faster; its "
        "ratio is shown for information. Both ratios only from one invocation, by wall time "
        f"and by CPU seconds. The floor as shipped is {FLOOR_SKIPPED}; `--steps` can still "
        "name it."
    )
    if any(_floor_was_index_only(steps) for steps in runs.values()):
        text += (
            f" Runs recorded before step `{FLOOR_INDEX}` existed built only the index-only floor, "
            f"under the name `{FLOOR}` (`--floor-nav index`, then the default): it is shown here "
            f"as the index-only floor, and their commands below need `{FLOOR_INDEX}` in "
            f"`--steps` to measure the same thing today."
        )
    return [text]


def _steps_text(inv: dict[str, Any]) -> str:
    """The steps an invocation ran; per N when they differed (the floor as shipped above 2,000)."""
    by_n: dict[str, list[str]] = inv.get("steps_by_n") or {}
    if len({tuple(steps) for steps in by_n.values()}) > 1:
        return "; ".join(f"steps at N = {int(n):,}: {' '.join(steps)}" for n, steps in by_n.items())
    return f"steps {' '.join(inv.get('steps', []))}"


def _machine_section(invocations: dict[str, Any], used: list[str]) -> list[str]:
    lines = ["## Machine", ""]
    machines = {
        json.dumps(invocations[r].get("machine", {}), sort_keys=True): r
        for r in used
        if r in invocations
    }
    if not machines:
        return lines + [NOT_MEASURED, ""]
    for key in machines:
        m = json.loads(key)
        lines += [
            "| | |",
            "|---|---|",
            f"| CPU | {m.get('cpu_model', NOT_MEASURED)} |",
            f"| cores (os.cpu_count) | {fmt(m.get('cores'))} |",
            f"| RAM | {fmt(m.get('ram_gib'), 'GiB')} |",
            f"| OS | {m.get('os', NOT_MEASURED)} |",
            f"| Python | {m.get('python', NOT_MEASURED)} |",
            f"| packages | {', '.join(f'{k} {v}' for k, v in sorted(m.get('packages', {}).items())) or NOT_MEASURED} |",
            "",
        ]
    lines += ["Measured:", ""]
    for run_id in used:
        inv = invocations.get(run_id, {})
        lines.append(
            f"- {inv.get('started', run_id)} → {inv.get('finished') or 'stopped before the end'}: "
            f"N = {', '.join(f'{n:,}' for n in inv.get('sizes', []))}, {_steps_text(inv)}, "
            f"source `{inv.get('git', NOT_MEASURED)}` (plugins/ + site_templates/ digest `{inv.get('source_digest', '?')}`), load average at start {inv.get('load_at_start', NOT_MEASURED)}"
        )
    lines += [
        "",
        "The machine is shared with other work: wall times include waiting for the CPUs "
        "(each step's CPU seconds and the load average before it are recorded in results.json).",
        "",
    ]
    return lines


def _reproduce_section(invocations: dict[str, Any], used: list[str], sizes: list[int]) -> list[str]:
    lines = ["## How to reproduce", "", "```sh"]
    commands = [
        invocations[r]["command"]
        for r in used
        if r in invocations and invocations[r].get("command")
    ]
    lines += commands or [
        f".venv/bin/python bench/run_bench.py --sizes {' '.join(map(str, sizes))} --out bench-out"
    ]
    outs = [
        invocations[r].get("out") for r in used if r in invocations and invocations[r].get("out")
    ]
    results = f"{outs[-1] if outs else 'bench-out'}/results.json"
    lines += [f".venv/bin/python bench/report.py {results} -o BENCHMARKS.md", "```", ""]
    return lines


def _row(label: str, value: str, target: str = "", result: str = "") -> str:
    if value.startswith(NOT_MEASURED):  # "not measured, not measured files" → "not measured"
        value = NOT_MEASURED
    return f"| {label} | {value} | {target} | {result} |"


def _size_section(n: int, steps: dict[str, Any], results: dict[str, Any]) -> list[str]:
    by_key = {(v.target.key, v.n): v for v in verdicts(results)}

    def target(key: str) -> tuple[str, str]:
        verdict = by_key.get((key, n))
        if verdict is None:
            return "", ""
        return _limit(verdict.target), verdict.result()

    def m(step: str, key: str, unit: str = "") -> str:
        value = metric(steps, step, key)
        return fmt(value, unit) if value is not None else NOT_MEASURED

    rows: list[str] = [
        f"## N = {n:,}",
        "",
        "| measure | value | target | result |",
        "|---|---|---|---|",
    ]
    # synth
    rows.append(
        _row(
            "synthetic content (`gongkai synth`)",
            f"{m('synth', 'records')} records, {m('synth', 'content_mb', 'MiB')} of YAML",
        )
    )
    # validate
    rows.append(
        _row("`gongkai validate` wall time", m("validate", "seconds", "s"), *target("validate"))
    )
    rows.append(_row("… CPU time (all processes)", m("validate", "cpu_seconds", "s")))
    rows.append(
        _row(
            "… peak memory, tree PSS / RSS sum",
            f"{m('validate', 'tree_pss_mb', 'MiB')} / {m('validate', 'tree_rss_mb', 'MiB')}",
        )
    )
    rows.append(_row("… records per second", m("validate", "records_per_s")))
    # export
    rows.append(_row("`gongkai export` (whole dataset) wall time", m("export", "seconds", "s")))
    rows.append(
        _row(
            "… size, files",
            f"{m('export', 'export_mb', 'MiB')}, {m('export', 'export_files')} files",
        )
    )
    rows.append(
        _row(
            "… peak memory, tree PSS / RSS sum",
            f"{m('export', 'tree_pss_mb', 'MiB')} / {m('export', 'tree_rss_mb', 'MiB')}",
        )
    )
    # build
    pages_over = metric(steps, "build", "pages_over_limit")
    rows.append(
        _row(
            "`mkdocs build` (cold cache) wall time",
            m("build", "seconds", "s"),
            *target("build-10k"),
        )
    )
    rows.append(_row("… CPU time (mkdocs, export, Pagefind)", m("build", "cpu_seconds", "s")))
    rows.append(_row("… per department-year page", m("build", "ms_per_page", "ms")))
    rows.append(
        _row(
            "… peak memory, process tree PSS sum",
            m("build", "tree_pss_mb", "MiB"),
            *target("memory-10k"),
        )
    )
    rows.append(_row("… peak memory, process tree RSS sum", m("build", "tree_rss_mb", "MiB")))
    rows.append(
        _row("… peak memory, largest single process (wait4)", m("build", "peak_rss_mb", "MiB"))
    )
    rows.append(_row("… processes at once (max sampled)", m("build", "tree_procs_max")))
    rows += _floor_rows(n, steps, target)
    rows.append(_row("warm rebuild (`mkdocs build` with the cache)", m("warm", "seconds", "s")))
    rows.append(
        _row("site size", f"{m('build', 'site_mb', 'MiB')}, {m('build', 'site_files')} files")
    )
    rows.append(_row("department-year pages", m("build", "budget_pages")))
    rows.append(
        _row(
            "… HTML size mean / max",
            f"{m('build', 'page_kb_mean', 'KiB')} / {m('build', 'page_kb_max', 'KiB')}",
            *target("page-size"),
        )
    )
    rows.append(
        _row("… pages ≥ 80 KiB", fmt(pages_over) if pages_over is not None else NOT_MEASURED)
    )
    rows.append(
        _row(
            "downloads `data/` total",
            f"{m('build', 'data_mb', 'MiB')}, {m('build', 'data_files')} files",
        )
    )
    rows.append(_row("… whole dataset `data/all/`", m("build", "data_all_mb", "MiB")))
    rows.append(
        _row(
            "… per budget `data/budgets/*/`",
            f"{m('build', 'data_budgets_mb', 'MiB')} ({m('build', 'data_budget_kb_mean', 'KiB')} per budget)",
        )
    )
    rows.append(
        _row(
            "search indexing (Pagefind, build log)",
            m("build", "index_s", "s"),
            *target("index-seconds"),
        )
    )
    rows.append(
        _row(
            "search bundle `pagefind/`",
            f"{m('build', 'pagefind_mb', 'MiB')}, {m('build', 'pagefind_files')} files",
        )
    )
    rows.append(
        _row(
            "… index chunks mean / max",
            f"{m('build', 'pagefind_chunk_kb_mean', 'KiB')} / {m('build', 'pagefind_chunk_kb_max', 'KiB')}",
        )
    )
    rows.append(
        _row(
            "… before any query (loader, entry, WebAssembly, metadata)",
            m("build", "pagefind_core_kb", "KiB"),
        )
    )
    rows.append(
        _row(
            "… first results, estimate (core + 1 mean chunk + 5 mean fragments)",
            m("build", "first_result_kb_est", "KiB"),
        )
    )
    first_target = target("search-bytes")
    rows.append(
        _row(
            "… first results, measured in Chromium (worst query)",
            m("search", "first_result_kb_max", "KiB"),
            *first_target,
        )
    )
    for q in metric(steps, "search", "queries") or []:
        rows.append(
            _row(
                f"…… query {q.get('query')}",
                f"{fmt_bytes(q.get('bytes'))} ({fmt_bytes(q.get('gzip_bytes'))} gzip), {q.get('requests')} requests, "
                f"{fmt(q.get('seconds_to_results'), 's')}; {q.get('results')}",
            )
        )
    rows.append(
        _row(
            "`mkdocs serve` first build",
            m("serve", "first_build_s", "s")
            + (
                f" ({metric(steps, 'serve', 'cache_at_start')} cache)"
                if metric(steps, "serve", "cache_at_start")
                else ""
            ),
        )
    )
    rows.append(
        _row(
            "`mkdocs serve` rebuild after editing one YAML",
            m("serve", "seconds", "s"),
            *target("serve"),
        )
    )
    rows.append(_row("… of which MkDocs' build (serve log)", m("serve", "rebuild_build_s", "s")))
    rows.append(_row("… pages reused unchanged (serve log)", m("serve", "reused_pages")))
    rows.append("")
    rows += _dataset_files(steps)
    return rows


#: (floor step, label of its build row), in the order shown.
FLOOR_BUILD_ROWS: tuple[tuple[str, str], ...] = (
    (FLOOR, f"{FLOOR_LABELS[FLOOR]}: `mkdocs build`"),
    (FLOOR_INDEX, f"… the same floor, {FLOOR_LABELS[FLOOR_INDEX]}: `mkdocs build`"),
)
#: (floor step, target key, label of the build / floor row), in the order shown.
FLOOR_RATIO_ROWS: tuple[tuple[str, str, str], ...] = (
    (FLOOR, "build-ratio", f"build / {FLOOR_LABELS[FLOOR]}, same run"),
    (FLOOR_INDEX, "build-ratio-index", f"build / floor with {FLOOR_LABELS[FLOOR_INDEX]}, same run"),
)


def _floor_rows(
    n: int, steps: dict[str, Any], target: Callable[[str], tuple[str, str]]
) -> list[str]:
    """Both floors' builds, then build / floor by wall and CPU time against each.

    The floor as shipped first, with the target; the index-only floor after
    it, marked informational. ``target(key)`` gives a target's limit and result
    at this N ("", "" when the target is not held at this N).
    """
    rows = []
    for floor, label in FLOOR_BUILD_ROWS:
        seconds = metric(steps, floor, "seconds")
        rows.append(_row(label, fmt(seconds, "s"), "", _floor_missing(n, steps, floor)))
        if seconds is not None:
            rows.append(_row("… CPU time", fmt(metric(steps, floor, "cpu_seconds"), "s")))
    for floor, key, label in FLOOR_RATIO_ROWS:
        limit, result = ("", "informational") if floor == FLOOR_INDEX else target(key)
        rows.append(_row(label, _ratio_text(steps, floor, "seconds"), limit, result))
        by_cpu = _ratio_text(steps, floor, "cpu_seconds")
        rows.append(_row("… by CPU seconds (less sensitive to other load)", by_cpu))
    return rows


def _ratio_text(steps: dict[str, Any], floor: str, key: str) -> str:
    ratio = same_run_ratio(steps, floor, key)
    return f"{ratio:.2f}×" if ratio is not None else NOT_MEASURED


def _floor_missing(n: int, steps: dict[str, Any], floor: str) -> str:
    """Why a floor's build is not shown ("" when it is): the result cell of its row."""
    if ok_step(steps, floor):
        return ""
    skipped_by_default = floor == FLOOR and floor not in steps and n > FLOOR_ALL_NAV_MAX
    if skipped_by_default and not _floor_was_index_only(steps):
        return f"not run: {FLOOR_SKIPPED}"
    return _why_missing(steps, floor)


def _dataset_files(steps: dict[str, Any]) -> list[str]:
    site = metric(steps, "build", "data_all_files") or {}
    export = metric(steps, "export", "files") or {}
    if not site and not export:
        return []
    lines = [
        "Whole-dataset files: in the site (`data/all/`, written by the build) and from `gongkai export`:",
        "",
        "| file | site `data/all/` | `gongkai export` |",
        "|---|---|---|",
    ]
    for name in sorted(set(site) | set(export), key=lambda p: (p.count("/"), p)):
        lines.append(f"| `{name}` | {fmt_bytes(site.get(name))} | {fmt_bytes(export.get(name))} |")
    return [*lines, ""]


#: Build profile phases in the order shown (they nest: see the note under the table).
def _time_section(runs: dict[int, dict[str, Any]]) -> list[str]:
    lines = ["## Where the time goes", ""]
    wrote = False
    for n in sorted(runs):
        steps = runs[n]
        part: list[str] = []
        build = metric(steps, "build", "seconds")
        index = metric(steps, "build", "index_s")
        reported = metric(steps, "build", "mkdocs_reported_s")
        if build is not None:
            text = f"- Cold build {fmt(build, 's')} wall, {fmt(metric(steps, 'build', 'cpu_seconds'), 's')} CPU"
            if reported is not None:
                text += f"; MkDocs reports “built in {fmt(reported, 's')}”"
            if index is not None:
                text += f"; Pagefind indexing {fmt(index, 's')} ({index / build * 100:.0f} % of the wall time)"
            part.append(text + ".")
        for name, title in (("build", "cold build"), ("warm", "warm rebuild")):
            processes = metric(steps, name, "processes")
            if processes:
                part.append(f"- CPU by process in the {title} (sampled every "
                            f"{fmt(metric(steps, name, 'sample_interval_s'), 's')}; seconds since the start): "
                            + _processes(processes) + _peak_at(metric(steps, name, "pss_peak_at_s")) + ".")  # fmt: skip
        warm = metric(steps, "warm", "seconds")
        if warm is not None and build:
            part.append(
                f"- Warm rebuild (validation and page cache reused) {fmt(warm, 's')}: "
                f"{(1 - warm / build) * 100:.0f} % less than cold."
            )
        profile = ok_step(steps, "profile-build")
        if profile:
            phases = profile.get("metrics", {}).get("phases", {})
            total = profile.get("metrics", {}).get("profiled_total_s")
            part.append(
                f"- A cold build under cProfile ({fmt(profile.get('seconds'), 's')} wall): cumulative time in "
                "the main process. The profiler slows everything (the forked validation workers too): "
                "compare the shares, not the seconds with the build above. Time in the workers, the export "
                "child and Pagefind shows as waiting in the phase that waits for them."
            )
            part += ["", "  | phase | s | share |", "  |---|---|---|"]
            for label, seconds in phases.items():
                share = f"{seconds / total * 100:.0f} %" if total else ""
                part.append(f"  | {label} | {fmt(seconds)} | {share} |")
            top = profile.get("metrics", {}).get("top_tottime", [])
            if top:
                part += [
                    "",
                    "  Largest own time in the main process (tottime, waiting excluded): "
                    + "; ".join(f"`{t['function']}` {fmt(t['seconds'], 's')}" for t in top[:8])
                    + ".",
                ]
            part += [f"  Full report: `{profile.get('metrics', {}).get('report')}`.", ""]
        validate = ok_step(steps, "profile-validate")
        if validate:
            vm = validate.get("metrics", {})
            part.append(
                "- Validation in-process, one worker, under cProfile (inflated by the profiler): "
                f"loading {fmt(vm.get('load_s'), 's')}, "
                f"accounting rules {fmt(vm.get('rules_s'), 's')}, Table Schema checks {fmt(vm.get('tables_s'), 's')} "
                f"(profile: `{vm.get('report')}`)."
            )
        serve = ok_step(steps, "serve")
        if serve and serve.get("metrics", {}).get("first_build_s") is not None:
            part.append(
                f"- `mkdocs serve` first build {fmt(serve['metrics']['first_build_s'], 's')} "
                f"({serve['metrics'].get('cache_at_start', '?')} cache at start)."
            )
        if serve and serve.get("metrics", {}).get("rebuild_build_s") is not None:
            part.append(
                f"- `mkdocs serve` rebuild: {fmt(serve.get('seconds'), 's')} from saving the file to the page, of which "
                f"MkDocs' rebuild {fmt(serve['metrics']['rebuild_build_s'], 's')} "
                f"({fmt(serve['metrics'].get('reused_pages'))} pages reused)."
            )
        if part:
            wrote = True
            lines += [f"### N = {n:,}", "", *part, ""]
    if not wrote:
        lines += [NOT_MEASURED, ""]
    return lines


def _peak_at(seconds: float | None) -> str:
    return f"; the tree's PSS sum peaked {fmt(seconds, 's')} after the start" if seconds is not None else ""


def _processes(rows: list[dict[str, Any]]) -> str:
    parts = []
    for row in rows:
        role = "mkdocs (main)" if row.get("role") == "main" else f"{row.get('command')} (child)"
        memory = ""
        if row.get("peak_pss_mb"):
            memory = f", peak PSS {fmt(row['peak_pss_mb'], 'MiB')}"
            if row.get("pss_at_peak_mb"):
                memory += f" ({fmt(row['pss_at_peak_mb'], 'MiB')} at the tree's peak)"
        parts.append(
            f"{role} {fmt(row.get('cpu_s'), 's')} CPU, seen {row.get('seen_from_s')}–{row.get('seen_until_s')} s{memory}"
        )
    return "; ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, nargs="?", default=Path("bench-out/results.json"))
    parser.add_argument("-o", "--output", type=Path, help="write here (default: stdout)")
    parser.add_argument(
        "--notes", type=Path, help="a hand-written Markdown file appended as “Notes”"
    )
    args = parser.parse_args(argv)
    notes = args.notes.read_text("utf-8") if args.notes else None
    text = benchmarks_markdown(load(args.results), notes)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
