"""Benchmark of the Gongkai pipeline on synthetic sites of N department-years.

For each N: generate the site (``gongkai synth``), validate it (``gongkai
validate``), export the data package (``gongkai export``), build it with
``mkdocs build`` (wall time, peak RSS, site size, page sizes, search index and
what a browser fetches before the first search result), measure how long
``mkdocs serve`` takes to show an edited YAML file, and build the plain-MkDocs
floor (``plain_mkdocs_floor.py``) of the same N for comparison.

Every step runs as a subprocess (the real command a user runs), timed with a
monotonic clock; its peak RSS comes from ``os.wait4`` for that very child. A
step that fails (a part of the site still being written, a timeout) is
recorded with its error and the run goes on: a benchmark that stops at the
first problem measures nothing. Results are written as JSON and appended as a
Markdown table to ``OUT/results.md``. Only 127.0.0.1 is used.

Usage::

    python bench/run_bench.py --sizes 1000 10000 --out bench-out/
    python bench/run_bench.py --sizes 1000 --steps synth validate --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_FLOOR = REPO.parent / "shared" / "bench" / "plain_mkdocs_floor.py"
LOCAL_FLOOR = HERE / "plain_mkdocs_floor.py"
STEPS = ("synth", "validate", "export", "build", "serve", "floor")
#: The edit made to one record in the ``serve`` step, looked for in the served page.
EDIT_MARK = "（基准测试已修改）"
MB = 1024 * 1024


@dataclass
class Step:
    """The outcome of one step for one N."""

    name: str
    ok: bool = False
    seconds: float | None = None
    peak_rss_mb: float | None = None
    exit_code: int | None = None
    error: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """Every step for one N."""

    n: int
    steps: dict[str, Step] = field(default_factory=dict)

    def metric(self, step: str, key: str) -> Any:
        found = self.steps.get(step)
        if found is None:
            return None
        return (
            found.seconds
            if key == "seconds"
            else found.peak_rss_mb
            if key == "rss"
            else found.metrics.get(key)
        )


# --------------------------------------------------------------------------- #
# Running commands
# --------------------------------------------------------------------------- #


#: Address-space limit of every child in bytes (``--memory-limit-gb``); 0 = none.
MEMORY_LIMIT = 0


def _limit_memory() -> None:  # pragma: no cover - runs in the child before exec
    """Cap the child's address space so that a runaway step fails instead of starving the machine."""
    if MEMORY_LIMIT:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def environment() -> dict[str, str]:
    """The children's environment: quiet MkDocs banner, the repository's package first."""
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO / "plugins"), env.get("PYTHONPATH", "")])
    )
    return env


def run_command(
    step: Step,
    argv: Sequence[str],
    cwd: Path,
    log: Path,
    timeout: float,
    ok_codes: Sequence[int] = (0,),
) -> Step:
    """Run ``argv``, recording wall time, the child's peak RSS and its exit code.

    ``os.wait4`` reports the resource usage of exactly this child (and the
    grandchildren it waited for), which ``RUSAGE_CHILDREN`` cannot: that one is
    a maximum over every child the harness ever ran.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment(),
            preexec_fn=_limit_memory,
        )
        status, usage = _wait(proc, timeout)
        step.seconds = round(time.perf_counter() - started, 3)
    if status is None:
        step.error = f"timeout after {timeout:.0f} s (log: {log})"
        return step
    step.exit_code = os.waitstatus_to_exitcode(status)
    step.peak_rss_mb = round(usage.ru_maxrss / 1024, 1) if usage is not None else None  # Linux: KiB
    step.ok = step.exit_code in ok_codes
    if not step.ok:
        step.error = f"exit code {step.exit_code}: {_tail(log)}"
    return step


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, Any]:
    """Wait for ``proc`` up to ``timeout``; kill it (by its pid) when it overruns."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return status, usage
        if time.monotonic() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            return None, None
        time.sleep(0.02)


def _tail(log: Path, lines: int = 12) -> str:
    text = log.read_text("utf-8", errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])


def guarded(step: Step, action: Callable[[Step], Step]) -> Step:
    """Run one step; any exception is recorded on the step instead of ending the run."""
    try:
        return action(step)
    except Exception as exc:  # noqa: BLE001 - a benchmark step must never stop the run
        step.ok = False
        step.error = f"{type(exc).__name__}: {exc}"
        return step


def gongkai(*args: str) -> list[str]:
    return [sys.executable, "-m", "gongkai.cli", *args]


def mkdocs(*args: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *args]


# --------------------------------------------------------------------------- #
# Sizes of what was produced
# --------------------------------------------------------------------------- #


