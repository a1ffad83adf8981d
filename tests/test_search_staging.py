"""Indexing staged page bodies while the site is written (gongkai.search.staging).

Pagefind runs for real over a staging directory; the bundle goes into the
site directory, and the exclusion list keeps amounts, codes and labels out
of the index while the texts a reader searches stay in.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from gongkai.search import TEMPLATE_EXCLUDE_SELECTORS, SearchIndexError
from gongkai.search.staging import BackgroundIndex, page_document, stage_page

BODY = (
    '<div class="gk-budget" data-pagefind-body>'
    '<div hidden data-pagefind-ignore><span data-pagefind-meta="title">平乡县委组织部 2023年预算</span>'
    '<span data-pagefind-filter="year">2023</span></div>'
    '<p class="gk-crumbs">河北省 › 邢台市 › 平乡县 · 2023年 · 预算</p>'
    "<h1>平乡县委组织部 2023年预算</h1>"
    '<p class="gk-sub gk-identity">平乡县委组织部 · 河北省邢台市平乡县 · 2023年 · 预算</p>'
    '<p class="gk-actions">数据文件 content/130532/130532-203-2023-budget.yaml</p>'
    '<p class="gk-lead">支出总计 1,313.43 万元。</p>'
    '<h3 id="project-1">驻村工作队工作经费</h3>'
    '<dl class="gk-pd"><dt>预算数</dt><dd><strong>260.69 万元</strong></dd>'
    "<dt>项目编码</dt><dd>603-1408-ZGM-NW96</dd>"
    '<dt>资金用途</dt><dd class="gk-s">用于驻村工作队生活补助</dd>'
    '<dt>绩效目标</dt><dd class="gk-s">保障选调生驻村工作</dd>'
    "<dt>支出计划</dt><dd>累计支出进度：3月底 39.00%</dd></dl>"
    '<p class="gk-note">占比说明（每页相同）</p>'
    "</div>"
)


def _fragments(bundle: Path) -> list[dict]:
    out = []
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(path.read_bytes()).decode("utf-8")
        out.append(json.loads(raw.removeprefix("pagefind_dcd")))
    return out


def test_staged_bodies_are_indexed_into_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    search = BackgroundIndex(site, exclude_selectors=TEMPLATE_EXCLUDE_SELECTORS)
    search.stage("budgets/130532-203-2023-budget/index.html", "平乡县委组织部 2023年预算", BODY)
    staging = search.staging
    search.start()
    stats = search.join()
    assert not staging.exists()  # removed after the run
    assert stats.pages == 1 and (site / "pagefind" / "pagefind.js").is_file()
    assert not (site / "budgets").exists()  # only the bundle is written into the site
    (fragment,) = _fragments(site / "pagefind")
    assert fragment["url"] == "/budgets/130532-203-2023-budget/"
    assert fragment["meta"]["title"] == "平乡县委组织部 2023年预算"
    assert fragment["filters"] == {"year": ["2023"]}
    assert fragment["anchors"][0]["id"] == "project-1"
    text = fragment["content"].replace("\u200b", "")
    for kept in ("平乡县委组织部", "驻村工作队工作经费", "用于驻村工作队生活补助", "保障选调生驻村工作"):
        assert kept in text
    for dropped in ("260.69", "万元", "ZGM", "累计支出进度", "资金用途", "预算数", "budget.yaml", "占比说明", "›"):
        assert dropped not in text, dropped


def test_index_errors_reach_join_and_the_staging_is_removed(tmp_path: Path) -> None:
    def failing(site_dir: Path, **options: object):
        raise SearchIndexError("pagefind failed")

    search = BackgroundIndex(tmp_path / "site", indexer=failing)
    search.stage("a/index.html", "A", "<p>a</p>")
    search.start()
    with pytest.raises(SearchIndexError, match="pagefind failed"):
        search.join()
    assert not search.staging.exists()


def test_discard_waits_and_keeps_nothing(tmp_path: Path) -> None:
    calls = []
    search = BackgroundIndex(tmp_path / "site", indexer=lambda site_dir, **o: calls.append(o))
    search.stage("a/index.html", "A", "<p>a</p>")
    search.start()
    search.discard()
    assert calls and not search.staging.exists()


@pytest.mark.parametrize("dest", ["../x.html", "/etc/x.html", "a/../../x.html", ""])
def test_a_page_path_outside_the_staging_directory_is_refused(tmp_path: Path, dest: str) -> None:
    with pytest.raises(SearchIndexError, match="not inside the site"):
        stage_page(tmp_path, dest, "t", "<p>x</p>")
    assert list(tmp_path.iterdir()) == []


def test_the_document_escapes_its_title() -> None:
    doc = page_document("<script>alert(1)</script>局", "<p>正文</p>")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;局</title>" in doc
    assert "<body><p>正文</p></body>" in doc


def test_what_pagefind_ignores_is_not_staged(tmp_path: Path) -> None:
    title = "平乡县委组织部 2023年预算"
    table = "<div data-pagefind-ignore><table><tr><td>1,313.43<td>万元</table></div>"
    body = BODY.replace('<p class="gk-note">', table + '<p class="gk-note">')
    options = {"exclude_selectors": TEMPLATE_EXCLUDE_SELECTORS}
    stripped = BackgroundIndex(tmp_path / "a", **options)
    whole = BackgroundIndex(tmp_path / "b", strip=False, **options)
    rooted = BackgroundIndex(tmp_path / "c", root_selector="div.gk-budget")  # staged whole
    dest = "budgets/130532-203-2023-budget/index.html"
    for search in (stripped, whole, rooted):
        search.stage(dest, title, body)
    staged = (stripped.staging / dest).read_text(encoding="utf-8")
    assert staged == page_document(title, body.replace(table, ""))
    assert "data-pagefind-meta" in staged  # the ignored part with the title and filters stays
    assert (whole.staging / dest).read_text(encoding="utf-8") == page_document(title, body)
    assert (rooted.staging / dest).read_text(encoding="utf-8") == page_document(title, body)
    rooted.discard()
    for search in (stripped, whole):
        search.start()
        search.join()
    first, second = (sorted((tmp_path / s / "pagefind").rglob("*.*")) for s in "ab")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
