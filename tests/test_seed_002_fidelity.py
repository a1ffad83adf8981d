"""Fidelity of the seed 002 record (中国共产党天津市滨海新区委员会组织部, 2024).

The record content/120116/120116-503101-2024-budget.yaml was transcribed from
the PDF text extraction tests/fixtures/seeds/002_e725c2a65a7ad3cd.txt. These
tests re-read the seed text independently, with a parser deliberately simpler
than (and separate from) the one used for the transcription, and check that the
record holds every project, every amount and every indicator cell as printed.
A changed figure, a dropped or reordered indicator, or an edited cell fails.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.loader import load_file

HERE = Path(__file__).resolve().parent
SEED = HERE / "fixtures" / "seeds" / "002_e725c2a65a7ad3cd.txt"
RECORD = HERE.parent / "content" / "120116" / "120116-503101-2024-budget.yaml"

HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
EXPECTED_INDICATOR_COUNTS = [6, 10, 49, 6]  # 71 in all (GUIDE §0)


# --------------------------------------------------------------------------- #
# Reading the record
# --------------------------------------------------------------------------- #


def _load_record():
    """The record as typed objects (Decimal amounts) via the project's loader."""
    loaded = load_file(RECORD)
    assert loaded.ok, loaded.problems
    assert loaded.record_id == RECORD.stem  # the file name must be the record id
    return loaded.budget


@pytest.fixture(scope="module")
def record():
    return _load_record()


# --------------------------------------------------------------------------- #
# Reading the seed text
# --------------------------------------------------------------------------- #


def _project_blocks() -> list[list[str]]:
    """The seed's lines, cut at the four table headings (## / ### / #### N.…)."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    starts = [i for i, line in enumerate(lines) if re.match(r"^#+ \d\.", line)]
    return [
        lines[s : (starts[k + 1] if k + 1 < len(starts) else len(lines))]
        for k, s in enumerate(starts)
    ]


def _cells(line: str) -> list[str]:
    """Non-empty cells of a TAB row, with <b> tags removed.

    Dropping empty cells absorbs the two-column description cell of projects
    1 and 4 (an empty cell between description and value).
    """
    cells = [re.sub(r"</?b>", "", c).strip() for c in line.split("\t")]
    return [c for c in cells if c]


def _seed_project(block: list[str]) -> dict:
    """Name, amounts, purpose, goal and indicator rows of one table."""
    rows = [line for line in block if "\t" in line]
    name = _cells(rows[0])[1]
    m = re.search(
        r"预算数</b>\t([\d.]+)\t<b>其中：财政 ?资金</b>\t([\d.]*)\t<b>其他资金</b>\t?([\d.]*)",
        rows[1],
    )
    assert m, rows[1]
    purpose = _cells(rows[2])[0]
    goal_cell = _cells(rows[3])[1]
    paragraphs = re.findall(r"<p>(.*?)</p>", goal_cell)
    goal = "\n".join(p.strip() for p in paragraphs) if paragraphs else goal_cell
    assert _cells(rows[4]) == HEADER
    return {
        "name": name,
        "amount": m.group(1),
        "fiscal_amount": m.group(2) or None,
        "other_amount": m.group(3) or None,
        "purpose": purpose,
        "goal": goal,
        "indicators": _seed_indicators(rows[5:]),
    }


def _seed_indicators(rows: list[str]) -> list[tuple]:
    """(level1, level2, level3, description, value) for every indicator row.

    Rows with 4 or 5 non-empty cells are indicator rows (level 1 only printed
    on the first row of its merged block: filled down). Page-break header
    rows are skipped. Rows with fewer cells are the tails of a row split by a
    page break (level 3 and, if present, description): appended to the
    previous row.
    """
    out: list[list[str]] = []
    level1 = None
    for row in rows:
        cells = _cells(row)
        if cells == HEADER:
            continue
        if len(cells) >= 4:
            assert len(cells) <= 5, cells
            if len(cells) == 5:
                level1 = cells[0]
            out.append([level1, *cells[-4:]])
        else:
            assert 1 <= len(cells) <= 2 and out, cells
            out[-1][2] += cells[0]
            if len(cells) == 2:
                out[-1][3] += cells[1]
    return [tuple(r) for r in out]


@pytest.fixture(scope="module")
def seed_projects() -> list[dict]:
    return [_seed_project(b) for b in _project_blocks()]


# --------------------------------------------------------------------------- #
# Tests
# --------------------------------------------------------------------------- #


def test_seed_parser_sees_what_the_brief_says(seed_projects):
    """Guards the test's own parser: 4 tables, 6/10/49/6 indicators."""
    assert [len(p["indicators"]) for p in seed_projects] == EXPECTED_INDICATOR_COUNTS