def tree_size(root: Path, pattern: str = "*") -> tuple[int, int]:
    """(bytes, files) under ``root``."""
    sizes = [p.stat().st_size for p in root.rglob(pattern) if p.is_file()]
    return sum(sizes), len(sizes)


def site_metrics(site: Path) -> dict[str, Any]:
    """Site size, department-year page sizes and search index sizes."""
    total, files = tree_size(site)
    pages = [p.stat().st_size for p in site.glob("budgets/*/index.html")]
    metrics: dict[str, Any] = {
        "site_mb": round(total / MB, 1),
        "site_files": files,
        "budget_pages": len(pages),
        "page_kb_mean": round(sum(pages) / len(pages) / 1024, 1) if pages else None,
        "page_kb_max": round(max(pages) / 1024, 1) if pages else None,
    }
    builtin = site / "search" / "search_index.json"
    if builtin.is_file():
        metrics["search_index_mb"] = round(builtin.stat().st_size / MB, 2)
        metrics["first_result_kb_builtin"] = round(builtin.stat().st_size / 1024, 1)
    pagefind = site / "pagefind"
    if pagefind.is_dir():
        metrics.update(pagefind_metrics(pagefind))
    return metrics


def pagefind_metrics(bundle: Path) -> dict[str, Any]:
    """Pagefind bundle size and the bytes fetched before the first result.

    Before showing a result the browser loads ``pagefind.js``, the entry file,
    the WebAssembly module and the metadata of the language, then one index
    chunk and one fragment (the first hit): counted with the mean chunk and
    fragment sizes.
    """
    total, files = tree_size(bundle)
    chunks = [p.stat().st_size for p in bundle.glob("index/*")]
    fragments = [p.stat().st_size for p in bundle.glob("fragment/*")]
    first = sum(
        p.stat().st_size
        for name in ("pagefind.js", "pagefind-entry.json")
        if (p := bundle / name).is_file()
    )
    wasm = sorted(bundle.glob("wasm.*.pagefind"), key=lambda p: p.stat().st_size)
    meta = sorted(bundle.glob("*.pf_meta"), key=lambda p: p.stat().st_size)
    first += wasm[-1].stat().st_size if wasm else 0
    first += meta[-1].stat().st_size if meta else 0
    first += sum(chunks) // len(chunks) if chunks else 0
    first += sum(fragments) // len(fragments) if fragments else 0
    return {
        "pagefind_mb": round(total / MB, 2),
        "pagefind_files": files,
        "pagefind_chunks": len(chunks),
        "pagefind_chunk_kb_mean": round(sum(chunks) / len(chunks) / 1024, 1) if chunks else None,
        "first_result_kb_pagefind": round(first / 1024, 1),
    }


# --------------------------------------------------------------------------- #
# Steps
# --------------------------------------------------------------------------- #


@dataclass
class Context:
    n: int
    work: Path
    logs: Path
    seed: int
    findings_rate: float
    timeout: float
    floor_nav: str

    @property
    def site_dir(self) -> Path:
        return self.work / f"synth-{self.n}"

    def log(self, name: str) -> Path:
        return self.logs / f"{self.n}-{name}.log"


def step_synth(ctx: Context, step: Step) -> Step:
    argv = gongkai("synth", "--count", str(ctx.n), "--out", str(ctx.site_dir), "--seed", str(ctx.seed),
                   "--findings-rate", str(ctx.findings_rate), "--force")  # fmt: skip
    run_command(step, argv, REPO, ctx.log("synth"), ctx.timeout)
    if step.ok:
        size, files = tree_size(ctx.site_dir / "content", "*.yaml")
        step.metrics.update(records=files, content_mb=round(size / MB, 1))
    return step


def step_validate(ctx: Context, step: Step) -> Step:
    # 0: every record passes; 1: some record has structural problems (a result, not a failure of the step).
    run_command(
        step,
        gongkai("validate", "content", "--quiet"),
        ctx.site_dir,
        ctx.log("validate"),
        ctx.timeout,
        (0, 1),
    )
    if step.ok:
        step.metrics["records_per_s"] = round(ctx.n / step.seconds, 1) if step.seconds else None
        step.metrics["all_valid"] = step.exit_code == 0
    return step


def step_export(ctx: Context, step: Step) -> Step:
    out = ctx.site_dir / "export"
    shutil.rmtree(out, ignore_errors=True)
    run_command(
        step,
        gongkai("export", "content", "--out", str(out)),
        ctx.site_dir,
        ctx.log("export"),
        ctx.timeout,
    )
    if step.ok:
        size, files = tree_size(out)
        step.metrics.update(export_mb=round(size / MB, 1), export_files=files)
        step.metrics["files"] = {
            str(p.relative_to(out)): round(p.stat().st_size / MB, 2)
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }
    return step


