"""Rules on “三公”, running costs, procurement, assets, staffing and narrative figures.

The failing cases reproduce the inconsistencies of the seeds: 001's blank
三公 subtotal, 000's 三公 text (18.9 万元 announced, 6.13 万元 itemised; 500 元
reception against 800 元 in the running costs), 001's rounded narrative.
"""

from __future__ import annotations

import pytest
from builders import (
    Case,
    D,
    Expect,
    amount,
    assets,
    check_case,
    economic_line,
    economic_table,
    fails,
    figure,
    function_columns,
    function_table,
    minimal_budget,
    operating,
    operating_item,
    passes,
    side,
    summary,
    summary_line,
    three_public,
    tp_row,
)
from gongkai.model import Procurement, ProcurementItem, Staffing

# --------------------------------------------------------------------------- #
# 三公
# --------------------------------------------------------------------------- #

SEED_001_ROWS = [
    tp_row("total", None),
    tp_row("subtotal", None),
    tp_row("abroad", None),
    tp_row("abroad_teaching_research", None),
    tp_row("abroad_other", None),
    tp_row("vehicle", None),
    tp_row("vehicle_purchase", None),
    tp_row("vehicle_operation", "1.70"),
    tp_row("reception", "2.70"),
]
GOOD_ROWS = [
    tp_row("total", "4.40"),
    tp_row("subtotal", "4.40"),
    tp_row("abroad", "0"),
    tp_row("vehicle", "1.70"),
    tp_row("vehicle_purchase", "0"),
    tp_row("vehicle_operation", "1.70"),
    tp_row("reception", "2.70"),
]
SEED_000_TEXT = [
    figure("three_public_total", "18.9", "万元"),
    figure("change_three_public", "0", "万元"),
    figure("vehicle", "6.08", "万元"),
    figure("change_vehicle", "-4.2", "万元"),
    figure("vehicle_purchase", "0", "万元"),
    figure("vehicle_operation", "6", "万元"),
    figure("reception", "500", "元"),
    figure("change_reception", "-4200", "元"),
    figure("abroad", "0", "万元"),
    figure("change_abroad", "0", "万元"),
]


def _tp(rows: list | None = None, narrative: list | None = None, **sections: object):
    return minimal_budget(three_public=three_public(rows, narrative), **sections)


