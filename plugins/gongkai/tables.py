"""The Table Schemas of the normalised data package: the public data contract.

Every resource that the exports publish is declared here once, with Chinese
titles and descriptions, types, constraints, primary and foreign keys. The
descriptor, the data dictionary page and the XLSX headers are all generated
from these declarations. Resource names, field names and the ``_yuan`` suffix
of money columns are a public contract: renaming one breaks users' scripts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FUNC_CODE_PATTERN = r"^\d{3}(\d{2}){0,2}$"
ECON_CODE_PATTERN = r"^3\d{2}(\d{2})?$"
BUDGET_ID_PATTERN = r"^\d{6}-[0-9A-Za-z]{1,20}-\d{4}-(budget|final_accounts)$"
DEPARTMENT_ID_PATTERN = r"^\d{6}-[0-9A-Za-z]{1,20}$"
UNITS = ["元", "万元"]


@dataclass(frozen=True)
class Column:
    """One field of a Table Schema."""

    name: str
    type: str
    title: str
    description: str = ""
    required: bool = False
    constraints: dict[str, Any] = field(default_factory=dict)

    @property
    def is_money(self) -> bool:
        return self.name.endswith("_yuan")

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "title": self.title}
        if self.description:
            out["description"] = self.description
        constraints = dict(self.constraints)
        if self.required:
            constraints["required"] = True
        if constraints:
            out["constraints"] = constraints
        if self.type == "number":
            out["decimalChar"] = "."
            out["groupChar"] = ""
        return out


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str | None  # None: self-reference
    reference_fields: tuple[str, ...]

    def descriptor(self) -> dict[str, Any]:
        reference: dict[str, Any] = {"fields": list(self.reference_fields)}
        if self.resource is not None:
            reference["resource"] = self.resource
        return {"fields": list(self.fields), "reference": reference}


@dataclass(frozen=True)
class Table:
    """A resource of the package: its schema and documentation."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def schema(self) -> dict[str, Any]:
        return {
            "fields": [c.descriptor() for c in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
            "foreignKeys": [fk.descriptor() for fk in self.foreign_keys],
        }


# -- column helpers ---------------------------------------------------------- #


def text(name: str, title: str, description: str = "", **constraints: Any) -> Column:
    required = constraints.pop("required", False)
    return Column(name, "string", title, description, required, constraints)


def integer(name: str, title: str, description: str = "", **constraints: Any) -> Column:
    required = constraints.pop("required", False)
    return Column(name, "integer", title, description, required, constraints)


def number(name: str, title: str, description: str = "", **constraints: Any) -> Column:
    required = constraints.pop("required", False)
    return Column(name, "number", title, description, required, constraints)


def money(name: str, title: str, description: str = "", signed: bool = False) -> Column:
    """A money column in 元: exact decimal text, never negative unless ``signed``."""
    note = "单位：元（由原文单位精确换算，原文单位见 unit_printed）。"
    constraints = {} if signed else {"minimum": 0}
    return Column(name, "number", f"{title}（元）", f"{description}{note}", False, constraints)


def enum(name: str, title: str, values: list[str], description: str = "", required: bool = False) -> Column:
    return Column(name, "string", title, description, required, {"enum": values})


def date_col(name: str, title: str, description: str = "") -> Column:
    return Column(name, "date", title, description)


def boolean(name: str, title: str, description: str = "") -> Column:
    return Column(name, "boolean", title, description)


BUDGET_ID = text("budget_id", "预算记录编号", "行政区划代码-部门编码-年度-阶段。", required=True, pattern=BUDGET_ID_PATTERN)
UNIT_PRINTED = enum("unit_printed", "原文单位", UNITS, "原文所印的金额单位。")
FK_BUDGET = ForeignKey(("budget_id",), "budgets", ("budget_id",))
FK_PROJECT = ForeignKey(("budget_id", "project_seq"), "projects", ("budget_id", "project_seq"))
FK_CATEGORY = ForeignKey(("budget_id", "category_seq"), "performance_categories", ("budget_id", "category_seq"))
FK_FUNC = ForeignKey(("func_code",), "function_codes", ("code",))
FK_ECON = ForeignKey(("econ_code",), "econ_codes", ("code",))
FUND_SCOPES = ["all", "fiscal", "general_public_budget", "government_fund", "soe_capital"]
STAGES = ["budget", "final_accounts"]
SECTION_STATUSES = ["disclosed", "disclosed_empty", "absent"]

INDICATOR_COLUMNS: tuple[Column, ...] = (
    integer("indicator_seq", "指标序号", "在表中的顺序，从 1 开始。", required=True, minimum=1),
    text("level1", "一级指标", "原文所印。"),
    text("level2", "二级指标", "原文所印。"),
    text("level3", "三级指标", "原文所印。", required=True),
    text("description", "指标描述"),
    text("value_raw", "指标值（原文）", "指标值单元格原文。"),
    text("direction_raw", "指标方向（原文）"),
    enum("comparator", "比较符", [">=", "<=", "=", ">", "<", "range"], "由原文解析。"),
    number("value", "数值", "由原文解析的数值。"),
    number("value_max", "上限", "区间值的上限。"),
    text("unit", "计量单位", "原文所印或由指标值解析。"),
    enum(
        "value_kind",
        "值类型",
        ["numeric", "numeric_with_text", "deadline", "qualitative", "compound", "empty"],
        required=True,
    ),
    date_col("deadline", "期限", "由原文解析的期限日期。"),
    text("basis", "指标值确定依据"),
    enum("nature", "指标性质", ["正向", "反向"], "原文所印。"),
    number("weight", "权重"),
    text("note", "备注", "整理者的说明。"),
)


TABLES: tuple[Table, ...] = (
    Table(
        "departments",
        "部门",
        "每个部门一行（跨年度）。",
        (
            text("department_id", "部门编号", "行政区划代码-部门编码。", required=True, pattern=DEPARTMENT_ID_PATTERN),
            text("name", "部门名称", "最近一条记录中原文所印的名称。", required=True),
            text("canonical_name", "规范名称"),
            text("dept_code", "部门编码", "原文所印。", required=True),
            text("admin_code", "行政区划代码", "GB/T 2260。", required=True, pattern=r"^\d{6}$"),
            text("province", "省级", required=True),
            text("prefecture", "地级"),
            text("county", "县级"),
            enum("admin_level", "行政级别", ["province", "prefecture", "county", "district"], required=True),
            enum("org_type", "机构类型", ["party_committee_department", "government_department", "public_institution", "other"]),
        ),
        ("department_id",),
    ),
    Table(
        "budgets",
        "预算记录",
        "每个部门、年度、阶段一行，含关键数字（元）。",
        (
            BUDGET_ID,
            text("department_id", "部门编号", required=True, pattern=DEPARTMENT_ID_PATTERN),
            text("department_name", "部门名称（原文）", required=True),
            integer("fiscal_year", "预算年度", required=True, minimum=1949, maximum=2100),
            enum("stage", "阶段", STAGES, "budget 预算；final_accounts 决算。", required=True),
            text("title", "原文标题", required=True),
            text("publisher", "发布机构"),
            text("source_url", "原文链接"),
            date_col("published_date", "发布日期"),
            enum("source_format", "原文格式", ["docx", "doc", "pdf", "html", "xls", "xlsx", "other"], required=True),
            text("source_file", "记录文件", "content/ 下的 YAML 文件。", required=True),
            enum("unit_printed", "原文单位", UNITS, required=True),
            text("unit_nature", "单位性质"),
            text("unit_rank", "单位规格"),
            text("funding_form", "经费保障形式"),
            integer("staff_establishment", "编制数", minimum=0),
            integer("staff_actual", "实有人数", minimum=0),
            integer("staff_retired", "离退休人数", minimum=0),
            money("income_total_yuan", "收入总计"),
            money("expenditure_total_yuan", "支出总计"),
            money("basic_yuan", "基本支出"),
            money("project_yuan", "项目支出"),
            money("personnel_yuan", "人员经费"),
            money("public_yuan", "公用经费"),
            money("three_public_yuan", "“三公”经费"),
            money("operating_expenses_yuan", "机关运行经费"),
            money("procurement_total_yuan", "政府采购预算"),
            money("projects_total_yuan", "项目预算合计", "已印出金额的项目预算数之和。"),
            integer("project_count", "项目数", minimum=0),
            integer("indicator_count", "绩效指标数", minimum=0),
            integer("error_count", "错误数", "校验发现的错误数。", minimum=0),
            integer("warning_count", "警告数", minimum=0),
        ),
        ("budget_id",),
        (ForeignKey(("department_id",), "departments", ("department_id",)),),
    ),
    Table(
        "sections",
        "公开内容",
        "每条记录公开了哪些部分：disclosed 已公开，disclosed_empty 空表，absent 未公开。",
        (
            BUDGET_ID,
            text("section", "部分", required=True),
            text("title", "部分名称", required=True),
            enum("status", "公开状态", SECTION_STATUSES, required=True),
            text("note", "原文附注"),
        ),
        ("budget_id", "section"),
        (FK_BUDGET,),
    ),
    Table(
        "department_texts",
        "部门文字信息",
        "职责、内设机构、总体目标、保障措施、名词解释等文字。",
        (
            BUDGET_ID,
            enum(
                "kind",
                "类别",
                ["duty", "internal_unit", "included_unit", "department_goal", "safeguard", "glossary"],
                required=True,
            ),
            integer("seq", "序号", required=True, minimum=1),
            text("title", "标题", "名词解释的名词。"),
            text("text", "内容", required=True),
        ),
        ("budget_id", "kind", "seq"),
        (FK_BUDGET,),
    ),
    Table(
        "function_codes",
        "支出功能分类科目",
        "政府收支分类科目（支出功能分类）：类3位、款5位、项7位。",
        (
            text("code", "科目编码", required=True, pattern=FUNC_CODE_PATTERN),
            text("name", "科目名称", required=True),
            integer("level", "级次", "1 类，2 款，3 项。", required=True, minimum=1, maximum=3),
            text("parent_code", "上级编码", pattern=FUNC_CODE_PATTERN),
        ),
        ("code",),
        (ForeignKey(("parent_code",), None, ("code",)),),
    ),
    Table(
        "econ_codes",
        "支出经济分类科目",
        "部门预算支出经济分类科目：类3位、款5位。",
        (
            text("code", "科目编码", required=True, pattern=ECON_CODE_PATTERN),
            text("name", "科目名称", required=True),
            integer("level", "级次", "1 类，2 款。", required=True, minimum=1, maximum=2),
            text("parent_code", "上级编码", pattern=ECON_CODE_PATTERN),
        ),
        ("code",),
        (ForeignKey(("parent_code",), None, ("code",)),),
    ),
    Table(
        "summary_lines",
        "收支总表",
        "部门预算收支总表和财政拨款收支总表的行（不含合计行，合计见 reported_totals）。",
        (
            BUDGET_ID,
            enum("table", "表", ["income_expenditure_summary", "fiscal_appropriation_summary"], required=True),
            enum("side", "收支", ["income", "expenditure", "income_carryover", "expenditure_carryover"], required=True),
            integer("seq", "行序号", required=True, minimum=1),
            text("item", "收入项目键"),
            text("func_code", "功能分类类级编码", pattern=FUNC_CODE_PATTERN),
            text("name_printed", "原文名称", required=True),
            money("amount_yuan", "金额"),
            money("general_public_budget_yuan", "一般公共预算"),
            money("government_fund_yuan", "政府性基金预算"),
            money("soe_capital_yuan", "国有资本经营预算"),
            UNIT_PRINTED,
        ),
        ("budget_id", "table", "side", "seq"),
        (FK_BUDGET, FK_FUNC),
    ),
    Table(
        "income_by_function",
        "收入总表",
        "部门预算收入总表：按支出功能分类的收入来源。",
        (
            BUDGET_ID,
            text("func_code", "科目编码", required=True, pattern=FUNC_CODE_PATTERN),
            text("func_name_printed", "科目名称（原文）", required=True),
            integer("level", "级次", minimum=1, maximum=3),
            money("total_yuan", "合计"),
            money("current_year_yuan", "本年收入小计"),
            money("fiscal_appropriation_yuan", "财政拨款收入"),
            money("special_account_yuan", "财政专户收入"),
            money("business_yuan", "事业收入"),
            money("business_operation_yuan", "经营收入"),
            money("superior_subsidy_yuan", "上级补助收入"),
            money("subsidiary_remittance_yuan", "附属单位上缴收入"),
            money("other_yuan", "其他收入"),
            money("carryover_yuan", "上年结转"),
            UNIT_PRINTED,
        ),
        ("budget_id", "func_code"),
        (FK_BUDGET, FK_FUNC),
    ),
    Table(
        "expenditure_by_function",
        "支出功能分类表",
        "支出总表、一般公共预算财政拨款支出表、政府性基金和国有资本经营支出表的科目行。",
        (
            BUDGET_ID,
            enum("fund_scope", "资金范围", FUND_SCOPES, "all 全部资金；general_public_budget 一般公共预算财政拨款；government_fund 政府性基金；soe_capital 国有资本经营。", required=True),
            text("func_code", "科目编码", required=True, pattern=FUNC_CODE_PATTERN),
            text("func_name_printed", "科目名称（原文）", required=True),
            integer("level", "级次", "1 类，2 款，3 项。", minimum=1, maximum=3),
            money("total_yuan", "合计"),
            money("basic_yuan", "基本支出"),
            money("project_yuan", "项目支出"),
            money("business_operation_yuan", "经营支出"),
            money("remit_to_superior_yuan", "上缴上级支出"),
            money("subsidy_to_subsidiaries_yuan", "对附属单位补助支出"),
            UNIT_PRINTED,
            text("source_table", "来源表", required=True),
        ),
        ("budget_id", "fund_scope", "func_code"),
        (FK_BUDGET, FK_FUNC),
    ),
    Table(
        "basic_expenditure_by_economic",
        "基本支出经济分类表",
        "一般公共预算财政拨款基本支出表的科目行。",
        (
            BUDGET_ID,
            enum("fund_scope", "资金范围", FUND_SCOPES, required=True),
            text("econ_code", "科目编码", required=True, pattern=ECON_CODE_PATTERN),
            text("econ_name_printed", "科目名称（原文）", required=True),
            integer("level", "级次", "1 类，2 款。", minimum=1, maximum=2),
            money("total_yuan", "合计"),
            money("personnel_yuan", "人员经费"),
            money("public_yuan", "公用经费"),
            UNIT_PRINTED,
        ),
        ("budget_id", "fund_scope", "econ_code"),
        (FK_BUDGET, FK_ECON),
    ),
    Table(
        "reported_totals",
        "原文合计",
        "原文所印的每个合计、小计、总计单元格，用于与计算值比较。",
        (
            BUDGET_ID,
            text("table", "表", required=True),
            text("row_label", "行", required=True),
            text("column", "列", required=True),
            money("amount_yuan", "金额"),
            UNIT_PRINTED,
        ),
        ("budget_id", "table", "row_label", "column"),
        (FK_BUDGET,),
    ),
    Table(
        "three_public",
        "“三公”经费",
        "“三公”经费：表格行（source=table）和文字说明中的数字（source=narrative）。",
        (
            BUDGET_ID,
            enum("source", "来源", ["table", "narrative"], required=True),
            integer("seq", "序号", required=True, minimum=1),
            text("item", "项目", "total 合计、subtotal 小计、abroad 因公出国（境）、vehicle 公务用车购置及运维、vehicle_purchase 购置、vehicle_operation 运行维护、reception 公务接待、change_* 增减变化。", required=True),
            text("name_printed", "原文名称"),
            enum("fund_scope", "资金范围", FUND_SCOPES, required=True),
            money("amount_yuan", "金额", "增减变化（change_*）为带符号金额。", signed=True),
            money("general_public_budget_yuan", "一般公共预算"),
            money("government_fund_yuan", "政府性基金预算"),
            money("soe_capital_yuan", "国有资本经营预算"),
            UNIT_PRINTED,
        ),
        ("budget_id", "source", "seq"),
        (FK_BUDGET,),
    ),
    Table(
        "operating_expenses",
        "机关运行经费",
        "机关运行经费明细（有明细时）。",
        (
            BUDGET_ID,
            integer("seq", "序号", required=True, minimum=1),
            text("item_name", "项目", required=True),
            text("econ_code", "经济分类编码", pattern=ECON_CODE_PATTERN),
            money("amount_yuan", "金额"),
            text("basis", "安排依据"),
            UNIT_PRINTED,
        ),
        ("budget_id", "seq"),
        (FK_BUDGET, FK_ECON),
    ),
    Table(
        "procurement_items",
        "政府采购预算",
        "政府采购预算表的行。",
        (
            BUDGET_ID,
            integer("seq", "序号", required=True, minimum=1),
            text("project_name", "采购项目"),
            text("item_name", "采购品目", required=True),
            text("catalog_code", "采购目录序号"),
            number("quantity", "数量", minimum=0),
            text("quantity_unit", "计量单位"),
            money("unit_price_yuan", "单价"),
            money("amount_yuan", "金额"),
            UNIT_PRINTED,
        ),
        ("budget_id", "seq"),
        (FK_BUDGET,),
    ),
    Table(
        "assets",
        "国有资产占用",
        "部门固定资产占用情况表。",
        (
            BUDGET_ID,
            integer("seq", "序号", required=True, minimum=1),
            date_col("as_of", "截止日期"),
            enum(
                "category",
                "类别",
                ["total", "buildings", "office_buildings", "vehicles", "equipment_over_200k", "general_equipment", "furniture", "other_fixed_assets", "other"],
                required=True,
            ),
            text("name_printed", "原文名称"),
            number("quantity", "数量", minimum=0),
            text("quantity_unit", "数量单位"),
            money("value_yuan", "金额"),
            UNIT_PRINTED,
        ),
        ("budget_id", "seq"),
        (FK_BUDGET,),
    ),
    Table(
        "narrative_figures",
        "文字说明中的数字",
        "只在文字说明中出现的数字（总体情况、资产等），保留原文句子。",
        (
            BUDGET_ID,
            text("section", "所在部分", required=True),
            integer("seq", "序号", required=True, minimum=1),
            text("item", "项目键", required=True),
            text("label", "原文说法"),
            money("amount_yuan", "金额", signed=True),
            UNIT_PRINTED,
            text("quote", "原文"),
        ),
        ("budget_id", "section", "seq"),
        (FK_BUDGET,),
    ),
    Table(
        "performance_categories",
        "分项绩效目标",
        "部门整体绩效目标中的职责分类 / 分项。",
        (
            BUDGET_ID,
            integer("category_seq", "序号", required=True, minimum=1),
            integer("parent_seq", "上级序号", minimum=1),
            text("name", "名称", required=True),
            money("amount_yuan", "金额"),
            text("duty", "职责"),
            text("goal", "绩效目标"),
            text("indicators_text", "绩效指标（文字）"),
            UNIT_PRINTED,
        ),
        ("budget_id", "category_seq"),
        (FK_BUDGET,),
    ),
    Table(
        "category_indicators",
        "分项绩效指标",
        "分项绩效目标的指标（含优/良/中/差标准）。",
        (
            BUDGET_ID,
            integer("category_seq", "分项序号", required=True, minimum=1),
            *INDICATOR_COLUMNS,
            text("grade_excellent", "优"),
            text("grade_good", "良"),
            text("grade_fair", "中"),
            text("grade_poor", "差"),
        ),
        ("budget_id", "category_seq", "indicator_seq"),
        (FK_BUDGET, FK_CATEGORY),
    ),
    Table(
        "projects",
        "项目",
        "每个项目绩效目标表一行。",
        (
            BUDGET_ID,
            integer("project_seq", "项目序号", "在原文中的顺序。", required=True, minimum=1),
            text("project_code", "项目编码", "原文所印。"),
            text("name", "项目名称", required=True),
            money("amount_yuan", "预算数"),
            money("fiscal_yuan", "其中：财政资金"),
            money("other_yuan", "其他资金"),
            UNIT_PRINTED,
            text("purpose", "资金用途"),
            text("goal", "绩效目标"),
            text("category", "所属分类"),
            text("funding_document", "资金文件"),
            integer("indicator_count", "指标数", required=True, minimum=0),
        ),
        ("budget_id", "project_seq"),
        (FK_BUDGET,),
    ),
    Table(
        "project_spending_plan",
        "资金支出计划",
        "项目各截止月（3/6/10/12月底）的累计支出比例。",
        (
            BUDGET_ID,
            integer("project_seq", "项目序号", required=True, minimum=1),
            integer("month", "截止月", required=True, minimum=1, maximum=12),
            number("percent", "累计支出比例（%）", minimum=0),
        ),
        ("budget_id", "project_seq", "month"),
        (FK_BUDGET, FK_PROJECT),
    ),
    Table(
        "project_indicators",
        "项目绩效指标",
        "每个项目绩效指标一行；指标值保留原文，并给出解析结果。",
        (BUDGET_ID, integer("project_seq", "项目序号", required=True, minimum=1), *INDICATOR_COLUMNS),
        ("budget_id", "project_seq", "indicator_seq"),
        (FK_BUDGET, FK_PROJECT),
    ),
    Table(
        "rules",
        "校验规则",
        "会计恒等式和合理性校验规则目录。",
        (
            text("rule_id", "规则编号", required=True),
            text("title", "规则名称", required=True),
            text("title_en", "规则名称（英文）", required=True),
            text("description", "说明", required=True),
        ),
        ("rule_id",),
    ),
    Table(
        "findings",
        "校验结果",
        "校验发现的问题：原文数字与计算数字，以及审核人的确认说明。",
        (
            BUDGET_ID,
            integer("seq", "序号", required=True, minimum=1),
            text("rule_id", "规则编号", required=True),
            enum("severity", "严重程度", ["error", "warning", "rounding"], "error 错误；warning 警告；rounding 舍入差异。", required=True),
            text("subject", "对象", required=True),
            text("message", "说明", required=True),
            number("printed", "原文数字", "原文单位。"),
            number("computed", "计算数字", "原文单位。"),
            number("difference", "差额", "原文数字 − 计算数字。"),
            text("unit", "单位"),
            text("path", "记录中的位置"),
            integer("line", "行号", minimum=1),
            text("acknowledgement", "审核确认说明"),
        ),
        ("budget_id", "seq"),
        (FK_BUDGET, ForeignKey(("rule_id",), "rules", ("rule_id",))),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
#: Reference resources: the same for every record.
CODE_LISTS = ("function_codes", "econ_codes", "rules")
