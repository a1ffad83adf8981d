"""Fidelity of the seed 003 record (中共怀来县委组织部, 2022, amounts in 万元).

The record content/130730/130730-203001-2022-budget.yaml was transcribed from
the docx text extraction tests/fixtures/seeds/003_058e237c2fa7d88c.txt. These
tests re-read the seed text independently, with a parser deliberately simpler
than (and different from) the one used for the transcription: each project
table is read as a flat stream of cells (one TAB line = one cell) and walked by
its printed labels, so the stray empty paragraph that splits a row of project
15 does not matter here. They check that the record holds the department-wide
goals, every project, every amount, every spending-plan checkpoint and every
indicator cell as printed. A changed figure, a dropped, added or reordered
indicator, or an edited cell fails.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.loader import load_file

HERE = Path(__file__).resolve().parent
SEED = HERE / "fixtures" / "seeds" / "003_058e237c2fa7d88c.txt"
RECORD = HERE.parent / "content" / "130730" / "130730-203001-2022-budget.yaml"

#: Indicator rows per project table, counted by hand (108 in all, GUIDE §0).
EXPECTED_INDICATOR_COUNTS = [6, 6, 6, 7, 6, 6, 7, 7, 6, 7, 6, 6, 8, 6, 6, 6, 6]
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
HEADING = re.compile(r"^(\d+)\.(.+)绩效目标表$")


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


def _seed_lines() -> list[str]:
    """The seed's lines with Word bookmark markers removed (an extraction artefact)."""
    return [BOOKMARK.sub("", line) for line in SEED.read_text(encoding="utf-8").split("\n")]


def _cells(lines: list[str]) -> list[str]:
    """Flat list of table cells: a TAB line opens a cell, a plain text line continues it.

    Blank lines (row separators, stray empty paragraphs) carry no cell. Cell
    text is stripped, so a cell holding only a space (a blank cell) becomes "".
    """
    cells: list[str] = []
    for line in lines:
        if line.startswith("\t"):
            cells.append(line[1:])
        elif line.strip():
            assert cells, f"text before the first cell: {line!r}"
            cells[-1] += "\n" + line
    return [c.strip() for c in cells]


def _after(cells: list[str], label: str, n: int = 1) -> list[str]:
    """The n cells that follow the first cell printed as ``label``."""
    i = cells.index(label)
    return cells[i + 1 : i + 1 + n]


def _seed_project(heading: str, lines: list[str]) -> dict:
    """Every printed field of one project table, as text."""
    number, title = HEADING.match(heading).groups()
    cells = _cells(lines)
    fiscal_label = next(c for c in cells if c.startswith("其中：财政"))
    plan = _after(cells, "12月底", 5)
    assert plan[0] == "", plan  # the unlabelled first cell of the percentage row
    i = cells.index("指标值确定依据")
    assert cells[i - 5 : i + 1] == INDICATOR_HEADER
    flat = cells[i + 1 :]
    assert len(flat) % 6 == 0, (number, len(flat))
    rows, level1 = [], None
    for k in range(0, len(flat), 6):
        row = flat[k : k + 6]
        level1 = row[0] or level1  # merged 一级指标 cells: filled down
        rows.append((level1, *row[1:]))
    return {
        "number": int(number),
        "title": title,
        "dept": cells[0],
        "unit": cells[1],
        "code": _after(cells, "项目编码")[0],
        "name": _after(cells, "项目名称")[0],
        "amount": _after(cells, "预算数")[0],
        "fiscal_amount": _after(cells, fiscal_label)[0],
        "other_amount": _after(cells, "其他资金")[0],
        # the purpose follows the other-amount cell and an empty label cell
        "purpose": cells[cells.index("其他资金") + 3],
        "plan": plan[1:],
        "goal": _after(cells, "绩效目标")[0],
        "indicators": rows,
    }


@pytest.fixture(scope="module")
def seed_projects() -> list[dict]:
    lines = _seed_lines()
    starts = [i for i, line in enumerate(lines) if HEADING.match(line)]
    ends = starts[1:] + [len(lines)]
    return [_seed_project(lines[s], lines[s + 1 : e]) for s, e in zip(starts, ends, strict=True)]


@pytest.fixture(scope="module")
def seed_part1() -> list[str]:
    """Non-blank lines of 第一部分 (department-wide goals), up to 第二部分."""
    lines = _seed_lines()
    end = next(i for i, line in enumerate(lines) if line.strip() == "第二部分")
    return [line for line in lines[:end] if line.strip()]


def _dec(text: str) -> Decimal | None:
    """Decimal of a printed amount cell; None for a blank cell."""
    return Decimal(text) if text else None


# --------------------------------------------------------------------------- #
# Identity
# --------------------------------------------------------------------------- #


def test_identity_matches_table_headers(record, seed_projects):
    """Every table header prints the code glued to the name: 203001中共怀来县委组织部门."""
    assert {p["dept"] for p in seed_projects} == {record.department.code + record.department.name}
    assert record.department.code == "203001"
    assert {p["unit"] for p in seed_projects} == {"单位：" + record.amount_unit}
    assert record.amount_unit == "万元"
    assert record.fiscal_year == 2022
    assert record.stage == "budget"
    assert record.department.region.admin_code == "130730"
    assert record.source.seed_file == SEED.name


# --------------------------------------------------------------------------- #
# 第一部分: department-wide performance
# --------------------------------------------------------------------------- #


