"""Writing a synthetic :class:`~gongkai.synth_plan.Plan` as record YAML text.

The text is built directly with f-strings, section by section, in the layout
of the hand-transcribed seeds (block style, codes quoted, blanks as ``null``,
amounts with exactly two decimals). ``yaml.dump`` is not used: it is an order of
magnitude slower, would print ``Decimal`` through ``float`` and would reorder
or restyle keys, and the benchmark needs tens of thousands of files quickly.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache

from gongkai.codes import load_codes
from gongkai.synth_plan import Plan, Row
from gongkai.synth_vocab import (
    FISCAL_INCOME_LINES,
    GLOSSARY,
    SAFEGUARDS,
    SUMMARY_INCOME_LINES,
    THREE_PUBLIC_ROWS,
)

#: Text that YAML reads back as the same plain string (no quoting needed).
_PLAIN = re.compile(r"^[\u3000-\u9fff\uff00-\uffef“”《》≥≤A-Za-z][^:#\n\"'\\]*$")
_RESERVED = frozenset({"null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "no", "on", "off", "y", "n"})  # fmt: skip
_MONTHS = (3, 6, 10, 12)


@lru_cache(maxsize=1 << 16)
def q(text: str) -> str:
    """``text`` as a YAML scalar: plain when safe, else double-quoted (JSON is valid YAML).

    Cached: names, bases and indicator texts repeat across thousands of records.
    """
    if _PLAIN.match(text) and text not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def money(value: Decimal | None) -> str:
    """An amount with exactly two decimals, or ``null`` for a blank cell."""
    return "null" if value is None else f"{value:.2f}"


def record_text(plan: Plan, seed: int) -> str:
    """The complete YAML text of one record."""
    out: list[str] = []
    _header(out, plan, seed)
    _department(out, plan)
    _summary(out, plan)
    _income(out, plan)
    _function_table(
        out,
        "expenditure_by_function",
        "部门预算支出总表",
        "all",
        plan.expenditure.total,
        plan.expenditure.rows,
    )
    _fiscal_summary(out, plan)
    _function_table(
        out,
        "gpb_expenditure_by_function",
        "部门预算一般公共预算财政拨款支出表",
        "general_public_budget",
        plan.gpb.total,
        plan.gpb.rows,
    )
    _economic(out, plan)
    _empty_fund_tables(out)
    _three_public(out, plan)
    _operating(out, plan)
    _procurement(out, plan)
    _assets(out, plan)
    _narrative(out, plan)
    _performance(out, plan)
    _projects(out, plan)
    _glossary(out)
    _notes(out, plan)
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- #
# Identity
# --------------------------------------------------------------------------- #


def _header(out: list[str], plan: Plan, seed: int) -> None:
    dept = plan.dept
    out += [
        f"# 合成数据（gongkai synth --seed {seed}）：{dept.name} {plan.year}年部门预算。不是真实的公开文件。",
        f"# Synthetic record for benchmarks and tests; amounts in {plan.unit}, consistent by construction.",
        "schema_version: 1",
        f"fiscal_year: {plan.year}",
        "stage: budget",
        f"amount_unit: {plan.unit}",
        "source:",
        f"  title: {q(f'{dept.name}{plan.year}年部门预算公开')}",
        f"  publisher: {q(dept.name)}",
        f"  published_date: {plan.published}",
        "  original_format: docx",
        "  legal_basis:",
        "    - 《预算法》",
        "    - 《地方预决算公开操作规程》",
    ]


def _department(out: list[str], plan: Plan) -> None:
    dept, place = plan.dept, plan.dept.place
    level = {"county": "县", "district": "区", "prefecture": "市"}.get(place.admin_level, "县")
    out += [
        "department:",
        f"  name: {q(dept.name)}",
        f'  code: "{dept.code}"',
        "  region:",
        f"    province: {place.province}",
    ]
    if place.prefecture:
        out.append(f"    prefecture: {place.prefecture}")
    if place.county:
        out.append(f"    county: {place.county}")
    out += [
        f'    admin_code: "{place.admin_code}"',
        f"    admin_level: {place.admin_level}",
        f"  org_type: {dept.kind.org_type}",
        f"  unit_nature: {dept.kind.unit_nature}",
        f"  unit_rank: {'正处级' if place.admin_level == 'prefecture' else '正科级'}",
        "  funding_form: 财政拨款",
        "  included_units:",
        f"    - {q(dept.name)}",
        "  internal_units:",
        *(f"    - {q(u)}" for u in dept.kind.units),
        "  duties:",
        *(f"    - {q(d.format(lvl=level))}" for d in dept.kind.duties),
        "  staffing:",
        f"    establishment: {dept.staff}",
        f"    actual: {plan.staff_actual}",
        f"    retired: {dept.retired + dept.lixiu}",
    ]


# --------------------------------------------------------------------------- #
# Standard tables
# --------------------------------------------------------------------------- #


def _lei_amounts(plan: Plan) -> dict[str, Decimal | None]:
    return {str(r["code"]): r["total"] for r in plan.lei}


def _summary(out: list[str], plan: Plan) -> None:
    carry = plan.carryover if plan.carryover else None
    out += ["income_expenditure_summary:", "  title: 部门预算收支总表", "  income:", "    lines:"]
    for name, item in SUMMARY_INCOME_LINES:
        value = plan.current if item == "general_public_budget" else None
        out += [f"      - name: {name}", f"        item: {item}", f"        amount: {money(value)}"]
    out += [
        "    current_year_total:", f"      amount: {money(plan.current)}",
        "    carryover:", f"      amount: {money(carry)}",
        "    grand_total:", f"      amount: {money(plan.totals.total)}",
        "  expenditure:", "    lines:",
    ]  # fmt: skip
    _summary_lei_lines(out, plan, fund_column=False)
    out += [
        "    current_year_total:", f"      amount: {money(plan.totals.total)}",
        "    carryover:", "      amount: null",
        "    grand_total:", f"      amount: {money(plan.totals.total)}",
    ]  # fmt: skip


def _summary_lei_lines(out: list[str], plan: Plan, fund_column: bool) -> None:
    """Every 类 of the code list, in order; code only where an amount is printed."""
    amounts = _lei_amounts(plan)
    for code, name in load_codes("function").items():
        if len(code) != 3:
            continue
        value = amounts.get(code)
        out.append(f"      - name: {name}")
        if value is not None:
            out.append(f'        code: "{code}"')
        out.append(f"        amount: {money(value)}")
        if fund_column and value is not None:
            out.append(f"        general_public_budget: {money(value)}")


def _income(out: list[str], plan: Plan) -> None:
    columns = ("total", "current_year", "fiscal_appropriation", "carryover")
    out += ["income_by_function:", "  title: 部门预算收入总表", "  reported_total:"]
    out += [f"    {c}: {money(plan.income.total[c])}" for c in columns]
    out.append("  lines:")
    for row in plan.income.rows:
        out += [f'    - code: "{row["code"]}"', f"      name: {q(str(row['name']))}"]
        out += [f"      {c}: {money(row[c])}" for c in columns]


def _function_table(
    out: list[str], key: str, title: str, scope: str, total: Row, rows: list[Row]
) -> None:
    columns = ("total", "basic", "project")
    out += [f"{key}:", f"  title: {title}", f"  fund_scope: {scope}", "  reported_total:"]
    out += [f"    {c}: {money(total[c])}" for c in columns]
    out.append("  lines:")
    for row in rows:
        out += [f'    - code: "{row["code"]}"', f"      name: {q(str(row['name']))}"]
        out += [f"      {c}: {money(row[c])}" for c in columns]


def _fiscal_summary(out: list[str], plan: Plan) -> None:
    carry = plan.carryover if plan.carryover else None
    out += [
        "fiscal_appropriation_summary:",
        "  title: 部门预算财政拨款收支总表",
        "  income:",
        "    lines:",
    ]
    for name, item in FISCAL_INCOME_LINES:
        value = plan.current if item == "general_public_budget" else None
        out += [f"      - name: {name}", f"        item: {item}", f"        amount: {money(value)}"]
    out += [
        "    current_year_total:",
        f"      amount: {money(plan.current)}",
        "    carryover:",
        f"      amount: {money(carry)}",
    ]
    out.append("    carryover_lines:")
    for name, item in FISCAL_INCOME_LINES:
        value = carry if item == "general_public_budget" else None
        out += [f"      - name: {name}", f"        item: {item}", f"        amount: {money(value)}"]
    out += [
        "    grand_total:",
        f"      amount: {money(plan.totals.total)}",
        "  expenditure:",
        "    lines:",
    ]
    _summary_lei_lines(out, plan, fund_column=True)
    total = money(plan.totals.total)
    out += [
        "    current_year_total:", f"      amount: {total}", f"      general_public_budget: {total}",
        "    carryover:", "      amount: null",
        "    grand_total:", f"      amount: {total}", f"      general_public_budget: {total}",
    ]  # fmt: skip


def _economic(out: list[str], plan: Plan) -> None:
    columns = ("total", "personnel", "public")
    table = plan.economic
    out += [
        "gpb_basic_by_economic:",
        "  title: 部门预算一般公共预算财政拨款基本支出表",
        "  fund_scope: general_public_budget",
        "  reported_total:",
    ]
    out += [f"    {c}: {money(table.total[c])}" for c in columns]
    out.append("  lines:")
    for row in table.rows:
        out += [f'    - code: "{row["code"]}"', f"      name: {q(str(row['name']))}"]
        out += [f"      {c}: {money(row[c])}" for c in columns]


def _empty_fund_tables(out: list[str]) -> None:
    out += [
        "government_fund_expenditure:",
        "  status: disclosed_empty",
        "  title: 部门预算政府性基金预算财政拨款支出表",
        "  note: 注：无政府性基金预算财政拨款预算，空表列示。",
        "  fund_scope: government_fund",
        "soe_capital_expenditure:",
        "  status: disclosed_empty",
        "  title: 部门预算国有资本经营预算财政拨款支出表",
        "  note: 注：无国有资本经营预算财政拨款预算，空表列示。",
        "  fund_scope: soe_capital",
    ]


def _three_public(out: list[str], plan: Plan) -> None:
    values = plan.three_public
    out += [
        "three_public:",
        "  title: 部门预算财政拨款“三公”经费支出表",
        "  fund_scope: fiscal",
        "  rows:",
    ]
    for item, name in THREE_PUBLIC_ROWS:
        printed = values[item]
        if printed is not None and printed == 0 and item not in ("total", "subtotal"):
            printed = None  # a zero component is printed as a blank cell
        out += [f"    - item: {item}", f"      name: {name}", f"      amount: {money(printed)}"]
        if printed is not None:
            out.append(f"      general_public_budget: {money(printed)}")
    _three_public_narrative(out, plan)


def _three_public_narrative(out: list[str], plan: Plan) -> None:
    year, unit, totals = plan.year, plan.unit, plan.totals
    subtotal = totals.abroad + totals.vehicle + totals.reception
    figures = [
        (
            "total",
            "财政拨款“三公”经费预算安排",
            subtotal,
            f"{year}年，我部门财政拨款“三公”经费预算安排{subtotal:.2f}{unit}",
        ),
        ("abroad", "因公出国（境）费", totals.abroad, f"因公出国（境）费{totals.abroad:.2f}{unit}"),
        (
            "vehicle",
            "公务用车购置及运维费",
            totals.vehicle,
            f"公务用车购置及运维费{totals.vehicle:.2f}{unit}",
        ),
        ("vehicle_purchase", "公务用车购置费", Decimal(0), f"公务用车购置费0.00{unit}"),
        (
            "vehicle_operation",
            "公务用车运行维护费",
            totals.vehicle,
            f"公务用车运行维护费{totals.vehicle:.2f}{unit}",
        ),
        ("reception", "公务接待费", totals.reception, f"公务接待费{totals.reception:.2f}{unit}"),
    ]
    prev = plan.prev
    if prev is not None:
        changes = (
            ("change_abroad", "因公出国（境）费", totals.abroad - prev.abroad),
            ("change_vehicle", "公务用车购置及运维费", totals.vehicle - prev.vehicle),
            ("change_reception", "公务接待费", totals.reception - prev.reception),
        )
        whole = sum((c for _, _, c in changes), Decimal(0))
        figures.append(
            (
                "change_three_public",
                _change_label("“三公”经费", whole),
                whole,
                f"“三公”经费{_change_text(whole, unit)}",
            )
        )
        figures += [
            (item, _change_label(label, value), value, f"{label}{_change_text(value, unit)}")
            for item, label, value in changes
        ]
    out.append("  narrative:")
    for item, label, amount, quote in figures:
        out += [
            f"    - item: {item}",
            f"      label: {q(label)}",
            f"      amount: {money(amount)}",
            f"      quote: {q(quote)}",
        ]
    if prev is not None:
        rising = subtotal > prev.abroad + prev.vehicle + prev.reception
        reason = (
            "因工作任务增加，公务接待和公务用车运行支出相应增加。"
            if rising
            else "严格控制“三公”经费支出，厉行节约，推行节约型机关建设。"
        )
        out.append(f"  change_reason: {reason}")


def _change_label(what: str, value: Decimal) -> str:
    return f"{what}{'增加' if value > 0 else '减少' if value < 0 else '无变化'}"


def _change_text(value: Decimal, unit: str) -> str:
    if value == 0:
        return "与上年相比无变化"
    return f"{'增加' if value > 0 else '减少'}{abs(value):.2f}{unit}"


def _operating(out: list[str], plan: Plan) -> None:
    items = [
        r
        for r in plan.economic.rows
        if str(r["code"]).startswith("302") and len(str(r["code"])) == 5
    ]
    out += [
        "operating_expenses:",
        "  title: 机关运行经费安排情况",
        f"  total: {money(plan.public)}",
        f"  quote: {q(f'{plan.year}年，我部门机关运行经费共计安排{plan.public:.2f}{plan.unit}，主要用于保证机关正常运转的各项支出。')}",
        "  items:",
    ]
    for row in items:
        out += [
            f"    - name: {q(str(row['name']))}",
            f'      econ_code: "{row["code"]}"',
            f"      amount: {money(row['total'])}",
        ]


def _procurement(out: list[str], plan: Plan) -> None:
    rows = plan.procurement
    total = sum((r[5] for r in rows), Decimal(0))
    quote = f"{plan.year}年，{plan.dept.name}安排政府采购预算{total:.2f}{plan.unit}。"
    if not rows:
        out += ["procurement:", "  status: disclosed_empty", "  title: 部门政府采购预算",
                "  note: 注：无政府采购预算，空表列示。", "  total: 0.00", f"  quote: {q(quote)}"]  # fmt: skip
        return
    out += [
        "procurement:",
        "  title: 部门政府采购预算",
        f"  total: {money(total)}",
        f"  quote: {q(quote)}",
        "  items:",
    ]
    for item, catalog, quantity, measure, price, amount in rows:
        out += [
            f"    - item_name: {item}",
            f"      catalog_code: {catalog}",
            f"      quantity: {quantity}",
            f"      quantity_unit: {measure}",
            f"      unit_price: {money(price)}",
            f"      amount: {money(amount)}",
        ]


_ASSET_NAMES = {
    "total": ("资产总额", None),
    "buildings": ("1、房屋（平方米）", "平方米"),
    "office_buildings": ("其中：办公用房（平方米）", "平方米"),
    "vehicles": ("2、车辆（台、辆）", "台、辆"),
    "equipment_over_200k": ("3、单价在20万元以上的设备", None),
    "other_fixed_assets": ("4、其他固定资产", None),
}


def _assets(out: list[str], plan: Plan) -> None:
    total = plan.assets["total"][1]
    out += [
        "state_assets:",
        "  title: 部门固定资产占用情况表",
        f"  as_of: {plan.year - 1}-12-31",
        "  lines:",
    ]
    for category, (quantity, amount) in plan.assets.items():
        name, measure = _ASSET_NAMES[category]
        out += [f"    - category: {category}", f"      name: {name}"]
        out.append(f"      quantity: {'null' if quantity is None else quantity}")
        if measure:
            out.append(f"      quantity_unit: {measure}")
        out.append(f"      amount: {money(amount)}")
    out += [
        "  narrative:",
        "    - item: assets_total",
        "      label: 上年末固定资产金额",
        f"      amount: {money(total)}",
        f"      quote: {q(f'{plan.dept.name}上年末固定资产金额为{total:.2f}{plan.unit}。')}",
    ]


# --------------------------------------------------------------------------- #
# Text sections
# --------------------------------------------------------------------------- #


def _narrative(out: list[str], plan: Plan) -> None:
    year, unit, t = plan.year, plan.unit, plan.totals
    figures = [
        ("income_total", f"{year}年预算收入", t.total),
        ("general_public_budget_income", "一般公共预算拨款收入", plan.current),
        ("expenditure_total", f"{year}年部门支出预算", t.total),
        ("basic", "基本支出", t.basic),
        ("personnel", "人员经费", plan.personnel),
        ("public", "日常公用经费", plan.public),
        ("project", "项目支出", t.project),
    ]
    out.append("narrative_figures:")
    for item, label, amount in figures:
        out += [
            f"  - item: {item}",
            f"    label: {label}",
            f"    amount: {money(amount)}",
            f"    quote: {q(f'{label}{amount:.2f}{unit}')}",
        ]
    if plan.prev is None:
        return
    for item, label, value in (
        ("change_total", "部门支出预算较上年", t.total - plan.prev.total),
        ("change_basic", "基本支出较上年", t.basic - plan.prev.basic),
        ("change_project", "项目支出较上年", t.project - plan.prev.project),
    ):
        out += [
            f"  - item: {item}",
            f"    label: {q(_change_label(label, value))}",
            f"    amount: {money(value)}",
            f"    quote: {q(f'{label}{_change_text(value, unit)}')}",
        ]


def _performance(out: list[str], plan: Plan) -> None:
    total = sum((p.amount for p in plan.projects), Decimal(0))
    out += [
        "performance:",
        "  title: 部门整体绩效目标",
        f"  department_goal: {q(f'{plan.dept.name}围绕年度重点工作，履行部门职责，提高财政资金使用效益，确保各项工作任务圆满完成。')}",
        "  categories:",
    ]
    for seq, (name, amount, goal) in enumerate(plan.categories, start=1):
        out += [
            f"    - seq: {seq}",
            f"      name: {q(name)}",
            f"      amount: {money(amount)}",
            f"      goal: {q(goal)}",
        ]
    out.append("  safeguards:")
    out += [f"    - {q(s)}" for s in SAFEGUARDS]
    out += [
        f"  stated_project_count: {len(plan.projects)}",
        f"  stated_project_total: {money(total)}",
        f"  quote: {q(f'本部门共设置项目绩效目标{len(plan.projects)}个，涉及项目资金{total:.2f}{plan.unit}。')}",
    ]


def _projects(out: list[str], plan: Plan) -> None:
    out.append("projects:")
    for p in plan.projects:
        out += [f"  - seq: {p.seq}", f"    name: {q(p.name)}"]
        if p.code is not None:
            out.append(f"    code: {p.code}")
        amount = money(p.amount)
        out += [
            f"    amount: {amount}",
            f"    fiscal_amount: {amount}",
            "    other_amount: 0.00",
            f"    purpose: {q(p.purpose)}",
            f"    goal: {q(p.goal)}",
            f"    category: {q(p.category)}",
        ]
        if p.plan is not None:
            out.append("    spending_plan:")
            for month, percent in zip(_MONTHS, p.plan, strict=True):
                out += [f"      - month: {month}", f"        percent: {money(percent)}"]
        out.append("    indicators:")
        for i in p.indicators:
            out += [
                f"      - level1: {i.level1}",
                f"        level2: {i.level2}",
                f"        level3: {q(i.level3)}",
                f"        description: {q(i.description)}",
                f"        value_raw: {q(i.value_raw)}",
                f"        basis: {q(i.basis)}",
            ]


def _glossary(out: list[str]) -> None:
    out.append("glossary:")
    for term, definition in GLOSSARY:
        out += [f"  - term: {q(term)}", f"    definition: {q(definition)}"]


def _notes(out: list[str], plan: Plan) -> None:
    out += [
        "transcription_notes:",
        "  - where: 全文",
        "    kind: inferred",
        "    text: 本记录由 gongkai synth 生成，用于测试和性能基准，所有名称和数字均为合成数据。",
    ]
    for where, kind, text in plan.notes:
        out += [f"  - where: {q(where)}", f"    kind: {kind}", f"    text: {q(text)}"]
