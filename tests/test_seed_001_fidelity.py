"""Fidelity of the seed 001 record (中共平乡县委组织部, 2023, amounts in 万元).

The record content/130532/130532-203-2023-budget.yaml was transcribed from the
docx text extraction tests/fixtures/seeds/001_909d9174802cb080.txt. These tests
re-read the seed text independently, with a parser deliberately simpler than
(and different from) the one used for the transcription: every table is read
as a flat stream of cells (one TAB line = one cell, a plain text line continues
the previous cell) and cut into rows of the width announced by its 栏次 row
(standard tables) or by its six-column header (project tables). Stray empty
paragraphs that split a printed row therefore do not matter here.

What is checked against the text: every amount of the nine standard tables
(exactly as printed, trailing zeros included; a blank cell must be null), every
row name and code, every figure quoted from the 说明 text, the assets table,
the duties, the department-wide goals, every project (name, goal, no amount)
and every cell of its 212 indicator rows, and the glossary. A changed figure,
a dropped, added or reordered row or indicator, or an edited cell fails.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.loader import load_file

HERE = Path(__file__).resolve().parent
SEED = HERE / "fixtures" / "seeds" / "001_909d9174802cb080.txt"
RECORD = HERE.parent / "content" / "130532" / "130532-203-2023-budget.yaml"

BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")
NUMBERED = re.compile(r"^(\d+)、(.*)$")
PROJECT_HEADING = re.compile(r"^(\d+)、(.+?)(?:项目)?绩效目标表$")
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]

#: Indicator rows per project table, counted by hand (212 in all, GUIDE §0).
EXPECTED_INDICATOR_COUNTS = [8, 9, 10, 9, 8, 8, 9, 8, 8, 8, 8, 8, 8, 8, 10, 8, 8, 10, 8, 8, 8, 8, 8, 10, 9]  # fmt: skip

#: The nine standard tables, by printed title, with the record section holding each.
TABLE_TITLES = {
    "income_expenditure_summary": "部门预算收支总表",
    "income_by_function": "部门预算收入总表",
    "expenditure_by_function": "部门预算支出总表",
    "fiscal_appropriation_summary": "部门预算财政拨款收支总表",
    "gpb_expenditure_by_function": "部门预算一般公共预算财政拨款支出表",
    "gpb_basic_by_economic": "部门预算一般公共预算财政拨款基本支出表",
    "government_fund_expenditure": "部门预算政府基金预算财政拨款支出表",
    "soe_capital_expenditure": "部门预算国有资本经营预算财政拨款支出表",
    "three_public": "部门预算财政拨款“三公”经费支出表",
}
INCOME_COLUMNS = [
    "total", "current_year", "fiscal_appropriation", "special_account", "business",
    "business_operation", "superior_subsidy", "subsidiary_remittance", "other", "carryover",
]  # fmt: skip
FUNCTION_COLUMNS = [
    "total", "basic", "project", "business_operation", "remit_to_superior", "subsidy_to_subsidiaries",
]  # fmt: skip
FUNDS = ["general_public_budget", "government_fund", "soe_capital"]
THREE_PUBLIC_ITEMS = [
    "total", "subtotal", "abroad", "abroad_teaching_research", "abroad_other",
    "vehicle", "vehicle_purchase", "vehicle_operation", "reception",
]  # fmt: skip


# --------------------------------------------------------------------------- #
# Reading the record
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def loaded():
    return load_file(RECORD)


@pytest.fixture(scope="module")
def record(loaded):
    return loaded.budget


def test_record_loads_without_structural_problems(loaded):
    assert loaded.problems == []
    assert loaded.budget is not None
    assert loaded.record_id == RECORD.stem


# --------------------------------------------------------------------------- #
# Reading the seed text
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """The seed's lines with Word bookmark markers removed (an extraction artefact)."""
    return [BOOKMARK.sub("", line) for line in SEED.read_text(encoding="utf-8").split("\n")]


def _index(lines: list[str], text: str, start: int = 0) -> int:
    """Index of the first line equal to ``text`` (after stripping) at or after ``start``."""
    for i in range(start, len(lines)):
        if lines[i].strip() == text:
            return i
    raise AssertionError(f"not in the seed: {text!r}")


