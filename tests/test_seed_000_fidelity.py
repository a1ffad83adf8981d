"""Fidelity of the seed 000 record (中共唐山市丰润区委组织部, 2020, amounts in 元).

The record content/130208/130208-203002-2020-budget.yaml was transcribed from the
docx text extraction tests/fixtures/seeds/000_34de698c6fe0ef56.txt. These tests
re-read the seed text independently (regular expressions over its paragraphs,
and a walk over its TAB-per-cell tables) and compare every figure the document
prints with the record: the narrative totals, the 8 机关运行经费 items, the mixed
万元/元 “三公” text, the asset table, the category performance table with its
优/良/中/差 grades, and all 13 project tables (code, name, amounts, spending
plan, goal and every indicator cell). A changed figure, a dropped, added or
reordered indicator, or an edited cell fails.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.loader import load_file

HERE = Path(__file__).resolve().parent
SEED = HERE / "fixtures" / "seeds" / "000_34de698c6fe0ef56.txt"
RECORD = HERE.parent / "content" / "130208" / "130208-203002-2020-budget.yaml"

BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
PROJECT_HEADING = re.compile(r"^(\d+)、(.+)绩效目标表$")
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
#: Every project table of this document has exactly five indicator rows (65 in all).
INDICATORS_PER_PROJECT = 5
PROJECT_COUNT = 13


# --------------------------------------------------------------------------- #
# Reading the record and the seed
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def loaded():
    return load_file(RECORD)


@pytest.fixture(scope="module")
def record(loaded):
    return loaded.budget


@pytest.fixture(scope="module")
def text() -> str:
    """The seed text with Word bookmark markers (an extraction artefact) removed."""
    return BOOKMARK.sub("", SEED.read_text(encoding="utf-8"))


def _between(text: str, start: str, end: str) -> str:
    """The part of ``text`` from the heading ``start`` up to the heading ``end``."""
    i = text.index(start)
    return text[i : text.index(end, i)]


def _rows(part: str) -> list[list[str]]:
    """Table rows of a docx extraction: a TAB line is a cell, a blank line ends a row.

    A non-TAB, non-blank line inside a row continues the previous cell (a soft
    line break in the cell); outside a row it is a paragraph and is skipped.
    """
    rows: list[list[str]] = []
    row: list[str] | None = None
    for line in part.split("\n"):
        if line.startswith("\t"):
            row = row if row is not None else []
            row.append(line[1:])
        elif not line.strip():
            if row is not None:
                rows.append(row)
            row = None
        elif row is not None:
            row[-1] += "\n" + line
    if row is not None:
        rows.append(row)
    return rows


def D(s: str) -> Decimal:
    return Decimal(s)


def _figure(figures, item: str, label: str | None = None):
    """The one narrative figure with this item key (and label, for item: other)."""
    found = [f for f in figures if f.item == item and (label is None or f.label == label)]
    assert len(found) == 1, (item, label, found)
    return found[0]


def _same_decimal(a: Decimal | None, b: Decimal | None) -> bool:
    """Equal as printed: same value AND same number of decimals (233.00 ≠ 233)."""
    if a is None or b is None:
        return a is b
    return a == b and a.as_tuple().exponent == b.as_tuple().exponent


def test_record_loads_without_structural_problems(loaded):
    assert loaded.problems == []
    assert loaded.budget is not None
    assert loaded.record_id == RECORD.stem == "130208-203002-2020-budget"


# --------------------------------------------------------------------------- #
# Identity
# --------------------------------------------------------------------------- #


def test_identity(record, text):
    title = text.split("\n")
    assert record.source.title == title[0] + title[1]
    assert record.fiscal_year == 2020 and record.stage == "budget" and record.amount_unit == "元"
    dept = record.department
    assert dept.name == title[0] == "中共唐山市丰润区委组织部"
    # the formal name and code printed in every project table header
    assert text.count("203002中国共产党唐山市丰润区委员会组织部") == PROJECT_COUNT
    assert dept.code == "203002"
    assert "中国共产党唐山市丰润区委员会组织部" in dept.aliases
    unit_row = _rows(_between(text, "二、机构设置", "二、部门预算总体安排情况"))[1]
    assert unit_row == [dept.name, dept.unit_nature, dept.unit_rank, dept.funding_form]


def test_duties_units_and_staffing(record, text):
    duties = re.findall(
        r"^（[一二三四五六七八九十]+）、(.+)$", _between(text, "1、主要职责", "二、机构设置"), re.M
    )
    assert len(duties) == 12
    assert record.department.duties == duties
    para = re.search(r"内设12个行政职能科室，(.+?)。人员编制数(\d+)个，实际在编(\d+)人。", text)
    assert record.department.internal_units == para.group(1).split("、")
    assert len(record.department.internal_units) == 12
    staffing = record.department.staffing
    assert (
        (staffing.establishment, staffing.actual)
        == (int(para.group(2)), int(para.group(3)))
        == (47, 31)
    )
    assert staffing.quote in text


# --------------------------------------------------------------------------- #
# Narrative figures, 机关运行经费, 三公
# --------------------------------------------------------------------------- #


def test_narrative_figures(record, text):
    figs = record.narrative_figures
    patterns = {
        "general_public_budget_income": r"一般公共预算拨款收入([\d.]+)元",
        "expenditure_total": r"共安排部门预算支出([\d.]+)元",
        "personnel": r"人员经费支出([\d.]+)元",
        "public": r"日常公用经费支出([\d.]+)元",
        "project": r"项目支出([\d.]+)元",
    }
    for item, pattern in patterns.items():
        fig = _figure(figs, item)
        assert _same_decimal(fig.amount, D(re.search(pattern, text).group(1))), item
        assert fig.unit in (None, "元") and fig.quote in text
    change = _figure(figs, "change_total")
    assert change.amount == D(re.search(r"与上年相比增加([\d.]+)万元", text).group(1))
    assert change.unit == "万元"
    assert len(figs) == 6


def test_operating_expenses(record, text):
    part = _between(text, "三、机关运行经费安排情况", "四、财政拨款")
    ops = record.operating_expenses
    assert ops.total == D(re.search(r"日常公用经费支出总计(\d+)元", part).group(1)) == D("319650")
    printed = re.findall(r"^(\d)、(.+?)：(\d+)元。(.*)$", part, re.M)
    assert len(printed) == len(ops.items) == 8
    for (_, name, amount, basis), item in zip(printed, ops.items, strict=True):
        assert item.name == name
        assert _same_decimal(item.amount, D(amount)), name
        assert (item.basis or "") == basis
    assert [i.econ_code for i in ops.items] == [
        "30201",
        "30207",
        "30211",
        "30217",
        "30228",
        "30229",
        "30231",
        "30239",
    ]


def test_three_public_narrative(record, text):
    part = _between(text, "四、财政拨款“三公”经费预算情况", "五、绩效预算信息情况")
    tp = record.three_public
    assert tp.status == "disclosed" and tp.rows == [] and tp.unit == "万元"

    def printed(pattern: str) -> Decimal:
        return D(re.search(pattern, part).group(1))

    expected = [
        ("three_public_total", None, printed(r"预算安排([\d.]+)万元"), "万元"),
        ("vehicle", None, printed(r"共计安排([\d.]+)万元"), "万元"),
        ("change_vehicle", None, -printed(r"与2019年预算相比减少([\d.]+)万元"), "万元"),
        ("vehicle_purchase", None, printed(r"公务用车购置安排([\d.]+)万元"), "万元"),
        ("vehicle_operation", None, printed(r"公车运行维护经费安排([\d.]+)万元"), "万元"),
        ("reception", None, printed(r"公务接待费。安排(\d+)元"), "元"),
        ("change_reception", None, -printed(r"与2019年相比减少(\d+)元"), "元"),
        ("abroad", None, printed(r"因公出国（境）费。安排([\d.]+)万元"), "万元"),
    ]
    for item, label, amount, unit in expected:
        fig = _figure(tp.narrative, item, label)
        assert fig.amount == amount and fig.unit == unit, item
        assert fig.quote in part
    # the three “无变化” statements are recorded as changes of 0
    assert part.count("无变化") == 3
    unchanged = [f for f in tp.narrative if f.label and f.label.endswith("无变化")]
    assert len(unchanged) == 3 and all(f.amount == 0 for f in unchanged)
    assert len(tp.narrative) == len(expected) + 3


# --------------------------------------------------------------------------- #
# Procurement, assets, glossary, other sections
# --------------------------------------------------------------------------- #


def test_procurement_and_other_empty_sections(record, text):
    part = _between(text, "六、政府采购预算情况", "七、")
    assert part.split("\n")[1] == "无"
    assert record.procurement.status == "disclosed_empty" and record.procurement.items == []
    assert "政府性性基金支出和国有资本经营支出：无" in text
    assert record.government_fund_expenditure.status == "disclosed_empty"
    assert record.soe_capital_expenditure.status == "disclosed_empty"


def test_state_assets(record, text):
    part = _between(text, "七、国有资产信息情况", "八、专业名词解释")
    sa = record.state_assets
    assert sa.unit == "万元"
    assert str(sa.as_of) == "2019-12-31" and "截止时间：2019年12月31日" in part
    rows = _rows(part)
    assert rows[0] == ["项目", "数量", "价值（金额单位：万元）"]
    table = rows[1:]
    assert len(table) == len(sa.lines) == 4
    for (name, quantity, value), line in zip(table, sa.lines, strict=True):
        assert re.sub(r"^\d、", "", name) == line.name
        q = None if quantity in ("", "------") else D(quantity)
        assert line.quantity == q, name
        assert _same_decimal(line.amount, D(value) if value else None), name
    amounts = [D(x) for x in re.findall(r"([\d.]+)万元", part.split("部门固定资产占用情况表")[0])]
    narrative = [f.amount for f in sa.narrative]
    assert narrative == amounts  # 278.44, 268, 48.59, 10.42, 260.09, 18.35 in printed order
    assert sa.planned_purchases == 0 and "本年度无拟购置资产。" in part


def test_glossary(record, text):
    part = _between(text, "八、专业名词解释", "九、")
    terms = re.findall(r"^（\d）(.+?)：(.+)$", part, re.M)
    assert [(g.term, g.definition) for g in record.glossary] == terms
    assert len(terms) == 3


# --------------------------------------------------------------------------- #
# Department performance: goal, text categories, safeguards, category table
# --------------------------------------------------------------------------- #


def test_department_goal_and_text_categories(record, text):
    perf = record.performance
    part = _between(text, "（一）总体绩效目标", "（三）保障措施")
    assert perf.department_goal == part.split("\n")[1]
    goals = re.findall(r"^绩效目标：(.+)$", part, re.M)
    indicators = re.findall(r"^绩效指标：(.+)$", part, re.M)
    names = re.findall(r"^（[一二三四]）(.+?)。?$", part, re.M)[2:]  # skip 总体/职责分类 headings
    text_cats = [c for c in perf.categories if c.seq <= 4]
    assert len(text_cats) == len(goals) == len(indicators) == len(names) == 4
    for cat, name, goal, ind in zip(text_cats, names, goals, indicators, strict=True):
        assert (cat.name, cat.goal, cat.indicators_text) == (name, goal, ind)
        assert cat.amount is None and cat.parent_seq is None


def test_safeguards(record, text):
    part = _between(text, "（三）保障措施", "\n \t优")
    main = re.findall(r"^（[一二三四]）(.+)$", part, re.M)[1:]  # [0] is the heading itself
    subs = re.findall(r"^\d、.+$", part, re.M)
    assert len(main) == 4 and len(subs) == 7
    sg = record.performance.safeguards
    assert sg[:3] == main[:3]
    assert sg[3] == "\n".join([main[3], *subs])


def test_category_table(record, text):
    """The untitled table after the safeguards: 4 categories, 7 sub-items, 15 graded indicators."""
    part = text[text.index("\n \t优") + 2 : text.index("1、2019年度干部考核奖金绩效目标表")]
    rows = _rows(part)
    assert rows[0] == ["优", "良", "中", "差"]
    cats = [c for c in record.performance.categories if c.seq >= 5]
    by_seq = {c.seq: c for c in cats}
    walked: list[tuple] = []  # (name, is_sub, amount, duty, goal, indicators)
    for row in rows[1:]:
        assert len(row) == 9
        if row[0]:
            name = row[0].replace("\u3000", "")
            walked.append(
                (
                    re.sub(r"^([一二三四]、|\d、)", "", name),
                    bool(re.match(r"\d、", name)),
                    row[1],
                    row[2],
                    row[3],
                    [],
                )
            )
        if row[4]:
            walked[-1][5].append(row[4:])
    assert len(walked) == len(cats) == 11
    assert sum(len(w[5]) for w in walked) == sum(len(c.indicators) for c in cats) == 15
    parent = None
    for w, cat in zip(walked, cats, strict=True):
        name, is_sub, amount, duty, goal, indicators = w
        assert (cat.name, cat.duty, cat.goal) == (name, duty, goal)
        assert _same_decimal(cat.amount, D(amount) if amount else None), name
        if is_sub:
            assert cat.parent_seq == parent
        else:
            assert cat.parent_seq is None
            parent = cat.seq
        assert len(cat.indicators) == len(indicators), name
        for printed, ind in zip(indicators, cat.indicators, strict=True):
            g = ind.grades
            assert [ind.level3, g.excellent, g.good, g.fair, g.poor] == printed
    # the four top-level amounts add up to the printed 项目支出
    top = sum(by_seq[s].amount for s in by_seq if by_seq[s].parent_seq is None)
    assert top == D("102185777.20")


# --------------------------------------------------------------------------- #
# Projects
# --------------------------------------------------------------------------- #


def _project_tables(text: str) -> list[tuple[int, str, list[list[str]]]]:
    """(number, heading name, rows) of each project table, in document order."""
    part = text[
        text.index("1、2019年度干部考核奖金绩效目标表") : text.index("六、政府采购预算情况")
    ]
    tables: list[tuple[int, str, list[list[str]]]] = []
    for chunk in re.split(r"\n(?=\d+、.+绩效目标表\n)", part):
        head, _, body = chunk.partition("\n")
        m = PROJECT_HEADING.match(head)
        assert m, head
        tables.append((int(m.group(1)), m.group(2), _rows(body)))
    return tables


def _cell_after(rows: list[list[str]], label: str, offset: int = 1) -> str:
    for row in rows:
        if label in row:
            return row[row.index(label) + offset]
    raise AssertionError(label)


def test_project_count_and_order(record, text):
    tables = _project_tables(text)
    assert [t[0] for t in tables] == list(range(1, PROJECT_COUNT + 1))
    assert len(record.projects) == PROJECT_COUNT
    assert [p.seq for p in record.projects] == list(range(1, PROJECT_COUNT + 1))
    assert [p.name for p in record.projects] == [t[1] for t in tables]


@pytest.mark.parametrize("number", range(1, PROJECT_COUNT + 1))
def test_project(record, text, number):
    _, heading_name, rows = _project_tables(text)[number - 1]
    project = record.projects[number - 1]
    assert rows[0] == ["203002中国共产党唐山市丰润区委员会组织部", "单位：元"]
    assert project.unit in (None, "元")
    assert project.name == _cell_after(rows, "项目名称") == heading_name
    assert project.code == _cell_after(rows, "项目编码")
    assert _same_decimal(project.amount, D(_cell_after(rows, "预算数")))
    assert _same_decimal(project.fiscal_amount, D(_cell_after(rows, "其中：财政资金")))
    assert _cell_after(rows, "其他资金") == "" and project.other_amount is None
    purpose = next(r[1] for r in rows if len(r) == 2 and r[0] == "" and r[1].startswith("预算数"))
    assert project.purpose == purpose
    # the purpose text restates the amount in 万元
    wan = D(re.match(r"预算数([\d.]+)万元", purpose).group(1))
    assert wan * 10000 == project.amount

    plan_header = rows.index(["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"])
    plan = rows[plan_header + 1][1:]
    assert [(p.month, p.percent) for p in project.spending_plan] == [
        (m, D(v) if v else None) for m, v in zip((3, 6, 10, 12), plan, strict=True)
    ]
    for p, v in zip(project.spending_plan, plan, strict=True):
        assert _same_decimal(p.percent, D(v) if v else None)

    assert project.goal == _cell_after(rows, "绩效目标")

    header = rows.index(INDICATOR_HEADER)
    printed = rows[header + 1 :]
    assert len(printed) == len(project.indicators) == INDICATORS_PER_PROJECT
    level1 = level2 = None
    for row, ind in zip(printed, project.indicators, strict=True):
        level1, level2 = row[0] or level1, row[1] or level2  # merged cells: fill down
        assert [
            ind.level1,
            ind.level2,
            ind.level3,
            ind.description,
            ind.value_raw,
            ind.basis or "",
        ] == [level1, level2, *row[2:]]


def test_project_amounts_add_up_to_project_expenditure(record):
    """Σ of the 13 project amounts equals the printed 项目支出 (102185777.20 元)."""
    assert (
        sum(p.amount for p in record.projects)
        == _figure(record.narrative_figures, "project").amount
    )