def _section(lines: list[str], start: str, stop: str | None) -> list[str]:
    """Lines strictly between the heading ``start`` and the heading ``stop``."""
    i = lines.index(start)
    j = lines.index(stop) if stop else len(lines)
    return lines[i + 1 : j]


def _strip_number(text: str) -> str:
    """Remove a leading Chinese ordinal (一、 … 十、)."""
    return re.sub(r"^[一二三四五六七八九十]、", "", text)


def test_department_goal(record, seed_part1):
    goal_lines = _section(seed_part1, "一、总体绩效目标", "二、分项绩效目标")
    assert goal_lines[0] == "2022年县委组织部总体绩效目标"
    assert [record.performance.department_goal] == goal_lines[1:]


def test_categories(record, seed_part1):
    """Five categories, each a numbered name, a 职责描述 line and a 绩效目标 line."""
    lines = _section(seed_part1, "二、分项绩效目标", "三、工作保障措施")[1:]
    assert len(lines) == 15
    expected = [
        (
            k + 1,
            _strip_number(lines[3 * k]),
            lines[3 * k + 1].removeprefix("职责描述："),
            lines[3 * k + 2].removeprefix("绩效目标："),
        )
        for k in range(5)
    ]
    got = [(c.seq, c.name, c.duty, c.goal) for c in record.performance.categories]
    assert got == expected
    assert all(
        c.indicators_text is None and c.amount is None for c in record.performance.categories
    )


def test_safeguards(record, seed_part1):
    lines = _section(seed_part1, "三、工作保障措施", None)
    assert lines[0] == "2022年组织部工作保障措施"
    assert record.performance.safeguards == [_strip_number(line) for line in lines[1:]]
    assert len(record.performance.safeguards) == 6


# --------------------------------------------------------------------------- #
# 第二部分: project tables
# --------------------------------------------------------------------------- #


def test_project_count_and_order(record, seed_projects):
    assert [p["number"] for p in seed_projects] == list(range(1, 18))
    assert [p.seq for p in record.projects] == list(range(1, 18))
    assert len(record.projects) == 17


def test_project_names_and_codes(record, seed_projects):
    for mine, seed in zip(record.projects, seed_projects, strict=True):
        assert mine.name == seed["name"] == seed["title"]
        assert mine.code == seed["code"]
        assert mine.funding_document is not None and mine.name.startswith(mine.funding_document)
        assert mine.unit is None  # every table is printed in the record's 万元


def test_project_amounts(record, seed_projects):
    """预算数 / 财政资金 / 其他资金, compared as Decimal with the printed text."""
    for mine, seed in zip(record.projects, seed_projects, strict=True):
        assert (mine.amount, mine.fiscal_amount, mine.other_amount) == (
            _dec(seed["amount"]),
            _dec(seed["fiscal_amount"]),
            _dec(seed["other_amount"]),
        ), mine.seq
        # the printed decimals are kept (19.50, not 19.5)
        assert str(mine.amount) == seed["amount"]


def test_project_total(record):
    """Sum of the 17 printed amounts (no total is printed; guards against a dropped project)."""
    assert sum(p.amount for p in record.projects) == Decimal("837.67")


def test_project_texts(record, seed_projects):
    for mine, seed in zip(record.projects, seed_projects, strict=True):
        assert mine.purpose == seed["purpose"], mine.seq
        assert mine.goal == seed["goal"], mine.seq


def test_spending_plans(record, seed_projects):
    """3/6/10/12月底 cumulative %, "25%" → 25, blank → None."""
    for mine, seed in zip(record.projects, seed_projects, strict=True):
        expected = [
            (m, _dec(v.removesuffix("%")))
            for m, v in zip((3, 6, 10, 12), seed["plan"], strict=True)
        ]
        assert [(pt.month, pt.percent) for pt in mine.spending_plan] == expected, mine.seq


def test_indicator_counts(record, seed_projects):
    assert [len(p["indicators"]) for p in seed_projects] == EXPECTED_INDICATOR_COUNTS
    assert [len(p.indicators) for p in record.projects] == EXPECTED_INDICATOR_COUNTS
    assert sum(EXPECTED_INDICATOR_COUNTS) == 108


def test_indicator_cells(record, seed_projects):
    """Every indicator row, cell by cell, in document order."""
    for mine, seed in zip(record.projects, seed_projects, strict=True):
        got = [
            (i.level1, i.level2, i.level3, i.description or "", i.value_raw or "", i.basis or "")
            for i in mine.indicators
        ]
        assert got == seed["indicators"], mine.seq


def test_indicators_leave_parsing_to_the_tool(record):
    """Comparator, value, unit, kind and deadline are parsed from value_raw, not typed in."""
    for project in record.projects:
        for ind in project.indicators:
            assert (ind.comparator, ind.value, ind.unit, ind.value_kind, ind.deadline) == (
                None,
            ) * 5


def test_split_row_of_project_15_is_repaired(record):
    """The row split by a stray empty paragraph (GUIDE §5.4 #16) is one indicator."""
    row = record.projects[14].indicators[1]
    assert (row.level2, row.level3, row.value_raw, row.basis) == (
        "质量指标",
        "专款专用率",
        "100%",
        "专款专用率",
    )
    assert row.description == "夕阳红艺术团维修改造排练厅、演艺厅财政拨款专款专用情况"
    assert any("项目15" in n.where and n.kind == "repair" for n in record.transcription_notes)