def _cells(block: list[str]) -> list[str]:
    """Flat list of table cells: a TAB line opens a cell, a plain text line continues it.

    Blank lines (row separators, stray empty paragraphs) carry no cell. A
    continuation is joined with a newline; each part is stripped, so trailing
    TABs of empty merged cells and padding spaces disappear.
    """
    cells: list[str] = []
    for line in block:
        if line.startswith("\t"):
            cells.append(line[1:].strip())
        elif line.strip():
            assert cells, f"text before the first cell: {line!r}"
            cells[-1] = cells[-1] + "\n" + line.strip()
    return cells


def _table_block(lines: list[str], title: str) -> list[str]:
    """The lines of the table printed under ``title``: up to the first plain text line."""
    start = _index(lines, title) + 1
    end = start
    while end < len(lines) and (lines[end].startswith("\t") or not lines[end].strip()):
        end += 1
    return lines[start:end]


def _table_rows(lines: list[str], title: str) -> tuple[list[str], list[list[str]]]:
    """(header cells, data rows) of a standard table, rows cut at the 栏次 row's width."""
    cells = _cells(_table_block(lines, title))
    i = cells.index("栏次")
    width = 1
    while i + width < len(cells) and cells[i + width] == str(width):
        width += 1
    data = cells[i + width :]
    assert len(data) % width == 0, (title, len(data), width)
    return cells[:i], [data[k : k + width] for k in range(0, len(data), width)]


def _same(printed: str, value) -> bool:
    """A record value equals a printed cell: blank ↔ None, else the same decimal text."""
    if printed == "":
        return value is None
    return isinstance(value, Decimal) and str(value) == printed


def assert_amounts(where: str, printed: list[str], obj, keys: list[str]) -> None:
    """Each printed cell equals the record's attribute of the same position."""
    for key, cell in zip(keys, printed, strict=True):
        value = getattr(obj, key)
        assert _same(cell, value), f"{where}.{key}: printed {cell!r}, record {value!r}"


# --------------------------------------------------------------------------- #
# Identity
# --------------------------------------------------------------------------- #


def test_every_table_is_headed_by_the_department_year_and_unit(lines, record):
    """Each of the nine tables prints “203中共平乡县委组织部 / 预算年度：2023 / 单位：万元”."""
    for title in TABLE_TITLES.values():
        header, _ = _table_rows(lines, title)
        assert header[:3] == [
            f"{record.department.code}{record.department.name}",
            f"预算年度：{record.fiscal_year}",
            f"单位：{record.amount_unit}",
        ], title


def test_department_duties_and_structure(lines, record):
    dept = record.department
    start, end = _index(lines, "部门职责："), _index(lines, "机构设置：")
    duties = [NUMBERED.match(line).groups() for line in lines[start + 1 : end]]
    assert [int(n) for n, _ in duties] == list(range(1, 19))
    assert dept.duties == [text for _, text in duties]
    cells = _cells(lines[end + 2 : _index(lines, "二、部门预算安排的总体情况")])
    assert cells == ["单位名称", "单位性质", "单位规格", "经费保障形式", dept.name,
                     dept.unit_nature, dept.unit_rank, dept.funding_form]  # fmt: skip
    assert dept.included_units == [dept.name]


# --------------------------------------------------------------------------- #
# The nine standard tables: every amount as printed
# --------------------------------------------------------------------------- #


def test_income_expenditure_summary(lines, record):
    """收支总表: 9 income lines, 31 类 lines, totals; blank cells are null."""
    _, rows = _table_rows(lines, TABLE_TITLES["income_expenditure_summary"])
    assert [r[0] for r in rows] == [str(n) for n in range(1, 35)]
    body, (this_year, carry, grand) = rows[:31], rows[31:]
    side_in, side_out = (
        record.income_expenditure_summary.income,
        record.income_expenditure_summary.expenditure,
    )

    printed_in = [r for r in body if r[1]]
    assert all(r[2] == "" for r in body if not r[1])
    assert [ORDINAL.sub("", r[1]) for r in printed_in] == [x.name for x in side_in.lines]
    for r, line in zip(printed_in, side_in.lines, strict=True):
        assert_amounts(line.name, [r[2]], line, ["amount"])

    assert [ORDINAL.sub("", r[3]) for r in body] == [x.name for x in side_out.lines]
    for r, line in zip(body, side_out.lines, strict=True):
        assert_amounts(line.name, [r[4]], line, ["amount"])

    assert (this_year[1], carry[1], grand[1]) == ("本年收入合计", "上年结转结余", "收入总计")
    assert (this_year[3], carry[3], grand[3]) == ("本年支出合计", "年终结转结余", "支出总计")
    for r, key in ((this_year, "current_year_total"), (carry, "carryover"), (grand, "grand_total")):
        assert_amounts(f"income.{key}", [r[2]], getattr(side_in, key), ["amount"])
        assert_amounts(f"expenditure.{key}", [r[4]], getattr(side_out, key), ["amount"])