def test_identity(record):
    assert record.fiscal_year == 2024
    assert record.stage == "budget"
    assert record.amount_unit == "元"
    assert record.department.code == "503101"
    assert record.department.name == "中国共产党天津市滨海新区委员会组织部"
    assert record.department.region.admin_code == "120116"
    assert record.source.seed_file == SEED.name
    assert record.source.original_format == "pdf"


def test_every_table_prints_the_department_and_unit():
    """Each table is headed by “503101 <name>” and “单位：元” (the record's unit)."""
    for block in _project_blocks():
        text = "\n".join(block[:6])
        assert "503101 中国共产党天津市滨海新区委员会组织部" in text
        assert "单位：元" in text


def test_only_projects_are_disclosed(record):
    for section in (
        "income_expenditure_summary",
        "income_by_function",
        "expenditure_by_function",
        "fiscal_appropriation_summary",
        "gpb_expenditure_by_function",
        "three_public",
        "performance",
        "narrative_figures",
    ):
        assert getattr(record, section) is None, section


def test_project_count_order_and_names(record, seed_projects):
    assert [p.seq for p in record.projects] == [1, 2, 3, 4]
    assert [p.name for p in record.projects] == [p["name"] for p in seed_projects]


@pytest.mark.parametrize("field", ["amount", "fiscal_amount", "other_amount"])
def test_project_amounts_as_printed(record, seed_projects, field):
    """预算数 / 其中：财政资金 / 其他资金 (blank → null), compared as Decimal."""
    for project, seed in zip(record.projects, seed_projects, strict=True):
        printed = seed[field]
        value = getattr(project, field)
        if printed is None:
            assert value is None, (project.seq, field)
        else:
            assert isinstance(value, Decimal), (project.seq, field)
            assert value == Decimal(printed), (project.seq, field)
            assert str(value) == printed, (project.seq, field)  # printed decimals kept


def test_project_texts(record, seed_projects):
    """资金用途 and 绩效目标 verbatim (<p> paragraphs joined by newlines)."""
    for project, seed in zip(record.projects, seed_projects, strict=True):
        assert project.purpose == seed["purpose"], project.seq
        assert project.goal == seed["goal"], project.seq


def test_indicator_counts(record):
    assert [len(p.indicators) for p in record.projects] == EXPECTED_INDICATOR_COUNTS


def test_every_indicator_cell(record, seed_projects):
    """level1 (filled down), level2, level3, description, value_raw, in order."""
    for project, seed in zip(record.projects, seed_projects, strict=True):
        got = [
            (i.level1, i.level2, i.level3, i.description, i.value_raw) for i in project.indicators
        ]
        for n, (g, s) in enumerate(zip(got, seed["indicators"], strict=True), start=1):
            assert g == s, f"project {project.seq} indicator {n}"


def test_page_break_repairs(record):
    """The two rows the PDF split across pages are whole again (project 3)."""
    p3 = record.projects[2]
    assert p3.indicators[18].level3 == "干部信息管理信息系统和干部档案管理信息系统运行率"
    assert p3.indicators[18].description == "干部信息管理信息系统和干部档案管理信息系统运行率"
    assert p3.indicators[18].value_raw == "100%"
    assert p3.indicators[40].level3 == "公务员、集体奖励、即时奖励工作效果"


def test_no_parsed_indicator_fields_filled_by_hand(record):
    """This layout embeds comparator/unit in 指标值: only value_raw is written."""
    for project in record.projects:
        for i in project.indicators:
            assert i.comparator is None and i.value is None and i.unit is None
            assert i.direction_raw is None and i.basis is None


def test_repairs_are_noted(record):
    """Every repair of this transcription has a transcription note."""
    notes = " ".join(n.text for n in record.transcription_notes)
    for fragment in (
        "干部信息管",
        "即时奖励工作",
        "表头行",
        "横跨两列",
        "向下填充",
        "<p>",
        "120116",
    ):
        assert fragment in notes, fragment
