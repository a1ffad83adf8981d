"""Record pages rendered where the record was validated (gongkai.site.build.RecordPages).

A cold build renders each department-year in the validation worker that
holds it; the build then finds both pages in the page cache under the key
:class:`~gongkai.site.build.Site` looks up, without loading the record again.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gongkai.site import build as site_build
from gongkai.site.build import PageCache, RecordPages, Site, SiteOptions, _ids
from gongkai.site.render import Renderer, search_path
from gongkai.site.source import PARALLEL_THRESHOLD, Summary, ValidationCache, load_reports

REPO = Path(__file__).resolve().parents[1]
OPTIONS = SiteOptions(repo_url="https://github.com/o/r")


def _offered(budget_id: str) -> None:
    return None


def _record_pages(tmp_path: Path) -> RecordPages:
    return RecordPages(OPTIONS, Renderer(search_path()), PageCache(tmp_path / "pages"), _offered)


def test_prerendered_pages_are_what_the_site_renders(tmp_path, monkeypatch) -> None:
    records = _record_pages(tmp_path)
    reports = load_reports(REPO / "content", REPO, hook=records.prerender)
    reference = Site(reports, OPTIONS, Renderer(search_path()))  # renders itself (memory cache)

    def no_load(self: Summary):
        raise AssertionError(f"{self.display} was loaded again")

    monkeypatch.setattr(Summary, "load", no_load)
    site = Site(reports, OPTIONS, Renderer(search_path()), cache=records.cache)
    budget_pages = [s.src for s in site.specs() if site.is_budget(s.src)]
    assert len(budget_pages) >= 2 * len(reports) - 1  # every record, most with an indicators page
    monkeypatch.undo()
    for src in budget_pages:
        monkeypatch.setattr(Summary, "load", no_load)
        page = site.render(src)
        monkeypatch.undo()
        assert page.html == reference.render(src).html
        assert page.toc == reference.render(src).toc and page.anchors == reference.render(src).anchors


def test_workers_prerender_when_validating_in_parallel(tmp_path) -> None:
    """With enough files for worker processes, the pages come back through the disk cache."""
    content = tmp_path / "content"
    seeds = sorted((REPO / "content").rglob("*.yaml"))
    copies = 0
    while copies < PARALLEL_THRESHOLD:  # the same records under other directories: duplicates
        for seed in seeds:
            target = content / f"c{copies:03d}" / seed.parent.name / seed.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(seed, target)
            copies += 1
    records = _record_pages(tmp_path)
    reports = load_reports(content, tmp_path, ValidationCache(), jobs=2, hook=records.prerender)
    published = [r for r in reports if r.valid]
    assert published  # the first copy of each record; the others are duplicates
    cached = list((tmp_path / "pages").rglob("*.pickle"))
    # every copy was rendered by a worker (duplicates are found after validation)
    assert len(cached) >= len(reports)


def test_a_failing_prerender_is_left_to_the_build(tmp_path, monkeypatch) -> None:
    records = _record_pages(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("template bug")

    monkeypatch.setattr(records, "render", broken)
    reports = load_reports(REPO / "content", REPO, hook=records.prerender)  # does not raise
    assert all(r.valid for r in reports)
    assert not list((tmp_path / "pages").rglob("*.pickle"))


@pytest.mark.parametrize(
    "html",
    [
        '<h2 id="a">x</h2><p data-id="no">y</p><div id="b" class="c">',
        'id="first"<span xid="no" _id="no" 中id="no" -id="yes">',
        "<h3 id=\"project-1\">项目</h3><a href='#id=\"z\"'>",
        "",
    ],
)
def test_ids_are_what_the_word_boundary_pattern_finds(html: str) -> None:
    assert _ids(html) == set(re.findall(r'\bid="([^"]+)"', html))


def test_ids_of_a_rendered_seed_page() -> None:
    reports = load_reports(REPO / "content", REPO)
    site = Site(reports, OPTIONS, Renderer(search_path()))
    for spec in site.specs():
        html = site.render(spec.src).html
        assert _ids(html) == set(re.findall(r'\bid="([^"]+)"', html)), spec.src
    assert site_build.scratch_pages().is_dir()


def test_a_worker_hands_each_page_on_under_the_token_and_title_the_build_uses(tmp_path) -> None:
    records = _record_pages(tmp_path)
    handed: dict[str, tuple[str, str]] = {}
    records.sink = lambda token, title, body: handed.__setitem__(token, (title, body))
    reports = load_reports(REPO / "content", REPO, hook=records.prerender)
    site = Site(reports, OPTIONS, Renderer(search_path()), cache=records.cache)
    record_pages = [s.src for s in site.specs() if site.is_budget(s.src)]
    assert len(handed) == len(record_pages)
    for src in record_pages:
        token = site.token(src)
        assert token is not None
        assert handed[token] == (site.title(src), site.render(src).html)
    assert site.token(next(s.src for s in site.specs() if not site.is_budget(s.src))) is None


def _fragment_texts(bundle: Path) -> dict[str, str]:
    """Pagefind's page fragments (gzip, ``pagefind_dcd`` + JSON): each page's indexed text."""
    texts = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes()).decode().removeprefix("pagefind_dcd"))
        texts[data["url"]] = data["content"].replace("\u200b", "")
    return texts


def test_the_search_index_holds_the_published_record_not_a_duplicate_a_worker_also_rendered(
    tmp_path,
) -> None:
    """Two files claim one budget id: both are rendered (and staged) as they are validated, one is published."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "fixtures" / "sites" / "seed", site)
    shutil.copytree(REPO / "content", site / "content")
    seed = next((site / "content").rglob("130532-203-2023-budget.yaml"))
    duplicate = site / "content" / "zz" / seed.name  # sorted after the original: the one flagged
    duplicate.parent.mkdir()
    duplicate.write_text(seed.read_text("utf-8").replace("驻村工作队", "重名副本工作队"), "utf-8")
    config = site / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("content_dir: content", "content_dir: content\n      on_invalid: page"), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=600, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    texts = _fragment_texts(tmp_path / "out" / "pagefind")
    page = next(text for url, text in texts.items() if "130532-203-2023-budget/" in url)
    assert "驻村工作队" in page
    assert not any("重名副本" in text for text in texts.values())
    assert not list((tmp_path / "out").rglob(".pending"))


