"""Fidelity of the seed 004 record (中共福州市鼓楼区组织部, 2020, amounts in 万元).

The record content/350102/350102-116001-2020-budget.yaml was rebuilt by hand
from a badly garbled PDF text extraction,
tests/fixtures/seeds/004_37ca9f27b82172c4.txt: words are split by spaces,
cells wrap onto stray lines, merged labels sit on the middle row of their
block, and one row lost its value cells. These tests re-read the seed text
independently and check what can be read from it robustly:

* the stated number of projects and their stated total, and the quote;
* each project's seq, name and amount (against the table row and the
  introductory list of 17 names), and Σ amounts = the stated total;
* per project, the number of indicator rows (one per printed 指标性质 cell,
  plus the row of project 2 whose value cells were lost), and the sequences
  of 指标性质, 方向, 绩效目标值 and 计量单位 cells exactly as printed;
* that every goal, level-3 name, description and label of the record is
  printed in that project's part of the text (spaces removed), except for
  the few cells the extraction split and whose pieces are listed here.

A changed figure, a dropped, added or reordered indicator, or an edited cell
fails.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.loader import load_file

HERE = Path(__file__).resolve().parent
SEED = HERE / "fixtures" / "seeds" / "004_37ca9f27b82172c4.txt"
RECORD = HERE.parent / "content" / "350102" / "350102-116001-2020-budget.yaml"

TABLE_HEADER = "序号\t项目名称"
#: A project's first row: optional empty cells, 序号, 项目名称, 年预算安排资金.
PROJECT_ROW = re.compile(r"^\t*(\d{1,2})\t([^\t]+)\t(\d+(?:\.\d+)?)\t")
DIRECTIONS = {"等于", "大于等于", "小于等于", "大于", "小于"}
NATURES = {"正向指标", "反向指标"}
NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
#: Rows whose 指标性质/方向/目标值/单位 cells the extraction lost (project 2 目标完成率).
LOST_VALUE_ROWS = {2: 1}
#: Indicator rows per project, counted by hand (97 in all, 96 with values; GUIDE §0).
EXPECTED_INDICATOR_COUNTS = [6, 5, 6, 6, 5, 6, 6, 5, 6, 6, 6, 6, 5, 6, 6, 6, 5]
#: Goals whose last words the extraction moved to a later line: (printed head, printed tail).
SPLIT_GOALS = {
    5: ("落实好退休劳模待遇相关规定,体现党", "和政府对劳动模范的关心和爱护."),
    9: ("推动打造宜居宜业宜商宜游的首善之区、幸", "福鼓楼。"),
    16: ("让全区困难党员、干部度过一个", "喜庆、祥和的佳节,把区委的关心爱护落到实处。"),
}
#: Labels printed in pieces on two lines: (project, label) -> the printed pieces.
SPLIT_LABELS = {
    (6, "社会效益指标"): ("社会效益", "益指标"),
    (7, "服务对象满意度指标"): ("服务对象满", "意度指标"),
    (10, "可持续影响指标"): ("可持续影响指", "标"),
    (14, "满意度指标"): ("满意度指", "标"),
    (14, "服务对象满意度指标"): ("服务对象", "满意度指标"),
}
#: Level-1 labels that the extraction does not print in a project at all (inferred from level 2).
UNPRINTED_LEVEL1 = {(3, "产出指标")}
#: The template: level 2 -> level 1 (GUIDE §5.3).
LEVEL1_OF = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "成本指标": "产出指标",
    "社会效益指标": "效益指标",
    "经济效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "可持续发展影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
}


def _flat(text: str) -> str:
    """Text without any whitespace: the extraction's spaces and line breaks are artefacts."""
    return re.sub(r"\s", "", text)


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
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def chunks(seed_text) -> dict[int, list[str]]:
    """The table's lines grouped by project: a project starts at the row printing its 序号.

    The 序号 cell may be preceded by empty cells (project 2 is indented by four);
    a row counts as a project start only when its number is the next one.
    """
    lines = seed_text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(TABLE_HEADER))
    grouped: dict[int, list[str]] = {}
    current = 0
    for line in lines[start + 1 :]:
        match = PROJECT_ROW.match(line)
        if match and int(match.group(1)) == current + 1:
            current += 1
        if current:
            grouped.setdefault(current, []).append(line)
    return grouped


def _cells(lines: list[str]) -> list[str]:
    """Every TAB-separated cell of the lines, in order, spaces removed."""
    return [_flat(cell) for line in lines for cell in line.split("\t")]


def _printed_rows(lines: list[str]) -> list[tuple[str, str, str | None, str | None]]:
    """(指标性质, 方向, 目标值, 单位) per indicator row that printed them, in order.

    Within a line the cells are: … 指标性质, (empty cells), 方向, 目标值, 单位.
    The unit is None when no non-empty cell follows the value.
    """
    rows = []
    for line in lines:
        cells = [_flat(c) for c in line.split("\t")]
        natures = [i for i, c in enumerate(cells) if c in NATURES]
        for k in natures:
            d = next(i for i in range(k + 1, len(cells)) if cells[i] in DIRECTIONS)
            value = cells[d + 1] if d + 1 < len(cells) and NUMBER.match(cells[d + 1]) else None
            unit = cells[d + 2] if d + 2 < len(cells) and cells[d + 2] else None
            rows.append((cells[k][:2], cells[d], value, unit))
    return rows


def _intro(seed_text: str) -> str:
    return next(line for line in seed_text.split("\n") if "个项目绩效目标" in line)


# --------------------------------------------------------------------------- #
# Identity and the stated figures
# --------------------------------------------------------------------------- #