THREE_PUBLIC_CASES: list[Case] = [
    passes("R-3G-SUM", "table adds up", _tp(GOOD_ROWS)),
    fails(
        "R-3G-SUM",
        "seed 001: blank 小计 and 合计",
        _tp(SEED_001_ROWS),
        Expect(
            "R-3G-SUM", "error", "三公经费表 小计", None, D("4.40"), "three_public.rows[1].amount"
        ),
        Expect(
            "R-3G-SUM", "error", "三公经费表 合计", None, D("4.40"), "three_public.rows[0].amount"
        ),
    ),
    fails(
        "R-3G-SUM",
        "subtotal off; total below subtotal",
        _tp([tp_row("total", "4.00"), tp_row("subtotal", "4.50"), *GOOD_ROWS[2:]]),
        Expect("R-3G-SUM", "error", "三公经费表 小计", D("4.50"), D("4.40")),
        Expect(
            "R-3G-SUM",
            "error",
            "三公经费表 合计",
            D("4.00"),
            D("4.50"),
            "three_public.rows[0].amount",
        ),
    ),
    fails(
        "R-3G-SUM",
        "no 小计 row: 合计 = the three items",
        _tp(
            [
                tp_row("total", "4.50"),
                tp_row("abroad", "0"),
                tp_row("vehicle", "1.70"),
                tp_row("reception", "2.70"),
            ]
        ),
        Expect("R-3G-SUM", "error", "三公经费表 合计", D("4.50"), D("4.40")),
    ),
    fails(
        "R-3G-SUM",
        "seed 000 text: 18.9 announced, 6.13 itemised",
        _tp(narrative=SEED_000_TEXT),
        Expect(
            "R-3G-SUM",
            "error",
            "三公经费说明 合计",
            D("18.9"),
            D("6.13"),
            "three_public.narrative[0].amount",
        ),
    ),
    passes(
        "R-3G-CAR",
        "vehicles = purchase + operation",
        _tp(GOOD_ROWS, [figure("vehicle", "1.7"), figure("vehicle_operation", "1.7")]),
    ),
    fails(
        "R-3G-CAR",
        "seed 001: blank vehicle row",
        _tp(SEED_001_ROWS),
        Expect(
            "R-3G-CAR",
            "error",
            "三公经费表 公务用车购置及运行维护费",
            None,
            D("1.70"),
            "three_public.rows[5].amount",
        ),
    ),
    fails(
        "R-3G-CAR",
        "seed 000 text: 6.08 vs 0 + 6",
        _tp(narrative=SEED_000_TEXT),
        Expect(
            "R-3G-CAR",
            "error",
            "三公经费说明 公务用车购置及运行维护费",
            D("6.08"),
            D("6"),
            "three_public.narrative[2].amount",
        ),
    ),
    passes(
        "R-3G-ABROAD",
        "abroad = teaching + other",
        _tp(
            [
                tp_row("abroad", "1.00"),
                tp_row("abroad_teaching_research", "0.40"),
                tp_row("abroad_other", "0.60"),
            ]
        ),
    ),
    fails(
        "R-3G-ABROAD",
        "abroad over its parts",
        _tp(
            [
                tp_row("abroad", "1.00"),
                tp_row("abroad_teaching_research", "0.40"),
                tp_row("abroad_other", "0.50"),
            ]
        ),
        Expect(
            "R-3G-ABROAD",
            "error",
            "三公经费表 因公出国（境）费",
            D("1.00"),
            D("0.90"),
            "three_public.rows[0].amount",
        ),
    ),
    passes(
        "R-3G-FUND",
        "fund columns add up",
        _tp([tp_row("reception", "2.70", general_public_budget="2.70")]),
    ),
    fails(
        "R-3G-FUND",
        "fund columns short",
        _tp(
            [
                tp_row("vehicle_operation", "1.70", general_public_budget="1.70"),
                tp_row("reception", "2.70", general_public_budget="2.00"),
            ]
        ),
        Expect(
            "R-3G-FUND",
            "error",
            "三公经费表 公务接待费 资金来源",
            D("2.70"),
            D("2.00"),
            "three_public.rows[1].amount",
        ),
    ),
    passes(
        "R-3G-XCHK",
        "seed 001: 2.70 / 1.70 cover 30217 / 30231",
        _tp(
            GOOD_ROWS,
            gpb_basic_by_economic=economic_table(
                [
                    economic_line("30217", "2.70", None, "2.70"),
                    economic_line("30231", "1.70", None, "1.70"),
                ],
                with_total=False,
            ),
        ),
    ),
    fails(
        "R-3G-XCHK",
        "reception below 30217 of the economic table",
        _tp(
            [tp_row("reception", "0.05")],
            gpb_basic_by_economic=economic_table(
                [economic_line("30217", "0.08", None, "0.08")], with_total=False
            ),
        ),
        Expect(
            "R-3G-XCHK",
            "error",
            "三公 公务接待费 与 30217",
            D("0.05"),
            D("0.08"),
            "three_public.rows[0].amount",
        ),
    ),
    fails(
        "R-3G-XCHK",
        "seed 000: 500 元 against 800 元 in the running costs",
        minimal_budget(
            amount_unit="元",
            three_public=three_public(narrative=SEED_000_TEXT, unit="万元"),
            operating_expenses=operating(
                "60800",
                [
                    operating_item("公务接待费", "800", "30217"),
                    operating_item("公务用车运行维护费", "60000", "30231"),
                ],
            ),
        ),
        Expect(
            "R-3G-XCHK",
            "error",
            "三公 公务接待费 与 30217",
            D("500"),
            D("800"),
            "three_public.narrative[6].amount",
        ),
    ),
    passes(
        "R-3G-NARR",
        "seed 001: 4.4 = 4.40",
        _tp(
            SEED_001_ROWS,
            [
                figure("total", "4.4"),
                figure("abroad", "0"),
                figure("vehicle", "1.7"),
                figure("reception", "2.7"),
            ],
        ),
    ),
    fails(
        "R-3G-NARR",
        "text differs from the table; rounded text",
        _tp(
            [tp_row("vehicle_operation", "1.74"), tp_row("reception", "2.70")],
            [figure("vehicle_operation", "1.7"), figure("reception", "2.5")],
        ),
        Expect(
            "R-3G-NARR",
            "rounding",
            "三公经费说明 公务用车运行维护费",
            D("1.7"),
            D("1.74"),
            "three_public.narrative[0].amount",
        ),
        Expect(
            "R-3G-NARR",
            "error",
            "三公经费说明 公务接待费",
            D("2.5"),
            D("2.70"),
            "three_public.narrative[1].amount",
        ),
    ),
    passes(
        "R-3G-YOY",
        "change adds up",
        _tp(
            narrative=[
                figure("change_three_public", "-0.05"),
                figure("change_abroad", "0"),
                figure("change_vehicle", "-0.05"),
                figure("change_reception", "0"),
            ]
        ),
    ),
    fails(
        "R-3G-YOY",
        "seed 000: “无变化” but two items decreased",
        _tp(narrative=SEED_000_TEXT),
        Expect(
            "R-3G-YOY",
            "error",
            "三公经费说明 增减额",
            D("0"),
            D("-4.62"),
            "three_public.narrative[1].amount",
        ),
    ),
]