def test_income_by_function(lines, record):
    """收入总表: the 合计 row and 30 科目 rows, all ten amount columns."""
    _, rows = _table_rows(lines, TABLE_TITLES["income_by_function"])
    table = record.income_by_function
    total, body = rows[0], rows[1:]
    assert total[1:3] == ["", "合计"]
    assert_amounts("合计", total[3:], table.reported_total, INCOME_COLUMNS)
    assert [(r[1], r[2]) for r in body] == [(x.code, x.name) for x in table.lines]
    for r, line in zip(body, table.lines, strict=True):
        assert_amounts(line.code, r[3:], line, INCOME_COLUMNS)


@pytest.mark.parametrize(
    ("section", "columns"),
    [
        ("expenditure_by_function", FUNCTION_COLUMNS),
        ("gpb_expenditure_by_function", FUNCTION_COLUMNS[:3]),
        ("gpb_basic_by_economic", ["total", "personnel", "public"]),
    ],
)
def test_code_keyed_expenditure_tables(lines, record, section, columns):
    """支出总表, 一般公共预算支出表, 基本支出表: 合计 row and every 科目 row."""
    _, rows = _table_rows(lines, TABLE_TITLES[section])
    table = getattr(record, section)
    total, body = rows[0], rows[1:]
    assert total[1:3] == ["", "合计"]
    assert_amounts(f"{section} 合计", total[3:], table.reported_total, columns)
    assert [(r[1], r[2]) for r in body] == [(x.code, x.name) for x in table.lines]
    for r, line in zip(body, table.lines, strict=True):
        assert_amounts(f"{section} {line.code}", r[3:], line, columns)


def test_fiscal_appropriation_summary(lines, record):
    """财政拨款收支总表: income by fund, carry-over by fund, 31 类 lines × 4 columns."""
    _, rows = _table_rows(lines, TABLE_TITLES["fiscal_appropriation_summary"])
    assert [r[0] for r in rows] == [str(n) for n in range(1, 38)]
    table = record.fiscal_appropriation_summary
    body, this_year, carry, carry_lines, grand = (
        rows[:31],
        rows[31],
        rows[32],
        rows[33:36],
        rows[36],
    )

    printed_in = [r for r in body if r[1]]
    assert [ORDINAL.sub("", r[1]) for r in printed_in] == [x.name for x in table.income.lines]
    for r, line in zip(printed_in, table.income.lines, strict=True):
        assert_amounts(line.name, [r[2]], line, ["amount"])
    assert [x.item for x in table.income.lines] == FUNDS

    assert [ORDINAL.sub("", r[3]) for r in body] == [x.name for x in table.expenditure.lines]
    for r, line in zip(body, table.expenditure.lines, strict=True):
        assert_amounts(line.name, r[4:], line, ["amount", *FUNDS])

    assert (this_year[1], carry[1], grand[1]) == (
        "本年收入合计",
        "年初财政拨款结转和结余",
        "收入总计",
    )
    assert (this_year[3], carry[3], grand[3]) == (
        "本年支出合计",
        "年末财政拨款结转和结余",
        "支出总计",
    )
    for r, key in ((this_year, "current_year_total"), (carry, "carryover"), (grand, "grand_total")):
        assert_amounts(f"income.{key}", [r[2]], getattr(table.income, key), ["amount"])
        assert_amounts(
            f"expenditure.{key}", r[4:], getattr(table.expenditure, key), ["amount", *FUNDS]
        )

    assert [ORDINAL.sub("", r[1]) for r in carry_lines] == [
        x.name for x in table.income.carryover_lines
    ]
    for r, line in zip(carry_lines, table.income.carryover_lines, strict=True):
        assert_amounts(f"carryover {line.name}", [r[2]], line, ["amount"])
        assert r[3:] == ["", "", "", "", ""]  # nothing printed on the expenditure side
    assert table.expenditure.carryover_lines == []


