"""How the site writes numbers, draws charts and builds URLs (gongkai.site, no MkDocs)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from gongkai.site.charts import Bar, bar_chart, clip, column_chart, split_bar
from gongkai.site.format import BLANK, money, money_wan, number, percent, safe_url, wan
from gongkai.site.pages import Router, budget_src, page_url, relative_url, slug


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("2279.15"), "2,279.15"),
        (D("46"), "46"),
        (D("0.00"), "0.00"),
        (D("106246620.08"), "106,246,620.08"),
        (D("1E+2"), "100"),
        (1234567, "1,234,567"),
        (None, BLANK),
    ],
)
def test_number_keeps_printed_precision_with_separators(value, text):
    assert number(value) == text


def test_money_carries_its_unit_and_blank_differs_from_zero():
    assert money(D("2279.15"), "万元") == "2,279.15 万元"
    assert money(D("0.00"), "元") == "0.00 元"
    assert money(None, "万元") == BLANK != money(D("0"), "万元")


def test_wan_rounds_half_up_to_the_cent():
    assert wan(D("106246620.08")) == D("10624.66")
    assert wan(D("5000")) == D("0.50")
    assert wan(D("50")) == D("0.01")
    assert money_wan(D("22791500")) == "2,279.15 万元"
    assert money_wan(None) == BLANK


def test_percent():
    assert percent(D("1178.74"), D("2279.15")) == "51.7%"
    assert percent(D("1"), D("0")) == BLANK
    assert percent(None, D("1")) == BLANK


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a.pdf", "https://example.org/a.pdf"),
        ("http://example.org/", "http://example.org/"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ('https://x.org/"onmouseover="x', None),
        ("//example.org", None),
        (None, None),
    ],
)
def test_safe_url_allows_http_only(url, safe):
    assert safe_url(url) == safe


def test_bar_chart_draws_each_bar_with_its_value_and_escapes_labels():
    svg = str(
        bar_chart(
            [
                Bar("一般公共服务支出", D("1044.24"), "1,044.24 万元"),
                Bar("<b>x</b>", D("4"), "4.00 万元"),
            ],
            title="按功能",
        )
    )
    assert svg.startswith("<svg") and svg.count("<rect") == 2
    assert "1,044.24 万元" in svg and "4.00 万元" in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'aria-label="按功能"' in svg
    widths = [
        float(w)
        for w in __import__("re").findall(
            r'<rect class="gk-c0" x="210" y="\d+" width="([\d.]+)"', svg
        )
    ]
    assert widths[0] == 360 and widths[1] == pytest.approx(360 * 4 / 1044.24, abs=0.1)


def test_zero_bar_is_drawn_as_a_hairline_and_empty_chart_is_empty():
    svg = str(bar_chart([Bar("a", D("0"), "0")], title="t"))
    assert 'width="1"' in svg
    assert str(bar_chart([], title="t")) == ""
    assert str(split_bar([Bar("a", D("0"), "0")], title="t")) == ""


def test_split_bar_and_column_chart():
    svg = str(split_bar([Bar("基本支出", D("3"), "3"), Bar("项目支出", D("1"), "1")], title="结构"))
    assert "基本支出 75.0%" in svg and "项目支出 25.0%" in svg
    svg = str(
        column_chart(
            [Bar("2022年", D("10"), "10.00"), Bar("2023年", D("20"), "20.00")], title="趋势"
        )
    )
    assert svg.count("<rect") == 2 and "2022年" in svg and "20.00" in svg


def test_clip_shortens_long_labels():
    assert clip("短", 100) == "短"
    clipped = clip("一二三四五六七八九十" * 3, 60)
    assert clipped.endswith("…") and len(clipped) < 10


@pytest.mark.parametrize(
    ("src", "directory", "url"),
    [
        ("budgets/a-1.md", True, "budgets/a-1/"),
        ("budgets/a-1.md", False, "budgets/a-1.html"),
        ("regions/index.md", True, "regions/"),
        ("regions/index.md", False, "regions/index.html"),
        ("index.md", True, ""),
        ("index.md", False, "index.html"),
    ],
)
def test_page_url_matches_mkdocs(src, directory, url):
    assert page_url(src, directory) == url


def test_relative_links_between_pages():
    link = Router(True).linker("budgets/130532-203-2023-budget.md")
    assert link("departments/130532-203.md") == "../../departments/130532-203/"
    assert link("regions/130000.md", "r-130532") == "../../regions/130000/#r-130532"
    assert link("index.md") == "../../"
    assert link("budgets/130532-203-2023-budget.md", "project-3") == "#project-3"
    link = Router(False).linker("index.md")
    assert link("years/2023.md") == "years/2023.html"
    assert relative_url("regions/", "regions/130000/") == "130000/"


def test_urls_only_from_safe_ids():
    assert budget_src("130532-203-2023-budget") == "budgets/130532-203-2023-budget.md"
    for bad in ("../etc", "a/b", "x y", "<script>", ""):
        with pytest.raises(ValueError):
            budget_src(bad)
    assert slug("content/a b/测试.yaml") == "content-a-b-yaml"


def test_bar_length_is_a_css_percentage_of_the_largest():
    from gongkai.site.charts import bar_length

    assert bar_length(D("50"), D("200")) == "25%"
    assert bar_length(D("200"), D("200")) == "100%"
    assert bar_length(D("1"), D("3")) == "33.3%"
    assert bar_length(D("0.0001"), D("200")) == "0.5%"  # visible hairline
    assert bar_length(D("300"), D("200")) == "100%"
    for value, top in ((None, D("1")), (D("0"), D("1")), (D("-5"), D("1")), (D("1"), D("0"))):
        assert bar_length(value, top) is None


def test_bar_table_body_styles_only_the_bar_column_and_escapes():
    from gongkai.site.table_view import Row, table_body

    rows = [Row(["<b>a</b>", "1.00", "50.0%"], bar="100%"), Row(["b", "", ""])]
    html = str(table_body(rows, 1))
    assert html == (
        '<tr><td>&lt;b&gt;a&lt;/b&gt;</td><td style="--w:100%">1.00</td><td>50.0%</td></tr>'
        "<tr><td>b</td><td></td><td></td></tr>"
    )


def test_planned_downloads_link_each_records_files_from_the_site_root():
    from gongkai.site.budget_view import Download, _relative, site_root
    from gongkai.site.downloads import planned_downloads

    planned = planned_downloads(["130532-203-2023-budget"], formats=["csv", "xlsx", "json"])
    files = planned["130532-203-2023-budget"]
    assert [d.format for d in files] == ["XLSX", "CSV", "JSON"]  # the workbook first
    assert files[0].href == "data/budgets/130532-203-2023-budget/130532-203-2023-budget.xlsx"
    assert files[1].href.endswith("/datapackage.json") and files[0].label.startswith("Excel 工作簿")
    assert all(d.size is None for d in files)
    router = Router(directory_urls=True)
    root = site_root(router.linker(budget_src("130532-203-2023-budget")))
    assert root == "../../"
    assert _relative(files[0], root).href == "../../" + files[0].href
    assert (
        site_root(Router(directory_urls=False).linker(budget_src("130532-203-2023-budget")))
        == "../"
    )
    assert site_root(Router().linker("index.md")) == ""
    absolute = Download("x", "https://example.org/a.csv")
    assert _relative(absolute, root) is absolute
    sizes = [
        Download("x", "a", size=size).size_label for size in (None, 900, 2048, 3 * 1024 * 1024)
    ]
    assert sizes == ["", "900 B", "2 KB", "3.0 MB"]


def test_downloads_box_links_the_explanation_only_when_the_site_has_it():
    from gongkai.site.budget_view import _box
    from gongkai.site.downloads import OPEN_DATA_PAGE, planned_downloads

    router = Router(directory_urls=True)
    link = router.linker(budget_src("990101-201-2022-budget"))
    plain = planned_downloads(["990101-201-2022-budget"])["990101-201-2022-budget"]
    box = _box(plain, link, "../../")
    assert box.about_href is None and len(box.files) == 5
    assert box.files[0].href.startswith("../../data/budgets/990101-201-2022-budget/")
    about = planned_downloads(
        ["990101-201-2022-budget"], about=OPEN_DATA_PAGE, index="downloads/index.md"
    )
    box = _box(about["990101-201-2022-budget"], link, "../../")
    assert box.about_href == "../../reference/open-data/" and len(box.files) == 5
    assert box.index_href == "../../downloads/"


def test_optional_end_tags_are_dropped_only_where_html5_allows():
    from gongkai.site.render import omit_optional_end_tags

    html = (
        '<table class="gk-t"><caption>c</caption><thead><tr><th>a</th><th>b</th></tr></thead>'
        '<tbody><tr class="gk-total"><td>1</td><td rowspan="2">2</td></tr><tr><td>3</td></tr></tbody></table>'
        '<ul><li>a</li><li><a href="#x">b</a></li></ul><dl><dt>x</dt><dd>y</dd><dt>z</dt><dd>w</dd></dl>'
        "<p>q</p><div>d</div>"
    )
    assert omit_optional_end_tags(html) == (
        '<table class="gk-t"><caption>c</caption><thead><tr><th>a<th>b'
        '<tbody><tr class="gk-total"><td>1<td rowspan="2">2<tr><td>3</table>'
        # </dt> and </dd> stay: Pagefind's reader would not infer them (render.py)
        '<ul><li>a<li><a href="#x">b</a></ul><dl><dt>x</dt><dd>y</dd><dt>z</dt><dd>w</dd></dl>'
        "<p>q</p><div>d</div>"
    )
    # a thead closes only before a body; text or whitespace after an end tag keeps it
    assert omit_optional_end_tags("<table><thead><tr><th>a</th></tr></thead></table>") == (
        "<table><thead><tr><th>a</thead></table>"
    )
    kept = "<ul><li>a</li> <li>b</li>x</ul><dl><dt>t</dt></dl><table><tr><td>1</td><tdx></table>"
    assert (
        omit_optional_end_tags(kept)
        == "<ul><li>a</li> <li>b</li>x</ul><dl><dt>t</dt></dl><table><tr><td>1</td><tdx></table>"
    )
    # raw text (scripts, preformatted text) is never touched
    for raw in ("<pre></td><td></pre>", "<script>'</li><li>'</script><ul><li>a</li></ul>"):
        assert omit_optional_end_tags(raw) == raw
    # record text is escaped before it gets here: an end tag in it is text
    assert omit_optional_end_tags("<td>&lt;/td&gt;<td>") == "<td>&lt;/td&gt;<td>"
