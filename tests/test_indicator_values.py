"""Parsing printed indicator values (GUIDE §5.2) — with the cells of the five seeds.

The table below lists values as printed in the seeds (000 丰润 2020, 001 平乡
2023, 002 滨海 2024, 003 怀来 2022, 004 鼓楼 2020, where 004 prints the
direction and unit in their own columns) with the parse each must give.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.indicator_values import (
    ParsedValue,
    effective_value,
    normalise_unit,
    parse_direction,
    parse_value,
)
from gongkai.loader import load_file
from gongkai.model import Indicator

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
CONTENT = Path(__file__).resolve().parent.parent / "content"

N = None
# raw, (comparator, value, value_max, unit, kind, deadline, text_note)
CASES: list[tuple[str | None, tuple[object, ...]]] = [
    # comparators and units (001, 002, 003)
    ("≥90%", (">=", "90", N, "%", "numeric", N, N)),
    ("≥1000人", (">=", "1000", N, "人", "numeric", N, N)),
    ("≤10万元", ("<=", "10", N, "万元", "numeric", N, N)),
    ("<90%", ("<", "90", N, "%", "numeric", N, N)),
    ("≥1900平方米", (">=", "1900", N, "平方米", "numeric", N, N)),
    ("≥4批次", (">=", "4", N, "批次", "numeric", N, N)),
    ("≥2000人次", (">=", "2000", N, "人次", "numeric", N, N)),
    ("≥1000小时", (">=", "1000", N, "小时", "numeric", N, N)),
    ("≥200天", (">=", "200", N, "天", "numeric", N, N)),
    ("≥5部", (">=", "5", N, "部", "numeric", N, N)),
    ("≥72万元", (">=", "72", N, "万元", "numeric", N, N)),
    ("≤3200元", ("<=", "3200", N, "元", "numeric", N, N)),
    ("1500册", (N, "1500", N, "册", "numeric", N, N)),
    ("269个", (N, "269", N, "个", "numeric", N, N)),
    # spaced and compound units (002)
    ("≥16 个", (">=", "16", N, "个", "numeric", N, N)),
    ("≥50000 份", (">=", "50000", N, "份", "numeric", N, N)),
    ("≤50 元/人/年", ("<=", "50", N, "元/人/年", "numeric", N, N)),
    ("45元/人", (N, "45", N, "元/人", "numeric", N, N)),
    ("≥95个直属单位", (">=", "95", N, "个直属单位", "numeric", N, N)),
    ("≤1.5万元", ("<=", "1.5", N, "万元", "numeric", N, N)),
    ("1年", (N, "1", N, "年", "numeric", N, N)),
    ("≤ 1", ("<=", "1", N, N, "numeric", N, N)),
    # no comparator (GUIDE §5.2.5)
    ("98%", (N, "98", N, "%", "numeric", N, N)),
    ("100%", (N, "100", N, "%", "numeric", N, N)),
    # 百分比 (000)
    ("≥80百分比", (">=", "80", N, "%", "numeric", N, N)),
    ("≥50百分比", (">=", "50", N, "%", "numeric", N, N)),
    # number followed by prose (000)
    ("100符合条件老党员全覆盖", (N, "100", N, N, "numeric_with_text", N, "符合条件老党员全覆盖")),
    (
        "≥100不低于上级规定发放标准",
        (">=", "100", N, N, "numeric_with_text", N, "不低于上级规定发放标准"),
    ),
    # comparator words, full-width forms, trailing words
    ("大于等于90%", (">=", "90", N, "%", "numeric", N, N)),
    ("大 于 等 于 90%", (">=", "90", N, "%", "numeric", N, N)),
    ("不低于95%", (">=", "95", N, "%", "numeric", N, N)),
    ("不少于3次", (">=", "3", N, "次", "numeric", N, N)),
    ("不超过5万元", ("<=", "5", N, "万元", "numeric", N, N)),
    ("小于等于10%", ("<=", "10", N, "%", "numeric", N, N)),
    ("不高于300元", ("<=", "300", N, "元", "numeric", N, N)),
    ("等于100%", ("=", "100", N, "%", "numeric", N, N)),
    ("＞90％", (">", "90", N, "%", "numeric", N, N)),
    ("＜５％", ("<", "5", N, "%", "numeric", N, N)),
    ("＝100%", ("=", "100", N, "%", "numeric", N, N)),
    ("40人次以上", (">=", "40", N, "人次", "numeric", N, N)),
    ("5万元以内", ("<=", "5", N, "万元", "numeric", N, N)),
    ("10%以下", ("<=", "10", N, "%", "numeric", N, N)),
    ("1,000人", (N, "1000", N, "人", "numeric", N, N)),
    ("90%-100%", ("range", "90", "100", "%", "numeric", N, N)),
    ("80~90分", ("range", "80", "90", "分", "numeric", N, N)),
    # deadlines (001, 002)
    ("2023年12月20日前完成", ("<=", N, N, N, "deadline", date(2023, 12, 20), N)),
    ("限12月20日前", ("<=", N, N, N, "deadline", date(2023, 12, 20), N)),
    ("当年11月前完成", ("<=", N, N, N, "deadline", date(2023, 10, 31), N)),
    ("2023年6月前完成", ("<=", N, N, N, "deadline", date(2023, 5, 31), N)),
    ("10月底前全部完成", ("<=", N, N, N, "deadline", date(2023, 10, 31), N)),
    ("于2023年3月底前完成", ("<=", N, N, N, "deadline", date(2023, 3, 31), N)),
    ("截止到2023年12月20日前完成", ("<=", N, N, N, "deadline", date(2023, 12, 20), N)),
    ("限于2022年12月31日前完成", ("<=", N, N, N, "deadline", date(2022, 12, 31), N)),
    (
        "[bookmark: _GoBack]于2023年11月30日前完成",
        ("<=", N, N, N, "deadline", date(2023, 11, 30), N),
    ),
    ("2024年1月底", (N, N, N, N, "deadline", date(2024, 1, 31), N)),
    ("2024年12月底前完成", ("<=", N, N, N, "deadline", date(2024, 12, 31), N)),
    ("2024年2月底前完成", ("<=", N, N, N, "deadline", date(2024, 2, 29), N)),
    ("12月底", (N, N, N, N, "deadline", date(2023, 12, 31), N)),
    ("年底前", ("<=", N, N, N, "deadline", date(2023, 12, 31), N)),
    (
        "网络通信服务费缴费时间在2022年12月25日前完成",
        (
            "<=",
            N,
            N,
            N,
            "deadline",
            date(2022, 12, 25),
            "网络通信服务费缴费时间在2022年12月25日前完成",
        ),
    ),
    ("年内及时发放", ("<=", N, N, N, "deadline", date(2023, 12, 31), "年内及时发放")),
    ("每年12月31日前完成", ("<=", N, N, N, "deadline", date(2023, 12, 31), "每年12月31日前完成")),
    # recurring deadline: kind deadline, no single date, text kept
    ("每月25日前发放", ("<=", N, N, N, "deadline", N, "每月25日前发放")),
    # compound values (002): several figures, or a year that is a price reference
    (
        "每人每天费用：主考官评审费 1200 元，考官评审费 1000 元，考务工作监督员 500 元",
        (
            N,
            N,
            N,
            N,
            "compound",
            N,
            "每人每天费用：主考官评审费 1200 元，考官评审费 1000 元，考务工作监督员 500 元",
        ),
    ),
    (
        "每人每天费用：住宿费 80 元，餐费 90 元",
        (N, N, N, N, "compound", N, "每人每天费用：住宿费 80 元，餐费 90 元"),
    ),
    (
        "参照2023年证书17元/本，奖章75元/枚，奖牌350元/个执行的费用标准",
        (
            N,
            N,
            N,
            N,
            "compound",
            N,
            "参照2023年证书17元/本，奖章75元/枚，奖牌350元/个执行的费用标准",
        ),
    ),
    (
        "按照党委、党总支、党支部不同层级，每月给予党组织书记 500 元、300 元、200 元的岗位津贴",
        (
            N,
            N,
            N,
            N,
            "compound",
            N,
            "按照党委、党总支、党支部不同层级，每月给予党组织书记 500 元、300 元、200 元的岗位津贴",
        ),
    ),
    (
        "在高速高铁沿线村、怀来特色村打造2个远教广场，安装LED大屏幕",
        (N, N, N, N, "compound", N, "在高速高铁沿线村、怀来特色村打造2个远教广场，安装LED大屏幕"),
    ),
    # qualitative (000, 002, 003)
    ("效果显著", (N, N, N, N, "qualitative", N, "效果显著")),
    ("与上年度持平，无增长", (N, N, N, N, "qualitative", N, "与上年度持平，无增长")),
    ("半年发放一次", (N, N, N, N, "qualitative", N, "半年发放一次")),
    ("按时完成", (N, N, N, N, "qualitative", N, "按时完成")),
    ("成效明显", (N, N, N, N, "qualitative", N, "成效明显")),
    # empty
    (None, (N, N, N, N, "empty", N, N)),
    ("", (N, N, N, N, "empty", N, N)),
    ("   ", (N, N, N, N, "empty", N, N)),
]


def _expected(parts: tuple[object, ...]) -> ParsedValue:
    comparator, value, value_max, unit, kind, deadline, note = parts
    return ParsedValue(
        comparator=comparator,  # type: ignore[arg-type]
        value=Decimal(value) if value is not None else None,  # type: ignore[arg-type]
        value_max=Decimal(value_max) if value_max is not None else None,  # type: ignore[arg-type]
        unit=unit,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        deadline=deadline,  # type: ignore[arg-type]
        text_note=note,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(("raw", "parts"), CASES, ids=[repr(c[0]) for c in CASES])
def test_parse_value(raw: str | None, parts: tuple[object, ...]) -> None:
    assert parse_value(raw, fiscal_year=2023) == _expected(parts)


# Fujian layout (004): direction and unit in their own columns.
FUJIAN: list[tuple[str | None, str | None, str | None, tuple[object, ...]]] = [
    ("100", "等 于", "%", ("=", "100", N, "%", "numeric", N, N)),
    ("95", "大 于 等 于", "%", (">=", "95", N, "%", "numeric", N, N)),
    ("100.00", "大于等于", "百分比", (">=", "100.00", N, "%", "numeric", N, N)),
    ("1700.00", "大于等于", "条", (">=", "1700.00", N, "条", "numeric", N, N)),
    ("50.00", "大于等于", "人（团队）", (">=", "50.00", N, "人（团队）", "numeric", N, N)),
    ("1.00", "大于等于", None, (">=", "1.00", N, N, "numeric", N, N)),
    ("5", "小于等于", "%", ("<=", "5", N, "%", "numeric", N, N)),
    (None, None, None, (N, N, N, N, "empty", N, N)),
]


@pytest.mark.parametrize(("raw", "direction", "unit", "parts"), FUJIAN)
def test_parse_value_with_direction_and_unit_columns(
    raw: str | None, direction: str | None, unit: str | None, parts: tuple[object, ...]
) -> None:
    assert parse_value(raw, direction_raw=direction, unit=unit, fiscal_year=2020) == _expected(
        parts
    )


def test_numbers_keep_their_printed_decimals() -> None:
    """100.00 stays 100.00 (Decimal from the text, never float)."""
    value = parse_value("≥100.00%").value
    assert isinstance(value, Decimal)
    assert value.as_tuple().exponent == -2


def test_deadline_without_year_and_without_fiscal_year() -> None:
    """No year printed and none given: a deadline, but no date."""
    assert parse_value("限12月20日前") == ParsedValue(comparator="<=", kind="deadline")


def test_impossible_date_is_not_invented() -> None:
    assert parse_value("2023年2月30日前完成").deadline is None


@pytest.mark.parametrize(
    ("direction", "comparator"),
    [
        ("大于等于", ">="),
        ("大 于 等 于", ">="),
        ("小于等于", "<="),
        ("等于", "="),
        ("≥", ">="),
        ("以上", ">="),
        ("不超过", "<="),
        ("朝上", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_direction(direction: str | None, comparator: str | None) -> None:
    assert parse_direction(direction) == comparator


@pytest.mark.parametrize(
    ("unit", "normalised"),
    [
        ("百分比", "%"),
        ("％", "%"),
        (" 元/人/年 ", "元/人/年"),
        ("人（团队）", "人（团队）"),
        ("", None),
        (None, None),
    ],
)
def test_normalise_unit(unit: str | None, normalised: str | None) -> None:
    assert normalise_unit(unit) == normalised


# --------------------------------------------------------------------------- #
# effective_value: contributor overrides win
# --------------------------------------------------------------------------- #


def test_effective_value_without_overrides_is_the_parse() -> None:
    ind = Indicator(level3="x", value_raw="≥90%")
    assert effective_value(ind, 2023) == parse_value("≥90%", fiscal_year=2023)


def test_effective_value_applies_each_override() -> None:
    ind = Indicator(
        level3="x",
        value_raw="100符合条件老党员全覆盖",
        comparator="=",
        unit="百分比",
        value_kind="numeric",
    )
    parsed = effective_value(ind, 2020)
    assert (parsed.comparator, parsed.value, parsed.unit, parsed.kind) == (
        "=",
        Decimal("100"),
        "%",
        "numeric",
    )
    assert parsed.text_note == "符合条件老党员全覆盖"


def test_effective_value_given_by_hand_for_a_lost_cell() -> None:
    """004 project 2: the value cells were lost; a reviewer types them in."""
    ind = Indicator(
        level3="目标完成率", value_raw=None, comparator="=", value=Decimal(100), unit="%"
    )
    parsed = effective_value(ind, 2020)
    assert (parsed.kind, parsed.comparator, parsed.value, parsed.unit) == (
        "numeric",
        "=",
        Decimal(100),
        "%",
    )


def test_effective_value_deadline_and_range_overrides() -> None:
    ind = Indicator(level3="x", value_raw="年底前", deadline=date(2024, 1, 31))
    assert effective_value(ind, 2023).deadline == date(2024, 1, 31)
    ranged = Indicator(level3="x", value_raw="90%", comparator="range", value_max=Decimal(100))
    parsed = effective_value(ranged, 2023)
    assert (parsed.comparator, parsed.value, parsed.value_max) == (
        "range",
        Decimal(90),
        Decimal(100),
    )


# --------------------------------------------------------------------------- #
# Every comparator cell of the seeds
# --------------------------------------------------------------------------- #

_CELL = re.compile(r"^(?:≥|≤|<|>|＞|＜)\s*\d")


def _seed_cells() -> list[tuple[str, str]]:
    """Every TAB-separated cell of the seed texts that starts with a comparator and a number."""
    found: dict[str, str] = {}
    for seed in sorted(SEEDS.glob("*.txt")):
        for line in seed.read_text(encoding="utf-8").splitlines():
            for cell in line.split("\t"):
                cell = cell.strip()
                if _CELL.match(cell):
                    found.setdefault(cell, seed.name[:3])
    return sorted((seed, cell) for cell, seed in found.items())


SEED_CELLS = _seed_cells()


def test_seed_cells_were_found() -> None:
    assert len(SEED_CELLS) > 80


@pytest.mark.parametrize(("seed", "cell"), SEED_CELLS, ids=[f"{s}:{c}" for s, c in SEED_CELLS])
def test_every_seed_comparator_cell_parses(seed: str, cell: str) -> None:
    """A printed comparator and number always give that comparator and that number."""
    parsed = parse_value(cell, fiscal_year=2023)
    number = re.search(r"\d+(?:\.\d+)?", cell)
    assert number is not None
    assert parsed.kind in ("numeric", "numeric_with_text")
    assert parsed.comparator is not None
    assert parsed.value == Decimal(number.group(0))


def _content_values() -> list[tuple[str, Indicator, int]]:
    rows: list[tuple[str, Indicator, int]] = []
    for path in sorted(CONTENT.glob("*/*.yaml")):
        budget = load_file(path).budget
        if budget is None:
            continue
        for project in budget.projects or []:
            rows.extend((path.stem, ind, budget.fiscal_year) for ind in project.indicators)
    return rows


def test_every_transcribed_value_parses_consistently() -> None:
    """Every indicator of the records parses; numbers come from the printed text."""
    rows = _content_values()
    if not rows:
        pytest.skip("no records under content/")
    for record, ind, year in rows:
        parsed = effective_value(ind, year)
        assert parsed.kind in (
            "numeric",
            "numeric_with_text",
            "deadline",
            "qualitative",
            "compound",
            "empty",
        )
        if parsed.kind in ("numeric", "numeric_with_text") and ind.value is None:
            assert parsed.value is not None, (record, ind.value_raw)
            assert f"{parsed.value:f}" in (ind.value_raw or "").replace(",", ""), (
                record,
                ind.value_raw,
            )
        if parsed.kind == "empty":
            assert not (ind.value_raw or "").strip()
