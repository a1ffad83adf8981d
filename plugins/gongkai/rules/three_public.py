"""Rules on the “三公” expenditure (因公出国(境)费, 公务用车购置及运行维护费, 公务接待费).

A department may disclose the 三公 figures as a table (rows by item, columns
合计 and by fund) and/or in the text. The table and the text must each add
up, and must agree with each other and with the economic codes of basic
expenditure (30217 公务接待费, 30231 公务用车运行维护费).

A blank table cell whose sub-rows are printed is read as the sum of those
sub-rows when it is used as a term elsewhere (001's blank 公务用车 row over
a printed 运行维护费 of 1.70): the blank itself is reported once, by the rule
whose total it is, and the other rules compare the best-known figures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from gongkai.findings import Finding, Severity, classify, decimals_of, fmt
from gongkai.model import Budget, NarrativeFigure, ThreePublic, ThreePublicRow, section_unit
from gongkai.rules import rule
from gongkai.rules._helpers import (
    compact,
    compare_finding,
    convert,
    finding,
    present_columns,
    sum_finding,
    total,
)

ITEM_LABELS: dict[str, str] = {
    "total": "合计",
    "subtotal": "小计",
    "abroad": "因公出国（境）费",
    "abroad_teaching_research": "教学科研人员因公出国（境）费",
    "abroad_other": "其他人员因公出国（境）费",
    "vehicle": "公务用车购置及运行维护费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
    "reception": "公务接待费",
}
CHILDREN: dict[str, tuple[str, ...]] = {
    "abroad": ("abroad_teaching_research", "abroad_other"),
    "vehicle": ("vehicle_purchase", "vehicle_operation"),
    "subtotal": ("abroad", "vehicle", "reception"),
}
COLUMNS = ("amount", "general_public_budget", "government_fund", "soe_capital")
COLUMN_LABELS = {
    "amount": "",
    "general_public_budget": " 一般公共预算",
    "government_fund": " 政府性基金",
    "soe_capital": " 国有资本经营",
}
#: Narrative ``item`` keys naming each 三公 figure (three_public_total is the documented key).
NARRATIVE_ITEMS: dict[str, tuple[str, ...]] = {
    "total": ("three_public_total", "total"),
    "abroad": ("abroad",),
    "vehicle": ("vehicle",),
    "vehicle_purchase": ("vehicle_purchase",),
    "vehicle_operation": ("vehicle_operation",),
    "reception": ("reception",),
}
TABLE = "三公经费表"
TEXT = "三公经费说明"


# --------------------------------------------------------------------------- #
# Reading the table and the text
# --------------------------------------------------------------------------- #


def three_public(budget: Budget) -> ThreePublic | None:
    """The disclosed 三公 section, or None."""
    section = budget.three_public
    if section is None or section.status != "disclosed":
        return None
    return section


def rows_by_item(section: ThreePublic) -> dict[str, tuple[int, ThreePublicRow]]:
    """Item → (index, row) of the first table row of each item."""
    found: dict[str, tuple[int, ThreePublicRow]] = {}
    for index, row in enumerate(section.rows):
        found.setdefault(row.item, (index, row))
    return found


def effective(
    rows: dict[str, tuple[int, ThreePublicRow]], item: str, column: str
) -> Decimal | None:
    """A row's printed figure, or for a blank parent the sum of its printed sub-rows.

    合计 falls back to 小计 (the table's 合计 is at least the 三公 小计).
    """
    if item in rows:
        value = getattr(rows[item][1], column)
        if value is not None:
            return value
    if item == "total":
        return effective(rows, "subtotal", column)
    kids = [effective(rows, kid, column) for kid in CHILDREN.get(item, ())]
    if any(k is not None for k in kids):
        return total(kids)
    return None


def columns(section: ThreePublic) -> list[str]:
    """合计 and the fund columns that the table prints."""
    return ["amount", *present_columns(section.rows, COLUMNS[1:])]


def narrative(
    budget: Budget, figures: Sequence[NarrativeFigure], item: str, section: ThreePublic | None
) -> tuple[int, NarrativeFigure, str] | None:
    """(index, figure, unit) of the first narrative figure for a 三公 item."""
    keys = NARRATIVE_ITEMS.get(item, (item,))
    for index, figure in enumerate(figures):
        if figure.item in keys and figure.amount is not None:
            unit = figure.unit or (section_unit(budget, section) if section else budget.amount_unit)
            return index, figure, unit
    return None


# --------------------------------------------------------------------------- #
# Table and narrative identities (R-3G-SUM, R-3G-CAR, R-3G-ABROAD)
# --------------------------------------------------------------------------- #


def _table_sum(
    rule_id: str, budget: Budget, section: ThreePublic, parent: str, kids: Sequence[str]
) -> Iterator[Finding]:
    """A parent row against its sub-rows, per printed column (when both are printed)."""
    rows = rows_by_item(section)
    if parent not in rows or not any(k in rows for k in kids):
        return
    index, row = rows[parent]
    unit = section_unit(budget, section)
    names = " + ".join(ITEM_LABELS[k] for k in kids)
    for column in columns(section):
        yield from compact(
            [
                sum_finding(
                    rule_id,
                    f"{TABLE} {ITEM_LABELS[parent]}{COLUMN_LABELS[column]}",
                    getattr(row, column),
                    [effective(rows, k, column) for k in kids],
                    unit,
                    f"three_public.rows[{index}].{column}",
                    f"{TABLE}：{ITEM_LABELS[parent]} = {names}",
                    f"three public table: {parent} = {' + '.join(kids)}",
                )
            ]
        )


def _narrative_sum(
    rule_id: str, budget: Budget, section: ThreePublic, parent: str, kids: Sequence[str]
) -> Iterator[Finding]:
    """A narrative figure against the narrative figures of its parts, in the parent's unit."""
    head = narrative(budget, section.narrative, parent, section)
    if head is None:
        return
    index, figure, unit = head
    parts: list[Decimal | None] = []
    for kid in kids:
        found = narrative(budget, section.narrative, kid, section)
        if found is None and kid in CHILDREN:
            found_parts = [narrative(budget, section.narrative, k, section) for k in CHILDREN[kid]]
            if any(found_parts):
                parts.append(
                    total(convert(p[1].amount, p[2], unit) for p in found_parts if p is not None)
                )
            continue
        if found is not None:
            parts.append(convert(found[1].amount, found[2], unit))
    if not parts:
        return
    names = " + ".join(ITEM_LABELS[k] for k in kids)
    yield from compact(
        [
            sum_finding(
                rule_id,
                f"{TEXT} {ITEM_LABELS[parent]}",
                figure.amount,
                parts,
                unit,
                f"three_public.narrative[{index}].amount",
                f"{TEXT}：{ITEM_LABELS[parent]} = {names}",
                f"three public text: {parent} = {' + '.join(kids)}",
            )
        ]
    )


def _subtotal_and_total(budget: Budget, section: ThreePublic) -> Iterator[Finding]:
    """小计 = 出国 + 公车 + 接待, and 合计 ≥ 小计 (合计 = the parts when no 小计 row)."""
    rows = rows_by_item(section)
    if "subtotal" not in rows:
        yield from _table_sum("R-3G-SUM", budget, section, "total", CHILDREN["subtotal"])
        return
    yield from _table_sum("R-3G-SUM", budget, section, "subtotal", CHILDREN["subtotal"])
    if "total" not in rows:
        return
    unit = section_unit(budget, section)
    index, row = rows["total"]
    for column in columns(section):
        printed, floor = getattr(row, column), effective(rows, "subtotal", column)
        if floor is None or (printed is not None and printed >= floor):
            continue
        severity: Severity | None
        if printed is None:
            severity = "error" if floor else None
        else:
            severity = classify(printed, floor, 1, unit, decimals_of(printed, floor))
        if severity is None:
            continue
        yield finding(
            "R-3G-SUM",
            severity,
            f"{TABLE} 合计{COLUMN_LABELS[column]}",
            f"{TABLE}：合计应不小于“三公”经费小计（原文{'空白' if printed is None else '更小'}）",
            "three public table: the total must be at least the subtotal",
            path=f"three_public.rows[{index}].{column}",
            printed=printed,
            computed=floor,
            unit=unit,
        )


@rule(
    "R-3G-SUM",
    "三公小计 = 出国 + 公车 + 接待",
    "“Three public” subtotal = abroad + vehicles + reception",
    "“三公”经费小计 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费；表的合计不小于小计。"
    "文字说明中的“三公”经费总额也等于三项之和。",
)
def check_three_public_sum(budget: Budget) -> Iterator[Finding]:
    """The 三公 total in the table and in the text against its three parts."""
    section = three_public(budget)
    if section is None:
        return
    yield from _subtotal_and_total(budget, section)
    yield from _narrative_sum("R-3G-SUM", budget, section, "total", CHILDREN["subtotal"])


@rule(
    "R-3G-CAR",
    "公务用车 = 购置 + 运行维护",
    "Vehicles = purchase + operation",
    "公务用车购置及运行维护费 = 公务用车购置费 + 公务用车运行维护费（表和文字说明各自成立）。",
)
def check_three_public_vehicles(budget: Budget) -> Iterator[Finding]:
    """The vehicle row / figure against purchase + operation."""
    section = three_public(budget)
    if section is None:
        return
    yield from _table_sum("R-3G-CAR", budget, section, "vehicle", CHILDREN["vehicle"])
    yield from _narrative_sum("R-3G-CAR", budget, section, "vehicle", CHILDREN["vehicle"])


@rule(
    "R-3G-ABROAD",
    "因公出国 = 教学科研人员 + 其他",
    "Abroad = teaching/research staff + others",
    "因公出国（境）费 = 教学科研人员因公出国（境）费 + 其他人员因公出国（境）费。",
)
def check_three_public_abroad(budget: Budget) -> Iterator[Finding]:
    """The abroad row against its two sub-rows."""
    section = three_public(budget)
    if section is None:
        return
    yield from _table_sum("R-3G-ABROAD", budget, section, "abroad", CHILDREN["abroad"])


@rule(
    "R-3G-FUND",
    "三公各行：合计 = 各资金来源",
    "Each row: total = sum of the funds",
    "“三公”经费表每一行：合计 = 一般公共预算 + 政府性基金 + 国有资本经营（表按资金列出时）。",
)
def check_three_public_funds(budget: Budget) -> Iterator[Finding]:
    """Each row's 合计 against its fund columns, when the table prints fund columns."""
    section = three_public(budget)
    if section is None:
        return
    funds = columns(section)[1:]
    if not funds:
        return
    unit = section_unit(budget, section)
    seen: set[str] = set()
    for index, row in enumerate(section.rows):
        key = row.item if row.item not in seen else f"{row.item}#{index + 1}"
        seen.add(row.item)
        label = ITEM_LABELS[row.item] + ("" if key == row.item else f"（第{index + 1}行）")
        yield from compact(
            [
                sum_finding(
                    "R-3G-FUND",
                    f"{TABLE} {label} 资金来源",
                    row.amount,
                    [getattr(row, c) for c in funds],
                    unit,
                    f"three_public.rows[{index}].amount",
                    f"{TABLE}“{label}”：合计 = 各资金来源之和",
                    f"three public table {row.item}: total = sum of the funds",
                )
            ]
        )


# --------------------------------------------------------------------------- #
# Cross-checks (R-3G-XCHK, R-3G-NARR, R-3G-YOY)
# --------------------------------------------------------------------------- #


def _three_public_figure(
    budget: Budget, section: ThreePublic, item: str
) -> tuple[Decimal, str, str] | None:
    """(amount, unit, path) of a 三公 item: its table row (blank = 0), else the text."""
    rows = rows_by_item(section)
    if item in rows:
        value = effective(rows, item, "amount")
        path = f"three_public.rows[{rows[item][0]}].amount"
        return (value or Decimal(0)), section_unit(budget, section), path
    found = narrative(budget, section.narrative, item, section)
    if found is None:
        return None
    index, figure, unit = found
    assert figure.amount is not None
    return figure.amount, unit, f"three_public.narrative[{index}].amount"


def _basic_code_amount(budget: Budget, code: str, unit: str) -> tuple[Decimal, str] | None:
    """The basic-expenditure amount of an economic 款 (in ``unit``) and where it comes from."""
    table = budget.gpb_basic_by_economic
    if table is not None and table.status == "disclosed":
        for line in table.lines:
            if line.code == code and line.total is not None:
                return convert(line.total, section_unit(budget, table), unit) or Decimal(
                    0
                ), "基本支出表"
    running = budget.operating_expenses
    if running is not None:
        amounts = [i.amount for i in running.items if i.econ_code == code and i.amount is not None]
        if amounts:
            converted = convert(total(amounts), section_unit(budget, running), unit)
            return converted or Decimal(0), "机关运行经费"
    return None


@rule(
    "R-3G-XCHK",
    "三公不小于基本支出中的对应科目",
    "“Three public” items cover the matching basic-expenditure codes",
    "“三公”经费中的公务接待费不小于基本支出中的 30217 公务接待费，公务用车运行维护费不小于 30231 "
    "公务用车运行维护费（“三公”经费还可包括项目支出中的部分）。",
)
def check_three_public_cross(budget: Budget) -> Iterator[Finding]:
    """公务接待费 ≥ 30217 and 公务用车运行维护费 ≥ 30231 of basic expenditure."""
    section = three_public(budget)
    if section is None:
        return
    for item, code in (("reception", "30217"), ("vehicle_operation", "30231")):
        figure = _three_public_figure(budget, section, item)
        if figure is None:
            continue
        amount, unit, path = figure
        basic = _basic_code_amount(budget, code, unit)
        if basic is None or amount >= basic[0]:
            continue
        severity = classify(amount, basic[0], 1, unit, decimals_of(amount, basic[0]))
        if severity is None:
            continue
        yield finding(
            "R-3G-XCHK",
            severity,
            f"三公 {ITEM_LABELS[item]} 与 {code}",
            f"“三公”经费{ITEM_LABELS[item]}小于{basic[1]}中的 {code}（相差 {fmt(basic[0] - amount)}{unit}）",
            f"three public {item} is less than code {code} of basic expenditure",
            path=path,
            printed=amount,
            computed=basic[0],
            unit=unit,
        )


@rule(
    "R-3G-NARR",
    "三公表与说明一致",
    "“Three public” table and text agree",
    "“三公”经费说明中的各项金额与“三公”经费表一致（允许说明按所印精度四舍五入，差额不超过其末位的一半）。",
)
def check_three_public_narrative(budget: Budget) -> Iterator[Finding]:
    """Each narrative 三公 figure against the table's figure for the same item."""
    section = three_public(budget)
    if section is None or not section.rows or not section.narrative:
        return
    rows = rows_by_item(section)
    table_unit = section_unit(budget, section)
    for item in NARRATIVE_ITEMS:
        found = narrative(budget, section.narrative, item, section)
        if found is None or (item not in rows and item != "total"):
            continue
        if item == "total" and not {"total", "subtotal"} & rows.keys():
            continue
        index, figure, unit = found
        table_value = convert(effective(rows, item, "amount"), table_unit, unit)
        yield from compact(
            [
                compare_finding(
                    "R-3G-NARR",
                    f"{TEXT} {ITEM_LABELS[item]}",
                    figure.amount,
                    table_value if table_value is not None else Decimal(0),
                    unit,
                    f"three_public.narrative[{index}].amount",
                    f"{TEXT}的{ITEM_LABELS[item]} = {TABLE}",
                    f"three public text {item} = table",
                    terms=0,
                    decimals=decimals_of(figure.amount),
                )
            ]
        )


CHANGE_ITEMS = {
    "total": "change_three_public",
    "abroad": "change_abroad",
    "vehicle": "change_vehicle",
    "reception": "change_reception",
}


@rule(
    "R-3G-YOY",
    "三公增减 = 各项增减之和",
    "“Three public” change = sum of the item changes",
    "文字说明中“三公”经费比上年的增减额等于因公出国（境）费、公务用车购置及运行维护费、公务接待费增减额之和。",
)
def check_three_public_change(budget: Budget) -> Iterator[Finding]:
    """The stated change of the 三公 total against the stated changes of its three parts."""
    section = three_public(budget)
    if section is None:
        return
    figures = [*section.narrative, *(budget.narrative_figures or [])]
    head = narrative(budget, figures, CHANGE_ITEMS["total"], section)
    parts = [
        narrative(budget, figures, CHANGE_ITEMS[k], section)
        for k in ("abroad", "vehicle", "reception")
    ]
    if head is None or any(p is None for p in parts):
        return
    index, figure, unit = head
    in_section = index < len(section.narrative)
    path = (
        f"three_public.narrative[{index}].amount"
        if in_section
        else f"narrative_figures[{index - len(section.narrative)}].amount"
    )
    yield from compact(
        [
            sum_finding(
                "R-3G-YOY",
                f"{TEXT} 增减额",
                figure.amount,
                [convert(p[1].amount, p[2], unit) for p in parts if p is not None],
                unit,
                path,
                f"{TEXT}：“三公”经费增减额 = 出国、公车、接待增减额之和",
                "three public change = sum of the item changes",
            )
        ]
    )
