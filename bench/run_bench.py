"""Benchmark of the Gongkai pipeline on synthetic sites of N department-years (issue #9).

For each N, every step is the command a user runs, in a subprocess:

* ``synth``    ``gongkai synth --count N`` (the site project: mkdocs.yml + content/);
* ``validate`` ``gongkai validate content`` (streaming, default ``--jobs`` = CPU count);
* ``export``   ``gongkai export content --out export/`` (the whole dataset alone);
* ``build``    ``mkdocs build`` with a cold cache (``.cache/plugin/gongkai`` removed
  first): pages, downloads (``site/data/``, written by a forked child) and the
  Pagefind index (``site/pagefind/``, a subprocess) — time, CPU, peak memory of
  the whole process tree, site / page / data / index sizes, indexing seconds
  from the build log;
* ``search``   serves the built site on 127.0.0.1 under ``/gongkai/`` and, in
  headless Chromium (``bench/search_bench.py``), counts the bytes fetched from
  focusing the header search box to the first results on screen, per query;
* ``warm``     ``mkdocs build`` again with the cache the cold build left;
* ``serve``    ``mkdocs serve``: first build, then seconds from saving an edited
  YAML file to the served page showing the edit (the file is restored);
* ``floor``    the plain-MkDocs floor (``../shared/bench/plain_mkdocs_floor.py``)
  of the same N **as shipped**: the script's output unmodified, so MkDocs'
  default nav lists every page. The floor issue #9 names ("at most a third of
  the time the plain-MkDocs floor takes for 1,000 pages in the same run"): the
  ratio build / floor and its PASS/MISS are computed against it;
* ``floor-index`` the same floor with ``nav: [index.md]`` appended: stricter
  (it builds faster, as the gongkai site keeps department-year pages out of its
  nav too), its ratio is informational.

Default steps: all of them, except ``floor`` above N = 2,000 — with every page
in the nav, every page carries the whole nav, so the floor as shipped grows
with N² (extrapolating ../shared/bench/README.md's 1,000 pages, 306 KB of HTML
per page of which ~270 KB nav: about 27 GB and an hour of build at 10,000);
``--steps`` still runs it at any N. ``--floor-nav``
(which chose one nav for the single ``floor`` step) is gone: both variants are
steps now. Old results.json files whose ``floor`` step recorded
``nav: "index"`` are read as ``floor-index`` (``report.normalize_steps``).

Old trees (a previous site, cache, export or floor) are not deleted before a
step but moved into ``work/.trash/`` (one rename) and deleted when the
invocation ends. This machine's root file system is ext4 *without a journal*,
and there the kernel will not hand out again an inode freed in the last minute
(five, while its inode block is unwritten): every file created scans past them
(``recently_deleted`` in ``fs/ext4/ialloc.c``). Deleting a 1,000-record build
(about 95,000 files) and building again at once made creating each file up to
ten times slower: 26–30 s of system time in a build that needs 10 with fresh
inodes. A fresh clone in CI never pays that, so a cold build is measured as
one. ``--no-trash`` deletes at once, as before. The trash of an interrupted
invocation is emptied at the start, followed by a pause (``TRASH_QUIET_S``).

Peak memory: each step runs in its own session; every 0.2 s the harness sums
the RSS and the PSS (``/proc/PID/smaps_rollup``) of every process of that
session — mkdocs, the forked export, Pagefind, validate's workers — and keeps
the peaks. ``os.wait4`` gives the largest single process as well.

A step that fails is recorded with its error and the run goes on. Results go
to ``OUT/results.json`` (each step with the id of the invocation that measured
it), ``OUT/summary.md`` and ``OUT/results.md``; ``--write-benchmarks FILE``
renders ``FILE`` (BENCHMARKS.md) with ``bench/report.py``. Only 127.0.0.1 is used.

Usage::

    python bench/run_bench.py --sizes 1000 10000 --out bench-out --write-benchmarks BENCHMARKS.md
    python bench/run_bench.py --sizes 1000 --steps synth validate --profile
    python bench/run_bench.py --sizes 1000 --steps synth build floor floor-index
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
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
sys.path.insert(0, str(HERE))
import report  # noqa: E402  (bench/report.py)

SHARED_FLOOR = REPO.parent / "shared" / "bench" / "plain_mkdocs_floor.py"
LOCAL_FLOOR = HERE / "plain_mkdocs_floor.py"
STEPS = ("synth", "validate", "export", "build", "search", "warm", "serve", "floor", "floor-index")
#: The plugin's cache, relative to mkdocs.yml (option ``cache_dir``'s default).
CACHE_DIR = Path(".cache/plugin/gongkai")
#: The edit made to one record in the ``serve`` step, looked for in the served page.
EDIT_MARK = "（基准测试已修改）"
#: Results shown by the header search box before "显示更多结果" (one fragment each).
FIRST_RESULTS = 5
MB = 1024 * 1024
SCHEMA = 2
#: Seconds to wait after emptying the trash before measuring (ext4 without a
#: journal skips inodes freed in the last 60 s once their blocks are written).
TRASH_QUIET_S = 65
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Step:
    """The outcome of one step for one N."""

    name: str
    ok: bool = False
    seconds: float | None = None
    #: User + system CPU seconds of the process and every descendant it waited for.
    cpu_seconds: float | None = None
    #: Largest single process (``os.wait4``: the child or a waited-for descendant).
    peak_rss_mb: float | None = None
    #: Peak of the sum over the step's process tree (sampled): RSS, and PSS (shared pages once).
    tree_rss_mb: float | None = None
    tree_pss_mb: float | None = None
    tree_procs_max: int | None = None
    exit_code: int | None = None
    error: str | None = None
    load_before: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """Every step for one N in this invocation."""

    n: int
    steps: dict[str, Step] = field(default_factory=dict)


# --------------------------------------------------------------------------- #
# Memory of a process tree
# --------------------------------------------------------------------------- #


def session_processes(sid: int) -> dict[int, tuple[str, int]]:
    """{pid: (command name, CPU ticks so far)} of session ``sid``.

    Our child is the session's leader; forked workers and subprocesses inherit the session.
    """
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        stat = _proc_stat(int(entry.name))
        if stat is None:
            continue
        comm, rest = stat  # rest: state ppid pgrp session ... utime(11) stime(12)
        if len(rest) > 12 and int(rest[3]) == sid:
            found[int(entry.name)] = (comm, int(rest[11]) + int(rest[12]))
    return found


def _proc_stat(pid: int) -> tuple[str, list[bytes]] | None:
    """``/proc/PID/stat``: the command name and the fields after it (None once the process is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            data = stat.read()
    except OSError:
        return None
    end = data.rindex(b")")
    return data[data.index(b"(") + 1 : end].decode(errors="replace"), data[end + 2 :].split()


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int | None:
    """The process's PSS in bytes; 0 once it has exited; None when it cannot be read.

    A process listed by the sampler can exit (or become a zombie, with no
    memory left) before its ``smaps_rollup`` is read, which then fails with
    ESRCH: that is 0, not a reason to give up PSS for the whole step, as
    before (every step that started a worker or Pagefind lost its PSS).
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except ProcessLookupError:  # ESRCH: exiting, its memory already released
        return 0
    except (OSError, ValueError):
        return 0 if _exited(pid) else None
    return 0


def _exited(pid: int) -> bool:
    """The process is gone or a zombie (state ``Z``/``X`` in ``/proc/PID/stat``)."""
    stat = _proc_stat(pid)
    return stat is None or stat[1][:1] in ([b"Z"], [b"X"])


class TreeSampler(threading.Thread):
    """Samples a session every ``interval`` seconds: peak RSS and PSS sums, CPU per process."""

    def __init__(self, sid: int, interval: float) -> None:
        super().__init__(daemon=True, name=f"tree-sampler-{sid}")
        self.sid, self.interval = sid, interval
        self.rss_peak = self.pss_peak = self.procs_peak = self.samples = 0
        self.pss_available = True
        #: pid → [command, CPU ticks last seen, first seen s, last seen s, peak PSS bytes]
        self.processes: dict[int, list[Any]] = {}
        #: At the sample with the largest PSS sum: seconds since the start and pid → PSS bytes.
        self.pss_peak_at = 0.0
        self.pss_peak_parts: dict[int, int] = {}
        self._t0 = time.perf_counter()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self._stop_event.wait(self.interval):
                return

    def sample(self) -> None:
        found = session_processes(self.sid)
        now = round(time.perf_counter() - self._t0, 1)
        rss = sum(_rss(pid) for pid in found)
        pss_values = [_pss(pid) for pid in found]
        if any(value is None for value in pss_values):
            self.pss_available = False
        pss = sum(value or 0 for value in pss_values)
        for (pid, (comm, ticks)), own in zip(found.items(), pss_values, strict=True):
            seen = self.processes.setdefault(pid, [comm, ticks, now, now, 0])
            seen[0], seen[1], seen[3], seen[4] = comm, max(seen[1], ticks), now, max(seen[4], own or 0)
        self.samples += 1
        self.rss_peak = max(self.rss_peak, rss)
        if pss > self.pss_peak:
            self.pss_peak, self.pss_peak_at = pss, now
            self.pss_peak_parts = {pid: own or 0 for pid, own in zip(found, pss_values, strict=True)}
        self.procs_peak = max(self.procs_peak, len(found))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def record(self, step: Step) -> None:
        step.tree_rss_mb = round(self.rss_peak / MB, 1) if self.rss_peak else None
        step.tree_pss_mb = (
            round(self.pss_peak / MB, 1) if self.pss_peak and self.pss_available else None
        )
        step.tree_procs_max = self.procs_peak or None
        step.metrics["memory_samples"] = self.samples
        step.metrics["sample_interval_s"] = self.interval
        step.metrics["processes"] = self.cpu_by_process()
        if self.pss_peak and self.pss_available:
            step.metrics["pss_peak_at_s"] = self.pss_peak_at

    def cpu_by_process(self, at_least: float = 0.2) -> list[dict[str, Any]]:
        """CPU seconds and peak PSS of each process of the tree, as sampled (a process's last < interval is missed).

        ``pss_at_peak_mb`` is the process's share of the tree's largest PSS
        sum: which processes the peak memory was made of.
        """
        rows = []
        for pid, (comm, ticks, first, last, pss_peak) in sorted(
            self.processes.items(), key=lambda i: i[1][2]
        ):
            cpu = ticks / CLOCK_TICKS
            if cpu >= at_least or pid == self.sid:
                role = "main" if pid == self.sid else "child"
                rows.append({"pid": pid, "command": comm, "role": role, "cpu_s": round(cpu, 1),
                             "seen_from_s": first, "seen_until_s": last,
                             "peak_pss_mb": round(pss_peak / MB, 1),
                             "pss_at_peak_mb": round(self.pss_peak_parts.get(pid, 0) / MB, 1)})  # fmt: skip
        return rows


# --------------------------------------------------------------------------- #
# Running commands
# --------------------------------------------------------------------------- #


#: Address-space limit of every child in bytes (``--memory-limit-gb``); 0 = none.
MEMORY_LIMIT = 0
#: Seconds between two samples of a step's process tree (``--sample-interval``).
SAMPLE_INTERVAL = 0.2


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


def start(argv: Sequence[str], cwd: Path, sink: Any) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new session (so that its whole tree can be measured and stopped)."""
    return subprocess.Popen(
        list(argv),
        cwd=cwd,
        stdout=sink,
        stderr=subprocess.STDOUT,
        env=environment(),
        preexec_fn=_limit_memory,
        start_new_session=True,
    )


def run_command(
    step: Step,
    argv: Sequence[str],
    cwd: Path,
    log: Path,
    timeout: float,
    ok_codes: Sequence[int] = (0,),
) -> Step:
    """Run ``argv``: wall time, CPU time, peak memory (single process and tree), exit code."""
    log.parent.mkdir(parents=True, exist_ok=True)
    step.load_before = round(os.getloadavg()[0], 2)
    with log.open("wb") as sink:
        started = time.perf_counter()
        proc = start(argv, cwd, sink)
        sampler = TreeSampler(proc.pid, SAMPLE_INTERVAL)
        try:
            sampler.start()
            status, usage = _wait(proc, timeout)
        except BaseException:
            _abandon(proc)
            raise
        finally:
            if sampler.is_alive():
                sampler.stop()
        step.seconds = round(time.perf_counter() - started, 3)
    sampler.record(step)
    _record_usage(step, usage)
    _end_leftovers(step, proc.pid)
    if status is None:
        step.error = f"timeout after {timeout:.0f} s (log: {log})"
        return step
    step.exit_code = os.waitstatus_to_exitcode(status)
    step.ok = step.exit_code in ok_codes
    if not step.ok:
        step.error = f"exit code {step.exit_code}: {_tail(log)}"
    return step


def _record_usage(step: Step, usage: Any) -> None:
    if usage is None:
        return
    step.peak_rss_mb = round(usage.ru_maxrss / 1024, 1)  # Linux: KiB
    step.cpu_seconds = round(usage.ru_utime + usage.ru_stime, 2)


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, Any]:
    """Wait for ``proc`` up to ``timeout``; past it, kill its session (the processes it started)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return status, usage
        if time.monotonic() > deadline:
            _kill_session(proc.pid)
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            return None, None
        time.sleep(0.02)


def _end_leftovers(step: Step, sid: int) -> None:
    """Processes of the step's session still running after its leader ended: note them, end them."""
    left = session_processes(sid)
    if left:
        step.metrics["leftover_processes"] = sorted({comm for comm, _ in left.values()})
        _kill_session(sid)


def _abandon(proc: subprocess.Popen[bytes]) -> None:
    """The harness failed while ``proc`` runs (or Ctrl-C): kill the session we started, reap our child."""
    if proc.returncode is None:
        _kill_session(proc.pid)
        with contextlib.suppress(ChildProcessError):
            os.wait4(proc.pid, 0)
        proc.returncode = -9


def _kill_session(pid: int) -> None:
    """SIGKILL the process group that our child ``pid`` leads (it was started with its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


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
# What the logs say
# --------------------------------------------------------------------------- #

_INDEX_RE = re.compile(
    r"搜索索引：(\d+) 个页面(?:（分 (\d+) 批建立）)?，用时 ([\d.]+) 秒；(\d+) 个文件，共 (\d+) KiB（首次查询前下载 (\d+) KiB）"
    r"(?:；随后查询的第二部分 (\d+) 个页面(?:（分 (\d+) 批建立）)?)?"
)
_BUILT_RE = re.compile(r"Documentation built in ([\d.]+) seconds")
_PUBLISHED_RE = re.compile(r"(\d+) 个部门年度预算已发布，(\d+) 个未能发布；会计校验结果 (\d+) 个")
_REUSED_RE = re.compile(r"重建：(\d+) 个未变化的页面沿用上次的输出")


def log_metrics(text: str) -> dict[str, Any]:
    """Figures from an ``mkdocs build`` / ``serve`` log (the plugin's and MkDocs' own lines)."""
    found: dict[str, Any] = {}
    if match := _INDEX_RE.search(text):
        pages, runs, seconds, files, kib, core, more_pages, more_runs = match.groups()
        found.update(index_pages=int(pages), index_s=float(seconds), index_files=int(files),
                     index_kib=int(kib), index_core_kib=int(core), index_runs=int(runs or 1))  # fmt: skip
        if more_pages:
            found.update(index_more_pages=int(more_pages), index_more_runs=int(more_runs or 1))
    built = [float(s) for s in _BUILT_RE.findall(text)]
    if built:
        found["mkdocs_reported_s"] = built[0]
        if len(built) > 1:
            found["rebuild_build_s"] = built[-1]
    if match := _PUBLISHED_RE.search(text):
        found.update(published=int(match[1]), unpublished=int(match[2]), findings=int(match[3]))
    if reused := _REUSED_RE.findall(text):
        found["reused_pages"] = int(reused[-1])
    warnings = [line.strip() for line in text.splitlines() if line.startswith("WARNING")]
    if warnings:
        found["warnings"] = warnings[:10]
        found["warning_count"] = len(warnings)
    return found


# --------------------------------------------------------------------------- #
# Sizes of what was produced
# --------------------------------------------------------------------------- #


def tree_size(root: Path, pattern: str = "*") -> tuple[int, int]:
    """(bytes, files) under ``root``."""
    sizes = [p.stat().st_size for p in root.rglob(pattern) if p.is_file()]
    return sum(sizes), len(sizes)


def site_metrics(site: Path, n: int) -> dict[str, Any]:
    """Site size, department-year page sizes, downloads and search bundle."""
    total, files = tree_size(site)
    pages = [p.stat().st_size for p in site.glob("budgets/*/index.html")]
    metrics: dict[str, Any] = {
        "site_mb": round(total / MB, 1),
        "site_files": files,
        "html_pages": sum(1 for _ in site.rglob("*.html")),
        "budget_pages": len(pages),
        "page_kb_mean": round(sum(pages) / len(pages) / 1024, 1) if pages else None,
        "page_kb_max": round(max(pages) / 1024, 1) if pages else None,
        "pages_over_limit": sum(size >= report.PAGE_LIMIT_KB * 1024 for size in pages),
    }
    data = site / "data"
    if data.is_dir():
        metrics.update(data_metrics(data))
    pagefind = site / "pagefind"
    if pagefind.is_dir():
        metrics.update(pagefind_metrics(pagefind))
    builtin = site / "search" / "search_index.json"
    if builtin.is_file():  # Material's search plugin (should not be there any more)
        metrics["material_search_index_mb"] = round(builtin.stat().st_size / MB, 2)
    return metrics


def data_metrics(data: Path) -> dict[str, Any]:
    """``site/data/``: total, the whole dataset (``all/``) file by file, the per-budget folders."""
    total, files = tree_size(data)
    metrics: dict[str, Any] = {"data_mb": round(total / MB, 1), "data_files": files}
    whole = data / "all"
    if whole.is_dir():
        size, _ = tree_size(whole)
        metrics["data_all_mb"] = round(size / MB, 2)
        metrics["data_all_files"] = {
            p.relative_to(whole).as_posix(): p.stat().st_size
            for p in sorted(whole.rglob("*"))
            if p.is_file()
        }
    budgets = [p for p in (data / "budgets").glob("*") if p.is_dir()]
    if budgets:
        size = sum(tree_size(folder)[0] for folder in budgets)
        metrics.update(
            data_budgets_mb=round(size / MB, 1),
            data_budget_dirs=len(budgets),
            data_budget_kb_mean=round(size / len(budgets) / 1024, 1),
        )
    return metrics


def pagefind_metrics(bundle: Path) -> dict[str, Any]:
    """Pagefind bundle size and an estimate of the bytes fetched before the first results.

    As ``plugins/gongkai/search/README.md`` describes the header box: on focus it
    loads ``pagefind.js``, the entry file, the WebAssembly module and the
    language's metadata (the "core", as ``IndexStats.core_bytes``); a query adds
    its index chunk; the first results add one fragment each (5 shown). The
    estimate uses the mean chunk and fragment; the ``search`` step measures it.
    """
    total, files = tree_size(bundle)
    chunks = [p.stat().st_size for p in bundle.glob("index/*.pf_index")]
    fragments = [p.stat().st_size for p in bundle.glob("fragment/*.pf_fragment")]
    core = sum(
        p.stat().st_size
        for name in ("pagefind.js", "pagefind-entry.json")
        if (p := bundle / name).is_file()
    )
    wasm = sorted(p.stat().st_size for p in bundle.glob("wasm.*.pagefind"))
    meta = sorted(p.stat().st_size for p in bundle.glob("*.pf_meta"))
    core += (wasm[-1] if wasm else 0) + (meta[-1] if meta else 0)
    chunk_mean = sum(chunks) / len(chunks) if chunks else 0
    fragment_mean = sum(fragments) / len(fragments) if fragments else 0
    first = core + chunk_mean + FIRST_RESULTS * fragment_mean
    return {
        "pagefind_mb": round(total / MB, 2),
        "pagefind_files": files,
        "pagefind_chunks": len(chunks),
        "pagefind_chunk_kb_mean": round(chunk_mean / 1024, 1) if chunks else None,
        "pagefind_chunk_kb_max": round(max(chunks) / 1024, 1) if chunks else None,
        "pagefind_fragment_kb_mean": round(fragment_mean / 1024, 1) if fragments else None,
        "pagefind_core_kb": round(core / 1024, 1),
        "first_result_kb_est": round(first / 1024, 1),
        "first_result_kb_est_max_chunk": round(
            (first - chunk_mean + (max(chunks) if chunks else 0)) / 1024, 1
        ),
    }


# --------------------------------------------------------------------------- #
# Old trees
# --------------------------------------------------------------------------- #


class Trash:
    """Old trees moved aside with one rename, deleted once nothing is measured.

    See the module docstring: on a journal-less ext4, files created right
    after tens of thousands were deleted are created up to ten times slower,
    which measured the previous run's deletion, not the build.
    """

    def __init__(self, folder: Path, *, enabled: bool = True) -> None:
        self.folder = folder
        self.enabled = enabled
        self._count = 0

    def discard(self, path: Path) -> None:
        """Remove ``path`` (a tree or a file) from where it is, cheaply when enabled."""
        if not path.exists() and not path.is_symlink():
            return
        if not self.enabled:
            _remove(path)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._count += 1
        target = self.folder / f"{os.getpid()}-{self._count}-{path.name}"
        try:
            path.rename(target)
        except OSError:  # another file system: delete in place
            _remove(path)

    def empty(self, *, quiet_s: float = 0.0) -> bool:
        """Delete what was discarded, flush it to disk, then wait ``quiet_s``; True when anything was."""
        if not self.folder.is_dir() or not any(self.folder.iterdir()):
            return False
        shutil.rmtree(self.folder, ignore_errors=True)
        os.sync()
        if quiet_s:
            time.sleep(quiet_s)
        return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


#: The invocation's trash (``main`` sets it up; ``--no-trash`` deletes at once).
TRASH = Trash(Path(os.devnull), enabled=False)


# --------------------------------------------------------------------------- #
# Steps
# --------------------------------------------------------------------------- #


@dataclass
class Context:
    n: int
    work: Path
    logs: Path
    out: Path
    seed: int
    findings_rate: float
    timeout: float

    @property
    def site_dir(self) -> Path:
        return self.work / f"synth-{self.n}"

    @property
    def cache_dir(self) -> Path:
        return self.site_dir / CACHE_DIR

    def log(self, name: str) -> Path:
        return self.logs / f"{self.n}-{name}.log"


def step_synth(ctx: Context, step: Step) -> Step:
    TRASH.discard(ctx.site_dir / "content")
    argv = gongkai("synth", "--count", str(ctx.n), "--out", str(ctx.site_dir), "--seed", str(ctx.seed),
                   "--findings-rate", str(ctx.findings_rate), "--force")  # fmt: skip
    run_command(step, argv, REPO, ctx.log("synth"), ctx.timeout)
    if step.ok:
        size, files = tree_size(ctx.site_dir / "content", "*.yaml")
        step.metrics.update(records=files, content_mb=round(size / MB, 1))
    return step


def step_validate(ctx: Context, step: Step) -> Step:
    """``gongkai validate content`` as a user runs it: default ``--jobs`` (CPU count), full report.

    Exit 0: every record passes; 1: some record has structural problems (a
    result, not a failure of the step).
    """
    run_command(
        step, gongkai("validate", "content"), ctx.site_dir, ctx.log("validate"), ctx.timeout, (0, 1)
    )
    if step.ok:
        step.metrics["records_per_s"] = round(ctx.n / step.seconds, 1) if step.seconds else None
        step.metrics["all_valid"] = step.exit_code == 0
        step.metrics["jobs"] = f"default ({os.cpu_count()} CPUs)"
    return step


def step_export(ctx: Context, step: Step) -> Step:
    """``gongkai export content --out export/``: the whole dataset alone (no ``--per-budget``)."""
    out = ctx.site_dir / "export"
    TRASH.discard(out)
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
            p.relative_to(out).as_posix(): p.stat().st_size
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }
    return step


def _build(ctx: Context, step: Step, log_name: str) -> Step:
    site = ctx.site_dir / "site"
    TRASH.discard(site)
    run_command(
        step,
        mkdocs("build", "-f", "mkdocs.yml", "-d", "site"),
        ctx.site_dir,
        ctx.log(log_name),
        ctx.timeout,
    )
    step.metrics.update(log_metrics(ctx.log(log_name).read_text("utf-8", errors="replace")))
    if step.ok and step.seconds:
        step.metrics["ms_per_page"] = round(step.seconds * 1000 / ctx.n, 1)
    return step


def step_build(ctx: Context, step: Step) -> Step:
    """A cold ``mkdocs build``: the plugin's cache is removed first."""
    existed = ctx.cache_dir.exists()
    TRASH.discard(ctx.cache_dir)
    step.metrics.update(cache="cold", cache_removed=existed)
    _build(ctx, step, "build")
    site = ctx.site_dir / "site"
    if site.is_dir():
        step.metrics.update(site_metrics(site, ctx.n))
    if ctx.cache_dir.is_dir():
        step.metrics["cache_mb_after"] = round(tree_size(ctx.cache_dir)[0] / MB, 1)
    return step


def step_warm(ctx: Context, step: Step) -> Step:
    """``mkdocs build`` again, with the cache the cold build left (validated records, rendered pages)."""
    if not ctx.cache_dir.is_dir():
        step.error = f"no cache in {ctx.cache_dir}: run the build step first"
        return step
    step.metrics.update(cache="warm", cache_mb_before=round(tree_size(ctx.cache_dir)[0] / MB, 1))
    _build(ctx, step, "warm")
    site = ctx.site_dir / "site"
    if site.is_dir():
        pages = [p.stat().st_size for p in site.glob("budgets/*/index.html")]
        step.metrics.update(site_mb=round(tree_size(site)[0] / MB, 1), budget_pages=len(pages))
    return step


def step_search(ctx: Context, step: Step) -> Step:
    """Bytes fetched before the first results, in headless Chromium (``search_bench.measure_queries``)."""
    site = ctx.site_dir / "site"
    if not (site / "pagefind" / "pagefind-entry.json").is_file():
        step.error = f"no Pagefind bundle in {site / 'pagefind'} (build step not run, failed, or search: false)"
        return step
    import search_bench  # bench/search_bench.py: needs playwright and Debian's chromium

    if not Path(search_bench.CHROMIUM).exists():
        step.error = f"{search_bench.CHROMIUM} not found (make browser)"
        return step
    pages = sorted(p.parent.name for p in site.glob("budgets/*/index.html"))
    if not pages:
        step.error = "no department-year page in the site"
        return step
    page = f"budgets/{pages[0]}/"
    queries = list(search_bench.QUERIES)
    mixed = search_bench.mixed_query(site, page.rstrip("/"))
    if mixed:
        queries.append(mixed)
    www = ctx.work / f"www-{ctx.n}"  # the site under /gongkai/, as on a project's GitHub Pages
    shutil.rmtree(www, ignore_errors=True)
    www.mkdir(parents=True)
    (www / search_bench.PREFIX.strip("/")).symlink_to(site, target_is_directory=True)
    step.load_before = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    try:
        with search_bench.serve(www) as base:
            rows = search_bench.measure_queries(base, site, page, queries)
    finally:
        shutil.rmtree(www, ignore_errors=True)
    step.seconds = round(time.perf_counter() - started, 2)
    sizes = [row["bytes"] for row in rows]
    step.metrics.update(
        page=page,
        queries=rows,
        first_result_kb_max=round(max(sizes) / 1024, 1),
        first_result_kb_mean=round(sum(sizes) / len(sizes) / 1024, 1),
        first_result_gzip_kb_max=round(max(row["gzip_bytes"] for row in rows) / 1024, 1),
        seconds_to_results_max=max(row["seconds_to_results"] for row in rows),
    )
    empty = [row["query"] for row in rows if not row.get("results") or row["bytes"] == 0]
    step.ok = not empty
    if empty:
        step.error = f"no results shown for {', '.join(empty)}"
    return step


def step_serve(ctx: Context, step: Step) -> Step:
    """Seconds from saving an edited YAML to ``mkdocs serve`` serving the changed page."""
    record = sorted((ctx.site_dir / "content").rglob("*.yaml"))[0]
    original = record.read_bytes()
    port = _free_port()
    root, page = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/budgets/{record.stem}/"
    argv = mkdocs("serve", "-f", "mkdocs.yml", "--dev-addr", f"127.0.0.1:{port}")
    log = ctx.log("serve")
    step.metrics["cache_at_start"] = "warm" if ctx.cache_dir.is_dir() else "cold"
    step.load_before = round(os.getloadavg()[0], 2)
    with log.open("wb") as sink:
        proc = start(argv, ctx.site_dir, sink)
        sampler = TreeSampler(proc.pid, SAMPLE_INTERVAL)
        try:
            sampler.start()
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
            usage = _stop(proc)
            _end_leftovers(step, proc.pid)
            if sampler.is_alive():
                sampler.stop()
            sampler.record(step)
            _record_usage(step, usage)
            step.metrics.update(log_metrics(log.read_text("utf-8", errors="replace")))
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


def _stop(proc: subprocess.Popen[bytes]) -> Any:
    """Stop the server we started (Ctrl-C first, so it removes its temporary site); its rusage."""
    if proc.returncode is not None:
        return None
    proc.send_signal(signal.SIGINT)
    status, usage = _wait(proc, 30)
    return usage if status is not None else None


def floor_script() -> Path | None:
    """The shared floor script if present (the reference), else the copy in bench/."""
    for candidate in (SHARED_FLOOR, LOCAL_FLOOR):
        if candidate.is_file():
            return candidate
    return None


def step_floor(ctx: Context, step: Step) -> Step:
    """The floor as shipped: the script's site unmodified (MkDocs' default nav: every page)."""
    return _floor(ctx, step, index_only=False)


def step_floor_index(ctx: Context, step: Step) -> Step:
    """The floor with only its index page in the nav, as gongkai keeps department pages out of it."""
    return _floor(ctx, step, index_only=True)


def _floor(ctx: Context, step: Step, index_only: bool) -> Step:
    """Generate the floor of N pages in ``work/<step>-N``, then time its ``mkdocs build``.

    Each variant generates its own site (the script is deterministic:
    ``random.seed(1)``), so that a step never depends on another one having run.
    """
    script = floor_script()
    if script is None:
        step.error = "plain_mkdocs_floor.py not found"
        return step
    floor = ctx.work / f"{step.name}-{ctx.n}"
    if not _generate_floor(ctx, step, script, floor):
        return step
    if index_only:
        # The README's "only index in nav" row.
        with (floor / "mkdocs.yml").open("a", encoding="utf-8") as config:
            config.write("nav:\n  - index.md\n")
    step.metrics.update(nav="index" if index_only else "all", script=str(script))
    run_command(
        step,
        mkdocs("build", "-f", "mkdocs.yml", "-d", "site"),
        floor,
        ctx.log(f"{step.name}-build"),
        ctx.timeout,
    )
    step.metrics.update(floor_site_metrics(floor / "site"))
    if step.ok and step.seconds:
        step.metrics["ms_per_page"] = round(step.seconds * 1000 / ctx.n, 1)
    return step


def _generate_floor(ctx: Context, step: Step, script: Path, floor: Path) -> bool:
    """Run the floor script into an empty ``floor``; on failure, the error goes on ``step``."""
    TRASH.discard(floor)
    generate = Step(f"{step.name}-generate")
    run_command(generate, [sys.executable, str(script), str(ctx.n), str(floor), "zh"], REPO,
                ctx.log(f"{step.name}-generate"), ctx.timeout)  # fmt: skip
    if not generate.ok:
        step.error = f"floor generation failed: {generate.error}"
    return generate.ok


def floor_site_metrics(site: Path) -> dict[str, Any]:
    """Size of a floor's site and of Material's search index (the nav repeated in every page shows here)."""
    if not site.is_dir():
        return {}
    size, files = tree_size(site)
    metrics: dict[str, Any] = {"site_mb": round(size / MB, 1), "site_files": files}
    index = site / "search" / "search_index.json"
    if index.is_file():
        metrics["search_index_mb"] = round(index.stat().st_size / MB, 2)
    return metrics


STEP_FUNCTIONS: dict[str, Callable[[Context, Step], Step]] = {
    "synth": step_synth,
    "validate": step_validate,
    "export": step_export,
    "build": step_build,
    "search": step_search,
    "warm": step_warm,
    "serve": step_serve,
    "floor": step_floor,
    "floor-index": step_floor_index,
}


# --------------------------------------------------------------------------- #
# Profiles (--profile)
# --------------------------------------------------------------------------- #


def profile_validate(ctx: Context, step: Step, top: int = 25) -> Step:
    """Validation in-process, one worker, under cProfile: loading, rules, Table Schema checks."""
    sys.path.insert(0, str(REPO / "plugins"))
    from gongkai.loader import load_paths
    from gongkai.validate import table_problems, validate_records

    profiler = cProfile.Profile()
    phases: dict[str, float] = {}
    started = time.perf_counter()
    profiler.enable()
    records = load_paths([ctx.site_dir / "content"])
    phases["load_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    reports = validate_records(records, frictionless=False)
    phases["rules_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    for rep in reports:
        if rep.record.budget is not None and not rep.problems:
            table_problems(rep.record)
    phases["tables_s"] = time.perf_counter() - mark
    profiler.disable()
    step.seconds = round(time.perf_counter() - started, 2)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    path = ctx.out / f"profile-validate-{ctx.n}.txt"
    path.write_text(text.getvalue(), encoding="utf-8")
    step.metrics = {key: round(value, 2) for key, value in phases.items()} | {
        "report": _shown(path)
    }
    step.ok = True
    return step


#: (label, file path suffix, function) of the cumulative times shown for a build profile.
BUILD_PHASES: tuple[tuple[str, str, str], ...] = (
    ("mkdocs build, total", "mkdocs/commands/build.py", "build"),
    ("gongkai on_files: load + validate records, plan pages, start the export", "gongkai/mkdocs_plugin/plugin.py", "on_files"),
    ("… load_reports (validation, record cache)", "gongkai/site/source.py", "load_reports"),
    ("MkDocs _populate_page (every page's Markdown + on_page_* events)", "mkdocs/commands/build.py", "_populate_page"),
    ("… gongkai on_page_content (render department pages)", "gongkai/mkdocs_plugin/plugin.py", "on_page_content"),
    ("… gongkai on_page_markdown (downloads page: waits for the export)", "gongkai/mkdocs_plugin/plugin.py", "on_page_markdown"),
    ("MkDocs _build_page (theme templates, writing pages)", "mkdocs/commands/build.py", "_build_page"),
    ("… gongkai on_post_page (page body back in, compaction)", "gongkai/mkdocs_plugin/plugin.py", "on_post_page"),
    ("waiting for the downloads export (BackgroundExport.join)", "gongkai/mkdocs_plugin/downloads.py", "join"),
    ("gongkai on_post_build (search index)", "gongkai/mkdocs_plugin/plugin.py", "on_post_build"),
    ("… Pagefind (index_site)", "gongkai/search/indexer.py", "index_site"),
    ("copying theme files (copy_static_files)", "mkdocs/structure/files.py", "copy_static_files"),
)  # fmt: skip


#: Built-ins where the main process only waits (for validation workers, the export, Pagefind).
_WAITING = ("acquire", "waitpid", "poll", "select", "sleep", "wait", "recv", "read")


def _waiting(key: tuple[str, int, str]) -> bool:
    filename, _, name = key
    return filename == "~" and any(word in name for word in _WAITING)


def profile_build(ctx: Context, step: Step, top: int = 30) -> Step:
    """A cold ``mkdocs build`` under cProfile (main process; the export child and Pagefind are not profiled)."""
    prof = ctx.out / f"profile-build-{ctx.n}.prof"
    target = ctx.site_dir / "site-profile"
    TRASH.discard(ctx.cache_dir)
    TRASH.discard(target)
    argv = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "mkdocs", "build",
            "-f", "mkdocs.yml", "-d", str(target)]  # fmt: skip
    try:
        run_command(step, argv, ctx.site_dir, ctx.log("profile-build"), ctx.timeout)
    finally:
        TRASH.discard(target)
    step.metrics.update(log_metrics(ctx.log("profile-build").read_text("utf-8", errors="replace")))
    if not prof.is_file():
        step.ok = False
        step.error = step.error or f"no profile written ({prof})"
        return step
    stats = pstats.Stats(str(prof))
    phases: dict[str, float] = {}
    for label, suffix, function in BUILD_PHASES:
        seconds = [
            ct
            for (filename, _, name), (_, _, _, ct, _) in stats.stats.items()  # type: ignore[attr-defined]
            if name == function and filename.replace(os.sep, "/").endswith(suffix)
        ]
        if seconds:
            phases[label] = round(max(seconds), 2)
    own = sorted(
        (item for item in stats.stats.items() if not _waiting(item[0])),  # type: ignore[attr-defined]
        key=lambda item: item[1][2],
        reverse=True,
    )[:15]
    step.metrics["phases"] = phases
    step.metrics["profiled_total_s"] = phases.get("mkdocs build, total")
    step.metrics["top_tottime"] = [
        {"function": f"{Path(filename).name}:{line}({name})", "seconds": round(values[2], 2)}
        for (filename, line, name), values in own
    ]
    text = io.StringIO()
    out = pstats.Stats(str(prof), stream=text)
    out.sort_stats("cumulative").print_stats(top)
    out.sort_stats("tottime").print_stats(top)
    path = ctx.out / f"profile-build-{ctx.n}.txt"
    path.write_text(text.getvalue(), encoding="utf-8")
    step.metrics["report"] = _shown(path)
    return step


# --------------------------------------------------------------------------- #
# The machine, results.json
# --------------------------------------------------------------------------- #


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, OS, Python and the versions of the tools measured."""
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        if match := re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M):
            info["cpu_model"] = match[1].strip()
        meminfo = Path("/proc/meminfo").read_text()
        if match := re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M):
            info["ram_gib"] = round(int(match[1]) / 1024 / 1024, 1)
        release = Path("/etc/os-release").read_text()
        if match := re.search(r'^PRETTY_NAME="?([^"\n]+)"?', release, re.M):
            info["os"] = f"{match[1]} (kernel {platform.release()})"
    except OSError:
        pass
    from importlib import metadata

    packages = {}
    for name in ("mkdocs", "mkdocs-material", "pagefind", "pagefind_bin_extended", "jieba"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    info["packages"] = packages
    return info


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        return f"{head}{' + uncommitted changes' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def source_digest() -> str:
    """A short hash of the code measured (plugins/, site_templates/): other people edit it meanwhile."""
    digest = hashlib.sha256()
    for folder in (REPO / "plugins", REPO / "site_templates"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(REPO).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def read_results(path: Path) -> dict[str, Any]:
    """results.json, or a new one (an older schema is moved aside, not mixed in)."""
    empty: dict[str, Any] = {"version": SCHEMA, "invocations": {}, "runs": []}
    if not path.is_file():
        return empty
    try:
        data = json.loads(path.read_text("utf-8"))
    except ValueError:
        data = {}
    if data.get("version") != SCHEMA:
        path.rename(path.with_name(f"results.old-{time.strftime('%Y%m%d-%H%M%S')}.json"))
        return empty
    for entry in data.get("runs", []):
        # An old index-only `floor` becomes `floor-index` before this run writes a `floor` as
        # shipped over it: the two are different measurements, neither replaces the other.
        entry["steps"] = report.normalize_steps(entry.get("steps", {}))
    return data


def write_results(path: Path, results: dict[str, Any], run_id: str, runs: Sequence[Run]) -> None:
    """Merge this invocation's steps into results.json (a step measured again replaces the earlier one).

    Written after every step, so that a long run that is stopped keeps what it measured.
    """
    by_n = {int(r["n"]): r for r in results["runs"]}
    for run in runs:
        entry = by_n.setdefault(run.n, {"n": run.n, "steps": {}})
        for name, step in run.steps.items():
            entry["steps"][name] = asdict(step) | {
                "run_id": run_id,
                "when": step.metrics.get("_when"),
            }
            entry["steps"][name]["metrics"].pop("_when", None)
    results["runs"] = [by_n[n] for n in sorted(by_n)]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


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
        "--steps",
        nargs="+",
        choices=STEPS,
        default=None,
        help=f"steps to run (default all, but `floor` only up to N = {report.FLOOR_ALL_NAV_MAX:,})",
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
    parser.add_argument("--floor-nav", help=argparse.SUPPRESS)  # removed: see _reject_floor_nav
    parser.add_argument(
        "--memory-limit-gb",
        type=float,
        default=0,
        help="address-space limit of each step's process (default: none)",
    )
    parser.add_argument(
        "--sample-interval",
        type=float,
        default=0.2,
        help="seconds between two samples of a step's process-tree memory (default 0.2)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile validation (in-process) and a cold build (cProfile)",
    )
    parser.add_argument(
        "--profile-max", type=int, default=1000, help="largest N to profile (default 1000)"
    )
    parser.add_argument(
        "--write-benchmarks",
        type=Path,
        metavar="FILE",
        help="then render FILE (e.g. BENCHMARKS.md) from results.json",
    )
    parser.add_argument(
        "--notes", type=Path, help="with --write-benchmarks: a Markdown file appended as “Notes”"
    )
    parser.add_argument(
        "--no-trash",
        action="store_true",
        help="delete old sites and caches before each step instead of moving them aside "
        "(see the module docstring: on this machine that slows the next build's file creation)",
    )
    args = parser.parse_args(argv)
    _reject_floor_nav(parser, args)
    return args


def _reject_floor_nav(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``--floor-nav`` chose the nav of the single old ``floor`` step: say what replaced it.

    Keeping it would give ``floor`` two meanings; an old command line that
    passes it stops with this message instead of measuring something else.
    """
    if args.floor_nav is not None:
        parser.error(
            "--floor-nav was removed: the floor is now two steps, `floor` (as shipped, every page "
            "in the nav: --floor-nav all) and `floor-index` (--floor-nav index); choose with --steps"
        )


def steps_for(n: int, chosen: Sequence[str] | None) -> list[str]:
    """The steps to run at ``n``, in STEPS order: ``chosen`` (``--steps``) or the default.

    The default leaves out ``floor`` above ``report.FLOOR_ALL_NAV_MAX``: with
    every page in the nav, every page carries the whole nav, so that floor's
    site and build grow with N² (see the module docstring). Named in ``--steps``, it runs.
    """
    if chosen is not None:
        return [name for name in STEPS if name in chosen]
    if n > report.FLOOR_ALL_NAV_MAX:
        return [name for name in STEPS if name != report.FLOOR]
    return list(STEPS)


def planned_steps(args: argparse.Namespace, n: int) -> list[str]:
    """The steps recorded for ``n`` in the invocation (``profile`` when ``--profile`` reaches it)."""
    profile = ["profile"] if args.profile and n <= args.profile_max else []
    return steps_for(n, args.steps) + profile


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    global MEMORY_LIMIT, SAMPLE_INTERVAL
    MEMORY_LIMIT = int(args.memory_limit_gb * 1024**3)
    SAMPLE_INTERVAL = args.sample_interval
    out: Path = args.out.resolve()
    work, logs = out / "work", out / "logs"
    for folder in (work, logs):
        folder.mkdir(parents=True, exist_ok=True)
    global TRASH
    TRASH = Trash(work / ".trash", enabled=not args.no_trash)
    if TRASH.empty(quiet_s=TRASH_QUIET_S):
        print(f"[bench] emptied the trash of an earlier run; waited {TRASH_QUIET_S} s", file=sys.stderr)
    try:
        return _run(args, out, work, logs, argv)
    finally:
        TRASH.empty()


def _run(args: argparse.Namespace, out: Path, work: Path, logs: Path, argv: Sequence[str] | None) -> int:
    """Every step of every N, then the reports (``main`` owns the trash)."""
    path = out / "results.json"
    results = read_results(path)
    run_id = time.strftime("%Y%m%d-%H%M%S")
    planned = {n: planned_steps(args, n) for n in args.sizes}
    given = list(argv) if argv is not None else sys.argv[1:]
    results["invocations"][run_id] = {
        "run_id": run_id,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "finished": None,
        "command": shlex.join([".venv/bin/python", "bench/run_bench.py", *given]),
        "out": _shown(out),
        "sizes": args.sizes,
        "steps": [s for s in (*STEPS, "profile") if any(s in planned[n] for n in args.sizes)],
        "steps_by_n": {str(n): planned[n] for n in args.sizes},
        "seed": args.seed,
        "machine": machine(),
        "git": git_state(),
        "source_digest": source_digest(),
        "load_at_start": round(os.getloadavg()[0], 2),
        "trash": not args.no_trash,
    }
    runs: list[Run] = []
    for n in args.sizes:
        ctx = Context(n, work, logs, out, args.seed, args.findings_rate, args.timeout)
        run = Run(n)
        runs.append(run)
        todo = [(name, partial(STEP_FUNCTIONS[name], ctx)) for name in steps_for(n, args.steps)]
        if args.profile and n <= args.profile_max:
            todo += [("profile-validate", partial(profile_validate, ctx)),
                     ("profile-build", partial(profile_build, ctx))]  # fmt: skip
        for name, action in todo:
            print(f"[bench] N={n:,} {name} …", file=sys.stderr, flush=True)
            step = guarded(Step(name), action)
            step.metrics["_when"] = time.strftime("%Y-%m-%d %H:%M:%S")
            run.steps[name] = step
            _report_step(step)
            write_results(path, results, run_id, runs)
    results["invocations"][run_id]["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    write_results(path, results, run_id, runs)
    inv = results["invocations"][run_id]
    header = f"## {inv['started']} — {inv['command']}\n\n{_machine_line(inv['machine'])}"
    table = report.summary_markdown(results, header, sizes=args.sizes)
    with (out / "results.md").open("a", encoding="utf-8") as sink:
        sink.write(table + "\n")
    summary = report.summary_markdown(
        results, f"# Latest result of every step, by N\n\n{_machine_line(inv['machine'])}"
    )
    (out / "summary.md").write_text(summary, encoding="utf-8")
    print(table)
    if args.write_benchmarks:
        notes = args.notes.read_text("utf-8") if args.notes else None
        args.write_benchmarks.write_text(
            report.benchmarks_markdown(results, notes), encoding="utf-8"
        )
        print(f"[bench] wrote {args.write_benchmarks}", file=sys.stderr)
    return 0


def _shown(path: Path) -> str:
    """``path`` relative to the repository when inside it (as the command was typed there)."""
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def _machine_line(info: dict[str, Any]) -> str:
    return (f"{info.get('cpu_model', '?')}, {info.get('cores')} CPUs, {info.get('ram_gib')} GiB, "
            f"{info.get('os')}, {info.get('python')}")  # fmt: skip


def _report_step(step: Step) -> None:
    state = (
        "ok"
        if step.ok
        else f"FAILED ({(step.error or '').strip().splitlines()[-1] if step.error else ''})"
    )
    shown = {k: v for k, v in step.metrics.items()
             if not isinstance(v, (dict, list)) and not k.startswith("_")}  # fmt: skip
    print(f"[bench]   {step.name}: {state} {step.seconds} s, CPU {step.cpu_seconds} s, "
          f"peak MiB tree PSS {step.tree_pss_mb} / RSS {step.tree_rss_mb} / 1 proc {step.peak_rss_mb} {shown}",
          file=sys.stderr, flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
