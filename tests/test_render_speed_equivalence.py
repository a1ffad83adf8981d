"""The fast rendering paths write exactly what the slower code they replaced wrote.

A department-year record's two pages were rendered cell by cell through a
Jinja macro, with one regular-expression pass per optional end tag; they are
now written by :func:`gongkai.site.table_view.table_html` and a single pass
(see those modules for why). Each test here keeps the replaced code as the
reference and checks that a page cannot tell the difference: the legacy
``table`` macro against ``table_html``, the per-tag passes against the one
pattern, and the helpers that were rewritten for speed (``number``,
``merge_repeats``, the repeated-table check, anchored links) against their
former selves.
"""

from __future__ import annotations

import html
import random
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from gongkai.site import pages
from gongkai.site import render as render_module
from gongkai.site.budget_view import TableSection, _mark_repeated, anchor_linker
from gongkai.site.build import Site, SiteOptions
from gongkai.site.format import number
from gongkai.site.render import Renderer, omit_optional_end_tags, search_path
from gongkai.site.source import load_reports
from gongkai.site.table_view import (
    Column,
    Row,
    Spec,
    TableView,
    _attr,
    build_table,
    merge_repeats,
    table_body,
    table_html,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

REPO = Path(__file__).resolve().parents[1]

#: The ``table`` macro of gongkai/macros.html before table_html replaced it (its
#: ``t.body`` was :func:`legacy_body`).
LEGACY_MACRO = """\
{% macro table(t, css="") %}
{% set caption %}{{ t.title }}{% if t.unit %}{% if t.title %} · {% endif %}单位：{{ t.unit }}{% endif %}{% endset %}
{% if t.same_as %}
<p class="gk-same"{% if t.id %} id="{{ t.id }}"{% endif %}>{% if t.title %}{{ t.title }}：{% endif %}与<a href="#{{ t.same_as[0] }}">{{ t.same_as[1] }}</a>逐行相同（原文如此），不重复列出。</p>
{% else %}
<table class="gk-t{% if t.num_from %} gk-n{{ t.num_from }}{% endif %}{% if t.hierarchy %} gk-h{% endif %}{% if css %} {{ css }}{% endif %}"{% if t.id %} id="{{ t.id }}"{% endif %}>
{% if t.title or t.unit %}<caption>{{ caption }}</caption>{% endif %}
<thead><tr>{% for c in t.columns %}<th>{{ c.label }}</th>{% endfor %}</tr></thead>
<tbody>{{ legacy_body(t.rows, t.bar_column) }}</tbody>
</table>
{% if t.blank_rows or t.omitted %}<p class="gk-omit">{% if t.blank_rows %}金额全为空白、未显示的行：{{ t.blank_rows|join("、") }}。{% endif %}{% if t.omitted %}全为空白、未显示的列：{{ t.omitted|join("、") }}。{% endif %}</p>{% endif %}
{% endif %}
{% if t.note %}<p class="gk-note">{{ t.note }}</p>{% endif %}
{% endmacro %}
"""

#: What a page body may put around a table: the macro's trailing line break meets each.
SURROUNDINGS = (
    "<div>{}</div>",
    "<section>\n{}\n<p>after</p>\n</section>",
    "<div>{}text after</div>",
    "<ul><li>{}</li><li>b</li></ul>",
)

#: The end-tag passes before the single pattern: one per tag, cells first.
LEGACY_END_TAGS = tuple(
    re.compile(rf"</{tag}>(?=<(?:{starts})[\s>]" + (rf"|</(?:{parents})>)" if parents else ")"))
    for tag, starts, parents in (
        ("td", "td|th", "tr"),
        ("th", "td|th", "tr"),
        ("tr", "tr", "thead|tbody|tfoot|table"),
        ("thead", "tbody|tfoot", ""),
        ("tbody", "tbody|tfoot", "table"),
        ("li", "li", "ul|ol|menu"),
        ("option", "option|optgroup", "select|optgroup|datalist"),
    )
)


def legacy_body(rows, bar_column=None) -> Markup:
    parts = []
    for row in rows:
        parts.append(f'<tr class="{row.css}">' if row.css else "<tr>")
        spans = row.spans
        if bar_column is not None and row.bar:
            for index, cell in enumerate(row.cells):
                style = f' style="--w:{row.bar}"' if index == bar_column else ""
                parts.append(f"<td{style}>{html.escape(cell, False)}</td>")
        elif spans is None:
            parts.extend(f"<td>{html.escape(cell, False)}</td>" for cell in row.cells)
        else:
            for cell, span in zip(row.cells, spans, strict=True):
                if span == 1:
                    parts.append(f"<td>{html.escape(cell, False)}</td>")
                elif span > 1:
                    parts.append(f'<td rowspan="{span}">{html.escape(cell, False)}</td>')
        parts.append("</tr>")
    return Markup("".join(parts))


def legacy_omit(html: str) -> str:
    if any(tag in html for tag in ("<script", "<style", "<pre", "<textarea", "<template")):
        return html
    for pattern in LEGACY_END_TAGS:
        html = pattern.sub("", html)
    return html


def legacy_number(value):
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return f"{int(value):,}"
    return format(value, ",f")


def legacy_merge_repeats(rows, columns):
    for row in rows:
        row.spans = [1] * len(row.cells)
    for col in range(min(columns, min((len(r.cells) for r in rows), default=0))):
        start = 0
        for index in range(1, len(rows) + 1):
            same = (
                index < len(rows)
                and rows[index].cells[col] == rows[start].cells[col]
                and rows[index].cells[col] != ""
                and all(rows[index].spans[c] == 0 for c in range(col))
            )
            if not same:
                if index - start > 1:
                    rows[start].spans[col] = index - start
                    for covered in range(start + 1, index):
                        rows[covered].spans[col] = 0
                start = index


@pytest.fixture(scope="module")
def renderers(tmp_path_factory):
    """The shipped renderer, and one with a page that calls the legacy macro instead."""
    custom = tmp_path_factory.mktemp("legacy")
    (custom / "gongkai").mkdir()
    for index, around in enumerate(SURROUNDINGS):
        body = around.format("{{ table(t, css) }}")
        (custom / "gongkai" / f"legacy{index}.html").write_text(LEGACY_MACRO + body)
        body = around.format("{{ t|table_html(css) }}")
        (custom / "gongkai" / f"fast{index}.html").write_text(body)
    renderer = Renderer(search_path([custom]))
    renderer.env.globals["legacy_body"] = legacy_body
    return renderer


def _tables() -> list[tuple[TableView, str]]:
    """Tables with every feature of the markup, and text that must be escaped."""
    tricky = "A&B <i>\"引号\"</i> 'x'"
    coded = build_table(
        "t-x", "支出表", [
            Spec("科目编码", _attr("code"), money=False, always=True),
            Spec("科目名称", _attr("name"), money=False, always=True),
            Spec("合计", _attr("total"), always=True),
            Spec("空列", _attr("blank")),
        ],
        [
            (_Item(code="", name="合计", total=D("10.50")), "gk-total", None),
            (_Item(code="201", name=tricky, total=D("1E+2")), "gk-l1", 1),
            (_Item(code="20101", name="\n", total=None), "gk-l2", 2),
        ],
        unit="万元", note=tricky, hierarchy=True,
    )  # fmt: skip
    indicators = build_table(
        "", "", [
            Spec("一级指标", _attr("a"), money=False),
            Spec("二级指标", _attr("b"), money=False),
            Spec("三级指标", _attr("c"), money=False, always=True),
        ],
        [(_Item(a=a, b=b, c=c), "", None) for a, b, c in (
            ("产出", "数量", "x"), ("产出", "数量", "y"), ("产出", "质量", "<z>"), ("效益", "", "w"),
        )],
        unit=None, merge=2, name_omitted=False,
    )  # fmt: skip
    folded = build_table(
        "t-s-income", "收支总表（收入）", [
            Spec("项目", _attr("name"), money=False, always=True),
            Spec("金额", _attr("total"), always=True),
        ],
        [(_Item(name=n, total=v), "", None) for n, v in (("a&b", None), ("c", D("1")), ("<d>", None))],
        unit="元", fold_blank_rows=True,
    )  # fmt: skip
    chart = TableView(
        "chart-x", "", [Column("项目<&>"), Column("金额", True), Column("占比", True)],
        [Row(["a<b", "1.00", "50%"], bar="100%"), Row(["c", "", "—"]), Row([], css="gk-total")],
        "万元", bar_column=1,
    )  # fmt: skip
    repeated = TableView("t-y", "一般表", [Column("a")], [Row(["1"])], same_as=("t-x", tricky))
    untitled_repeat = TableView("", "", [Column("a")], [], note="n", same_as=("t-x", "支出表"))
    empty = TableView("t-e", tricky, [], [], tricky, empty=True, omitted=["x&y", "z"])
    return [
        (coded, ""), (coded, "gk-bars"), (indicators, ""), (folded, ""), (chart, "gk-bars"),
        (repeated, ""), (untitled_repeat, ""), (empty, "a<b"),
    ]  # fmt: skip


class _Item:
    def __init__(self, **values):
        self.__dict__.update(values)


@pytest.mark.parametrize("index", range(len(SURROUNDINGS)))
def test_table_html_renders_what_the_legacy_macro_rendered(renderers, index):
    for table, css in _tables():
        legacy = renderers.render(f"legacy{index}.html", t=table, css=css)
        fast = renderers.render(f"fast{index}.html", t=table, css=css)
        assert fast == legacy, (table.id, css)


def test_table_html_is_a_filter_a_global_and_the_macro(renderers):
    table, css = _tables()[0]
    env = renderers.env
    by_filter = env.from_string("{{ t|table_html(css) }}").render(t=table, css=css)
    by_global = env.from_string("{{ table_html(t, css) }}").render(t=table, css=css)
    by_macro = env.from_string(
        '{% import "gongkai/macros.html" as m %}{{ m.table(t, css) }}'
    ).render(t=table, css=css)
    assert by_filter == by_global == by_macro == str(table_html(table, css))


def test_table_body_keeps_its_end_tags_unless_told():
    rows = [
        Row(["<a>", "1"], css="gk-l1"),
        Row(["b", "2"], spans=[2, 1]),
        Row(["", "3"], spans=[0, 1]),
    ]
    full = str(table_body(rows))
    assert full.count("</td>") == 5 and full.count("</tr>") == 3
    short = str(table_body(rows, end_tags=False))
    assert "</td>" not in short and "</tr>" not in short
    wrap = "<table><tbody>{}</tbody></table>"
    assert omit_optional_end_tags(wrap.format(short)) == omit_optional_end_tags(wrap.format(full))


def _seed_page_bodies(monkeypatch) -> list[str]:
    """The seed records' pages as the renderer has them just before dropping end tags."""
    seen: list[str] = []
    real = render_module.omit_optional_end_tags

    def capture(html: str) -> str:
        seen.append(html)
        return real(html)

    monkeypatch.setattr(render_module, "omit_optional_end_tags", capture)
    site = Site(
        load_reports(REPO / "content", REPO), SiteOptions(repo_url="https://github.com/o/r"),
        Renderer(search_path()),
    )  # fmt: skip
    for spec in site.specs():
        site.render(spec.src)
    return seen


def test_one_pass_drops_the_end_tags_the_per_tag_passes_dropped(monkeypatch):
    bodies = _seed_page_bodies(monkeypatch)
    assert len(bodies) > 10
    for body in bodies:
        assert omit_optional_end_tags(body) == legacy_omit(body)


_LEAF = st.sampled_from(["", "x", " ", "\n", "a&amp;b"])


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Well-formed HTML whose end tags are the optional ones, nested as HTML allows."""

    def wrap(tag: str, inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.lists(inner, max_size=3).map(lambda parts: f"<{tag}>{''.join(parts)}</{tag}>")

    cell = st.one_of(wrap("td", children), wrap("th", children))
    row = wrap("tr", cell)
    table = st.tuples(
        st.one_of(st.just(""), wrap("thead", row)),
        st.lists(wrap("tbody", row), max_size=2),
        st.one_of(st.just(""), wrap("tfoot", row)),
    ).map(lambda p: f"<table>{p[0]}{''.join(p[1])}{p[2]}</table>")
    items = st.one_of(wrap("ul", wrap("li", children)), wrap("ol", wrap("li", children)))
    dl = st.lists(st.one_of(wrap("dt", children), wrap("dd", children)), max_size=4).map(
        lambda parts: f"<dl>{''.join(parts)}</dl>"
    )
    options = st.lists(
        st.one_of(wrap("option", _LEAF), wrap("optgroup", wrap("option", _LEAF))), max_size=3
    ).map(lambda parts: f"<select>{''.join(parts)}</select>")
    return st.one_of(table, items, dl, options, wrap("div", children), wrap("p", _LEAF))


_HTML = st.recursive(_LEAF, _element, max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(st.lists(_HTML, max_size=4))
def test_one_pass_equals_the_per_tag_passes_on_well_formed_html(parts):
    body = "".join(parts)
    assert omit_optional_end_tags(body) == legacy_omit(body)


@pytest.mark.parametrize(
    "text",
    ["0", "-0", "-0E+2", "0E+5", "-0.00", "1E+2", "1.000E+3", "5E-8", "-1E-30", "NaN",
     "-Infinity", "2279.15", "-1234567.5", "106246620.08", "12345678901234567890.123"],
)  # fmt: skip
def test_number_formats_as_before(text):
    assert number(D(text)) == legacy_number(D(text))


def test_number_formats_as_before_on_random_decimals():
    rng = random.Random(7)
    for _ in range(20000):
        digits = rng.randint(0, 10 ** rng.randint(0, 18))
        value = D(f"{rng.choice(['', '-'])}{digits}E{rng.randint(-10, 10)}")
        assert number(value) == legacy_number(value), value
    for value in (0, -5, 10**20, None):
        assert number(value) == legacy_number(value)


def test_merge_repeats_merges_as_before():
    rng = random.Random(11)
    for _ in range(3000):
        width = rng.randint(0, 4)
        cells = [
            [rng.choice(["", "a", "b"]) for _ in range(width)] for _ in range(rng.randint(0, 7))
        ]
        columns = rng.randint(0, 3)
        fast = [Row(list(c)) for c in cells]
        slow = [Row(list(c)) for c in cells]
        merge_repeats(fast, columns)
        legacy_merge_repeats(slow, columns)
        assert [r.spans for r in fast] == [r.spans for r in slow], (cells, columns)


def test_build_table_reads_attributes_an_item_lacks_as_blank():
    specs = [
        Spec("a", _attr("a"), money=False, always=True),
        Spec("b", lambda item: getattr(item, "b", None) or "-", money=False),
        Spec("c", _attr("c")),
        Spec("g", _attr("g", "x"), money=False),
    ]
    table = build_table(
        "t", "", specs,
        [(_Item(a="1", c=D("2.50"), g=None), "", None), (_Item(a="2", g=_Item(x="gx")), "", None)],
        unit=None,
    )  # fmt: skip
    assert [c.label for c in table.columns] == ["a", "b", "c", "g"]
    assert [r.cells for r in table.rows] == [["1", "-", "2.50", ""], ["2", "-", "", "gx"]]


def test_a_repeated_table_is_found_by_its_cells_not_its_shape():
    def table(id, cells, unit="万元"):
        return TableView(id, "", [Column("a"), Column("b")], [Row(list(c)) for c in cells], unit)

    rows = [("1", "2"), ("3", "4"), ("5", "6")]
    longer = [*rows, ("7", "8")]
    first, same, other_unit, short, short_again = (
        table("t1", rows), table("t2", rows), table("t3", rows, "元"),
        table("t4", rows[:2]), table("t5", rows[:2]),
    )  # fmt: skip
    four, four_other = table("t6", longer), table("t7", [*rows, ("7", "9")])
    sections = [
        TableSection("s-1", "一", False, [first, other_unit, four]),
        TableSection("s-2", "二", False, [four_other, same, short, short_again]),
    ]
    _mark_repeated(sections)
    assert same.same_as == ("t1", "一")
    others = (first, other_unit, four, four_other, short, short_again)
    assert [t.same_as for t in others] == [None] * len(others)


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize(
    ("here", "there"),
    [
        ("budgets/a-2023-budget.md", "budgets/a-2023-budget/indicators.md"),
        ("budgets/a-2023-budget/indicators.md", "budgets/a-2023-budget.md"),
        ("budgets/a-2023-budget.md", "budgets/a-2023-budget.md"),
        ("index.md", "regions/130000.md"),
    ],
)
def test_anchor_linker_links_as_link_does(directory_urls, here, there):
    link = pages.Router(directory_urls).linker(here)
    anchored = anchor_linker(link, there)
    for anchor in ("project-7", "goal-1", "r-130532"):
        assert anchored(anchor) == link(there, anchor)