def step_build(ctx: Context, step: Step) -> Step:
    site = ctx.site_dir / "site"
    shutil.rmtree(site, ignore_errors=True)
    run_command(
        step,
        mkdocs("build", "-f", "mkdocs.yml", "-d", "site"),
        ctx.site_dir,
        ctx.log("build"),
        ctx.timeout,
    )
    if site.is_dir():
        step.metrics.update(site_metrics(site))
    return step


def step_serve(ctx: Context, step: Step) -> Step:
    """Seconds from saving an edited YAML to ``mkdocs serve`` serving the changed page."""
    record = sorted((ctx.site_dir / "content").rglob("*.yaml"))[0]
    original = record.read_bytes()
    port = _free_port()
    root, page = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/budgets/{record.stem}/"
    argv = mkdocs("serve", "-f", "mkdocs.yml", "--dev-addr", f"127.0.0.1:{port}")
    log = ctx.log("serve")
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            argv,
            cwd=ctx.site_dir,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment(),
            preexec_fn=_limit_memory,
        )
        try:
            started = time.perf_counter()
            if not _poll(root, lambda body: True, ctx.timeout, proc):
                step.error = f"server not ready within {ctx.timeout:.0f} s: {_tail(log)}"
                return step
            step.metrics["first_build_s"] = round(time.perf_counter() - started, 2)
            if not _poll(page, lambda body: True, 10, proc):
                step.error = f"{page} is not served (has the page URL scheme changed?)"
                return step
            saved = time.perf_counter()
            record.write_text(_edit_name(original.decode("utf-8")), encoding="utf-8")
            if not _poll(page, lambda body: EDIT_MARK in body, ctx.timeout, proc):
                step.error = f"edit not served within {ctx.timeout:.0f} s: {_tail(log)}"
                return step
            step.seconds = round(time.perf_counter() - saved, 2)
            step.ok = True
        finally:
            record.write_bytes(original)
            step.peak_rss_mb = _stop(proc)
    return step