# --------------------------------------------------------------------------- #
# 机关运行经费, assets, staffing
# --------------------------------------------------------------------------- #

SEED_000_ITEMS = [
    operating_item("办公费", "58300", "30201"),
    operating_item("邮电费", "14660", "30207"),
    operating_item("差旅费", "6000", "30211"),
    operating_item("公务接待费", "800", "30217"),
    operating_item("工会经费", "3100", "30228", "按在职职工每人每年100元安排。"),
    operating_item(
        "福利费", "4790", "30229", "按在职职工每人每年150元安排，退休人员每人每年20元安排。"
    ),
    operating_item("公务用车运行维护费", "60000", "30231"),
    operating_item("其他交通费（公务交通补贴）", "172000", "30239"),
]


def _public_table(public: str) -> dict[str, object]:
    return {
        "gpb_basic_by_economic": economic_table(
            [economic_line("302", public, None, public)], public, None, public
        )
    }


RUNNING_CASES: list[Case] = [
    passes(
        "R-RUN-SUM",
        "seed 000: 319650 元",
        minimal_budget(amount_unit="元", operating_expenses=operating("319650", SEED_000_ITEMS)),
    ),
    fails(
        "R-RUN-SUM",
        "items do not add up",
        minimal_budget(amount_unit="元", operating_expenses=operating("319600", SEED_000_ITEMS)),
        Expect(
            "R-RUN-SUM",
            "error",
            "机关运行经费 合计",
            D("319600"),
            D("319650"),
            "operating_expenses.total",
        ),
    ),
    passes(
        "R-RUN-PUB",
        "seed 000: equals the narrative 公用经费",
        minimal_budget(
            amount_unit="元",
            operating_expenses=operating("319650"),
            narrative_figures=[figure("public", "319650")],
        ),
    ),
    passes(
        "R-RUN-PUB",
        "not an administrative unit",
        minimal_budget(
            unit_nature="事业", operating_expenses=operating("40"), **_public_table("46.04")
        ),
    ),
    fails(
        "R-RUN-PUB",
        "seed 001: 46 for 46.04 is rounding",
        minimal_budget(operating_expenses=operating("46"), **_public_table("46.04")),
        Expect(
            "R-RUN-PUB",
            "rounding",
            "机关运行经费 与 公用经费",
            D("46"),
            D("46.04"),
            "operating_expenses.total",
        ),
    ),
    fails(
        "R-RUN-PUB",
        "a real difference is a warning",
        minimal_budget(operating_expenses=operating("40"), **_public_table("46.04")),
        Expect("R-RUN-PUB", "warning", "机关运行经费 与 公用经费", D("40"), D("46.04")),
    ),
]

