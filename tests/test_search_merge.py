"""Pagefind in shards: bundles of disjoint pages merged into one (gongkai.search.merge).

Pagefind holds every page it indexes in memory, so a bundle of more than
``shard_pages`` pages is indexed in several runs and merged. These tests index
the same generated site in one run and in shards with the real Pagefind, and
check the merged bundle holds the same thing: every word with the same pages
and locations, every filter value with the same pages, the same fragments and
word counts; that it is reproducible; and, in Chromium, that Pagefind's own
search returns the same pages with the same scores.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from gongkai.search import SearchIndexError, index_site
from gongkai.search import indexer as indexer_module
from gongkai.search.merge import CHUNK_BYTES
from gongkai.search.stable import _body, content_hash, read_data_file
from web_support import serve_directory

CHROMIUM = Path("/usr/bin/chromium")

WORDS = ("驻村", "工作队", "经费", "老干部", "活动", "中心", "运行", "维护", "选调生", "培训",
         "河道", "溪长", "巡查", "补助", "资金", "乡村", "振兴", "教育", "卫生", "监督")  # fmt: skip
PROVINCES = ("河北省", "江苏省", "新疆维吾尔自治区")


def _page(i: int) -> str:
    """A department-year-like page: title meta, filters, headings with anchors, text."""
    words = [WORDS[(i * 7 + k * k) % len(WORDS)] for k in range(5 + i % 9)]
    text = "，".join(words)
    projects = "".join(
        f'<h3 id="project-{k}">{WORDS[(i + k) % len(WORDS)]}{WORDS[(i * 3 + k) % len(WORDS)]}项目</h3>'
        f"<p>{WORDS[(k * 5 + i) % len(WORDS)]}专项{i % 4}</p>"
        for k in range(i % 4)
    )
    return (
        f'<html lang="zh"><body><main data-pagefind-body><h1>部门{i}预算</h1>'
        f'<div hidden data-pagefind-ignore><span data-pagefind-meta="title">部门{i} {2019 + i % 4}年预算</span>'
        f'<span data-pagefind-filter="year">{2019 + i % 4}</span>'
        f'<span data-pagefind-filter="province">{PROVINCES[i % 3]}</span></div>'
        f"<p>{text}</p>{projects}</main></body></html>"
    )


def _site(root: Path, pages: int = 40, plain: int = 0) -> Path:
    """``pages`` marked pages (``budgets/<n>/index.html``) and ``plain`` unmarked ones."""
    site = root / "site"
    for i in range(pages):
        (site / "budgets" / f"b{i:03d}").mkdir(parents=True)
        (site / "budgets" / f"b{i:03d}" / "index.html").write_text(_page(i), encoding="utf-8")
    for i in range(plain):
        (site / "other").mkdir(parents=True, exist_ok=True)
        (site / "other" / f"p{i}.html").write_text(
            f"<html lang='zh'><body><p>驻村 页面{i}</p></body></html>", encoding="utf-8"
        )
    return site


def _meta(bundle: Path) -> list[Any]:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = read_data_file(bundle / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta")
    assert isinstance(meta, list)
    return meta


def _content(bundle: Path) -> dict[str, Any]:
    """What the bundle holds, with pages named by fragment rather than by number."""
    meta = _meta(bundle)
    fragment = [page[0] for page in meta[1]]
    words: dict[str, list[Any]] = {}
    for first, last, name in meta[2]:
        path = bundle / "index" / f"{name}.pf_index"
        assert name == content_hash("zh", _body(path), 7)  # the name matches the bytes
        [entries] = read_data_file(path)  # type: ignore[misc]
        for word, postings, extra in entries:
            assert first <= word <= last and extra == []
            assert word not in words
            page, pages = 0, []
            for step, locations, meta_locations in postings:  # page numbers are steps
                assert step >= 0
                page += step
                pages.append((fragment[page], locations, meta_locations))
            words[word] = sorted(pages)
    filters = {}
    for name, file_hash in meta[3]:
        _, values = read_data_file(bundle / "filter" / f"{file_hash}.pf_filter")  # type: ignore[misc]
        filters[name] = {value: sorted(fragment[p] for p in pages) for value, pages in values}
    return {
        "version": meta[0],
        "pages": sorted(map(tuple, meta[1])),
        "words": words,
        "filters": filters,
        "sorts": meta[4],
        "fields": meta[5:],
        "fragments": {p.name: p.read_bytes() for p in (bundle / "fragment").iterdir()},
        "loader": {n: (bundle / n).read_bytes() for n in ("pagefind.js", "wasm.unknown.pagefind")},
    }


def _chunk_ranges(bundle: Path) -> list[tuple[str, str]]:
    return [(first, last) for first, last, _ in _meta(bundle)[2]]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same 40-page site indexed in one run, and twice in shards of 7 pages."""
    out = {}
    for name, shard in (("one", None), ("sharded", 7), ("again", 7)):
        root = tmp_path_factory.mktemp(name)
        stats = index_site(_site(root), shard_pages=shard)
        assert stats.pages == 40
        out[name] = stats.bundle_dir
        if shard:
            assert "Merged 6 runs of at most 7 pages" in stats.output
            assert stats.words is not None and stats.words > 40
        else:
            assert "Merged" not in stats.output
    return out