def test_the_hook_gets_the_rows_validation_built_for_each_record() -> None:
    """The worker hook's report carries the Table Schema check's rows, equal to building them again."""
    from gongkai.package import RecordData, build_tables
    from gongkai.validate import RECORD_RESOURCES

    seen: dict[str, dict] = {}

    def hook(summary: Summary, report) -> None:
        assert report.tables is not None, f"{report.display}: no rows handed on"
        seen[report.display] = report.tables
        budget = report.record.budget
        again = build_tables([RecordData(budget, report.display)], RECORD_RESOURCES)
        assert report.tables == again

    reports = load_reports(REPO / "content", REPO, hook=hook)
    assert len(seen) == len(reports) >= 5


def test_a_primed_folder_is_the_same_bytes_with_the_validators_rows(tmp_path) -> None:
    from gongkai.export.site_data import BudgetPrimer
    from gongkai.package import PackageMeta

    handed: list = []
    load_reports(REPO / "content", REPO, hook=lambda summary, report: handed.append(report))
    report = next(r for r in handed if r.display.endswith("130532-203-2023-budget.yaml"))
    folders = {}
    for label, rows in (("with", report.tables), ("without", None)):
        stage = tmp_path / label / "staged"
        primer = BudgetPrimer(PackageMeta(), None, None, tmp_path / label / "cache", stage_dir=stage)
        primer(report.data(), "key", rows)
        [folder] = [p for p in stage.iterdir() if p.is_dir()]
        folders[label] = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert len(folders["with"]) > 10
    assert folders["with"] == folders["without"]


def test_the_validator_drops_the_rows_unless_asked_to_keep_them() -> None:
    """``gongkai validate`` holds chunks of records: their rows are not kept on the reports."""
    from gongkai.loader import load_file
    from gongkai.validate import validate_records

    path = REPO / "content" / "130532" / "130532-203-2023-budget.yaml"
    [plain] = validate_records([load_file(path, "content/130532/130532-203-2023-budget.yaml")])
    [kept] = validate_records([load_file(path, "content/130532/130532-203-2023-budget.yaml")], keep_tables=True)
    assert plain.valid and plain.tables is None
    assert kept.tables is not None and kept.tables["projects"]
