"""Benchmark of the site search (gongkai.search) on synthetic sites of N department-years.

For each N: generate the records (``gongkai synth``), build the site once with
the real ``gongkai`` plugin and the header search box (``bench/search_hooks.py``;
Material's search plugin off), then for each variant of the index:

* time :func:`gongkai.search.index_site` on the built site (what ``on_post_build``
  adds to a build) and record the bundle's size;
* serve the site on 127.0.0.1 under ``/gongkai/``, open a department-year page in
  headless Chromium, type each query into the header box, and sum the bytes of
  every request made between the first keystroke and the moment the results
  were on screen (the ``gongkai-search:results`` performance mark).

Variants: ``as-is`` indexes the department pages as the templates mark them;
``lean`` also leaves out the elements a reader never searches (budget tables,
charts, key figures, quality findings, downloads) with
``exclude_selectors=TEMPLATE_EXCLUDE_SELECTORS``, as the templates would with
``data-pagefind-ignore``.

``--build B`` builds B department-years once and reaches each size by copying
every department-year page size/B times (each copy at its own URL, with its own
title word) before indexing: 10,000 pages from a 1,000-page build, when building
10,000 with the plugin takes too long for the machine at hand. The copies have
the same text otherwise, so the vocabulary is that of the B built pages.

Usage::

    python bench/search_bench.py --sizes 1000 10000 --out bench-out/search
    python bench/search_bench.py --build 1000 --sizes 1000 10000 --reuse

Only 127.0.0.1 is used; Chromium is Debian's (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gongkai.search import TEMPLATE_EXCLUDE_SELECTORS, index_site, theme_dir

HERE = Path(__file__).resolve().parent
PREFIX = "/gongkai/"
CHROMIUM = "/usr/bin/chromium"
QUERIES = ("驻村", "老干部", "选调生")
VARIANTS: dict[str, tuple[str, ...]] = {"as-is": (), "lean": TEMPLATE_EXCLUDE_SELECTORS}

BUILD_CONFIG = """\
INHERIT: mkdocs.yml
hooks:
  - {hooks}
plugins:
  - gongkai:
      content_dir: content
      on_invalid: fail
      strict: false
"""


def run(cmd: list[str], **kwargs: Any) -> float:
    """Run a command, raise on failure, return its wall time."""
    started = time.perf_counter()
    subprocess.run(cmd, check=True, **kwargs)
    return time.perf_counter() - started


def synth(out: Path, count: int, reuse: bool) -> None:
    if reuse and (out / "content").is_dir():
        return
    gongkai = Path(sys.executable).with_name("gongkai")
    run([str(gongkai), "synth", "--count", str(count), "--out", str(out), "--force"])


def build(out: Path) -> tuple[Path, float]:
    config = out / "mkdocs.search.yml"
    config.write_text(BUILD_CONFIG.format(hooks=HERE / "search_hooks.py"), encoding="utf-8")
    site = out / "www" / PREFIX.strip("/")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    seconds = run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
        env=env,
    )
    return site, seconds


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def serve(www: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()


_NAME_CHARS = "东西南北安平宁康乐和清河阳城山水源泉林桥岗庄湖江海丰兴华明德新昌盛吉祥永泰"


def replicate(site: Path, times: int, seed: int = 6) -> int:
    """Copy every department-year page ``times - 1`` times; return the page count."""
    rng = random.Random(seed)
    pages = sorted((site / "budgets").glob("*/index.html"))
    for k in range(1, times):
        for page in pages:
            html = page.read_text(encoding="utf-8")
            word = "".join(rng.choice(_NAME_CHARS) for _ in range(2)) + "镇"
            # A distinct word in the title (h1 and the result title) of each copy.
            html = re.sub(
                r"(<h1[^>]*>)(.*?)(</h1>)", rf"\1\2（{word}）\3", html, count=1, flags=re.S
            )
            html = re.sub(
                r'(data-pagefind-meta="title">)(.*?)(</span>)', rf"\1\2（{word}）\3", html, count=1
            )
            target = page.parent.with_name(f"{page.parent.name}-r{k}") / "index.html"
            target.parent.mkdir(exist_ok=True)
            target.write_text(html, encoding="utf-8")
    return len(pages) * times


def mixed_query(site: Path, page: str) -> str | None:
    """``<county> <year>`` of a department-year page, like 平乡 2023."""
    html = (site / page / "index.html").read_text(encoding="utf-8")
    match = re.search(r'class="[^"]*gk-identity[^"]*"[^>]*>(.*?)</p>', html, re.S)
    if not match:
        return None
    text = re.sub(r"<[^>]+>", "", match.group(1))
    year = re.search(r"(\d{4})年", text)
    places = re.findall(
        r"([\u4e00-\u9fff]{2,4}?)(?:县|区|市)", text.split("·")[1] if "·" in text else text
    )
    if not year or not places:
        return None
    return f"{places[-1]} {year.group(1)}"


def gzip_size(path: Path) -> int:
    data = path.read_bytes()
    if path.suffix.startswith(".pf_"):
        return len(data)  # already gzip
    return len(gzip.compress(data, 6))


def measure_queries(base: str, site: Path, page: str, queries: list[str]) -> list[dict[str, Any]]:
    """Bytes requested between focusing the search box and the first results, per query."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        for query in queries:
            context = browser.new_context()  # a cold cache for every query
            tab = context.new_page()
            requests: list[Any] = []
            tab.goto(base + page)
            tab.wait_for_load_state("networkidle")
            tab.on("request", lambda r, seen=requests: seen.append(r))
            started = time.perf_counter()
            tab.click(".gk-search__input")
            tab.keyboard.type(query, delay=30)
            tab.wait_for_function(
                "q => { const r = document.querySelector('[data-gk-search]');"
                " return r.getAttribute('data-gk-state') === 'done'"
                " && r.querySelector('.gk-search__input').value === q; }",
                arg=query,
                timeout=60_000,
            )
            seconds = time.perf_counter() - started
            shown_at = tab.evaluate(
                "performance.timeOrigin + performance.getEntriesByName('gongkai-search:results').at(-1).startTime"
            )
            results = tab.locator(".md-search-result__meta").inner_text()
            tab.wait_for_timeout(300)
            before = [r.url for r in requests if r.timing["startTime"] <= shown_at]
            files = [site / u.split("?")[0].removeprefix(base) for u in before]
            rows.append(
                {
                    "query": query,
                    "results": results,
                    "requests": len(before),
                    "bytes": sum(f.stat().st_size for f in files if f.is_file()),
                    "gzip_bytes": sum(gzip_size(f) for f in files if f.is_file()),
                    "fragments": sum("/fragment/" in u for u in before),
                    "index_chunks": sum("/index/" in u for u in before),
                    "seconds_to_results": round(seconds, 2),
                }
            )
            context.close()
        browser.close()
    return rows


