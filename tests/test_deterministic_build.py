"""Deterministic builds (issue #8): the same content gives byte-identical output.

The fixture tests/fixtures/robustness_site/ (good records, a broken one published
as an error page, a hostile one) is copied to two different directories and
built with the real ``mkdocs build``: once with one worker process, once with
two, and once more over the first build's warm cache. Every file of the three
site directories is compared byte for byte, Pagefind's bundle included (its
filter indexes and metadata file, which Pagefind writes in hash-map order, are
rewritten in a canonical order by gongkai.search.stable; Pagefind#638).

``SOURCE_DATE_EPOCH`` is set, as reproducible builds do: MkDocs writes the build
date into the gzip header of ``sitemap.xml.gz`` (and, with a ``site_url``, into
each ``<lastmod>`` of ``sitemap.xml``), and reads that variable instead of the
clock (mkdocs.utils.get_build_date / get_build_timestamp). Without it two builds
on different days differ in the sitemap only (checked below).
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "robustness_site"
EPOCH = "1700000000"

pytestmark = pytest.mark.slow

#: Python run before MkDocs to move the clock 400 days ahead ("a build on another day").
LATER = """
import datetime as _dt, time as _time
_SHIFT = 400 * 86400
_real = _time.time
_time.time = lambda: _real() + _SHIFT
class _DateTime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(_time.time(), tz)
    @classmethod
    def utcnow(cls):
        return cls.now(_dt.timezone.utc).replace(tzinfo=None)
    @classmethod
    def today(cls):
        return cls.now()
class _Date(_dt.date):
    @classmethod
    def today(cls):
        return cls.fromtimestamp(_time.time())
_dt.datetime, _dt.date = _DateTime, _Date
"""


def build(
    project: Path, out: Path, config: str, epoch: str | None = EPOCH, before: str = ""
) -> None:
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    launch = f"{before}\nimport sys\nfrom mkdocs.__main__ import cli\nsys.argv = ['mkdocs', *sys.argv[1:]]\ncli()"
    result = subprocess.run(
        [sys.executable, "-c", launch, "build", "-f", str(project / config), "-d", str(out)],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]


def with_jobs(project: Path, jobs: int, extra: str = "") -> str:
    """A copy of mkdocs-page.yml with the plugin's ``jobs`` option set (and ``extra`` options)."""
    text = (project / "mkdocs-page.yml").read_text("utf-8")
    assert "      on_invalid: page\n" in text
    name = f"mkdocs-jobs{jobs}{'-' + str(abs(hash(extra))) if extra else ''}.yml"
    (project / name).write_text(text + f"      jobs: {jobs}\n{extra}", "utf-8")
    return name


def digests(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def compare(first: dict[str, str], second: dict[str, str]) -> None:
    assert sorted(first) == sorted(second), sorted(set(first) ^ set(second))[:20]
    differ = [p for p in first if first[p] != second[p]]
    assert differ == [], differ[:20]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("determinism")
    first, second = root / "a" / "project", root / "b" / "elsewhere"
    shutil.copytree(FIXTURE, first)  # copy2: the files keep their modification times,
    shutil.copytree(FIXTURE, second)  # which stand in for Git's dates outside a checkout
    outs = [root / "out-1", root / "out-2", root / "out-3", root / "out-4"]
    build(first, outs[0], with_jobs(first, 2))
    build(second, outs[1], with_jobs(second, 1))
    build(first, outs[2], with_jobs(first, 2))  # again, over the first build's cache
    # no cache: nothing rendered or written ahead by the validation workers
    build(second, outs[3], with_jobs(second, 1, "      cache: false\n"))
    return outs


def test_the_builds_wrote_a_whole_site(builds: list[Path]) -> None:
    files = digests(builds[0])
    assert len(files) > 50
    for page in ("index.html", "quality/index.html", "budgets/980103-401-2023-budget/index.html",
                 "invalid/990101-202-2022-budget/index.html", "sitemap.xml", "sitemap.xml.gz"):  # fmt: skip
        assert page in files, page


def test_two_directories_and_worker_counts_give_identical_bytes(builds: list[Path]) -> None:
    compare(digests(builds[0]), digests(builds[1]))


def test_a_cached_rebuild_gives_identical_bytes(builds: list[Path]) -> None:
    compare(digests(builds[0]), digests(builds[2]))


def test_pages_and_downloads_written_ahead_by_the_workers_are_the_same_bytes(builds: list[Path]) -> None:
    """With a cache the workers render the pages and prime the downloads; without, the build does."""
    compare(digests(builds[0]), digests(builds[3]))


def test_no_absolute_path_of_the_build_leaks_into_the_output(builds: list[Path]) -> None:
    """Building from another directory changes nothing: no page names where it was built."""
    root = builds[0].parent
    for path in builds[1].rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".js", ".css"):
            assert str(root).encode() not in path.read_bytes(), path


def test_sitemap_date_comes_from_source_date_epoch(builds: list[Path]) -> None:
    """The gzip header holds the build day (00:00 UTC of SOURCE_DATE_EPOCH), not the clock."""
    with gzip.open(builds[0] / "sitemap.xml.gz") as handle:
        handle.read()
        assert handle.mtime == int(EPOCH) // 86400 * 86400  # type: ignore[attr-defined]


def test_without_source_date_epoch_only_the_sitemap_depends_on_the_day(tmp_path: Path) -> None:
    """The build clock reaches the sitemap and nothing else: two builds without
    SOURCE_DATE_EPOCH, the second with the clock 400 days ahead, differ only there.

    The fixture has no ``site_url``, so sitemap.xml lists no URL and only the gzip
    header changes; with a ``site_url`` each ``<lastmod>`` carries the date too.
    The downloads' ``created`` stamp comes from the content without SOURCE_DATE_EPOCH.
    """
    outs = []
    for name, before in (("today", ""), ("later", LATER)):
        project = tmp_path / name
        shutil.copytree(FIXTURE, project)
        outs.append(tmp_path / f"out-{name}")
        build(project, outs[-1], with_jobs(project, 2), epoch=None, before=before)
    first, other = digests(outs[0]), digests(outs[1])
    assert sorted(first) == sorted(other)
    changed = sorted(p for p in first if first[p] != other[p])
    assert changed == ["sitemap.xml.gz"]
