"""What Pagefind is given of a page (gongkai.search.staging.strip_ignored).

The staging removes the elements Pagefind would ignore (``data-pagefind-ignore``)
before Pagefind reads a page, to save Pagefind the parsing; the bundle must be
the same bytes as from the whole page. The unit tests pin what is removed, what
stays (what reaches the index even from inside an ignored element) and when a
page is left as it is. The Pagefind tests index pages both ways and compare the
bundles: crafted pages with the cases that matter to Pagefind's reader, and
every page of the seed and basic sites as the real templates render them.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from gongkai.search import TEMPLATE_EXCLUDE_SELECTORS, index_site
from gongkai.search.staging import search_body, stage_page, strip_ignored
from gongkai.site.build import Site, SiteOptions
from gongkai.site.render import Renderer, search_path
from gongkai.site.source import load_reports

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "tests" / "fixtures" / "sites" / "basic"

META = (
    '<div hidden data-pagefind-ignore><span data-pagefind-meta="title">标题</span>'
    '<span data-pagefind-filter="year">2023</span></div>'
)
TABLE = (
    '<table class="gk-t"><caption>表一</caption><thead><tr><th>科目<th>金额'
    '<tbody><tr><td><a href="#x">201</a><td class="num">1.00<tr><td>202<td>2.00</table>'
)


# --------------------------------------------------------------------------- what goes


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a part of the page, with tables whose cells and rows are not closed
        (
            f'<div data-pagefind-body><h2 id="t">表</h2><div data-pagefind-ignore><p>说明</p>{TABLE}</div>'
            "<h2>项目</h2></div>",
            '<div data-pagefind-body><h2 id="t">表</h2><h2>项目</h2></div>',
        ),
        # a table on its own, and one element of text among others
        (
            f"<div data-pagefind-body>{TABLE.replace('gk-t', 'gk-t gk-bars').replace('<table ', '<table data-pagefind-ignore ')}"
            '<h3 id="p-1">驻村</h3><p class="gk-ind" data-pagefind-ignore><a href="i/">指标</a></p>'
            '<h3 id="p-2">培训</h3><p data-pagefind-ignore>x</p><p>y</p></div>',
            '<div data-pagefind-body><h3 id="p-1">驻村</h3><h3 id="p-2">培训</h3><p>y</p></div>',
        ),
        # the values Pagefind takes for the attribute; nothing is put in its place
        (
            '<div data-pagefind-body>甲<span data-pagefind-ignore="all">乙</span>丙'
            "<span data-pagefind-ignore='index'>丁</span><span data-pagefind-ignore=TRUE>戊</span></div>",
            "<div data-pagefind-body>甲丙</div>",
        ),
        # lists whose items are not closed, comments, an SVG chart
        (
            '<div data-pagefind-body><ol class="gk-plist" data-pagefind-ignore><li><a href="#a">甲</a>'
            '<li><a href="#b">乙</a></ol><!-- 注 --><div data-pagefind-ignore><figure><svg viewBox="0 0 1 1">'
            '<title>图</title><rect width="1" height="1"/><text x="0">1</text></svg></figure></div></div>',
            "<div data-pagefind-body><!-- 注 --></div>",
        ),
        # an ignored element that must stay (title and filters) keeps the ignored ones inside it
        (
            "<div data-pagefind-body><div data-pagefind-ignore><h1>标题</h1>"
            '<p class="gk-note" data-pagefind-ignore>每页相同</p></div><p>正文</p></div>',
            "<div data-pagefind-body><div data-pagefind-ignore><h1>标题</h1></div><p>正文</p></div>",
        ),
    ],
)
def test_ignored_elements_are_removed(body: str, expected: str) -> None:
    assert strip_ignored(body) == expected
    assert search_body(body) == expected


@pytest.mark.parametrize(
    "inside",
    [
        '<span data-pagefind-meta="title">标题</span>',  # meta and filters are read inside it
        '<span data-pagefind-filter="year">2023</span>',
        '<span data-pagefind-sort="date">2023</span>',
        '<span data-pagefind-default-meta="image">x</span>',
        "<div data-pagefind-body>x</div>",  # a body inside it is indexed
        "<h1>标题</h1>",  # the first h1 is the fallback title
        '<img src="a.png" alt="a">',  # the first image after a title is the result image
        '<span data-pagefind-ignore="other">x</span>',  # Pagefind warns about it
        '<script src="/_pagefind/pagefind.js"></script>',  # Pagefind warns about it
    ],
)
def test_what_reaches_the_index_from_an_ignored_element_keeps_it(inside: str) -> None:
    body = (
        f"<div data-pagefind-body><div data-pagefind-ignore><p>甲</p>{inside}</div><p>乙</p></div>"
    )
    assert strip_ignored(body) == body


@pytest.mark.parametrize(
    "tag",
    [
        '<div data-pagefind-ignore data-pagefind-index-attrs="title" title="x">',  # adds to its parent
        '<div data-pagefind-ignore="other">',  # not a value Pagefind takes: excluded with a warning
        '<div data-pagefind-ignore data-pagefind-ignore="all">',  # twice
        '<div title="data-pagefind-ignore">',  # not the attribute
        "<div data-pagefind-ignore-not>",
    ],
)
def test_an_element_not_surely_ignored_stays(tag: str) -> None:
    body = f"<div data-pagefind-body>{tag}<p>甲</p></div><p>乙</p></div>"
    assert strip_ignored(body) == body


def test_a_page_without_ignored_elements_is_returned_as_it_is() -> None:
    body = "<div data-pagefind-body><p>甲</p></div>"
    assert strip_ignored(body) is body


def test_an_ignored_cell_or_item_without_its_end_tag_stays() -> None:
    body = "<ul><li data-pagefind-ignore>甲<li>乙</ul><table><tr><td data-pagefind-ignore>1<td>2</table>"
    assert strip_ignored(body) == body


# --------------------------------------------------------------------------- when nothing goes


@pytest.mark.parametrize(
    "body",
    [
        "<div data-pagefind-ignore><span></div>",  # an end tag closing what it did not open
        "<div data-pagefind-ignore></span></div>",  # an end tag of nothing open
        "<div data-pagefind-ignore><p>x</div>",
        "<div data-pagefind-ignore>x",  # never closed
        "<div data-pagefind-ignore>x</div></div>",
        "<p>x<div data-pagefind-ignore>y</div></p>",  # a block inside a paragraph
        "<p>x<table data-pagefind-ignore><tr><td>1</table></p>",
        "<div data-pagefind-ignore><DIV>x</DIV></div>",  # not as Gongkai writes tags
        "<div data-pagefind-ignore>a < b</div>",
        "<div data-pagefind-ignore><br></br></div>",
        "<div data-pagefind-ignore><div/>x</div>",  # "/>" does not close an HTML element
        "<div data-pagefind-ignore><script>if (a < b) {}</script></div>",  # raw text
        "<div data-pagefind-ignore><textarea><b>x</textarea></div>",
        "<div data-pagefind-ignore><!-- a --!> b --></div>",
        "<div data-pagefind-ignore><![CDATA[x]]></div>",
        '<div data-pagefind-ignore><a title="x>y>z</a></div>',  # an attribute never closed
    ],
)
def test_a_page_not_read_with_certainty_is_left_as_it_is(body: str) -> None:
    assert strip_ignored(body) is None
    assert search_body(body) == body


def test_explicit_cell_end_tags_are_read_too() -> None:
    body = (
        "<div data-pagefind-body><table><tr><td>1</td><td>2</td></tr></table>"
        "<table data-pagefind-ignore><tr><td><div>x</div></td></tr></table><p>y</p></div>"
    )
    assert (
        strip_ignored(body)
        == "<div data-pagefind-body><table><tr><td>1</td><td>2</td></tr></table><p>y</p></div>"
    )
    assert strip_ignored(body.replace("<div>x</div>", "<div>x</td>")) is None


# --------------------------------------------------------------------------- the same bundle


EDGE_PAGES = {
    # anchors inside ignored parts come before the indexed headings; their ids,
    # weights and sentence breaks must not move the words or anchors after them
    "budgets/a/index.html": (
        f'<div class="gk-budget" data-pagefind-body>{META}<h1>平乡县委组织部 2023年预算</h1>'
        '<p class="gk-sub gk-identity" data-pagefind-weight="3">平乡县委组织部 · 河北省</p>'
        f'<div data-pagefind-ignore><h3 id="t-1">表一</h3>{TABLE}<h3 id="t-2">表二</h3>{TABLE}</div>'
        '<h2 id="projects">项目（2 个）</h2><h3 id="project-1">驻村工作队工作经费</h3>'
        '<dl class="gk-pd"><dt>预算数</dt><dd><strong>260.69 万元</strong></dd>'
        '<dt>资金用途</dt><dd class="gk-s">用于驻村工作队生活补助</dd></dl>'
        '<p class="gk-ind" data-pagefind-ignore><a href="indicators/#project-1">绩效指标（3 项）</a></p>'
        '<h3 id="project-2">选调生培训</h3><p>保障选调生<span data-pagefind-ignore>（注）</span>驻村工作</p>'
        "<p>前<em data-pagefind-ignore>隐</em>后</p><ul><li>甲<li>乙</ul>"
        '<div data-pagefind-ignore><p>没有发现问题。</p><details class="gk-data"><summary>公开范围</summary>'
        f"{TABLE}</details></div></div>"
    ),
    # the title and filters inside an ignored head with an h1; indexed tables
    "budgets/a/indicators/index.html": (
        f'<div class="gk-budget gk-indicators" data-pagefind-body data-pagefind-weight="0.5">{META}'
        '<div data-pagefind-ignore><p class="gk-crumbs"><a href="/">河北省</a></p><h1>指标</h1>'
        '<p class="gk-note" data-pagefind-ignore>说明</p></div>'
        '<h3 id="project-1" data-pagefind-weight="0.5">驻村工作队工作经费</h3>'
        '<p class="gk-ind" data-pagefind-ignore>260.69 万元 · <a href="../#project-1">项目说明</a></p>'
        f"{TABLE}</div>"
    ),
    # a department page: a chart (SVG) inside an ignored part
    "departments/d/index.html": (
        '<div class="gk-index" data-pagefind-body><div hidden data-pagefind-ignore>'
        '<span data-pagefind-meta="title">平乡县委组织部</span></div><h1>平乡县委组织部</h1>'
        '<h2 id="trend">变化趋势<a class="headerlink" href="#trend"></a></h2><div data-pagefind-ignore>'
        '<figure class="gk-chart" id="c1"><figcaption>趋势</figcaption><svg viewBox="0 0 9 9" role="img">'
        '<title>趋势</title><g><rect x="0" y="0" width="1" height="2"/><text x="1">2023</text></g></svg>'
        f'<details class="gk-data"><summary>数据</summary>{TABLE}</details></figure></div><p>末尾</p></div>'
    ),
    # a page without data-pagefind-body (not indexed) and one whose ignored part stays
    "regions/index.html": f"<h1>按地区</h1><div data-pagefind-ignore>{TABLE}</div>",
    "budgets/b/index.html": (
        '<div data-pagefind-body><div data-pagefind-ignore><span data-pagefind-filter="year">2022</span>'
        f'{TABLE}</div><h1>乙</h1><div data-pagefind-ignore="all"><span data-pagefind-filter="stage">x</span>'
        "</div><p>正文<span data-pagefind-ignore>（注）</span></p></div>"
    ),
}


def _bundles_equal(a: Path, b: Path) -> None:
    for name in ("pagefind", "pagefind-more"):
        left = sorted(p.relative_to(a / name) for p in (a / name).rglob("*") if p.is_file())
        right = sorted(p.relative_to(b / name) for p in (b / name).rglob("*") if p.is_file())
        assert left == right, name
        for path in left:
            assert filecmp.cmp(a / name / path, b / name / path, shallow=False), f"{name}/{path}"


def _index_both_ways(tmp_path: Path, pages: dict[str, tuple[str, str]]) -> tuple[Path, Path, int]:
    """Index ``pages`` (site path → title, body) as they are and stripped; the two sites."""
    stripped = 0
    sites = []
    for strip in (False, True):
        source, site = tmp_path / f"pages-{strip}", tmp_path / f"site-{strip}"
        site.mkdir()
        for dest, (title, body) in pages.items():
            staged = search_body(body) if strip else body
            stripped += strip and staged != body
            stage_page(source, dest, title, staged)
        index_site(site, source_dir=source, exclude_selectors=TEMPLATE_EXCLUDE_SELECTORS)
        sites.append(site)
    return sites[0], sites[1], stripped


def test_pagefind_writes_the_same_bundle_from_the_stripped_pages(tmp_path: Path) -> None:
    pages = {dest: (dest.split("/")[1], body) for dest, body in EDGE_PAGES.items()}
    whole, stripped, changed = _index_both_ways(tmp_path, pages)
    assert changed == len(pages)
    _bundles_equal(whole, stripped)


@pytest.mark.parametrize("content", [REPO, BASIC], ids=["seed", "basic"])
def test_the_rendered_pages_are_stripped_and_give_the_same_bundle(
    tmp_path: Path, content: Path
) -> None:
    site = Site(load_reports(content / "content", content), SiteOptions(), Renderer(search_path()))
    pages = {}
    for spec in site.specs():
        body = site.render(spec.src).html
        dest = spec.src.removesuffix(".md").removesuffix("index") + "/index.html"
        pages[dest.replace("//", "/")] = (spec.title, body)
        if "data-pagefind-body" in body:
            stripped = strip_ignored(body)
            assert stripped is not None, f"{spec.src}: the templates' markup is not read"
            assert len(stripped) < len(body), spec.src
    whole, stripped_site, _ = _index_both_ways(tmp_path, pages)
    _bundles_equal(whole, stripped_site)