def test_summary_codes_are_the_expenditure_table_codes(record):
    """A 类 line carries a code exactly when it has an amount, and that code names it in 支出总表."""
    names = {x.code: x.name for x in record.expenditure_by_function.lines}
    for summary in (record.income_expenditure_summary, record.fiscal_appropriation_summary):
        for line in summary.expenditure.lines:
            assert (line.code is not None) == (line.amount is not None), line.name
            if line.code is not None:
                assert names[line.code] == line.name


@pytest.mark.parametrize(
    ("section", "scope"),
    [
        ("government_fund_expenditure", "government_fund"),
        ("soe_capital_expenditure", "soe_capital"),
    ],
)
def test_empty_fund_tables(lines, record, section, scope):
    """基金 and 国资 tables: one row of blank cells and a 空表列示 note."""
    title = TABLE_TITLES[section]
    _, rows = _table_rows(lines, title)
    assert rows == [["", "", "", "", "", ""]]
    table = getattr(record, section)
    assert (table.status, table.fund_scope, table.lines, table.reported_total) == (
        "disclosed_empty",
        scope,
        [],
        None,
    )
    after = _index(lines, title) + len(_table_block(lines, title)) + 1
    assert lines[after] == table.note and table.note.endswith("空表列示。")


def test_three_public_table(lines, record):
    """“三公”经费表: nine rows as printed; the blank 合计/小计 stay null."""
    _, rows = _table_rows(lines, TABLE_TITLES["three_public"])
    table = record.three_public
    assert [r[0] for r in rows] == [str(n) for n in range(1, 10)]
    assert [x.item for x in table.rows] == THREE_PUBLIC_ITEMS
    for r, row in zip(rows, table.rows, strict=True):
        assert r[1] == row.name
        assert_amounts(row.item, r[2:], row, ["amount", *FUNDS])


# --------------------------------------------------------------------------- #
# Figures of the 说明 text
# --------------------------------------------------------------------------- #


def _figures(record):
    yield from record.narrative_figures
    yield from record.three_public.narrative
    yield from record.state_assets.narrative


def test_narrative_figures_are_quoted_from_the_text(lines, record):
    """Each figure's quote is in the text and states the figure, with its sign as a word."""
    text = "\n".join(lines)
    figures = list(_figures(record))
    assert len(figures) == 15 + 7 + 2
    for fig in figures:
        assert fig.quote in text, fig.quote
        assert f"{abs(fig.amount)}万元" in fig.quote, (fig.amount, fig.quote)
        assert fig.label in fig.quote
        if "减少" in fig.quote:
            assert fig.amount < 0, fig.quote
        else:
            assert fig.amount >= 0, fig.quote


def test_operating_expenses_procurement_assets(lines, record):
    text = "\n".join(lines)
    run = record.operating_expenses
    assert run.quote in text and f"机关运行经费共计安排{run.total}万元" in run.quote
    buy = record.procurement
    assert buy.status == "disclosed_empty" and buy.items == []
    assert buy.quote in text and f"安排政府采购预算{buy.total}万元" in buy.quote
    assert all(note in text for note in buy.note.split("\n"))

    assets = record.state_assets
    assert assets.quote in text
    assert f"本年度拟购置固定资产总额为{assets.planned_purchases}万元" in assets.quote
    block = _table_block(lines, "部门固定资产占用情况表")
    cells = _cells(block)
    assert cells[:5] == ["203中共平乡县委组织部", f"截止时间：{assets.as_of.isoformat()}",
                         "项   目", "数量", "价值（金额单位：万元）"]  # fmt: skip
    rows = [cells[k : k + 3] for k in range(5, len(cells), 3)]
    assert len(rows) == len(assets.lines) == 6
    for (name, quantity, amount), line in zip(rows, assets.lines, strict=True):
        assert name.replace("\u3000", "") == line.name
        assert _same(quantity, line.quantity) or (quantity and Decimal(quantity) == line.quantity)
        assert _same(amount, line.amount), (name, amount, line.amount)


# --------------------------------------------------------------------------- #
# Department-wide goals
# --------------------------------------------------------------------------- #


