"""Rules on projects, categories, spending plans and indicators.

Indicator values are the printed cells of the seeds (``<90%`` of 001 project
16, 004's ``大于等于 100.00 %``, 003's counts under 成本指标 …).
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import (
    Case,
    D,
    Expect,
    category,
    check_case,
    complete_indicators,
    fails,
    figure,
    indicator,
    minimal_budget,
    passes,
    performance,
    project,
    satisfaction,
)
from gongkai.model import Grades, PerformanceCategory

# --------------------------------------------------------------------------- #
# Amounts, totals, counts
# --------------------------------------------------------------------------- #

PROJECT_CASES: list[Case] = [
    passes(
        "R-PROJ-FUND",
        "amount = fiscal (other blank)",
        minimal_budget(projects=[project(1, amount="15.00", fiscal="15.00")]),
    ),
    passes("R-PROJ-FUND", "no split printed (001)", minimal_budget(projects=[project(1)])),
    fails(
        "R-PROJ-FUND",
        "split short; blank amount over a split",
        minimal_budget(
            projects=[
                project(1, amount="15.00", fiscal="10.00", other="4.00"),
                project(2, fiscal="5.00"),
            ]
        ),
        Expect(
            "R-PROJ-FUND", "error", "项目1 预算数", D("15.00"), D("14.00"), "projects[0].amount"
        ),
        Expect("R-PROJ-FUND", "error", "项目2 预算数", None, D("5.00"), "projects[1].amount"),
    ),
    passes(
        "R-PROJ-TEXT",
        "seed 000: 15万元 = 150000.00 元",
        minimal_budget(
            amount_unit="元",
            projects=[
                project(
                    1,
                    amount="150000.00",
                    fiscal="150000.00",
                    purpose="预算数15万元。其中：财政资金15万元，其他资金0万元。主要用于编印出版",
                )
            ],
        ),
    ),
    fails(
        "R-PROJ-TEXT",
        "text and cell disagree",
        minimal_budget(
            amount_unit="元",
            projects=[
                project(
                    1,
                    amount="304000.00",
                    fiscal="304500.00",
                    purpose="预算数30.45万元。其中：财政资金30.45万元，其他资金0万元。",
                )
            ],
        ),
        Expect(
            "R-PROJ-TEXT",
            "error",
            "项目1 资金用途 预算数",
            D("30.45"),
            D("30.4"),
            "projects[0].amount",
        ),
    ),
    passes(
        "R-PROJ-TOTAL",
        "seed 004: stated total = Σ amounts",
        minimal_budget(
            performance=performance(stated_total="1909.11"),
            projects=[project(1, amount="1876.35"), project(2, amount="32.76")],
        ),
    ),
    passes(
        "R-PROJ-TOTAL",
        "projects without amounts (001)",
        minimal_budget(performance=performance(stated_total="100"), projects=[project(1)]),
    ),
    fails(
        "R-PROJ-TOTAL",
        "stated total and narrative 项目支出 differ from Σ",
        minimal_budget(
            performance=performance(stated_total="30.00"),
            narrative_figures=[figure("project", "300000", "元")],
            projects=[project(1, amount="10"), project(2, amount="20.5")],
        ),
        Expect(
            "R-PROJ-TOTAL",
            "error",
            "项目资金合计 绩效目标所述",
            D("30.00"),
            D("30.5"),
            "performance.stated_project_total",
        ),
        Expect(
            "R-PROJ-TOTAL",
            "error",
            "项目资金合计 文字说明项目支出",
            D("300000"),
            D("305000"),
            "narrative_figures[0].amount",
        ),
    ),
    passes(
        "R-COUNT",
        "2 stated, 2 tables",
        minimal_budget(performance=performance(count=2), projects=[project(1), project(2)]),
    ),
    fails(
        "R-COUNT",
        "count differs",
        minimal_budget(performance=performance(count=17), projects=[project(1), project(2)]),
        Expect("R-COUNT", "error", "项目个数", D("17"), D("2"), "performance.stated_project_count"),
    ),
]

# Seed 000's 职责分类 table (元): 7 = 8 (blank) + 9 + 10 (blank) + 11.
SEED_000_CATEGORIES = [
    category(5, "68401277.20"),
    category(6, "68401277.20", parent=5),
    category(7, "32504500.00"),
    category(8, None, parent=7),
    category(9, "32200000", parent=7),
    category(10, None, parent=7),
    category(11, "304500.00", parent=7),
    category(12, "430000.00"),
    category(13, "430000.00", parent=12),
    category(14, "850000.00"),
    category(15, "850000.00", parent=14),
]

CATEGORY_CASES: list[Case] = [
    passes(
        "R-CAT-PARENT",
        "seed 000 (blank children count 0)",
        minimal_budget(amount_unit="元", performance=performance(SEED_000_CATEGORIES)),
    ),
    fails(
        "R-CAT-PARENT",
        "child differs from parent (元, exact)",
        minimal_budget(
            amount_unit="元",
            performance=performance(
                [category(5, "68401277.20"), category(6, "68401277.00", parent=5)]
            ),
        ),
        Expect(
            "R-CAT-PARENT",
            "error",
            "分类5 金额",
            D("68401277.20"),
            D("68401277.00"),
            "performance.categories[0].amount",
        ),
    ),
    passes(
        "R-CAT-TOTAL",
        "seed 000: Σ top categories = 项目支出 102185777.20",
        minimal_budget(
            amount_unit="元",
            performance=performance(SEED_000_CATEGORIES),
            narrative_figures=[figure("project", "102185777.20")],
        ),
    ),
    fails(
        "R-CAT-TOTAL",
        "Σ top categories ≠ 项目支出",
        minimal_budget(
            amount_unit="元",
            performance=performance(SEED_000_CATEGORIES),
            narrative_figures=[figure("project", "102230777.20")],
        ),
        Expect(
            "R-CAT-TOTAL",
            "error",
            "分类金额合计",
            D("102230777.20"),
            D("102185777.20"),
            "narrative_figures[0].amount",
        ),
    ),
    passes(
        "R-CAT-PROJ",
        "category = its projects (through a sub-category)",
        minimal_budget(
            performance=performance(
                [
                    category(1, "30.00", name="干部管理"),
                    category(2, "20.00", parent=1, name="干部教育"),
                ]
            ),
            projects=[
                project(1, amount="10.00", category="干部管理"),
                project(2, amount="20.00", category="干部教育"),
            ],
        ),
    ),
    fails(
        "R-CAT-PROJ",
        "category ≠ its projects",
        minimal_budget(
            performance=performance([category(1, "30.00", name="干部管理")]),
            projects=[
                project(1, amount="10.00", category="干部管理"),
                project(2, amount="25.00", category="干部管理"),
            ],
        ),
        Expect(
            "R-CAT-PROJ",
            "error",
            "分类1 所属项目",
            D("30.00"),
            D("35.00"),
            "performance.categories[0].amount",
        ),
    ),
]

PLAN_CASES: list[Case] = [
    passes(
        "R-PLAN",
        "seed 000 project 3 (early blank)",
        minimal_budget(
            projects=[project(1, plan=[(3, None), (6, "20.00"), (10, "60.00"), (12, "100.00")])]
        ),
    ),
    fails(
        "R-PLAN",
        "decreasing",
        minimal_budget(projects=[project(1, plan=[(3, "25"), (6, "20"), (10, "75"), (12, "100")])]),
        Expect(
            "R-PLAN",
            "error",
            "项目1 资金支出计划 6月底",
            D("20"),
            None,
            "projects[0].spending_plan[1].percent",
        ),
    ),
    fails(
        "R-PLAN",
        "above 100 then back to 100",
        minimal_budget(
            projects=[project(1, plan=[(3, "25"), (6, "50"), (10, "120"), (12, "100")])]
        ),
        Expect(
            "R-PLAN",
            "error",
            "项目1 资金支出计划 10月底",
            D("120"),
            None,
            "projects[0].spending_plan[2].percent",
        ),
        Expect(
            "R-PLAN",
            "error",
            "项目1 资金支出计划 12月底",
            D("100"),
            None,
            "projects[0].spending_plan[3].percent",
        ),
    ),
    fails(
        "R-PLAN",
        "does not end at 100; blank end",
        minimal_budget(
            projects=[
                project(1, plan=[(6, "50"), (12, "90")]),
                project(2, plan=[(6, "50"), (12, None)]),
            ]
        ),
        Expect("R-PLAN", "error", "项目1 资金支出计划 12月底", D("90"), None),
        Expect(
            "R-PLAN",
            "warning",
            "项目2 资金支出计划 12月底",
            None,
            None,
            "projects[1].spending_plan[1].percent",
        ),
    ),
    passes(
        "R-DUP",
        "same goal, different amounts",
        minimal_budget(
            projects=[
                project(1, amount="220", goal="加强党员教育"),
                project(2, amount="10", goal="加强党员教育"),
            ]
        ),
    ),
    fails(
        "R-DUP",
        "seed 004 projects 8 and 17",
        minimal_budget(
            projects=[
                project(1, amount="220", goal="进一步加强党员教育管理, 全面实现"),
                project(2, amount="220.00", goal="进一步加强党员教育管理,全面实现"),
            ]
        ),
        Expect("R-DUP", "warning", "项目2 与 项目1", D("220.00"), None, "projects[1].goal"),
    ),
]

# --------------------------------------------------------------------------- #
# Indicators
# --------------------------------------------------------------------------- #


def _one(*indicators: object, amount: str | None = None, **kwargs: object):
    """A record with one project holding ``indicators``."""
    return minimal_budget(
        projects=[project(1, amount=amount, indicators=list(indicators))], **kwargs
    )  # type: ignore[arg-type]


INDICATOR_CASES: list[Case] = [
    passes(
        "R-IND-L1L2",
        "template names, 效果指标 and 可持续发展影响指标 variants",
        _one(
            indicator("≥10人"),
            indicator("效果显著", level1="效果指标", level2="社会效益指标"),
            indicator("长期", level1="效益指标", level2="可持续发展影响指标"),
            indicator("≥90%", level1="满意度 指标", level2="服务对象满意度指标"),
        ),
    ),
    fails(
        "R-IND-L1L2",
        "misplaced, unknown 二级, unknown 一级",
        _one(
            indicator("≥10人", level2="社会效益指标"),
            indicator("≥10人", level2="其他指标"),
            indicator("≥10人", level1="过程指标"),
        ),
        Expect(
            "R-IND-L1L2", "error", "项目1 指标1", D("10"), None, "projects[0].indicators[0].level2"
        ),
        Expect(
            "R-IND-L1L2",
            "warning",
            "项目1 指标2",
            D("10"),
            None,
            "projects[0].indicators[1].level2",
        ),
        Expect(
            "R-IND-L1L2",
            "warning",
            "项目1 指标3",
            D("10"),
            None,
            "projects[0].indicators[2].level1",
        ),
    ),
    passes("R-IND-MIN", "产出 + 效益 + 满意度", _one(*complete_indicators())),
    passes(
        "R-IND-MIN",
        "一级 implied by the 二级 (merged cell)",
        _one(
            indicator("≥10人"),
            indicator("好", level1=None, level2="社会效益指标"),
            satisfaction("≥90%"),
        ),
    ),
    fails(
        "R-IND-MIN",
        "no 效益 indicator",
        _one(indicator("≥10人"), satisfaction("≥90%")),
        Expect("R-IND-MIN", "warning", "项目1 指标类别", path="projects[0].indicators"),
    ),
    passes(
        "R-IND-SAT",
        "≥90%, 100%, Fujian 大于等于 100.00 %",
        _one(
            satisfaction("≥90%"),
            satisfaction("100%"),
            satisfaction("100.00", direction_raw="大 于 等 于", unit="%"),
            satisfaction(None),
        ),
    ),
    fails(
        "R-IND-SAT",
        "seed 001 project 16 <90%; above 100; not a number",
        _one(
            satisfaction("<90%"),
            satisfaction("≥120%"),
            satisfaction("非常满意"),
            satisfaction("≥90分"),
        ),
        Expect(
            "R-IND-SAT",
            "warning",
            "项目1 指标1",
            D("90"),
            None,
            "projects[0].indicators[0].value_raw",
        ),
        Expect("R-IND-SAT", "error", "项目1 指标2", D("120"), None),
        Expect("R-IND-SAT", "warning", "项目1 指标3", None, None),
        Expect("R-IND-SAT", "warning", "项目1 指标4", D("90"), None),
    ),
    passes(
        "R-IND-PCT",
        "ordinary rates",
        _one(indicator("100%"), indicator("≤100%"), indicator("≥95%"), satisfaction("120%")),
    ),
    fails(
        "R-IND-PCT",
        "≥100% (seed 000, 004) and a rate above 100",
        _one(
            indicator("≥100%"),
            satisfaction("100.00", direction_raw="大于等于", unit="%"),
            indicator("120%"),
            indicator(">100%"),
        ),
        Expect(
            "R-IND-PCT",
            "warning",
            "项目1 指标1",
            D("100"),
            None,
            "projects[0].indicators[0].value_raw",
        ),
        Expect("R-IND-PCT", "warning", "项目1 指标2", D("100.00"), None),
        Expect("R-IND-PCT", "warning", "项目1 指标3", D("120"), None),
        Expect("R-IND-PCT", "warning", "项目1 指标4", D("100"), None),
    ),
    passes(
        "R-IND-DATE",
        "deadlines in the year, recurring, no year",
        _one(
            indicator("2023年12月20日前完成", level2="时效指标"),
            indicator("限12月20日前", level2="时效指标"),
            indicator("每月25日前发放", level2="时效指标"),
        ),
    ),
    fails(
        "R-IND-DATE",
        "seed 001 projects 8 and 21: deadlines of 2022",
        _one(
            indicator("限于2022年12月31日前完成", level2="时效指标"),
            indicator("网络通信服务费缴费时间在2022年12月25日前完成", level2="时效指标"),
        ),
        Expect(
            "R-IND-DATE",
            "warning",
            "项目1 指标1",
            None,
            None,
            "projects[0].indicators[0].value_raw",
        ),
        Expect("R-IND-DATE", "warning", "项目1 指标2", None, None),
    ),
    fails(
        "R-IND-DATE",
        "a deadline given by hand overrides the parse",
        _one(indicator("年底前", level2="时效指标", deadline=date(2024, 1, 31))),
        Expect("R-IND-DATE", "warning", "项目1 指标1", None, None),
    ),
    passes(
        "R-IND-NATURE",
        "正向 ≥ / = ; 反向 ≤",
        _one(
            indicator("100", direction_raw="大于等于", unit="人", nature="正向"),
            indicator("100%", direction_raw="等于", nature="正向"),
            indicator("≤5%", nature="反向"),
        ),
    ),
    fails(
        "R-IND-NATURE",
        "正向 with ≤; 反向 with 大于等于",
        _one(
            indicator("≤5%", nature="正向"),
            indicator("95", direction_raw="大于等于", unit="%", nature="反向"),
        ),
        Expect(
            "R-IND-NATURE", "error", "项目1 指标1", D("5"), None, "projects[0].indicators[0].nature"
        ),
        Expect("R-IND-NATURE", "error", "项目1 指标2", D("95"), None),
    ),
    passes(
        "R-IND-COMPLETE",
        "values with units, text, graded category indicators",
        minimal_budget(
            projects=[project(1, indicators=[indicator("≥90%"), indicator("效果显著")])],
            performance=performance(
                [
                    PerformanceCategory(
                        seq=1,
                        name="分类",
                        indicators=[
                            indicator(
                                None, level1=None, level2=None, grades=Grades(excellent="100%")
                            )
                        ],
                    )
                ]
            ),
        ),
    ),
    fails(
        "R-IND-COMPLETE",
        "seed 004 blank cell; seed 000 number without unit",
        _one(
            indicator(None),
            indicator("100符合条件老党员全覆盖"),
            indicator("1.00", direction_raw="大于等于"),
        ),
        Expect(
            "R-IND-COMPLETE",
            "warning",
            "项目1 指标1",
            None,
            None,
            "projects[0].indicators[0].value_raw",
        ),
        Expect("R-IND-COMPLETE", "warning", "项目1 指标2", D("100"), None),
        Expect("R-IND-COMPLETE", "warning", "项目1 指标3", D("1.00"), None),
    ),
    passes(
        "R-IND-COST",
        "money, per-head money, rate",
        _one(
            indicator("≤10万元", level2="成本指标"),
            indicator("≤50 元/人/年", level2="成本指标"),
            indicator("≤100%", level2="成本指标"),
            indicator("控制成本", level2="成本指标"),
        ),
    ),
    fails(
        "R-IND-COST",
        "seed 003: counts under 成本指标",
        _one(indicator("≥1次", level2="成本指标"), indicator("≥20人次", level2="成本指标")),
        Expect(
            "R-IND-COST",
            "warning",
            "项目1 指标1",
            D("1"),
            None,
            "projects[0].indicators[0].value_raw",
        ),
        Expect("R-IND-COST", "warning", "项目1 指标2", D("20"), None),
    ),
    passes(
        "R-IND-TIME",
        "deadline, rate, duration",
        _one(
            indicator("2023年12月20日前完成", level2="时效指标"),
            indicator("98%", level2="时效指标"),
            indicator("1年", level2="时效指标"),
            indicator("按时完成", level2="时效指标"),
        ),
    ),
    fails(
        "R-IND-TIME",
        "seed 003 project 13: 人次 under 时效指标",
        _one(indicator("≥20人次", level2="时效指标")),
        Expect(
            "R-IND-TIME",
            "warning",
            "项目1 指标1",
            D("20"),
            None,
            "projects[0].indicators[0].value_raw",
        ),
    ),
    passes(
        "R-IND-UNIT",
        "cost ceilings within the amount (002's 万元 in a 元 record)",
        minimal_budget(
            amount_unit="元",
            projects=[
                project(
                    1,
                    amount="20000",
                    indicators=[
                        indicator("≤1.5万元", level2="成本指标"),
                        indicator("≥4000元", level2="成本指标"),
                    ],
                )
            ],
        ),
    ),
    fails(
        "R-IND-UNIT",
        "cost ceiling above the project amount",
        _one(indicator("≤10万元", level2="成本指标"), amount="5.00"),
        Expect(
            "R-IND-UNIT",
            "warning",
            "项目1 指标1",
            D("10"),
            D("5.00"),
            "projects[0].indicators[0].value_raw",
        ),
    ),
]

CASES: list[Case] = PROJECT_CASES + CATEGORY_CASES + PLAN_CASES + INDICATOR_CASES


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case) -> None:
    check_case(case)


def test_category_indicators_are_checked_too() -> None:
    """Indicators in the department's category tables get the same checks as project ones."""
    budget = minimal_budget(
        performance=performance(
            [PerformanceCategory(seq=6, name="分类", indicators=[satisfaction("≥120%")])]
        )
    )
    from gongkai.rules import run_rules

    (finding,) = run_rules(budget, only=["R-IND-SAT"])
    assert (finding.subject, finding.path) == (
        "分类6 指标1",
        "performance.categories[0].indicators[0].value_raw",
    )
