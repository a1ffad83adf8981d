"""Rules on codes and the standard tables: one passing and one failing record per rule.

Figures come from seed 001 (平乡县委组织部 2023, 万元) where the seed shows the
case, e.g. the 213 branch that is off by 0.01 in the source.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from builders import (
    Case,
    D,
    Expect,
    amount,
    check_case,
    economic_line,
    economic_table,
    fails,
    function_columns,
    function_line,
    function_table,
    income_columns,
    income_line,
    income_table,
    minimal_budget,
    passes,
    project,
    side,
    summary,
    summary_line,
)

# --------------------------------------------------------------------------- #
# Codes
# --------------------------------------------------------------------------- #

TREE = [
    function_line("201", "10.00", basic="6.00", project="4.00"),
    function_line("20132", "10.00", basic="6.00", project="4.00"),
    function_line("2013201", "6.00", basic="6.00"),
    function_line("2013202", "4.00", project="4.00"),
]

CODE_CASES: list[Case] = [
    passes(
        "R-CODE-PREFIX",
        "complete tree",
        minimal_budget(expenditure_by_function=function_table(TREE)),
    ),
    fails(
        "R-CODE-PREFIX",
        "项 without its 款",
        minimal_budget(
            expenditure_by_function=function_table(
                [function_line("201", "6.00"), function_line("2013201", "6.00")]
            )
        ),
        Expect(
            "R-CODE-PREFIX",
            "error",
            "支出总表 2013201",
            path="expenditure_by_function.lines[1].code",
        ),
    ),
    passes(
        "R-CODE-NAME",
        "same name, blanks ignored",
        minimal_budget(
            expenditure_by_function=function_table(
                [function_line("201", "1.00", name="一般公共服务支出")]
            ),
            gpb_expenditure_by_function=function_table(
                [function_line("201", "1.00", name="一般公共 服务支出")],
                fund_scope="general_public_budget",
            ),
        ),
    ),
    fails(
        "R-CODE-NAME",
        "207 renamed between tables",
        minimal_budget(
            expenditure_by_function=function_table(
                [function_line("207", "19.90", name="文化旅游体育与传媒支出")]
            ),
            gpb_expenditure_by_function=function_table(
                [function_line("207", "19.90", name="文化体育与传媒支出")],
                fund_scope="general_public_budget",
            ),
        ),
        Expect(
            "R-CODE-NAME",
            "warning",
            "功能分类科目 207",
            path="gpb_expenditure_by_function.lines[0].name",
        ),
    ),
    fails(
        "R-CODE-NAME",
        "economic code renamed",
        minimal_budget(
            gpb_basic_by_economic=economic_table(
                [
                    economic_line("302", "2.00", public="2.00", name="商品和服务支出"),
                    economic_line("302", "2.00", public="2.00", name="商品服务支出"),
                ],
                "2.00",
                None,
                "2.00",
            )
        ),
        Expect(
            "R-CODE-NAME", "warning", "经济分类科目 302", path="gpb_basic_by_economic.lines[1].name"
        ),
    ),
    passes(
        "R-PCODE",
        "unique codes of one pattern",
        minimal_budget(
            projects=[
                project(1, code="203-0401-YBN-GAYM"),
                project(2, code="203-0701-JBN-FUDL"),
                project(3, code="203-0504-JBN-W2OO"),
            ]
        ),
    ),
    passes(
        "R-PCODE",
        "check character letter or digit (003)",
        minimal_budget(
            projects=[
                project(1, code="13073022P00850910006W"),
                project(2, code="13073022P008126100019"),
                project(3, code="13073022P00813510001T"),
            ]
        ),
    ),
    fails(
        "R-PCODE",
        "duplicate code",
        minimal_budget(
            projects=[project(1, code="203-0401-YBN-GAYM"), project(2, code="203-0401-YBN-GAYM")]
        ),
        Expect("R-PCODE", "error", "项目2 编码 203-0401-YBN-GAYM", path="projects[1].code"),
    ),
    fails(
        "R-PCODE",
        "code off the pattern",
        minimal_budget(
            projects=[
                project(1, code="203-0401-YBN-GAYM"),
                project(2, code="203-0701-JBN-FUDL"),
                project(3, code="203-0504-JBN-W2OO"),
                project(4, code="203-0504JBN-W2OO"),
            ]
        ),
        Expect("R-PCODE", "warning", "项目4 编码格式", path="projects[3].code"),
    ),
]

# --------------------------------------------------------------------------- #
# 收支总表, 收入总表 rows, 财政拨款收支总表
# --------------------------------------------------------------------------- #


def _summary(
    income_grand: str | None = "10.00",
    expenditure_grand: str | None = "10.00",
    income_current: str | None = "8.00",
    income_carry: str | None = "2.00",
    income_lines: tuple[str | None, ...] = ("6.00", "2.00", None),
    expenditure_lines: tuple[str | None, ...] = ("10.00",),
) -> dict[str, object]:
    return {
        "income_expenditure_summary": summary(
            side(
                [summary_line(f"收入{i}", v) for i, v in enumerate(income_lines)],
                amount(income_current),
                amount(income_carry),
                amount(income_grand),
            ),
            side(
                [summary_line("一般公共服务支出", v, code="201") for v in expenditure_lines],
                amount("10.00"),
                None,
                amount(expenditure_grand),
            ),
        )
    }


SUMMARY_CASES: list[Case] = [
    passes("R-BALANCE", "balanced", minimal_budget(**_summary())),
    fails(
        "R-BALANCE",
        "unbalanced",
        minimal_budget(**_summary(expenditure_grand="9.00")),
        Expect(
            "R-BALANCE",
            "error",
            "收支总表 总计",
            D("9.00"),
            D("10.00"),
            "income_expenditure_summary.expenditure.grand_total.amount",
        ),
    ),
    fails(
        "R-BALANCE",
        "one grain apart is rounding",
        minimal_budget(**_summary(expenditure_grand="10.01")),
        Expect("R-BALANCE", "rounding", "收支总表 总计", D("10.01"), D("10.00")),
    ),
    passes("R-SZ-BAL", "total = current + carry-over", minimal_budget(**_summary())),
    fails(
        "R-SZ-BAL",
        "carry-over missing from the total",
        minimal_budget(**_summary(income_carry="1.00")),
        Expect(
            "R-SZ-BAL",
            "error",
            "收支总表 收入总计",
            D("10.00"),
            D("9.00"),
            "income_expenditure_summary.income.grand_total.amount",
        ),
    ),
    fails(
        "R-SZ-BAL",
        "blank total over non-zero parts",
        minimal_budget(**_summary(income_grand=None, expenditure_grand=None)),
        Expect("R-SZ-BAL", "error", "收支总表 收入总计", None, D("10.00")),
        Expect("R-SZ-BAL", "error", "收支总表 支出总计", None, D("10.00")),
    ),
    passes("R-SZ-LINES", "lines add up (blank line = 0)", minimal_budget(**_summary())),
    fails(
        "R-SZ-LINES",
        "lines short of the current-year total",
        minimal_budget(**_summary(income_current="8.10")),
        Expect(
            "R-SZ-LINES",
            "error",
            "收支总表 本年收入合计",
            D("8.10"),
            D("8.00"),
            "income_expenditure_summary.income.current_year_total.amount",
        ),
    ),
    fails(
        "R-SZ-LINES",
        "expenditure 类 lines",
        minimal_budget(**_summary(expenditure_lines=("6.00", "3.00"))),
        Expect("R-SZ-LINES", "error", "收支总表 本年支出合计", D("10.00"), D("9.00")),
    ),
]

INCOME_ROW_CASES: list[Case] = [
    passes(
        "R-INC-ROW",
        "total = current + carry-over, current = fiscal",
        minimal_budget(
            income_by_function=income_table(
                [
                    income_line(
                        "213",
                        "716.95",
                        current_year="622.24",
                        fiscal_appropriation="622.24",
                        carryover="94.71",
                    )
                ],
                income_columns(
                    "716.95",
                    current_year="622.24",
                    fiscal_appropriation="622.24",
                    carryover="94.71",
                ),
            )
        ),
    ),
    fails(
        "R-INC-ROW",
        "row total",
        minimal_budget(
            income_by_function=income_table(
                [
                    income_line(
                        "201",
                        "10.00",
                        current_year="8.00",
                        fiscal_appropriation="8.00",
                        carryover="1.00",
                    )
                ]
            )
        ),
        Expect(
            "R-INC-ROW",
            "error",
            "收入总表 201 合计",
            D("10.00"),
            D("9.00"),
            "income_by_function.lines[0].total",
        ),
    ),
    fails(
        "R-INC-ROW",
        "current year vs sources",
        minimal_budget(
            income_by_function=income_table(
                [
                    income_line(
                        "201",
                        "8.00",
                        current_year="8.00",
                        fiscal_appropriation="7.00",
                        other="0.50",
                    )
                ]
            )
        ),
        Expect(
            "R-INC-ROW",
            "error",
            "收入总表 201 本年收入小计",
            D("8.00"),
            D("7.50"),
            "income_by_function.lines[0].current_year",
        ),
    ),
    fails(
        "R-INC-ROW",
        "no subtotal column: total = sources + carry-over",
        minimal_budget(
            income_by_function=income_table(
                [income_line("201", "10.00", fiscal_appropriation="8.00", carryover="1.00")]
            )
        ),
        Expect("R-INC-ROW", "error", "收入总表 201 合计", D("10.00"), D("9.00")),
    ),
]


def _fiscal(expenditure_line_gpb: str = "10.00") -> dict[str, object]:
    income = side(
        [summary_line("一般公共预算拨款收入", "10.00", item="general_public_budget")],
        amount("10.00"),
        None,
        amount("10.00"),
    )
    expenditure = side(
        [
            summary_line(
                "一般公共服务支出", "10.00", code="201", general_public_budget=expenditure_line_gpb
            )
        ],
        amount("10.00", general_public_budget="10.00"),
        None,
        amount("10.00", general_public_budget="10.00"),
    )
    return {"fiscal_appropriation_summary": summary(income, expenditure)}


FISCAL_CASES: list[Case] = [
    passes("R-CZ", "balanced, split by fund", minimal_budget(**_fiscal())),
    fails(
        "R-CZ",
        "unbalanced",
        minimal_budget(
            fiscal_appropriation_summary=summary(
                side([], grand=amount("10.00")), side([], grand=amount("11.00"))
            )
        ),
        Expect(
            "R-CZ",
            "error",
            "财政拨款收支总表 总计",
            D("11.00"),
            D("10.00"),
            "fiscal_appropriation_summary.expenditure.grand_total.amount",
        ),
    ),
    fails(
        "R-CZ",
        "a line's fund column does not add up",
        minimal_budget(**_fiscal(expenditure_line_gpb="9.00")),
        Expect(
            "R-CZ", "error", "财政拨款收支总表 本年支出合计 一般公共预算", D("10.00"), D("9.00")
        ),
        Expect(
            "R-CZ",
            "error",
            "财政拨款收支总表 支出 一般公共服务支出",
            D("10.00"),
            D("9.00"),
            "fiscal_appropriation_summary.expenditure.lines[0].amount",
        ),
    ),
]

# --------------------------------------------------------------------------- #
# Tables by function
# --------------------------------------------------------------------------- #

BRANCH_213 = [
    function_line("213", "716.95", project="716.95"),
    function_line("21301", "616.77", project="616.77"),
    function_line("2130126", "610.00", project="610.00"),
    function_line("2130152", "6.77", project="6.77"),
    function_line("21305", "100.19", project="100.19"),
    function_line("2130505", "93.39", project="93.39"),
    function_line("2130599", "6.80", project="6.80"),
]

FUNCTION_CASES: list[Case] = [
    passes(
        "R-FUNC-TOTAL",
        "total row adds up",
        minimal_budget(
            expenditure_by_function=function_table(
                TREE, function_columns("10.00", basic="6.00", project="4.00")
            )
        ),
    ),
    fails(
        "R-FUNC-TOTAL",
        "basic column off",
        minimal_budget(
            expenditure_by_function=function_table(
                TREE, function_columns("10.00", basic="6.10", project="4.00")
            )
        ),
        Expect(
            "R-FUNC-TOTAL",
            "error",
            "支出总表 合计行 基本支出",
            D("6.10"),
            D("6.00"),
            "expenditure_by_function.reported_total.basic",
        ),
    ),
    fails(
        "R-FUNC-TOTAL",
        "three 类 within rounding",
        minimal_budget(
            expenditure_by_function=function_table(
                [
                    function_line("201", "1.00"),
                    function_line("206", "2.00"),
                    function_line("208", "3.00"),
                ],
                function_columns("6.01"),
            )
        ),
        Expect("R-FUNC-TOTAL", "rounding", "支出总表 合计行 合计", D("6.01"), D("6.00")),
    ),
    fails(
        "R-FUNC-TOTAL",
        "blank total over non-zero 类",
        minimal_budget(
            expenditure_by_function=function_table(
                TREE, function_columns(None, basic="6.00", project="4.00")
            )
        ),
        Expect(
            "R-FUNC-TOTAL",
            "error",
            "支出总表 合计行 合计",
            None,
            D("10.00"),
            "expenditure_by_function.reported_total.total",
        ),
    ),
    passes(
        "R-FUNC-PARENT",
        "consistent tree",
        minimal_budget(expenditure_by_function=function_table(TREE)),
    ),
    fails(
        "R-FUNC-PARENT",
        "seed 001's 213 branch",
        minimal_budget(expenditure_by_function=function_table(BRANCH_213)),
        Expect(
            "R-FUNC-PARENT",
            "rounding",
            "支出总表 213 合计",
            D("716.95"),
            D("716.96"),
            "expenditure_by_function.lines[0].total",
        ),
        Expect(
            "R-FUNC-PARENT",
            "rounding",
            "支出总表 213 项目支出",
            D("716.95"),
            D("716.96"),
            "expenditure_by_function.lines[0].project",
        ),
    ),
    fails(
        "R-FUNC-PARENT",
        "款 off its 项",
        minimal_budget(
            gpb_expenditure_by_function=function_table(
                [
                    function_line("213", "616.77"),
                    function_line("21301", "616.77"),
                    function_line("2130126", "610.00"),
                    function_line("2130152", "6.00"),
                ],
                fund_scope="general_public_budget",
            )
        ),
        Expect(
            "R-FUNC-PARENT",
            "error",
            "一般公共预算支出表 21301 合计",
            D("616.77"),
            D("616.00"),
            "gpb_expenditure_by_function.lines[1].total",
        ),
    ),
    fails(
        "R-FUNC-PARENT",
        "income table carry-over column (seed 001)",
        minimal_budget(
            income_by_function=income_table(
                [
                    income_line("213", "94.71", carryover="94.71"),
                    income_line("21301", "1.33", carryover="1.33"),
                    income_line("21305", "93.39", carryover="93.39"),
                ]
            )
        ),
        Expect("R-FUNC-PARENT", "rounding", "收入总表 213 合计", D("94.71"), D("94.72")),
        Expect(
            "R-FUNC-PARENT",
            "rounding",
            "收入总表 213 上年结转",
            D("94.71"),
            D("94.72"),
            "income_by_function.lines[0].carryover",
        ),
    ),
    passes(
        "R-EXP-SPLIT",
        "basic + project",
        minimal_budget(
            expenditure_by_function=function_table(
                TREE, function_columns("10.00", basic="6.00", project="4.00")
            )
        ),
    ),
    fails(
        "R-EXP-SPLIT",
        "row and total row",
        minimal_budget(
            expenditure_by_function=function_table(
                [function_line("201", "10.00", basic="6.00", project="3.00")],
                function_columns("10.00", basic="6.00", project="3.00"),
            )
        ),
        Expect(
            "R-EXP-SPLIT",
            "error",
            "支出总表 合计行",
            D("10.00"),
            D("9.00"),
            "expenditure_by_function.reported_total.total",
        ),
        Expect(
            "R-EXP-SPLIT",
            "error",
            "支出总表 201",
            D("10.00"),
            D("9.00"),
            "expenditure_by_function.lines[0].total",
        ),
    ),
    passes(
        "R-XTAB-FUNC",
        "income = expenditure; gpb table a subset",
        minimal_budget(
            income_by_function=income_table([income_line("201", "10.00")]),
            expenditure_by_function=function_table(
                [function_line("201", "10.00")], function_columns("10.00")
            ),
            gpb_expenditure_by_function=function_table(
                [function_line("201", "8.00")],
                function_columns("8.00"),
                fund_scope="general_public_budget",
            ),
        ),
    ),
    fails(
        "R-XTAB-FUNC",
        "income table differs and lacks a code",
        minimal_budget(
            income_by_function=income_table([income_line("201", "10.00")]),
            expenditure_by_function=function_table(
                [function_line("201", "10.50"), function_line("206", "4.00")]
            ),
        ),
        Expect(
            "R-XTAB-FUNC",
            "error",
            "收入总表 201",
            D("10.00"),
            D("10.50"),
            "income_by_function.lines[0].total",
        ),
        Expect(
            "R-XTAB-FUNC",
            "error",
            "收入总表 缺 206",
            None,
            D("4.00"),
            "expenditure_by_function.lines[1].total",
        ),
    ),
    fails(
        "R-XTAB-FUNC",
        "all money general public budget: codes must agree",
        minimal_budget(
            expenditure_by_function=function_table(
                [function_line("201", "6.00"), function_line("206", "4.00")],
                function_columns("10.00"),
            ),
            gpb_expenditure_by_function=function_table(
                [function_line("201", "5.00"), function_line("206", "5.00")],
                function_columns("10.00"),
                fund_scope="general_public_budget",
            ),
        ),
        Expect("R-XTAB-FUNC", "error", "一般公共预算支出表 201", D("5.00"), D("6.00")),
        Expect("R-XTAB-FUNC", "error", "一般公共预算支出表 206", D("5.00"), D("4.00")),
    ),
    passes(
        "R-XTAB-LEI",
        "summary 类 = table 类 (by code and by name)",
        minimal_budget(
            income_expenditure_summary=summary(
                side([]),
                side(
                    [
                        summary_line("一般公共服务支出", "10.00"),
                        summary_line("外交支出", None, code="202"),
                    ]
                ),
            ),
            expenditure_by_function=function_table(
                [function_line("201", "10.00", name="一般公共服务支出")]
            ),
        ),
    ),
    fails(
        "R-XTAB-LEI",
        "summary amount differs; table 类 missing from the summary",
        minimal_budget(
            income_expenditure_summary=summary(
                side([]), side([summary_line("一般公共服务支出", "9.00", code="201")])
            ),
            expenditure_by_function=function_table(
                [function_line("201", "10.00"), function_line("206", "4.00")]
            ),
        ),
        Expect(
            "R-XTAB-LEI",
            "error",
            "收支总表 201",
            D("9.00"),
            D("10.00"),
            "income_expenditure_summary.expenditure.lines[0].amount",
        ),
        Expect(
            "R-XTAB-LEI",
            "error",
            "收支总表 缺 206",
            None,
            D("4.00"),
            "expenditure_by_function.lines[1].total",
        ),
    ),
    fails(
        "R-XTAB-LEI",
        "fiscal summary against the gpb table",
        minimal_budget(
            fiscal_appropriation_summary=summary(
                side([]),
                side(
                    [
                        summary_line(
                            "一般公共服务支出", "10.00", code="201", general_public_budget="10.00"
                        )
                    ]
                ),
            ),
            gpb_expenditure_by_function=function_table(
                [function_line("201", "9.00")], fund_scope="general_public_budget"
            ),
        ),
        Expect(
            "R-XTAB-LEI",
            "error",
            "财政拨款收支总表 201",
            D("10.00"),
            D("9.00"),
            "fiscal_appropriation_summary.expenditure.lines[0].general_public_budget",
        ),
    ),
]

# --------------------------------------------------------------------------- #
# 基本支出表 (seed 001 figures)
# --------------------------------------------------------------------------- #

ECO_LINES = [
    economic_line("301", "10.00", "10.00"),
    economic_line("30101", "6.00", "6.00"),
    economic_line("30102", "4.00", "4.00"),
    economic_line("302", "2.00", None, "2.00"),
    economic_line("30201", "2.00", None, "2.00"),
]


def _eco(
    *,
    lines: list | None = None,
    total: str = "12.00",
    personnel: str = "10.00",
    public: str = "2.00",
    **sections: object,
):
    return minimal_budget(
        gpb_basic_by_economic=economic_table(lines or ECO_LINES, total, personnel, public),
        **sections,
    )


ECONOMIC_CASES: list[Case] = [
    passes("R-ECO-TOTAL", "adds up", _eco()),
    fails(
        "R-ECO-TOTAL",
        "personnel total off",
        _eco(personnel="10.50"),
        Expect(
            "R-ECO-TOTAL",
            "error",
            "基本支出表 合计行 人员经费",
            D("10.50"),
            D("10.00"),
            "gpb_basic_by_economic.reported_total.personnel",
        ),
    ),
    passes("R-ECO-PARENT", "类 = Σ 款", _eco()),
    fails(
        "R-ECO-PARENT",
        "301 over its 款 in two columns",
        _eco(
            lines=[
                economic_line("301", "10.00", "10.00"),
                economic_line("30101", "6.00", "6.00"),
                economic_line("30102", "3.00", "3.00"),
            ],
            total="10.00",
            public=None,
        ),
        Expect(
            "R-ECO-PARENT",
            "error",
            "基本支出表 301 合计",
            D("10.00"),
            D("9.00"),
            "gpb_basic_by_economic.lines[0].total",
        ),
        Expect(
            "R-ECO-PARENT",
            "error",
            "基本支出表 301 人员经费",
            D("10.00"),
            D("9.00"),
            "gpb_basic_by_economic.lines[0].personnel",
        ),
    ),
    passes("R-ECO-SPLIT", "total = personnel + public", _eco()),
    fails(
        "R-ECO-SPLIT",
        "a row's public column short",
        _eco(
            lines=[economic_line("302", "2.00", None, "1.50")],
            total="2.00",
            personnel=None,
            public="1.50",
        ),
        Expect(
            "R-ECO-SPLIT",
            "error",
            "基本支出表 合计行",
            D("2.00"),
            D("1.50"),
            "gpb_basic_by_economic.reported_total.total",
        ),
        Expect(
            "R-ECO-SPLIT",
            "error",
            "基本支出表 302",
            D("2.00"),
            D("1.50"),
            "gpb_basic_by_economic.lines[0].total",
        ),
    ),
    passes(
        "R-ECO-PERS",
        "personnel = 301 + 303 (seed 001)",
        _eco(
            lines=[
                economic_line("301", "1034.80", "1034.80"),
                economic_line("302", "46.04", None, "46.04"),
                economic_line("303", "97.90", "97.90"),
            ],
            total="1178.74",
            personnel="1132.70",
            public="46.04",
        ),
    ),
    fails(
        "R-ECO-PERS",
        "personnel ≠ 301 + 303",
        _eco(
            lines=[
                economic_line("301", "8.00", "8.00"),
                economic_line("302", "2.00", None, "2.00"),
                economic_line("303", "1.00", "1.00"),
            ],
            total="12.00",
            personnel="10.00",
            public="2.00",
        ),
        Expect(
            "R-ECO-PERS",
            "error",
            "基本支出表 人员经费",
            D("10.00"),
            D("9.00"),
            "gpb_basic_by_economic.reported_total.personnel",
        ),
    ),
    passes(
        "R-XTAB-BASIC",
        "= basic of the gpb table",
        _eco(
            gpb_expenditure_by_function=function_table(
                [],
                function_columns("20.00", basic="12.00", project="8.00"),
                fund_scope="general_public_budget",
            )
        ),
    ),
    fails(
        "R-XTAB-BASIC",
        "≠ basic of the gpb table",
        _eco(
            gpb_expenditure_by_function=function_table(
                [],
                function_columns("20.00", basic="11.00", project="9.00"),
                fund_scope="general_public_budget",
            )
        ),
        Expect(
            "R-XTAB-BASIC",
            "error",
            "基本支出表 合计",
            D("12.00"),
            D("11.00"),
            "gpb_basic_by_economic.reported_total.total",
        ),
    ),
]

CASES: list[Case] = (
    CODE_CASES + SUMMARY_CASES + INCOME_ROW_CASES + FISCAL_CASES + FUNCTION_CASES + ECONOMIC_CASES
)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case) -> None:
    check_case(case)


def test_disclosed_empty_tables_are_not_checked() -> None:
    """空表列示: a table disclosed as empty has nothing to add up."""
    table = function_table([], function_columns("5.00"))
    table.status = "disclosed_empty"
    budget = minimal_budget(expenditure_by_function=table)
    from gongkai.rules import run_rules

    assert run_rules(budget) == []


def test_unit_of_findings_is_the_section_unit() -> None:
    """A 元 table reports in 元 and must match exactly (2 decimals, GUIDE §4)."""
    budget = minimal_budget(
        amount_unit="万元",
        expenditure_by_function=function_table(
            [function_line("201", "1.00"), function_line("206", "2.00")],
            function_columns("3.01"),
            unit="元",
        ),
    )
    from gongkai.rules import run_rules

    (finding,) = run_rules(budget, only=["R-FUNC-TOTAL"])
    assert (finding.severity, finding.unit, finding.difference) == ("error", "元", Decimal("0.01"))


def test_repeated_code_rows_get_distinct_subjects() -> None:
    """Subjects key acknowledgements: a code printed twice must not share one."""
    from gongkai.rules import run_rules

    budget = minimal_budget(
        expenditure_by_function=function_table(
            [
                function_line("201", "10.00", basic="6.00", project="3.00"),
                function_line("201", "10.00", basic="6.00", project="3.00"),
            ]
        )
    )
    subjects = [f.subject for f in run_rules(budget, only=["R-EXP-SPLIT"])]
    assert subjects == ["支出总表 201", "支出总表 201（第2行）"]