def bench_size(count: int, out: Path, reuse: bool, times: int = 1) -> dict[str, Any]:
    work = out / f"n{count}"
    synth(work, count, reuse)
    site = work / "www" / PREFIX.strip("/")
    if reuse and (site / "index.html").is_file():
        build_seconds = float("nan")
        for copy in (site / "budgets").glob("*-r*"):
            shutil.rmtree(copy)
        # The search box of this checkout, not the one of the earlier build.
        shutil.copytree(theme_dir() / "assets", site / "assets", dirs_exist_ok=True)
    else:
        site, build_seconds = build(work)
    total = replicate(site, times) if times > 1 else count
    pages = sorted(p.parent.name for p in (site / "budgets").glob("*/index.html"))
    page = f"budgets/{pages[0]}/"
    queries = list(QUERIES)
    mixed = mixed_query(site, page.rstrip("/"))
    if mixed:
        queries.append(mixed)
    result: dict[str, Any] = {
        "pages": total,
        "built_pages": count,
        "build_seconds_without_index": round(build_seconds, 1),
        "html_mb": round(sum(p.stat().st_size for p in site.rglob("*.html")) / 2**20, 1),
        "variants": {},
    }
    for name, exclude in VARIANTS.items():
        stats = index_site(site, exclude_selectors=exclude)
        with serve(site.parent) as base:
            queries_measured = measure_queries(base, site, page, queries)
        result["variants"][name] = {
            "index_seconds": round(stats.seconds, 1),
            "index_cpu_seconds": round(stats.cpu_seconds or 0, 1),
            "load_average": round(os.getloadavg()[0], 1),
            "indexed_pages": stats.pages,
            "words": stats.words,
            "bundle_mb": round(stats.bytes / 2**20, 2),
            "files": stats.files,
            "core_kb": round(stats.core_bytes / 1024, 1),
            "index_chunks": stats.index_chunks,
            "max_chunk_kb": round(stats.max_index_chunk_bytes / 1024, 1),
            "mean_fragment_kb": round(stats.mean_fragment_bytes / 1024, 1),
            "query_segmentation_patched": stats.query_segmentation_patched,
            "queries": queries_measured,
        }
        print(json.dumps({count: {name: result["variants"][name]}}, ensure_ascii=False), flush=True)
    if not reuse:
        shutil.rmtree(site.parent, ignore_errors=True)
    return result


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| pages | variant | build s (no index) | index s (CPU s) | bundle MB | files | core KB | mean fragment KB | query | results | requests | KB before first result (gzip) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for name, v in r["variants"].items():
            for q in v["queries"]:
                lines.append(
                    f"| {r['pages']} | {name} | {r['build_seconds_without_index']} | {v['index_seconds']} ({v['index_cpu_seconds']}) | "
                    f"{v['bundle_mb']} | {v['files']} | {v['core_kb']} | {v['mean_fragment_kb']} | "
                    f"{q['query']} | {q['results']} | {q['requests']} | "
                    f"{q['bytes'] / 1024:.0f} ({q['gzip_bytes'] / 1024:.0f}) |"
                )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--out", type=Path, default=Path("bench-out/search"))
    parser.add_argument("--reuse", action="store_true", help="keep and reuse generated sites")
    parser.add_argument(
        "--build", type=int, help="build this many once; reach each size by copying pages"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        if args.build:
            if size % args.build:
                parser.error(f"--sizes must be multiples of --build {args.build}")
            results.append(bench_size(args.build, args.out.resolve(), True, size // args.build))
        else:
            results.append(bench_size(size, args.out.resolve(), args.reuse))
    (args.out / "search-results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (args.out / "search-results.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