def test_department_goals(lines, record):
    perf = record.performance
    assert lines[_index(lines, "（一）总体绩效目标") + 1] == perf.department_goal
    start, end = _index(lines, "（二）分项绩效目标"), _index(lines, "（三）工作保障措施")
    text = [line for line in lines[start + 1 : end] if line.strip()]
    assert len(text) == 3 * len(perf.categories) == 21
    for k, cat in enumerate(perf.categories):
        heading, goal, indicators = text[3 * k : 3 * k + 3]
        assert heading == f"{cat.seq}、{cat.name}" and cat.seq == k + 1
        assert goal == f"绩效目标：{cat.goal}"
        assert indicators == f"绩效指标：{cat.indicators_text}"
    safeguards = lines[end + 1 : _index(lines, "第二部分  预算项目绩效目标")]
    assert safeguards == [f"{k}、{s}" for k, s in enumerate(perf.safeguards, 1)]


# --------------------------------------------------------------------------- #
# Project performance tables
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def seed_projects(lines) -> list[dict]:
    """Every project table of 第二部分: title, goal cell and indicator rows as text."""
    start = _index(lines, "第二部分  预算项目绩效目标") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("六、政府采购预算情况"))
    heads = [i for i in range(start, end) if PROJECT_HEADING.match(lines[i])]
    projects = []
    for i, j in zip(heads, [*heads[1:], end], strict=True):
        number, name = PROJECT_HEADING.match(lines[i]).groups()
        cells = _cells(lines[i + 1 : j])
        assert cells[0] == "绩效目标"
        h = cells.index("一级指标")
        assert cells[h : h + 6] == INDICATOR_HEADER
        flat = cells[h + 6 :]
        assert len(flat) % 6 == 0, (number, len(flat))
        rows, level1 = [], None
        for k in range(0, len(flat), 6):
            row = flat[k : k + 6]
            level1 = row[0] or level1  # merged 一级指标 cells: filled down
            rows.append([level1, *row[1:]])
        projects.append({"number": int(number), "name": name, "goal": cells[1], "indicators": rows})
    return projects


def test_project_count_and_names(record, seed_projects):
    assert len(seed_projects) == len(record.projects) == 25
    for seed, project in zip(seed_projects, record.projects, strict=True):
        assert project.seq == seed["number"]
        assert project.name == seed["name"]
        assert project.goal == seed["goal"]


def test_projects_print_no_amount_code_or_plan(record):
    """The seed prints no project amounts: they stay null, never inferred."""
    for project in record.projects:
        assert (project.amount, project.fiscal_amount, project.other_amount, project.code) == (
            None,
        ) * 4
        assert project.spending_plan == []


def test_indicator_counts(record, seed_projects):
    assert [len(p["indicators"]) for p in seed_projects] == EXPECTED_INDICATOR_COUNTS
    assert [len(p.indicators) for p in record.projects] == EXPECTED_INDICATOR_COUNTS
    assert sum(EXPECTED_INDICATOR_COUNTS) == 212


def test_every_indicator_cell(record, seed_projects):
    """All six cells of every indicator row, in order.

    The only text difference allowed is the soft line break inside a cell
    (project 2 row 7, “…高” / “素质党员”), which the record joins.
    """
    for seed, project in zip(seed_projects, record.projects, strict=True):
        for k, (row, ind) in enumerate(zip(seed["indicators"], project.indicators, strict=True), 1):
            got = [ind.level1, ind.level2, ind.level3, ind.description, ind.value_raw, ind.basis]
            assert [c.replace("\n", "") for c in row] == got, (seed["number"], k)


def test_funding_documents_are_the_printed_title_prefix(record):
    for project in record.projects:
        if project.funding_document is not None:
            assert project.name.startswith(project.funding_document)
    assert [p.seq for p in record.projects if p.funding_document] == [8, 9, 10, 11]


# --------------------------------------------------------------------------- #
# Glossary
# --------------------------------------------------------------------------- #


def test_glossary(lines, record):
    start, end = _index(lines, "八、名词解释"), _index(lines, "九、其他需要说明的事项")
    printed = [NUMBERED.match(line).group(2) for line in lines[start + 1 : end]]
    assert printed == [f"{t.term}：{t.definition}" for t in record.glossary]
    assert len(printed) == 10