def _edit_name(text: str) -> str:
    """The record with its department name changed (the first ``  name:`` under ``department:``)."""
    head, _, rest = text.partition("\ndepartment:\n")
    line_start = rest.index("  name: ")
    line_end = rest.index("\n", line_start)
    name = rest[line_start + len("  name: ") : line_end]
    return f"{head}\ndepartment:\n{rest[:line_start]}  name: {name}{EDIT_MARK}{rest[line_end:]}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _poll(
    url: str, accept: Callable[[str], bool], timeout: float, proc: subprocess.Popen[bytes]
) -> bool:
    """GET ``url`` every 0.2 s until ``accept(body)``, the timeout, or the server's exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200 and accept(
                    response.read().decode("utf-8", errors="replace")
                ):
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> float | None:
    """Stop the server we started (Ctrl-C first, so it removes its temporary site); its peak RSS in MB."""
    if proc.poll() is not None:
        return None
    proc.send_signal(signal.SIGINT)
    status, usage = _wait(proc, 30)
    return round(usage.ru_maxrss / 1024, 1) if status is not None and usage is not None else None


def floor_script() -> Path | None:
    """The shared floor script if present (the reference), else the copy in bench/."""
    for candidate in (SHARED_FLOOR, LOCAL_FLOOR):
        if candidate.is_file():
            return candidate
    return None


def step_floor(ctx: Context, step: Step) -> Step:
    script = floor_script()
    if script is None:
        step.error = "plain_mkdocs_floor.py not found"
        return step
    floor = ctx.work / f"floor-{ctx.n}"
    shutil.rmtree(floor, ignore_errors=True)
    generate = Step("floor-generate")
    run_command(
        generate,
        [sys.executable, str(script), str(ctx.n), str(floor), "zh"],
        REPO,
        ctx.log("floor-generate"),
        ctx.timeout,
    )
    if not generate.ok:
        step.error = f"floor generation failed: {generate.error}"
        return step
    if ctx.floor_nav == "index":
        # Department pages out of the nav, as the gongkai plugin does (README: "only index in nav").
        with (floor / "mkdocs.yml").open("a", encoding="utf-8") as config:
            config.write("nav:\n  - index.md\n")
    step.metrics["nav"] = ctx.floor_nav
    run_command(
        step,
        mkdocs("build", "-f", "mkdocs.yml", "-d", "site"),
        floor,
        ctx.log("floor-build"),
        ctx.timeout,
    )
    if (floor / "site").is_dir():
        size, files = tree_size(floor / "site")
        step.metrics.update(site_mb=round(size / MB, 1), site_files=files)
        index = floor / "site" / "search" / "search_index.json"
        if index.is_file():
            step.metrics["search_index_mb"] = round(index.stat().st_size / MB, 2)
    return step


STEP_FUNCTIONS: dict[str, Callable[[Context, Step], Step]] = {
    "synth": step_synth,
    "validate": step_validate,
    "export": step_export,
    "build": step_build,
    "serve": step_serve,
    "floor": step_floor,
}


# --------------------------------------------------------------------------- #
# Profiling the validator in-process
# --------------------------------------------------------------------------- #


def profile_validate(ctx: Context, out: Path, top: int = 25) -> dict[str, Any]:
    """Time the phases of validation in-process and write a cProfile report.

    Phases: loading (YAML + binding), the accounting rules, Frictionless.
    """
    sys.path.insert(0, str(REPO / "plugins"))
    from gongkai.loader import load_paths
    from gongkai.validate import frictionless_problems, validate_records

    profiler = cProfile.Profile()
    phases: dict[str, float] = {}
    profiler.enable()
    started = time.perf_counter()
    records = load_paths([ctx.site_dir / "content"])
    phases["load_s"] = time.perf_counter() - started
    started = time.perf_counter()
    validate_records(records, frictionless=False)
    phases["rules_s"] = time.perf_counter() - started
    started = time.perf_counter()
    frictionless_problems([r for r in records if r.ok])
    phases["frictionless_s"] = time.perf_counter() - started
    profiler.disable()
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    path = out / f"profile-validate-{ctx.n}.txt"
    path.write_text(report.getvalue(), encoding="utf-8")
    return {key: round(value, 2) for key, value in phases.items()} | {"report": str(path)}


# --------------------------------------------------------------------------- #
# Reporting
# --------------------------------------------------------------------------- #


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}{suffix}" if value >= 10 else f"{value:.2f}{suffix}"
    return f"{value}{suffix}"


def _cell(run: Run, step: str, key: str, suffix: str = "") -> str:
    found = run.steps.get(step)
    if found is None:
        return "–"
    if not found.ok and key in ("seconds", "rss"):
        return "failed"
    return _fmt(run.metric(step, key), suffix)


def markdown(runs: Sequence[Run], header: str) -> str:
    """The results as Markdown tables (one row per N) and the errors of failed steps."""
    lines = [
        header,
        "",
        "| N | synth s | content MB | validate s | validate MB RSS | export s | export MB | build s | build MB RSS "
        "| site MB | page KB mean/max | search index MB | first result KB | serve rebuild s | floor build s | build/floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        first = run.metric("build", "first_result_kb_pagefind") or run.metric(
            "build", "first_result_kb_builtin"
        )
        index = run.metric("build", "pagefind_mb") or run.metric("build", "search_index_mb")
        build, floor = run.steps.get("build"), run.steps.get("floor")
        ratio = (
            f"{build.seconds / floor.seconds:.2f}"
            if build and floor and build.ok and floor.ok and build.seconds and floor.seconds
            else "–"
        )
        lines.append(
            f"| {run.n:,} | {_cell(run, 'synth', 'seconds')} | {_cell(run, 'synth', 'content_mb')} "
            f"| {_cell(run, 'validate', 'seconds')} | {_cell(run, 'validate', 'rss')} "
            f"| {_cell(run, 'export', 'seconds')} | {_cell(run, 'export', 'export_mb')} "
            f"| {_cell(run, 'build', 'seconds')} | {_cell(run, 'build', 'rss')} | {_cell(run, 'build', 'site_mb')} "
            f"| {_cell(run, 'build', 'page_kb_mean')} / {_cell(run, 'build', 'page_kb_max')} | {_fmt(index)} | {_fmt(first)} "
            f"| {_cell(run, 'serve', 'seconds')} | {_cell(run, 'floor', 'seconds')} | {ratio} |"
        )
    failures = [(run.n, s) for run in runs for s in run.steps.values() if not s.ok]
    if failures:
        lines += ["", "Failed steps:", ""]
        for n, step in failures:
            first_line = (step.error or "").strip().splitlines()
            lines.append(f"- N={n:,} `{step.name}`: {first_line[-1] if first_line else 'failed'}")
    profiles = [(run.n, run.steps["profile"].metrics) for run in runs if "profile" in run.steps]
    for n, metrics in profiles:
        lines.append(
            f"\nValidate phases at N={n:,} (in-process): load {metrics.get('load_s')} s, "
            f"rules {metrics.get('rules_s')} s, Frictionless {metrics.get('frictionless_s')} s "
            f"(profile: `{metrics.get('report')}`)."
        )
    return "\n".join(lines) + "\n"


def machine() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"


# --------------------------------------------------------------------------- #
# Main
# --------------------------------------------------------------------------- #


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1000], help="numbers of records (default 1000)"
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench-out", help="output directory (default bench-out/)"
    )
    parser.add_argument(
        "--steps", nargs="+", choices=STEPS, default=list(STEPS), help="steps to run (default all)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the synthetic data (default 1)"
    )
    parser.add_argument(
        "--findings-rate", type=float, default=0.03, help="share of records with an injected error"
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds allowed per step (default 3600)"
    )
    parser.add_argument("--floor-nav", choices=("index", "all"), default="index",
                        help="floor site nav: only the index page (as gongkai does) or every page (default index)")  # fmt: skip
    parser.add_argument("--memory-limit-gb", type=float, default=0,
                        help="address-space limit of each step's process (default: none)")  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true", help="also profile validation in-process (cProfile)"
    )
    parser.add_argument(
        "--profile-max", type=int, default=1000, help="largest N to profile (default 1000)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    global MEMORY_LIMIT
    MEMORY_LIMIT = int(args.memory_limit_gb * 1024**3)
    out: Path = args.out.resolve()
    work, logs = out / "work", out / "logs"
    for folder in (work, logs):
        folder.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for n in args.sizes:
        ctx = Context(n, work, logs, args.seed, args.findings_rate, args.timeout, args.floor_nav)
        run = Run(n)
        runs.append(run)
        for name in STEPS:
            if name not in args.steps:
                continue
            print(f"[bench] N={n:,} {name} …", file=sys.stderr, flush=True)
            run.steps[name] = guarded(Step(name), partial(STEP_FUNCTIONS[name], ctx))
            _report_step(run.steps[name])
        if args.profile and n <= args.profile_max:
            profile = Step("profile")
            run.steps["profile"] = guarded(profile, partial(_profile_step, ctx, out))
            _report_step(run.steps["profile"])
        _write_json(out, runs, args)
    table = markdown(
        runs,
        f"## {time.strftime('%Y-%m-%d %H:%M:%S')} — seed {args.seed}, steps {' '.join(args.steps)}\n\n{machine()}",
    )
    with (out / "results.md").open("a", encoding="utf-8") as sink:
        sink.write(table + "\n")
    summary = markdown(
        load_runs(out / "results.json"), f"# Latest result of every step, by N\n\n{machine()}"
    )
    (out / "summary.md").write_text(summary, encoding="utf-8")
    print(table)
    return 0


def _profile_step(ctx: Context, out: Path, step: Step) -> Step:
    step.metrics = profile_validate(ctx, out)
    step.ok = True
    return step


def _report_step(step: Step) -> None:
    state = (
        "ok" if step.ok else f"FAILED ({(step.error or '').splitlines()[-1] if step.error else ''})"
    )
    print(f"[bench]   {step.name}: {state} {step.seconds} s, RSS {step.peak_rss_mb} MB {step.metrics if step.name != 'export' else ''}",
          file=sys.stderr, flush=True)  # fmt: skip


def load_runs(path: Path) -> list[Run]:
    """The runs recorded in results.json (the latest result of each step), for summary.md."""
    data = json.loads(path.read_text("utf-8"))
    known = set(Step.__dataclass_fields__)
    return [
        Run(
            int(r["n"]),
            {k: Step(**{a: b for a, b in v.items() if a in known}) for k, v in r["steps"].items()},
        )
        for r in data.get("runs", [])
    ]


def _write_json(out: Path, runs: Sequence[Run], args: argparse.Namespace) -> None:
    """Update results.json after every N, step by step.

    Written as soon as an N is done, so that a long run that is stopped keeps what it
    measured. A step measured again replaces its earlier result; the other steps and
    sizes of earlier invocations are kept (``when`` says when each step was measured).
    """
    path = out / "results.json"
    previous: dict[str, Any] = {}
    if path.is_file():
        try:
            previous = {str(r["n"]): r for r in json.loads(path.read_text("utf-8")).get("runs", [])}
        except (ValueError, KeyError, TypeError, AttributeError):
            previous = {}
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    for run in runs:
        entry = previous.setdefault(str(run.n), {"n": run.n, "steps": {}})
        for name, step in run.steps.items():
            entry["steps"][name] = asdict(step) | {"when": stamp, "seed": args.seed}
    payload = {"machine": machine(), "runs": sorted(previous.values(), key=lambda r: int(r["n"]))}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