@pytest.mark.slow
def test_merged_bundle_holds_what_one_run_holds(bundles: dict[str, Path]) -> None:
    one, sharded = _content(bundles["one"]), _content(bundles["sharded"])
    assert sharded["words"] == one["words"]
    assert sharded["filters"] == one["filters"]
    assert sharded["pages"] == one["pages"]  # fragment and word count of every page
    assert sharded["fragments"] == one["fragments"]
    assert sharded == one


@pytest.mark.slow
def test_merged_chunks_are_ordered_and_named(bundles: dict[str, Path]) -> None:
    ranges = _chunk_ranges(bundles["sharded"])
    assert ranges == sorted(ranges)
    assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    for path in (bundles["sharded"] / "index").iterdir():
        assert len(_body(path)) < CHUNK_BYTES * 4


@pytest.mark.slow
def test_sharded_bundle_is_reproducible(bundles: dict[str, Path]) -> None:
    def files(bundle: Path) -> dict[str, bytes]:
        return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}

    assert files(bundles["sharded"]) == files(bundles["again"])


@pytest.mark.slow
def test_no_shard_leftovers(bundles: dict[str, Path]) -> None:
    root = bundles["sharded"].parent.parent
    assert [p.name for p in root.iterdir()] == ["site"]


@pytest.mark.slow
def test_unmarked_pages_stay_out_of_every_shard(tmp_path: Path) -> None:
    """A shard of only unmarked pages would be indexed whole by Pagefind: they are left out first."""
    stats = index_site(_site(tmp_path, pages=6, plain=9), shard_pages=4)
    assert stats.pages == 6
    assert "Merged 2 runs" in stats.output
    urls = {json.loads(gzip.decompress(f).decode("utf-8").removeprefix("pagefind_dcd"))["url"]
            for f in _content(stats.bundle_dir)["fragments"].values()}  # fmt: skip
    assert urls == {f"/budgets/b{i:03d}/" for i in range(6)}


def _fake_merge(code: str) -> Any:
    """A merge command that runs ``code`` (with ``out`` the bundle directory) instead of the merge."""
    import sys

    def command(bundle_dir: Path, bundles: Any) -> list[str]:
        return [sys.executable, "-c", f"from pathlib import Path; import sys; out = Path({str(bundle_dir)!r}); {code}"]

    return command


@pytest.mark.slow
def test_an_unknown_format_falls_back_to_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = ("(out / 'fragment').mkdir(parents=True); (out / 'fragment' / 'zh_stale.pf_fragment').write_bytes(b'x'); "
            "print('a future Pagefind', file=sys.stderr); sys.exit(3)")  # fmt: skip
    monkeypatch.setattr(indexer_module, "_merge_command", _fake_merge(code))
    stats = index_site(_site(tmp_path, pages=10), shard_pages=4)
    assert stats.pages == 10
    assert "Merged" not in stats.output
    assert not (stats.bundle_dir / "fragment" / "zh_stale.pf_fragment").exists()  # the half-written bundle went
    assert len(list((stats.bundle_dir / "fragment").iterdir())) == 10
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


@pytest.mark.slow
def test_a_failing_merge_is_an_error_not_a_silent_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexer_module, "_merge_command", _fake_merge("print('disk full', file=sys.stderr); sys.exit(1)"))
    with pytest.raises(SearchIndexError, match=r"merging the search index shards failed \(exit 1\):\ndisk full"):
        index_site(_site(tmp_path, pages=10), shard_pages=4)
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_merge_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai.search.merge import MERGE_FORMAT_EXIT, main

    assert main([str(tmp_path / "out")]) == 2
    assert "usage:" in capsys.readouterr().err
    (tmp_path / "shard").mkdir()
    (tmp_path / "shard" / "pagefind-entry.json").write_text('{"languages": {}}', encoding="utf-8")
    assert main([str(tmp_path / "out"), str(tmp_path / "shard")]) == MERGE_FORMAT_EXIT
    assert "a bundle of 0 languages" in capsys.readouterr().err