def buy(item: str, quantity: str | None, price: str | None, total: str | None) -> ProcurementItem:
    return ProcurementItem(item_name=item, quantity=D(quantity), unit_price=D(price), amount=D(total))


def procurement(total: str | None, items: list[ProcurementItem], **fields: object) -> Procurement:
    return Procurement(total=D(total), items=items, **fields)  # type: ignore[arg-type]


#: A 万元 table whose rows and total add up (unit prices printed to 0.01 万元).
PURCHASES = [
    buy("台式计算机", "12", "0.55", "6.60"),
    buy("复印纸", "300", "0.03", "9.00"),
    buy("公务用车", "1", "18.00", "18.00"),
]

PROCUREMENT_CASES: list[Case] = [
    passes("R-PROC-SUM", "rows add up", minimal_budget(procurement=procurement("33.60", PURCHASES))),
    passes(
        "R-PROC-SUM",
        "empty table with a zero total (seed 001)",
        minimal_budget(procurement=procurement("0.00", [], status="disclosed_empty")),
    ),
    passes(
        "R-PROC-SUM",
        "rows print no amount: nothing to add up",
        minimal_budget(procurement=procurement("30", [buy("服务", None, None, None)])),
    ),
    passes(
        "R-PROC-SUM", "total left blank (no total row)", minimal_budget(procurement=procurement(None, PURCHASES))
    ),
    fails(
        "R-PROC-SUM",
        "total does not add up",
        minimal_budget(procurement=procurement("35.60", PURCHASES)),
        Expect("R-PROC-SUM", "error", "政府采购预算 合计", D("35.60"), D("33.60"), "procurement.total"),
    ),
    fails(
        "R-PROC-SUM",
        "rounding over the rows",
        minimal_budget(procurement=procurement("33.61", PURCHASES)),
        Expect("R-PROC-SUM", "rounding", "政府采购预算 合计", D("33.61"), D("33.60"), "procurement.total"),
    ),
    fails(
        "R-PROC-SUM",
        "an empty table with a non-zero total",
        minimal_budget(procurement=procurement("12.00", [], status="disclosed_empty")),
        Expect("R-PROC-SUM", "error", "政府采购预算 合计", D("12.00"), D("0"), "procurement.total"),
    ),
    fails(
        "R-PROC-SUM",
        "in 元 to the fen, exact",
        minimal_budget(amount_unit="元", procurement=procurement("66000.01", [buy("台式计算机", "12", "5500.00", "66000.00")])),
        Expect("R-PROC-SUM", "error", "政府采购预算 合计", D("66000.01"), D("66000.00")),
    ),
    passes("R-PROC-PRICE", "every row is quantity × unit price", minimal_budget(procurement=procurement("33.60", PURCHASES))),
    passes(
        "R-PROC-PRICE",
        "rows without a unit price or quantity are not checked",
        minimal_budget(procurement=procurement("10", [buy("服务", None, "3", "10"), buy("印刷", "2", None, "5")])),
    ),
    fails(
        "R-PROC-PRICE",
        "a rounded unit price: 7 × 0.43 = 3.01 for 3.00 is rounding",
        minimal_budget(procurement=procurement("3.00", [buy("打印机", "7", "0.43", "3.00")])),
        Expect("R-PROC-PRICE", "rounding", "政府采购 第1行", D("3.00"), D("3.01"), "procurement.items[0].amount"),
    ),
    fails(
        "R-PROC-PRICE",
        "amount is not quantity × unit price: a warning",
        minimal_budget(procurement=procurement("36.60", [PURCHASES[0], PURCHASES[1], buy("公务用车", "2", "18.00", "21.00")])),
        Expect("R-PROC-PRICE", "warning", "政府采购 第3行", D("21.00"), D("36.00"), "procurement.items[2].amount"),
    ),
]