def test_identity(record, seed_text):
    """Department name and code as printed in 单位名称：[116001]中共福州市鼓楼区组织部."""
    printed = re.search(r"单位名称：\[(\d+)\](\S+)", seed_text)
    assert record.department.code == printed.group(1) == "116001"
    assert record.department.name == printed.group(2)
    assert record.fiscal_year == 2020
    assert record.amount_unit == "万元" and "(万元)" in seed_text
    assert record.source.seed_file == SEED.name
    title = next(line for line in seed_text.split("\n") if line.strip())
    assert record.source.title == _flat(title)


def test_stated_count_and_total(record, seed_text):
    """共设置 17 个项目绩效目标 … 共涉及财政拨款资金 1909.11 万元 (and the quote is that sentence)."""
    intro = _intro(seed_text)
    count = re.search(r"共设置\s*(\d+)\s*个项目绩效目标", intro).group(1)
    total = re.search(r"财政拨款资金\s*(\d+(?:\.\d+)?)\s*万元", intro).group(1)
    performance = record.performance
    assert performance.stated_project_count == int(count) == 17
    assert performance.stated_project_total == Decimal(total)
    assert str(performance.stated_project_total) == total
    assert performance.quote == intro.strip()
    assert performance.note in seed_text and "无部门业务费绩效目标" in performance.note


# --------------------------------------------------------------------------- #
# Projects: names and amounts
# --------------------------------------------------------------------------- #


def test_projects_match_the_table_rows(record, chunks):
    """17 projects in table order; name (spaces removed) and amount exactly as printed."""
    printed = [PROJECT_ROW.match(lines[0]) for lines in chunks.values()]
    assert len(record.projects) == len(printed) == 17
    for project, row in zip(record.projects, printed, strict=True):
        assert project.seq == int(row.group(1))
        assert project.name == _flat(row.group(2))
        assert project.amount == Decimal(row.group(3))
        assert str(project.amount) == row.group(3), "keep the printed decimals"
        assert project.fiscal_amount == project.amount  # inferred: the whole table is 财政拨款


def test_names_match_the_introductory_list(record, seed_text):
    """The intro lists the 17 names joined by 、 and ends with 项目 (“…经费项目，共涉及…”).

    One name itself contains 、 (干部考察、外调经费), so the list is compared as
    a whole rather than split.
    """
    listed = _flat(re.search(r"分别是(.+?)，共涉及", _intro(seed_text)).group(1))
    assert listed == "、".join(p.name for p in record.projects) + "项目"


def test_amounts_sum_to_the_stated_total(record):
    total = sum((p.amount for p in record.projects), Decimal(0))
    assert total == record.performance.stated_project_total == Decimal("1909.11")


# --------------------------------------------------------------------------- #
# Indicators
# --------------------------------------------------------------------------- #


def test_indicator_counts(record, chunks):
    """One row per printed 指标性质 cell, plus the rows whose value cells were lost."""
    counts = [len(p.indicators) for p in record.projects]
    printed = [len(_printed_rows(chunks[seq])) + LOST_VALUE_ROWS.get(seq, 0) for seq in chunks]
    assert counts == printed == EXPECTED_INDICATOR_COUNTS
    assert sum(counts) == 97


@pytest.mark.parametrize("seq", range(1, 18))
def test_indicator_value_cells(record, chunks, seq):
    """指标性质, 方向, 绩效目标值, 计量单位 of every row, in order, exactly as printed."""
    project = record.projects[seq - 1]
    with_values = [i for i in project.indicators if i.value_raw is not None]
    ours = [(i.nature, i.direction_raw, i.value_raw, i.unit) for i in with_values]
    assert ours == _printed_rows(chunks[seq])
    lost = [i for i in project.indicators if i.value_raw is None]
    assert len(lost) == LOST_VALUE_ROWS.get(seq, 0)
    for indicator in lost:
        assert (indicator.nature, indicator.direction_raw, indicator.unit) == (None, None, None)


@pytest.mark.parametrize("seq", range(1, 18))
def test_texts_are_printed_in_the_project(record, chunks, seq):
    """Goal, level-3 names, descriptions and labels all occur in the project's text."""
    project = record.projects[seq - 1]
    text = _flat("\n".join(chunks[seq]))
    if seq in SPLIT_GOALS:
        head, tail = SPLIT_GOALS[seq]
        assert project.goal.endswith(head + tail)
        assert _flat(project.goal[: -len(tail)]) in text and tail in text
    else:
        assert _flat(project.goal) in text
    for indicator in project.indicators:
        assert _flat(indicator.level3) in text
        if indicator.description is not None:
            assert _flat(indicator.description) in text
        for label in (indicator.level1, indicator.level2):
            if (seq, label) in UNPRINTED_LEVEL1:
                continue
            pieces = SPLIT_LABELS.get((seq, label), (label,))
            assert all(piece in text for piece in pieces), (seq, label)


def test_levels_follow_the_template(record):
    """Level 1 is the label of the block level 2 belongs to (labels sit mid-block in the PDF)."""
    for project in record.projects:
        for indicator in project.indicators:
            assert LEVEL1_OF[indicator.level2] == indicator.level1, (project.seq, indicator.level3)


def test_level2_blocks_in_order(record, chunks):
    """Within a project the level-2 blocks appear in printed order: 时效, 成本, (数量, 质量), 效益…, 满意度.

    Every project prints 目标完成率 then 预算执行率 first, and ends with one
    satisfaction row.
    """
    for project in record.projects:
        levels = [i.level2 for i in project.indicators]
        assert levels[:2] == ["时效指标", "成本指标"], project.seq
        assert levels[-1] == "服务对象满意度指标" and levels.count("服务对象满意度指标") == 1
        assert [i.level3 for i in project.indicators[:2]] == ["目标完成率", "预算执行率"]
