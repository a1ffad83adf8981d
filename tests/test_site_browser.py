"""The built site in headless Chromium, served under a sub-path as on GitHub Pages.

Builds the repository's own site (mkdocs.yml at the root, the seed records)
into ``<tmp>/www/gongkai/``, serves ``<tmp>/www`` on 127.0.0.1, and opens a
department-year page at ``/gongkai/budgets/<id>/``: the tables and the SVG
charts must render, the browser console must stay free of errors, and no
request may leave localhost. A screenshot is saved next to the build.

Needs Debian's chromium (``apt-get install chromium fonts-noto-cjk``; ``make
test`` installs it) and the ``playwright`` package (test extra; its own
browser download is not used).
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
PREFIX = "/gongkai/"
RECORD = "130532-203-2023-budget"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium: apt-get install chromium fonts-noto-cjk")
    pytest.importorskip("playwright.sync_api")
    www = tmp_path_factory.mktemp("www")
    site = www / PREFIX.strip("/")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(REPO / "mkdocs.yml"), "-d", str(site)],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"https://example.org{PREFIX}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}", site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(served: tuple[str, Path]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """A page with its console messages, page errors and requests recorded."""

    def __init__(self, browser: Any, url: str, width: int = 1280) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, url
        self.page.wait_for_timeout(300)


def test_department_year_page_renders_tables_and_charts(browser, served, tmp_path_factory):
    base, _ = served
    visit = Visit(browser, f"{base}budgets/{RECORD}/")
    page = visit.page
    assert page.title().startswith("中共平乡县委组织部 2023年预算")
    assert page.locator("h1").first.inner_text() == "中共平乡县委组织部 2023年预算"
    # the stylesheet and the script are the site's own, loaded from the sub-path
    assert (
        page.evaluate("getComputedStyle(document.querySelector('table.gk-t')).borderCollapse")
        == "collapse"
    )
    tables = page.locator("table.gk-t")
    assert tables.count() > 30
    spending = page.locator("#t-expenditure_by_function")
    assert spending.locator("thead th").count() >= 5 and spending.locator("tbody tr").count() > 20
    assert spending.locator("tbody tr").nth(1).locator("td").first.inner_text() == "201"
    box = spending.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    charts = page.locator("svg.gk-svg")
    assert charts.count() >= 4
    for index in range(charts.count()):
        chart_box = charts.nth(index).bounding_box()
        assert chart_box and chart_box["width"] > 300 and chart_box["height"] > 20
    assert page.locator("#chart-function svg rect").count() >= 5
    # every chart's numbers are one click away, as a table
    page.locator("#chart-function details summary").click()
    assert page.locator("#chart-function-data").is_visible()
    page.locator("#project-7").scroll_into_view_if_needed()
    assert page.locator("#project-7 table tbody tr").count() > 3
    shot = tmp_path_factory.mktemp("screenshots") / "department-year.png"
    page.goto(f"{base}budgets/{RECORD}/")
    page.wait_for_timeout(300)
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    assert visit.errors == []
    assert all(url.startswith(base) for url in visit.requests), [
        u for u in visit.requests if not u.startswith(base)
    ]


def test_index_tables_sort_in_the_browser(browser, served):
    base, _ = served
    visit = Visit(browser, f"{base}quality/")
    page = visit.page
    header = page.locator("#t-quality thead th").nth(2)  # 错误
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    counts = [int(t) for t in page.locator("#t-quality tbody tr td:nth-child(3)").all_inner_texts()]
    assert counts == sorted(counts)
    header.locator("button").click()
    counts = [int(t) for t in page.locator("#t-quality tbody tr td:nth-child(3)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    assert visit.errors == []


@pytest.mark.parametrize(
    "path", ["", "regions/", "years/", "compare/", "quality/", "departments/130532-203/"]
)
def test_index_pages_load_cleanly(browser, served, path):
    base, _ = served
    visit = Visit(browser, f"{base}{path}", width=390)
    assert visit.page.locator("h1").count() == 1
    assert visit.errors == []
    assert all(url.startswith(base) for url in visit.requests)