SEED_001_ASSETS = [
    ("total", "313.07"),
    ("buildings", None),
    ("office_buildings", "50"),
    ("vehicles", "8.85"),
    ("equipment_over_200k", "80.10"),
    ("other_fixed_assets", "224.12"),
]

ASSET_CASES: list[Case] = [
    passes(
        "R-ASSET-SUM",
        "seed 001 (其中办公用房 not added)",
        minimal_budget(state_assets=assets(SEED_001_ASSETS)),
    ),
    fails(
        "R-ASSET-SUM",
        "total off",
        minimal_budget(state_assets=assets([("total", "313.00"), *SEED_001_ASSETS[1:]])),
        Expect(
            "R-ASSET-SUM",
            "error",
            "资产表 资产总额",
            D("313.00"),
            D("313.07"),
            "state_assets.lines[0].amount",
        ),
    ),
]

SEED_000_STAFF = Staffing(establishment=47, actual=31)

STAFF_CASES: list[Case] = [
    passes(
        "R-STAFF",
        "seed 000: 31 staff, 7 retirees implied",
        minimal_budget(
            amount_unit="元",
            staffing=SEED_000_STAFF,
            operating_expenses=operating("319650", SEED_000_ITEMS),
        ),
    ),
    fails(
        "R-STAFF",
        "more staff than posts",
        minimal_budget(staffing=Staffing(establishment=47, actual=50)),
        Expect(
            "R-STAFF",
            "warning",
            "人员编制 实有人数",
            D("50"),
            D("47"),
            "department.staffing.actual",
        ),
    ),
    fails(
        "R-STAFF",
        "per-head amounts that give no whole headcount, or another one",
        minimal_budget(
            amount_unit="元",
            staffing=Staffing(establishment=47, actual=31, retired=5),
            operating_expenses=operating(
                None,
                [
                    operating_item("工会经费", "3150", basis="按在职职工每人每年100元安排。"),
                    operating_item("会费", "3000", basis="按在职职工每人每年100元安排。"),
                    operating_item(
                        "福利费",
                        "4790",
                        basis="按在职职工每人每年150元安排，退休人员每人每年20元安排。",
                    ),
                ],
            ),
        ),
        Expect(
            "R-STAFF",
            "warning",
            "机关运行经费 工会经费 人数",
            D("31.5"),
            None,
            "operating_expenses.items[0].amount",
        ),
        Expect("R-STAFF", "warning", "机关运行经费 会费 人数", D("30"), D("31")),
        Expect("R-STAFF", "warning", "机关运行经费 福利费 人数", D("7"), D("5")),
    ),
]

# --------------------------------------------------------------------------- #
# Narrative figures (seed 001, 万元; seed 000, 元)
# --------------------------------------------------------------------------- #

SEED_001_TABLES = {
    "income_expenditure_summary": summary(
        side(
            [summary_line("一般公共预算拨款收入", "2184.44", item="general_public_budget")],
            amount("2184.44"),
            amount("94.71"),
            amount("2279.15"),
        ),
        side([], amount("2279.15"), None, amount("2279.15")),
    ),
    "expenditure_by_function": function_table(
        [], function_columns("2279.15", basic="1178.74", project="1100.41")
    ),
}