def test_shard_pages_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="shard_pages must be at least 1"):
        index_site(_site(tmp_path, pages=1), shard_pages=0)


# --------------------------------------------------------------------------- browser

QUERIES = ("驻村", "老干部", "选调生 培训", "溪长", "部门1", "乡村振兴", "监督")

SEARCH_ALL = """async ([bundle, queries]) => {
  const pagefind = await import(bundle + "pagefind.js");
  await pagefind.options({ noWorker: true });
  await pagefind.init();
  const out = {};
  for (const q of queries) {
    const found = await pagefind.search(q);
    const rows = [];
    for (const r of found.results) {
      const data = await r.data();
      rows.push([data.url, Math.round(r.score * 1e6) / 1e6, data.sub_results.map(s => s.url)]);
    }
    out[q] = rows;
  }
  const filtered = await pagefind.search("经费", { filters: { province: "江苏省", year: "2021" } });
  out["filters"] = await pagefind.filters();
  out["filtered"] = (await Promise.all(filtered.results.map(r => r.data()))).map(d => d.url).sort();
  return out;
}"""


@pytest.mark.browser
def test_pagefind_finds_the_same_pages_with_the_same_scores(
    bundles: dict[str, Path], tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium: apt-get install chromium fonts-noto-cjk")
    sync_api = pytest.importorskip("playwright.sync_api")
    for name in ("one", "sharded"):
        shutil.copytree(bundles[name], tmp_path / name)
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>", encoding="utf-8")
    with serve_directory(tmp_path) as origin, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            found = {}
            for name in ("one", "sharded"):
                page = browser.new_page()
                page.goto(origin + "/index.html")
                found[name] = page.evaluate(SEARCH_ALL, [f"{origin}/{name}/", list(QUERIES)])
                page.close()
        finally:
            browser.close()
    one, sharded = found["one"], found["sharded"]
    assert all(one[q] for q in QUERIES[:4])  # the queries do find pages
    assert one["filtered"]
    for q in QUERIES:  # same pages, same scores (ties may come in another order)
        assert sorted(sharded[q]) == sorted(one[q]), q
        assert [row[1] for row in sharded[q]] == [row[1] for row in one[q]], q
    assert sharded["filters"] == one["filters"]
    assert sharded["filtered"] == one["filtered"]


# --------------------------------------------------------------------------- the plugin

REPO = Path(__file__).resolve().parents[1]


def _seed_build(tmp: Path, shard: int) -> tuple[Path, str]:
    """The seed records built by the plugin with ``search_shard_pages: shard``."""
    import os
    import subprocess
    import sys

    project = tmp / f"project-{shard}"
    shutil.copytree(REPO / "tests" / "fixtures" / "sites" / "seed", project)
    shutil.copytree(REPO / "content", project / "content")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      content_dir: content\n", f"      content_dir: content\n      search_shard_pages: {shard}\n"),
        encoding="utf-8",
    )
    out = tmp / f"site-{shard}"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(out)],
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    return out, result.stderr if result.returncode == 0 else f"exit {result.returncode}: {result.stderr}"


@pytest.mark.slow
def test_the_plugin_indexes_in_shards_and_the_bundles_hold_the_same(tmp_path: Path) -> None:
    """``search_shard_pages: 2`` on the five seed records: three runs per bundle, the same bundles as one run."""
    sharded, log = _seed_build(tmp_path, 2)
    assert "exit" not in log and "WARNING" not in log, log
    assert "搜索索引：5 个页面（分 3 批建立）" in log
    assert "随后查询的第二部分 10 个页面（分 5 批建立）" in log
    one, log_one = _seed_build(tmp_path, 0)
    assert "exit" not in log_one, log_one
    assert "批建立" not in log_one
    for bundle in ("pagefind", "pagefind-more"):
        merged, whole = _content(sharded / bundle), _content(one / bundle)
        assert len(merged["pages"]) >= 5
        assert merged == whole, bundle
    assert len(_chunk_ranges(sharded / "pagefind")) >= 1
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".gongkai-search-")]
    assert leftovers == []


def test_a_negative_shard_size_is_refused(tmp_path: Path) -> None:
    out, log = _seed_build(tmp_path, -1)
    assert log.startswith("exit 1") and "search_shard_pages 应为 0 或正整数，而不是 -1" in log
    assert "Traceback" not in log
