"""Record pages rendered where the record was validated (gongkai.site.build.RecordPages).

A cold build renders each department-year in the validation worker that
holds it; the build then finds both pages in the page cache under the key
:class:`~gongkai.site.build.Site` looks up, without loading the record again.
"""

from __future__ import annotations

import re
import shutil
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