NARRATIVE_CASES: list[Case] = [
    passes(
        "R-NARR-ROUND",
        "exact restatements",
        minimal_budget(
            narrative_figures=[figure("basic", "1178.74"), figure("project", "1100.41")],
            state_assets=assets(
                [("total", "278.44")], narrative=[figure("assets_total", "278.44")]
            ),
            **SEED_001_TABLES,
        ),
    ),
    fails(
        "R-NARR-ROUND",
        "seed 001: rounded to 万元, and 一般公共预算收入 that includes the carry-over",
        minimal_budget(
            narrative_figures=[
                figure("income_total", "2279"),
                figure("general_public_budget_income", "2279"),
                figure("basic", "1179"),
            ],
            **SEED_001_TABLES,
        ),
        Expect(
            "R-NARR-ROUND",
            "rounding",
            "文字说明 收入总计",
            D("2279"),
            D("2279.15"),
            "narrative_figures[0].amount",
        ),
        Expect(
            "R-NARR-ROUND",
            "error",
            "文字说明 一般公共预算收入",
            D("2279"),
            D("2184.44"),
            "narrative_figures[1].amount",
        ),
        Expect(
            "R-NARR-ROUND",
            "rounding",
            "文字说明 基本支出",
            D("1179"),
            D("1178.74"),
            "narrative_figures[2].amount",
        ),
    ),
    fails(
        "R-NARR-ROUND",
        "a figure stated twice keeps unique subjects",
        minimal_budget(
            narrative_figures=[figure("project", "1100"), figure("project", "1000")],
            **SEED_001_TABLES,
        ),
        Expect("R-NARR-ROUND", "rounding", "文字说明 项目支出", D("1100"), D("1100.41")),
        Expect("R-NARR-ROUND", "error", "文字说明 项目支出（2）", D("1000"), D("1100.41")),
    ),
    passes(
        "R-NARR-SUM",
        "seed 000: 106246620.08 = 3741192.88 + 319650 + 102185777.20",
        minimal_budget(
            amount_unit="元",
            narrative_figures=[
                figure("expenditure_total", "106246620.08"),
                figure("personnel", "3741192.88"),
                figure("public", "319650"),
                figure("project", "102185777.20"),
            ],
        ),
    ),
    fails(
        "R-NARR-SUM",
        "total and basic do not add up",
        minimal_budget(
            narrative_figures=[
                figure("expenditure_total", "100.00"),
                figure("basic", "60.00"),
                figure("project", "39.00"),
                figure("personnel", "50.00"),
                figure("public", "9.00"),
            ],
        ),
        Expect(
            "R-NARR-SUM",
            "error",
            "文字说明 支出合计",
            D("100.00"),
            D("99.00"),
            "narrative_figures[0].amount",
        ),
        Expect(
            "R-NARR-SUM",
            "error",
            "文字说明 基本支出",
            D("60.00"),
            D("59.00"),
            "narrative_figures[1].amount",
        ),
    ),
    passes(
        "R-NARR-YOY",
        "seed 001: −156.314 = −210.98 + 54.666",
        minimal_budget(
            narrative_figures=[
                figure("change_total", "-156.314"),
                figure("change_basic", "-210.98"),
                figure("change_project", "54.666"),
            ]
        ),
    ),
    fails(
        "R-NARR-YOY",
        "changes do not add up",
        minimal_budget(
            narrative_figures=[
                figure("change_total", "-156.314"),
                figure("change_basic", "-210.98"),
                figure("change_project", "50"),
            ]
        ),
        Expect(
            "R-NARR-YOY",
            "error",
            "文字说明 支出增减",
            D("-156.314"),
            D("-160.98"),
            "narrative_figures[0].amount",
        ),
    ),
]

CASES: list[Case] = (
    THREE_PUBLIC_CASES + RUNNING_CASES + PROCUREMENT_CASES + ASSET_CASES + STAFF_CASES + NARRATIVE_CASES
)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case) -> None:
    check_case(case)
